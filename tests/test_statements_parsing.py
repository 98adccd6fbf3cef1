"""Reading statement files: MT940 (ZBP) in the banks' code pages, camt.053 001.02 and 001.08, CSV by mapping.

The sample files in ``tests/data/statements`` are written the way the banks
write them: titles cut at the sub-field width (27 characters) and the lines at
65, Polish letters in CP852 / Windows-1250 / UTF-8, several entries a day,
split-payment titles, fees, pending and reversed entries.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal as D

import pytest

from plugins.bankstatements.parsers import StatementError
from plugins.bankstatements.parsers.camt import parse_camt
from plugins.bankstatements.parsers.csvfile import parse_amount, parse_csv
from plugins.bankstatements.parsers.encoding import decode, guess_encoding
from plugins.bankstatements.parsers.mt940zbp import parse_mt940, subfields
from plugins.bankstatements.parsers.reading import detect_format, read_statement
from plugins.bankstatements.presets import PRESETS
from tests.statement_helpers import statement


def preset(name: str) -> dict:
    return {**PRESETS[name]["mapping"], "encoding": PRESETS[name]["encoding"]}


def test_encodings_are_told_apart_by_their_polish_letters():
    text = "Zażółć gęślą jaźń ŻÓŁW Świętokrzyska Łódź"
    for name in ("cp852", "cp1250", "iso-8859-2", "utf-8"):
        assert guess_encoding(text.encode(name)) == name
        assert decode(text.encode(name)) == text
    assert guess_encoding(statement("zbp_pkobp_cp852.sta")) == "cp852"
    assert guess_encoding(statement("zbp_pekao_1250.sta")) == "cp1250"
    assert guess_encoding(statement("mbank_lista_operacji_1250.csv")) == "cp1250"
    with pytest.raises(StatementError, match="not written in the encoding utf-8"):
        decode("Łódź".encode("cp1250"), "utf-8")


def test_zbp_subfields_with_any_separator_and_lines_cut_anywhere():
    details = (
        "034~00PRZELEW~20Zapłata za proformę PRO/202\n6/00001~21 dziękuję~32JAN KOW\nALSKI"
        "~38PL27114020040000300201355387"
    )
    fields = subfields(details)
    assert fields["code"] == ["034"] and fields["20"] == ["Zapłata za proformę PRO/2026/00001"]
    assert fields["32"] == ["JAN KOWALSKI"] and fields["38"] == ["PL27114020040000300201355387"]
    assert subfields(details.replace("~", "^"))["21"] == [" dziękuję"]
    assert subfields("Free text without sub-fields") == {"20": ["Free text without sub-fields"]}


def test_mt940_zbp_in_cp852():
    parsed = parse_mt940(statement("zbp_pkobp_cp852.sta"))
    assert parsed.format == "mt940" and parsed.account == "PL61109010140000071219812874"
    assert len(parsed.statement_ids) == 2 and parsed.statement_ids[0] != parsed.statement_ids[1]
    assert [line.booking_date for line in parsed.lines] == [date(2026, 3, 16)] * 7 + [date(2026, 3, 17)] * 4
    first = parsed.lines[0]
    # The title was cut inside the number ("PRO/202" | "6/00001"); the parts join back.
    assert first.title == "Zapłata za proformę PRO/2026/00001 dziękuję"
    assert first.title_parts[:2] == ("Zapłata za proformę PRO/202", "6/00001 dziękuję")
    assert first.amount == D("123.00") and first.currency == "PLN" and first.is_credit
    assert first.counterparty == "JAN KOWALSKI UL. PROSTA 1 00-001 WARSZAWA"
    assert first.counterparty_account == "PL27114020040000300201355387"
    assert first.reference == "PKO2603160001"
    # A line cut at 65 characters right after a word keeps the space between the words.
    assert parsed.lines[5].counterparty == "ZAKŁAD USŁUG INFORMATYCZNYCH ŻURAW SP. Z O.O."
    assert parsed.lines[5].title == "/VAT/46,00/IDC/5213017228/INV/PRO/2026/00003/TXT/Hosting Żuraw"
    assert [line.reference for line in parsed.lines[2:4]] == ["", ""]  # NONREF: no bank reference
    assert [line.amount for line in parsed.lines if not line.is_credit] == [D("-5.00"), D("-46.00"), D("-1000.00")]
    assert parsed.lines[7].counterparty == "ŻANETA GĘŚLIŃSKA UL. ŹRÓDLANA 7/3 80-831 GDAŃSK"


def test_mt940_in_windows_1250_with_swift_blocks_and_the_credited_account():
    parsed = parse_mt940(statement("zbp_pekao_1250.sta"))
    assert [line.title for line in parsed.lines] == ["faktura za marzec", "doładowanie konta", "zwrot"]
    assert parsed.lines[0].own_accounts == ("46109010147777000000000001",)
    assert parsed.lines[1].counterparty == "ŻANETA GĘŚLIŃSKA UL. ŹRÓDLANA 7/3"
    assert parsed.lines[1].counterparty_account == "PL10249000050000453012345678"


def test_camt_053_001_02():
    parsed = parse_camt(statement("camt053_001_02_santander.xml"))
    assert parsed.account == "PL61109010140000071219812874"
    amounts = [(line.amount, line.kind) for line in parsed.lines]
    # The pending entry is left for a later statement; the batch entry is two transfers.
    assert amounts == [
        (D("123.00"), "transfer"),
        (D("200.00"), "transfer"),
        (D("61.50"), "transfer"),
        (D("123.00"), "transfer"),
        (D("-5.00"), "transfer"),
        (D("10.00"), "reversal"),
    ]
    first = parsed.lines[0]
    assert first.title == "Zapłata za proformę PRO/2026/00001 dziękuję"  # two Ustrd lines of 35
    assert (first.counterparty, first.counterparty_account) == ("Jan Kowalski", "PL27114020040000300201355387")
    assert first.reference == "CAMT2026031600001"
    assert "".join(parsed.lines[1].title_parts).startswith("/VAT/46,00/IDC/5213017228/INV/PRO/2026/00003/")
    assert [line.reference for line in parsed.lines[2:4]] == ["CAMT2026031600003-1", "CAMT2026031600003-2"]
    assert not parsed.lines[5].is_credit


def test_camt_053_001_08_names_a_level_deeper_and_entries_without_reference():
    parsed = parse_camt(statement("camt053_001_08_ing.xml"))
    assert [line.counterparty for line in parsed.lines[:3]] == ["Jan Kowalski", "Żaneta Gęślińska", "Żaneta Gęślińska"]
    assert [line.reference for line in parsed.lines] == ["C08-2026031700001", "", "", "C08-2026031700004"]
    assert [line.position for line in parsed.lines] == [1, 2, 3, 4]


def test_csv_mbank_preamble_footer_and_thousands():
    parsed = parse_csv(statement("mbank_lista_operacji_1250.csv"), preset("mbank"))
    assert [line.amount for line in parsed.lines] == [D("123.00"), D("40.00"), D("40.00"), D("-12.00"), D("1230.00")]
    assert parsed.lines[0].counterparty_account == "27114020040000300201355387"  # the apostrophe is gone
    assert parsed.lines[4].counterparty.startswith("ŻANETA GĘŚLIŃSKA")
    assert all(line.reference == "" for line in parsed.lines)


def test_csv_ing_has_transaction_numbers_and_santander_columns_by_number():
    ing = parse_csv(statement("ing_lista_transakcji_1250.csv"), preset("ing"))
    assert [line.reference for line in ing.lines] == ["202603160000123456", "202603160000123457", "202603170000000001"]
    assert ing.lines[1].title == "Pro/2026/2 dopłata"
    santander = parse_csv(statement("santander_historia_utf8.csv"), preset("santander"))
    assert [(line.booking_date, line.amount) for line in santander.lines] == [
        (date(2026, 3, 16), D("123.00")),
        (date(2026, 3, 17), D("61.50")),
        (date(2026, 3, 17), D("-2.00")),
    ]


def test_amounts_as_banks_write_them():
    assert parse_amount("1 234,56", ",") == D("1234.56")
    assert parse_amount("-1.234,56", ",") == D("-1234.56")
    assert parse_amount("+12.30 PLN", ".") == D("12.30")
    assert parse_amount("1,234.56", ".") == D("1234.56")
    assert parse_amount("", ",") is None
    for junk in ("12,345", "abc1x2", "1.2.3,4,5"):
        with pytest.raises(ValueError):
            parse_amount(junk, ",")


def test_bad_files_say_why():
    with pytest.raises(StatementError, match="not an MT940"):
        parse_mt940(b"hello")
    with pytest.raises(StatementError, match="cannot be read"):
        parse_mt940(b":20:X\n:25:PL1\n:28C:1\n:60F:C260101PLN1,00\n:61:garbage\n:62F:C260101PLN1,00\n")
    with pytest.raises(StatementError, match="not valid XML"):
        parse_camt(b"<Document><unclosed>")
    with pytest.raises(StatementError, match="not a camt.053"):
        parse_camt(b'<Document xmlns="urn:iso:std:iso:20022:tech:xsd:pain.001.001.03"/>')
    bomb = b'<?xml version="1.0"?><!DOCTYPE d [<!ENTITY a "aaaa">]><Document>&a;</Document>'
    with pytest.raises(StatementError, match="DTD"):
        parse_camt(bomb)
    bad_row = "Data;Kwota;Tytuł\n2026-03-16;12,00;ok\n2026-13-45;5,00;bad\n".encode()
    with pytest.raises(StatementError, match="Row 3: 2026-13-45 is not a date"):
        parse_csv(bad_row, {"columns": {"date": "Data", "amount": "Kwota", "title": "Tytuł"}})
    with pytest.raises(StatementError, match="No header row"):
        parse_csv(b"a;b\n1;2\n", {"columns": {"date": "Data", "amount": "Kwota", "title": "Tytuł"}})
    with pytest.raises(StatementError, match="needs a bank"):
        read_statement(b"Data;Kwota\n")
    with pytest.raises(StatementError, match="empty"):
        read_statement(b"  \n")


def test_format_is_detected_from_the_first_bytes():
    assert detect_format(statement("zbp_pkobp_cp852.sta")) == "mt940"
    assert detect_format(statement("zbp_pekao_1250.sta")) == "mt940"
    assert detect_format(statement("camt053_001_08_ing.xml")) == "camt053"
    assert detect_format(statement("mbank_lista_operacji_1250.csv")) == "csv"
