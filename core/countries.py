"""Countries a buyer can live in: their codes, names and the order a reader expects.

- Codes: ISO 3166-1 alpha-2 from pycountry (the ISO list as Debian's iso-codes
  keeps it), so the list holds countries and territories only; CLDR's other
  "territories" (EU, the euro area, UN, "pseudo-accents", unknown region) are
  not places an invoice can be addressed to.
- Names: CLDR through Babel, in the reader's language, like every other
  locale-dependent text of the panel.
- Order: the reader's alphabet, through ICU's collation (PyICU): in Polish
  "Bułgaria" comes before "Burundi" and "Łotwa" after "Litwa", which a sort
  by code points gets wrong.
"""

from __future__ import annotations

import functools

import icu
import pycountry
from babel import Locale

#: The country listed first, whatever the language (the provider's own market).
FIRST = "PL"


@functools.cache
def codes() -> frozenset[str]:
    """Every ISO 3166-1 alpha-2 code."""
    return frozenset(country.alpha_2 for country in pycountry.countries)


def name(code: str, lang: str) -> str:
    """The name of country ``code`` in ``lang``; the code itself when it is not a country."""
    if code not in codes():
        return code
    return str(Locale.parse(lang).territories.get(code) or code)


@functools.cache
def choices(lang: str) -> tuple[tuple[str, str], ...]:
    """``(code, name)`` of every country: :data:`FIRST`, then the rest in ``lang``'s alphabetical order."""
    collator = icu.Collator.createInstance(icu.Locale(lang))
    names = {code: name(code, lang) for code in codes()}
    rest = sorted((c for c in names if c != FIRST), key=lambda c: collator.getSortKey(names[c]))
    return tuple((code, names[code]) for code in [FIRST, *rest])
