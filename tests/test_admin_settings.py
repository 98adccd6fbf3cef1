"""Staff edit the seller data and the settings plugins declare; bad input changes nothing."""

from __future__ import annotations

from decimal import Decimal

import pytest

from core import db
from core.extension import SettingSpec
from core.hookspecs import hookimpl
from core.i18n import N_
from core.models import ActivityLog, Setting
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


def departments() -> list[tuple[str, str]]:
    """Choices read when the page is shown or saved: the departments as they are now."""
    from core.tickets.models import Department

    return [(d.slug, d.name) for d in Department.select().order_by(Department.name)]


def no_example_hosts(url: str) -> str | None:
    return N_("Use your own address, not an example one.") if "example.com" in url else None


class EveryKindPlugin:
    """A plugin that declares one setting of every kind."""

    @hookimpl
    def hookbill_settings(self) -> list[SettingSpec]:
        return [
            SettingSpec("hooks", "endpoint", "Webhook address", kind="url", required=True, validate=no_example_hosts),
            SettingSpec("hooks", "department", "Department for alerts", kind="choice", choices=departments),
            SettingSpec("hooks", "signing_key", "Signing key", kind="secret"),
            SettingSpec("hooks", "enabled", "Send webhooks", default=False, kind="bool"),
            SettingSpec("hooks", "retries", "Retries", default=3, kind="int", minimum=0, maximum=10),
            SettingSpec("hooks", "fee", "Fee per call", default=None, kind="decimal", minimum=Decimal("0")),
        ]


GOOD = {
    "hooks.endpoint": "https://hooks.hostownia.test/in",
    "hooks.department": "tech",
    "hooks.signing_key": "k3y-Źródło",
    "hooks.enabled": "1",
    "hooks.retries": "7",
    "hooks.fee": "0,015",
}


def test_every_setting_kind_is_checked_and_bad_values_are_never_stored(admin_client):
    from core.tickets.models import Department

    with db.connection():
        Department.create(name="Techniczny", slug="tech")
        Department.create(name="Rozliczenia", slug="billing")
    current().pm.register(EveryKindPlugin())
    page = admin_client.get("/admin/settings/").get_data(as_text=True)
    assert '<option value="tech">Techniczny</option>' in page and "Od 0 do 10." in page

    bad = {
        "hooks.endpoint": "ftp://hooks.hostownia.test",
        "hooks.department": "sales",
        "hooks.signing_key": "new-key",
        "hooks.enabled": "1",
        "hooks.retries": "11",
        "hooks.fee": "1,5 zł",
    }
    response = post_form(admin_client, "/admin/settings/plugins", bad, form_page="/admin/settings/")
    page = response.get_data(as_text=True)
    assert response.status_code == 422
    for message in (
        "Podaj pełny adres strony zaczynający się od https:// lub http://.",
        "Wybierz jedną z podanych możliwości.",
        "Ta liczba jest za duża.",
        "Podaj liczbę, np. 12,50.",
    ):
        assert message in page
    assert 'value="ftp://hooks.hostownia.test"' in page and 'value="11"' in page  # what was sent, to correct
    assert "new-key" not in page  # a secret is never shown back, even refused
    with db.connection():
        assert not Setting.select().where(Setting.namespace == "hooks").exists()

    refused = {**GOOD, "hooks.endpoint": "https://example.com/hook", "hooks.retries": "-1"}
    page = post_form(admin_client, "/admin/settings/plugins", refused, form_page="/admin/settings/").get_data(
        as_text=True
    )
    assert "Use your own address, not an example one." in page and "Ta liczba jest za mała." in page
    missing = post_form(
        admin_client, "/admin/settings/plugins", {**GOOD, "hooks.endpoint": " "}, form_page="/admin/settings/"
    )
    assert missing.status_code == 422 and "To pole jest wymagane." in missing.get_data(as_text=True)

    assert post_form(admin_client, "/admin/settings/plugins", GOOD, form_page="/admin/settings/").status_code == 302
    with db.connection():
        stored = {key: get_setting("hooks", key) for key in ("endpoint", "department", "enabled", "retries", "fee")}
        assert get_setting("hooks", "signing_key") == "k3y-Źródło"
    assert stored == {
        "endpoint": "https://hooks.hostownia.test/in",
        "department": "tech",
        "enabled": True,
        "retries": 7,
        "fee": Decimal("0.015"),
    }
    page = admin_client.get("/admin/settings/").get_data(as_text=True)
    assert '<option value="tech" selected>' in page and "k3y-Źródło" not in page

    # Unticking the box stores False; an empty optional number stores nothing.
    unticked = {k: v for k, v in GOOD.items() if k != "hooks.enabled"} | {"hooks.fee": ""}
    assert post_form(admin_client, "/admin/settings/plugins", unticked, form_page="/admin/settings/").status_code == 302
    with db.connection():
        assert get_setting("hooks", "enabled") is False and get_setting("hooks", "fee") is None


def test_a_setting_of_an_unknown_kind_is_refused_where_it_is_declared():
    with pytest.raises(ValueError, match="unknown kind 'number'"):
        SettingSpec("hooks", "retries", "Retries", kind="number")
    with pytest.raises(ValueError, match="needs choices"):
        SettingSpec("hooks", "department", "Department", kind="choice")
