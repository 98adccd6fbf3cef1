"""Pieces of the KSeF FA(3) XML: parties, rate fields, lines, payment.

How hookbill's snapshot rates map onto FA(3) (field P_12 of a line, and the
P_13_x / P_14_x sums):

===========  ===========================  ==========================================
snapshot     P_12                         sums
===========  ===========================  ==========================================
``23``       ``23``                       P_13_1 net, P_14_1 VAT
``8``        ``8``                        P_13_2, P_14_2
``5``        ``5``                        P_13_3, P_14_3
``0``        ``0 KR`` (domestic 0%)       P_13_6_1
``zw``       ``zw``                       P_13_7, with Zwolnienie/P_19 + P_19A
``np``       ``np I`` (outside Poland)    P_13_8
``oo``       EU buyer: ``np II``          P_13_9 (art. 100 ust. 1 pkt 4: art. 28b
             domestic: ``oo``             services to an EU taxpayer), else P_13_10
===========  ===========================  ==========================================

Payment (``Platnosc``): a document paid in one payment is ``Zaplacono`` with its
date; paid in several (the credit balance, then a transfer) it lists each as
``ZaplataCzesciowa`` with its date and form (``ZnacznikZaplatyCzesciowej`` 2 when
paid in full, 1 when in part). Each payment's form is the one its payment method
declares (:class:`core.documents.snapshot.PaymentPart`, from
:mod:`core.payments.methods`): ``FormaPlatnosci`` for a listed form (6, a
transfer), else ``PlatnoscInna`` with the method's Polish description (a set-off
against the credit balance). A settled document has no payment term and no
account to pay to. A refund settled on the buyer's credit balance (a correction)
is described the same way, without ``Zaplacono``: nothing was paid by the buyer.

A reverse-charged document also gets Adnotacje/P_18 = 1 ("odwrotne obciążenie")
and the seller's PrefiksPodatnika ``PL``. FA(3)'s ``oo`` rate and P_13_10 are for
domestic reverse charge (art. 17 ust. 1 pkt 7-8); an EU B2B hosting sale is an
art. 28b service, which FA(3) reports as ``np II`` / P_13_9.
"""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal
from xml.etree.ElementTree import Element, SubElement

from core.documents.build import rate_totals
from core.documents.snapshot import AdvanceRef, DocumentSnapshot, Line, Party, RateTotal
from core.documents.taxid import vat_prefix

NS = "http://crd.gov.pl/wzor/2025/06/25/13775/"
#: FA(3) is the Polish tax authority's schema: its free texts (a payment's description) are Polish,
#: whatever the provider's ``app.language``.
KSEF_LANGUAGE = "pl"
EU_VAT_PREFIXES = frozenset(
    [
        "AT",
        "BE",
        "BG",
        "CY",
        "CZ",
        "DE",
        "DK",
        "EE",
        "EL",
        "ES",
        "FI",
        "FR",
        "HR",
        "HU",
        "IE",
        "IT",
        "LT",
        "LU",
        "LV",
        "MT",
        "NL",
        "PT",
        "RO",
        "SE",
        "SI",
        "SK",
    ]
)
#: FA(3) forms of the generic payment terms a document may name before it is paid
PAYMENT_FORMS = {"cash": "1", "card": "2", "transfer": "6", "blik": "7"}
#: numeric FA(3) rate -> (P_13 field, P_14 field)
TAXED_FIELDS = {"23": ("P_13_1", "P_14_1"), "8": ("P_13_2", "P_14_2"), "5": ("P_13_3", "P_14_3")}
UNTAXED_FIELDS = {"0": "P_13_6_1", "zw": "P_13_7", "np": "P_13_8"}
#: order of the untaxed P_13 fields in the schema
UNTAXED_ORDER = ("P_13_6_1", "P_13_7", "P_13_8", "P_13_9", "P_13_10")


