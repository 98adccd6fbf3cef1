"""Staff searching customers by any part of their e-mail, names, billing name or tax id, through an index.

``customer.search_key`` holds that text, case-folded in Python (SQLite's
``LOWER()`` folds ASCII only). A search is a substring match of at least
:data:`MIN_LENGTH` characters, answered by a trigram index on both engines:

* SQLite: the FTS5 table ``customer_search`` (``tokenize='trigram'``), kept
  in step with ``customer`` by triggers; a quoted phrase matches a substring.
* PostgreSQL: a GIN index with ``gin_trgm_ops`` (the ``pg_trgm`` extension)
  on ``customer.search_key``, which answers ``LIKE '%...%'``. Where the
  extension cannot be installed the same query scans the table: the results
  are the same, only slower (``hookbill migrate`` says so).

A trigram index cannot answer text shorter than three characters, so shorter
text searches nothing (the page asks for more).
"""

from __future__ import annotations

from typing import TypeVar

import peewee

from core import db
from core.models import Customer

#: The shortest text a search looks for (a trigram).
MIN_LENGTH = 3

M = TypeVar("M", bound=peewee.Model)


def normalise(text: str) -> str:
    """``text`` as ``search_key`` stores it: case-folded, single spaces, no spaces around."""
    return " ".join(text.casefold().split())


def searchable(text: str) -> bool:
    """True when ``text`` is long enough to search for (:data:`MIN_LENGTH` characters once normalised)."""
    return len(normalise(text)) >= MIN_LENGTH


def matching(query: peewee.ModelSelect[M], text: str) -> peewee.ModelSelect[M]:
    """``query`` of customers narrowed to those whose search text contains ``text`` (see :func:`searchable`)."""
    needle = normalise(text)
    if db.is_postgres():
        return query.where(Customer.search_key.contains(needle))
    phrase = '"' + needle.replace('"', '""') + '"'
    found = peewee.SQL("(SELECT rowid FROM customer_search WHERE customer_search MATCH ?)", [phrase])
    return query.where(Customer.id.in_(found))
