"""Support tickets: departments, tickets, messages, attachments ("Zgłoszenia i wiadomości").

- :mod:`core.tickets.service`: what customers and staff do (open, reply, note,
  assign, status, close, idle-close); no Flask.
- :mod:`core.tickets.filetypes`, :mod:`core.tickets.pending`: attachment checks by
  content; :mod:`core.tickets.storage`: files under random names, outside any
  served folder; :mod:`core.tickets.notify`: mail through the outbox.
- :mod:`core.tickets.views_client`, :mod:`core.tickets.views_admin`: the web pages;
  :mod:`core.tickets.plugin`: the hook implementations that register all of it.
"""
