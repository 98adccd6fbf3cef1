"""Staff add a service to a customer by hand: a sale made outside the panel, or a customer moved in.

:func:`add_service` stores the service with the product, billing cycle, net
price and next due date staff give, and either issues nothing (a provider
moving existing customers in: they paid their old provider up to that date) or
a proforma for the first period. The rules:

* **Dates.** The next due date is the billing anchor: later due dates are
  counted from it (docs/billing.md rule 4), and the current period is the cycle
  before it, ``[next_due - 1 cycle, next_due)``. It may not lie in the past (a
  period already started and unpaid is billed with a proforma instead), nor more
  than three years ahead.
* **Price.** The net price per cycle; empty means the catalogue's price for
  that cycle. Renewals bill this price, as they bill any service's.
* **Status.** ``active`` (running already, e.g. moved in: nothing is
  provisioned), ``pending`` (the provisioning module creates it when staff
  activate it, or when its first proforma is paid) or ``suspended``.
* **The first proforma** (optional) bills the current period at the price, at
  the buyer's VAT rate (:func:`core.documents.taxation.vat_rate_for`), with
  ``purpose="service"``; when it is paid in full, a ``pending`` service is
  activated (:mod:`core.services.plugin`) and its VAT invoice is issued as for
  any proforma. Its dates stay those staff set.
* **Renewals take it from there**: ``billing.renewal_days_before`` days before
  the next due date the renewal cron issues the next period's proforma
  (:mod:`core.renewals.issuing`).

Everything runs in one write transaction under the customer's money lock; the
activity log names the staff member. Bad input raises ValidationError with a
message per field, and nothing is stored.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from core import activity, clock, db, runtime, untrusted
from core.billing.cycles import Cycle, add_cycles
from core.documents.build import LineInput
from core.documents.issuing import issue_document
from core.documents.taxation import default_rate, vat_rate_for
from core.errors import NotFound, ValidationError
from core.i18n import N_, document_text
from core.models import Customer, Document, Product, ProductPrice, Service
from core.money import round_money, to_decimal
from core.renewals.issuing import CYCLE_WORDS, UNIT

#: The statuses a service added by hand may start in.
START_STATUSES = ("active", "pending", "suspended")
#: ``Document.purpose`` of the proforma for a service's first period.
PURPOSE = "service"
#: How far ahead a next due date may lie.
MAX_AHEAD_DAYS = 3 * 366


@dataclass(frozen=True)
class AddedService:
    """What :func:`add_service` made: the service and its first proforma (None when none was issued)."""

    service: Service
    document: Document | None


def parse_date(value: object, field: str) -> date:
    """A date written ``YYYY-MM-DD`` (as a date input sends it); ValidationError on ``field`` otherwise."""
    if isinstance(value, date):
        return value
    try:
        return date.fromisoformat(str(value or "").strip())
    except ValueError:
        raise ValidationError({field: N_("Enter a date, e.g. 2026-04-16.")}) from None


def _price(value: object, product: Product | None, cycle: Cycle | None) -> Decimal:
    if str(value or "").strip() == "":
        if product is None or cycle is None:
            return Decimal(0)  # the product or cycle has its own message already
        listed = ProductPrice.get_or_none((ProductPrice.product == product) & (ProductPrice.cycle == str(cycle)))
        if listed is None:
            raise ValidationError({"price": N_("The package has no price for this billing cycle: enter one.")})
        return Decimal(listed.net_price)
    try:
        price = to_decimal(value)
    except ValueError:
        raise ValidationError({"price": N_("Enter an amount, e.g. 21.73.")}) from None
    if price < 0 or price != round_money(price):
        raise ValidationError({"price": N_("The price must be zero or more, in grosze.")})
    return price


def _next_due(value: object) -> date:
    due = parse_date(value, "next_due")
    today = clock.today()
    if due < today:
        raise ValidationError({"next_due": N_("The next due date cannot be in the past.")})
    if due > today + timedelta(days=MAX_AHEAD_DAYS):
        raise ValidationError({"next_due": N_("The next due date can be at most three years ahead.")})
    return due


def _check(
    product_id: object, cycle: object, next_due: object, price: object, status: str, label: str
) -> tuple[Product, Cycle, date, Decimal]:
    """Every field checked, every bad one named at once (ValidationError)."""
    errors: dict[str, str] = {}
    wanted = untrusted.as_id(product_id)
    product = Product.get_or_none(Product.id == wanted) if wanted is not None else None
    if product is None:
        errors["product"] = N_("Choose a package.")
    chosen: Cycle | None = None
    try:
        chosen = Cycle(str(cycle or ""))
    except ValueError:
        errors["cycle"] = N_("Choose a billing cycle.")
    due = net = None
    try:
        due = _next_due(next_due)
    except ValidationError as exc:
        errors.update(exc.errors)
    try:
        net = _price(price, product, chosen)
    except ValidationError as exc:
        errors.update(exc.errors)
    if status not in START_STATUSES:
        errors["status"] = N_("Choose a status.")
    if len(label) > 255:
        errors["label"] = N_("At most %(count)s characters.", count=255)
    if errors:
        raise ValidationError(errors)
    assert product is not None and chosen is not None and due is not None and net is not None
    return product, chosen, due, net


def first_period_line(service: Service, product: Product, vat_rate: str) -> LineInput:
    """The proforma line of the service's current period, in the provider's document language."""
    name = f"{product.name} ({service.label})" if service.label else product.name
    text = document_text(
        N_("%(product)s, %(cycle)s, %(start)s – %(end)s"),
        product=name,
        cycle=document_text(CYCLE_WORDS[service.cycle]),
        start=service.period_start.isoformat(),
        end=(service.next_due - timedelta(days=1)).isoformat(),
    )
    return LineInput(text, Decimal(1), UNIT, service.recurring_net, vat_rate, base_rate=default_rate(product))


def add_service(
    customer_id: int,
    *,
    product_id: object,
    cycle: object,
    next_due: object,
    price: object = "",
    status: str = "active",
    label: str = "",
    with_proforma: bool = False,
    staff: Any = None,
    ip: str = "",
) -> AddedService:
    """Add a service to customer ``customer_id`` (module docstring); return it and its proforma, if any.

    Raises NotFound for an unknown customer and ValidationError (one message
    per field: ``product``, ``cycle``, ``price``, ``next_due``, ``status``,
    ``label``) for bad input; a plugin's refusal of the proforma
    (``on_invoice_issue``) rolls everything back.
    """
    label = str(label or "").strip()
    product, chosen, due, net = _check(product_id, cycle, next_due, price, status, label)
    with db.write_transaction():
        customer = Customer.get_or_none(Customer.id == customer_id)
        if customer is None:
            raise NotFound("customer")
        db.lock_customer(customer.id)
        now = clock.utcnow()
        service = Service.create(
            customer=customer,
            product=product,
            cycle=str(chosen),
            status=status,
            label=label,
            anchor_date=due,
            period_start=add_cycles(due, chosen, -1),
            next_due=due,
            recurring_net=net,
            created_at=now,
            updated_at=now,
        )
        runtime.hooks().on_service_created(service=service, order=None)
        document = None
        if with_proforma:
            line = first_period_line(service, product, vat_rate_for(product, customer))
            document = issue_document(
                customer, "proforma", [line], sale_date=service.period_start, purpose=PURPOSE, purpose_ref=service.id
            )
        activity.record(
            "service.added_by_staff",
            actor=staff,
            subject=service,
            ip=ip,
            product=product.slug,
            cycle=str(chosen),
            price=str(net),
            next_due=due.isoformat(),
            status=status,
            document=document.number if document else "",
        )
    return AddedService(service, Document.get_by_id(document.id) if document else None)
