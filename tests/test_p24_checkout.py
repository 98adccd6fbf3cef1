"""Przelewy24 on the payment step: which methods, P24's bank list (cached), BLIK-only, the kinds booked."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient

from core import clock, db
from core.models import Document, Payment
from core.payments.methods import methods_for
from plugins.przelewy24.models import P24MethodCache
from tests.helpers import login, post_form
from tests.p24_helpers import notify, proforma_for, start_paying
from tests.support.p24 import FakeP24, p24_config

SETTINGS: dict[str, Any] = {}


@pytest.fixture
def app_overrides(fake_p24: FakeP24) -> dict[str, dict[str, Any]]:
    return {"przelewy24": p24_config(fake_p24, **SETTINGS)}


@pytest.fixture
def web(sqlite_app: Flask) -> FlaskClient:
    return sqlite_app.test_client()


def method_calls(fake: FakeP24) -> int:
    return sum(1 for method, path in fake.calls if path.startswith("/api/v1/payment/methods/"))


def test_the_proforma_offers_blik_transfer_and_card(sqlite_app: Flask, web: FlaskClient):
    _customer, proforma = proforma_for()
    login(web, "ola@example.test")
    page = web.get(f"/invoices/{proforma.id}").get_data(as_text=True)
    for code in ("przelewy24_blik", "przelewy24_transfer", "przelewy24_card"):
        assert f'data-testid="pay-{code}"' in page
    assert "Szybki przelew (Przelewy24)" in page and "Karta płatnicza (Przelewy24)" in page


def test_the_bank_list_is_p24s_active_banks_cached_and_the_choice_goes_to_p24(
    sqlite_app: Flask, web: FlaskClient, fake_p24: FakeP24
):
    _customer, proforma = proforma_for()
    login(web, "ola@example.test")
    page = post_form(web, f"/pay/przelewy24_transfer/{proforma.id}", {}, form_page=f"/invoices/{proforma.id}")
    html = page.get_data(as_text=True)
    assert page.status_code == 200 and 'data-testid="p24-banks"' in html
    for bank in ("mTransfer", "Płacę z iPKO", "Bank Spółdzielczy"):
        assert bank in html
    assert "Pekao24Przelew" not in html  # inactive at P24
    assert "BLIK" not in html.split('data-testid="p24-banks"')[1]  # not a bank
    assert method_calls(fake_p24) == 1
    post_form(web, f"/pay/przelewy24_transfer/{proforma.id}", {}, form_page=f"/invoices/{proforma.id}")
    assert method_calls(fake_p24) == 1  # served from the cache
    response = post_form(
        web, f"/pay/przelewy24/checkout/{proforma.id}", {"bank": "31"}, form_page=f"/invoices/{proforma.id}"
    )
    assert response.status_code == 302 and "/trnRequest/" in response.location
    token = response.location.rsplit("/", 1)[1]
    assert fake_p24.txns[token].body["method"] == 31 and "channel" not in fake_p24.txns[token].body
    assert notify(web, fake_p24.pay(token)).status_code == 200
    with db.connection():
        (payment,) = Payment.select()
        assert payment.method == "przelewy24_transfer"


def test_the_cache_is_refreshed_after_its_time_and_kept_when_p24_is_down(
    sqlite_app: Flask, web: FlaskClient, fake_p24: FakeP24
):
    _customer, proforma = proforma_for()
    login(web, "ola@example.test")
    path, page = f"/pay/przelewy24_transfer/{proforma.id}", f"/invoices/{proforma.id}"
    post_form(web, path, {}, form_page=page)
    clock.advance(timedelta(minutes=61))
    fake_p24.fail("methods", 500)
    html = post_form(web, path, {}, form_page=page).get_data(as_text=True)
    assert method_calls(fake_p24) == 2 and "mTransfer" in html  # stale copy used
    post_form(web, path, {}, form_page=page)
    assert method_calls(fake_p24) == 3  # tried again, and stored this time
    with db.connection():
        assert P24MethodCache.get(P24MethodCache.lang == "pl").fetched_at == clock.utcnow()


def test_an_empty_bank_list_goes_straight_to_p24(sqlite_app: Flask, web: FlaskClient, fake_p24: FakeP24):
    _customer, proforma = proforma_for()
    login(web, "ola@example.test")
    fake_p24.fail("methods", 500)
    token = start_paying(web, proforma, "przelewy24_transfer")
    assert fake_p24.txns[token].body["channel"] == 66  # pay-by-link and online transfers


@pytest.mark.parametrize(
    ("method_id", "code"), [(218, "przelewy24_card"), (266, "przelewy24_card"), (154, "przelewy24_blik")]
)
def test_the_payment_is_booked_as_the_kind_p24_says_was_paid(
    sqlite_app: Flask, web: FlaskClient, fake_p24: FakeP24, method_id: int, code: str
):
    _customer, proforma = proforma_for()
    login(web, "ola@example.test")
    token = start_paying(web, proforma, "przelewy24_card")
    assert fake_p24.txns[token].body["channel"] == 1
    assert notify(web, fake_p24.pay(token, method_id=method_id)).status_code == 200
    with db.connection():
        assert Payment.get().method == code


def test_only_blik_when_configured(fake_p24: FakeP24, sqlite_url: str, tmp_path: Any, smtp_server: Any):
    from core.app import create_app
    from core.migrate import migrate
    from core.runtime import current
    from tests.conftest import make_config

    create_app(make_config(sqlite_url, tmp_path, smtp_server.port, przelewy24=p24_config(fake_p24, methods=["blik"])))
    migrate(current())
    _customer, proforma = proforma_for()
    with db.connection():
        offered = [m.code for m in methods_for(Document.get_by_id(proforma.id))]
    assert [c for c in offered if c.startswith("przelewy24")] == ["przelewy24_blik"]


def test_not_offered_without_credentials(sqlite_url: str, tmp_path: Any, smtp_server: Any):
    from core.app import create_app
    from core.migrate import migrate
    from core.runtime import current
    from tests.conftest import make_config

    create_app(make_config(sqlite_url, tmp_path, smtp_server.port))
    migrate(current())
    _customer, proforma = proforma_for()
    with db.connection():
        offered = [m.code for m in methods_for(Document.get_by_id(proforma.id))]
    assert not [c for c in offered if c.startswith("przelewy24")]


def test_pages_may_post_forms_that_end_at_p24(sqlite_app: Flask, web: FlaskClient, fake_p24: FakeP24):
    _customer, proforma = proforma_for()
    login(web, "ola@example.test")
    policy = web.get(f"/invoices/{proforma.id}").headers["Content-Security-Policy"]
    assert f"form-action 'self' {fake_p24.url}" in policy
    assert "script-src 'self'" in policy  # nothing else loosened


def test_balance_paid_part_and_blik_part_are_both_on_the_vat_invoice(
    sqlite_app: Flask, web: FlaskClient, fake_p24: FakeP24
):
    from core.documents.issuing import snapshot_of

    _customer, proforma = proforma_for(balance="10.00")
    assert proforma.paid == Decimal("10.00")
    login(web, "ola@example.test")
    token = start_paying(web, proforma)
    assert fake_p24.txns[token].body["amount"] == 2173  # what is left after the balance
    assert notify(web, fake_p24.pay(token)).status_code == 200
    with db.connection():
        invoice = Document.get((Document.kind == "vat") & (Document.proforma_id == proforma.id))
        parts = [(p.method, p.amount, p.ksef_form, p.label) for p in snapshot_of(invoice).payments]
    assert parts[0][:3] == ("balance", Decimal("10.00"), "")
    assert parts[0][3] == "kompensata z saldem przedpłat klienta"  # Polish words for the set-off
    assert parts[1] == ("przelewy24_blik", Decimal("21.73"), "7", "BLIK")


def test_config_example_lists_every_przelewy24_key_with_its_default():
    import tomllib
    from pathlib import Path

    from plugins.przelewy24.settings import DEFAULTS

    example = tomllib.loads((Path(__file__).resolve().parent.parent / "config.example.toml").read_text())
    assert example["przelewy24"] == DEFAULTS
