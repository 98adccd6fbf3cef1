"""Forty attempts at once against gunicorn: the login and TOTP limits hold on both engines.

The limit is 5. Before, PostgreSQL evaluated 8 passwords and 7 codes: each
attempt counted the earlier failures, then checked, then recorded, without a
lock. Now every attempt is counted before it is evaluated, under a lock per
account and address, so exactly 5 are evaluated and the other 35 are refused
with 429 before any password is hashed or code compared.
"""

from __future__ import annotations

import http.cookiejar
import re
import time
import urllib.error
import urllib.parse
import urllib.request
from concurrent.futures import ThreadPoolExecutor

import pyotp

from core import db
from core.models import ActivityLog, Customer
from plugins.totp import service as totp
from tests.helpers import PASSWORD, make_customer
from tests.support.gunicorn import gunicorn_server

ATTEMPTS = 40
LIMIT = 5
TOKEN_RE = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"')


def _opener() -> urllib.request.OpenerDirector:
    class NoRedirect(urllib.request.HTTPRedirectHandler):
        def redirect_request(self, *args, **kwargs):  # type: ignore[no-untyped-def]
            return None

    return urllib.request.build_opener(urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar()), NoRedirect)


def _post(opener: urllib.request.OpenerDirector, url: str, data: dict[str, str]) -> int:
    request = urllib.request.Request(url, data=urllib.parse.urlencode(data).encode(), method="POST")
    try:
        with opener.open(request, timeout=120) as response:
            return response.status
    except urllib.error.HTTPError as exc:
        return exc.code


def _form_token(opener: urllib.request.OpenerDirector, url: str) -> str:
    match = TOKEN_RE.search(opener.open(url, timeout=60).read().decode())
    assert match, url
    return match.group(1)


def _count(action: str) -> int:
    with db.connection():
        return ActivityLog.select().where(ActivityLog.action == action).count()


def _serve(app, tmp_path, **env: str):
    url = str(app.config["HOOKBILL"].get_value("database.url"))
    db.database.obj.close()
    # A slot per worker: the hashing slots refuse strangers when busy, which is not the limit under test here.
    env.setdefault("HOOKBILL_SECURITY_PASSWORD_HASH_CONCURRENCY", "4")
    return gunicorn_server(url, tmp_path, workers=4, extra_env=env)


def test_forty_concurrent_wrong_passwords_evaluate_five(app, tmp_path):
    make_customer("ala@example.test")
    with _serve(app, tmp_path) as base:
        visitors = [_opener() for _ in range(ATTEMPTS)]
        tokens = [_form_token(visitor, f"{base}/login") for visitor in visitors]
        with ThreadPoolExecutor(max_workers=ATTEMPTS) as pool:
            statuses = list(
                pool.map(
                    lambda pair: _post(
                        pair[0],
                        f"{base}/login",
                        {"email": "ala@example.test", "password": "wrong password!", "csrf_token": pair[1]},
                    ),
                    zip(visitors, tokens, strict=True),
                )
            )
    assert sorted(statuses) == [401] * LIMIT + [429] * (ATTEMPTS - LIMIT), statuses
    assert _count("customer.login_failed") == LIMIT


def test_forty_concurrent_wrong_codes_try_five_and_lock(app, tmp_path):
    customer = make_customer("ala@example.test")
    with db.connection():
        account = Customer.get_by_id(customer.id)
        secret = totp.begin_enrollment(account).secret
        totp.confirm_enrollment(account, pyotp.TOTP(secret).now())
    moment = int(time.time())
    valid = {pyotp.TOTP(secret).at(moment + 30 * offset) for offset in range(-3, 4)}  # every code near now
    wrong = next(code for code in ("123456", "654321", "111111") if code not in valid)
    key = str(app.config["HOOKBILL"].get_value("totp.encryption_key"))
    with _serve(app, tmp_path, HOOKBILL_TOTP_ENCRYPTION_KEY=key) as base:
        browser = _opener()
        login_token = _form_token(browser, f"{base}/login")
        form = {"email": "ala@example.test", "password": PASSWORD, "csrf_token": login_token}
        assert _post(browser, f"{base}/login", form) == 302
        token = _form_token(browser, f"{base}/login/2fa")
        with ThreadPoolExecutor(max_workers=ATTEMPTS) as pool:
            statuses = list(
                pool.map(
                    lambda _: _post(browser, f"{base}/login/2fa", {"code": wrong, "csrf_token": token}), range(ATTEMPTS)
                )
            )
    assert sorted(statuses) == [422] * LIMIT + [429] * (ATTEMPTS - LIMIT), statuses
    assert _count("totp.failed") == LIMIT
    assert _count("totp.locked") == 1
