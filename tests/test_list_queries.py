"""Every list page costs as many SQL statements for a hundred rows as for one.

Each test renders a page with one row, adds 99 rows, and renders it again: a
template that read a relation per row (``service.product``, ``ticket.customer``)
or a view that asked something per document would add a statement per row. The
extra rows are written as rows (the pages only read them); the first of each kind
is made through the domain services, so what the page shows is real.
"""

from __future__ import annotations

import re
from datetime import date, datetime, timedelta
from decimal import Decimal

import pytest

from core import db
from core.api.tokens import MAX_ACTIVE
from core.models import ActivityLog, Customer, Document, LedgerEntry, Payment, Service, Staff
from core.testing.queries import QueryLog, count_queries
from core.tickets.models import Department, Ticket, TicketMessage
from tests.api_helpers import bearer, token_for
from tests.helpers import login, password_hash, staff_login

MORE = 99
NOW = "2026-03-16T12:00:00"


@pytest.fixture(autouse=True)
def frozen(hookbill_clock):
    """A still clock: a session is never touched between two measured requests."""
    hookbill_clock.freeze(NOW)


def queries(client, path: str, **kwargs) -> QueryLog:
    """The statements of one GET of ``path`` (after one GET that warms what is read once per process)."""
    response = client.get(path, **kwargs)
    assert response.status_code == 200, (path, response.status_code)
    with count_queries() as log:
        response = client.get(path, **kwargs)
    assert response.status_code == 200, (path, response.status_code)
    return log


def same_cost(client, paths, grow, **kwargs) -> None:
    """Each of ``paths`` costs as many statements after ``grow()`` added rows as before."""
    before = {path: queries(client, path, **kwargs) for path in paths}
    grow()
    for path in paths:
        after = queries(client, path, **kwargs)
        assert after.count == before[path].count, f"{path}: " + after.diff(before[path])


def add_services(customer: Customer, product_id: int, count: int) -> None:
    with db.connection():
        Service.insert_many(
            [
                {
                    "customer": customer.id,
                    "product": product_id,
                    "cycle": "monthly",
                    "status": "active",
                    "label": f"strona{index}.pl",
                    "anchor_date": date(2026, 3, 1),
                    "period_start": date(2026, 3, 1),
                    "next_due": date(2026, 4, 1),
                    "recurring_net": Decimal("50.00"),
                }
                for index in range(count)
            ]
        ).execute()


def copy_documents(models: list[Document], count: int) -> None:
    """``count`` more rows like ``models`` (round robin), numbered apart."""
    fields = [f for f in Document._meta.sorted_fields if f.name != "id"]
    with db.connection():
        rows = []
        for index in range(count):
            model = models[index % len(models)]
            row = {f.name: getattr(model, f.name) for f in fields}
            row["customer"] = model.customer_id
            row["number"] = f"{model.number}/k{index}"
            rows.append(row)
        Document.insert_many(rows).execute()


def add_customers(count: int, start: int = 0) -> list[int]:
    with db.connection():
        rows = [
            {
                "email": f"masowy{index}@example.test",
                "password_hash": password_hash("correct horse battery"),
                "first_name": "Masowy",
                "last_name": f"Klient{index}",
                "search_key": f"masowy{index}@example.test masowy klient{index}",
            }
            for index in range(start, start + count)
        ]
        Customer.insert_many(rows).execute()
        return [c.id for c in Customer.select(Customer.id).where(Customer.email.startswith("masowy"))]


def test_client_pages(app, hookbill_make):
    customer = hookbill_make.customer("ala@example.test")
    product = hookbill_make.product("Hosting Start")
    hookbill_make.service(customer, product)
    invoice = hookbill_make.invoice(customer)
    proforma = hookbill_make.proforma(customer)
    with db.connection():
        LedgerEntry.create(customer=customer, kind="staff_credit", amount=Decimal("5.00"), reason="wpis")
    client = app.test_client()
    login(client, customer.email)

    def grow() -> None:
        add_services(customer, product.id, MORE)
        copy_documents([invoice, proforma], MORE)
        with db.connection():
            LedgerEntry.insert_many(
                [{"customer": customer.id, "kind": "staff_credit", "amount": Decimal("1.00"), "reason": "x"}] * MORE
            ).execute()

    same_cost(client, ["/", "/services", "/invoices", "/balance"], grow)
    page = client.get("/services").get_data(as_text=True)
    assert page.count("Hosting Start") == 1 + MORE  # every service, its package read with it


