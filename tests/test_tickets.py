"""Tickets without encryption: the customer's and staff's flows, access, attachments, hooks, cron."""

from __future__ import annotations

from pathlib import Path

import pytest

from core import clock, db, outbox, runtime
from core.hookspecs import HookRefused, hookimpl
from core.models import ActivityLog, OutboxMessage
from core.tickets import service
from core.tickets.models import Ticket, TicketAttachment, TicketMessage
from core.tickets.storage import attachments_folder
from tests.helpers import csrf, login, make_customer, make_staff, post_form, staff_login
from tests.ticket_helpers import counts, make_department, make_service, open_ticket

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64


def test_customer_opens_ticket_staff_answers_and_mail_goes_out(app, client, smtp_server):
    staff = make_staff()
    make_customer("ala@example.test")
    department = make_department(staff=staff)
    login(client, "ala@example.test")
    response = open_ticket(client, department, files=[(PNG, "zrzut ekranu.png")])
    assert response.status_code == 302, response.get_data(as_text=True)[-2000:]
    with db.connection():
        ticket = Ticket.get()
        attachment = TicketAttachment.get()
        assert (ticket.status, ticket.department.slug, attachment.filename) == (
            "open",
            "techniczny",
            "zrzut ekranu.png",
        )
        stored = attachments_folder() / attachment.storage_name
        assert stored.read_bytes() == PNG and attachment.storage_name != attachment.filename
        assert oct(stored.stat().st_mode & 0o777) == "0o600"
    page = client.get(f"/tickets/{ticket.id}")
    assert "Dzień dobry, proszę o pomoc." in page.get_data(as_text=True)
    with client.get(f"/tickets/{ticket.id}/attachments/{attachment.id}") as download:
        assert download.data == PNG
        assert download.headers["Content-Disposition"].startswith("attachment")
        assert download.headers["X-Content-Type-Options"] == "nosniff"
        assert "no-store" in download.headers["Cache-Control"]

    staff_client = app.test_client()
    staff_login(staff_client, staff.email)
    assert "Serwer nie działa" in staff_client.get("/admin/tickets").get_data(as_text=True)
    path = f"/admin/tickets/{ticket.id}"
    note = post_form(staff_client, f"{path}/reply", {"body": "Notatka: klient VIP", "internal": "y"}, form_page=path)
    assert note.status_code == 302
    answer = post_form(staff_client, f"{path}/reply", {"body": "Już działa."}, form_page=path)
    assert answer.status_code == 302
    customer_view = client.get(f"/tickets/{ticket.id}").get_data(as_text=True)
    assert "Już działa." in customer_view and "klient VIP" not in customer_view
    with db.connection():
        assert Ticket.get().status == "answered"
        outbox.process()
    subjects = sorted(m["Subject"] for m in smtp_server.messages)
    assert len(subjects) == 3, subjects  # department: new; customer: opened, answered (no mail for the note)
    assert not any("klient VIP" in m.text() for m in smtp_server.messages)


def test_another_customers_ticket_is_404_everywhere(sqlite_app):
    client_a, client_b = sqlite_app.test_client(), sqlite_app.test_client()
    alice = make_customer("a@example.test")
    make_customer("b@example.test")
    department = make_department()
    service_a = make_service(alice)
    login(client_a, "a@example.test")
    login(client_b, "b@example.test")
    assert open_ticket(client_a, department, files=[(PNG, "a.png")]).status_code == 302
    with db.connection():
        ticket, message, attachment = Ticket.get(), TicketMessage.get(), TicketAttachment.get()
    token = csrf(client_b, "/tickets/new")
    for path in (
        f"/tickets/{ticket.id}",
        f"/tickets/{ticket.id}/attachments/{attachment.id}",
        f"/tickets/{ticket.id}/messages/{message.id}.asc",
    ):
        assert client_b.get(path).status_code == 404, path
    for path in (f"/tickets/{ticket.id}/reply", f"/tickets/{ticket.id}/close"):
        assert client_b.post(path, data={"csrf_token": token, "body": "hej"}).status_code == 404, path
    assert counts() == (1, 1, 1)
    linked = open_ticket(client_b, department, service_id=str(service_a.id))
    assert linked.status_code == 422
    assert counts() == (1, 1, 1)
    with db.connection(), pytest.raises(Exception, match="Choose one of your services"):
        service.open_ticket(
            type(alice).get(type(alice).email == "b@example.test"),
            department_id=department.id,
            subject="x",
            body="y",
            service_id=service_a.id,
        )


