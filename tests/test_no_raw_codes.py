"""No page shows a stored code where a person expects words, in English or in Polish.

Every client and admin page is rendered, in both languages, for a customer who has
a bit of everything (documents of each kind and status, every kind of balance
entry, a billing-data switch from company to private, a ticket with a file) and
its visible text is searched for the codes the database stores. English msgids
are the English text, so a code that slipped through ``_()`` shows up here in
English even when the Polish catalog happens to translate it.
"""

from __future__ import annotations

import ast
import re
from decimal import Decimal
from html.parser import HTMLParser
from io import BytesIO
from pathlib import Path

import pytest

from core import db, outbox
from core.billing_data.service import change_billing_data
from core.labels import LABELS
from core.models import ActivityLog, Document, LedgerEntry, Product
from core.models.billing import LEDGER_KINDS
from core.payments.recording import record_payment
from core.service_status import set_service_status
from core.tickets.models import Department
from core.upgrades.confirm import confirm_change
from tests.billing_doc_helpers import PRIVATE, setup_seller, shop
from tests.helpers import csrf, login, make_staff, post_form, staff_login
from tests.support.p24 import FakeP24, p24_config
from tests.ticket_helpers import make_department

#: Codes the database and the code use, never meant to be read (whole words, case-sensitive).
CODES = (
    "vat",
    "partially_paid",
    "staff_credit",
    "staff_debit",
    "downgrade_credit",
    "stale_payment",
    "awaiting_payment",
    "banktransfer",
    "testgateway",
    "tax_id",
    "address_line1",
    "customer_reply",
    "on_hold",
    "semiannually",
    "biennially",
    "triennially",
    "correction_credit",
    "refund_reversed",
    "przelewy24_blik",
    "przelewy24_transfer",
    "przelewy24_card",
)
CODE_RE = re.compile(r"(?<![\w./-])(" + "|".join(CODES) + r"|ledger\.\w+|kind: \w+)(?![\w-])")


class VisibleText(HTMLParser):
    """The text a person reads: text nodes outside script and style, and button/input labels."""

    def __init__(self) -> None:
        super().__init__()
        self.parts: list[str] = []
        self._skip = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in ("script", "style"):
            self._skip += 1
        values = dict(attrs)
        for name in ("placeholder", "aria-label", "title", "alt"):
            if values.get(name):
                self.parts.append(str(values[name]))

    def handle_endtag(self, tag: str) -> None:
        if tag in ("script", "style"):
            self._skip -= 1

    def handle_data(self, data: str) -> None:
        if not self._skip:
            self.parts.append(data)


def visible(html: str) -> str:
    parser = VisibleText()
    parser.feed(html)
    return " ".join(" ".join(parser.parts).split())


@pytest.fixture
def app_overrides(fake_p24: FakeP24):
    """Przelewy24 configured (against the local fake), so its methods, attempts and refunds are on the pages."""
    return {"przelewy24": p24_config(fake_p24)}


def paid_by_blik(app, fake: FakeP24, document, staff) -> str:
    """Pay ``document`` by BLIK at P24 (the notification through its route), refund part; return the session id."""
    from plugins.przelewy24.checkout import start_checkout
    from plugins.przelewy24.models import P24Session
    from plugins.przelewy24.refunds import request_refund

    note = fake.pay(start_checkout(document, document.total_gross, "blik").rsplit("/", 1)[1])
    assert app.test_client().post("/pay/przelewy24/status", json=note).status_code == 200
    session = P24Session.get(P24Session.session_id == note["sessionId"])
    request_refund(session.payment_id, "10.00", "Rezygnacja", staff)
    return str(session.session_id)


