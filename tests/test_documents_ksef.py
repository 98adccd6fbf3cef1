"""KSeF FA(3) XML: every generated document validates against the shipped schema."""

from __future__ import annotations

import socket
from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any
from xml.etree import ElementTree as ET

import pytest

from core.documents import LineInput
from core.documents.ksef import (
    KsefValidationError,
    build_fa3_xml,
    fa3_schema,
    validate_fa3,
)
from core.documents.ksef_parts import NS
from tests.document_samples import sample_snapshot

CREATED = datetime(2026, 3, 16, 9, 30, tzinfo=UTC)
N = {"f": NS}


def build(kind: str = "vat", buyer: str = "pl_company", **overrides: Any) -> ET.Element:
    """Build, validate, and parse the XML of a sample document."""
    xml = build_fa3_xml(sample_snapshot(kind, buyer=buyer, **overrides), created_at=CREATED)
    validate_fa3(xml)
    return ET.fromstring(xml)


def text(root: ET.Element, path: str) -> str | None:
    node = root.find(path, N)
    return None if node is None else node.text


def test_vat_invoice_for_a_polish_company() -> None:
    root = build()
    code = root.find("f:Naglowek/f:KodFormularza", N)
    assert code is not None and code.attrib == {"kodSystemowy": "FA (3)", "wersjaSchemy": "1-0E"}
    assert text(root, "f:Naglowek/f:WariantFormularza") == "3"
    assert text(root, "f:Naglowek/f:DataWytworzeniaFa") == "2026-03-16T09:30:00Z"
    assert text(root, "f:Podmiot1/f:DaneIdentyfikacyjne/f:NIP") == "5260250274"
    assert text(root, "f:Podmiot2/f:DaneIdentyfikacyjne/f:NIP") == "7740001454"
    assert text(root, "f:Podmiot2/f:DaneIdentyfikacyjne/f:Nazwa") == "Zażółć Gęślą Jaźń sp. z o.o."
    assert text(root, "f:Podmiot2/f:Adres/f:AdresL2") == "90-001 Łódź"
    assert (text(root, "f:Podmiot2/f:JST"), text(root, "f:Podmiot2/f:GV")) == ("2", "2")
    fa = {child.tag.split("}")[1]: child.text for child in root.find("f:Fa", N) or []}
    assert fa["RodzajFaktury"] == "VAT" and fa["P_2"] == "FV/2026/03/0007"
    assert (fa["P_1"], fa["P_6"], fa["KodWaluty"]) == ("2026-03-16", "2026-03-15", "PLN")
    assert (fa["P_13_1"], fa["P_14_1"], fa["P_15"]) == ("162.99", "37.49", "200.48")
    assert text(root, "f:Fa/f:Adnotacje/f:P_18") == "2"
    rows = root.findall("f:Fa/f:FaWiersz", N)
    assert [text(r, "f:P_11") for r in rows] == ["100.00", "49.99", "13.00"]
    assert [text(r, "f:P_9A") for r in rows][2] == "4.333"
    assert text(root, "f:Fa/f:Platnosc/f:FormaPlatnosci") == "6"
    assert text(root, "f:Fa/f:Platnosc/f:TerminPlatnosci/f:Termin") == "2026-03-30"
    assert text(root, "f:Fa/f:Platnosc/f:RachunekBankowy/f:NrRB") == "PL61109010140000071219812874"


def test_private_buyer_has_brak_id() -> None:
    root = build(buyer="private")
    ident = root.find("f:Podmiot2/f:DaneIdentyfikacyjne", N)
    assert ident is not None
    assert [c.tag.split("}")[1] for c in ident] == ["BrakID", "Nazwa"]
    assert text(ident, "f:BrakID") == "1"


def test_reverse_charge_eu_buyer() -> None:
    root = build(buyer="eu_company")
    assert text(root, "f:Podmiot1/f:PrefiksPodatnika") == "PL"
    assert text(root, "f:Podmiot2/f:DaneIdentyfikacyjne/f:KodUE") == "DE"
    assert text(root, "f:Podmiot2/f:DaneIdentyfikacyjne/f:NrVatUE") == "136695976"
    assert text(root, "f:Fa/f:P_13_9") == "162.99" and root.find("f:Fa/f:P_13_1", N) is None
    assert text(root, "f:Fa/f:P_15") == "162.99"
    assert text(root, "f:Fa/f:Adnotacje/f:P_18") == "1"
    assert {text(r, "f:P_12") for r in root.findall("f:Fa/f:FaWiersz", N)} == {"np II"}


def test_non_eu_company_uses_nr_id() -> None:
    root = build(buyer="non_eu_company")
    assert text(root, "f:Podmiot2/f:DaneIdentyfikacyjne/f:KodKraju") == "US"
    assert text(root, "f:Podmiot2/f:DaneIdentyfikacyjne/f:NrID") == "12-3456789"


