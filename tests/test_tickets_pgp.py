"""Encrypted tickets with the real gpg: no plaintext anywhere, clear refusals, decrypt on demand."""

from __future__ import annotations

import logging
import os
import shutil
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner

from core import db, outbox, runtime
from core.models import ActivityLog, OutboxMessage
from core.tickets.models import Department, Ticket, TicketAttachment, TicketMessage
from core.tickets.storage import attachments_folder, path_of
from plugins.pgp import service as pgp
from plugins.pgp.cli import import_secret
from plugins.pgp.keyring import Keyring
from tests.helpers import csrf, login, make_customer, make_staff, post_form, staff_login
from tests.support.pgpkeys import GeneratedKey
from tests.ticket_helpers import counts, make_department, open_ticket

pytest_plugins = ("tests.support.pgp_fixtures",)

SECRET_TEXT = "Hasło do panelu OVH: Zażółć-gęślą-jaźń-7731! Login: łukasz.ślęzak"
SECRET_FILE = "Dane dostępowe SSH: root / ĄĘŚĆ-tajne-9182\nklucz: żółw\n".encode()
FILE_MARKER = b"tajne-9182"


@pytest.fixture
def app_overrides(keyring_home: Path) -> dict:
    return {"pgp": {"keyring_folder": str(keyring_home)}}


@pytest.fixture(autouse=True)
def _stop_agents(keyring_home: Path) -> Iterator[None]:
    yield
    pgp.close_keyrings()


def _department_with_key(staff, department_key: GeneratedKey, tmp_path: Path) -> Department:
    department = make_department(staff=staff)
    with db.connection():
        pgp.set_department_key(department, department_key.public, staff)
    secret = tmp_path / "secret.asc"
    secret.write_text(department_key.secret)
    result = CliRunner().invoke(import_secret, ["--department", "techniczny", str(secret)])
    assert result.exit_code == 0, result.output
    secret.unlink()
    with db.connection():
        return Department.get_by_id(department.id)


def _files_containing(roots: list[Path], needles: list[bytes], since: float) -> list[Path]:
    found = []
    for root in roots:
        for folder, _dirs, names in os.walk(root):
            for name in names:
                path = Path(folder) / name
                try:
                    if path.is_symlink() or not path.is_file() or path.stat().st_mtime < since:
                        continue
                    data = path.read_bytes()
                except OSError:
                    continue
                if any(needle in data for needle in needles):
                    found.append(path)
    return found


