"""Property: however statement imports, gateway notifications and staff entries for one document interleave,
nothing is booked more than once and nothing more than was received.

Each example is a fresh customer with one proforma. The money: a few bank
transfers (some with the bank's reference, some without; some naming the
proforma, some not), each on one day's MT940 statement, a few online payments
through the test gateway, and a few BLIK payments at the local Przelewy24
(:class:`tests.support.p24.FakeP24`). Actions, in any order and repeated:
import a day's statement, staff type a referenced transfer in (spelled as they
see it), the gateway's signed callback arrives (through its real HTTP route),
and P24's notification of a payment arrives at its real HTTP route: as P24
sent it (again when repeated), tampered with (another amount, currency or
sign: refused), or while P24 cannot be reached to verify it (503, P24 sends it
again later). After every action nothing booked is more than the money that
exists; at the end, once P24 has sent its retries, every transfer seen is
booked once or waits for staff. On SQLite and PostgreSQL.
"""

from __future__ import annotations

import hashlib
import itertools
import json
from decimal import Decimal as D
from typing import Any

import pytest
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
from plugins.przelewy24.checkout import start_checkout
from plugins.testgateway import sign
from tests.statement_helpers import customer, mt940_statement, proforma, shop
from tests.support.p24 import FakeP24, p24_config

examples = itertools.count(1)
cents = st.integers(min_value=1, max_value=300_00).map(lambda n: D(n) / 100)
transfers = st.lists(
    st.tuples(
        cents, st.booleans(), st.booleans(), st.integers(0, 1)
    ),  # amount, has a reference, names the proforma, day
    max_size=4,
)
gateway = st.lists(cents, max_size=3)
p24_payments = st.lists(cents, max_size=3)
actions = st.lists(
    st.one_of(
        st.tuples(st.just("import"), st.integers(0, 1)),
        st.tuples(st.just("staff"), st.integers(0, 3), st.sampled_from(["as is", "lower", "spaced"])),
        st.tuples(st.just("gateway"), st.integers(0, 2)),
        st.tuples(st.just("p24"), st.integers(0, 2), st.sampled_from(["sent", "amount", "currency", "sign", "down"])),
    ),
    max_size=12,
)


@pytest.fixture
def app_overrides(fake_p24: FakeP24) -> dict[str, dict[str, Any]]:
    return {"przelewy24": p24_config(fake_p24)}


def spelled(reference: str, how: str) -> str:
    if how == "lower":
        return reference.lower()
    if how == "spaced":
        return " ".join(reference[i : i + 3] for i in range(0, len(reference), 3))
    return reference


def p24_notification(fake: FakeP24, note: dict[str, Any], how: str) -> dict[str, Any]:
    """P24's notification as sent (``sent``, ``down``), or tampered with on the way (re-signed, or a wrong sign)."""
    if how == "sign":
        return {**note, "sign": "f" * 96}
    txn = fake.txn_for_session(note["sessionId"])
    change = {"amount": {"amount": note["amount"] + 1}, "currency": {"currency": "EUR"}}.get(how)
    return fake.notification(txn, **change) if change else note


def booked_for(owner) -> D:
    return sum((p.amount for p in Payment.select().where(Payment.customer == owner.id)), ZERO)


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(net=st.integers(10_00, 400_00), bank=transfers, online=gateway, p24=p24_payments, steps=actions)
def test_interleavings_never_book_more_than_was_received(app, conn, fake_p24, net, bank, online, p24, steps):
    example = next(examples)
    fake_p24.failures.clear()
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
    p24_notes: dict[int, dict[str, Any]] = {}  # paid at P24: its notification
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
        elif step[0] == "p24" and step[1] < len(p24):
            if step[1] not in p24_notes:  # the customer pays at P24 (the money is received there)
                url = start_checkout(doc, p24[step[1]], "blik")
                p24_notes[step[1]] = fake_p24.pay(url.rsplit("/", 1)[1])
            how = step[2]
            if how == "down":
                fake_p24.fail("verify", 500)
            answer = client.post("/pay/przelewy24/status", json=p24_notification(fake_p24, p24_notes[step[1]], how))
            expected = {"sent": (200,), "down": (200, 503)}.get(how, (400,))
            assert answer.is_json and answer.status_code in expected, (step, answer.get_data(as_text=True))
            fake_p24.failures.clear()
        exists = sum((a for a, _r, _t, _d in bank), ZERO) + sum((online[i] for i in seen_online), ZERO)
        exists += sum((p24[i] for i in p24_notes), ZERO)
        assert booked_for(owner) <= exists, step
    for note in p24_notes.values():  # P24 repeats what it could not verify; a repeat of the rest books nothing
        assert client.post("/pay/przelewy24/status", json=note).status_code == 200
    received = sum((bank[i][0] for i in seen_bank), ZERO) + sum((online[i] for i in seen_online), ZERO)
    received += sum((p24[i] for i in p24_notes), ZERO)
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
    assert sorted(p.amount for p in payments if p.method == "przelewy24_blik") == sorted(p24[i] for i in p24_notes)
