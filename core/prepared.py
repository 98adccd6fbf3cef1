"""Statements a hot loop sends thousands of times, with their SQL built once.

Compiling a statement is most of what a peewee query costs in Python: a
document's INSERT of twenty columns takes longer to compile than SQLite takes
to run it. The renewal run sends a few statements per service for every due
service; those few are written here once per engine and then only bound to new
parameters. They still go through ``Database.execute_sql``, so they run in the
current transaction and are logged and counted like any other statement
(:mod:`core.testing.queries`). Everything else stays ordinary peewee.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any, TypeVar

import peewee

from core import db

M = TypeVar("M", bound=peewee.Model)


def name(text: str) -> str:
    """``text`` quoted as an SQL identifier (both engines quote with double quotes)."""
    return '"' + text.replace('"', '""') + '"'


def table(model: type[peewee.Model]) -> str:
    """The quoted table name of ``model``."""
    return name(model._meta.table_name)


def column(field: peewee.Field) -> str:
    """The quoted column name of ``field`` (unqualified)."""
    return name(field.column_name)


def param() -> str:
    """The parameter placeholder of the bound engine (``?`` for SQLite, ``%s`` for PostgreSQL)."""
    return str(db.database.obj.param)


def execute(sql: str, params: Sequence[Any] = ()) -> Any:
    """Run ``sql`` (written with ``{p}`` for each parameter) in the current transaction; return the cursor."""
    return db.database.obj.execute_sql(sql.format(p=param()), tuple(params))


class PreparedInsert:
    """Inserts rows of one model, every column but the automatic id, with the INSERT built once.

    :meth:`create` returns the saved instance as ``Model.create`` would: field
    defaults filled in, the new id set, nothing left dirty.
    """

    def __init__(self, model: type[M]) -> None:
        self.model = model
        primary = model._meta.primary_key
        if not isinstance(primary, peewee.Field):
            raise TypeError(f"{model.__name__} has no single primary key")
        self.primary = primary
        self.fields = [field for field in model._meta.sorted_fields if field is not self.primary]
        self._sql: dict[str, str] = {}

    def _statement(self) -> str:
        marker = param()
        if marker not in self._sql:
            columns = ", ".join(column(field) for field in self.fields)
            values = ", ".join([marker] * len(self.fields))
            sql = f"INSERT INTO {table(self.model)} ({columns}) VALUES ({values})"
            if db.is_postgres():
                sql += f" RETURNING {column(self.primary)}"
            self._sql[marker] = sql
        return self._sql[marker]

    def create(self, values: Mapping[str, Any]) -> Any:
        """Insert one row made of ``values`` (field names to Python values) and return the model instance."""
        instance: Any = self.model(**values)
        data = instance.__data__
        params = tuple(field.db_value(data.get(field.name)) for field in self.fields)
        cursor = db.database.obj.execute_sql(self._statement(), params)
        instance._pk = cursor.fetchone()[0] if db.is_postgres() else cursor.lastrowid
        instance._dirty.clear()  # as peewee's own cursor wrapper does: the row is saved as it stands
        return instance
