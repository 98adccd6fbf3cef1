"""Schema migrations of the ``przelewy24`` component."""
