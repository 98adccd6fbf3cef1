"""Schema migrations of the ``ksef`` component."""
