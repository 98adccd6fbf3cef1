"""The invoice PDF: Polish text survives, and every art. 106e field is printed."""

from __future__ import annotations

import io
import subprocess
from decimal import Decimal
from pathlib import Path

import pytest
from pypdf import PdfReader

from core.documents import LineInput, Party
from core.documents.pdf import render_pdf
from tests.document_samples import BUYERS, sample_snapshot


def pypdf_text(data: bytes) -> str:
    """Text of all pages via pypdf, whitespace collapsed to single spaces."""
    reader = PdfReader(io.BytesIO(data))
    return " ".join(" ".join((page.extract_text() or "") for page in reader.pages).split())


def poppler_text(data: bytes, tmp_path: Path) -> str:
    """Text via poppler's pdftotext: a second, independent extractor."""
    source = tmp_path / "doc.pdf"
    source.write_bytes(data)
    out = subprocess.run(
        ["pdftotext", "-enc", "UTF-8", str(source), "-"], check=True, capture_output=True, text=True
    ).stdout
    return " ".join(out.split())


def assert_all_in(text: str, expected: list[str]) -> None:
    missing = [item for item in expected if item not in text]
    assert not missing, f"missing from the PDF: {missing}\n--- text ---\n{text}"


PARTIES = [
    # seller (art. 106e ust. 1 pkt 3, 4)
    "Sprzedawca",
    "Hostownia Żółw sp. z o.o.",
    "ul. Marszałkowska 1 lok. 2",
    "00-624 Warszawa",
    "NIP: 5260250274",
    # buyer (pkt 3, 5)
    "Nabywca",
    "Zażółć Gęślą Jaźń sp. z o.o.",
    "ul. Świętokrzyska 12",
    "II piętro",
    "90-001 Łódź",
    "NIP: 7740001454",
]
ITEMS = [
    # headings (pkt 7, 8, 9, 11, 12) and values of every line
    "Lp.",
    "Nazwa towaru lub usługi",
    "Ilość",
    "J.m.",
    "Cena jedn. netto",
    "Wartość netto",
    "Stawka VAT",
    "Hosting WWW Pro – marzec 2026",
    "Domena zażółć.pl – odnowienie roczne",
    "Adres IP dodatkowy 3 szt. 4,333 13,00 23%",
    "1 usł. 100,00 100,00 23%",
    "1 szt. 49,99 49,99 23%",
]


def test_vat_invoice_for_a_polish_company_has_every_art_106e_field(tmp_path: Path) -> None:
    data = render_pdf(sample_snapshot("vat", buyer="pl_company"), lang="pl")
    assert data.startswith(b"%PDF-")
    text = pypdf_text(data)
    assert_all_in(
        text,
        [
            "Faktura VAT",
            "nr FV/2026/03/0007",  # title, pkt 2
            "Data wystawienia: 2026-03-16",
            "Miejsce wystawienia: Warszawa",  # pkt 1
            "Data sprzedaży (wykonania usługi): 2026-03-15",  # pkt 6
            *PARTIES,
            *ITEMS,
            # per-rate totals (pkt 13, 14) and the gross total (pkt 15)
            "Podsumowanie według stawek VAT (PLN)",
            "Wartość netto Kwota VAT Wartość brutto",
            "23% 162,99 37,49 200,48",
            "Razem 162,99 37,49 200,48",
            "Kwota należności ogółem: 200,48 PLN",
            "Zapłacono: 0,00 PLN",
            "Do zapłaty: 200,48 PLN",
            # payment
            "Sposób płatności: przelew",
            "Termin płatności: 2026-03-30",
            "Numer rachunku: PL61 1090 1014 0000 0712 1981 2874 (Santander Bank Polska)",
            "Tytuł przelewu: FV/2026/03/0007",
            "Dotyczy faktury pro forma nr PF/2026/03/0012",
        ],
    )
    assert "odwrotne obciążenie" not in text and "podzielonej" not in text
    assert_all_in(
        poppler_text(data, tmp_path),
        [
            "Zażółć Gęślą Jaźń sp. z o.o.",
            "ul. Świętokrzyska 12",
            "90-001 Łódź",
            "Hostownia Żółw sp. z o.o.",
            "Domena zażółć.pl",
            "Faktura VAT",
        ],
    )


def test_proforma_for_a_private_buyer(tmp_path: Path) -> None:
    text = pypdf_text(render_pdf(sample_snapshot("proforma", buyer="private"), lang="pl"))
    assert_all_in(
        text,
        [
            "Faktura pro forma",
            "nr PF/2026/03/0012",
            "Grzegorz Brzęczyszczykiewicz",
            "ul. Źródlana 5 m. 3",
            "31-000 Kraków",
            "Dokument nie jest fakturą VAT",
            "Kwota należności ogółem: 200,48 PLN",
            "Tytuł przelewu: PF/2026/03/0012",
        ],
    )
    assert text.count("NIP:") == 1  # the seller's; a private buyer has none
    assert "Faktura VAT nr" not in text


