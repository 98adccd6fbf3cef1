"""Staff issue documents with lines they write themselves: a proforma, or a VAT invoice for money received.

Each line is a description, a quantity, a unit, a net unit price and a VAT
rate, priced by the document arithmetic every document uses
(:mod:`core.documents.build`: each line's net rounded on its own, VAT once per
rate). The rates staff may choose are the Polish ones that need no more
information on the document: 23, 8, 5, 0 and "np" (not taxable in Poland);
"zw" would need the legal basis of the exemption (art. 106e ust. 1 pkt 19) and
is left to a document of its own. The buyer's tax treatment still applies
(:mod:`core.documents.taxation`): a company in another EU state with a VAT
id gets reverse charge on every line, and a foreign consumer the configured
OSS rate in place of a taxed Polish rate.

* :func:`issue_proforma` issues a proforma the customer pays like any other
  (the credit balance is applied to it on issue, as to every proforma: staff
  credit as a discount on its lines, :func:`core.balance.credit.split_at_issue`,
  then deposits as a payment).
* :func:`issue_paid_invoice` is the VAT invoice for a bank transfer that
  arrived before any document: in one transaction a proforma with the lines is
  issued (``purpose="payment_received"``, which the balance plugin leaves
  alone: the money is the transfer, not the customer's credit), the transfer
  is recorded on it (:func:`core.payments.bank_entry.record_bank_transfer`,
  one key per bank reference), and paying it issues the VAT invoice with the
  transfer's date, as every paid proforma does. A transfer above the total
  goes to the credit balance; one below it, or a bank reference recorded
  before, issues nothing at all.

Both run under the customer's money lock and record the staff member in the
activity log. Bad input raises ValidationError with one message per field
(``line<n>_<field>`` for the n-th line, counted from 1).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from core import activity, clock, db
from core.balance.credit import split_at_issue, staff_credit_notes
from core.documents.build import LineInput, rate_percent
from core.documents.issuing import buyer_party, issue_document
from core.documents.state import vat_invoice_of
from core.documents.taxation import line_rate_for_buyer
from core.errors import Conflict, NotFound, ValidationError
from core.i18n import N_
from core.models import Customer, Document
from core.money import round_money, to_decimal
from core.payments.bank_entry import received_on, record_bank_transfer

#: The rates a line written by staff may carry (module docstring), in the order the form lists them.
STAFF_RATES = ("23", "8", "5", "0", "np")
#: ``Document.purpose`` of the proforma a VAT invoice for money already received settles.
PAYMENT_RECEIVED = "payment_received"
#: ``Document.purpose`` of a proforma staff wrote.
STAFF_PROFORMA = "staff"
MAX_LINES = 20
DEFAULT_UNIT = "usł."


@dataclass(frozen=True)
class LineForm:
    """One line as the form sent it (text fields)."""

    description: str = ""
    quantity: str = ""
    unit: str = ""
    unit_net: str = ""
    vat_rate: str = ""

    @property
    def blank(self) -> bool:
        """True when neither a description nor a price was typed (it is skipped: quantity and unit come prefilled)."""
        return not any(v.strip() for v in (self.description, self.unit_net))


def _decimal(text: str, places: int) -> Decimal | None:
    try:
        value = to_decimal(text.replace(",", ".").strip())
    except ValueError:
        return None
    return value if value == value.quantize(Decimal(1).scaleb(-places)) else None


def parse_lines(rows: Sequence[LineForm]) -> list[LineInput]:
    """The lines staff wrote, blank ones skipped; ValidationError naming each bad field.

    A line needs a description (at most 255 characters), a quantity above zero
    (at most 3 decimal places), a unit (at most 10 characters; empty means
    "usł."), a net unit price of zero or more in grosze, and one of
    :data:`STAFF_RATES`. At least one line, at most 20, and a total above zero.
    """
    errors: dict[str, str] = {}
    lines: list[LineInput] = []
    for number, row in enumerate(rows[:MAX_LINES], 1):
        if row.blank:
            continue
        prefix = f"line{number}_"
        description = " ".join(row.description.split())
        if not description or len(description) > 255:
            errors[prefix + "description"] = N_("Describe what is sold (at most 255 characters).")
        quantity = _decimal(row.quantity or "1", 3)
        if quantity is None or quantity <= 0:
            errors[prefix + "quantity"] = N_("Enter a quantity above zero, e.g. 1 or 2.5.")
        unit = row.unit.strip() or DEFAULT_UNIT
        if len(unit) > 10:
            errors[prefix + "unit"] = N_("At most %(count)s characters.", count=10)
        price = _decimal(row.unit_net, 2)
        if price is None or price < 0:
            errors[prefix + "unit_net"] = N_("Enter a net price of zero or more, in grosze, e.g. 21.73.")
        if row.vat_rate not in STAFF_RATES:
            errors[prefix + "vat_rate"] = N_("Choose a VAT rate.")
        if quantity is not None and price is not None and not any(k.startswith(prefix) for k in errors):
            lines.append(LineInput(description, quantity, unit, price, row.vat_rate))
    if errors:
        raise ValidationError(errors)
    if not lines:
        raise ValidationError({"lines": N_("Write at least one line.")})
    if sum(round_money(line.quantity * line.unit_net) for line in lines) <= 0:
        raise ValidationError({"lines": N_("The document's total must be above zero.")})
    return lines


def lines_from_form(form: Mapping[str, str], count: int = MAX_LINES) -> list[LineForm]:
    """The line rows of a submitted form.

    Row ``n`` (from 1) is the fields ``line<n>_description``, ``line<n>_quantity``,
    ``line<n>_unit``, ``line<n>_unit_net`` and ``line<n>_vat_rate``.
    """
    return [
        LineForm(
            *(
                str(form.get(f"line{n}_{name}", ""))
                for name in ("description", "quantity", "unit", "unit_net", "vat_rate")
            )
        )
        for n in range(1, count + 1)
    ]


def _for_buyer(lines: Sequence[LineInput], customer: Customer) -> list[LineInput]:
    """Each taxed line at the rate the buyer's treatment gives it (module docstring); 0 and np stay."""
    buyer = buyer_party(customer)
    return [
        LineInput(
            line.description,
            line.quantity,
            line.unit,
            line.unit_net,
            line_rate_for_buyer(line.vat_rate, "", buyer) if rate_percent(line.vat_rate) else line.vat_rate,
            base_rate=line.vat_rate,
        )
        for line in lines
    ]


