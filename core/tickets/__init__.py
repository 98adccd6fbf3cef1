"""Support tickets: the domain services customers and staff use to talk.

Pure building blocks live in submodules (e.g. :mod:`core.tickets.filetypes` for
attachment checks); they import neither Flask nor the database.
"""
