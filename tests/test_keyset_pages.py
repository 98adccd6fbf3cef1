"""Admin lists a page at a time by keyset: every row once, in order, whatever happens between two pages.

The pages are walked as staff walk them, by the "next" and "previous" links; rows
that share the ordering time (tickets answered in the same second), rows deleted
between two pages, and rows added on top while someone reads must not make a row
appear twice or vanish. Counts stop at the cap: exact below, "more than" above.
"""

from __future__ import annotations

import re
from datetime import datetime, timedelta

from core import db
from core.keyset import COUNT_CAP, Count, capped_count, keyset_page, parse_cursor
from core.models import ActivityLog, Customer
from core.tickets.models import Department, Ticket
from tests.helpers import make_customer, make_staff, password_hash, staff_login

NEXT = re.compile(r'href="([^"]+)" rel="next"')
PREV = re.compile(r'href="([^"]+)" rel="prev"')


def link(pattern: re.Pattern[str], page: str) -> str | None:
    found = pattern.search(page)
    return found.group(1).replace("&amp;", "&") if found else None


def ticket_ids(page: str) -> list[int]:
    return [int(i) for i in re.findall(r'href="/admin/tickets/(\d+)"', page)]


def add_tickets(count: int, moment: datetime, same_time_every: int = 3) -> None:
    """``count`` open tickets; every ``same_time_every`` share their last reply time."""
    customer = make_customer("ala@example.test")
    with db.connection():
        department = Department.create(name="Techniczny", slug="techniczny")
        Ticket.insert_many(
            [
                {
                    "customer": customer.id,
                    "department": department.id,
                    "subject": f"Sprawa {index}",
                    "status": "open" if index % 7 else "closed",
                    "last_reply_at": moment - timedelta(seconds=index // same_time_every),
                }
                for index in range(count)
            ]
        ).execute()


def expected_queue(status: str = "active") -> list[int]:
    with db.connection():
        query = Ticket.select(Ticket.id)
        if status == "active":
            query = query.where(Ticket.status != "closed")
        return [t.id for t in query.order_by(Ticket.last_reply_at.desc(), Ticket.id.desc())]


def walk(client, path: str) -> tuple[list[int], list[str]]:
    """Every ticket id on every page from ``path`` on, following "next"; and the pages' URLs."""
    seen, urls = [], []
    url: str | None = path
    while url:
        urls.append(url)
        page = client.get(url).get_data(as_text=True)
        seen += ticket_ids(page)
        url = link(NEXT, page)
    return seen, urls


def test_the_queue_shows_every_ticket_once_in_order_with_ties(app):
    add_tickets(80, datetime(2026, 3, 16, 10, 0))
    browser = app.test_client()
    staff_login(browser, make_staff().email)
    seen, urls = walk(browser, "/admin/tickets")
    assert seen == expected_queue() and len(urls) == 3
    everything, _ = walk(browser, "/admin/tickets?status=all")
    assert everything == expected_queue("all")
    # Back from the last page by "previous": the same pages, in reverse.
    last = browser.get(urls[-1]).get_data(as_text=True)
    back = browser.get(link(PREV, last)).get_data(as_text=True)
    assert ticket_ids(back) == expected_queue()[25:50]
    first = browser.get(link(PREV, back)).get_data(as_text=True)
    assert ticket_ids(first) == expected_queue()[:25] and link(PREV, first) is None


def test_deleted_and_new_rows_do_not_shift_the_next_page(app):
    moment = datetime(2026, 3, 16, 10, 0)
    add_tickets(60, moment, same_time_every=1)
    order = expected_queue("all")
    browser = app.test_client()
    staff_login(browser, make_staff().email)
    page = browser.get("/admin/tickets?status=all").get_data(as_text=True)
    assert ticket_ids(page) == order[:25]
    with db.connection():
        # The row the cursor names and the first row of the next page go; a newer one comes on top.
        Ticket.delete().where(Ticket.id.in_([order[24], order[25]])).execute()
        model = Ticket.get_by_id(order[0])
        Ticket.create(
            customer=model.customer_id,
            department=model.department_id,
            subject="Nowa",
            last_reply_at=moment.replace(hour=11),
        )
    rest, _ = walk(browser, link(NEXT, page))
    assert rest == order[26:]


def test_pages_by_id_and_a_cursor_that_does_not_parse(app):
    with db.connection():
        Customer.insert_many(
            [{"email": f"k{index}@example.test", "password_hash": password_hash("x" * 12)} for index in range(12)]
        ).execute()
        ids = [c.id for c in Customer.select(Customer.id).order_by(Customer.id.desc())]
        query = Customer.select()
        first = keyset_page(query, [Customer.id], size=5)
        second = keyset_page(query, [Customer.id], size=5, after=first.older)
        third = keyset_page(query, [Customer.id], size=5, after=second.older)
        assert [c.id for c in first.rows + second.rows + third.rows] == ids
        assert first.newer is None and third.older is None and second.newer == str(ids[5])
        assert [c.id for c in keyset_page(query, [Customer.id], size=5, before=third.newer).rows] == ids[5:10]
        # A page "before" the second when newer rows were deleted: the first page, full.
        Customer.delete().where(Customer.id == ids[0]).execute()
        again = keyset_page(query, [Customer.id], size=5, before=second.newer)
        assert [c.id for c in again.rows] == ids[1:6] and again.newer is None
        for bad in ("abc", "1~2", "", None, "9" * 30):
            assert [c.id for c in keyset_page(query, [Customer.id], size=5, after=bad).rows] == ids[1:6]
        assert parse_cursor("2026-03-16T10:00:00~7", [Ticket.last_reply_at, Ticket.id]) == (
            datetime(2026, 3, 16, 10, 0),
            7,
        )


def test_a_queue_worked_from_the_oldest_pages_ascending(app):
    with db.connection():
        Customer.insert_many(
            [{"email": f"k{index}@example.test", "password_hash": password_hash("x" * 12)} for index in range(12)]
        ).execute()
        ids = [c.id for c in Customer.select(Customer.id).order_by(Customer.id)]
        query = Customer.select()
        first = keyset_page(query, [Customer.id], size=5, ascending=True)
        second = keyset_page(query, [Customer.id], size=5, after=first.older, ascending=True)
        third = keyset_page(query, [Customer.id], size=5, after=second.older, ascending=True)
        assert [c.id for c in first.rows + second.rows + third.rows] == ids
        assert first.newer is None and third.older is None and second.newer == str(ids[5])
        back = keyset_page(query, [Customer.id], size=5, before=third.newer, ascending=True)
        assert [c.id for c in back.rows] == ids[5:10] and back.older == str(ids[9])
        Customer.delete().where(Customer.id == ids[0]).execute()  # the oldest went: "previous" is the first page
        again = keyset_page(query, [Customer.id], size=5, before=second.newer, ascending=True)
        assert [c.id for c in again.rows] == ids[1:6] and again.newer is None


def test_counts_stop_at_the_cap(app):
    with db.connection():
        ActivityLog.insert_many([{"actor_kind": "system", "action": "test.row"}] * 12).execute()
        query = ActivityLog.select().where(ActivityLog.action == "test.row")
        assert capped_count(query, 20) == Count(12, 20) and capped_count(query, 20).exact
        assert capped_count(query, 12).exact and not capped_count(query, 11).exact
        assert capped_count(query, 5) == Count(6, 5)


def test_the_dashboard_says_more_than_the_cap(app):
    with db.connection():
        rows = [{"email": f"k{index}@example.test", "password_hash": "x"} for index in range(COUNT_CAP + 1)]
        Customer.insert_many(rows).execute()
    browser = app.test_client()
    staff_login(browser, make_staff().email)
    page = browser.get("/admin/").get_data(as_text=True).replace("\xa0", " ")
    assert 'data-testid="count-customers">ponad 1 000<' in page
    assert 'data-testid="count-services">0<' in page
    listed = browser.get("/admin/customers").get_data(as_text=True).replace("\xa0", " ")
    assert 'data-testid="customer-count">Klienci: ponad 1 000<' in listed


def test_each_status_of_the_queue_is_read_in_order_by_its_index(app):
    add_tickets(30, datetime(2026, 3, 16, 10, 0))
    with db.connection():
        query = Ticket.select(Ticket.id).where(Ticket.status == "open")
        sql, params = query.order_by(Ticket.last_reply_at.desc(), Ticket.id.desc()).limit(26).sql()
        if db.is_postgres():
            with db.database.atomic():
                db.database.execute_sql("SET LOCAL enable_seqscan = off")
                plan = " ".join(row[0] for row in db.database.execute_sql("EXPLAIN " + sql, params).fetchall())
            assert "ticket_status_last_reply_at_id" in plan and "Sort" not in plan, plan
        else:
            plan = " ".join(str(row[-1]) for row in db.database.execute_sql("EXPLAIN QUERY PLAN " + sql, params))
            assert "ticket_status_last_reply_at_id" in plan and "TEMP B-TREE" not in plan, plan


def add_entries(count: int, state: str = "queued") -> tuple[int, list[int]]:
    """A statement import with ``count`` transfers; its id and theirs, in the statement's order."""
    from datetime import date
    from decimal import Decimal

    from plugins.bankstatements.models import Bank, StatementEntry, StatementImport

    with db.connection():
        bank = Bank.create(slug="mbank", name="mBank", format="mt940")
        record = StatementImport.create(bank=bank, format="mt940", filename="w.sta", sha256="0" * 64)
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
                    "state": state if index % 5 else "booked",
                }
                for index in range(count)
            ]
        ).execute()
        return record.id, [e.id for e in StatementEntry.select(StatementEntry.id).order_by(StatementEntry.id)]


