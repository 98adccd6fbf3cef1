"""Staff edit the seller data and the settings plugins declare; bad input changes nothing."""

from __future__ import annotations

import pytest

from core import db
from core.extension import SettingSpec
from core.hookspecs import hookimpl
from core.models import ActivityLog
from core.runtime import current
from core.settings import get_setting, seller_data
from tests.helpers import make_staff, post_form, staff_login

SELLER = {
    "name": "Hostownia Łąka sp. z o.o.",
    "tax_id": "PL 526-025-02-74",
    "address_line1": "ul. Żurawia 4",
    "address_line2": "",
    "postcode": "00-503",
    "city": "Warszawa",
    "country": "pl",
    "bank_account": "PL61109010140000071219812874",
    "bank_name": "Bank",
    "email": "faktury@laka.test",
    "phone": "",
}


class LimitsPlugin:
    """A plugin that declares two settings, one of them secret."""

    @hookimpl
    def hookbill_settings(self) -> list[SettingSpec]:
        return [
            SettingSpec("limits", "max_vps", "Most VPS per customer", default=3, kind="int"),
            SettingSpec("limits", "api_token", "Panel API token", default="", kind="secret"),
        ]


@pytest.fixture
def admin_client(app):
    browser = app.test_client()
    staff_login(browser, make_staff().email)
    return browser


def test_seller_data_are_validated_normalised_and_logged(admin_client):
    response = post_form(admin_client, "/admin/settings/", SELLER)
    assert response.status_code == 302
    with db.connection():
        stored = seller_data()
        entry = ActivityLog.get(ActivityLog.action == "settings.seller_updated")
    assert stored["tax_id"] == "5260250274" and stored["country"] == "PL"
    assert stored["bank_account"] == "PL61 1090 1014 0000 0712 1981 2874"
    assert "name" in entry.details["fields"]


def test_bad_seller_data_rerender_and_store_nothing(admin_client):
    bad = {**SELLER, "tax_id": "5260250275", "bank_account": "PL00 1234", "postcode": "00503"}
    response = post_form(admin_client, "/admin/settings/", bad)
    page = response.get_data(as_text=True)
    assert response.status_code == 422
    assert 'value="Hostownia Łąka sp. z o.o."' in page
    for message in (
        "Ten numer identyfikacji podatkowej jest nieprawidłowy.",
        "To nie jest poprawny numer rachunku IBAN.",
        "Polski kod pocztowy ma postać 00-950.",
    ):
        assert message in page
    with db.connection():
        assert seller_data()["name"] == ""


def test_support_staff_cannot_open_settings(app):
    browser = app.test_client()
    staff_login(browser, make_staff("pomoc@example.test", role="support").email)
    assert browser.get("/admin/settings/").status_code == 403


def test_declared_plugin_settings_are_edited_and_secrets_never_shown(admin_client):
    current().pm.register(LimitsPlugin())
    page = admin_client.get("/admin/settings/").get_data(as_text=True)
    assert "limits.max_vps" in page and 'value="3"' in page
    assert (
        post_form(
            admin_client, "/admin/settings/plugins", {"limits.max_vps": "x"}, form_page="/admin/settings/"
        ).status_code
        == 422
    )
    response = post_form(
        admin_client,
        "/admin/settings/plugins",
        {"limits.max_vps": "5", "limits.api_token": "s3cr3t-token"},
        form_page="/admin/settings/",
    )
    assert response.status_code == 302
    with db.connection():
        assert get_setting("limits", "max_vps") == 5
        assert get_setting("limits", "api_token") == "s3cr3t-token"
        entry = ActivityLog.get(ActivityLog.action == "settings.updated")
    assert "s3cr3t-token" not in str(entry.details)
    assert "s3cr3t-token" not in admin_client.get("/admin/settings/").get_data(as_text=True)
    post_form(
        admin_client,
        "/admin/settings/plugins",
        {"limits.max_vps": "5", "limits.api_token": ""},
        form_page="/admin/settings/",
    )
    with db.connection():
        assert get_setting("limits", "api_token") == "s3cr3t-token"  # empty keeps the secret
