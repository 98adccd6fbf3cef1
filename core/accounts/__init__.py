"""Accounts: customers and staff, passwords, tokens, sessions, login."""