@pytest.mark.parametrize(
    "name, content, why",
    [
        # Why, in the customer's language, sizes in kB.
        ("program.exe", b"MZ\x90\x00" + b"\x00" * 100, "Nie przyjmujemy plików typu"),
        ("strona.txt", b"<!doctype html><script>alert(1)</script>", "Nie przyjmujemy plików typu text/html"),
        ("../../etc/passwd.txt", b"root:x:0:0", "ścieżki folderu"),
        ("duzy.txt", b"a" * 2048, "Plik duzy.txt ma 2 kB; limit to 1 kB."),
    ],
)
def test_refused_attachment_keeps_what_was_typed_and_stores_nothing(sqlite_app, name, content, why):
    runtime.config()["tickets"]["max_attachment_bytes"] = 1024
    client = sqlite_app.test_client()
    make_customer()
    department = make_department()
    login(client, "ala@example.test")
    response = open_ticket(
        client, department, subject="Mój temat ąę", body="Treść, której nie chcę stracić", files=[(content, name)]
    )
    page = response.get_data(as_text=True)
    assert response.status_code == 422
    assert why in page and "Mój temat ąę" in page and "Treść, której nie chcę stracić" in page
    assert counts() == (0, 0, 0)
    assert list(attachments_folder().iterdir()) == []


def test_too_many_attachments_refused(sqlite_app):
    runtime.config()["tickets"]["max_attachments"] = 1
    client = sqlite_app.test_client()
    make_customer()
    login(client, "ala@example.test")
    response = open_ticket(client, make_department(), files=[(PNG, "a.png"), (PNG, "b.png")])
    assert response.status_code == 422 and counts() == (0, 0, 0)


class Recorder:
    """A plugin that records ticket hooks, and refuses when asked."""

    def __init__(self) -> None:
        self.calls: list[tuple] = []
        self.refuse = False

    @hookimpl
    def on_ticket_create(self, ticket, message, attachments, options):
        self.calls.append(("create", message.id, [a.filename for a in attachments], options))
        if self.refuse:
            raise HookRefused("Zgłoszenie odrzucone przez wtyczkę.")

    @hookimpl
    def on_ticket_reply(self, ticket, message, attachments, author_kind, options):
        self.calls.append(("reply", author_kind, options.get("internal")))

    @hookimpl
    def on_ticket_status_change(self, ticket, old_status, new_status):
        self.calls.append(("status", old_status, new_status))

    @hookimpl
    def on_ticket_close(self, ticket, closed_by):
        self.calls.append(("close", closed_by))


def test_hooks_run_before_storing_and_a_refusal_rolls_back(sqlite_app):
    recorder = Recorder()
    runtime.current().pm.register(recorder, name="recorder")
    client = sqlite_app.test_client()
    make_customer()
    department = make_department()
    login(client, "ala@example.test")
    recorder.refuse = True
    refused = open_ticket(client, department, body="Nie zapisuj mnie", files=[(PNG, "a.png")])
    assert refused.status_code == 422
    assert "Zgłoszenie odrzucone przez wtyczkę." in refused.get_data(as_text=True)
    assert "Nie zapisuj mnie" in refused.get_data(as_text=True)
    assert counts() == (0, 0, 0) and list(attachments_folder().iterdir()) == []
    with db.connection():
        assert OutboxMessage.select().count() == 0
    assert recorder.calls == [("create", None, ["a.png"], {"encrypt": False})]
    recorder.refuse = False
    recorder.calls.clear()
    assert open_ticket(client, department).status_code == 302
    staff = make_staff()
    clock.freeze("2026-03-16T12:00:00")
    with db.connection():
        ticket = Ticket.get()
        service.reply(ticket, staff, "Odpowiedź")
        service.reply(ticket, staff, "Notatka", internal=True)
        clock.freeze("2026-03-30T12:00:00")
        assert service.close_idle() == 1
        assert Ticket.get().status == "closed"
        assert ActivityLog.select().where(ActivityLog.action == "ticket.closed").count() == 1
    assert recorder.calls[1:] == [
        ("reply", "staff", False),
        ("status", "open", "answered"),
        ("reply", "staff", True),
        ("status", "answered", "closed"),
        ("close", "system"),
    ]


