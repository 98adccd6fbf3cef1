"""Tax ids: NIP checksum for Poland, python-stdnum VAT ids for the EU, free text elsewhere."""

from __future__ import annotations

import pytest

from core.documents import TaxIdError, validate_tax_id


@pytest.mark.parametrize(
    ("country", "value", "expected"),
    [
        ("PL", "5260250274", "5260250274"),
        ("PL", "PL 526-025-02-74", "5260250274"),
        ("DE", "136695976", "DE136695976"),
        ("DE", "DE 136 695 976", "DE136695976"),
        ("GR", "094014201", "EL094014201"),
        ("AT", "U13585627", "ATU13585627"),
        ("US", "  12-3456789 ", "12-3456789"),
    ],
)
def test_valid_tax_ids_are_normalized(country: str, value: str, expected: str) -> None:
    assert validate_tax_id(country, value) == expected


@pytest.mark.parametrize(
    ("country", "value", "message"),
    [
        ("PL", "5260250275", "check digit"),
        ("PL", "12345", "number of characters"),
        ("PL", "", "empty"),
        ("DE", "136695978", "check digit"),
        ("DE", "FR40303265045", "of FR, not of DE"),
    ],
)
def test_invalid_tax_ids_say_why(country: str, value: str, message: str) -> None:
    with pytest.raises(TaxIdError, match=message):
        validate_tax_id(country, value)
