"""Finding document numbers in a transfer title, spelled the way people type them.

Numbers follow the ``[numbering]`` patterns (``PRO/{year}/{seq:05}``,
``FV/{year}/{month}/{seq:04}``). A payer may write ``PRO/2026/00012`` as
``pro 2026 12``, ``PRO-2026-12``, ``Pro2026/0012`` or ``PRO/2026/0`` +
``0012`` wrapped across two title lines. So each pattern becomes a loose
regular expression: its letters in any case, any run of spaces, slashes,
dashes, dots or underscores (or none) between its parts, the sequence
without its zero padding; a match is rebuilt into the canonical number with
the pattern itself and looked up exactly. A pattern without letters would
match any pair of numbers, so it is only found written exactly.

Only the whole title is searched, in two spellings: the title's parts joined
with spaces, and joined with nothing (a number wrapped across two parts).
Every number found counts, in the order written, each once.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date

from core import runtime
from core.documents.numbering import format_number

SEPARATORS = r"[\s/\\\-_.,:#]*"
_FIELD = re.compile(r"\{(\w+)(?::0?(\d+))?\}")


@dataclass(frozen=True)
class NumberPattern:
    """A numbering pattern and the loose regular expression that finds it."""

    kind: str
    pattern: str
    regex: re.Pattern[str]


def _loose(pattern: str) -> re.Pattern[str] | None:
    parts: list[str] = []
    pos = 0
    has_letters = False
    for field in _FIELD.finditer(pattern):
        literal = pattern[pos : field.start()]
        parts.append(_literal(literal))
        has_letters = has_letters or any(c.isalpha() for c in literal)
        name, width = field.group(1), int(field.group(2) or 0)
        if name == "year":
            parts.append(r"(?P<year>20\d{2})")
        elif name == "month":
            parts.append(r"(?P<month>1[0-2]|0?[1-9])")
        elif name == "day":
            parts.append(r"(?P<day>3[01]|[12]\d|0?[1-9])")
        elif name == "seq":
            parts.append(_sequence(width))
        else:
            return None
        pos = field.end()
    literal = pattern[pos:]
    parts.append(_literal(literal))
    has_letters = has_letters or any(c.isalpha() for c in literal)
    if not has_letters:
        return None
    return re.compile(r"(?<![A-Za-z0-9])" + "".join(parts) + r"(?![0-9])", re.IGNORECASE)


def _sequence(width: int) -> str:
    """The sequence number: with leading zeros at most ``width`` digits, without them up to one digit more.

    A padded number longer than its width is two things glued together
    (``PRO/2026/00012`` + ``3 usługi`` wrapped onto one line), not a number.
    """
    if width <= 1:
        return r"(?P<seq>\d{1,7})"
    return rf"(?P<seq>0\d{{1,{width - 1}}}|[1-9]\d{{0,{width}}})"


def _literal(text: str) -> str:
    """Letters and digits of a literal, with loose separators between and around them."""
    out = []
    for char in text:
        if char.isalnum():
            out.append(re.escape(char))
        elif not out or out[-1] != SEPARATORS:
            out.append(SEPARATORS)
    return "".join(out)


def patterns() -> list[NumberPattern]:
    """The loose expressions of every document kind's numbering pattern (cached per runtime)."""
    rt = runtime.current()
    cached = rt.cache.get("bankstatements:number-patterns")
    if cached is None:
        cached = []
        for kind in ("proforma", "vat", "correction"):
            pattern = str(rt.config.get_value(f"numbering.{kind}") or "")
            regex = _loose(pattern) if pattern else None
            if regex is not None:
                cached.append(NumberPattern(kind, pattern, regex))
        rt.cache["bankstatements:number-patterns"] = cached
    return cached


def _canonical(found: NumberPattern, match: re.Match[str]) -> str | None:
    groups = match.groupdict()
    try:
        day = date(int(groups.get("year") or 2000), int(groups.get("month") or 1), int(groups.get("day") or 1))
    except ValueError:
        return None
    seq = int(groups.get("seq") or 0)
    return format_number(found.pattern, day, seq) if seq > 0 else None


def numbers_with_kinds(*titles: str) -> list[tuple[str, str]]:
    """``(document kind, canonical number)`` of every number written in ``titles``, in order, each once."""
    found: dict[tuple[str, str], None] = {}
    for title in titles:
        hits: list[tuple[int, str, str]] = []
        for candidate in patterns() if title else ():
            for match in candidate.regex.finditer(title):
                number = _canonical(candidate, match)
                if number:
                    hits.append((match.start(), candidate.kind, number))
        for _start, kind, number in sorted(hits):
            found.setdefault((kind, number), None)
    return list(found)


def numbers_in(*titles: str) -> list[str]:
    """Canonical document numbers written in ``titles``, in order, each once."""
    return [number for _kind, number in numbers_with_kinds(*titles)]