def test_client_api_lists(app, hookbill_make):
    customer = hookbill_make.customer("ala@example.test")
    product = hookbill_make.product("Hosting Start")
    hookbill_make.service(customer, product)
    invoice = hookbill_make.invoice(customer)
    client = app.test_client()
    headers = bearer(token_for(customer))

    def grow() -> None:
        add_services(customer, product.id, MORE)
        copy_documents([invoice], MORE)

    same_cost(client, ["/api/v1/services", "/api/v1/invoices"], grow, headers=headers)
    assert len(client.get("/api/v1/services", headers=headers).get_json()["services"]) == 1 + MORE


def add_tickets(department: Department, customers: list[int], staff_id: int, count: int, start: int = 0) -> None:
    moment = datetime(2026, 3, 16, 10, 0)
    with db.connection():
        Ticket.insert_many(
            [
                {
                    "customer": customers[index % len(customers)],
                    "department": department.id,
                    "subject": f"Sprawa {index}",
                    "status": "open",
                    "assigned_to": staff_id if index % 2 else None,
                    "last_reply_at": moment - timedelta(minutes=index),
                }
                for index in range(start, start + count)
            ]
        ).execute()


def test_tickets_lists(app, hookbill_make):
    customer = hookbill_make.customer("ala@example.test")
    member = hookbill_make.staff("obsluga@example.test", role="support")
    with db.connection():
        department = Department.create(name="Techniczny", slug="techniczny")
    add_tickets(department, [customer.id], member.id, 1)
    staff = app.test_client()
    staff_login(staff, member.email)
    client = app.test_client()
    login(client, customer.email)

    def grow() -> None:
        others = add_customers(MORE)
        add_tickets(department, [customer.id, *others], member.id, MORE, start=1)

    before = {"/tickets": queries(client, "/tickets"), "/admin/tickets": queries(staff, "/admin/tickets")}
    grow()
    assert queries(client, "/tickets").count == before["/tickets"].count
    after = queries(staff, "/admin/tickets")
    assert after.count == before["/admin/tickets"].count, after.diff(before["/admin/tickets"])
    queue = staff.get("/admin/tickets").get_data(as_text=True)
    assert "Masowy Klient" in queue and "Staff support" in queue and 'rel="next"' in queue


def test_admin_lists(app, hookbill_make):
    admin = hookbill_make.staff("szef@example.test", role="admin")
    customer = hookbill_make.customer("ala@example.test", billing="company")
    product = hookbill_make.product("Hosting Start")
    hookbill_make.service(customer, product)
    invoice = hookbill_make.invoice(customer)
    proforma = hookbill_make.proforma(customer)
    with db.connection():
        Document.update(needs_correction=True).where(Document.id == proforma.id).execute()
        proforma = Document.get_by_id(proforma.id)
    staff = app.test_client()
    staff_login(staff, admin.email)
    paths = [
        "/admin/",
        "/admin/customers",
        "/admin/customers?q=masowy",
        f"/admin/customers/{customer.id}",
        "/admin/activity",
        "/admin/documents",
        f"/admin/documents?customer={customer.id}",
        "/admin/documents/to-correct",
    ]

    def grow() -> None:
        add_customers(MORE, start=1)
        add_services(customer, product.id, MORE)
        copy_documents([invoice, proforma], MORE)
        with db.connection():
            ActivityLog.insert_many(
                [{"actor_kind": "system", "action": "test.row", "customer_id": customer.id}] * MORE
            ).execute()

    add_customers(1)
    same_cost(staff, paths, grow)
    flagged = staff.get("/admin/documents/to-correct").get_data(as_text=True)
    assert flagged.count(proforma.number) == 1 + MORE // 2


