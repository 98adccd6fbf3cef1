"""Snapshot arithmetic: totals per rate, reverse charge, split payment, corrections."""

from __future__ import annotations

import json
from decimal import Decimal

import pytest

from core.documents import DocumentSnapshot, LineInput, build_snapshot
from core.documents.build import difference_lines, rate_totals
from core.money import MoneyError
from tests.document_samples import BUYERS, SELLER, sample_snapshot

D = Decimal


def test_lines_round_on_their_own_and_vat_is_once_per_rate() -> None:
    snap = sample_snapshot()
    assert [line.net for line in snap.lines] == [D("100.00"), D("49.99"), D("13.00")]
    (total,) = snap.totals
    assert (total.vat_rate, total.net, total.vat, total.gross) == ("23", D("162.99"), D("37.49"), D("200.48"))
    assert (snap.total_net, snap.total_vat, snap.total_gross) == (D("162.99"), D("37.49"), D("200.48"))
    assert snap.amount_due == D("200.48") and snap.transfer_title == "FV/2026/03/0007"


def test_rate_vat_differs_from_sum_of_line_vat_and_the_rate_wins() -> None:
    lines = [LineInput(f"Usługa {i}", D("1"), "szt.", D("0.02")) for i in range(3)]
    snap = sample_snapshot(lines=tuple(lines))
    assert sum(line.vat for line in snap.lines) == D("0.00")  # 0.0046 rounds to 0 each
    assert snap.total_vat == D("0.01")  # 0.06 x 23% = 0.0138 -> 0.01, once


def test_several_rates_each_get_their_own_total_in_fixed_order() -> None:
    lines = (
        LineInput("Książka", D("2"), "szt.", D("10.00"), "5"),
        LineInput("Hosting", D("1"), "usł.", D("33.33"), "23"),
        LineInput("Nocleg", D("1"), "usł.", D("100.00"), "8"),
        LineInput("Hosting 2", D("1"), "usł.", D("33.33"), "23"),
    )
    snap = sample_snapshot(lines=lines)
    assert [(t.vat_rate, t.net, t.vat) for t in snap.totals] == [
        ("23", D("66.66"), D("15.33")),
        ("8", D("100.00"), D("8.00")),
        ("5", D("20.00"), D("1.00")),
    ]
    assert snap.total_gross == D("186.66") + D("24.33")


def test_eu_company_buyer_is_reverse_charged() -> None:
    snap = sample_snapshot(buyer="eu_company")
    assert snap.reverse_charge
    assert {line.vat_rate for line in snap.lines} == {"oo"}
    assert all(line.vat == D("0.00") for line in snap.lines)
    assert snap.total_vat == D("0.00") and snap.total_gross == D("162.99")
    assert "odwrotne obciążenie" in snap.notes


@pytest.mark.parametrize("buyer", ["pl_company", "private", "non_eu_company"])
def test_other_buyers_are_not_reverse_charged(buyer: str) -> None:
    snap = sample_snapshot(buyer=buyer)
    assert not snap.reverse_charge and "odwrotne obciążenie" not in snap.notes
    assert snap.total_vat == D("37.49")


def _annex15(net: str, annex15: bool = True) -> tuple[LineInput, ...]:
    return (LineInput("Dysk SSD 8 TB", D("1"), "szt.", D(net), "23", annex15=annex15),)


def test_split_payment_from_15000_gross_with_annex15_goods() -> None:
    # 12195.13 net -> 2804.88 VAT -> 15000.01 gross; 12195.12 -> 14999.998 -> 15000.00
    assert sample_snapshot(lines=_annex15("12195.13")).split_payment
    exact = sample_snapshot(lines=_annex15("12195.12"))
    assert exact.total_gross == D("15000.00") and exact.split_payment
    assert "mechanizm podzielonej płatności" in exact.notes
    below = sample_snapshot(lines=_annex15("12195.11"))
    assert below.total_gross == D("14999.99") and not below.split_payment
    assert "mechanizm podzielonej płatności" not in below.notes


