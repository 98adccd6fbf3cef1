"""Property: however statement imports, gateway notifications and staff entries for one document interleave,
nothing is booked more than once and nothing more than was received.

Each example is a fresh customer with one proforma. The money: a few bank
transfers (some with the bank's reference, some without; some naming the
proforma, some not), each on one day's MT940 statement, and a few online
payments through the test gateway. Actions, in any order and repeated: import
a day's statement, staff type a referenced transfer in (spelled as they see
it), the gateway's signed callback arrives (through its real HTTP route). On
SQLite and PostgreSQL.
"""

from __future__ import annotations

import hashlib
import itertools
import json
from decimal import Decimal as D

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from core import clock
from core.balance_view import balance_of
from core.models import Document, LedgerEntry, Payment
from core.money import ZERO
from core.payments.methods import transaction_key
from core.payments.recording import record_payment
from plugins.bankstatements.importing import import_statement
from plugins.bankstatements.models import StatementEntry, StatementImport
from plugins.testgateway import sign
from tests.statement_helpers import customer, mt940_statement, proforma, shop

examples = itertools.count(1)
cents = st.integers(min_value=1, max_value=300_00).map(lambda n: D(n) / 100)
transfers = st.lists(
    st.tuples(
        cents, st.booleans(), st.booleans(), st.integers(0, 1)
    ),  # amount, has a reference, names the proforma, day
    max_size=4,
)
gateway = st.lists(cents, max_size=3)
actions = st.lists(
    st.one_of(
        st.tuples(st.just("import"), st.integers(0, 1)),
        st.tuples(st.just("staff"), st.integers(0, 3), st.sampled_from(["as is", "lower", "spaced"])),
        st.tuples(st.just("gateway"), st.integers(0, 2)),
    ),
    max_size=10,
)


def spelled(reference: str, how: str) -> str:
    if how == "lower":
        return reference.lower()
    if how == "spaced":
        return " ".join(reference[i : i + 3] for i in range(0, len(reference), 3))
    return reference


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(net=st.integers(10_00, 400_00), bank=transfers, online=gateway, steps=actions)
def test_interleavings_never_book_more_than_was_received(app, conn, net, bank, online, steps):
    example = next(examples)
    if example == 1:
        shop()
    clock.freeze("2026-03-16T10:00:00")
    owner = customer(f"klient{example}@example.test", f"Jan Testowy{example}")
    doc = proforma(owner, f"{D(net) / 100:.2f}")
    references = [f"E{example}B{i}X" if has_ref else "" for i, (_a, has_ref, _t, _d) in enumerate(bank)]
    statements = {}
    for day in (0, 1):
        entries = [
            (references[i], amount, f"Zapłata {doc.number}" if titled else "przelew", "NIEZNANY NADAWCA", "")
            for i, (amount, _r, titled, on_day) in enumerate(bank)
            if on_day == day
        ]
        statements[day] = mt940_statement(entries, day=f"26031{6 + day}", number=example * 10 + day)
    client = app.test_client()
    seen_bank: set[int] = set()
    seen_online: set[int] = set()
    for step in steps:
        if step[0] == "import":
            import_statement(statements[step[1]])
            seen_bank |= {i for i, t in enumerate(bank) if t[3] == step[1]}
        elif step[0] == "staff" and step[1] < len(bank) and references[step[1]]:
            key = transaction_key("banktransfer", spelled(references[step[1]], step[2]))
            record_payment("banktransfer", key, bank[step[1]][0], doc)
            seen_bank.add(step[1])
        elif step[0] == "gateway" and step[1] < len(online):
            payload = {
                "document_id": doc.id,
                "transaction_id": f"TG-{example}-{step[1]}",
                "amount": str(online[step[1]]),
                "currency": doc.currency,
                "timestamp": int(clock.now().timestamp()),
            }
            body = json.dumps(payload).encode()
            answer = client.post("/pay/testgateway/callback", data=body, headers={"X-Hookbill-Signature": sign(body)})
            assert answer.status_code in (200, 409), answer.get_data(as_text=True)
            seen_online.add(step[1])
    received = sum((bank[i][0] for i in seen_bank), ZERO) + sum((online[i] for i in seen_online), ZERO)
    hashes = {hashlib.sha256(data).hexdigest() for data in statements.values()}
    mine = StatementEntry.select().join(StatementImport).where(StatementImport.sha256.in_(list(hashes)))
    waiting = sum((e.amount for e in mine if e.state == "queued"), ZERO)
    payments = list(Payment.select().where(Payment.customer == owner.id))
    booked = sum((p.amount for p in payments), ZERO)
    assert booked + waiting == received  # every transfer seen is booked once, or waits for staff
    assert booked <= received
    fresh = Document.get_by_id(doc.id)
    assert ZERO <= fresh.paid <= fresh.total_gross
    ledger = LedgerEntry.select().where((LedgerEntry.customer == owner.id) & (LedgerEntry.kind == "overpayment"))
    overpaid = sum((e.amount for e in ledger), ZERO)
    assert fresh.paid + overpaid == booked
    assert balance_of(owner.id) == overpaid >= ZERO
    assert len({(p.method, p.transaction_id) for p in payments}) == len(payments)
