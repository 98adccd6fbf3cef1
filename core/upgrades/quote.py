"""The quote of a package/cycle change: the accumulator ``on_upgrade_quote`` implementations change.

A :class:`Quote` starts with the facts (the customer, the service, the target
product and cycle, prices, dates, the customer's available balance, the
downgrade mode) and no money lines. The ``on_upgrade_quote`` implementations
add lines: the proration plugin (``tryfirst``) the ``credit`` for the unused
part of the old package and the ``charge`` for the new one, any other plugin
its own (a ``discount``, a ``fee``) with :meth:`Quote.add_line`; the balance
plugin offers the deposits on the credit balance (``balance_offered``). Then
the core settles it (:func:`core.upgrades.settle.settle`): whatever the plugins
did, the totals per VAT rate, the net, VAT and gross, what confirming does
(``action``), the staff credit given as a discount on the invoice's lines, the
balance applied and what is left to pay are computed from the lines by the
core, after every implementation has run. The web layer, the JSON API, the
confirm service and the tests all price through the same call
(:func:`core.upgrades.quoting.build_quote`).

``to_json()`` freezes a quote into :attr:`core.models.ServiceChange.quote`:
the price the customer confirmed (docs/billing.md rule 10).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from typing import TYPE_CHECKING, Any, Literal

from core.money import ZERO

if TYPE_CHECKING:
    from core.documents.snapshot import Line, RateTotal
    from core.models import Customer, Product, Service

#: What confirming the quote does (set by the core from the settled net):
#: ``pay`` (net > 0: proforma, rule 7), ``apply`` (net = 0, rule 8, or a
#: downgrade in mode ``none``), ``credit`` (downgrade in mode ``credit``: applies
#: at once, the gross difference goes to the balance), ``schedule`` (downgrade in
#: mode ``end_of_period``: applies on the next due date, no money moves).
QuoteAction = Literal["pay", "apply", "credit", "schedule", ""]
DOWNGRADE_MODES = ("end_of_period", "credit", "none")
#: How a paid package change is invoiced (``billing.change_documents``, :mod:`core.upgrades.lines`):
#: ``difference`` (one positive line for charge - credit) or ``correction`` (a correcting invoice of the
#: current period's invoice for the unused part plus a new VAT invoice for the charge).
CHANGE_DOCUMENT_MODES = ("difference", "correction")
#: The kinds of line the core knows. ``credit`` and ``charge`` are the proration
#: plugin's; ``discount`` is any price reduction (a negative net). A plugin may add
#: a kind of its own (``fee``, say): every line is shown and priced the same way.
CORE_LINE_KINDS = ("credit", "charge", "discount")


@dataclass
class QuoteLine:
    """A money line of the quote; every line is on the summary page, the proforma and in the API.

    ``kind``: ``credit`` (negative net), ``charge``, ``discount`` (negative net)
    or a plugin's own word. ``description`` is the text printed on the proforma
    and the VAT invoice, in the provider's document language
    (:func:`core.i18n.document_text`). ``label`` is how the summary page names the
    line in the customer's language: an English message marked for translation
    (``N_("Loyalty discount %(percent)s%%", percent=10)``); ``short_label`` the
    same inside the page's one-sentence arithmetic ("..., loyalty discount -5.16,
    net ..."), lower case; each defaults to the one before it. ``net`` is whole
    grosze (round with :func:`core.money.round_money`); ``vat_rate`` defaults to
    the quote's. ``product_name`` and ``cycle`` name the package a credit or
    charge line is for.
    """

    kind: str
    description: str
    net: Decimal
    label: str = ""
    short_label: str = ""
    vat_rate: str = ""
    product_name: str = ""
    cycle: str = ""

    @property
    def page_label(self) -> str:
        """The summary's row label (a msgid or message): ``label``, else the description."""
        return self.label or self.description

    @property
    def sentence_label(self) -> str:
        """The label inside the summary's sentence: ``short_label``, else :attr:`page_label`."""
        return self.short_label or self.page_label

    def to_json(self) -> dict[str, Any]:
        """Plain JSON (Decimal as string; the labels in English)."""
        return {
            "kind": self.kind,
            "description": self.description,
            "label": str(self.page_label),
            "net": str(self.net),
            "vat_rate": self.vat_rate,
            "product_name": self.product_name,
            "cycle": self.cycle,
        }


