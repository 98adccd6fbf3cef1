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
