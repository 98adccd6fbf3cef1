"""Indexes the admin lists page and search by: customers' search text, the tickets queue.

* SQLite: the FTS5 table ``customer_search`` (trigrams of ``customer.search_key``,
  filled from the existing rows and kept in step by triggers).
* PostgreSQL: the ``pg_trgm`` extension and a GIN index on ``customer.search_key``.
  Installing an extension needs a privilege the database owner may lack (``pg_trgm``
  is a trusted extension since PostgreSQL 13); without it search works, scanning the
  table, and a warning says so.
* The plain index on ``customer.search_key`` goes: no search used it (a ``LIKE
  '%...%'`` cannot).

The tickets queue's index (status, last reply, id) comes with the tickets' own
migrations.
"""

from __future__ import annotations

import peewee

from core import runtime

SQLITE = (
    "CREATE VIRTUAL TABLE IF NOT EXISTS customer_search USING fts5("
    "search_key, content='customer', content_rowid='id', tokenize='trigram')",
    "CREATE TRIGGER IF NOT EXISTS customer_search_insert AFTER INSERT ON customer BEGIN "
    "INSERT INTO customer_search(rowid, search_key) VALUES (new.id, new.search_key); END",
    "CREATE TRIGGER IF NOT EXISTS customer_search_delete AFTER DELETE ON customer BEGIN "
    "INSERT INTO customer_search(customer_search, rowid, search_key) VALUES ('delete', old.id, old.search_key); END",
    "CREATE TRIGGER IF NOT EXISTS customer_search_update AFTER UPDATE OF search_key ON customer BEGIN "
    "INSERT INTO customer_search(customer_search, rowid, search_key) VALUES ('delete', old.id, old.search_key); "
    "INSERT INTO customer_search(rowid, search_key) VALUES (new.id, new.search_key); END",
    "INSERT INTO customer_search(customer_search) VALUES ('rebuild')",
)


def _postgres(db: peewee.Database) -> None:
    try:
        with db.atomic():  # a savepoint: a refusal leaves the migration's transaction usable
            db.execute_sql("CREATE EXTENSION IF NOT EXISTS pg_trgm")
    except peewee.DatabaseError as exc:
        runtime.log.warning("pg_trgm cannot be installed (%s): customer search will scan the table", exc)
        return
    db.execute_sql(
        "CREATE INDEX IF NOT EXISTS customer_search_key_trgm ON customer USING gin (search_key gin_trgm_ops)"
    )


def up(db: peewee.Database, migrator: object) -> None:
    """Index customers' search text by trigrams; drop the plain index no search used."""
    db.execute_sql("DROP INDEX IF EXISTS customer_search_key")
    if isinstance(db, peewee.PostgresqlDatabase):
        _postgres(db)
    else:
        for statement in SQLITE:
            db.execute_sql(statement)
