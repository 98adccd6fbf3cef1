"""Schema migrations of the ``bankstatements`` component."""
