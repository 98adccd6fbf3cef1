"""Schema migrations of the ``totp`` component."""