def test_encrypted_ticket_leaves_no_plaintext_and_decrypts_byte_for_byte(
    sqlite_app, tmp_path, smtp_server, department_key, customer_key, caplog, monkeypatch
):
    caplog.set_level(logging.DEBUG)
    started = time.time() - 1
    staff = make_staff()
    make_customer("ala@example.test")
    department = _department_with_key(staff, department_key, tmp_path)
    client = sqlite_app.test_client()
    login(client, "ala@example.test")
    response = open_ticket(
        client,
        department,
        subject="Dostęp do serwera",
        body=SECRET_TEXT,
        files=[(SECRET_FILE, "dostęp.txt")],
        encrypt=True,
    )
    assert response.status_code == 302, response.get_data(as_text=True)[-2000:]
    with db.connection():
        message, attachment = TicketMessage.get(), TicketAttachment.get()
        assert message.encrypted and attachment.encrypted and Ticket.get().encrypted
        assert message.body.startswith("-----BEGIN PGP MESSAGE-----")
        assert department_key.fingerprint in message.encrypted_to
        assert attachment.filename == "dostęp.txt.asc"
        outbox.process()
        stored_file = path_of(attachment.storage_name).read_bytes()
    page = client.get(f"/tickets/{message.ticket_id}").get_data(as_text=True)
    assert SECRET_TEXT not in page

    # The plaintext is nowhere: database (and its WAL), attachments, logs, mails, temp files.
    # (a part of the secret, but not a bare "7731": the shared PostgreSQL WAL holds other tests' PDFs,
    # whose xref offsets like "0000017731" are digits too)
    needles = [SECRET_TEXT.encode(), "jaźń-7731".encode(), FILE_MARKER]
    instance = Path(str(runtime.config().get_value("app.instance_path")))
    roots = [tmp_path, instance, attachments_folder(), Path(tempfile.gettempdir())]
    assert _files_containing(roots, needles, started) == []
    # Parts of the secrets, not bare digits: SQL debug lines carry timestamps such as 09:42:53.491826.
    assert "jaźń-7731" not in caplog.text and "tajne-9182" not in caplog.text
    assert len(smtp_server.messages) == 2
    for mail in smtp_server.messages:
        assert "7731!" not in mail.as_string()
        assert "jaźń-7731" not in mail.text() and "tajne-9182" not in mail.text()
    assert any("encrypted" in mail.text() or "zaszyfrowan" in mail.text() for mail in smtp_server.messages)

    # The department's secret key gets the original back, byte for byte.
    ring = pgp.keyring()
    assert ring.decrypt(message.body.encode(), department_key.passphrase) == SECRET_TEXT.encode()
    assert ring.decrypt(stored_file, department_key.passphrase) == SECRET_FILE

    # Staff of the department decrypt on demand; nothing is stored.
    staff_client = sqlite_app.test_client()
    staff_login(staff_client, staff.email)
    ticket_page = f"/admin/tickets/{message.ticket_id}"
    assert staff_client.get(f"{ticket_page}/messages/{message.id}.asc").data == message.body.encode()
    no_passphrase = post_form(staff_client, f"/admin/pgp/messages/{message.id}/decrypt", {}, form_page=ticket_page)
    assert no_passphrase.status_code == 302
    monkeypatch.setenv(pgp.passphrase_variable(department), department_key.passphrase)
    shown = post_form(staff_client, f"/admin/pgp/messages/{message.id}/decrypt", {}, form_page=ticket_page)
    assert shown.status_code == 200 and SECRET_TEXT in shown.get_data(as_text=True)
    assert "no-store" in shown.headers["Cache-Control"]
    file = post_form(staff_client, f"/admin/pgp/attachments/{attachment.id}/decrypt", {}, form_page=ticket_page)
    assert file.data == SECRET_FILE and file.headers["Content-Disposition"].startswith("attachment")
    assert _files_containing(roots, needles, started) == []
    with db.connection():
        assert ActivityLog.select().where(ActivityLog.action == "pgp.message_decrypted").count() == 1


def test_staff_reply_is_encrypted_to_the_customers_key(sqlite_app, tmp_path, department_key, customer_key):
    staff = make_staff()
    make_customer("ala@example.test")
    department = _department_with_key(staff, department_key, tmp_path)
    client = sqlite_app.test_client()
    login(client, "ala@example.test")
    uploaded = post_form(client, "/profile/pgp-key", {"armored": customer_key.public})
    assert uploaded.status_code == 302
    assert customer_key.fingerprint in client.get("/profile/pgp-key").get_data(as_text=True)
    assert open_ticket(client, department, body=SECRET_TEXT, encrypt=True).status_code == 302
    staff_client = sqlite_app.test_client()
    staff_login(staff_client, staff.email)
    with db.connection():
        ticket = Ticket.get()
    path = f"/admin/tickets/{ticket.id}"
    notice = staff_client.get(path).get_data(as_text=True)
    assert "odpowiedź zostanie zaszyfrowana kluczem klienta " + customer_key.fingerprint in notice
    assert (
        post_form(staff_client, f"{path}/reply", {"body": "Odpowiedź: hasło zmienione"}, form_page=path).status_code
        == 302
    )
    with db.connection():
        reply = TicketMessage.select().where(TicketMessage.author_kind == "staff").get()
    assert reply.encrypted and customer_key.fingerprint in reply.encrypted_to
    download = client.get(f"/tickets/{ticket.id}/messages/{reply.id}.asc")
    assert download.headers["Content-Disposition"].endswith('.asc"')
    home = Path(tempfile.mkdtemp(prefix="hbc-"))
    try:
        with Keyring(home / "g") as own:
            own.import_secret_key(customer_key.secret)
            assert own.decrypt(download.data, customer_key.passphrase).decode() == "Odpowiedź: hasło zmienione"
    finally:
        shutil.rmtree(home, ignore_errors=True)