@pytest.fixture
def everything(sqlite_app, fake_p24):
    """A customer with a bit of everything, and a staff admin (SQLite: pages do not depend on the engine)."""
    with db.connection():
        setup_seller()
        customer, services, _basic, pro = shop(services=4)
        change_billing_data(customer, PRIVATE, actor=customer)
        partly = confirm_change(customer.id, services[0].id, pro.id, "monthly", actor=customer).document
        record_payment("banktransfer", "BANK-1", Decimal("10.00"), partly)
        record_payment("banktransfer", "BANK-2", partly.total_gross - Decimal("10.00"), Document.get_by_id(partly.id))
        unpaid = confirm_change(customer.id, services[1].id, pro.id, "monthly", actor=customer).document
        record_payment("banktransfer", "BANK-3", Decimal("5.00"), unpaid)
        with db.write_transaction():
            for kind in LEDGER_KINDS:
                sign = -1 if kind in ("applied", "refund", "staff_debit") else 1
                LedgerEntry.create(customer=customer, kind=kind, amount=Decimal(sign), reason="wpis")
        staff = make_staff()
        set_service_status(services[2].id, "suspended", staff, reason="test")
        from core.services.cancellation import request_cancellation

        request_cancellation(customer, services[2].id, "end_of_period", "Przenoszę się")
        department = make_department(staff=staff)
        Product.update(position=1).where(Product.id == pro.id).execute()
        # A bank statement: a matched transfer, queued ones (with a candidate), a fee.
        from plugins.bankstatements.importing import import_statement
        from tests.statement_helpers import mt940_statement

        import_statement(
            mt940_statement(
                [
                    ("ST-1", Decimal("5.00"), f"Zapłata {unpaid.number}", "KLIENT", ""),
                    ("ST-2", Decimal("7.77"), "darowizna", "OBCY", ""),
                    ("ST-3", unpaid.total_gross - Decimal("10.00"), "przelew", "OBCY", ""),
                    ("ST-4", Decimal("-2.00"), "Opłata", "BANK", ""),
                ]
            ),
            filename="wyciag.sta",
        )
        # Przelewy24: a proforma paid by BLIK, its VAT invoice corrected by a partial refund.
        online = confirm_change(customer.id, services[3].id, pro.id, "monthly", actor=customer).document
        p24_session = paid_by_blik(sqlite_app, fake_p24, online, staff)
        outbox.process()
    return {
        "customer": customer,
        "staff": staff,
        "department": department,
        "services": services,
        "pro": pro,
        "p24_session": p24_session,
    }


def client_pages(client, data) -> list[str]:
    ticket_page = csrf(client, "/tickets/new")
    client.post(
        "/tickets/new",
        data={
            "csrf_token": ticket_page,
            "department_id": str(data["department"].id),
            "subject": "Pytanie",
            "priority": "medium",
            "service_id": "0",
            "body": "Treść",
            "attachments": [(BytesIO(b"a" * 2000), "log.txt")],
        },
        content_type="multipart/form-data",
    )
    with db.connection():
        documents = [d.id for d in Document.select().where(Document.customer == data["customer"])]
        ticket_id = Department.get_by_id(data["department"].id).tickets.get().id
    services = [s.id for s in data["services"]]
    return [
        "/",
        "/services",
        *(f"/services/{s}" for s in services),
        f"/services/{services[2]}/change",
        "/invoices",
        *(f"/invoices/{d}" for d in documents),
        "/balance",
        "/profile",
        "/profile/billing",
        "/profile/api-tokens",
        "/profile/pgp-key",
        "/security",
        "/security/2fa",
        "/tickets",
        "/tickets/new",
        f"/tickets/{ticket_id}",
        f"/pay/przelewy24/return/{data['p24_session']}",
    ]


def admin_pages(data) -> list[str]:
    customer = data["customer"]
    with db.connection():
        documents = [d.id for d in Document.select().where(Document.customer == customer)]
        tickets = [t.id for t in Department.get_by_id(data["department"].id).tickets]
    return [
        "/admin/",
        "/admin/customers",
        f"/admin/customers/{customer.id}",
        f"/admin/customers/{customer.id}/balance",
        *(f"/admin/documents/{d}" for d in documents),
        "/admin/catalogue",
        f"/admin/customers/{customer.id}/services/new",
        f"/admin/customers/{customer.id}/proformas/new",
        f"/admin/customers/{customer.id}/invoices/new",
        "/admin/cancellations",
        "/admin/cancellations?status=all",
        f"/admin/catalogue/products/{data['pro'].id}",
        "/admin/staff",
        # /admin/activity shows each event's details exactly as recorded (method=banktransfer);
        # its actions and subjects are checked by test_the_activity_log_names_every_action.
        "/admin/settings/",
        "/admin/tickets",
        *(f"/admin/tickets/{t}" for t in tickets),
        "/admin/departments",
        f"/admin/departments/{data['department'].id}",
        "/admin/security/2fa",
        "/admin/statements",
        "/admin/statements/1",
        "/admin/statements/queue",
        "/admin/statements/banks",
        "/admin/statements/banks/new?preset=mbank",
    ]


