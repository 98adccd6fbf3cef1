"""A shop with a Polish seller and customers with billing data, for the document tests."""

from __future__ import annotations

import io
from datetime import date
from typing import Any

from pypdf import PdfReader

from core import clock, db
from core.billing_data.service import change_billing_data
from core.models import Customer, Product, Service
from core.settings import set_setting
from tests.helpers import make_customer
from tests.upgrade_helpers import link, product, service

SELLER = {
    "name": "Hostownia Źródło sp. z o.o.",
    "tax_id": "5213017228",
    "address_line1": "ul. Żelazna 5 lok. 12",
    "postcode": "00-838",
    "city": "Warszawa",
    "country": "PL",
    "email": "faktury@zrodlo.test",
    "bank_account": "PL61 1090 1014 0000 0712 1981 2874",
    "bank_name": "Bank Śląski",
}
COMPANY = {
    "kind": "company",
    "name": "Zakład Usług Informatycznych „Żuraw” sp. z o.o.",
    "tax_id": "5260250274",
    "address_line1": "ul. Piotrkowska 120",
    "postcode": "90-006",
    "city": "Łódź",
    "country": "PL",
}
PRIVATE = {
    "kind": "private",
    "name": "Żaneta Gęślińska",
    "address_line1": "ul. Źródlana 7/3",
    "postcode": "80-831",
    "city": "Gdańsk",
    "country": "PL",
}
EU_COMPANY = {
    "kind": "company",
    "name": "Müller Webhosting GmbH",
    "tax_id": "DE136695976",
    "address_line1": "Friedrichstraße 10",
    "postcode": "10117",
    "city": "Berlin",
    "country": "DE",
}


def setup_seller() -> None:
    """Seller data with Polish letters (documents copy them)."""
    with db.write_transaction():
        for key, value in SELLER.items():
            set_setting("seller", key, value)


def shop(
    email: str = "ala@example.test", billing: dict[str, str] | None = None, services: int = 1
) -> tuple[Customer, list[Service], Product, Product]:
    """A customer with billing data and ``services`` Basic monthly services (2026-03-01..04-01), on 03-16."""
    clock.freeze("2026-03-16T12:00:00")
    customer = make_customer(email)
    change_billing_data(customer, billing or COMPANY, actor=customer)
    basic = Product.get_or_none(Product.slug == "basic") or product("basic", "Hosting Basic", {"monthly": "50.00"})
    pro = Product.get_or_none(Product.slug == "pro") or product("pro", "Hosting Pro", {"monthly": "100.00"})
    link(basic, pro)
    rows = [
        service(
            customer,
            basic,
            "monthly",
            date(2026, 3, 1),
            date(2026, 3, 1),
            date(2026, 4, 1),
            "50.00",
            label=f"strona{n}.pl",
        )
        for n in range(services)
    ]
    return customer, rows, basic, pro


def pdf_text(data: bytes) -> str:
    """Text of every page (pypdf), whitespace collapsed."""
    reader = PdfReader(io.BytesIO(data))
    return " ".join(" ".join((page.extract_text() or "") for page in reader.pages).split())


def attachment_names(message: Any) -> list[str]:
    """File names of a captured e-mail's attachments."""
    return [part.get_filename() for part in message.iter_attachments()]
