"""The JSON API endpoints with a token: the right JSON, formats, 404 for another customer's objects."""

from __future__ import annotations

from datetime import date

import pytest

from core import clock, db, runtime
from core.hookspecs import hookimpl
from core.models import Customer
from core.tickets import service as tickets
from core.tickets.models import Ticket, TicketMessage
from tests.api_helpers import DATE_RE, MOMENT_RE, MONEY_RE, bearer, get_json, token_for
from tests.helpers import make_customer, make_staff
from tests.ticket_helpers import make_department
from tests.upgrade_helpers import (
    billing_profile,
    give_balance,
    link,
    product,
    service,
    setup_seller,
)


@pytest.fixture
def shop(app):
    clock.freeze("2026-03-16T12:00:00")
    with db.connection():
        setup_seller()
        alice = make_customer("alice@example.test")
        bob = make_customer("bob@example.test")
        billing_profile(alice)
        basic = product("basic", "Basic", {"monthly": "50.00"}, [["Disk", "25 GB"], ["Domains", "5"]])
        pro = product("pro", "Pro", {"monthly": "100.00"}, [["Disk", "100 GB"]])
        link(basic, pro)
        svc = service(alice, basic, "monthly", date(2026, 3, 1), date(2026, 3, 1), date(2026, 4, 1), "50.00")
        give_balance(alice, "10.00")
    return {"alice": alice, "bob": bob, "svc": svc, "pro": pro, "a": token_for(alice), "b": token_for(bob)}


def test_me_services_quote_change_invoices_balance(client, shop):
    a, sid = shop["a"], shop["svc"].id
    me = get_json(client, "/api/v1/me", a)
    assert me["customer"]["email"] == "alice@example.test" and me["balance"] == "10.00"
    assert me["billing"]["name"] and MOMENT_RE.match(me["customer"]["created_at"])
    listed = get_json(client, "/api/v1/services", a)["services"]
    assert [s["id"] for s in listed] == [sid] and listed[0]["recurring_net"] == "50.00"
    assert listed[0]["next_due"] == "2026-04-01" and listed[0]["product"]["name"] == "Basic"
    one = get_json(client, f"/api/v1/services/{sid}", a)
    assert one["features"] == [{"label": "Disk", "value": "25 GB"}, {"label": "Domains", "value": "5"}]
    assert one["pending_change"] is None
    quote = get_json(client, f"/api/v1/services/{sid}/quote?product={shop['pro'].id}&cycle=monthly", a)
    assert (quote["gross"], quote["to_pay"]) == ("31.73", "21.73")
    made = client.post(
        f"/api/v1/services/{sid}/change", json={"product": shop["pro"].id, "cycle": "monthly"}, headers=bearer(a)
    )
    assert made.status_code == 201 and made.get_json()["document"]["amount_due"] == "21.73"
    pending = get_json(client, f"/api/v1/services/{sid}", a)["pending_change"]
    assert pending["status"] == "awaiting_payment" and pending["to_product"]["name"] == "Pro"
    documents = get_json(client, "/api/v1/invoices", a)["invoices"]
    assert len(documents) == 1
    doc = documents[0]
    assert doc["kind"] == "proforma" and doc["number"] and doc["issue_date"] == "2026-03-16"
    assert (doc["total_gross"], doc["paid"], doc["amount_due"]) == ("31.73", "10.00", "21.73")
    for name in ("total_net", "total_vat", "total_gross", "paid", "amount_due"):
        assert MONEY_RE.match(doc[name]), name
    assert DATE_RE.match(doc["due_date"])
    detail = get_json(client, f"/api/v1/invoices/{doc['id']}", a)
    assert detail["lines"] and detail["buyer"]["name"] == me["billing"]["name"]
    assert all(MONEY_RE.match(line["gross"]) for line in detail["lines"])
    pdf = client.get(f"/api/v1/invoices/{doc['id']}/pdf", headers=bearer(a))
    assert pdf.status_code == 200 and pdf.mimetype == "application/pdf" and pdf.data.startswith(b"%PDF")
    assert "attachment" in pdf.headers["Content-Disposition"]
    balance = get_json(client, "/api/v1/balance", a)
    assert balance["balance"] == "0.00"
    assert sorted(e["amount"] for e in balance["entries"]) == ["-10.00", "10.00"]
    assert all(MOMENT_RE.match(e["created_at"]) for e in balance["entries"])


