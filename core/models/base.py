"""Model base class and the field types every model uses.

``MoneyField`` stores an exact amount as integer grosze (hundredths), so sums
in SQL stay exact on SQLite and PostgreSQL alike. ``JSONField`` stores JSON as
text; Decimal and date values are written as strings.
"""

from __future__ import annotations

import json
from datetime import date, datetime
from decimal import Decimal
from typing import Any

import peewee

from core import clock
from core.db import database
from core.money import CENT, round_money, to_decimal


class MoneyField(peewee.BigIntegerField):
    """An amount of money, exact to the grosz, stored as integer hundredths."""

    def db_value(self, value: Any) -> int | None:
        if value is None:
            return None
        amount = to_decimal(value)
        if amount != round_money(amount):
            raise ValueError(f"{self.name}: {amount} is not rounded to 0.01")
        return int(amount * 100)

    def python_value(self, value: Any) -> Decimal | None:
        if value is None:
            return None
        return (Decimal(int(value)) / 100).quantize(CENT)


def _json_default(value: Any) -> Any:
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, (date, datetime)):
        return value.isoformat()
    raise TypeError(f"cannot store {type(value).__name__} as JSON")


def dumps(value: Any) -> str:
    """Serialise to JSON the way every JSONField does (Decimal and dates as strings)."""
    return json.dumps(value, default=_json_default, ensure_ascii=False, sort_keys=True)


class JSONField(peewee.TextField):
    """A JSON document stored as text (portable between SQLite and PostgreSQL)."""

    def db_value(self, value: Any) -> str | None:
        return None if value is None else dumps(value)

    def python_value(self, value: Any) -> Any:
        return None if value is None else json.loads(value)


class BaseModel(peewee.Model):
    """Base of every table: bound to the global database proxy.

    The primary key is declared (peewee would add the same ``id`` by itself)
    so that type checkers know it; ``<name>_id`` beside every foreign key is
    declared as an annotation in each model for the same reason.
    """

    id = peewee.AutoField()

    class Meta:
        database = database
        legacy_table_names = False


def configured_language() -> str:
    """Default for a new account's language: the provider's ``app.language``, read when the row is made."""
    from core import runtime

    return str(runtime.config().get_value("app.language"))


def utc_now() -> datetime:
    """Default for created/updated columns: the one clock, as naive UTC."""
    return clock.utcnow()