def test_correcting_invoice() -> None:
    root = build("correction")
    assert text(root, "f:Fa/f:RodzajFaktury") == "KOR"
    assert text(
        root,
        "f:Fa/f:PrzyczynaKorekty",
    ).startswith("Zmiana pakietu")  # type: ignore[union-attr]
    assert text(root, "f:Fa/f:DaneFaKorygowanej/f:NrFaKorygowanej") == "FV/2026/03/0007"
    assert text(root, "f:Fa/f:DaneFaKorygowanej/f:DataWystFaKorygowanej") == "2026-03-16"
    assert text(root, "f:Fa/f:DaneFaKorygowanej/f:NrKSeFN") == "1"
    assert (text(root, "f:Fa/f:P_13_1"), text(root, "f:Fa/f:P_14_1"), text(root, "f:Fa/f:P_15")) == (
        "-48.67",
        "-11.20",
        "-59.87",
    )
    rows = root.findall("f:Fa/f:FaWiersz", N)
    before = [r for r in rows if text(r, "f:StanPrzed") == "1"]
    after = [r for r in rows if r.find("f:StanPrzed", N) is None]
    assert [text(r, "f:P_11") for r in before] == ["100.00", "49.99", "13.00"]
    assert [text(r, "f:P_11") for r in after] == ["60.00", "49.99", "4.33"]


def test_correction_gives_the_corrected_invoices_date_of_supply_only_where_it_differs() -> None:
    # art. 106j ust. 2 pkt 3 with art. 106e ust. 1 pkt 6; the sample invoice: issued 03-16, supplied 03-15
    root = build("correction")
    assert text(root, "f:Fa/f:P_1") == "2026-03-20" and text(root, "f:Fa/f:P_6") == "2026-03-15"
    same_day = sample_snapshot("vat", sale_date=date(2026, 3, 16))
    correction = sample_snapshot("correction", corrects=same_day)
    assert correction.corrected is not None and correction.corrected.sale_date == date(2026, 3, 16)
    xml = build_fa3_xml(correction, created_at=CREATED)
    validate_fa3(xml)
    assert ET.fromstring(xml).find("f:Fa/f:P_6", N) is None


def test_paid_split_payment_invoice() -> None:
    lines = (LineInput("Dysk SSD 8 TB", Decimal(1), "szt.", Decimal("20000.00"), annex15=True),)
    root = build(lines=lines, paid=Decimal("24600.00"), payment_date=date(2026, 3, 16))
    assert text(root, "f:Fa/f:Adnotacje/f:P_18A") == "1"
    assert text(root, "f:Fa/f:FaWiersz/f:P_12_Zal_15") == "1"
    assert text(root, "f:Fa/f:Platnosc/f:Zaplacono") == "1"
    assert text(root, "f:Fa/f:Platnosc/f:DataZaplaty") == "2026-03-16"


def test_exempt_and_several_rates() -> None:
    lines = (
        LineInput("Szkolenie", Decimal(1), "usł.", Decimal("500.00"), "zw"),
        LineInput("Hosting", Decimal(1), "usł.", Decimal("10.00"), "23"),
        LineInput("Usługa 8%", Decimal(1), "usł.", Decimal("10.00"), "8"),
    )
    root = build(lines=lines, exemption_basis="art. 43 ust. 1 pkt 29 lit. c ustawy", payment_method="balance")
    assert text(root, "f:Fa/f:P_13_7") == "500.00" and text(root, "f:Fa/f:P_14_2") == "0.80"
    assert text(root, "f:Fa/f:Adnotacje/f:Zwolnienie/f:P_19A") == "art. 43 ust. 1 pkt 29 lit. c ustawy"
    # never the internal key "balance": the schema's "other form" in Polish words
    assert text(root, "f:Fa/f:Platnosc/f:PlatnoscInna") == "1"
    assert text(root, "f:Fa/f:Platnosc/f:OpisPlatnosci") == "saldo konta"


def test_proforma_is_not_sent_to_ksef() -> None:
    with pytest.raises(ValueError, match="proforma"):
        build_fa3_xml(sample_snapshot("proforma"))


def test_broken_documents_fail_validation() -> None:
    good = build_fa3_xml(sample_snapshot(), created_at=CREATED)
    validate_fa3(good)
    no_number = good.replace(b"<P_2>FV/2026/03/0007</P_2>", b"")
    with pytest.raises(KsefValidationError, match="P_2|P_6|Unexpected|missing"):
        validate_fa3(no_number)
    bad_nip = good.replace(b"<NIP>7740001454</NIP>", b"<NIP>0740001454</NIP>")
    with pytest.raises(KsefValidationError, match="NIP|pattern"):
        validate_fa3(bad_nip)
    bad_rate = good.replace(b"<P_12>23</P_12>", b"<P_12>24</P_12>", 1)
    with pytest.raises(KsefValidationError):
        validate_fa3(bad_rate)
    with pytest.raises(KsefValidationError, match="readable"):
        validate_fa3(b"<Faktura")


def test_validation_is_offline(monkeypatch: pytest.MonkeyPatch) -> None:
    def no_network(*args: object, **kwargs: object) -> None:
        raise AssertionError("the schema tried to reach the network")

    monkeypatch.setattr(socket.socket, "connect", no_network)
    monkeypatch.setattr(socket, "create_connection", no_network)
    fa3_schema.cache_clear()
    try:
        validate_fa3(build_fa3_xml(sample_snapshot("correction"), created_at=CREATED))
    finally:
        fa3_schema.cache_clear()


def test_domestic_reverse_charge_line_uses_oo_and_p_13_10() -> None:
    lines = (LineInput("Usługa budowlana", Decimal(1), "usł.", Decimal("1000.00"), "oo"),)
    root = build(lines=lines)
    assert text(root, "f:Fa/f:FaWiersz/f:P_12") == "oo"
    assert text(root, "f:Fa/f:P_13_10") == "1000.00"
    assert text(root, "f:Fa/f:Adnotacje/f:P_18") == "1"
    assert root.find("f:Podmiot1/f:PrefiksPodatnika", N) is None
