"""The admin shell: separate staff login, roles on every route, customer search, activity log."""

from __future__ import annotations

import re

import pytest

from core import db
from core.models import ActivityLog, Staff
from core.testing.queries import count_queries
from tests.helpers import make_customer, make_staff, post_form, staff_login


def test_customer_login_does_not_open_the_admin_area(app):
    make_customer("ala@example.test")
    browser = app.test_client()
    post_form(browser, "/login", {"email": "ala@example.test", "password": "correct horse battery"})
    assert browser.get("/admin/").headers["Location"].startswith("/admin/login")
    # ...and a customer's password is no staff password.
    assert staff_login(browser, "ala@example.test").status_code == 401


@pytest.mark.parametrize(
    "role,path,expected",
    [
        ("support", "/admin/staff", 403),
        ("billing", "/admin/staff", 403),
        ("admin", "/admin/staff", 200),
        ("support", "/admin/customers", 200),
        ("billing", "/admin/activity", 200),
    ],
)
def test_roles_are_checked_on_admin_routes(sqlite_app, role, path, expected):
    member = make_staff(f"{role}@example.test", role=role)
    browser = sqlite_app.test_client()
    staff_login(browser, member.email)
    assert browser.get(path).status_code == expected


def test_customer_search_and_pagination_in_constant_queries(app):
    for index in range(30):
        make_customer(f"klient{index:02d}@example.test", first_name=f"Imię{index}")
    make_customer("zofia@example.test", first_name="Zofia", last_name="Żółkiewska")
    browser = app.test_client()
    staff_login(browser, make_staff().email)
    page = browser.get("/admin/customers?q=żółk").get_data(as_text=True)
    assert "zofia@example.test" in page and "klient01@" not in page
    first = browser.get("/admin/customers").get_data(as_text=True)
    assert "zofia@" in first and "klient29@" in first and "klient05@" not in first
    assert 'data-testid="customer-count">Klienci: 31<' in first
    following = re.search(r'href="([^"]+)" rel="next"', first).group(1).replace("&amp;", "&")
    second = browser.get(following).get_data(as_text=True)
    assert "klient05@" in second and "klient00@" in second and "klient29@" not in second
    assert 'rel="next"' not in second and 'rel="prev"' in second
    with count_queries() as small:
        browser.get("/admin/customers?q=zofia")
    with count_queries() as large:
        browser.get("/admin/customers")
    assert small.count == large.count, large.diff(small)


def test_staff_management_is_logged(app):
    admin = make_staff()
    browser = app.test_client()
    staff_login(browser, admin.email)
    response = post_form(
        browser,
        "/admin/staff",
        {"name": "Bartek", "email": "bartek@example.test", "role": "support", "password": "support password"},
    )
    assert response.status_code == 302
    with db.connection():
        member = Staff.get(Staff.email == "bartek@example.test")
        entry = ActivityLog.get(ActivityLog.action == "staff.created")
    assert (
        member.role == "support" and entry.actor_id == admin.id and entry.details == {"role": "support", "via": "admin"}
    )
    assert "staff.created" in browser.get("/admin/activity").get_data(as_text=True)


def test_staff_status_change_of_a_customer_is_logged(app):
    customer = make_customer()
    browser = app.test_client()
    staff_login(browser, make_staff().email)
    post_form(
        browser,
        f"/admin/customers/{customer.id}/status",
        {"status": "suspended"},
        form_page=f"/admin/customers/{customer.id}",
    )
    with db.connection():
        entry = ActivityLog.get(ActivityLog.action == "customer.status")
    assert entry.details == {"old": "active", "new": "suspended"} and entry.customer_id == customer.id


def test_staff_suspend_a_service_from_the_customer_page(app):
    from core.models import OutboxMessage, Service
    from tests.catalogue import make_service

    customer = make_customer()
    with db.connection():
        svc = make_service(customer)
    browser = app.test_client()
    staff_login(browser, make_staff(role="support").email)
    page = browser.get(f"/admin/customers/{customer.id}").get_data(as_text=True)
    assert f'id="service-status-{svc.id}"' in page
    post_form(
        browser,
        f"/admin/services/{svc.id}/status",
        {"status": "suspended", "reason": "nieopłacona", "confirmed": "1"},
        form_page=f"/admin/customers/{customer.id}",
    )
    with db.connection():
        assert Service.get_by_id(svc.id).status == "suspended"
        assert OutboxMessage.get(OutboxMessage.kind == "provisioning").payload["action"] == "suspend"
    refused = post_form(
        browser,
        f"/admin/services/{svc.id}/status",
        {"status": "pending"},
        form_page=f"/admin/customers/{customer.id}",
        follow_redirects=True,
    )
    assert "niedozwolona" in refused.get_data(as_text=True)