def test_customer_reply_reopens_and_customer_closes(sqlite_app):
    client = sqlite_app.test_client()
    make_customer()
    login(client, "ala@example.test")
    assert open_ticket(client, make_department()).status_code == 302
    with db.connection():
        ticket = Ticket.get()
    path = f"/tickets/{ticket.id}"
    assert post_form(client, f"{path}/close", {"confirmed": "1"}, form_page=path).status_code == 302
    with db.connection():
        assert Ticket.get().status == "closed"
    empty = post_form(client, f"{path}/reply", {"body": ""}, form_page=path)
    assert empty.status_code == 422
    assert post_form(client, f"{path}/reply", {"body": "Jednak nie"}, form_page=path).status_code == 302
    with db.connection():
        assert Ticket.get().status == "customer_reply"


def test_staff_manage_departments_status_and_assignment(sqlite_app):
    client = sqlite_app.test_client()
    admin = make_staff()
    support = make_staff("wsparcie@example.test", role="support")
    staff_login(client, admin.email)
    created = post_form(
        client,
        "/admin/departments/new",
        {
            "name": "Sprzedaż",
            "slug": "sprzedaz",
            "visible": "y",
            "notify_email": "s@example.test",
            "position": "1",
            "members": [str(support.id)],
        },
    )
    assert created.status_code == 302
    from core.tickets.models import Department, DepartmentMember

    with db.connection():
        department = Department.get()
        assert (department.name, department.visible) == ("Sprzedaż", True)
        assert [m.staff_id for m in DepartmentMember.select()] == [support.id]
    customer_client = sqlite_app.test_client()
    make_customer()
    login(customer_client, "ala@example.test")
    assert open_ticket(customer_client, department).status_code == 302
    with db.connection():
        ticket = Ticket.get()
    path = f"/admin/tickets/{ticket.id}"
    assert post_form(client, f"{path}/assign", {"assignee": str(support.id)}, form_page=path).status_code == 302
    assert post_form(client, f"{path}/status", {"status": "on_hold"}, form_page=path).status_code == 302
    with db.connection():
        ticket = Ticket.get()
        assert (ticket.assigned_to_id, ticket.status) == (support.id, "on_hold")
    queue = client.get(f"/admin/tickets?department={department.id}&status=on_hold").get_data(as_text=True)
    assert ticket.subject in queue
    assert client.get("/admin/tickets?status=closed").get_data(as_text=True).count(ticket.subject) == 0


def test_attachment_files_are_removed_when_the_transaction_fails(sqlite_app, monkeypatch):
    make_customer()
    department = make_department()
    from core.models import Customer
    from core.tickets import notify
    from core.tickets.pending import Upload

    def boom(*args, **kwargs):
        raise RuntimeError("mail template broken")

    monkeypatch.setattr(notify, "to_department", boom)
    with db.connection():
        customer = Customer.get()
        with pytest.raises(RuntimeError):
            service.open_ticket(
                customer, department_id=department.id, subject="s", body="b", uploads=[Upload("a.png", PNG)]
            )
    assert counts() == (0, 0, 0)
    assert list(Path(attachments_folder()).iterdir()) == []