def sub(parent: Element, tag: str, text: str | None = None) -> Element:
    """Append ``<tag>text</tag>`` (the root's xmlns puts it in the FA(3) namespace)."""
    child = SubElement(parent, tag)
    if text is not None:
        child.text = text
    return child


def amount(value: Decimal) -> str:
    """Plain decimal text (never exponent notation, never ``-0.00``)."""
    return format(value if value else abs(value), "f")


def eu_buyer(party: Party) -> bool:
    """An EU (non-PL) company buyer identified by an EU VAT id."""
    return (
        party.kind == "company"
        and party.country != "PL"
        and vat_prefix(party.country) in EU_VAT_PREFIXES
        and bool(party.tax_id)
    )


def ksef_rate(vat_rate: str, snap: DocumentSnapshot) -> str:
    """The FA(3) P_12 code of a snapshot rate (see the module table)."""
    if vat_rate == "oo":
        return "np II" if eu_buyer(snap.buyer) else "oo"
    return {"0": "0 KR", "np": "np I"}.get(vat_rate, vat_rate)


def address(parent: Element, tag: str, party: Party) -> None:
    """``Adres``: country, street line(s) in AdresL1, postcode and city in AdresL2."""
    node = sub(parent, tag)
    sub(node, "KodKraju", party.country)
    street = ", ".join(x for x in (party.address_line1, party.address_line2) if x)
    sub(node, "AdresL1", street)
    sub(node, "AdresL2", f"{party.postcode} {party.city}".strip())


def seller(root: Element, snap: DocumentSnapshot) -> None:
    """Podmiot1: NIP and name, address, e-mail; prefix PL under reverse charge."""
    node = sub(root, "Podmiot1")
    if snap.reverse_charge and eu_buyer(snap.buyer):
        sub(node, "PrefiksPodatnika", "PL")
    ident = sub(node, "DaneIdentyfikacyjne")
    sub(ident, "NIP", snap.seller.tax_id)
    sub(ident, "Nazwa", snap.seller.name)
    address(node, "Adres", snap.seller)
    if snap.seller.email:
        sub(sub(node, "DaneKontaktowe"), "Email", snap.seller.email)


def buyer(root: Element, snap: DocumentSnapshot) -> None:
    """Podmiot2: NIP, or KodUE + NrVatUE, or KodKraju + NrID, or BrakID; JST/GV = 2."""
    party = snap.buyer
    node = sub(root, "Podmiot2")
    ident = sub(node, "DaneIdentyfikacyjne")
    if party.kind == "company" and party.tax_id and party.country == "PL":
        sub(ident, "NIP", party.tax_id)
    elif eu_buyer(party):
        prefix = vat_prefix(party.country)
        number = party.tax_id[2:] if party.tax_id.startswith(prefix) else party.tax_id
        sub(ident, "KodUE", prefix)
        sub(ident, "NrVatUE", number)
    elif party.kind == "company" and party.tax_id:
        sub(ident, "KodKraju", party.country)
        sub(ident, "NrID", party.tax_id)
    else:
        sub(ident, "BrakID", "1")
    sub(ident, "Nazwa", party.name)
    address(node, "Adres", party)
    if party.email:
        sub(sub(node, "DaneKontaktowe"), "Email", party.email)
    sub(node, "JST", "2")  # not a subordinate unit of a local government
    sub(node, "GV", "2")  # not a member of a VAT group


