"""Schema migrations of the ``pgp`` component."""
