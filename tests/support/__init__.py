"""Test infrastructure: real services (PostgreSQL, SMTP, chromium) for the test suite.

The pytest fixtures live in :mod:`tests.support.fixtures`, which ``tests/conftest.py``
loads as a plugin; the other modules are plain helpers usable without pytest.
"""
