"""One app secret for every consumer: sessions, the test gateway's signatures, the TOTP key.

In development with no ``app.secret_key`` (what ``make run`` does), the key kept in
the instance folder is resolved once into the configuration; before, the Flask app
used it while the test gateway read the empty config value and refused every payment.
"""

from __future__ import annotations

import hashlib
import hmac
from datetime import date
from pathlib import Path

import pytest

from core import clock, db
from core.app import create_app
from core.config import app_secret_key, load_config
from core.models import Document, Service
from core.runtime import setup
from plugins.testgateway import secret
from plugins.totp import crypto
from tests.helpers import login, make_customer, post_form
from tests.upgrade_helpers import billing_profile, link, product, service, setup_seller


def development(instance: Path, **app: str):
    return load_config(
        overrides={
            "app": {"instance_path": str(instance), **app},
            "database": {"url": f"sqlite:///{instance.parent / 'db.sqlite3'}"},
        },
        environ={},
        use_files=False,
    )


def test_development_key_is_kept_in_the_instance_and_seen_by_every_consumer(tmp_path):
    config = development(tmp_path / "instance")
    assert config.get_value("app.secret_key") == ""
    app = create_app(config)
    kept = (tmp_path / "instance" / "secret_key").read_text().strip()
    assert len(kept) >= 40
    assert (tmp_path / "instance" / "secret_key").stat().st_mode & 0o777 == 0o600
    assert config.get_value("app.secret_key") == kept == app.config["SECRET_KEY"]
    expected = hmac.new(kept.encode(), b"hookbill-testgateway", hashlib.sha256).hexdigest().encode()
    assert secret() == expected
    assert config.get_value("totp.encryption_key") == crypto.derive_development_key(kept)


def test_the_same_instance_gives_the_same_key_to_the_next_process(tmp_path):
    first = setup(development(tmp_path / "instance")).config.get_value("app.secret_key")
    second = setup(development(tmp_path / "instance")).config.get_value("app.secret_key")
    assert first and first == second
    other = setup(development(tmp_path / "other")).config.get_value("app.secret_key")
    assert other and other != first


def test_a_configured_key_wins_and_no_file_is_written(tmp_path):
    config = development(tmp_path / "instance", secret_key="configured")
    assert app_secret_key(config) == "configured"
    setup(config)
    assert create_app(config).config["SECRET_KEY"] == "configured"
    assert not (tmp_path / "instance" / "secret_key").exists()


@pytest.fixture
def app_overrides():
    return {"app": {"secret_key": ""}}  # development with no key, as under `make run`


def test_the_test_gateway_pays_in_development_without_a_configured_key(client):
    clock.freeze("2026-03-16T12:00:00")
    with db.connection():
        setup_seller()
        customer = make_customer("ola@example.test")
        billing_profile(customer)
        basic = product("basic", "Basic", {"monthly": "50.00"})
        pro = product("pro", "Pro", {"monthly": "100.00"})
        link(basic, pro)
        svc = service(customer, basic, "monthly", date(2026, 3, 1), date(2026, 3, 1), date(2026, 4, 1), "50.00")
    login(client, "ola@example.test")
    confirmed = post_form(
        client,
        f"/services/{svc.id}/change/confirm",
        {"product": pro.id, "cycle": "monthly", "method": "testgateway"},
        form_page=f"/services/{svc.id}/change/summary?product={pro.id}&cycle=monthly",
    )
    assert confirmed.status_code == 302 and "/pay/testgateway/checkout/" in confirmed.location
    paid = post_form(client, confirmed.location, {})
    page = client.get(paid.location).get_data(as_text=True)
    assert "Płatność przyjęta" in page and "not configured" not in page
    with db.connection():
        assert Document.get(Document.kind == "proforma").status == "paid"
        assert Service.get_by_id(svc.id).product_id == pro.id
