"""The demo's encrypted department, and department passphrases as configuration keys.

``hookbill demo-data`` gives a demo department whose passphrase is configured a key
pair made by the real gpg inside the app's keyring; staff decrypt with that passphrase.
A passphrase is the key ``[pgp] passphrase_<slug>``, overridden by the environment
variable ``HOOKBILL_PGP_PASSPHRASE_<SLUG>`` as every key is.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from core import db
from core.demo import load_plugin_demo_data
from core.models import ActivityLog
from core.tickets.demo import load_demo_departments
from core.tickets.models import Department, TicketMessage
from core.tickets.service import open_ticket
from plugins.pgp import service as pgp
from tests.helpers import make_customer, make_staff

pytest_plugins = ("tests.support.pgp_fixtures",)

PASSPHRASE = "demo-żółć-2026"


@pytest.fixture
def app_overrides(request, keyring_home: Path) -> dict:
    pgp_section = {"keyring_folder": str(keyring_home)}
    if "unconfigured" not in request.node.name:
        pgp_section["passphrase_techniczny"] = PASSPHRASE
    return {"pgp": pgp_section}


@pytest.fixture(autouse=True)
def _stop_agents(keyring_home: Path) -> Iterator[None]:
    yield
    pgp.close_keyrings()


@pytest.fixture
def demo_departments(sqlite_app):
    with db.connection():
        staff = make_staff()
        with db.write_transaction():
            load_demo_departments(staff)
        yield staff


def test_passphrase_key_and_variable_follow_the_slug(sqlite_app, monkeypatch):
    department = Department(name="Dział IT", slug="dzial-it")
    assert pgp.passphrase_key(department) == "passphrase_dzial_it"
    assert pgp.passphrase_variable(department) == "HOOKBILL_PGP_PASSPHRASE_DZIAL_IT"
    techniczny = Department(name="Techniczny", slug="techniczny")
    assert pgp.passphrase(techniczny) == PASSPHRASE
    assert pgp.passphrase(department) == ""
    monkeypatch.setenv("HOOKBILL_PGP_PASSPHRASE_TECHNICZNY", "from the environment")
    assert pgp.passphrase(techniczny) == "from the environment"


def test_demo_data_generates_one_key_pair_that_staff_decrypt_with_the_configured_passphrase(demo_departments):
    staff = demo_departments
    with db.connection():
        lines = load_plugin_demo_data()
        department = Department.get(Department.slug == "techniczny")
        fingerprint = department.pgp_fingerprint
        assert fingerprint and department.pgp_public_key.startswith("-----BEGIN PGP PUBLIC KEY BLOCK-----")
        assert any(f"department Techniczny, key {fingerprint}" in line for line in lines)
        assert Department.select().where(Department.pgp_fingerprint != "").count() == 1
        assert pgp.may_decrypt(staff, department)

        customer = make_customer()
        ticket = open_ticket(
            customer, department_id=department.id, subject="Dostęp", body="Hasło: żółć-17", options={"encrypt": True}
        )
        message = TicketMessage.get(TicketMessage.ticket == ticket)
        assert message.encrypted and "żółć-17" not in message.body
        assert pgp.decrypt_message(message, staff) == "Hasło: żółć-17"

        again = load_plugin_demo_data()  # demo-data run twice: nothing new
        assert Department.get(Department.slug == "techniczny").pgp_fingerprint == fingerprint
        assert not any("generated" in line for line in again)
        assert ActivityLog.select().where(ActivityLog.action == "pgp.department_key_set").count() == 1


def test_unconfigured_demo_gets_no_key_and_says_how_to_turn_encryption_on(demo_departments):
    with db.connection():
        lines = load_plugin_demo_data()
        assert Department.select().where(Department.pgp_fingerprint != "").count() == 0
    assert any("encrypted tickets are off" in line and "passphrase_techniczny" in line for line in lines)