@dataclass(frozen=True)
class CurrentInvoice:
    """The VAT invoice that billed the service's current period, as a ``correction``-mode quote needs it.

    ``lines`` are the lines it stands at now (after any earlier correction),
    ``vat_rate`` the rate a line added to it carries (its buyer's tax treatment).
    Read by the quote builder; the pure mapping of :mod:`core.upgrades.lines` uses it.
    """

    id: int
    number: str
    lines: tuple[Line, ...]
    vat_rate: str
    #: The newest document of its correction chain when the quote was made (the invoice, or its last correction).
    state_id: int = 0


@dataclass
class Quote:
    """A mutable quote; see the module docstring for who fills what.

    **Plugins may change**: ``lines`` (add with :meth:`add_line`, or change
    their own), ``notes``, ``balance_offered``. **Never**: ``customer``,
    ``service``, ``target``, ``target_cycle`` (the core checks that they are
    the ones it passed). ``vat_rate`` is the rate the buyer pays for the
    target package (``oo`` for every line when ``reverse_charge``: an EU
    company), ``base_vat_rate`` that package's own domestic rate.
    ``document_mode`` is ``billing.change_documents``; ``current_invoice`` the
    invoice a ``correction``-mode change corrects (None: there is none, and
    the change is invoiced as in ``difference`` mode).
    **The core sets after the hook** (anything a plugin
    writes there is overwritten): ``rate_totals``, ``net``/``vat``/``gross``
    (VAT once per rate on the net of each rate, docs/billing.md rule 1, as the
    proforma computes it;
    negative for a downgrade), ``action``, ``apply_on``, ``balance_applied``
    and ``to_pay``; and, from ``staff_credit_available`` (the part of
    ``balance_available`` that is staff credit, :mod:`core.balance.credit`),
    ``staff_discounts`` (the net discount from staff credit on each line of
    the VAT invoice, :func:`core.upgrades.lines.invoice_lines`) and
    ``staff_credit_applied`` (the gross they take off). ``balance_applied`` is
    what deposits pay: staff credit lowers the price, it never pays.
    """

    customer: Customer
    service: Service
    target: Product
    target_cycle: str
    change_date: date
    old_price: Decimal
    new_price: Decimal
    vat_rate: str
    balance_available: Decimal
    downgrade_mode: str
    created_at: datetime
    base_vat_rate: str = ""
    reverse_charge: bool = False
    document_mode: str = "difference"
    current_invoice: CurrentInvoice | None = None
    lines: list[QuoteLine] = field(default_factory=list)
    remaining_days: int = 0
    period_days: int = 0
    same_cycle: bool = True
    new_period_start: date | None = None
    new_next_due: date | None = None
    new_anchor: date | None = None
    balance_offered: Decimal = ZERO
    staff_credit_available: Decimal = ZERO
    staff_discounts: tuple[Decimal, ...] = ()
    staff_credit_applied: Decimal = ZERO
    rate_totals: tuple[RateTotal, ...] = ()
    net: Decimal = ZERO
    vat: Decimal = ZERO
    gross: Decimal = ZERO
    balance_applied: Decimal = ZERO
    to_pay: Decimal = ZERO
    action: QuoteAction = ""
    apply_on: date | None = None
    notes: list[str] = field(default_factory=list)

    def add_line(
        self,
        kind: str,
        description: str,
        net: Decimal,
        *,
        label: str = "",
        short_label: str = "",
        vat_rate: str = "",
        product_name: str = "",
        cycle: str = "",
    ) -> QuoteLine:
        """Append a line (see :class:`QuoteLine`) at the quote's VAT rate unless ``vat_rate`` is given; return it."""
        line = QuoteLine(kind, description, net, label, short_label, vat_rate or self.vat_rate, product_name, cycle)
        self.lines.append(line)
        return line

    def lines_of(self, kind: str) -> list[QuoteLine]:
        """The lines of ``kind``, in order."""
        return [line for line in self.lines if line.kind == kind]

    @property
    def credit(self) -> Decimal:
        """The credit for the unused part of the old package (positive number)."""
        return -sum((line.net for line in self.lines_of("credit")), ZERO)

    @property
    def charge(self) -> Decimal:
        """The charge for the new package."""
        return sum((line.net for line in self.lines_of("charge")), ZERO)

    @property
    def direction(self) -> str:
        """``upgrade`` (net > 0), ``downgrade`` (net < 0) or ``change`` (net = 0), before any staff-credit discount."""
        net = self.net + self.staff_discount
        return "upgrade" if net > 0 else "downgrade" if net < 0 else "change"

    @property
    def staff_discount(self) -> Decimal:
        """The net the staff credit takes off the price (the sum of :attr:`staff_discounts`)."""
        return sum(self.staff_discounts, ZERO)

    @property
    def balance_credit(self) -> Decimal:
        """What a ``credit``-mode downgrade adds to the balance (gross, >= 0)."""
        return -self.gross if self.action == "credit" and self.gross < 0 else ZERO

    def to_json(self) -> dict[str, Any]:
        """The frozen form stored on the ServiceChange (no model objects)."""

        def d(value: date | None) -> str | None:
            return value.isoformat() if value else None

        return {
            "customer_id": self.customer.id,
            "service_id": self.service.id,
            "service_version": self.service.version,
            "from_product_id": self.service.product_id,
            "from_cycle": self.service.cycle,
            "to_product_id": self.target.id,
            "to_cycle": self.target_cycle,
            "change_date": d(self.change_date),
            "old_price": str(self.old_price),
            "new_price": str(self.new_price),
            "vat_rate": self.vat_rate,
            "lines": [line.to_json() for line in self.lines],
            "totals_by_rate": [total.to_json() for total in self.rate_totals],
            "remaining_days": self.remaining_days,
            "period_days": self.period_days,
            "same_cycle": self.same_cycle,
            "new_period_start": d(self.new_period_start),
            "new_next_due": d(self.new_next_due),
            "new_anchor": d(self.new_anchor),
            "net": str(self.net),
            "vat": str(self.vat),
            "gross": str(self.gross),
            "balance_available": str(self.balance_available),
            "balance_offered": str(self.balance_offered),
            "staff_credit_available": str(self.staff_credit_available),
            "staff_discounts": [str(amount) for amount in self.staff_discounts],
            "staff_discount": str(self.staff_discount),
            "staff_credit_applied": str(self.staff_credit_applied),
            "balance_applied": str(self.balance_applied),
            "to_pay": str(self.to_pay),
            "action": self.action,
            "apply_on": d(self.apply_on),
            "notes": list(self.notes),
            "downgrade_mode": self.downgrade_mode,
            "document_mode": self.document_mode,
            "corrects_invoice_id": self.current_invoice.id if self.current_invoice else None,
            "corrects_state_id": self.current_invoice.state_id if self.current_invoice else None,
            "created_at": self.created_at.isoformat(),
        }

    def public_json(self) -> dict[str, Any]:
        """What the JSON API answers: the frozen form plus the target's name."""
        data = self.to_json()
        data.update(
            to_product=self.target.name,
            from_product=self.service.product.name,
            credit=str(self.credit),
            charge=str(self.charge),
            direction=self.direction,
        )
        return data