def test_split_payment_needs_annex15_a_taxpayer_and_domestic_vat() -> None:
    assert not sample_snapshot(lines=_annex15("20000.00", annex15=False)).split_payment
    assert not sample_snapshot(buyer="private", lines=_annex15("20000.00")).split_payment
    assert not sample_snapshot(buyer="eu_company", lines=_annex15("20000.00")).split_payment


def test_split_payment_in_foreign_currency_uses_the_pln_equivalent() -> None:
    eur = sample_snapshot(lines=_annex15("4000.00"), currency="EUR", gross_in_pln=D("21000.00"))
    assert eur.split_payment and eur.currency == "EUR"
    with pytest.raises(ValueError, match="gross_in_pln"):
        sample_snapshot(lines=_annex15("4000.00"), currency="EUR")


def test_exempt_line_needs_a_legal_basis() -> None:
    lines = (LineInput("Szkolenie", D("1"), "usł.", D("500.00"), "zw"),)
    with pytest.raises(ValueError, match="exemption_basis"):
        sample_snapshot(lines=lines)
    snap = sample_snapshot(lines=lines, exemption_basis="art. 43 ust. 1 pkt 29 lit. c ustawy")
    assert snap.total_vat == D("0.00") and snap.totals[0].vat_rate == "zw"


def test_floats_are_refused() -> None:
    with pytest.raises(MoneyError):
        sample_snapshot(lines=(LineInput("x", 1, "szt.", 0.1),))  # type: ignore[arg-type]


def test_json_round_trip_is_exact_and_plain() -> None:
    for kind in ("vat", "proforma", "correction"):
        snap = sample_snapshot(kind=kind, buyer="eu_company" if kind == "vat" else "pl_company")
        data = json.loads(json.dumps(snap.to_json()))
        assert DocumentSnapshot.from_json(data) == snap
    data = sample_snapshot().to_json()
    assert data["total_gross"] == "200.48" and data["issue_date"] == "2026-03-16"
    assert data["lines"][2]["unit_net"] == "4.333" and data["payment_date"] is None
    assert data["buyer"]["name"] == "Zażółć Gęślą Jaźń sp. z o.o."
    with pytest.raises(ValueError, match="version"):
        DocumentSnapshot.from_json({**data, "version": 99})


def test_correction_lines_are_the_difference_and_totals_follow() -> None:
    snap = sample_snapshot(kind="correction")
    assert snap.corrected is not None and snap.corrected.number == "FV/2026/03/0007"
    assert [(ln.description, ln.quantity, ln.unit_net, ln.net) for ln in snap.lines] == [
        ("Hosting WWW Pro – marzec 2026", D("1"), D("-40.00"), D("-40.00")),
        ("Adres IP dodatkowy", D("-2"), D("4.333"), D("-8.67")),
    ]
    # before 162.99 / 37.49, after 114.32 / 26.29: VAT difference is -11.20, not
    # vat_of(-48.67) = -11.19, so invoice + correction = VAT of the final state.
    assert (snap.total_net, snap.total_vat, snap.total_gross) == (D("-48.67"), D("-11.20"), D("-59.87"))
    assert sum(t.vat for t in rate_totals(snap.corrected.lines_after)) == D("26.29")
    assert snap.amount_due == D("-59.87")


def test_difference_lines_handle_removed_added_and_rate_changes() -> None:
    before = sample_snapshot(
        lines=(LineInput("A", D("1"), "szt.", D("10.00")), LineInput("B", D("1"), "szt.", D("5.00")))
    ).lines
    after = sample_snapshot(lines=(LineInput("A", D("1"), "szt.", D("10.00"), "8"),)).lines
    diff = difference_lines(before, after)
    assert [(ln.description, ln.vat_rate, ln.net) for ln in diff] == [
        ("A", "23", D("-10.00")),
        ("A", "8", D("10.00")),
        ("B", "23", D("-5.00")),
    ]


def test_correction_needs_what_it_corrects_and_why() -> None:
    with pytest.raises(ValueError, match="reason"):
        build_snapshot(
            kind="correction",
            number="FK/1",
            issue_date=sample_snapshot().issue_date,
            sale_date=sample_snapshot().sale_date,
            due_date=sample_snapshot().due_date,
            seller=SELLER,
            buyer=BUYERS["pl_company"],
            lines=(),
        )
