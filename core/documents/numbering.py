"""Document numbers: per series and period, unique and gapless, assigned in the issuing transaction.

Patterns come from ``[numbering]`` (``FV/{year}/{month}/{seq:04}``). The period
a counter runs in follows the pattern: a ``{month}`` in it restarts the count
every month, a ``{year}`` every year, neither never.

Gapless with several processes: the counter row is incremented with
``UPDATE ... SET last = last + 1`` inside the issuing transaction. On
PostgreSQL the update holds the row lock until commit, so a second issuer
waits and then counts on from the committed value; on SQLite the issuing
transaction holds the database write lock (``BEGIN IMMEDIATE``). A rolled-back
issue rolls its increment back too, so no number is ever skipped (a savepoint
rolled back, as the renewal run does for one refused renewal, rolls back its own).

The increment is one statement (``UPDATE ... RETURNING``, written once, see
:mod:`core.prepared`); only the first number of a series in a period inserts
the counter row first.
"""

from __future__ import annotations

from datetime import date

from core import db, prepared, runtime
from core.models import DocumentSequence

_last = prepared.column(DocumentSequence.last)
INCREMENT = (
    f"UPDATE {prepared.table(DocumentSequence)} SET {_last} = {_last} + 1 "
    f"WHERE {prepared.column(DocumentSequence.series)} = {{p}} AND {prepared.column(DocumentSequence.period)} = {{p}} "
    f"RETURNING {_last}"
)


def period_of(pattern: str, day: date) -> str:
    """The counter period of ``pattern`` on ``day``: ``2026-11``, ``2026`` or ``all``."""
    if "{month" in pattern:
        return f"{day.year:04d}-{day.month:02d}"
    if "{year" in pattern:
        return f"{day.year:04d}"
    return "all"


def format_number(pattern: str, day: date, seq: int) -> str:
    """Fill ``pattern`` with the date parts and the sequence number."""
    return pattern.format(year=day.year, month=f"{day.month:02d}", day=f"{day.day:02d}", seq=seq)


def next_number(kind: str, day: date) -> tuple[str, str]:
    """Take the next number of ``kind``'s series for ``day``; return (series, number).

    Must run inside :func:`core.db.write_transaction` (the issuing transaction).
    """
    if not db.database.obj.in_transaction():
        raise RuntimeError("next_number() must run inside the issuing transaction")
    pattern = str(runtime.config().get_value(f"numbering.{kind}"))
    period = period_of(pattern, day)
    rows = prepared.execute(INCREMENT, (kind, period)).fetchall()
    if not rows:  # the series' first number in this period
        DocumentSequence.insert(series=kind, period=period, last=0).on_conflict_ignore().execute()
        rows = prepared.execute(INCREMENT, (kind, period)).fetchall()
    return kind, format_number(pattern, day, int(rows[0][0]))