def test_dashboard_counts_the_advances_due_without_reading_them(app, hookbill_make):
    """The card counts part-paid proformas with money from an earlier month in one statement; their list
    reads them in a fixed number of statements."""
    admin = hookbill_make.staff("szef@example.test", role="admin")
    customer = hookbill_make.customer("ala@example.test", billing="company")
    proforma = hookbill_make.proforma(customer)
    hookbill_make.pay(proforma, Decimal("20.00"))
    february = datetime(2026, 2, 20, 12, 0)
    with db.connection():
        Payment.update(received_at=february).where(Payment.document == proforma.id).execute()
        proforma = Document.get_by_id(proforma.id)
    staff = app.test_client()
    staff_login(staff, admin.email)

    def grow() -> None:
        copy_documents([proforma], MORE)
        with db.connection():
            copies = Document.select(Document.id).where(Document.number.startswith(f"{proforma.number}/k"))
            Payment.insert_many(
                [
                    {
                        "customer": customer.id,
                        "document": copy.id,
                        "method": "banktransfer",
                        "transaction_id": f"luty-{copy.id}",
                        "amount": Decimal("20.00"),
                        "currency": "PLN",
                        "received_at": february,
                    }
                    for copy in copies
                ]
            ).execute()

    card = 'data-testid="dashboard-advances-due"'
    before = staff.get("/admin/").get_data(as_text=True)
    assert card in before and '<p class="stat-value">1</p>' in before.split(card)[1].split("</section>")[0]
    same_cost(staff, ["/admin/", "/admin/documents/advances-due"], grow)
    after = staff.get("/admin/").get_data(as_text=True).split(card)[1].split("</section>")[0]
    assert f'<p class="stat-value">{1 + MORE}</p>' in after
    listed = staff.get("/admin/documents/advances-due").get_data(as_text=True)
    assert listed.count(f">{proforma.number}") == 1 + MORE and listed.count("Ala Nowak") == 1 + MORE


def same_cost_for(pages, grow) -> None:
    """Like :func:`same_cost` for ``(client, path, headers)`` pages of several people."""
    before = [queries(client, path, headers=headers) for client, path, headers in pages]
    grow()
    for (client, path, headers), was in zip(pages, before, strict=True):
        after = queries(client, path, headers=headers)
        assert after.count == was.count, f"{path}: " + after.diff(was)


def make_admin_client(app):
    """A test client logged in as an admin."""
    from tests.helpers import make_staff

    staff = app.test_client()
    staff_login(staff, make_staff("szef@example.test", role="admin").email)
    return staff


def test_staff_catalogue_and_departments(app, hookbill_make):
    admin = hookbill_make.staff("szef@example.test", role="admin")
    hookbill_make.product("Hosting Start", slug="start")
    with db.connection():
        Department.create(name="Techniczny", slug="techniczny")
    staff = app.test_client()
    staff_login(staff, admin.email)

    def grow() -> None:
        for index in range(MORE):
            hookbill_make.product(f"Pakiet {index}", slug=f"pakiet-{index}")
        with db.connection():
            people = [{"email": f"osoba{i}@example.test", "name": f"Osoba {i}", "role": "support"} for i in range(MORE)]
            Staff.insert_many([{**person, "password_hash": "x"} for person in people]).execute()
            Department.insert_many([{"name": f"Dział {i}", "slug": f"dzial-{i}"} for i in range(MORE)]).execute()

    same_cost(staff, ["/admin/staff", "/admin/catalogue", "/admin/departments"], grow)
    assert staff.get("/admin/catalogue").get_data(as_text=True).count("Pakiet ") >= MORE
    assert staff.get("/admin/departments").get_data(as_text=True).count("Dział ") >= MORE


