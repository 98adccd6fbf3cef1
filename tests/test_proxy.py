"""Behind a reverse proxy: the client's address is the one the trusted proxy saw, never a forged one.

Every consumer of the address (login limits, API token limits, the activity
log, session rows) goes through ``core.web.access.client_ip``; these tests
send forged ``X-Forwarded-For`` headers with no proxy configured (ignored) and
with one trusted proxy (only the last hop, the proxy's own entry, is taken).
"""

from __future__ import annotations

from decimal import Decimal

import pytest

from core import db
from core.api.tokens import create_token
from core.config import ConfigError
from core.documents.build import LineInput
from core.documents.issuing import issue_document
from core.models import ActivityLog, Customer, WebSession
from tests.conftest import make_config
from tests.helpers import PASSWORD, csrf, csrf_from, make_customer
from tests.upgrade_helpers import billing_profile, setup_seller

PROXY = "127.0.0.1"
LIMITS = {"security": {"login_attempts_per_address": 3}, "api": {"failed_token_limit": 3}}
BEHIND_ONE_PROXY = {"app": {"trusted_proxies": 1}, **LIMITS}


def attempt(client, email: str, password: str, socket: str, forwarded: str | None):
    headers = {"X-Forwarded-For": forwarded} if forwarded is not None else {}
    token = csrf(client, "/login")
    return client.post(
        "/login",
        data={"email": email, "password": password, "csrf_token": token},
        headers=headers,
        environ_base={"REMOTE_ADDR": socket},
    )


def addresses(action: str) -> set[str]:
    with db.connection():
        return {row.ip for row in ActivityLog.select().where(ActivityLog.action == action)}


def session_addresses() -> set[str]:
    with db.connection():
        return {row.ip for row in WebSession.select()}


@pytest.mark.parametrize("app_overrides", [LIMITS])
def test_without_a_trusted_proxy_forwarded_headers_are_ignored(app):
    make_customer("ala@example.test")
    attacker = app.test_client()
    for n in range(3):  # a new forged address each time does not escape the limit of the socket's address
        forged = f"198.51.100.{n + 1}"
        assert attempt(attacker, f"victim{n}@example.test", "wrong password!", "10.1.1.1", forged).status_code == 401
    assert attempt(attacker, "ala@example.test", PASSWORD, "10.1.1.1", "198.51.100.77").status_code == 429
    assert addresses("customer.login_failed") == {"10.1.1.1"}
    owner = app.test_client()
    assert attempt(owner, "ala@example.test", PASSWORD, "10.1.1.2", "203.0.113.9").status_code == 302
    assert addresses("customer.login") == {"10.1.1.2"}
    assert session_addresses() == {"10.1.1.2"}


@pytest.mark.parametrize("app_overrides", [BEHIND_ONE_PROXY])
def test_behind_one_proxy_the_last_hop_is_the_client_and_a_forged_left_part_is_ignored(app):
    make_customer("ala@example.test")
    attacker = app.test_client()
    for n in range(3):  # the attacker writes its own header; nginx appends the address it saw
        forwarded = f"198.51.100.{n + 1}, 203.0.113.9"
        assert attempt(attacker, f"victim{n}@example.test", "wrong password!", PROXY, forwarded).status_code == 401
    assert attempt(attacker, "ala@example.test", PASSWORD, PROXY, "10.9.9.9, 203.0.113.9").status_code == 429
    assert addresses("customer.login_failed") == {"203.0.113.9"}
    # Every request comes from the proxy's socket, yet another customer is not held by the attacker's failures.
    owner = app.test_client()
    assert attempt(owner, "ala@example.test", PASSWORD, PROXY, "198.51.100.20").status_code == 302
    assert owner.get("/", headers={"X-Forwarded-For": "198.51.100.20"}).status_code == 200
    assert addresses("customer.login") == {"198.51.100.20"}
    assert session_addresses() == {"198.51.100.20"}


@pytest.mark.parametrize("app_overrides", [BEHIND_ONE_PROXY])
def test_behind_one_proxy_api_token_limits_count_the_real_client(app):
    make_customer("ala@example.test")
    with db.connection():
        _token, raw = create_token(Customer.get(Customer.email == "ala@example.test"), "script")
    client = app.test_client()
    bad = {"Authorization": "Bearer hbk_wrong", "X-Forwarded-For": "10.0.0.1, 203.0.113.9"}
    for _ in range(3):
        assert client.get("/api/v1/me", headers=bad, environ_base={"REMOTE_ADDR": PROXY}).status_code == 401
    refused = client.get("/api/v1/me", headers=bad, environ_base={"REMOTE_ADDR": PROXY})
    assert refused.status_code == 429
    assert int(refused.headers["Retry-After"]) > 0
    good = {"Authorization": f"Bearer {raw}", "X-Forwarded-For": "198.51.100.20"}
    assert client.get("/api/v1/me", headers=good, environ_base={"REMOTE_ADDR": PROXY}).status_code == 200


def proforma_of_ala():
    with db.connection():
        setup_seller()
        customer = Customer.get(Customer.email == "ala@example.test")
        billing_profile(customer)
        with db.write_transaction():
            return issue_document(customer, "proforma", [LineInput("Hosting", Decimal(1), "szt.", Decimal("10.00"))])


@pytest.mark.parametrize(
    ("app_overrides", "scheme"), [(LIMITS, "http"), (BEHIND_ONE_PROXY, "https")], ids=["no-proxy", "one-proxy"]
)
def test_the_scheme_comes_from_the_trusted_proxy_only(app, scheme):
    make_customer("ala@example.test")
    proforma = proforma_of_ala()
    client = app.test_client()
    # Over HTTPS Flask-WTF also wants a same-site Referer on a form post, as browsers send it.
    headers = {"X-Forwarded-For": "198.51.100.20", "X-Forwarded-Proto": "https", "Referer": "https://localhost/"}
    token = csrf(client, "/login")
    form = {"email": "ala@example.test", "password": PASSWORD, "csrf_token": token}
    assert client.post("/login", data=form, headers=headers, environ_base={"REMOTE_ADDR": PROXY}).status_code == 302
    page = client.get(f"/invoices/{proforma.id}", headers=headers, environ_base={"REMOTE_ADDR": PROXY})
    started = client.post(
        f"/pay/testgateway/{proforma.id}",
        data={"csrf_token": csrf_from(page.get_data(as_text=True))},
        headers=headers,
        environ_base={"REMOTE_ADDR": PROXY},
    )
    # The gateway's address is built from the request's own URL: https only when the trusted proxy says so.
    assert started.headers["Location"] == f"{scheme}://localhost/pay/testgateway/checkout/{proforma.id}"


@pytest.mark.parametrize("value", [-1, "two", True])
def test_a_bad_number_of_proxies_refuses_to_start_naming_the_key(tmp_path, value):
    from core.app import create_app

    config = make_config(f"sqlite:///{tmp_path / 'db.sqlite3'}", tmp_path, 25, app={"trusted_proxies": value})
    with pytest.raises(ConfigError, match=r"app\.trusted_proxies"):
        create_app(config)
