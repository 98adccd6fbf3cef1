"""Free loopback ports: the testing kit's helper (:mod:`core.testing.ports`)."""

from core.testing.ports import free_port

__all__ = ["free_port"]
