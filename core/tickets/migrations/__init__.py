"""Schema migrations of the ``tickets`` component."""
