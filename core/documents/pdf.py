"""Render a :class:`DocumentSnapshot` as an A4 PDF (fpdf2, bundled DejaVu Sans).

The PDF carries every field art. 106e ust. 1 of the Polish VAT act requires on a
VAT invoice: issue date (pkt 1), sequential number (2), seller and buyer names and
addresses (3), seller NIP (4) and buyer NIP (5; EU VAT ids with their prefix, pkt
24), date of supply (6; always printed, even when equal to the issue date), name of
each service (7), unit and quantity (8), net unit price (9), net value (11), VAT rate
(12), net and VAT per rate (13, 14), total amount due (15), "odwrotne obciążenie"
(18), "mechanizm podzielonej płatności" (18a) and the exemption basis (19). A
correcting invoice (art. 106j ust. 2) adds the corrected invoice's number, issue
date and date of supply, the reason, and the lines before, after and their
difference; it has no date of supply of its own.

Lines show net figures only; VAT appears per rate, where it is computed (docs/billing.md
rule 1), so the printed numbers always add up. Services to a taxpayer in another EU
state (art. 28b) print the rate ``np.`` and the note "odwrotne obciążenie".

Payment: a document with money still due prints the payment method, the payment
term, the seller's account and the transfer title. A settled one prints how and
when it was settled instead, never a term as if money were still due: a VAT
invoice paid in full its payment date and method(s); a correction whose refund
was put on the customer's credit balance "Rozliczono na saldzie".

Plugins' marks (:mod:`core.documents.marks`, e.g. a KSeF number with its
verification QR codes) close the document: each a titled block of lines, its QR
codes side by side, each with its caption and the link it encodes.
"""

from __future__ import annotations

import io
from collections.abc import Sequence
from decimal import Decimal
from pathlib import Path

import segno
from fpdf.enums import Align, XPos, YPos

from core.documents.build import is_reverse_charge, rate_totals
from core.documents.issuing import REFUND_TO_PAYER_METHOD
from core.documents.marks import DocumentMark
from core.documents.pdf_labels import (
    fmt_date,
    fmt_money,
    fmt_number,
    fmt_price,
    fmt_rate,
    labels,
    payment_method_label,
)
from core.documents.pdf_layout import ACCENT, FONT, InvoicePDF
from core.documents.snapshot import DocumentSnapshot, Line, Party, RateTotal

REVERSE_CHARGE_PL = "odwrotne obciążenie"
SPLIT_PAYMENT_PL = "mechanizm podzielonej płatności"
LINE_WIDTHS = (8, 80, 14, 12, 24, 24, 18)
LINE_ALIGNS = ("R", "L", "R", "C", "R", "R", "C")


def render_pdf(
    snap: DocumentSnapshot, *, lang: str, logo_path: Path | None = None, marks: Sequence[DocumentMark] = ()
) -> bytes:
    """Return the PDF bytes of ``snap``; same snapshot (and marks) in, same content out.

    ``logo_path`` (PNG/JPEG) is drawn top left; ``lang`` is "pl" or "en";
    ``marks`` are the plugins' blocks printed last. Raises ValueError for an
    unknown language.
    """
    text = labels(lang)
    title = text[f"title_{snap.kind}"]
    pdf = InvoicePDF(footer_text=f"{title} {text['number']} {snap.number}", page_label=text["page"])
    pdf.set_title(f"{title} {snap.number}")
    pdf.set_author(snap.seller.name)
    pdf.set_creator("hookbill")
    pdf.add_page()
    _header(pdf, snap, text, title, logo_path)
    pdf.party_blocks(
        (text["seller"], _party_lines(snap.seller, snap, text, seller=True)),
        (text["buyer"], _party_lines(snap.buyer, snap, text, seller=False)),
    )
    eu_services = is_reverse_charge(snap.buyer)
    if snap.corrected is not None:
        _correction(pdf, snap, text, eu_services)
    else:
        pdf.section_title(text["items"])
        _lines_table(pdf, snap.lines, text, eu_services)
        _rate_summary(pdf, snap.totals, snap.currency, text, text["rate_summary"], eu_services)
    _amounts(pdf, snap, text)
    _payment(pdf, snap, text, lang)
    _annotations(pdf, snap, text)
    for mark in marks:
        _mark(pdf, mark)
    return bytes(pdf.output())


