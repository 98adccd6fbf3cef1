"""Billing data self-service: validation per kind, nothing saved on bad input, the history, the page."""

from __future__ import annotations

import html
import re
from urllib.parse import parse_qs, urlparse

import pytest

from core import db, runtime
from core.billing_data.service import MSG_NIP, MSG_VAT_ID, change_billing_data, history, save_billing_data
from core.errors import ValidationError
from core.hookspecs import HookRefused, hookimpl
from core.models import ActivityLog, BillingProfile, Customer
from tests.helpers import login, make_customer, make_staff, post_form, staff_login
from tests.ticket_helpers import make_department

COMPANY = {
    "kind": "company",
    "name": "Zakład Usług Informatycznych „Żuraw” sp. z o.o.",
    "tax_id": "526-025-02-74",
    "address_line1": "ul. Piotrkowska 120",
    "postcode": "90-006",
    "city": "Łódź",
    "country": "PL",
}
PRIVATE = {
    "kind": "private",
    "name": "Żaneta Gęślińska",
    "tax_id": "5260250274",
    "address_line1": "ul. Źródlana 7/3",
    "postcode": "80-831",
    "city": "Gdańsk",
    "country": "PL",
}


def test_company_then_private_is_a_history_with_who_and_what(conn):
    customer = make_customer()
    first = change_billing_data(customer, COMPANY, actor=customer, ip="203.0.113.5")
    assert first is not None and first.tax_id == "5260250274"  # normalized NIP
    second = change_billing_data(customer, PRIVATE, actor=customer)
    assert second is not None and second.tax_id == ""  # a private person has no tax id
    assert change_billing_data(customer, PRIVATE, actor=customer) is None  # nothing changed, nothing written
    assert BillingProfile.select().count() == 2
    entries = history(customer.id)
    assert [e.profile.id for e in entries] == [second.id, first.id]
    assert entries[0].changed_by == "customer"
    assert set(entries[0].changed_fields) == {"kind", "name", "tax_id", "address_line1", "postcode", "city"}
    assert entries[0].previous["name"] == COMPANY["name"]
    log = ActivityLog.select().where(ActivityLog.action == "billing_data.changed").order_by(ActivityLog.id)
    last = list(log)[-1]
    assert last.details["old"]["kind"] == "company" and last.details["new"]["kind"] == "private"
    assert last.details["new"]["name"] == "Żaneta Gęślińska" and last.customer_id == customer.id


@pytest.mark.parametrize(
    ("country", "tax_id", "message"),
    [
        ("PL", "5260250275", MSG_NIP),  # wrong check digit
        ("PL", "12345", MSG_NIP),
        ("DE", "DE123456789", MSG_VAT_ID),  # DE checksum fails
        ("FR", "DE136695976", MSG_VAT_ID),  # a valid German id, but the country says France
    ],
)
def test_invalid_tax_id_is_refused_and_nothing_is_saved(conn, country, tax_id, message):
    customer = make_customer()
    with pytest.raises(ValidationError) as refused:
        change_billing_data(customer, {**COMPANY, "country": country, "tax_id": tax_id}, actor=customer)
    assert refused.value.errors == {"tax_id": message}
    assert BillingProfile.select().count() == 0
    assert not ActivityLog.select().where(ActivityLog.action == "billing_data.changed").exists()


def test_valid_eu_vat_id_is_stored_with_its_prefix(conn):
    customer = make_customer()
    saved = change_billing_data(
        customer,
        {**COMPANY, "country": "DE", "tax_id": "136695976", "postcode": "10115", "city": "Berlin"},
        actor=customer,
    )
    assert saved is not None and saved.tax_id == "DE136695976"