def _customer(customer_id: int) -> Customer:
    customer = Customer.get_or_none(Customer.id == customer_id)
    if customer is None:
        raise NotFound("customer")
    db.lock_customer(customer.id)
    return customer


def due_date_from(value: object) -> date | None:
    """The proforma's due date staff chose (``YYYY-MM-DD``; empty: the default), today or later, within a year."""
    text = str(value or "").strip()
    if not text:
        return None
    try:
        day = date.fromisoformat(text)
    except ValueError:
        raise ValidationError({"due_date": N_("Enter a date, e.g. 2026-04-16.")}) from None
    if day < clock.today() or day > clock.today() + timedelta(days=366):
        raise ValidationError({"due_date": N_("The due date must be between today and a year from now.")})
    return day


def issue_proforma(
    customer_id: int, rows: Sequence[LineForm], *, due_date: object = "", staff: Any = None, ip: str = ""
) -> Document:
    """Issue a proforma with the lines staff wrote (module docstring); return it.

    Raises NotFound, ValidationError, and a plugin's HookRefused; nothing is issued then.
    """
    lines = parse_lines(rows)
    due = due_date_from(due_date)
    with db.write_transaction():
        customer = _customer(customer_id)
        db.lock_customer(customer.id)
        priced = _for_buyer(lines, customer)
        use = split_at_issue(customer, priced)
        document = issue_document(
            customer,
            "proforma",
            use.applied_to(priced),
            due_date=due,
            purpose=STAFF_PROFORMA,
            notes=staff_credit_notes(use.discount),
            staff_credit=use.staff_credit,
        )
        activity.record(
            "document.issued_by_staff",
            actor=staff,
            subject=document,
            ip=ip,
            number=document.number,
            gross=str(document.total_gross),
        )
    return Document.get_by_id(document.id)


def issue_paid_invoice(
    customer_id: int,
    rows: Sequence[LineForm],
    *,
    amount: object,
    reference: str,
    day: object = "",
    staff: Any = None,
    ip: str = "",
) -> Document:
    """Issue the VAT invoice for a transfer of ``amount`` received on ``day`` (module docstring); return it.

    Raises NotFound, ValidationError (lines, ``amount``, ``received_on``,
    ``transaction_id``), Conflict when the amount does not cover the total or
    the bank reference was recorded before, and a plugin's HookRefused; in each
    case nothing is issued and no money moves.
    """
    lines = parse_lines(rows)
    when = received_on(day)
    with db.write_transaction():
        customer = _customer(customer_id)
        proforma = issue_document(
            customer, "proforma", _for_buyer(lines, customer), sale_date=when, due_date=when, purpose=PAYMENT_RECEIVED
        )
        outcome = record_bank_transfer(proforma, amount, reference, when, staff=staff, ip=ip)
        if outcome.duplicate:
            raise Conflict(N_("This bank reference was already recorded; nothing changed."), code="duplicate")
        invoice = vat_invoice_of(Document.get_by_id(proforma.id))
        if invoice is None:
            raise Conflict(
                N_(
                    "The amount received is less than the invoice's total (%(total)s).", total=str(proforma.total_gross)
                ),
                code="amount_short",
            )
        activity.record(
            "document.issued_by_staff",
            actor=staff,
            subject=invoice,
            ip=ip,
            number=invoice.number,
            gross=str(invoice.total_gross),
            proforma=proforma.number,
            received=str(outcome.payment.amount),
        )
    return Document.get_by_id(invoice.id)