def _header(pdf: InvoicePDF, snap: DocumentSnapshot, text: dict[str, str], title: str, logo_path: Path | None) -> None:
    top = pdf.get_y()
    if logo_path is not None:
        pdf.image(str(logo_path), x=pdf.l_margin, y=top, h=16, keep_aspect_ratio=True)
    else:
        pdf.set_xy(pdf.l_margin, top)
        pdf.set_text_color(*ACCENT)
        pdf.text_line(snap.seller.name, size=12, bold=True, width=pdf.epw * 0.45)
        pdf.set_text_color(0, 0, 0)
    x = pdf.l_margin + pdf.epw * 0.48
    width = pdf.epw * 0.52
    pdf.set_xy(x, top)
    pdf.set_text_color(*ACCENT)
    pdf.text_line(title, size=16, bold=True, width=width, align=Align.R, height=7)
    pdf.set_text_color(0, 0, 0)
    pdf.set_x(x)
    pdf.text_line(f"{text['number']} {snap.number}", size=11, bold=True, width=width, align=Align.R, height=6)
    pdf.ln(1)
    rows = [(text["issue_date"], fmt_date(snap.issue_date))]
    if snap.place_of_issue:
        rows.append((text["place"], snap.place_of_issue))
    if snap.corrected is None:  # a correction prints the corrected invoice's date of supply instead
        rows.append((text["sale_date"], fmt_date(snap.sale_date)))
    pdf.key_values(rows, x=x, width=width, key_width=width * 0.62)
    pdf.set_y(max(pdf.get_y(), top + 18) + 4)


def _party_lines(party: Party, snap: DocumentSnapshot, text: dict[str, str], *, seller: bool) -> list[str]:
    lines = [party.name, party.address_line1]
    if party.address_line2:
        lines.append(party.address_line2)
    lines.append(f"{party.postcode} {party.city}".strip())
    if party.country != "PL":
        lines.append(party.country)
    if seller:
        lines.append(f"{text['nip']}: {party.tax_id}")
        if snap.reverse_charge and snap.buyer.country != "PL":
            lines.append(f"{text['vat_eu']}: PL{party.tax_id}")
    elif party.kind == "company" and party.tax_id:
        key = (
            "nip"
            if party.country == "PL"
            else ("vat_eu" if party.tax_id[:2].isalpha() and snap.reverse_charge else "tax_id")
        )
        lines.append(f"{text[key]}: {party.tax_id}")
    return lines


def _described(line: Line, text: dict[str, str]) -> str:
    """The line's description; a discounted line says its discount (rabat) under it."""
    if not line.discount:
        return line.description
    return f"{line.description}\n{text['discount']}: {fmt_money(line.discount)}"


def _line_rows(lines: Sequence[Line], eu_services: bool, text: dict[str, str]) -> list[list[str]]:
    return [
        [
            str(number),
            _described(line, text),
            fmt_number(line.quantity),
            line.unit,
            fmt_price(line.unit_net),
            fmt_money(line.net),
            fmt_rate(line.vat_rate, eu_services=eu_services),
        ]
        for number, line in enumerate(lines, start=1)
    ]


def _lines_table(pdf: InvoicePDF, lines: Sequence[Line], text: dict[str, str], eu_services: bool) -> None:
    headings = [text[key] for key in ("lp", "description", "quantity", "unit", "unit_net", "net", "rate")]
    pdf.grid(headings, _line_rows(lines, eu_services, text), LINE_WIDTHS, LINE_ALIGNS)


