"""The billing-data country list: countries only, in the reader's alphabetical order."""

from __future__ import annotations

import re

import pycountry
import pytest

from core import countries
from tests.helpers import csrf, login, make_customer, post_form

NOT_COUNTRIES = (
    "Pseudoakcenty",
    "Pseudo-Bidi",
    "Unia Europejska",
    "strefa euro",
    "Nieznany region",
    "Narody Zjednoczone",
)


def names(lang):
    return [name for _code, name in countries.choices(lang)]


def test_the_list_holds_every_iso_country_and_nothing_else():
    codes = [code for code, _name in countries.choices("pl")]
    assert sorted(codes) == sorted(c.alpha_2 for c in pycountry.countries)
    assert len(codes) == len(set(codes)) == 249
    for code in ("EU", "EZ", "UN", "XA", "XB", "ZZ", "QO", "001"):
        assert code not in codes
    assert not [n for n in names("pl") if n in NOT_COUNTRIES]


@pytest.mark.parametrize(
    "before, after",
    [
        ("Bułgaria", "Burundi"),
        ("Litwa", "Łotwa"),
        ("Łotwa", "Madagaskar"),
        ("Wenezuela", "Węgry"),
        ("Sint Maarten", "Słowacja"),
        ("Czad", "Czarnogóra"),
        ("Austria", "Azerbejdżan"),
        ("Zambia", "Zimbabwe"),
    ],
)
def test_polish_alphabetical_order(before, after):
    ordered = names("pl")
    assert ordered.index(before) < ordered.index(after)


def test_poland_first_then_the_reader_order_in_english():
    assert countries.choices("pl")[0] == ("PL", "Polska")
    assert countries.choices("en")[0] == ("PL", "Poland")
    ordered = names("en")
    assert ordered.index("Åland Islands") < ordered.index("Albania")  # Å sorts as A in English
    assert ordered.index("Côte d’Ivoire") < ordered.index("Croatia")


def test_the_billing_data_page_offers_that_list(client):
    make_customer()
    login(client, "ala@example.test")
    page = client.get("/profile/billing").get_data(as_text=True)
    offered = re.findall(r'<option[^>]*value="([A-Z0-9]+)"[^>]*>([^<]+)</option>', page)
    assert offered == list(countries.choices("pl"))
    refused = post_form(
        client,
        "/profile/billing",
        {
            "kind": "private",
            "name": "Ala Nowak",
            "address_line1": "Długa 1",
            "postcode": "00-001",
            "city": "Wwa",
            "country": "EU",
        },
    )
    assert refused.status_code == 422
    assert csrf(client, "/profile/billing")


def test_pages_name_the_buyers_and_the_sellers_country(app, hookbill_make):
    """A country is read by its name wherever a page shows an address, admin pages included."""
    from core import db
    from tests.billing_doc_helpers import EU_COMPANY, setup_seller
    from tests.helpers import make_staff, staff_login

    with db.connection():
        setup_seller()
    customer = hookbill_make.customer("firma@example.test", billing=EU_COMPANY)
    document = hookbill_make.proforma(customer)
    country = EU_COMPANY["country"]
    named = countries.name(country, "pl")
    assert named != country
    client = app.test_client()
    login(client, customer.email)
    staff = app.test_client()
    staff_login(staff, make_staff().email)
    pages = [
        (client, f"/invoices/{document.id}"),
        (client, "/profile"),
        (staff, f"/admin/documents/{document.id}"),
        (staff, f"/admin/customers/{customer.id}"),
    ]
    for browser, path in pages:
        text = browser.get(path).get_data(as_text=True)
        assert f", {named}" in text and f", {country}<" not in text, path
    settings = staff.get("/admin/settings/").get_data(as_text=True)
    chosen = re.search(r'<select[^>]*name="country"[^>]*>(.*?)</select>', settings, re.S)
    assert chosen is not None and '<option selected value="PL">Polska</option>' in chosen.group(1)
    assert 'value="">' not in chosen.group(1)  # no empty choice once the country is set
