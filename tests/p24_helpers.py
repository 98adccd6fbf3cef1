"""A shop, a proforma and a logged-in customer, paid through the local Przelewy24."""

from __future__ import annotations

from typing import Any

from flask.testing import FlaskClient

from core import db
from core.models import Customer, Document
from core.upgrades.confirm import confirm_change
from tests.billing_doc_helpers import setup_seller, shop
from tests.helpers import login, post_form
from tests.support.p24 import FakeP24
from tests.upgrade_helpers import give_balance


def proforma_for(email: str = "ola@example.test", balance: str = "0") -> tuple[Customer, Document]:
    """E1 (or E2 with ``balance`` 10.00) on 2026-03-16: an upgrade proforma, the balance applied to it."""
    with db.connection():
        setup_seller()
        customer, (svc,), _basic, pro = shop(email)
        give_balance(customer, balance)
        proforma = confirm_change(customer.id, svc.id, pro.id, "monthly").document
        assert proforma is not None
        return customer, Document.get_by_id(proforma.id)


def start_paying(client: FlaskClient, document: Document, code: str = "przelewy24_blik", **form: Any) -> str:
    """Press "pay" with ``code`` on the proforma page; return P24's token from the redirect."""
    response = post_form(client, f"/pay/{code}/{document.id}", form, form_page=f"/invoices/{document.id}")
    assert response.status_code == 302, response.get_data(as_text=True)[:500]
    assert "/trnRequest/" in response.location, response.location
    return str(response.location.rsplit("/", 1)[1])


def paid_notification(
    client: FlaskClient, fake: FakeP24, document: Document, email: str = "ola@example.test"
) -> dict[str, Any]:
    """Log in, start a BLIK payment of ``document`` and pay it at P24; return the notification (not sent)."""
    assert login(client, email).status_code == 302
    token = start_paying(client, document)
    return fake.pay(token)


def notify(client: FlaskClient, body: dict[str, Any]) -> Any:
    """POST a notification to urlStatus, as P24's server does."""
    return client.post("/pay/przelewy24/status", json=body)
