"""Personal API tokens: shown once, hash only, revoking, expiry, suspension, reset, rate limit, CSRF."""

from __future__ import annotations

import hashlib
import re
from datetime import timedelta

import pytest

from core import clock, db
from core.accounts import service as accounts
from core.accounts import tokens as account_tokens
from core.api.models import ApiToken
from core.models import ActivityLog, Customer
from tests.api_helpers import bearer, token_for
from tests.helpers import PASSWORD, csrf, login, make_customer, make_staff, post_form, staff_login

TOKEN_RE = re.compile(r'data-testid="token-value">(hbk_[A-Za-z0-9_-]+)<')


@pytest.fixture
def app_overrides() -> dict:
    return {"api": {"failed_token_limit": 3, "failed_token_window_minutes": 10}}


def _table_text() -> str:
    with db.connection():
        return repr(list(ApiToken.select().dicts())) + repr(list(ActivityLog.select().dicts()))


def test_token_is_shown_once_stored_as_hash_and_revoked_from_the_page(client):
    clock.freeze("2026-03-16T12:00:00")
    make_customer("ala@example.test")
    login(client, "ala@example.test")
    profile = client.get("/profile").get_data(as_text=True)
    assert "/profile/api-tokens" in profile
    created = post_form(client, "/profile/api-tokens", {"name": "Backup serwera", "expires_in_days": "0"})
    assert created.status_code == 201 and created.headers["Cache-Control"] == "no-store"
    raw = TOKEN_RE.search(created.get_data(as_text=True)).group(1)
    page = client.get("/profile/api-tokens").get_data(as_text=True)
    assert raw not in page and raw[:12] in page and "Backup serwera" in page
    assert "„Wyloguj wszędzie” unieważnia wszystkie tokeny" in page  # when tokens stop working, in Polish
    assert raw not in _table_text()
    with db.connection():
        row = ApiToken.get()
        assert row.token_hash == hashlib.sha256(raw.encode()).hexdigest() and row.prefix == raw[:12]
        assert ActivityLog.select().where(ActivityLog.action == "api_token.created").count() == 1
    fresh = client.__class__(client.application)  # no cookie: the token alone
    assert fresh.get("/api/v1/me", headers=bearer(raw)).get_json()["customer"]["email"] == "ala@example.test"
    revoked = client.post(
        f"/profile/api-tokens/{row.id}/revoke", data={"csrf_token": csrf(client, "/profile/api-tokens")}
    )
    assert revoked.status_code == 302
    assert fresh.get("/api/v1/me", headers=bearer(raw)).status_code == 401
    with db.connection():
        assert ActivityLog.select().where(ActivityLog.action == "api_token.revoked").count() == 1
    assert raw not in _table_text()


def test_bad_names_rerender_with_422_and_another_customers_token_is_404(client):
    alice = make_customer("ala@example.test")
    make_customer("bob@example.test")
    token_for(alice)
    login(client, "bob@example.test")
    bad = post_form(client, "/profile/api-tokens", {"name": "", "expires_in_days": "0"})
    assert bad.status_code == 422 and "hbk_" not in bad.get_data(as_text=True)
    with db.connection():
        alices = ApiToken.get()
    response = client.post(
        f"/profile/api-tokens/{alices.id}/revoke", data={"csrf_token": csrf(client, "/profile/api-tokens")}
    )
    assert response.status_code == 404
    with db.connection():
        assert ApiToken.get_by_id(alices.id).revoked_at is None


def test_missing_and_bad_tokens_are_401_then_the_address_is_rate_limited(client):
    raw = token_for(make_customer())
    missing = client.get("/api/v1/me")
    assert missing.status_code == 401 and missing.headers["WWW-Authenticate"].startswith("Bearer")
    assert missing.get_json()["error"] == "unauthorized"
    for attempt in range(3):
        wrong = client.get("/api/v1/services", headers=bearer(raw[:-3] + "xyz"))
        assert wrong.status_code == 401 and "invalid_token" in wrong.headers["WWW-Authenticate"], attempt
        assert wrong.get_json()["error"] == "invalid_token"
    limited = client.get("/api/v1/me", headers=bearer(raw))
    assert limited.status_code == 429 and limited.get_json()["error"] == "rate_limited"
    assert int(limited.headers["Retry-After"]) > 0
    other_address = client.get("/api/v1/me", headers=bearer(raw), environ_base={"REMOTE_ADDR": "10.9.9.9"})
    assert other_address.status_code == 200


def test_bearer_post_needs_no_csrf_but_a_cookie_post_does(client):
    from tests.upgrade_helpers import link, product, service, setup_seller

    clock.freeze("2026-03-16T12:00:00")
    alice = make_customer("ala@example.test")
    with db.connection():
        setup_seller()
        basic = product("basic", "Basic", {"monthly": "50.00"})
        pro = product("pro", "Pro", {"monthly": "100.00"})
        link(basic, pro)
        svc = service(
            alice,
            basic,
            "monthly",
            clock.today().replace(day=1),
            clock.today().replace(day=1),
            clock.today().replace(month=4, day=1),
            "50.00",
        )
    login(client, "ala@example.test")
    body = {"product": pro.id, "cycle": "monthly"}
    no_csrf = client.post(f"/api/v1/services/{svc.id}/change", json=body)
    assert no_csrf.status_code == 400 and no_csrf.mimetype == "application/json"
    with db.connection():
        assert ApiToken.select().count() == 0
    raw = token_for(alice)
    by_token = client.__class__(client.application).post(
        f"/api/v1/services/{svc.id}/change", json=body, headers=bearer(raw)
    )
    assert by_token.status_code == 201, by_token.get_data(as_text=True)
    assert by_token.get_json()["status"] == "awaiting_payment"
    ticket_no_csrf = client.post("/api/v1/tickets", json={"department": "x", "subject": "s", "body": "b"})
    assert ticket_no_csrf.status_code == 400