def test_required_fields_and_polish_postcode(conn):
    customer = make_customer()
    with pytest.raises(ValidationError) as refused:
        change_billing_data(
            customer,
            {
                "kind": "company",
                "name": "",
                "address_line1": "",
                "postcode": "80831",
                "city": "",
                "country": "PL",
                "tax_id": "",
            },
        )
    assert set(refused.value.errors) == {"name", "address_line1", "postcode", "city", "tax_id"}
    with pytest.raises(ValidationError) as refused:
        change_billing_data(customer, {**PRIVATE, "kind": "nobody"})
    assert set(refused.value.errors) == {"kind"}


def test_page_refuses_bad_nip_in_polish_and_keeps_what_was_typed(app, client):
    make_customer()
    login(client, "ala@example.test")
    page = client.get("/profile/billing")
    text = page.get_data(as_text=True)
    assert page.status_code == 200 and "Dane do faktury" in text
    assert "Wszystkie kolejne proformy i faktury VAT będą zawierały zaktualizowane informacje." in text
    assert "poproś obsługę przez system zgłoszeń o naniesienie poprawki" in text
    bad = post_form(client, "/profile/billing", {**COMPANY, "tax_id": "5260250275"})
    text = html.unescape(bad.get_data(as_text=True))
    assert bad.status_code == 422
    assert "To nie jest poprawny NIP: sprawdź 10 cyfr (ostatnia jest cyfrą kontrolną)." in text
    assert 'value="5260250275"' in text and "ul. Piotrkowska 120" in text and "Żuraw" in text
    with db.connection():
        assert BillingProfile.select().count() == 0
    good = post_form(client, "/profile/billing", COMPANY)
    assert good.status_code == 302
    with db.connection():
        assert BillingProfile.get().tax_id == "5260250274"
    profile = client.get("/profile").get_data(as_text=True)
    assert "Dane do faktury" in profile and "5260250274" in profile and "Edytuj dane" in profile
    # switching to a private person: the tax id typed in is ignored, not refused
    switched = post_form(client, "/profile/billing", {**PRIVATE, "tax_id": "whatever"})
    assert switched.status_code == 302
    with db.connection():
        current = BillingProfile.select().order_by(BillingProfile.id.desc()).first()
        assert (current.kind, current.name, current.tax_id) == ("private", "Żaneta Gęślińska", "")


def test_ask_support_link_opens_a_prefilled_ticket_in_billing(app, client):
    make_customer()
    billing = make_department("Rozliczenia", "rozliczenia")
    make_department("Techniczny", "techniczny")
    login(client, "ala@example.test")
    text = html.unescape(client.get("/profile/billing").get_data(as_text=True))
    start = text.index('data-testid="ask-correction"')
    href = text[text.rindex('href="', 0, start) + 6 : text.index('"', text.rindex('href="', 0, start) + 6)]
    assert parse_qs(urlparse(href).query)["department"] == ["rozliczenia"]
    form = html.unescape(client.get(href).get_data(as_text=True))
    assert f'<option selected value="{billing.id}">Rozliczenia</option>' in form
    assert 'value="Poprawka danych na proformie"' in form
    assert "Proszę o naniesienie moich aktualnych danych do faktury na proformę nr ..." in form


def test_staff_see_the_history_with_who_and_what_changed(app, client):
    customer = make_customer()
    staff = make_staff(role="support")
    with db.connection():
        change_billing_data(customer, COMPANY, actor=customer)
        change_billing_data(customer, {**COMPANY, "city": "Kraków", "postcode": "30-001"}, actor=staff)
    staff_login(client, staff.email)
    text = html.unescape(client.get(f"/admin/customers/{customer.id}").get_data(as_text=True))
    assert text.count('data-testid="billing-version"') == 2
    assert f"Obsługa: {staff.email}" in text
    assert "Miejscowość: <del>Łódź</del> → <ins>Kraków</ins>" in text


class Watcher:
    """A plugin that sees billing data changes and can refuse them."""

    def __init__(self) -> None:
        self.changes: list[dict] = []
        self.refuse = False

    @hookimpl
    def on_customer_updated(self, customer, changes):
        self.changes.append(changes)
        if self.refuse:
            raise HookRefused("Zmiana danych wstrzymana: trwa rozliczenie roczne.")