def rate_sums(fa: Element, totals: Sequence[RateTotal], snap: DocumentSnapshot) -> None:
    """P_13_x / P_14_x per rate, in schema order; several rates may map to one field."""
    taxed = {rate: (Decimal("0.00"), Decimal("0.00")) for rate in TAXED_FIELDS}
    untaxed: dict[str, Decimal] = {}
    for total in totals:
        if total.vat_rate in TAXED_FIELDS:
            net, vat = taxed[total.vat_rate]
            taxed[total.vat_rate] = (net + total.net, vat + total.vat)
        else:
            field = UNTAXED_FIELDS.get(total.vat_rate) or ("P_13_9" if eu_buyer(snap.buyer) else "P_13_10")
            untaxed[field] = untaxed.get(field, Decimal("0.00")) + total.net
    present = {t.vat_rate for t in totals}
    for rate, (net_field, vat_field) in TAXED_FIELDS.items():
        if rate in present:
            sub(fa, net_field, amount(taxed[rate][0]))
            sub(fa, vat_field, amount(taxed[rate][1]))
    for field in UNTAXED_ORDER:
        if field in untaxed:
            sub(fa, field, amount(untaxed[field]))


def annotation_flags(fa: Element, snap: DocumentSnapshot) -> None:
    """Adnotacje: every required flag, "1" only where the snapshot says so."""
    node = sub(fa, "Adnotacje")
    sub(node, "P_16", "2")  # no cash accounting ("metoda kasowa")
    sub(node, "P_17", "2")  # no self-billing
    sub(node, "P_18", "1" if snap.reverse_charge else "2")
    sub(node, "P_18A", "1" if snap.split_payment else "2")
    exemption = sub(node, "Zwolnienie")
    if any(line.vat_rate == "zw" for line in snap.lines) and snap.exemption_basis:
        sub(exemption, "P_19", "1")
        sub(exemption, "P_19A", snap.exemption_basis)
    else:
        sub(exemption, "P_19N", "1")
    sub(sub(node, "NoweSrodkiTransportu"), "P_22N", "1")
    sub(node, "P_23", "2")
    sub(sub(node, "PMarzy"), "P_PMarzyN", "1")


def line_rows(fa: Element, lines: Sequence[Line], snap: DocumentSnapshot, *, before: bool = False) -> None:
    """FaWiersz per line, numbered from 1; ``before`` marks StanPrzed (correction)."""
    for number, line in enumerate(lines, start=1):
        row = sub(fa, "FaWiersz")
        sub(row, "NrWierszaFa", str(number))
        sub(row, "P_7", line.description)
        sub(row, "P_8A", line.unit)
        sub(row, "P_8B", amount(line.quantity))
        sub(row, "P_9A", amount(line.unit_net))
        if line.discount:
            sub(row, "P_10", amount(line.discount))
        sub(row, "P_11", amount(line.net))
        sub(row, "P_12", ksef_rate(line.vat_rate, snap))
        if line.annex15:
            sub(row, "P_12_Zal_15", "1")
        if before:
            sub(row, "StanPrzed", "1")


def payment_form(parent: Element, form: str, description: str) -> None:
    """``FormaPlatnosci`` for a listed form, else ``PlatnoscInna`` + ``OpisPlatnosci`` in words."""
    if form:
        sub(parent, "FormaPlatnosci", form)
    else:
        sub(parent, "PlatnoscInna", "1")
        sub(parent, "OpisPlatnosci", (description or "inna forma płatności")[:256])


def _generic_form(snap: DocumentSnapshot) -> tuple[str, str]:
    """The form of the document's own payment method (no payments recorded on it)."""
    from core.documents.pdf_labels import payment_method_label

    if snap.payment_method in PAYMENT_FORMS:
        return PAYMENT_FORMS[snap.payment_method], ""
    label = payment_method_label(snap.payment_method, KSEF_LANGUAGE)
    return "", label if label != snap.payment_method else "inna forma płatności"