def test_partial_session_is_not_an_api_login(client):
    make_customer()
    login(client, "ala@example.test")
    assert client.get("/api/v1/me").status_code == 200
    with client.session_transaction() as session:
        session["_auth"] = "partial"
        session["_second_factor_url"] = "/login/second-factor"
    response = client.get("/api/v1/me")
    assert response.status_code == 401 and response.get_json()["error"] == "unauthorized"


def test_suspension_stops_tokens_at_once_and_expiry_ends_them(client):
    clock.freeze("2026-03-16T12:00:00")
    alice = make_customer()
    staff = make_staff()
    raw = token_for(alice)
    short = token_for(alice, "krótki", days=30)
    assert client.get("/api/v1/me", headers=bearer(raw)).status_code == 200
    with db.connection():
        accounts.set_customer_status(Customer.get_by_id(alice.id), "suspended", staff)
    assert client.get("/api/v1/me", headers=bearer(raw)).status_code == 401
    with db.connection():
        accounts.set_customer_status(Customer.get_by_id(alice.id), "active", staff)
    assert client.get("/api/v1/me", headers=bearer(short)).status_code == 200
    clock.freeze("2026-04-15T14:00:01")  # local time (CEST): past 30 days in UTC
    assert client.get("/api/v1/me", headers=bearer(short)).status_code == 401
    assert client.get("/api/v1/me", headers=bearer(raw)).status_code == 200


def test_last_used_is_written_at_most_once_a_minute(client):
    clock.freeze("2026-03-16T12:00:00")
    raw = token_for(make_customer())

    def last_used():
        with db.connection():
            return ApiToken.get().last_used_at

    client.get("/api/v1/me", headers=bearer(raw))
    first = last_used()
    assert first is not None
    clock.freeze("2026-03-16T12:00:40")
    client.get("/api/v1/me", headers=bearer(raw))
    assert last_used() == first
    clock.freeze("2026-03-16T12:01:01")
    client.get("/api/v1/me", headers=bearer(raw))
    assert last_used() > first


def test_logout_everywhere_a_password_change_and_a_reset_each_revoke_tokens(client):
    alice = make_customer()
    login(client, "ala@example.test")
    page = client.post("/profile/logout-everywhere", data={"csrf_token": csrf(client, "/profile")})
    assert "tokeny API" in page.get_data(as_text=True)  # the confirmation says tokens go too
    raw = token_for(alice)
    assert client.get("/api/v1/me", headers=bearer(raw)).status_code == 200
    confirmed = client.post(
        "/profile/logout-everywhere", data={"csrf_token": csrf(client, "/profile"), "confirmed": "1"}
    )
    assert confirmed.status_code == 302
    assert client.get("/api/v1/me", headers=bearer(raw)).status_code == 401
    with db.connection():
        assert ApiToken.get().revoked_reason == "logout_everywhere"

    raw = token_for(alice, "Second")
    login(client, "ala@example.test")
    form = {"current_password": PASSWORD, "new_password": "a new long password 2026"}
    assert post_form(client, "/profile/password", form, form_page="/profile").status_code == 302
    assert client.get("/api/v1/me", headers=bearer(raw)).status_code == 401
    with db.connection():
        assert ApiToken.get(ApiToken.name == "Second").revoked_reason == "password_changed"

    raw = token_for(alice, "Third")
    with db.connection():
        reset = account_tokens.issue("reset_password", "customer", alice.id, timedelta(minutes=30))
    with db.connection():
        accounts.reset_password(reset, "another long password 2026")
        assert ApiToken.get(ApiToken.name == "Third").revoked_reason == "password_reset"
    assert client.get("/api/v1/me", headers=bearer(raw)).status_code == 401


def test_staff_see_tokens_on_the_customer_page_and_revoke_them(client):
    clock.freeze("2026-03-16T12:00:00")
    alice = make_customer()
    make_staff("wsparcie@example.test", role="support")
    raw = token_for(alice, "Monitoring")
    client.get("/api/v1/me", headers=bearer(raw))
    staff_login(client, "wsparcie@example.test")
    page = client.get(f"/admin/customers/{alice.id}").get_data(as_text=True)
    assert "Monitoring" in page and raw[:12] in page and raw not in page
    with db.connection():
        token = ApiToken.get()
    response = client.post(
        f"/admin/customers/{alice.id}/api-tokens/{token.id}/revoke",
        data={"csrf_token": csrf(client, f"/admin/customers/{alice.id}")},
    )
    assert response.status_code == 302
    with db.connection():
        entry = ActivityLog.get(ActivityLog.action == "api_token.revoked")
        assert entry.actor_kind == "staff" and entry.customer_id == alice.id
        assert ApiToken.get().revoked_reason == "staff"
    assert client.get("/api/v1/me", headers=bearer(raw)).status_code == 401