def walk_ids(client, path: str, pattern: str) -> tuple[list[int], list[str]]:
    """The ids ``pattern`` finds on every page from ``path`` on, following "next"; and the pages' URLs."""
    seen, urls = [], []
    url: str | None = path
    while url:
        urls.append(url)
        page = client.get(url).get_data(as_text=True)
        seen += [int(i) for i in re.findall(pattern, page)]
        url = link(NEXT, page)
    return seen, urls


def test_the_statement_queue_and_an_import_are_walked_oldest_first(app):
    record_id, ids = add_entries(460)
    queued = [entry_id for index, entry_id in enumerate(ids) if index % 5]
    browser = app.test_client()
    staff_login(browser, make_staff(role="billing").email)
    seen, urls = walk_ids(browser, "/admin/statements/queue", r'data-testid="queued-(\d+)"')
    assert seen == queued and len(urls) == -(-len(queued) // 25)
    seen, urls = walk_ids(browser, f"/admin/statements/{record_id}", r'data-testid="entry-(\d+)"')
    assert seen == ids and len(urls) == 3
    last = browser.get(urls[-1]).get_data(as_text=True)
    back = browser.get(link(PREV, last)).get_data(as_text=True)
    assert [int(i) for i in re.findall(r'data-testid="entry-(\d+)"', back)] == ids[200:400]


def test_cancellation_requests_are_walked_open_ones_oldest_first(app, hookbill_make):
    from datetime import date

    from core.models import Service
    from core.services.models import CancellationRequest

    customer = hookbill_make.customer("ala@example.test")
    product = hookbill_make.product("Hosting Start")
    statuses = ["requested", "approved", "refused", "done"]
    with db.connection():
        Service.insert_many(
            [
                {
                    "customer": customer.id,
                    "product": product.id,
                    "cycle": "monthly",
                    "status": "active",
                    "label": f"strona{index}.pl",
                    "anchor_date": date(2026, 3, 1),
                    "period_start": date(2026, 3, 1),
                    "next_due": date(2026, 4, 1),
                    "recurring_net": "50.00",
                }
                for index in range(130)
            ]
        ).execute()
        services = [s.id for s in Service.select(Service.id).order_by(Service.id)]
        CancellationRequest.insert_many(
            [
                {
                    "service": sid,
                    "customer": customer.id,
                    "timing": "end_of_period",
                    "ends_on": date(2026, 4, 1),
                    "status": statuses[index % len(statuses)],
                }
                for index, sid in enumerate(services)
            ]
        ).execute()
        rows = list(CancellationRequest.select().order_by(CancellationRequest.id))
    browser = app.test_client()
    staff_login(browser, make_staff(role="support").email)
    pattern = r'data-testid="cancellation-(\d+)"'
    seen, urls = walk_ids(browser, "/admin/cancellations", pattern)
    assert seen == [r.id for r in rows if r.status in ("requested", "approved")] and len(urls) == 2
    seen, _ = walk_ids(browser, "/admin/cancellations?status=all", pattern)
    assert seen == [r.id for r in reversed(rows)]
    seen, _ = walk_ids(browser, "/admin/cancellations?status=refused", pattern)
    assert seen == [r.id for r in reversed(rows) if r.status == "refused"]
