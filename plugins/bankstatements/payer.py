"""Recognising who paid: by an account they paid from before, or by their name.

A transfer that names no document and no virtual account can still be matched
by its amount, but only when the payer is recognised too (and only one
document fits). The payer is recognised by the account they paid from, when
earlier transfers from that account went to one customer only, or by name:
every significant word of the customer's billing name (or their own name)
appears in the payer's name as the bank wrote it, which usually also holds
the address. Case, Polish letters and legal forms (``sp. z o.o.``, ``S.A.``,
``s.c.``) do not matter.
"""

from __future__ import annotations

import re
import unicodedata

from core.documents.issuing import current_profile
from core.models import Customer

LEGAL_FORMS = frozenset({"sp", "z", "o", "oo", "sa", "sc", "spolka", "spka", "ska", "komandytowa", "jawna", "akcyjna"})
_LETTERS = str.maketrans({"ł": "l", "Ł": "L", "đ": "d", "ß": "ss"})


def words(text: str) -> set[str]:
    """The significant words of a name: lower case, no diacritics, no legal forms, 3+ characters."""
    plain = unicodedata.normalize("NFKD", text.translate(_LETTERS))
    plain = "".join(c for c in plain if not unicodedata.combining(c)).casefold()
    tokens = re.findall(r"[a-z0-9]+", plain)
    return {t for t in tokens if len(t) >= 3 and t not in LEGAL_FORMS}


def name_matches(payer: list[str], customer: Customer) -> bool:
    """True when the customer's billing name, or their own name, is written in one of ``payer``'s spellings."""
    paid_by = set().union(*(words(name) for name in payer)) if payer else set()
    if not paid_by:
        return False
    profile = current_profile(customer)
    names = [profile.name] if profile is not None else []
    names.append(f"{customer.first_name} {customer.last_name}")
    for name in names:
        wanted = words(name)
        if wanted and wanted <= paid_by:
            return True
    return False


def customer_by_account(account: str) -> int | None:
    """The one customer earlier transfers from ``account`` went to, or None (unknown, or several)."""
    from plugins.bankstatements.models import StatementEntry

    if len(account) < 10:
        return None
    owners = {
        row.customer_id
        for row in StatementEntry.select(StatementEntry.customer_id)
        .where(
            (StatementEntry.counterparty_account == account)
            & StatementEntry.customer_id.is_null(False)
            & StatementEntry.state.in_(("booked", "recorded", "assigned"))
        )
        .distinct()
    }
    return owners.pop() if len(owners) == 1 else None