def test_correction_shows_what_it_corrects_before_after_and_difference() -> None:
    text = pypdf_text(render_pdf(sample_snapshot("correction"), lang="pl"))
    assert_all_in(
        text,
        [
            "Faktura korygująca",
            "nr FK/2026/03/0001",
            "Data wystawienia: 2026-03-20",
            "Korekta faktury nr: FV/2026/03/0007 z dnia 2026-03-16",
            "Data sprzedaży faktury korygowanej: 2026-03-15",  # art. 106j ust. 2 pkt 3
            "Przyczyna korekty: Zmiana pakietu na tańszy (downgrade) od 16.03.2026",
            "Przed korektą",
            "Po korekcie",
            "Korekta (różnica: po korekcie − przed korektą)",
            *PARTIES,
            "23% 162,99 37,49 200,48",  # before
            "1 usł. 60,00 60,00 23%",
            "23% 114,32 26,29 140,61",  # after
            "1 usł. -40,00 -40,00 23%",
            "-2 szt. 4,333 -8,67 23%",  # difference lines
            "23% -48,67 -11,20 -59,87",
            "Kwota należności ogółem: -59,87 PLN",
            "Do zwrotu: 59,87 PLN",
        ],
    )


def test_reverse_charge_invoice_for_an_eu_company() -> None:
    text = pypdf_text(render_pdf(sample_snapshot("vat", buyer="eu_company"), lang="pl"))
    assert_all_in(
        text,
        [
            "Müller Hosting GmbH",
            "Straße des 17. Juni 135",
            "10623 Berlin",
            "DE",
            "NIP UE: DE136695976",
            "NIP UE: PL5260250274",
            "1 usł. 100,00 100,00 np.",  # art. 28b services: outside Polish VAT, as FA(3)'s "np II"
            "np. 162,99 0,00 162,99",
            "odwrotne obciążenie",
        ],
    )
    assert " oo " not in f" {text} "


def test_split_payment_annotation_is_printed() -> None:
    lines = (LineInput("Serwer dedykowany – dyski SSD", Decimal(1), "szt.", Decimal("20000.00"), annex15=True),)
    text = pypdf_text(render_pdf(sample_snapshot("vat", lines=lines), lang="pl"))
    assert_all_in(text, ["mechanizm podzielonej płatności", "Kwota należności ogółem: 24 600,00 PLN"])


def test_customer_text_is_never_interpreted_as_markup() -> None:
    buyer = Party(
        kind="private",
        name="<b>Jan</b> **Kowalski** <font color='red'>x</font>",
        address_line1="ul. __Długa__ 1",
        postcode="00-001",
        city="Warszawa",
        country="PL",
    )
    text = pypdf_text(render_pdf(sample_snapshot("proforma", buyer=buyer), lang="pl"))
    assert_all_in(text, ["<b>Jan</b> **Kowalski** <font color='red'>x</font>", "ul. __Długa__ 1"])


def test_long_documents_break_pages_and_number_them() -> None:
    lines = tuple(
        LineInput(f"Usługa nr {i} – zażółć gęślą jaźń", Decimal(1), "usł.", Decimal("10.00")) for i in range(1, 81)
    )
    data = render_pdf(sample_snapshot("vat", lines=lines), lang="pl")
    reader = PdfReader(io.BytesIO(data))
    assert len(reader.pages) >= 2
    last = " ".join((reader.pages[-1].extract_text() or "").split())
    assert f"Strona {len(reader.pages)}/{len(reader.pages)}" in last
    assert "Usługa nr 80 – zażółć gęślą jaźń" in pypdf_text(data)
    assert "Kwota należności ogółem: 984,00 PLN" in pypdf_text(data)


def test_english_labels_keep_the_statutory_polish_phrase() -> None:
    text = pypdf_text(render_pdf(sample_snapshot("vat", buyer="eu_company"), lang="en"))
    assert_all_in(
        text,
        [
            "VAT invoice (Faktura VAT)",
            "Issue date: 2026-03-16",
            "Reverse charge (odwrotne obciążenie)",
            "EU VAT id: DE136695976",
            "Amount due: 162,99 PLN",
        ],
    )
    with pytest.raises(ValueError, match="language"):
        render_pdf(sample_snapshot(), lang="de")


def test_logo_is_embedded(tmp_path: Path) -> None:
    from PIL import Image

    logo = tmp_path / "logo.png"
    Image.new("RGB", (120, 40), (33, 64, 110)).save(logo)
    with_logo = render_pdf(sample_snapshot(), lang="pl", logo_path=logo)
    without = render_pdf(sample_snapshot(), lang="pl")
    assert b"/Subtype /Image" in with_logo and b"/Subtype /Image" not in without
    assert "Faktura VAT" in pypdf_text(with_logo)


def test_buyers_fixture_is_complete() -> None:
    assert set(BUYERS) == {"pl_company", "private", "eu_company", "non_eu_company"}
