"""The database: one peewee proxy, bound at start-up to SQLite or PostgreSQL.

``database.url`` chooses the engine: ``sqlite:///path/file.sqlite3`` (WAL,
foreign keys on, busy timeout) or ``postgresql://user:pass@host:port/name``
(psycopg 3). Domain services that move money or assign numbers open their
transaction with :func:`write_transaction`, which takes the write lock at the
start on SQLite (``BEGIN IMMEDIATE``), and lock the customer's row on
PostgreSQL with :func:`lock_customer`; together they serialise spending and
payments per customer on both engines.

Connections are pooled per process (``playhouse.pool``): a request, a CLI
command or a thread takes one when it first queries and gives it back when it
closes it, so a worker opens its connection (and runs SQLite's PRAGMAs) once,
not per request. A forked child (a gunicorn worker of a ``--preload`` master)
never touches the connections it inherited: :func:`_forget_inherited` drops them
from its pool without closing them, because closing them would end the
parent's session too. :func:`close_all` closes every connection of the pool.
"""

from __future__ import annotations

import atexit
import contextlib
import contextvars
import hashlib
import os
import threading
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlparse

import peewee
from playhouse.pool import PooledDatabase, PooledPostgresqlDatabase, PooledSqliteDatabase

database = peewee.DatabaseProxy()

#: At most this many connections per process; a thread asking for one more waits up to POOL_WAIT_SECONDS.
POOL_MAX_CONNECTIONS = 32
POOL_WAIT_SECONDS = 30
#: A PostgreSQL connection older than this is closed when it comes back (the next one is fresh).
POSTGRES_RECYCLE_SECONDS = 600


class DatabaseConfigError(RuntimeError):
    """The database URL cannot be used."""


def make_database(url: str) -> peewee.Database:
    """Return an (unconnected) pooled peewee database for ``url``.

    SQLite connections may move between threads (one thread at a time uses
    one), which the pool needs; each runs the PRAGMAs once, when it is opened.
    """
    parsed = urlparse(url)
    if parsed.scheme == "sqlite":
        raw = url[len("sqlite:///") :] if url.startswith("sqlite:///") else parsed.path
        if raw in ("", ":memory:"):
            raise DatabaseConfigError("an in-memory SQLite database cannot be shared; use a file")
        path = Path(unquote(raw))
        path.parent.mkdir(parents=True, exist_ok=True)
        return PooledSqliteDatabase(
            str(path),
            max_connections=POOL_MAX_CONNECTIONS,
            timeout=POOL_WAIT_SECONDS,
            check_same_thread=False,
            pragmas={
                "journal_mode": "wal",
                "foreign_keys": 1,
                "busy_timeout": 30000,
                "synchronous": "normal",
            },
        )
    if parsed.scheme in ("postgres", "postgresql"):
        return PooledPostgresqlDatabase(
            unquote(parsed.path.lstrip("/")),
            max_connections=POOL_MAX_CONNECTIONS,
            timeout=POOL_WAIT_SECONDS,
            stale_timeout=POSTGRES_RECYCLE_SECONDS,
            user=unquote(parsed.username) if parsed.username else None,
            password=unquote(parsed.password) if parsed.password else None,
            host=parsed.hostname or None,
            port=parsed.port or None,
            prefer_psycopg3=True,
        )
    raise DatabaseConfigError(f"database.url has an unknown scheme: {parsed.scheme!r}")


def bind(url: str) -> peewee.Database:
    """Bind the global proxy to the database at ``url`` and return it.

    The connections of the database bound before (a test builds many apps in
    one process) are closed first.
    """
    close_all()
    db = make_database(url)
    database.initialize(db)
    return db


def close_all() -> None:
    """Close every connection of the bound database's pool, idle or in use (end of a process or a test app)."""
    db = database.obj
    if db is None:
        return
    if db.in_transaction():
        db.rollback()
    if isinstance(db, PooledDatabase):
        db.close_all()
    elif not db.is_closed():
        db.close()


#: Connections a forked child inherited: kept referenced so that they are never
#: closed (nor finalised) in the child, which would end the parent's session.
_inherited: list[Any] = []


def _forget_inherited() -> None:
    """After ``fork()``, in the child: start with an empty pool, leaving the parent's connections alone."""
    db = database.obj
    if db is None:
        return
    conn = db._state.conn
    if conn is not None:
        _inherited.append(conn)
    if db.thread_safe:  # a lock another thread held at the fork stays held in the child: new ones
        db._lock = threading.Lock()
    if isinstance(db, PooledDatabase):
        _inherited.extend(entry[-1] for entry in db._connections)
        _inherited.extend(entry.connection for entry in db._in_use.values())
        db._pool_lock = threading.RLock()
        db._pool_available = threading.Condition(db._pool_lock)
    db.dispose()


os.register_at_fork(after_in_child=_forget_inherited)
atexit.register(close_all)


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


#: Customers whose locks the current transaction took for a whole batch (:func:`holding_customers`).
_held: contextvars.ContextVar[frozenset[int]] = contextvars.ContextVar("hookbill_customers_held", default=frozenset())


def lock_customer(customer_id: int) -> None:
    """Serialise money movements of one customer inside the current transaction.

    PostgreSQL: ``SELECT ... FOR UPDATE`` on the customer's row (nothing is
    sent inside :func:`holding_customers` for a customer it holds). SQLite: the
    surrounding :func:`write_transaction` already holds the database write lock.
    """
    db = database.obj
    if not db.in_transaction():
        raise RuntimeError("lock_customer() must run inside write_transaction()")
    if is_postgres() and customer_id not in _held.get():
        db.execute_sql("SELECT id FROM customer WHERE id = %s FOR UPDATE", (customer_id,))


def lock_customers(customer_ids: Iterable[int]) -> None:
    """:func:`lock_customer` for many customers at once, in one statement, in id order.

    For a batch that moves money of many customers in one transaction (the
    renewal run). The rows are locked in ascending id order, the order every
    batch takes them in, so two batches never wait for each other in a circle.
    """
    db = database.obj
    if not db.in_transaction():
        raise RuntimeError("lock_customers() must run inside write_transaction()")
    ids = sorted(set(customer_ids))
    if is_postgres() and ids:
        marks = ", ".join(["%s"] * len(ids))
        db.execute_sql(f"SELECT id FROM customer WHERE id IN ({marks}) ORDER BY id FOR UPDATE", tuple(ids))


@contextlib.contextmanager
def holding_customers(customer_ids: Iterable[int]) -> Iterator[None]:
    """:func:`lock_customers`, then, until the block ends, :func:`lock_customer` of one of them sends nothing.

    For a batch's work inside its write transaction: every service called
    inside still locks its customer as it always does, and the lock it asks
    for is already held. Only directly inside the top-level transaction do the
    locks count as held (a savepoint rolled back would release them); deeper,
    this is :func:`lock_customers`.
    """
    ids = frozenset(customer_ids)
    lock_customers(ids)
    if database.obj.transaction_depth() != 1:
        yield
        return
    token = _held.set(ids)
    try:
        yield
    finally:
        _held.reset(token)


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