def payment(fa: Element, snap: DocumentSnapshot) -> None:
    """Platnosc: how and when it was paid, or the term and account to pay to (module docstring)."""
    node = sub(fa, "Platnosc")
    parts = [p for p in snap.payments if p.amount > 0]
    if len(parts) == 1 and snap.amount_due <= 0:
        sub(node, "Zaplacono", "1")
        sub(node, "DataZaplaty", parts[0].date.isoformat())
    elif parts:
        sub(node, "ZnacznikZaplatyCzesciowej", "2" if snap.amount_due <= 0 else "1")
        for part in parts:
            row = sub(node, "ZaplataCzesciowa")
            sub(row, "KwotaZaplatyCzesciowej", amount(part.amount))
            sub(row, "DataZaplatyCzesciowej", part.date.isoformat())
            payment_form(row, part.ksef_form, part.label)
    elif snap.payment_date and snap.paid > 0 and snap.amount_due <= 0:  # issued before payments were recorded
        sub(node, "Zaplacono", "1")
        sub(node, "DataZaplaty", snap.payment_date.isoformat())
    elif snap.payment_date and snap.paid > 0:
        sub(node, "ZnacznikZaplatyCzesciowej", "1")
        part_node = sub(node, "ZaplataCzesciowa")
        sub(part_node, "KwotaZaplatyCzesciowej", amount(snap.paid))
        sub(part_node, "DataZaplatyCzesciowej", snap.payment_date.isoformat())
    if snap.amount_due > 0:
        sub(sub(node, "TerminPlatnosci"), "Termin", snap.due_date.isoformat())
    forms = list(dict.fromkeys((p.ksef_form, p.label) for p in snap.payments))
    if len(forms) == 1:
        payment_form(node, *forms[0])
    elif not forms:
        payment_form(node, *_generic_form(snap))
    account = "".join(snap.seller.bank_account.split())
    if account and snap.amount_due > 0:
        bank = sub(node, "RachunekBankowy")
        sub(bank, "NrRB", account)
        if snap.seller.bank_name:
            sub(bank, "NazwaBanku", snap.seller.bank_name)


def advance_invoices(fa: Element, advances: Sequence[AdvanceRef]) -> None:
    """FakturaZaliczkowa: the advance invoices a settlement invoice (or its correction) settles."""
    for ref in advances:
        node = sub(fa, "FakturaZaliczkowa")
        if ref.ksef_number:
            sub(node, "NrKSeFFaZaliczkowej", ref.ksef_number)
        else:
            sub(node, "NrKSeFZN", "1")
            sub(node, "NrFaZaliczkowej", ref.number)


def _order_rows(node: Element, lines: Sequence[Line], snap: DocumentSnapshot, start: int, *, before: bool) -> int:
    for number, line in enumerate(lines, start=start):
        row = sub(node, "ZamowienieWiersz")
        sub(row, "NrWierszaZam", str(number))
        sub(row, "P_7Z", line.description)
        sub(row, "P_8AZ", line.unit)
        sub(row, "P_8BZ", amount(line.quantity))
        sub(row, "P_9AZ", amount(line.unit_net))
        sub(row, "P_11NettoZ", amount(line.net))
        sub(row, "P_11VatZ", amount(line.vat))
        sub(row, "P_12Z", ksef_rate(line.vat_rate, snap))
        if before:
            sub(row, "StanPrzedZ", "1")
    return start + len(lines)


def order(fa: Element, snap: DocumentSnapshot) -> None:
    """Zamowienie: the order an advance invoice pays for (art. 106f ust. 1 pkt 4), its gross value and lines.

    A correction of an advance invoice lists the order's lines before (StanPrzedZ) and after it.
    """
    node = sub(fa, "Zamowienie")
    if snap.corrected is None:
        value = (
            snap.order_value
            if snap.order_value is not None
            else sum((t.gross for t in rate_totals(snap.lines)), Decimal("0.00"))
        )
        sub(node, "WartoscZamowienia", amount(value))
        _order_rows(node, snap.lines, snap, 1, before=False)
    else:
        after = snap.corrected.lines_after
        sub(node, "WartoscZamowienia", amount(sum((t.gross for t in rate_totals(after)), Decimal("0.00"))))
        start = _order_rows(node, snap.corrected.lines_before, snap, 1, before=True)
        _order_rows(node, after, snap, start, before=False)