def test_ticket_threads_tokens_and_the_api(app, hookbill_make):
    customer = hookbill_make.customer("ala@example.test")
    member = hookbill_make.staff("obsluga@example.test", role="support")
    with db.connection():
        department = Department.create(name="Techniczny", slug="techniczny")
    add_tickets(department, [customer.id], member.id, 1)
    with db.connection():
        ticket = Ticket.get()
        TicketMessage.create(ticket=ticket, author_kind="customer", author_id=customer.id, body="Pierwsza")
    staff = app.test_client()
    staff_login(staff, member.email)
    client = app.test_client()
    login(client, customer.email)
    headers = bearer(token_for(customer))
    pages = [
        (client, f"/tickets/{ticket.id}", None),
        (staff, f"/admin/tickets/{ticket.id}", None),
        (client, "/profile/api-tokens", None),
        (client, "/api/v1/tickets", headers),
        (client, f"/api/v1/tickets/{ticket.id}", headers),
        (client, "/api/v1/balance", headers),
    ]

    def grow() -> None:
        add_tickets(department, [customer.id], member.id, MORE, start=1)
        for index in range(MAX_ACTIVE - 1):  # as many as a customer may hold
            token_for(customer, name=f"skrypt {index}")
        with db.connection():
            TicketMessage.insert_many(
                [
                    {"ticket": ticket.id, "author_kind": "staff", "author_id": member.id, "body": f"Odpowiedź {i}"}
                    for i in range(MORE)
                ]
            ).execute()
            LedgerEntry.insert_many(
                [{"customer": customer.id, "kind": "staff_credit", "amount": Decimal("1.00"), "reason": "x"}] * MORE
            ).execute()

    same_cost_for(pages, grow)
    assert len(client.get("/api/v1/tickets", headers=headers).get_json()["tickets"]) == 1 + MORE
    assert client.get(f"/tickets/{ticket.id}").get_data(as_text=True).count("Odpowiedź ") == MORE


def test_bank_statement_lists(app, hookbill_make):
    from plugins.bankstatements.models import Bank, StatementEntry, StatementImport

    billing = hookbill_make.staff("ksiegowa@example.test", role="billing")
    customer = hookbill_make.customer("ala@example.test")
    proforma = hookbill_make.proforma(customer)
    with db.connection():
        bank = Bank.create(slug="mbank", name="mBank", format="mt940")
        record = StatementImport.create(bank=bank, format="mt940", filename="w0.sta", sha256="0" * 64)

    def entries(start: int, count: int) -> None:
        with db.connection():
            StatementEntry.insert_many(
                [
                    {
                        "key": f"wpis-{index}",
                        "statement_import": record.id,
                        "position": index,
                        "booking_date": date(2026, 3, 16),
                        "amount": Decimal("61.50"),
                        "currency": "PLN",
                        "title": f"Przelew {index}",
                        "state": "queued",
                        "customer_id": customer.id,
                        "candidates": [proforma.id],
                    }
                    for index in range(start, start + count)
                ]
            ).execute()

    entries(0, 1)
    staff = app.test_client()
    staff_login(staff, billing.email)

    def grow() -> None:
        entries(1, MORE)
        with db.connection():
            Bank.insert_many(
                [{"slug": f"bank{i}", "name": f"Bank {i}", "format": "mt940"} for i in range(MORE)]
            ).execute()
            StatementImport.insert_many(
                [
                    {"bank": bank.id, "format": "mt940", "filename": f"w{i}.sta", "sha256": f"{i:064d}"}
                    for i in range(MORE)
                ]
            ).execute()

    paths = [
        "/admin/statements",
        f"/admin/statements/{record.id}",
        "/admin/statements/queue",
        "/admin/statements/banks",
    ]
    same_cost(staff, paths, grow)
    assert staff.get(f"/admin/statements/{record.id}").get_data(as_text=True).count("Przelew ") == 1 + MORE


