"""The database: one peewee proxy, bound at start-up to SQLite or PostgreSQL.

``database.url`` chooses the engine: ``sqlite:///path/file.sqlite3`` (WAL,
foreign keys on, busy timeout) or ``postgresql://user:pass@host:port/name``
(psycopg 3). Domain services that move money or assign numbers open their
transaction with :func:`write_transaction`, which takes the write lock at the
start on SQLite (``BEGIN IMMEDIATE``), and lock the customer's row on
PostgreSQL with :func:`lock_customer`; together they serialise spending and
payments per customer on both engines.
"""

from __future__ import annotations

import contextlib
import hashlib
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import unquote, urlparse

import peewee

database = peewee.DatabaseProxy()


class DatabaseConfigError(RuntimeError):
    """The database URL cannot be used."""


def make_database(url: str) -> peewee.Database:
    """Return an (unconnected) peewee database for ``url``."""
    parsed = urlparse(url)
    if parsed.scheme == "sqlite":
        raw = url[len("sqlite:///") :] if url.startswith("sqlite:///") else parsed.path
        if raw in ("", ":memory:"):
            raise DatabaseConfigError("an in-memory SQLite database cannot be shared; use a file")
        path = Path(unquote(raw))
        path.parent.mkdir(parents=True, exist_ok=True)
        return peewee.SqliteDatabase(
            str(path),
            timeout=30,
            pragmas={
                "journal_mode": "wal",
                "foreign_keys": 1,
                "busy_timeout": 30000,
                "synchronous": "normal",
            },
        )
    if parsed.scheme in ("postgres", "postgresql"):
        return peewee.PostgresqlDatabase(
            unquote(parsed.path.lstrip("/")),
            user=unquote(parsed.username) if parsed.username else None,
            password=unquote(parsed.password) if parsed.password else None,
            host=parsed.hostname or None,
            port=parsed.port or None,
            prefer_psycopg3=True,
        )
    raise DatabaseConfigError(f"database.url has an unknown scheme: {parsed.scheme!r}")


def bind(url: str) -> peewee.Database:
    """Bind the global proxy to the database at ``url`` and return it."""
    db = make_database(url)
    database.initialize(db)
    return db


def is_postgres() -> bool:
    """True when the bound database is PostgreSQL."""
    return isinstance(database.obj, peewee.PostgresqlDatabase)


@contextlib.contextmanager
def write_transaction() -> Iterator[None]:
    """A transaction that holds the write lock from its first statement.

    SQLite: ``BEGIN IMMEDIATE``, so two writers never interleave their reads and
    writes. PostgreSQL: an ordinary transaction; take row locks explicitly
    (:func:`lock_customer`). Nested use becomes a savepoint of the outer one.
    """
    db = database.obj
    if db.in_transaction():
        with db.atomic():
            yield
        return
    if isinstance(db, peewee.SqliteDatabase):
        with db.atomic(lock_type="IMMEDIATE"):
            yield
    else:
        with db.atomic():
            yield


def lock_customer(customer_id: int) -> None:
    """Serialise money movements of one customer inside the current transaction.

    PostgreSQL: ``SELECT ... FOR UPDATE`` on the customer's row. SQLite: the
    surrounding :func:`write_transaction` already holds the database write lock.
    """
    db = database.obj
    if not db.in_transaction():
        raise RuntimeError("lock_customer() must run inside write_transaction()")
    if is_postgres():
        db.execute_sql("SELECT id FROM customer WHERE id = %s FOR UPDATE", (customer_id,))


def lock_name(name: str) -> None:
    """Serialise, inside the current transaction, every transaction that locks the same ``name``.

    PostgreSQL: a transaction-level advisory lock on a 64-bit key derived from
    ``name`` (released at commit or rollback; nothing needs to exist in a
    table, so it can guard a count of rows not yet written). SQLite: the
    surrounding :func:`write_transaction` already holds the database write lock.
    Take several names in a fixed order (sorted), so that two transactions never
    wait for each other.
    """
    db = database.obj
    if not db.in_transaction():
        raise RuntimeError("lock_name() must run inside write_transaction()")
    if is_postgres():
        key = int.from_bytes(hashlib.sha256(name.encode()).digest()[:8], "big", signed=True)
        db.execute_sql("SELECT pg_advisory_xact_lock(%s)", (key,))


@contextlib.contextmanager
def connection() -> Iterator[peewee.Database]:
    """Open a connection for a unit of work outside a request (CLI, cron, threads)."""
    db = database.obj
    opened = db.connect(reuse_if_open=True)
    try:
        yield db
    finally:
        if opened and not db.is_closed():
            db.close()
