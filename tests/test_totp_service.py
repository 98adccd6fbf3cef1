"""TOTP domain rules: drift, replay, lockout, recovery codes, encryption at rest, staff reset."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pyotp
import pytest

from core import clock, db, outbox
from core.errors import RateLimited, ValidationError
from core.models import ActivityLog
from plugins.totp import service
from plugins.totp.models import TotpCredential
from tests.helpers import PASSWORD, make_customer, make_staff

T0 = "2026-03-16T12:00:00"


def code_at(secret: str, offset_seconds: int = 0) -> str:
    """The code an authenticator app shows ``offset_seconds`` from the frozen now."""
    return pyotp.TOTP(secret).at(clock.now() + timedelta(seconds=offset_seconds))


def enrolled(email: str = "ala@example.test"):
    """A customer with 2FA confirmed at the frozen now; returns (customer, secret, recovery codes)."""
    customer = make_customer(email)
    secret = service.begin_enrollment(customer).secret
    codes = service.confirm_enrollment(customer, code_at(secret))
    return customer, secret, codes


def test_code_accepted_once_and_replay_refused(conn):
    clock.freeze(T0)
    customer, secret, _ = enrolled()
    clock.advance(timedelta(seconds=60))
    code = code_at(secret)
    assert service.verify(customer, code, "10.0.0.1") == "totp"
    with pytest.raises(service.WrongCode):
        service.verify(customer, code, "10.0.0.1")  # same time step again
    assert ActivityLog.get(ActivityLog.action == "totp.failed").details == {"reason": "replayed"}


def test_one_step_of_drift_accepted_two_steps_refused(conn):
    clock.freeze(T0)
    customer, secret, _ = enrolled()
    clock.advance(timedelta(seconds=120))
    with pytest.raises(service.WrongCode):
        service.verify(customer, code_at(secret, -60), "")  # two steps old
    with pytest.raises(service.WrongCode):
        service.verify(customer, code_at(secret, +60), "")  # two steps ahead
    assert service.verify(customer, code_at(secret, -30), "") == "totp"  # one step old
    with pytest.raises(service.WrongCode):
        service.verify(customer, code_at(secret, -60), "")  # older than the last used: refused


def test_confirming_needs_a_right_code_and_enrollment_is_off_until_then(conn):
    clock.freeze(T0)
    customer = make_customer()
    secret = service.begin_enrollment(customer).secret
    assert not service.is_enabled(customer)
    assert service.second_factor_path(customer, "customer") is None
    with pytest.raises(service.WrongCode):
        service.confirm_enrollment(customer, "000000" if code_at(secret) != "000000" else "111111")
    assert not service.is_enabled(customer)
    codes = service.confirm_enrollment(customer, code_at(secret))
    assert len(codes) == 10 and len(set(codes)) == 10
    assert service.is_enabled(customer)
    assert service.second_factor_path(customer, "customer") == "/login/2fa"
    assert service.recovery_codes_left(customer) == 10


def test_brute_force_locks_even_the_right_code_until_the_lock_ends(conn, smtp_server):
    clock.freeze(T0)
    customer, secret, _ = enrolled()
    clock.advance(timedelta(seconds=30))
    right = code_at(secret)
    wrong = "123456" if right != "123456" else "654321"
    for _ in range(5):  # totp.max_failures
        with pytest.raises(service.WrongCode):
            service.verify(customer, wrong, "10.0.0.2")
    with pytest.raises(RateLimited):
        service.verify(customer, right, "10.0.0.2")
    with pytest.raises(RateLimited):
        service.verify(customer, right, "10.9.9.9")  # another address: the account is locked
    actions = [row.action for row in ActivityLog.select().order_by(ActivityLog.id)]
    assert actions.count("totp.failed") == 5 and actions.count("totp.locked") == 1

    outbox.process()
    message = smtp_server.wait_for(lambda m: m["To"] == customer.email)
    body = message.get_content()
    assert "15" in body and "10.0.0.2" in body
    assert right not in body and secret not in body

    clock.advance(timedelta(minutes=15, seconds=30))
    assert service.verify(customer, code_at(secret), "10.0.0.2") == "totp"


def test_failures_from_one_address_are_limited_across_accounts(conn):
    clock.freeze(T0)
    accounts = [enrolled(f"user{i}@example.test") for i in range(5)]
    for customer, secret, _ in accounts:
        wrong = "123456" if code_at(secret) != "123456" else "654321"
        for _ in range(4):
            with pytest.raises(service.WrongCode):
                service.verify(customer, wrong, "10.0.0.3")
    customer, secret, _ = accounts[0]
    clock.advance(timedelta(seconds=30))
    with pytest.raises(RateLimited):
        service.verify(customer, code_at(secret), "10.0.0.3")  # 20 failures from this address
    assert service.verify(customer, code_at(secret), "10.0.0.4") == "totp"


def test_recovery_code_works_once(conn):
    clock.freeze(T0)
    customer, _, codes = enrolled()
    assert service.verify(customer, codes[0].upper().replace("-", " "), "") == "recovery"
    with pytest.raises(service.WrongCode):
        service.verify(customer, codes[0], "")
    assert service.recovery_codes_left(customer) == 9
    used = ActivityLog.get(ActivityLog.action == "totp.recovery_code_used")
    assert used.details == {"left": 9}


def test_regenerated_recovery_codes_replace_the_old_ones(conn):
    clock.freeze(T0)
    customer, secret, old = enrolled()
    clock.advance(timedelta(seconds=30))
    new = service.regenerate_recovery_codes(customer, code_at(secret), "")
    assert set(new).isdisjoint(old)
    with pytest.raises(service.WrongCode):
        service.verify(customer, old[1], "")
    assert service.verify(customer, new[1], "") == "recovery"


def test_secret_is_encrypted_at_rest(conn, app):
    clock.freeze(T0)
    _, secret, codes = enrolled()
    stored = db.database.obj.execute_sql("SELECT secret_encrypted FROM totp_credential").fetchall()
    assert len(stored) == 1
    assert secret not in stored[0][0] and secret.lower() not in stored[0][0].lower()
    hashes = db.database.obj.execute_sql("SELECT code_hash FROM totp_recovery_code").fetchall()
    assert not {h for (h,) in hashes} & {c.replace("-", "") for c in codes}
    for row in ActivityLog.select():
        assert secret not in str(row.details)
    url = str(app.config["HOOKBILL"].get_value("database.url"))
    if url.startswith("sqlite:///"):
        db.database.obj.execute_sql("PRAGMA wal_checkpoint(FULL)")
        raw = Path(url[len("sqlite:///") :]).read_bytes()
        assert secret.encode() not in raw


def test_turning_off_needs_the_password_and_a_code(conn):
    clock.freeze(T0)
    customer, secret, codes = enrolled()
    clock.advance(timedelta(seconds=30))
    with pytest.raises(ValidationError) as excinfo:
        service.disable(customer, code_at(secret), "wrong password", "")
    assert "password" in excinfo.value.errors
    assert service.is_enabled(customer)
    with pytest.raises(service.WrongCode):
        service.disable(customer, "000000" if code_at(secret) != "000000" else "111111", PASSWORD, "")
    service.disable(customer, codes[3], PASSWORD, "")
    assert not service.is_enabled(customer)
    assert TotpCredential.select().count() == 0
    assert ActivityLog.select().where(ActivityLog.action == "totp.disabled").count() == 1


def test_staff_reset_is_logged_and_mailed(conn, smtp_server):
    clock.freeze(T0)
    customer, secret, _ = enrolled()
    staff = make_staff()
    assert service.staff_reset(customer, staff, "10.1.1.1") is True
    assert not service.is_enabled(customer)
    row = ActivityLog.get(ActivityLog.action == "totp.staff_reset")
    assert (row.actor_kind, row.actor_id, row.customer_id) == ("staff", staff.id, customer.id)
    assert service.staff_reset(customer, staff) is False
    outbox.process()
    message = smtp_server.wait_for(lambda m: m["To"] == customer.email)
    assert secret not in message.get_content()


def test_staff_accounts_have_their_own_credential(conn):
    clock.freeze(T0)
    staff = make_staff()
    assert service.second_factor_path(staff, "staff") is None
    secret = service.begin_enrollment(staff).secret
    service.confirm_enrollment(staff, code_at(secret))
    assert service.second_factor_path(staff, "staff") == "/admin/login/2fa"
    clock.advance(timedelta(seconds=30))
    assert service.verify(staff, code_at(secret), "") == "totp"
