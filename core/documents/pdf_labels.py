"""Labels and number formats for the invoice PDF, in Polish (legal) and English.

Polish is the language of the document; the English set is a courtesy for foreign
buyers and keeps the statutory Polish phrases ("odwrotne obciążenie", "mechanizm
podzielonej płatności") next to the translation, because those words are required.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal

LABELS: dict[str, dict[str, str]] = {
    "pl": {
        "title_vat": "Faktura VAT",
        "title_proforma": "Faktura pro forma",
        "title_correction": "Faktura korygująca",
        "title_advance": "Faktura zaliczkowa",
        "number": "nr",
        "issue_date": "Data wystawienia",
        "place": "Miejsce wystawienia",
        "sale_date": "Data sprzedaży (wykonania usługi)",
        "items": "Pozycje",
        "seller": "Sprzedawca",
        "buyer": "Nabywca",
        "nip": "NIP",
        "vat_eu": "NIP UE",
        "tax_id": "Nr identyfikacyjny",
        "lp": "Lp.",
        "description": "Nazwa towaru lub usługi",
        "quantity": "Ilość",
        "unit": "J.m.",
        "unit_net": "Cena jedn. netto",
        "discount": "rabat",
        "net": "Wartość netto",
        "rate": "Stawka VAT",
        "vat": "Kwota VAT",
        "gross": "Wartość brutto",
        "rate_summary": "Podsumowanie według stawek VAT",
        "total": "Razem",
        "total_gross": "Kwota należności ogółem",
        "paid": "Zapłacono",
        "amount_due": "Do zapłaty",
        "to_refund": "Do zwrotu",
        "payment_method": "Sposób płatności",
        "due_date": "Termin płatności",
        "payment_date": "Data zapłaty",
        "bank_account": "Numer rachunku",
        "transfer_title": "Tytuł przelewu",
        "notes": "Uwagi",
        "proforma_ref": "Dotyczy faktury pro forma nr",
        "proforma_note": "Dokument nie jest fakturą VAT i nie stanowi podstawy do odliczenia VAT.",
        "corrects": "Korekta faktury nr",
        "of_date": "z dnia",
        "corrected_ksef": "Numer KSeF faktury korygowanej",
        "reason": "Przyczyna korekty",
        "before": "Przed korektą (stan na fakturze korygowanej)",
        "after": "Po korekcie",
        "difference": "Korekta (różnica: po korekcie − przed korektą)",
        "reverse_charge": "odwrotne obciążenie",
        "split_payment": "mechanizm podzielonej płatności",
        "exemption": "Podstawa zwolnienia z VAT",
        "page": "Strona",
        "corrected_sale_date": "Data sprzedaży faktury korygowanej",
        "settled_on_balance": "Rozliczono na saldzie",
        "refunded_to_payer": "Zwrot na rachunek płatnika",
        "settlement": "Rozliczenie",
        "settlement_method": "Sposób rozliczenia",
        "settlement_date": "Data rozliczenia",
        "payments": "Wpłaty",
        "superseded_note": "Ta wersja faktury pro forma została zastąpiona wersją nr {number}.",
        "cancelled_note": "Faktura pro forma anulowana.",
    },
    "en": {
        "title_vat": "VAT invoice (Faktura VAT)",
        "title_proforma": "Pro forma invoice",
        "title_correction": "Correcting invoice (Faktura korygująca)",
        "title_advance": "Advance invoice (Faktura zaliczkowa)",
        "number": "no.",
        "issue_date": "Issue date",
        "place": "Place of issue",
        "sale_date": "Date of supply",
        "items": "Items",
        "seller": "Seller",
        "buyer": "Buyer",
        "nip": "NIP (tax id)",
        "vat_eu": "EU VAT id",
        "tax_id": "Tax id",
        "lp": "No.",
        "description": "Goods or service",
        "quantity": "Qty",
        "unit": "Unit",
        "unit_net": "Unit net price",
        "discount": "discount (rabat)",
        "net": "Net amount",
        "rate": "VAT rate",
        "vat": "VAT amount",
        "gross": "Gross amount",
        "rate_summary": "Totals per VAT rate",
        "total": "Total",
        "total_gross": "Total amount",
        "paid": "Paid",
        "amount_due": "Amount due",
        "to_refund": "To be refunded",
        "payment_method": "Payment method",
        "due_date": "Due date",
        "payment_date": "Payment date",
        "bank_account": "Bank account",
        "transfer_title": "Transfer reference",
        "notes": "Notes",
        "proforma_ref": "Refers to pro forma no.",
        "proforma_note": "This document is not a VAT invoice.",
        "corrects": "Corrects invoice no.",
        "of_date": "of",
        "corrected_ksef": "KSeF number of the corrected invoice",
        "reason": "Reason for correction",
        "before": "Before correction",
        "after": "After correction",
        "difference": "Correction (after − before)",
        "reverse_charge": "Reverse charge (odwrotne obciążenie)",
        "split_payment": "Split payment (mechanizm podzielonej płatności)",
        "exemption": "VAT exemption basis",
        "page": "Page",
        "corrected_sale_date": "Date of supply on the corrected invoice",
        "settled_on_balance": "Settled on the credit balance",
        "refunded_to_payer": "Refunded to the payer's account",
        "settlement": "Settlement",
        "settlement_method": "Settled by",
        "settlement_date": "Settlement date",
        "payments": "Payments",
        "superseded_note": "This pro forma version was replaced by version no. {number}.",
        "cancelled_note": "Pro forma cancelled.",
    },
}

PAYMENT_METHODS: dict[str, dict[str, str]] = {
    "pl": {
        "transfer": "przelew",
        "card": "karta płatnicza",
        "cash": "gotówka",
        "balance": "saldo konta",
        "set_off": "kompensata",
        "refund_to_payer": "zwrot na rachunek płatnika",
        "blik": "BLIK",
        "online": "płatność online",
        "banktransfer": "przelew",
        "testgateway": "płatność online",
    },
    "en": {
        "transfer": "bank transfer",
        "card": "card",
        "cash": "cash",
        "balance": "account balance",
        "set_off": "set-off",
        "refund_to_payer": "refund to the payer's account",
        "blik": "BLIK",
        "online": "online payment",
        "banktransfer": "bank transfer",
        "testgateway": "online payment",
    },
}


def labels(lang: str) -> dict[str, str]:
    """The label set for ``lang`` ("pl" or "en"); ValueError for anything else."""
    if lang not in LABELS:
        raise ValueError(f"unsupported document language {lang!r}")
    return LABELS[lang]


def fmt_money(value: Decimal) -> str:
    """``Decimal("-1234.5")`` -> ``"-1 234,50"``: Polish grouping and comma."""
    text = f"{value:,.2f}"
    return text.replace(",", " ").replace(".", ",")


def fmt_number(value: Decimal) -> str:
    """A quantity or unit price as given, at least 2 decimals for prices over 2."""
    exponent = value.as_tuple().exponent
    places = max(0, -exponent) if isinstance(exponent, int) else 0
    if value == value.to_integral_value():
        places = 0
    return f"{value:,.{places}f}".replace(",", " ").replace(".", ",")


def fmt_price(value: Decimal) -> str:
    """A unit price: 2 decimals, more only when the price has them (``4,333``)."""
    exponent = value.as_tuple().exponent
    places = max(2, -exponent) if isinstance(exponent, int) else 2
    return f"{value:,.{places}f}".replace(",", " ").replace(".", ",")


def fmt_date(value: date) -> str:
    """ISO date (``2026-03-16``): unambiguous in every language."""
    return value.isoformat()


def fmt_rate(vat_rate: str, *, eu_services: bool = False) -> str:
    """``"23"`` -> ``"23%"``; ``zw``, ``np.``, ``oo`` as written on Polish invoices.

    ``eu_services``: the document sells services to a taxpayer in another EU
    state (art. 28b; reverse-charged there). Its ``"oo"`` lines print ``np.``:
    the supply is outside Polish VAT ("nie podlega"), which is also what FA(3)
    reports (``np II``); ``oo`` is the domestic reverse charge (art. 17).
    """
    from core.documents.build import rate_percent

    if vat_rate == "oo" and eu_services:
        return "np."
    return f"{vat_rate}%" if rate_percent(vat_rate) is not None else {"np": "np."}.get(vat_rate, vat_rate)


def payment_method_label(method: str, lang: str) -> str:
    """Human name of a payment method key; unknown keys are shown as they are."""
    return PAYMENT_METHODS[lang].get(method, method)
