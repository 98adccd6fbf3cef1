"""Reusable sample documents for tests: ``sample_snapshot(kind=..., buyer=...)``.

Names and addresses carry every Polish diacritic on purpose, so a test that finds
them in a PDF or XML proves the text survived encoding.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from core.documents import DocumentSnapshot, LineInput, Party, build_snapshot

SELLER = Party(
    kind="company",
    name="Hostownia Żółw sp. z o.o.",
    tax_id="5260250274",
    address_line1="ul. Marszałkowska 1 lok. 2",
    postcode="00-624",
    city="Warszawa",
    country="PL",
    email="faktury@hostownia.example",
    bank_account="PL61 1090 1014 0000 0712 1981 2874",
    bank_name="Santander Bank Polska",
)

BUYERS: dict[str, Party] = {
    "pl_company": Party(
        kind="company",
        name="Zażółć Gęślą Jaźń sp. z o.o.",
        tax_id="7740001454",
        address_line1="ul. Świętokrzyska 12",
        address_line2="II piętro",
        postcode="90-001",
        city="Łódź",
        country="PL",
        email="ksiegowosc@zgj.example",
    ),
    "private": Party(
        kind="private",
        name="Grzegorz Brzęczyszczykiewicz",
        address_line1="ul. Źródlana 5 m. 3",
        postcode="31-000",
        city="Kraków",
        country="PL",
    ),
    "eu_company": Party(
        kind="company",
        name="Müller Hosting GmbH",
        tax_id="DE136695976",
        address_line1="Straße des 17. Juni 135",
        postcode="10623",
        city="Berlin",
        country="DE",
    ),
    "non_eu_company": Party(
        kind="company",
        name="Acme Servers Inc.",
        tax_id="12-3456789",
        address_line1="1 Market Street",
        postcode="94105",
        city="San Francisco",
        country="US",
    ),
}

LINES = (
    LineInput("Hosting WWW Pro – marzec 2026", Decimal(1), "usł.", Decimal("100.00")),
    LineInput("Domena zażółć.pl – odnowienie roczne", Decimal(1), "szt.", Decimal("49.99")),
    LineInput("Adres IP dodatkowy", Decimal(3), "szt.", Decimal("4.333")),
)
AFTER_DOWNGRADE = (
    LineInput("Hosting WWW Pro – marzec 2026", Decimal(1), "usł.", Decimal("60.00")),
    LineInput("Domena zażółć.pl – odnowienie roczne", Decimal(1), "szt.", Decimal("49.99")),
    LineInput("Adres IP dodatkowy", Decimal(1), "szt.", Decimal("4.333")),
)

ISSUE = date(2026, 3, 16)
SALE = date(2026, 3, 15)
DUE = date(2026, 3, 30)


def sample_snapshot(
    kind: str = "vat", buyer: str | Party = "pl_company", lines: tuple[LineInput, ...] = LINES, **overrides: object
) -> DocumentSnapshot:
    """A realistic issued document; ``kind="correction"`` corrects the VAT sample.

    ``buyer`` is a key of ``BUYERS`` or a Party; ``overrides`` go to build_snapshot.
    """
    party = BUYERS[buyer] if isinstance(buyer, str) else buyer
    numbers = {"vat": "FV/2026/03/0007", "proforma": "PF/2026/03/0012", "correction": "FK/2026/03/0001"}
    args: dict[str, object] = {
        "kind": kind,
        "number": numbers[kind],
        "issue_date": ISSUE,
        "sale_date": SALE,
        "due_date": DUE,
        "seller": SELLER,
        "buyer": party,
        "lines": lines,
        "place_of_issue": "Warszawa",
        "payment_method": "transfer",
    }
    if kind == "vat":
        args.update(proforma_number="PF/2026/03/0012", paid=Decimal(0))
    if kind == "correction":
        original = sample_snapshot("vat", buyer=party, lines=lines)
        args.update(
            lines=AFTER_DOWNGRADE,
            corrects=original,
            correction_reason="Zmiana pakietu na tańszy (downgrade) od 16.03.2026",
            issue_date=date(2026, 3, 20),
            due_date=date(2026, 4, 3),
        )
    args.update(overrides)
    return build_snapshot(**args)  # type: ignore[arg-type]