def test_on_customer_updated_sees_old_and_new_and_can_refuse(app, client):
    watcher = Watcher()
    runtime.current().pm.register(watcher, name="watcher")
    customer = make_customer()
    with db.connection():
        change_billing_data(customer, COMPANY, actor=customer)
    assert watcher.changes[-1]["billing.kind"] == ("", "company")
    assert watcher.changes[-1]["billing.tax_id"] == ("", "5260250274")
    watcher.refuse = True
    login(client, "ala@example.test")
    refused = post_form(client, "/profile/billing", PRIVATE)
    assert refused.status_code == 422
    assert "Zmiana danych wstrzymana" in html.unescape(refused.get_data(as_text=True))
    with db.connection():
        assert BillingProfile.select().count() == 1  # rolled back with the refusal
        assert ActivityLog.select().where(ActivityLog.action == "billing_data.changed").count() == 1


def _advance_box(page: str) -> str:
    """The request-for-advance-invoices checkbox tag of the billing data page."""
    found = re.search(r'<input[^>]*data-testid="advance-invoices"[^>]*>', page)
    assert found is not None
    return found.group(0)


def _asks_for_advances(customer_id: int) -> bool:
    with db.connection():
        return bool(Customer.get_by_id(customer_id).advance_invoices)


def test_a_private_person_asks_for_advance_invoices_on_the_billing_page(app, client):
    customer = make_customer()
    login(client, "ala@example.test")
    page = html.unescape(client.get("/profile/billing").get_data(as_text=True))
    assert "Chcę otrzymywać faktury zaliczkowe (za częściowe wpłaty)" in page
    assert "Osoba prywatna otrzymuje ją tylko na żądanie" in page
    assert "checked" not in _advance_box(page)
    asked = post_form(client, "/profile/billing", {**PRIVATE, "advance_invoices": "y"}, follow_redirects=True)
    text = html.unescape(asked.get_data(as_text=True))
    assert "Od teraz otrzymasz fakturę zaliczkową" in text and "Dane do faktury zapisane." in text
    assert _asks_for_advances(customer.id)
    assert "checked" in _advance_box(text)
    # only the request changes: no new version of the data, the log says old and new
    again = post_form(client, "/profile/billing", PRIVATE, follow_redirects=True)
    assert "Od teraz nie otrzymasz faktur zaliczkowych" in html.unescape(again.get_data(as_text=True))
    assert not _asks_for_advances(customer.id)
    with db.connection():
        assert BillingProfile.select().count() == 1
        logged = [r.details for r in ActivityLog.select().where(ActivityLog.action == "customer.advance_invoices")]
    assert [(d["old"], d["new"]) for d in logged] == [(False, True), (True, False)]


def test_a_company_keeps_its_request_whatever_the_box_says(conn):
    customer = make_customer()
    save_billing_data(customer, PRIVATE, advance_invoices=True, actor=customer)
    saved = save_billing_data(customer, COMPANY, advance_invoices=False, actor=customer)
    assert saved.profile is not None and saved.advance_invoices is None
    assert _asks_for_advances(customer.id)  # a company gets advance invoices anyway; the request stays
    assert not save_billing_data(customer, COMPANY, advance_invoices=True, actor=customer)  # nothing changed


def test_a_refused_request_for_advance_invoices_saves_nothing(app):
    watcher = Watcher()
    runtime.current().pm.register(watcher, name="watcher")
    customer = make_customer()
    with db.connection():
        save_billing_data(customer, PRIVATE, actor=customer)
        watcher.refuse = True
        with pytest.raises(HookRefused):
            save_billing_data(customer, PRIVATE, advance_invoices=True, actor=customer)
    assert watcher.changes[-1] == {"advance_invoices": (False, True)}
    assert customer.advance_invoices is False  # the object the caller holds rolled back too
    assert not _asks_for_advances(customer.id)
    with db.connection():
        assert not ActivityLog.select().where(ActivityLog.action == "customer.advance_invoices").exists()