def codes_on(client, paths, lang):
    client.post(f"/language/{lang}", data={"csrf_token": csrf(client, paths[0])})
    found = {}
    for path in paths:
        response = client.get(path)
        assert response.status_code == 200, (path, response.status_code)
        html = response.get_data(as_text=True)
        assert f'<html lang="{lang}">' in html
        hits = sorted(set(CODE_RE.findall(visible(html))))
        if hits:
            found[path] = hits
    return found


@pytest.mark.parametrize("lang", ["en", "pl"])
def test_client_pages_show_no_codes(sqlite_app, everything, lang):
    client = sqlite_app.test_client()
    login(client, everything["customer"].email)
    assert codes_on(client, client_pages(client, everything), lang) == {}


@pytest.mark.parametrize("lang", ["en", "pl"])
def test_admin_pages_show_no_codes(sqlite_app, everything, lang):
    customer_client = sqlite_app.test_client()
    login(customer_client, everything["customer"].email)
    client_pages(customer_client, everything)  # opens the ticket staff look at
    client = sqlite_app.test_client()
    staff_login(client, everything["staff"].email)
    with db.connection():
        ticket = Department.get_by_id(everything["department"].id).tickets.get()
    path = f"/admin/tickets/{ticket.id}"
    post_form(client, f"{path}/status", {"status": "on_hold"}, form_page=path)
    assert codes_on(client, admin_pages(everything), lang) == {}


@pytest.mark.parametrize("lang", ["en", "pl"])
def test_przelewy24_steps_show_no_codes(sqlite_app, everything, lang):
    """The pages that answer a POST: the customer's choice of bank, the staff's refund confirmation."""
    from plugins.przelewy24.models import P24Session

    with db.connection():
        unpaid = Document.get((Document.kind == "proforma") & (Document.status == "partially_paid"))
        paid = P24Session.get(P24Session.session_id == everything["p24_session"])
    client = sqlite_app.test_client()
    login(client, everything["customer"].email)
    client.post(f"/language/{lang}", data={"csrf_token": csrf(client, "/")})
    banks = post_form(client, f"/pay/przelewy24_transfer/{unpaid.id}", {}, form_page=f"/invoices/{unpaid.id}")
    assert banks.status_code == 200 and 'data-testid="p24-banks"' in banks.get_data(as_text=True)
    staff = sqlite_app.test_client()
    staff_login(staff, everything["staff"].email)
    staff.post(f"/language/{lang}", data={"csrf_token": csrf(staff, "/admin/")})
    page = f"/admin/documents/{paid.document_id}"
    asked = post_form(staff, f"/admin/przelewy24/payments/{paid.payment_id}/refund", {"amount": "5.00"}, form_page=page)
    assert asked.status_code == 200 and 'data-testid="confirm-step"' in asked.get_data(as_text=True)
    for response in (banks, asked):
        html = response.get_data(as_text=True)
        assert f'<html lang="{lang}">' in html
        assert CODE_RE.findall(visible(html)) == []


def test_the_scan_finds_codes():
    assert CODE_RE.findall(visible("<p>Typ: vat, staff_credit</p><script>var vat = 1;</script>")) == [
        "vat",
        "staff_credit",
    ]
    assert CODE_RE.findall(visible('<p>kind: company → private <input placeholder="ledger.applied"></p>')) == [
        "kind: company",
        "ledger.applied",
    ]
    assert CODE_RE.findall(visible("<p>VAT invoice, Faktura VAT, /invoices/vat.pdf, data-vat</p>")) == []


def test_error_pages_speak_the_readers_language(client):
    polish = client.get("/nie-ma-takiej-strony")
    assert polish.status_code == 404
    text = visible(polish.get_data(as_text=True))
    assert "Ta strona nie istnieje" in text and "requested URL" not in text
    client.post("/language/en", data={"csrf_token": csrf(client, "/login")})
    english = visible(client.get("/nie-ma-takiej-strony").get_data(as_text=True))
    assert "This page does not exist, or it is not yours." in english