def _rate_summary(
    pdf: InvoicePDF,
    totals: Sequence[RateTotal],
    currency: str,
    text: dict[str, str],
    heading: str,
    eu_services: bool,
) -> None:
    rows = [
        [fmt_rate(t.vat_rate, eu_services=eu_services), fmt_money(t.net), fmt_money(t.vat), fmt_money(t.gross)]
        for t in totals
    ]
    net = sum((t.net for t in totals), Decimal("0.00"))
    vat = sum((t.vat for t in totals), Decimal("0.00"))
    rows.append([text["total"], fmt_money(net), fmt_money(vat), fmt_money(net + vat)])
    if pdf.will_page_break(8 * (len(rows) + 1) + 8):  # keep the summary in one piece
        pdf.add_page()
    pdf.set_font(FONT, "B", 8)
    pdf.cell(0, 5, f"{heading} ({currency})", new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    pdf.grid(
        [text["rate"], text["net"], text["vat"], text["gross"]],
        rows,
        (30, 50, 50, 50),
        ("C", "R", "R", "R"),
        bold_last=True,
    )


def _correction(pdf: InvoicePDF, snap: DocumentSnapshot, text: dict[str, str], eu_services: bool) -> None:
    corrected = snap.corrected
    assert corrected is not None
    reference = f"{corrected.number} {text['of_date']} {fmt_date(corrected.issue_date)}"
    rows = [(text["corrects"], reference)]
    if corrected.sale_date is not None:  # art. 106j ust. 2 pkt 3 with art. 106e ust. 1 pkt 6
        rows.append((text["corrected_sale_date"], fmt_date(corrected.sale_date)))
    if corrected.ksef_number:
        rows.append((text["corrected_ksef"], corrected.ksef_number))
    rows.append((text["reason"], corrected.reason))
    pdf.key_values(rows, x=pdf.l_margin, width=pdf.epw, key_width=58)
    for heading, lines in ((text["before"], corrected.lines_before), (text["after"], corrected.lines_after)):
        pdf.section_title(heading)
        _lines_table(pdf, lines, text, eu_services)
        _rate_summary(pdf, rate_totals(lines), snap.currency, text, text["rate_summary"], eu_services)
    pdf.section_title(text["difference"])
    _lines_table(pdf, snap.lines, text, eu_services)
    _rate_summary(pdf, snap.totals, snap.currency, text, text["rate_summary"], eu_services)


#: How a correction's refund was settled, by the method of its parts: the label of its amount line.
SETTLED_REFUNDS = {"balance": "settled_on_balance", REFUND_TO_PAYER_METHOD: "refunded_to_payer"}


def _settled_refund(snap: DocumentSnapshot) -> str | None:
    """The label key of a correction's refund settled without a transfer (on the buyer's credit balance, or
    paid back to the payer by a payment provider); None for any other document, which says what is due."""
    if snap.kind != "correction" or not snap.settled or snap.total_gross >= 0 or not snap.payments:
        return None
    keys = {SETTLED_REFUNDS.get(part.method) for part in snap.payments}
    return keys.pop() if len(keys) == 1 else None


def _amounts(pdf: InvoicePDF, snap: DocumentSnapshot, text: dict[str, str]) -> None:
    pdf.ln(2)
    due_key = "to_refund" if snap.amount_due < 0 else "amount_due"
    rows = [(text["total_gross"], snap.total_gross), (text["paid"], snap.paid), (text[due_key], abs(snap.amount_due))]
    settled = _settled_refund(snap)
    if settled is not None:
        rows = [(text["total_gross"], snap.total_gross), (text[settled], abs(snap.total_gross))]
    x = pdf.l_margin + pdf.epw * 0.45
    for index, (label, amount) in enumerate(rows):
        last = index == len(rows) - 1
        pdf.set_x(x)
        pdf.set_font(FONT, "B" if last else "", 11 if last else 9)
        pdf.cell(pdf.epw * 0.30, 6, f"{label}:", align=Align.R)
        pdf.cell(
            pdf.epw * 0.25,
            6,
            f"{fmt_money(amount)} {snap.currency}",
            align=Align.R,
            new_x=XPos.LMARGIN,
            new_y=YPos.NEXT,
        )
    pdf.set_font(FONT, size=9)


def _how(snap: DocumentSnapshot, lang: str) -> str:
    """The payment method(s), in words: the parts' own labels, else the document's method."""
    words = list(dict.fromkeys(part.label for part in snap.payments))
    return ", ".join(words) if words else payment_method_label(snap.payment_method, lang)


def _parts(snap: DocumentSnapshot) -> str:
    return "; ".join(
        f"{fmt_money(abs(part.amount))} {snap.currency} ({fmt_date(part.date)}, {part.label})" for part in snap.payments
    )


def _payment(pdf: InvoicePDF, snap: DocumentSnapshot, text: dict[str, str], lang: str) -> None:
    if _settled_refund(snap) is not None:
        pdf.section_title(text["settlement"])
        rows = [(text["settlement_method"], _how(snap, lang))]
        if snap.payment_day:
            rows.append((text["settlement_date"], fmt_date(snap.payment_day)))
        pdf.key_values(rows, x=pdf.l_margin, width=pdf.epw, key_width=45)
        return
    pdf.section_title(text["payment_method"])
    rows = [(text["payment_method"], _how(snap, lang))]
    if snap.settled:  # paid in full: when and how, no term as if money were still due
        if snap.payment_day:
            rows.append((text["payment_date"], fmt_date(snap.payment_day)))
        if len(snap.payments) > 1:
            rows.append((text["payments"], _parts(snap)))
        pdf.key_values(rows, x=pdf.l_margin, width=pdf.epw, key_width=45)
        return
    rows.append((text["due_date"], fmt_date(snap.due_date)))
    if snap.payments:
        rows.append((text["payments"], _parts(snap)))
    elif snap.payment_date:
        rows.append((text["payment_date"], fmt_date(snap.payment_date)))
    if snap.amount_due >= 0:  # the buyer transfers: the seller's account and the title
        if snap.seller.bank_account:
            bank = f" ({snap.seller.bank_name})" if snap.seller.bank_name else ""
            rows.append((text["bank_account"], snap.seller.bank_account + bank))
        rows.append((text["transfer_title"], snap.transfer_title))
    pdf.key_values(rows, x=pdf.l_margin, width=pdf.epw, key_width=45)


def _annotations(pdf: InvoicePDF, snap: DocumentSnapshot, text: dict[str, str]) -> None:
    statutory = [
        text[key]
        for key, flag in (("reverse_charge", snap.reverse_charge), ("split_payment", snap.split_payment))
        if flag
    ]
    other = [note for note in snap.notes if note not in (REVERSE_CHARGE_PL, SPLIT_PAYMENT_PL)]
    if snap.exemption_basis:
        other.insert(0, f"{text['exemption']}: {snap.exemption_basis}")
    if snap.proforma_number:
        other.insert(0, f"{text['proforma_ref']} {snap.proforma_number}")
    if snap.kind == "proforma":
        other.insert(0, text["proforma_note"])
    if not statutory and not other:
        return
    pdf.section_title(text["notes"])
    for phrase in statutory:
        pdf.text_line(phrase, size=10, bold=True)
    for note in other:
        pdf.text_line(note)


QR_SIZE = 32  # mm: the Ministry's KSeF QR specification asks for a readable code; 32 mm holds a 100-char link


def _mark(pdf: InvoicePDF, mark: DocumentMark) -> None:
    """A plugin's block: title, lines, then the QR codes side by side with caption and link."""
    needed = 12 + 5 * len(mark.lines) + (QR_SIZE + 22 if mark.codes else 0)
    if pdf.get_y() + needed > pdf.page_break_trigger:
        pdf.add_page()
    pdf.section_title(mark.title)
    for line in mark.lines:
        pdf.text_line(line, size=9, bold=True)
    if not mark.codes:
        return
    top = pdf.get_y() + 1
    column = pdf.epw / max(len(mark.codes), 2)
    bottom = top
    for index, code in enumerate(mark.codes):
        x = pdf.l_margin + index * column
        image = io.BytesIO()
        segno.make(code.link, error="m").save(image, kind="png", scale=8, border=2)
        image.seek(0)
        pdf.image(image, x=x, y=top, w=QR_SIZE, h=QR_SIZE)
        pdf.set_xy(x, top + QR_SIZE + 1)
        pdf.text_line(code.caption, size=8, bold=True, width=column - 4)
        pdf.set_x(x)
        pdf.set_font(FONT, "", 6)
        pdf.set_text_color(*ACCENT)
        pdf.multi_cell(column - 4, 3, code.link, link=code.link, new_x=XPos.LEFT, new_y=YPos.NEXT)
        pdf.set_text_color(0, 0, 0)
        bottom = max(bottom, pdf.get_y())
    pdf.set_xy(pdf.l_margin, bottom + 2)
