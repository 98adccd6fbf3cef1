"""Long lists a page at a time, by keyset, and counts that stop at a cap.

A page with ``OFFSET 40000`` makes the database read and throw away forty
thousand rows; a keyset page asks for the rows *after the last one shown*
(``WHERE (last_reply_at, id) < (:t, :id) ORDER BY last_reply_at DESC, id DESC
LIMIT 26``), which an index answers in the same time on page 1 and on page
4 000. The URL carries that last row's keys (the *cursor*), so a row added or
deleted while someone reads never shifts a row onto the next page twice or
makes one vanish between pages, and rows with the same time are told apart by
their id.

:func:`keyset_page` orders newest first by the given keys (or oldest first,
for queues worked from the oldest: ``ascending=True``); the last key must be
unique (the id) and none may be NULL. :func:`capped_count` counts at most
``cap + 1`` rows: exact below the cap, "more than ``cap``" above it, at a cost
that does not grow with the table.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

import peewee

from core.untrusted import as_id

#: What pages count up to: an exact number below, "more than" above (a bounded read either way).
COUNT_CAP = 1000

#: Separates the keys in a cursor (an unreserved character in URLs: no escaping).
SEPARATOR = "~"


@dataclass(frozen=True)
class Page:
    """One page of a list: its rows, and the cursors of the pages around it.

    ``newer`` is the cursor for the page before (``?before=...``), None on the
    first page; ``older`` the cursor for the page after (``?after=...``), None
    on the last.
    """

    rows: list[Any]
    newer: str | None
    older: str | None


def _encode(value: Any) -> str:
    if isinstance(value, datetime | date):
        return value.isoformat()
    return str(value)


def _decode(field: peewee.Field, text: str) -> Any:
    if isinstance(field, peewee.DateTimeField):
        return datetime.fromisoformat(text)
    if isinstance(field, peewee.DateField):
        return date.fromisoformat(text)
    if isinstance(field, peewee.IntegerField | peewee.AutoField | peewee.ForeignKeyField):
        number = as_id(text)
        if number is None:  # not an id any engine can compare with a key
            raise ValueError(text)
        return number
    return text


def cursor_of(row: Any, keys: Sequence[peewee.Field]) -> str:
    """The cursor naming ``row``'s place in a list ordered by ``keys``."""
    return SEPARATOR.join(_encode(getattr(row, key.name)) for key in keys)


def parse_cursor(text: str | None, keys: Sequence[peewee.Field]) -> tuple[Any, ...] | None:
    """The key values in cursor ``text``; None for no cursor or one that does not fit ``keys``."""
    if not text:
        return None
    parts = text.split(SEPARATOR)
    if len(parts) != len(keys):
        return None
    try:
        return tuple(_decode(key, part) for key, part in zip(keys, parts, strict=True))
    except ValueError:
        return None


def _beyond(keys: Sequence[peewee.Field], values: tuple[Any, ...], below: bool) -> peewee.Expression:
    """The rows whose keys sort below ``values`` (``below``), or above them."""
    if len(keys) == 1:
        return keys[0] < values[0] if below else keys[0] > values[0]
    row, point = peewee.Tuple(*keys), peewee.Tuple(*values)
    return row < point if below else row > point


def _fetch(
    parts: Sequence[peewee.ModelSelect[Any]],
    keys: Sequence[peewee.Field],
    beyond: peewee.Expression | None,
    descending: bool,
    limit: int,
) -> list[Any]:
    """The first ``limit`` rows of ``parts`` together, ordered by ``keys``: each part read by its index, then merged."""
    order = [key.desc() if descending else key.asc() for key in keys]
    rows: list[Any] = []
    for part in parts:
        narrowed = part if beyond is None else part.where(beyond)
        rows += list(narrowed.order_by(*order).limit(limit))
    if len(parts) > 1:
        rows.sort(key=lambda row: tuple(getattr(row, key.name) for key in keys), reverse=descending)
    return rows[:limit]


def keyset_page(
    query: peewee.ModelSelect[Any],
    keys: Sequence[peewee.Field],
    *,
    size: int,
    after: str | None = None,
    before: str | None = None,
    each: tuple[peewee.Field, Sequence[Any]] | None = None,
    ascending: bool = False,
) -> Page:
    """The page of ``query`` ordered by ``keys`` descending: the first, the one ``after`` a cursor, or ``before`` one.

    ``ascending`` orders the list by ``keys`` ascending instead (oldest first);
    "after" is then the page of higher keys.

    One query per page (a page ``before`` the first rows, whose newer rows were
    deleted meanwhile, is the first page, which takes a second query). A cursor
    that does not parse is ignored: the first page is shown.

    ``each`` = ``(field, values)`` lists the rows whose ``field`` is one of
    ``values``, reading each value's rows by an index on ``(field, *keys)`` and
    merging them (one query per value): a database cannot walk such an index in
    ``keys`` order for several values at once, so ``field IN (...)`` would sort
    every matching row for each page.
    """
    if each is None:
        parts = [query]
    else:
        field, values = each
        parts = [query.where(field == value) for value in values]
    after_values = parse_cursor(after, keys)
    before_values = None if after_values is not None else parse_cursor(before, keys)
    if before_values is not None:
        fetched = _fetch(parts, keys, _beyond(keys, before_values, below=ascending), ascending, size + 1)
        if len(fetched) <= size:  # nothing before these: this is the first page
            return keyset_page(query, keys, size=size, each=each, ascending=ascending)
        rows = list(reversed(fetched[:size]))
        return Page(rows, cursor_of(rows[0], keys), cursor_of(rows[-1], keys))
    beyond = None if after_values is None else _beyond(keys, after_values, below=not ascending)
    fetched = _fetch(parts, keys, beyond, not ascending, size + 1)
    rows = fetched[:size]
    newer = cursor_of(rows[0], keys) if after_values is not None and rows else None
    older = cursor_of(rows[-1], keys) if len(fetched) > size else None
    return Page(rows, newer, older)


@dataclass(frozen=True)
class Count:
    """How many rows matched, exactly up to ``cap``: ``exact`` is False when there are more than ``cap``."""

    value: int
    cap: int

    @property
    def exact(self) -> bool:
        """True when ``value`` is the number of rows; False when it is "more than ``cap``"."""
        return self.value <= self.cap


def capped_count(query: peewee.ModelSelect[Any], cap: int) -> Count:
    """Count the rows of ``query``, reading at most ``cap + 1`` of them."""
    limited = query.select(peewee.SQL("1")).order_by().limit(cap + 1)
    return Count(min(limited.count(), cap + 1), cap)
