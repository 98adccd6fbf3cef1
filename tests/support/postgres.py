"""A throwaway PostgreSQL server: the testing kit's (:mod:`core.testing.postgres`)."""

from core.testing.postgres import PostgresServer, PostgresUnavailable, find_bindir

__all__ = ["PostgresServer", "PostgresUnavailable", "find_bindir"]
