"""Fifty concurrent attempts to spend one balance, over real HTTP, against gunicorn -w 4."""

from __future__ import annotations

import http.cookiejar
import re
import urllib.parse
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from datetime import date
from decimal import Decimal as D

from core import clock, db
from core.balance_view import balance_of
from core.models import Document, LedgerEntry, Payment
from core.upgrades.confirm import confirm_change
from tests.helpers import PASSWORD, make_customer
from tests.support.gunicorn import gunicorn_server
from tests.upgrade_helpers import billing_profile, give_balance, link, product, service, setup_seller

ATTEMPTS = 50
TOKEN_RE = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"')


def _opener() -> urllib.request.OpenerDirector:
    class NoRedirect(urllib.request.HTTPRedirectHandler):
        def redirect_request(self, *args, **kwargs):  # type: ignore[no-untyped-def]
            return None

    return urllib.request.build_opener(urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar()), NoRedirect)


def _post(opener, url: str, data: dict[str, str]) -> int:
    request = urllib.request.Request(url, data=urllib.parse.urlencode(data).encode(), method="POST")
    try:
        with opener.open(request, timeout=60) as response:
            return response.status
    except urllib.error.HTTPError as exc:
        return exc.code


def test_fifty_concurrent_balance_payments_spend_once(app, tmp_path):
    clock.freeze("2026-03-16T12:00:00")
    with db.connection():
        setup_seller()
        customer = make_customer()
        billing_profile(customer)
        basic, pro = product("basic", "Basic", {"monthly": "50.00"}), product("pro", "Pro", {"monthly": "100.00"})
        link(basic, pro)
        svc = service(customer, basic, "monthly", date(2026, 3, 1), date(2026, 3, 1), date(2026, 4, 1), "50.00")
        proforma = confirm_change(customer.id, svc.id, pro.id, "monthly").document
        assert proforma.paid == 0
        give_balance(customer, "100.00")
    url = str(app.config["HOOKBILL"].get_value("database.url"))
    db.database.obj.close()
    with gunicorn_server(url, tmp_path, workers=4, clock_fixed="2026-03-16T12:00:00") as base:
        opener = _opener()
        page = opener.open(f"{base}/login", timeout=30).read().decode()
        status = _post(
            opener,
            f"{base}/login",
            {"email": customer.email, "password": PASSWORD, "csrf_token": TOKEN_RE.search(page).group(1)},
        )
        assert status == 302
        token = TOKEN_RE.search(opener.open(f"{base}/invoices/{proforma.id}", timeout=30).read().decode()).group(1)
        with ThreadPoolExecutor(max_workers=ATTEMPTS) as pool:
            statuses = list(
                pool.map(
                    lambda _: _post(opener, f"{base}/pay/balance/{proforma.id}", {"csrf_token": token}), range(ATTEMPTS)
                )
            )
    assert all(s in (302, 303) for s in statuses), statuses
    with db.connection():
        applied = list(LedgerEntry.select().where(LedgerEntry.kind == "applied"))
        assert [e.amount for e in applied] == [D("-31.73")]
        assert Payment.select().where(Payment.method == "balance").count() == 1
        assert balance_of(customer.id) == D("68.27")
        assert Document.get_by_id(proforma.id).status == "paid"
        assert Document.select().where(Document.kind == "vat").count() == 1
