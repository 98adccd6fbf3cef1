"""Counting the SQL statements a piece of code sends, to pin a page's query count in its test.

A list page should cost the same number of queries whatever the number of rows
it shows: rows and what they show come from one query with a join (or one
query per related table), never one query per row. Its test says so::

    from core.testing.queries import count_queries

    with count_queries() as one:
        client.get("/services")          # one service
    make_more_services(99)
    with count_queries() as hundred:
        client.get("/services")          # a hundred
    assert hundred.count == one.count, hundred.diff(one)

Every statement peewee sends is counted, from every thread of the process,
transaction control (``BEGIN``, ``COMMIT``) included; opening a pooled
connection is not a statement.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field

#: peewee logs each statement it executes, as ``(sql, params)``, on this logger at DEBUG.
PEEWEE_LOGGER = "peewee"


@dataclass
class QueryLog:
    """The statements sent while :func:`count_queries` was open, oldest first."""

    statements: list[str] = field(default_factory=list)

    @property
    def count(self) -> int:
        """How many statements were sent."""
        return len(self.statements)

    def diff(self, other: QueryLog) -> str:
        """Both logs side by side, numbered: the message of a failed ``assert a.count == b.count``."""
        lines = [f"{self.count} statements against {other.count}:"]
        for index in range(max(self.count, other.count)):
            mine = self.statements[index] if index < self.count else ""
            theirs = other.statements[index] if index < other.count else ""
            mark = " " if mine == theirs else "*"
            lines.append(f"{mark}{index + 1:3d}  {mine[:110]}\n        {theirs[:110]}")
        return "\n".join(lines)

    def __str__(self) -> str:
        return "\n".join(f"{index + 1:3d}  {sql}" for index, sql in enumerate(self.statements))


class _Recorder(logging.Handler):
    def __init__(self, log: QueryLog) -> None:
        super().__init__(logging.DEBUG)
        self.log = log

    def emit(self, record: logging.LogRecord) -> None:
        # Child loggers (``peewee.pool``) propagate here too; only statements count.
        if record.name != PEEWEE_LOGGER or not isinstance(record.msg, tuple) or not record.msg:
            return
        self.log.statements.append(str(record.msg[0]))  # handle() holds the handler's lock


@contextmanager
def count_queries() -> Iterator[QueryLog]:
    """Record every SQL statement sent inside the ``with`` block into the yielded :class:`QueryLog`."""
    log = QueryLog()
    logger = logging.getLogger(PEEWEE_LOGGER)
    handler, level = _Recorder(log), logger.level
    logger.addHandler(handler)
    logger.setLevel(logging.DEBUG)
    try:
        yield log
    finally:
        logger.removeHandler(handler)
        logger.setLevel(level)