def test_staff_are_warned_when_a_reply_cannot_be_encrypted(sqlite_app, tmp_path, department_key):
    staff = make_staff()
    make_customer("ala@example.test")
    department = _department_with_key(staff, department_key, tmp_path)
    client = sqlite_app.test_client()
    login(client, "ala@example.test")
    assert open_ticket(client, department, body=SECRET_TEXT, encrypt=True).status_code == 302
    staff_client = sqlite_app.test_client()
    staff_login(staff_client, staff.email)
    with db.connection():
        ticket = Ticket.get()
    page = staff_client.get(f"/admin/tickets/{ticket.id}").get_data(as_text=True)
    assert "klient nie ma klucza PGP: odpowiedź zostanie wysłana bez szyfrowania" in page


def test_expired_department_key_refuses_and_stores_nothing(sqlite_app, expired_key):
    make_customer()
    department = make_department()
    with db.connection():  # a key that expired after it was uploaded
        Department.update(pgp_fingerprint=expired_key.fingerprint, pgp_public_key=expired_key.public).execute()
    client = sqlite_app.test_client()
    login(client, "ala@example.test")
    response = open_ticket(
        client, department, subject="Temat zostaje", body=SECRET_TEXT, files=[(SECRET_FILE, "a.txt")], encrypt=True
    )
    page = response.get_data(as_text=True)
    # In the customer's language, with the key's fingerprint in it.
    assert response.status_code == 422 and "Nie udało się zaszyfrować wiadomości" in page and "wygasł" in page
    assert SECRET_TEXT in page and "Temat zostaje" in page
    assert counts() == (0, 0, 0) and list(attachments_folder().iterdir()) == []
    with db.connection():
        assert OutboxMessage.select().count() == 0


def test_missing_gpg_refuses_and_stores_nothing(sqlite_app, department_key):
    make_customer()
    department = make_department()
    with db.connection():
        Department.update(pgp_fingerprint=department_key.fingerprint, pgp_public_key=department_key.public).execute()
    runtime.config()["pgp"]["gpg_binary"] = "/nonexistent/gpg"
    client = sqlite_app.test_client()
    login(client, "ala@example.test")
    response = open_ticket(client, department, body=SECRET_TEXT, encrypt=True)
    assert response.status_code == 422
    assert "Szyfrowanie jest teraz niedostępne" in response.get_data(as_text=True)
    assert counts() == (0, 0, 0)


def test_department_without_key_refuses_encryption(sqlite_app):
    make_customer()
    department = make_department()
    client = sqlite_app.test_client()
    login(client, "ala@example.test")
    response = open_ticket(client, department, body=SECRET_TEXT, encrypt=True)
    assert response.status_code == 422 and "nie przyjmuje jeszcze zaszyfrowanych" in response.get_data(as_text=True)
    assert counts() == (0, 0, 0)


@pytest.mark.parametrize(
    "which, why", [("expired", "wygasł"), ("revoked", "unieważniony"), ("broken", "Nie udało się odczytać")]
)
def test_key_uploads_validate(sqlite_app, which, why, request, department_key):
    armored = {
        "expired": lambda: request.getfixturevalue("expired_key").public,
        "revoked": lambda: request.getfixturevalue("revoked_key").public,
        "broken": lambda: department_key.public[:200] + "XXXX" + department_key.public[260:],
    }[which]()
    staff = make_staff()
    department = make_department()
    client = sqlite_app.test_client()
    staff_login(client, staff.email)
    path = f"/admin/departments/{department.id}/pgp-key"
    refused = post_form(client, path, {"armored": armored})
    assert refused.status_code == 422 and why in refused.get_data(as_text=True)
    with db.connection():
        assert Department.get().pgp_fingerprint == ""
    accepted = post_form(client, path, {"armored": department_key.public})
    assert accepted.status_code == 302
    assert department_key.fingerprint in client.get(accepted.headers["Location"]).get_data(as_text=True)
    make_customer()
    customer_client = sqlite_app.test_client()
    login(customer_client, "ala@example.test")
    mine = post_form(customer_client, "/profile/pgp-key", {"armored": armored})
    assert mine.status_code == 422 and why in mine.get_data(as_text=True)
    assert csrf(customer_client, "/tickets/new") and "encrypt" in customer_client.get("/tickets/new").get_data(
        as_text=True
    )