def test_cancellation_requests(app, hookbill_make):
    from core.services.models import CancellationRequest

    support = hookbill_make.staff("obsluga@example.test", role="support")
    customer = hookbill_make.customer("ala@example.test")
    product = hookbill_make.product("Hosting Start")
    hookbill_make.service(customer, product)
    staff = app.test_client()
    staff_login(staff, support.email)

    def requests() -> None:
        with db.connection():
            taken = {r.service_id for r in CancellationRequest.select(CancellationRequest.service)}
            free = [s.id for s in Service.select(Service.id).where(Service.id.not_in(taken or {0}))]
            CancellationRequest.insert_many(
                [
                    {"service": sid, "customer": customer.id, "timing": "end_of_period", "ends_on": date(2026, 4, 1)}
                    for sid in free
                ]
            ).execute()

    requests()

    def grow() -> None:
        add_services(customer, product.id, MORE)
        requests()

    same_cost(staff, ["/admin/cancellations", "/admin/cancellations?status=all"], grow)
    assert staff.get("/admin/cancellations").get_data(as_text=True).count("strona") >= 20


def test_order_lists(app):
    """Staff's orders list (every status, one status, a search) and the customer's, one order or a hundred."""
    from core.orders.models import Order
    from core.orders.placing import place_order
    from tests.order_helpers import buyer, item, package, setup_seller

    with db.connection():
        setup_seller()
        basic = package("basic", "Basic", {"monthly": "50.00"})
        customer = buyer("firma@example.test")
        placed = place_order(customer, [item(basic)], accept_terms=True, payment_method="banktransfer")
    admin = make_admin_client(app)
    client = app.test_client()
    login(client, customer.email)

    def grow() -> None:
        others = add_customers(MORE)
        with db.connection():
            model = Order.get_by_id(placed.order.id)
            fields = [f for f in Order._meta.sorted_fields if f.name != "id"]
            rows = []
            for index in range(MORE):
                row = {f.name: getattr(model, f.name) for f in fields}
                row["customer"] = others[index] if index % 2 else customer.id
                row["checkout_token"] = f"kopia-{index}"
                rows.append(row)
            Order.insert_many(rows).execute()

    paths = ["/admin/orders", f"/admin/orders?status={placed.order.status}", "/admin/orders?q=masowy"]
    same_cost_for([*[(admin, path, None) for path in paths], (client, "/orders", None)], grow)
    assert admin.get("/admin/orders?q=masowy").get_data(as_text=True).count('data-testid="order-row"') == MORE // 2
    assert client.get("/orders").get_data(as_text=True).count("/orders/") >= 1 + MORE // 2
    # a page at a time: the first 50, then the rest by the "next" link
    first = admin.get("/admin/orders").get_data(as_text=True)
    following = re.search(r'href="([^"]+)" rel="next"', first)
    assert following is not None
    rest = admin.get(following.group(1).replace("&amp;", "&")).get_data(as_text=True)
    listed = re.findall(r'href="/admin/orders/(\d+)"', first + rest)
    with db.connection():
        assert [int(i) for i in listed] == [o.id for o in Order.select(Order.id).order_by(Order.id.desc())]


def test_promotion_codes_count_their_uses_in_the_database(app):
    from plugins.promotions.models import PromoUse
    from tests.order_helpers import promo

    admin = make_admin_client(app)
    with db.connection():
        code = promo("WIOSNA20")
    customers = add_customers(5)

    def uses(start: int, count: int) -> None:
        with db.connection():
            PromoUse.insert_many(
                [
                    {
                        "promo": code.id,
                        "customer_id": customers[index % len(customers)],
                        "order_id": index,
                        "status": "used" if index % 3 else "reserved",
                    }
                    for index in range(start, start + count)
                ]
            ).execute()

    uses(1, 1)

    def grow() -> None:
        uses(2, MORE)
        with db.connection():
            for index in range(MORE):
                promo(f"KOD{index}")

    same_cost(admin, ["/admin/promotions"], grow)
    page = admin.get("/admin/promotions").get_data(as_text=True)
    row = page.split('data-testid="promo-WIOSNA20"')[1].split("</tr>")[0]
    assert '<td class="num">33</td><td class="num">67</td>' in row  # reserved, used
    log = queries(admin, "/admin/promotions")
    read = [sql for sql in log.statements if "promo_use" in sql]
    assert read and all("COUNT(" in sql for sql in read), read  # counted, not read use by use
