"""Staff and two-step verification: required by config, forced enrollment, the admin code form."""

from __future__ import annotations

import re
from datetime import timedelta

import pyotp
import pytest

from core import clock
from tests.helpers import csrf_from, make_staff, post_form, staff_login

T0 = "2026-03-16T12:00:00"
SECRET_RE = re.compile(r'data-testid="totp-secret"[^>]*>([^<]+)<')


def code_now(secret: str) -> str:
    return pyotp.TOTP(secret).at(clock.now())


@pytest.fixture
def app_overrides():
    return {"totp": {"require_for_staff": True}}


def test_staff_without_2fa_is_sent_to_enroll_when_required(client):
    clock.freeze(T0)
    make_staff()
    response = staff_login(client, "staff@example.test")
    assert response.headers["Location"].endswith("/admin/login/2fa")
    assert client.get("/admin/").headers["Location"].endswith("/admin/login/2fa")
    assert client.get("/admin/login/2fa").headers["Location"].endswith("/admin/login/2fa/setup")
    start = post_form(client, "/admin/login/2fa/setup/start", {}, form_page="/admin/login/2fa/setup")
    assert start.status_code == 302
    setup = client.get("/admin/login/2fa/setup").get_data(as_text=True)
    secret = SECRET_RE.search(setup).group(1).replace(" ", "")
    done = client.post("/admin/login/2fa/setup", data={"csrf_token": csrf_from(setup), "code": code_now(secret)})
    assert done.status_code == 200 and 'data-testid="recovery-codes"' in done.get_data(as_text=True)
    assert client.get("/admin/").status_code == 200
    assert client.get("/admin/security/2fa").status_code == 200


def test_staff_with_2fa_logs_in_through_the_admin_code_form(client):
    clock.freeze(T0)
    make_staff()
    staff_login(client, "staff@example.test")
    post_form(client, "/admin/login/2fa/setup/start", {}, form_page="/admin/login/2fa/setup")
    setup = client.get("/admin/login/2fa/setup").get_data(as_text=True)
    secret = SECRET_RE.search(setup).group(1).replace(" ", "")
    client.post("/admin/login/2fa/setup", data={"csrf_token": csrf_from(setup), "code": code_now(secret)})
    post_form(client, "/admin/logout", {}, form_page="/admin/")

    response = staff_login(client, "staff@example.test")
    assert response.headers["Location"].endswith("/admin/login/2fa")
    assert client.get("/admin/customers").headers["Location"].endswith("/admin/login/2fa")
    assert client.get("/").headers["Location"].endswith("/admin/login/2fa")
    assert client.get("/admin/login/2fa/setup").status_code == 404  # enrolled: nothing to set up
    same_step = post_form(client, "/admin/login/2fa", {"code": code_now(secret)})
    assert same_step.status_code == 422  # the code used to confirm cannot log in again
    clock.advance(timedelta(seconds=30))
    done = post_form(client, "/admin/login/2fa", {"code": code_now(secret)})
    assert done.status_code == 302 and done.headers["Location"].endswith("/admin/")
    assert client.get("/admin/customers").status_code == 200
