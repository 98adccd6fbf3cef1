"""Build a :class:`DocumentSnapshot` from line inputs: the document arithmetic.

Pure functions, no I/O. The rules, in the words a Polish accountant would check:

* **Line net** = ``round_money(quantity x unit_net)``, each line on its own.
* **VAT once per rate** (docs/billing.md rule 1): the lines' nets are summed per rate and
  ``vat_of`` is applied to that sum, once. Those per-rate totals are the document's
  figures; a line's own ``vat``/``gross`` is informative only.
* **Reverse charge** (art. 28b + art. 106e ust. 1 pkt 18 of the VAT act): when the
  buyer is a company from another EU member state with a VAT id, every line gets
  the rate ``"oo"`` and no VAT, and the note "odwrotne obciążenie" is added. hookbill
  sells services (hosting), so this is the B2B services case, not an intra-EU supply
  of goods; the KSeF mapping of it is in :mod:`core.documents.ksef`.
* **Split payment** (art. 108a ust. 1a, annex 15): the note "mechanizm podzielonej
  płatności" is added when all hold: the buyer is a company (a taxpayer), the
  document is not reverse-charged, at least one line is flagged ``annex15`` and the
  gross total in PLN is >= 15 000.00 (``SPLIT_PAYMENT_THRESHOLD``; the act says
  "przekracza", we mark from 15 000.00 inclusive: a superfluous annotation costs
  nothing, a missing one is sanctioned). For another currency pass
  ``gross_in_pln`` (converted by the caller at the tax-base rate).
* **Correction** (art. 106j): ``lines`` are the state after the correction, the
  ``corrects`` snapshot gives the state before. The document's lines are the
  difference (see :func:`difference_lines`); its totals per rate are
  ``totals(after) - totals(before)``, each side computed once per rate, so the
  original plus its corrections always add up to the VAT of the final state, to the
  grosz. (The split-payment test uses the after state's gross.)
* ``amount_due = total_gross - paid``; negative means money goes back to the buyer.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from core.documents.snapshot import (
    VAT_RATES,
    AdvanceRef,
    Correction,
    DocumentKind,
    DocumentSnapshot,
    Line,
    Party,
    PaymentPart,
    RateTotal,
    is_oss_rate,
    is_vat_rate,
)
from core.money import ZERO, round_money, to_decimal, vat_of

REVERSE_CHARGE_NOTE = "odwrotne obciążenie"
SPLIT_PAYMENT_NOTE = "mechanizm podzielonej płatności"
SPLIT_PAYMENT_THRESHOLD = Decimal("15000.00")
#: The currency of Polish tax, fixed by law rather than by the provider's ``app.currency``:
#: an invoice in another currency states its VAT in złoty too (art. 106e ust. 11) and the
#: split-payment threshold is in złoty (art. 108a ust. 1a).
TAX_CURRENCY = "PLN"
#: ISO-2 codes of EU member states (Greece is GR here; its VAT prefix is EL).
EU_COUNTRIES = frozenset(
    [
        "AT",
        "BE",
        "BG",
        "CY",
        "CZ",
        "DE",
        "DK",
        "EE",
        "ES",
        "FI",
        "FR",
        "GR",
        "HR",
        "HU",
        "IE",
        "IT",
        "LT",
        "LU",
        "LV",
        "MT",
        "NL",
        "PL",
        "PT",
        "RO",
        "SE",
        "SI",
        "SK",
    ]
)


@dataclass(frozen=True)
class LineInput:
    """A line as the caller knows it: quantity, unit, net unit price and rate.

    ``base_rate``: the product's own (domestic) rate when ``vat_rate`` comes from
    the buyer's tax treatment (reverse charge, OSS); see :class:`Line`.
    ``discount``: the line's discount (rabat) in net money, whole grosze, >= 0;
    the line's net is ``round(quantity x unit_net) - discount``.
    """

    description: str
    quantity: Decimal
    unit: str
    unit_net: Decimal
    vat_rate: str = "23"
    annex15: bool = False
    base_rate: str = ""
    discount: Decimal = ZERO

    @classmethod
    def from_line(cls, line: Line, *, vat_rate: str | None = None) -> LineInput:
        """The input that priced ``line`` (optionally at another rate): to copy lines to a new document."""
        return cls(
            line.description,
            line.quantity,
            line.unit,
            line.unit_net,
            line.vat_rate if vat_rate is None else vat_rate,
            line.annex15,
            line.base_rate,
            line.discount,
        )


def rate_percent(vat_rate: str) -> Decimal | None:
    """The percentage of a numeric rate (``"23"`` -> 23, OSS ``"25.5"`` -> 25.5), None for zw/np/oo."""
    return Decimal(vat_rate) if vat_rate.isdigit() or is_oss_rate(vat_rate) else None


def ordered_rates(present: Iterable[str]) -> list[str]:
    """``present`` rates in document order: :data:`VAT_RATES` order, then OSS rates, highest first."""
    rates = set(present)
    oss = sorted((r for r in rates if r not in VAT_RATES), key=Decimal, reverse=True)
    return [r for r in VAT_RATES if r in rates] + oss


def _line(
    description: str,
    quantity: Decimal,
    unit: str,
    unit_net: Decimal,
    vat_rate: str,
    net: Decimal,
    annex15: bool,
    base_rate: str = "",
    discount: Decimal = ZERO,
) -> Line:
    percent = rate_percent(vat_rate)
    vat = vat_of(net, percent) if percent is not None else ZERO
    return Line(
        description,
        quantity,
        unit,
        unit_net,
        vat_rate,
        net,
        vat,
        net + vat,
        annex15,
        "" if base_rate == vat_rate else base_rate,
        discount,
    )


def make_line(item: LineInput, *, reverse_charge: bool = False) -> Line:
    """Price one line: net rounded on its own; under reverse charge rate "oo", no VAT.

    The line remembers its domestic rate (``base_rate``) when the rate it
    carries is not that one.
    """
    if not is_vat_rate(item.vat_rate):
        raise ValueError(f"unknown VAT rate {item.vat_rate!r}; use one of {VAT_RATES}")
    if item.base_rate and not is_vat_rate(item.base_rate):
        raise ValueError(f"unknown base VAT rate {item.base_rate!r}")
    quantity, unit_net = to_decimal(item.quantity), to_decimal(item.unit_net)
    discount = to_decimal(item.discount)
    if discount < 0 or discount != round_money(discount):
        raise ValueError(f"a line's discount is whole grosze and not negative, got {discount}")
    rate = "oo" if reverse_charge else item.vat_rate
    base = item.base_rate or (item.vat_rate if item.vat_rate != "oo" and not is_oss_rate(item.vat_rate) else "")
    net = round_money(quantity * unit_net) - discount
    return _line(item.description, quantity, item.unit, unit_net, rate, net, item.annex15, base, discount)


def rate_totals(lines: Iterable[Line]) -> tuple[RateTotal, ...]:
    """One total per rate present, in ``VAT_RATES`` order; VAT computed once per rate."""
    sums: dict[str, Decimal] = {}
    for line in lines:
        sums[line.vat_rate] = sums.get(line.vat_rate, ZERO) + line.net
    result = []
    for rate in ordered_rates(sums):
        if rate in sums:
            percent = rate_percent(rate)
            vat = vat_of(sums[rate], percent) if percent is not None else ZERO
            result.append(RateTotal(rate, sums[rate], vat, sums[rate] + vat))
    return tuple(result)


def difference_totals(before: Sequence[RateTotal], after: Sequence[RateTotal]) -> tuple[RateTotal, ...]:
    """Per-rate ``after - before``; rates whose net and VAT both stay put are dropped."""
    old = {t.vat_rate: t for t in before}
    new = {t.vat_rate: t for t in after}
    zero = RateTotal("23", ZERO, ZERO, ZERO)
    result = []
    for rate in ordered_rates([*old, *new]):
        if rate in old or rate in new:
            a, b = new.get(rate, zero), old.get(rate, zero)
            if a.net != b.net or a.vat != b.vat:
                result.append(RateTotal(rate, a.net - b.net, a.vat - b.vat, a.gross - b.gross))
    return tuple(result)


def difference_lines(before: Sequence[Line], after: Sequence[Line]) -> tuple[Line, ...]:
    """Lines of a correction: ``after - before``, paired by position.

    A pair with the same rate gives one line: the quantity difference at the same
    unit price, or the unit-price difference at the same quantity, or (both changed)
    quantity 1 at the net difference. A pair whose rate changed gives the before line
    negated plus the after line. Unpaired lines are negated (removed) or kept (added).
    Pairs that do not change net or quantity are left out.
    """
    result: list[Line] = []

    def negated(line: Line) -> Line:
        return _line(
            line.description,
            -line.quantity,
            line.unit,
            line.unit_net,
            line.vat_rate,
            -line.net,
            line.annex15,
            line.base_rate,
            -line.discount,
        )

    for index in range(max(len(before), len(after))):
        old = before[index] if index < len(before) else None
        new = after[index] if index < len(after) else None
        if new is None:
            result.append(negated(old))  # type: ignore[arg-type]
        elif old is None:
            result.append(new)
        elif old.vat_rate != new.vat_rate:
            result += [negated(old), new]
        elif new.net != old.net or new.quantity != old.quantity:
            net = new.net - old.net
            if new.discount != old.discount:  # the discount changed: one line for the net difference
                qty, price = Decimal(1), net
            elif new.unit_net == old.unit_net:
                qty, price = new.quantity - old.quantity, new.unit_net
            elif new.quantity == old.quantity:
                qty, price = new.quantity, new.unit_net - old.unit_net
            else:
                qty, price = Decimal(1), net
            result.append(
                _line(
                    new.description,
                    qty,
                    new.unit,
                    price,
                    new.vat_rate,
                    net,
                    new.annex15 or old.annex15,
                    new.base_rate,
                )
            )
    return tuple(result)


def is_reverse_charge(buyer: Party) -> bool:
    """True for a company buyer from another EU state that gave a VAT id."""
    return (
        buyer.kind == "company"
        and buyer.country in EU_COUNTRIES
        and buyer.country != "PL"
        and bool(buyer.tax_id.strip())
    )


def is_split_payment(buyer: Party, lines: Sequence[Line], gross_pln: Decimal, reverse_charge: bool) -> bool:
    """The split-payment rule of the module docstring."""
    return (
        buyer.kind == "company"
        and not reverse_charge
        and any(line.annex15 for line in lines)
        and gross_pln >= SPLIT_PAYMENT_THRESHOLD
    )


def build_snapshot(
    *,
    kind: DocumentKind,
    number: str,
    issue_date: date,
    sale_date: date,
    due_date: date,
    seller: Party,
    buyer: Party,
    lines: Sequence[LineInput],
    currency: str = TAX_CURRENCY,
    place_of_issue: str = "",
    paid: Decimal = ZERO,
    payment_date: date | None = None,
    payment_method: str = "transfer",
    transfer_title: str = "",
    notes: Sequence[str] = (),
    proforma_number: str = "",
    corrects: DocumentSnapshot | None = None,
    correction_reason: str = "",
    exemption_basis: str = "",
    gross_in_pln: Decimal | None = None,
    payments: Sequence[PaymentPart] = (),
    planned_totals: Sequence[RateTotal] | None = None,
    advances: Sequence[AdvanceRef] = (),
    order_value: Decimal | None = None,
) -> DocumentSnapshot:
    """Price ``lines`` and return the frozen snapshot, following the module rules.

    ``planned_totals`` (a proforma only): the totals per rate of the tax
    documents its payment will issue, each of which rounds its own VAT (a
    package change invoiced as a correction plus a new invoice,
    :mod:`core.upgrades.lines`); the proforma asks for exactly their sum.
    For an advance invoice (``kind="advance"``, art. 106f ust. 1) they are the
    advance received per rate and ``lines`` the order's lines, whose gross value
    is ``order_value``; for a correction of an advance invoice, the advance as
    it stands after the correction (empty: the advance is returned in full).
    ``advances`` (a VAT invoice that settles advance invoices, art. 106f ust. 3):
    its totals are the lines' totals less the advances'.

    For ``kind="correction"``, ``corrects`` (the invoice being corrected, or an
    earlier correction of it) and ``correction_reason`` are required and ``lines``
    are the after state; the corrected document's date of supply is recorded
    with it (art. 106j ust. 2 pkt 3). ``payments`` are the payments that settled
    the document (see :class:`PaymentPart`). Raises ValueError on an inconsistent
    request (a ``"zw"`` line without ``exemption_basis``, a foreign currency with
    annex-15 lines and no ``gross_in_pln``, a correction without what it corrects).
    """
    eu_reverse = is_reverse_charge(buyer)
    priced = tuple(make_line(item, reverse_charge=eu_reverse) for item in lines)
    # a caller may also mark domestic reverse-charge lines "oo" (art. 17 ust. 1 pkt 7-8)
    reverse = eu_reverse or any(line.vat_rate == "oo" for line in priced)
    correction: Correction | None = None
    if kind == "correction":
        if corrects is None or corrects.kind == "proforma" or not correction_reason.strip():
            raise ValueError("a correction needs the corrected VAT invoice and a reason")
        base = corrects.corrected.lines_after if corrects.corrected else corrects.lines
        of_advance = corrects.kind == "advance" or (
            corrects.corrected is not None and corrects.corrected.kind == "advance"
        )
        before_totals: tuple[RateTotal, ...] = ()
        if of_advance:
            if corrects.kind != "advance":
                raise ValueError("an advance invoice is corrected once, to the advance it stands at")
            before_totals = corrects.totals
        correction = Correction(
            number=corrects.number,
            issue_date=corrects.issue_date,
            sale_date=corrects.sale_date,
            reason=correction_reason.strip(),
            lines_before=base,
            lines_after=priced,
            kind="advance" if of_advance else "vat",
            advances=corrects.advances or (corrects.corrected.advances if corrects.corrected else ()),
            totals_before=before_totals,
        )
        if of_advance:
            doc_lines = difference_lines(base, priced)
            totals = difference_totals(before_totals, tuple(planned_totals or ()))
        else:
            doc_lines = difference_lines(base, priced)
            totals = difference_totals(rate_totals(base), rate_totals(priced))
    elif corrects is not None:
        raise ValueError("only a correction corrects another document")
    elif kind == "advance":
        if planned_totals is None or order_value is None:
            raise ValueError("an advance invoice needs the advance per rate and the order's value")
        doc_lines, totals = priced, tuple(planned_totals)
    elif planned_totals is not None:
        if kind != "proforma":
            raise ValueError("only a proforma carries the planned totals of other documents")
        doc_lines, totals = priced, tuple(planned_totals)
    elif advances:
        if kind != "vat":
            raise ValueError("only a VAT invoice settles advance invoices")
        received = _summed(ref.totals for ref in advances)
        doc_lines, totals = priced, difference_totals(received, rate_totals(priced))
    else:
        doc_lines, totals = priced, rate_totals(priced)
    if any(line.vat_rate == "zw" for line in doc_lines) and not exemption_basis.strip():
        raise ValueError("a VAT-exempt ('zw') line needs exemption_basis (art. 106e ust. 1 pkt 19)")
    total_net = sum((t.net for t in totals), ZERO)
    total_vat = sum((t.vat for t in totals), ZERO)
    state_gross = sum((t.gross for t in rate_totals(priced)), ZERO)
    if currency != TAX_CURRENCY and gross_in_pln is None:
        if any(line.annex15 for line in priced) and buyer.kind == "company" and not reverse:
            raise ValueError("annex-15 lines in a foreign currency need gross_in_pln")
        gross_in_pln = ZERO
    gross_pln = state_gross if currency == TAX_CURRENCY else to_decimal(gross_in_pln)
    split = is_split_payment(buyer, priced, gross_pln, reverse)
    all_notes = [REVERSE_CHARGE_NOTE] if reverse else []
    all_notes += [SPLIT_PAYMENT_NOTE] if split else []
    all_notes += [note for note in notes if note not in all_notes]
    paid = to_decimal(paid)
    return DocumentSnapshot(
        kind=kind,
        number=number,
        issue_date=issue_date,
        sale_date=sale_date,
        due_date=due_date,
        payment_date=payment_date,
        place_of_issue=place_of_issue,
        currency=currency,
        seller=seller,
        buyer=buyer,
        lines=doc_lines,
        totals=totals,
        total_net=total_net,
        total_vat=total_vat,
        total_gross=total_net + total_vat,
        paid=paid,
        amount_due=total_net + total_vat - paid,
        payment_method=payment_method,
        transfer_title=transfer_title or number,
        reverse_charge=reverse,
        split_payment=split,
        notes=tuple(all_notes),
        proforma_number=proforma_number,
        corrected=correction,
        exemption_basis=exemption_basis.strip(),
        payments=tuple(payments),
        advances=tuple(advances),
        order_value=order_value,
    )


def _summed(groups: Iterable[Sequence[RateTotal]]) -> tuple[RateTotal, ...]:
    """Per rate, the sums of several documents' totals."""
    sums: dict[str, RateTotal] = {}
    for totals in groups:
        for add in totals:
            had = sums.get(add.vat_rate, RateTotal(add.vat_rate, ZERO, ZERO, ZERO))
            sums[add.vat_rate] = RateTotal(add.vat_rate, had.net + add.net, had.vat + add.vat, had.gross + add.gross)
    return tuple(sums[rate] for rate in ordered_rates(sums))