def test_another_customers_objects_answer_404_json(client, shop):
    a, b, sid = shop["a"], shop["b"], shop["svc"].id
    client.post(
        f"/api/v1/services/{sid}/change", json={"product": shop["pro"].id, "cycle": "monthly"}, headers=bearer(a)
    )
    doc_id = get_json(client, "/api/v1/invoices", a)["invoices"][0]["id"]
    department = make_department()
    with db.connection():
        ticket = tickets.open_ticket(
            Customer.get_by_id(shop["alice"].id), department_id=department.id, subject="Pomoc", body="Treść"
        )
    for path in (
        f"/api/v1/services/{sid}",
        f"/api/v1/services/{sid}/quote?product={shop['pro'].id}&cycle=monthly",
        f"/api/v1/invoices/{doc_id}",
        f"/api/v1/invoices/{doc_id}/pdf",
        f"/api/v1/tickets/{ticket.id}",
        "/api/v1/services/99999",
    ):
        response = client.get(path, headers=bearer(b))
        assert response.status_code == 404 and response.get_json()["error"], path
    change = client.post(
        f"/api/v1/services/{sid}/change", json={"product": shop["pro"].id, "cycle": "monthly"}, headers=bearer(b)
    )
    assert change.status_code == 404
    assert get_json(client, "/api/v1/services", b)["services"] == []
    assert get_json(client, "/api/v1/invoices", b)["invoices"] == []
    assert get_json(client, "/api/v1/tickets", b)["tickets"] == []
    assert get_json(client, "/api/v1/balance", b) == {
        "balance": "0.00",
        "staff_credit": "0.00",
        "deposits": "0.00",
        "currency": "PLN",
        "entries": [],
    }
    bad = client.post(
        "/api/v1/tickets",
        json={"department": "techniczny", "subject": "S", "body": "B", "service_id": sid},
        headers=bearer(b),
    )
    assert bad.status_code == 422 and bad.get_json()["fields"]["service_id"]


class Recorder:
    """Records ``on_ticket_create`` calls (a plugin, registered for one test)."""

    def __init__(self) -> None:
        self.calls: list[tuple] = []

    @hookimpl
    def on_ticket_create(self, ticket, message, attachments, options):
        self.calls.append((ticket.subject, message.body, options))


def test_tickets_open_list_and_read_without_internal_notes(client, shop):
    recorder = Recorder()
    runtime.current().pm.register(recorder, name="api-recorder")
    try:
        staff = make_staff()
        make_department(staff=staff)
        a, sid = shop["a"], shop["svc"].id
        body = {
            "department": "techniczny",
            "subject": "Serwer nie działa",
            "body": "Dzień dobry, proszę o pomoc.",
            "priority": "high",
            "service_id": sid,
        }
        created = client.post("/api/v1/tickets", json=body, headers=bearer(a))
        assert created.status_code == 201, created.get_data(as_text=True)
        assert recorder.calls == [("Serwer nie działa", "Dzień dobry, proszę o pomoc.", {"encrypt": False})]
        ticket_json = created.get_json()
        assert ticket_json["priority"] == "high" and ticket_json["service_id"] == sid
        assert ticket_json["department"]["slug"] == "techniczny"
        with db.connection():
            ticket = Ticket.get_by_id(ticket_json["id"])
            tickets.reply(ticket, staff, "Notatka wewnętrzna: klient VIP", internal=True)
            tickets.reply(ticket, staff, "Już sprawdzamy.")
        thread = get_json(client, f"/api/v1/tickets/{ticket.id}", a)
        assert [m["body"] for m in thread["messages"]] == ["Dzień dobry, proszę o pomoc.", "Już sprawdzamy."]
        assert "Notatka" not in str(thread) and thread["messages"][0]["encrypted"] is False
        assert [t["id"] for t in get_json(client, "/api/v1/tickets", a)["tickets"]] == [ticket.id]
        for wrong, field in (
            ({**body, "department": "nie-ma"}, "department"),
            ({**body, "subject": ""}, "subject"),
            ({**body, "body": " "}, "body"),
            ({**body, "priority": "pilne"}, "priority"),
        ):
            refused = client.post("/api/v1/tickets", json=wrong, headers=bearer(a))
            assert refused.status_code == 422 and field in refused.get_json()["fields"], field
        not_json = client.post("/api/v1/tickets", data="x", headers=bearer(a))
        assert not_json.status_code == 422
        with db.connection():
            assert Ticket.select().count() == 1 and TicketMessage.select().count() == 3
        assert len(recorder.calls) == 1
    finally:
        runtime.current().pm.unregister(name="api-recorder")
