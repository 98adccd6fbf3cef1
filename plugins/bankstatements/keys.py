"""The key each statement line's payment is recorded under: one key per bank transaction.

A bank payment is recorded under the bank-transfer method's code and a
transaction id, whoever records it (a statement import or staff typing it
in), so its key must come from the transaction itself:

* the bank's own reference of the entry, written one way
  (:func:`plugins.banktransfer.reference_key`), so the import recognises a
  transfer staff typed in with that reference;
* when the bank gives none (or gives one reference to two lines of a file),
  the statement and the line's place in it: ``STMT-<statement>-<position>``,
  the statement being identified by its account, number and balances;
* a CSV file names no statement, so there the line's own content (date,
  amount, currency, payer's account and name, title) plus its ordinal among
  identical lines of the file: ``LINE-<content>-<n>``. Exports of overlapping
  periods give one line one key, and two equal transfers on one day from one
  payer are two lines, hence two keys.

Never amount, date and payer alone: two equal transfers would be one.
"""

from __future__ import annotations

import hashlib
from collections import Counter

from core.payments.methods import transaction_key
from plugins.bankstatements.parsers import ParsedFile, StatementLine

METHOD = "banktransfer"
MAX_KEY = 110  # record_payment allows 128; a multi-document transfer adds "#n"


def _digest(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:24]


def _content(line: StatementLine) -> str:
    return "|".join(
        (
            line.booking_date.isoformat(),
            str(line.amount),
            line.currency,
            line.counterparty_account,
            " ".join(line.counterparty.split()).upper(),
            " ".join(line.title.split()).upper(),
        )
    )


def line_keys(parsed: ParsedFile) -> list[str]:
    """The key of every line of ``parsed``, in order (see the module docstring)."""
    references = [transaction_key(METHOD, line.reference)[:MAX_KEY] if line.reference else "" for line in parsed.lines]
    repeated = {ref for ref, count in Counter(r for r in references if r).items() if count > 1}
    seen: Counter[str] = Counter()
    keys = []
    for line, reference in zip(parsed.lines, references, strict=True):
        if reference and reference not in repeated:
            keys.append(reference)
        elif line.statement_id:
            keys.append(f"STMT-{_digest(line.statement_id)}-{line.position}")
        else:
            content = _digest(_content(line))
            seen[content] += 1
            keys.append(f"LINE-{content}-{seen[content]}")
    return keys
