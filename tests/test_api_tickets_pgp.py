"""``"encrypt": true`` through the API takes the PGP plugin's path exactly like the web form."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from core import db
from core.tickets.models import Department, Ticket, TicketMessage
from plugins.pgp import service as pgp
from tests.api_helpers import bearer, get_json, token_for
from tests.helpers import make_customer, make_staff
from tests.ticket_helpers import counts, make_department

pytest_plugins = ("tests.support.pgp_fixtures",)

SECRET_TEXT = "Hasło root: Zażółć-gęślą-jaźń-4242"


@pytest.fixture
def app_overrides(keyring_home: Path) -> dict:
    return {"pgp": {"keyring_folder": str(keyring_home)}}


@pytest.fixture(autouse=True)
def _stop_agents(keyring_home: Path) -> Iterator[None]:
    yield
    pgp.close_keyrings()


def test_encrypted_ticket_by_api_stores_ciphertext_and_returns_it_armored(sqlite_app, department_key):
    staff = make_staff()
    raw = token_for(make_customer())
    department = make_department(staff=staff)
    with db.connection():
        pgp.set_department_key(department, department_key.public, staff)
    client = sqlite_app.test_client()
    created = client.post(
        "/api/v1/tickets",
        headers=bearer(raw),
        json={"department": "techniczny", "subject": "Dostęp", "body": SECRET_TEXT, "encrypt": True},
    )
    assert created.status_code == 201, created.get_data(as_text=True)
    assert created.get_json()["encrypted"] is True
    with db.connection():
        message = TicketMessage.get()
        assert message.encrypted and message.body.startswith("-----BEGIN PGP MESSAGE-----")
        assert SECRET_TEXT not in message.body and department_key.fingerprint in message.encrypted_to
    thread = get_json(client, f"/api/v1/tickets/{message.ticket_id}", raw)
    assert thread["messages"][0]["encrypted"] is True
    assert thread["messages"][0]["body"] == message.body and SECRET_TEXT not in str(thread)


def test_encryption_refused_by_api_is_422_and_stores_nothing(sqlite_app):
    raw = token_for(make_customer())
    make_department()  # no key: the department does not accept encrypted messages
    client = sqlite_app.test_client()
    refused = client.post(
        "/api/v1/tickets",
        headers=bearer(raw),
        json={"department": "techniczny", "subject": "Dostęp", "body": SECRET_TEXT, "encrypt": True},
    )
    assert refused.status_code == 422 and refused.get_json()["error"] == "refused"
    assert SECRET_TEXT not in refused.get_data(as_text=True)
    assert counts() == (0, 0, 0)
    with db.connection():
        assert Ticket.select().count() == 0 and Department.select().count() == 1
