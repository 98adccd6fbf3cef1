"""Login throttling: by account and address together, a growing Retry-After, a hard limit per address.

An attacker who knows a customer's e-mail cannot lock the customer out: the
owner, from the address they log in from, still gets in.
"""

from __future__ import annotations

from datetime import timedelta

import pytest

from core import clock, db
from core.models import ActivityLog
from tests.helpers import PASSWORD, csrf, make_customer, make_staff

OWNER = "198.51.100.10"
ATTACKER = "203.0.113.9"
PAIR, PER_ADDRESS, PER_ACCOUNT = 3, 6, 6  # lower than the defaults: every attempt below hashes a password


@pytest.fixture
def app_overrides():
    return {
        "security": {
            "login_attempts": PAIR,
            "login_attempts_per_address": PER_ADDRESS,
            "login_attempts_per_account": PER_ACCOUNT,
        }
    }


def attempt(client, email: str, password: str, ip: str, path: str = "/login"):
    """One login form post from ``ip``."""
    token = csrf(client, path)
    return client.post(
        path, data={"email": email, "password": password, "csrf_token": token}, environ_base={"REMOTE_ADDR": ip}
    )


def failures(action: str = "customer.login_failed") -> int:
    with db.connection():
        return ActivityLog.select().where(ActivityLog.action == action).count()


@pytest.fixture(autouse=True)
def frozen():
    clock.freeze("2026-05-04T10:00:00")
    yield
    clock.freeze(None)


def test_the_owner_gets_in_from_their_address_while_the_attacker_waits_longer_each_time(app):
    make_customer("ala@example.test")
    owner, attacker = app.test_client(), app.test_client()
    assert attempt(owner, "ala@example.test", PASSWORD, OWNER).status_code == 302
    for _ in range(PAIR):
        assert attempt(attacker, "ala@example.test", "wrong password!", ATTACKER).status_code == 401
    first = attempt(attacker, "ala@example.test", PASSWORD, ATTACKER)  # even the right password waits
    assert first.status_code == 429
    assert first.headers["Retry-After"] == "30"
    clock.advance(timedelta(seconds=30))
    assert attempt(attacker, "ala@example.test", "wrong password!", ATTACKER).status_code == 401
    second = attempt(attacker, "ala@example.test", "wrong password!", ATTACKER)
    assert second.status_code == 429
    assert second.headers["Retry-After"] == "60"  # the wait doubles with each failure past the limit
    assert failures() == PAIR + 1  # refused attempts were not evaluated
    # Meanwhile the owner, from their own address, logs in at once.
    fresh_owner = app.test_client()
    assert attempt(fresh_owner, "ala@example.test", PASSWORD, OWNER).status_code == 302
    assert fresh_owner.get("/").status_code == 200


def test_many_addresses_against_one_account_are_held_but_not_the_owners_address(app):
    make_customer("ala@example.test")
    assert attempt(app.test_client(), "ala@example.test", PASSWORD, OWNER).status_code == 302
    for n in range(PER_ACCOUNT):
        bot = app.test_client()
        assert attempt(bot, "ala@example.test", f"guess number {n}", f"192.0.2.{n + 1}").status_code == 401
    newcomer = attempt(app.test_client(), "ala@example.test", "guess number 21", "192.0.2.200")
    assert newcomer.status_code == 429
    assert 0 < int(newcomer.headers["Retry-After"]) <= 900
    assert attempt(app.test_client(), "ala@example.test", PASSWORD, OWNER).status_code == 302


def test_one_address_has_a_hard_limit_across_accounts(app):
    make_customer("ala@example.test")
    client = app.test_client()
    for n in range(PER_ADDRESS):
        assert attempt(client, f"victim{n}@example.test", "wrong password!", ATTACKER).status_code == 401
    refused = attempt(client, "ala@example.test", PASSWORD, ATTACKER)  # a right password, from that address
    assert refused.status_code == 429
    assert refused.headers["Retry-After"] == "900"
    clock.advance(timedelta(seconds=901))
    assert attempt(client, "ala@example.test", PASSWORD, ATTACKER).status_code == 302


def test_ipv6_neighbours_in_one_network_share_the_address_limit(app):
    client = app.test_client()
    for n in range(PER_ADDRESS):
        ip = f"2001:db8:1:2::{n + 1:x}"
        assert attempt(client, f"victim{n}@example.test", "wrong password!", ip).status_code == 401
    assert attempt(client, "other@example.test", "wrong password!", "2001:db8:1:2:ffff::1").status_code == 429
    assert attempt(client, "other@example.test", "wrong password!", "2001:db8:1:3::1").status_code == 401


def test_staff_logins_are_throttled_the_same_way(app):
    make_staff("staff@example.test")
    owner, attacker = app.test_client(), app.test_client()
    for _ in range(PAIR):
        assert attempt(attacker, "staff@example.test", "wrong password!", ATTACKER, "/admin/login").status_code == 401
    assert attempt(attacker, "staff@example.test", PASSWORD, ATTACKER, "/admin/login").status_code == 429
    assert attempt(owner, "staff@example.test", PASSWORD, OWNER, "/admin/login").status_code == 302
    assert failures("staff.login_failed") == PAIR


def test_a_known_address_is_kept_for_ninety_days_and_failures_for_two(app):
    from core import ratelimit
    from core.models import RateEvent

    make_customer("ala@example.test")
    client = app.test_client()
    assert attempt(client, "ala@example.test", PASSWORD, OWNER).status_code == 302
    assert attempt(client, "ala@example.test", "wrong password!", ATTACKER).status_code == 401
    with db.connection():
        clock.advance(timedelta(days=3))
        ratelimit.prune(timedelta(days=2))
        assert [e.scope for e in RateEvent.select()] == ["login-customer-known"]
        clock.advance(timedelta(days=88))
        ratelimit.prune(timedelta(days=2))
        assert RateEvent.select().count() == 0