@pytest.mark.parametrize("lang", ["en", "pl"])
def test_the_activity_log_names_every_action(sqlite_app, everything, lang):
    """Every event the fixture's work recorded reads as words: the action, the actor, the object."""
    client = sqlite_app.test_client()
    staff_login(client, everything["staff"].email)
    with db.connection():
        actions = {row.action for row in ActivityLog.select(ActivityLog.action).distinct()}
        subjects = {row.subject_type for row in ActivityLog.select(ActivityLog.subject_type).distinct()} - {""}
    assert len(actions) >= 12 and {"payment.recorded", "service.cancellation_requested"} <= actions
    client.post(f"/language/{lang}", data={"csrf_token": csrf(client, "/admin/")})
    url: str | None = "/admin/activity"
    rows = 0
    while url:
        html = client.get(url).get_data(as_text=True)
        table = html.split("<tbody>")[1].split("</tbody>")[0]
        for row in re.findall(r"<tr>(.*?)</tr>", table, flags=re.S):
            _when, actor, action, subject, *_rest = [visible(c) for c in re.findall(r"<td[^>]*>(.*?)</td>", row, re.S)]
            assert actor != "system" and action not in actions, row
            assert re.sub(r" #\d+$", "", subject) not in subjects, row
            rows += 1
        found = re.search(r'href="([^"]+)" rel="next"', html)
        url = found.group(1).replace("&amp;", "&") if found else None
    with db.connection():
        assert rows == ActivityLog.select().count()


def _recorded_actions(path: Path) -> list[tuple[str, str]]:
    """``(where, action)`` for each call of ``activity.record`` in ``path``; an f-string action as a pattern."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    assigned: dict[str, list[str]] = {}
    for node in ast.walk(tree):
        if isinstance(node, ast.Assign) and isinstance(node.value, ast.Constant) and isinstance(node.value.value, str):
            for target in node.targets:
                if isinstance(target, ast.Name):
                    assigned.setdefault(target.id, []).append(node.value.value)
    found = []
    for node in ast.walk(tree):
        call = node if isinstance(node, ast.Call) else None
        if call is None or not call.args or not isinstance(call.func, ast.Attribute):
            continue
        if not (
            call.func.attr == "record" and isinstance(call.func.value, ast.Name) and call.func.value.id == "activity"
        ):
            continue
        where, first = f"{path}:{call.lineno}", call.args[0]
        if isinstance(first, ast.JoinedStr):
            parts = [re.escape(p.value) if isinstance(p, ast.Constant) else r"\w+" for p in first.values]
            found.append((where, "re:" + "".join(parts)))
        elif isinstance(first, ast.Name):
            found += [(where, value) for value in assigned.get(first.id, [f"<variable {first.id}>"])]
        else:
            found += [
                (where, n.value) for n in ast.walk(first) if isinstance(n, ast.Constant) and isinstance(n.value, str)
            ]
    return found


def test_every_action_the_code_records_has_a_label():
    root = Path(__file__).resolve().parent.parent
    labelled = LABELS["activity action"]
    recorded = [
        item
        for folder in ("core", "plugins")
        for path in sorted((root / folder).rglob("*.py"))
        for item in _recorded_actions(path)
    ]
    assert len(recorded) > 90
    missing = []
    for where, action in recorded:
        if action.startswith("re:"):
            pattern = re.compile(action[3:])
            if not any(pattern.fullmatch(code) for code in labelled):
                missing.append(f"{where}: {action[3:]}")
        elif action not in labelled:
            missing.append(f"{where}: {action}")
    assert missing == [], "activity actions without a label in core/labels.py:\n" + "\n".join(missing)


def test_the_action_scan_finds_an_unlabelled_one(tmp_path):
    source = tmp_path / "plugin.py"
    source.write_text(
        "def f(kind, activity):\n"
        "    action = 'demo.saved'\n"
        "    activity.record('demo.done' if kind else 'demo.undone')\n"
        "    activity.record(f'demo.{kind}')\n"
        "    activity.record(action)\n",
        encoding="utf-8",
    )
    assert [a for _w, a in _recorded_actions(source)] == ["demo.done", "demo.undone", r"re:demo\.\w+", "demo.saved"]
