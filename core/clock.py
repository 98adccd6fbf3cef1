"""The one clock: every "now" and "today" in hookbill comes from here.

Dates are whole calendar days in the provider's time zone (``app.timezone``).
Tests, and a served app in browser tests, pin the clock with :func:`freeze`
or the ``clock.fixed`` config key (``HOOKBILL_CLOCK_FIXED``).
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

_zone: ZoneInfo = ZoneInfo("Europe/Warsaw")
_fixed: datetime | None = None
_offset: timedelta = timedelta(0)


def configure(timezone: str, fixed: str | datetime | None = None) -> None:
    """Set the provider's time zone and, optionally, a fixed current time."""
    global _zone
    _zone = ZoneInfo(timezone)
    if fixed:
        freeze(fixed)


def zone() -> ZoneInfo:
    """The provider's time zone."""
    return _zone


def freeze(moment: str | datetime | None) -> None:
    """Pin the clock at ``moment`` (naive values are in the provider's zone); None unpins."""
    global _fixed, _offset
    _offset = timedelta(0)
    if moment is None or moment == "":
        _fixed = None
        return
    if isinstance(moment, str):
        moment = datetime.fromisoformat(moment)
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=_zone)
    _fixed = moment


def advance(delta: timedelta) -> None:
    """Move a frozen clock forward (tests of expiry); a running clock gets an offset."""
    global _fixed, _offset
    if _fixed is not None:
        _fixed = _fixed + delta
    else:
        _offset += delta


def now() -> datetime:
    """The current time, aware, in the provider's time zone."""
    if _fixed is not None:
        return _fixed.astimezone(_zone)
    return datetime.now(_zone) + _offset


def utcnow() -> datetime:
    """The current time as a naive UTC datetime: the form stored in the database."""
    return now().astimezone(UTC).replace(tzinfo=None)


def today() -> date:
    """Today's date in the provider's time zone."""
    return now().date()


def stored_start_of(day: date) -> datetime:
    """The stored form (naive UTC) of the moment ``day`` begins in the provider's zone."""
    return datetime.combine(day, datetime.min.time(), tzinfo=_zone).astimezone(UTC).replace(tzinfo=None)


def to_local(stored: datetime) -> datetime:
    """Turn a stored naive-UTC datetime into an aware one in the provider's zone."""
    return stored.replace(tzinfo=UTC).astimezone(_zone)


def local_date(stored: datetime) -> date:
    """The provider's calendar day on which the stored naive-UTC moment ``stored`` fell."""
    return to_local(stored).date()


def start_of_day_utc(day: date) -> datetime:
    """The first moment of the provider's calendar day ``day``, as a stored naive-UTC datetime."""
    return datetime.combine(day, datetime.min.time(), tzinfo=_zone).astimezone(UTC).replace(tzinfo=None)
