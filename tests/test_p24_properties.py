"""Any interleaving of Przelewy24 notifications and staff entries for one proforma books what was received, once.

Hypothesis draws a sequence of events for a fresh proforma (E1, 31.73):
checkouts at P24, payments there, their notifications (delivered, repeated,
tampered with, or answered 503 because P24 could not be reached to verify),
and bank transfers staff type in (the same bank reference twice is one
transfer). After every event the money booked is at most the money received;
once P24 has sent its retries, it is exactly that, the proforma holds no more
than its total, and the rest is on the credit balance.
"""

from __future__ import annotations

import itertools
from decimal import Decimal
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from core import db
from core.balance_view import balance_of
from core.errors import Conflict
from core.models import Document, Payment
from core.payments.recording import amount_due, record_payment
from plugins.przelewy24.checkout import start_checkout
from tests.p24_helpers import notify, proforma_for
from tests.support.p24 import FakeP24, p24_config

EMAILS = (f"prop{n}@example.test" for n in itertools.count())
AMOUNTS = [Decimal("5.00"), Decimal("10.00"), Decimal("31.73")]

events = st.lists(
    st.one_of(
        st.tuples(st.just("checkout")),
        st.tuples(st.just("pay"), st.integers(0, 3)),
        st.tuples(st.just("repeat"), st.integers(0, 3)),
        st.tuples(st.just("tamper"), st.integers(0, 3), st.sampled_from(["amount", "sign", "currency"])),
        st.tuples(st.just("p24_down"), st.integers(0, 3)),
        st.tuples(st.just("staff"), st.integers(0, 2), st.sampled_from(AMOUNTS)),
    ),
    max_size=9,
)


@pytest.fixture
def app_overrides(fake_p24: FakeP24) -> dict[str, dict[str, Any]]:
    return {"przelewy24": p24_config(fake_p24)}


class World:
    """One proforma, what happened to it, and what the invariant needs to know."""

    def __init__(self, client: FlaskClient, fake: FakeP24) -> None:
        self.client, self.fake = client, fake
        self.customer, self.document = proforma_for(next(EMAILS))
        self.tokens: list[str] = []
        self.notes: dict[int, dict[str, Any]] = {}
        self.received_p24: dict[int, Decimal] = {}
        self.received_bank: dict[str, Decimal] = {}

    def run(self, event: tuple[Any, ...]) -> None:
        kind = event[0]
        if kind == "checkout":
            with db.connection():
                doc = Document.get_by_id(self.document.id)
                try:
                    url = start_checkout(doc, amount_due(doc), "blik")
                except Conflict:
                    return  # nothing due: no checkout
            self.tokens.append(url.rsplit("/", 1)[1])
        elif kind == "staff":
            _kind, ref, amount = event
            reference = f"BANK-{self.document.id}-{ref}"  # one bank transfer, whoever types it in
            with db.connection():
                record_payment("banktransfer", reference, amount, Document.get_by_id(self.document.id))
            self.received_bank.setdefault(reference, amount)
        elif self.tokens:
            index = event[1] % len(self.tokens)
            if kind == "pay" or index not in self.notes:
                self.notes[index] = self.fake.pay(self.tokens[index])
                self.received_p24[index] = Decimal(self.notes[index]["amount"]) / 100
            note = self.notes[index]
            if kind == "tamper":
                txn = self.fake.txns[self.tokens[index]]
                change = {"amount": {"amount": note["amount"] + 1}, "currency": {"currency": "EUR"}}.get(event[2], {})
                bad = self.fake.notification(txn, **change) if change else {**note, "sign": "f" * 96}
                assert notify(self.client, bad).status_code in (400, 404)
                return
            if kind == "p24_down":
                self.fake.fail("verify", 500)
            answer = notify(self.client, note)
            assert answer.is_json and answer.status_code in (200, 503)

    def booked(self) -> Decimal:
        with db.connection():
            rows = Payment.select().where(Payment.customer == self.customer.id)
            return sum((p.amount for p in rows), Decimal("0.00"))

    def received(self) -> Decimal:
        return sum(self.received_p24.values(), Decimal("0.00")) + sum(self.received_bank.values(), Decimal("0.00"))


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(steps=events)
def test_notifications_and_staff_entries_never_book_more_than_was_received(
    app: Flask, client: FlaskClient, fake_p24: FakeP24, steps: list[tuple[Any, ...]]
) -> None:
    fake_p24.failures.clear()
    world = World(client, fake_p24)
    for event in steps:
        world.run(event)
        assert world.booked() <= world.received(), event
    fake_p24.failures.clear()
    for note in world.notes.values():  # P24 repeats what was not verified; repeats of the rest book nothing
        assert notify(client, note).status_code == 200
    booked = world.booked()
    assert booked == world.received()
    with db.connection():
        doc = Document.get_by_id(world.document.id)
        count = Payment.select().where(Payment.customer == world.customer.id).count()
        assert count == len(world.received_p24) + len(world.received_bank)
        assert doc.paid <= doc.total_gross and doc.paid == min(doc.total_gross, booked)
        assert balance_of(world.customer.id) == booked - doc.paid
