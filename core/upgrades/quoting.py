"""Building a quote: validate the requested change, let the plugins price it, settle it.

:func:`change_options` lists the packages a service may change to: those its
change paths reach, as the ``hookbill_change_targets`` implementations allow.
:func:`build_quote` is the one function the browser summary, the JSON API, the
confirm service, the benchmark and the tests call. It reads the database
(service, catalogue, balance), calls the pure ``on_upgrade_quote`` hook, and
then the core computes the totals (:func:`core.upgrades.settle.settle`); it
never writes.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import Any

from core import clock, runtime
from core.balance.credit import parts_of
from core.billing.cycles import Cycle
from core.documents.build import is_reverse_charge, rate_percent
from core.documents.issuing import buyer_party
from core.documents.taxation import default_rate, rate_for_buyer
from core.errors import Conflict, NotFound, ValidationError
from core.i18n import N_
from core.models import Product, ProductChangePath, ProductPrice, Service, ServiceChange
from core.money import ZERO, vat_of
from core.upgrades.quote import CHANGE_DOCUMENT_MODES, DOWNGRADE_MODES, CurrentInvoice, Quote
from core.upgrades.settle import settle

PENDING_STATUSES = ("awaiting_payment", "scheduled")


@dataclass(frozen=True)
class ChangeOption:
    """A package the service may change to, with its net prices per cycle.

    ``gross`` holds the gross price per cycle when the buyer is a private person
    (a consumer compares gross prices), at the rate their documents would carry;
    it is empty for a company.
    """

    product: Product
    prices: dict[str, Decimal]
    current: bool
    gross: dict[str, Decimal] = field(default_factory=dict)


def pending_change(service: Service) -> ServiceChange | None:
    """The service's change awaiting payment or scheduled, if any (at most one)."""
    return (
        ServiceChange.select()
        .where((ServiceChange.service == service) & (ServiceChange.status.in_(PENDING_STATUSES)))
        .order_by(ServiceChange.id.desc())
        .first()
    )


def prices_of(product: Product | int) -> dict[str, Decimal]:
    """``{cycle: net price}`` of a product, in cycle order."""
    rows = {p.cycle: p.net_price for p in ProductPrice.select().where(ProductPrice.product == product)}
    return {c.value: rows[c.value] for c in Cycle if c.value in rows}


def allowed_targets(service: Service, candidates: list[Product]) -> list[Product]:
    """``candidates`` that every ``hookbill_change_targets`` implementation keeps, in their order.

    Each implementation sees all candidates (a tuple: nobody's choice is visible
    to another) and returns the ones it allows, or None for no opinion.
    """
    allowed = list(candidates)
    for kept in runtime.hooks().hookbill_change_targets(service=service, products=tuple(candidates)):
        ids = {product.id for product in kept}
        allowed = [product for product in allowed if product.id in ids]
    return allowed


def change_options(service: Service) -> list[ChangeOption]:
    """The service's package and every package it may change to, in one stable order.

    The packages it may change to are the active ones its change paths reach,
    as the ``hookbill_change_targets`` implementations allow (:func:`allowed_targets`);
    the current package is always listed (its other cycles are a change too).
    The order is the catalogue's: the position staff set for each product, then
    the lowest price per month, then the name. The current package keeps its
    place in that order (marked ``current``), so the cards do not move when the
    service changes package.
    """
    reachable = list(
        Product.select()
        .join(ProductChangePath, on=ProductChangePath.target == Product.id)
        .where((ProductChangePath.product == service.product_id) & Product.active & (Product.id != service.product_id))
    )
    products = [service.product, *allowed_targets(service, reachable)]
    buyer = buyer_party(service.customer)
    options = []
    for product in products:
        prices = prices_of(product)
        gross: dict[str, Decimal] = {}
        if buyer.kind == "private":
            rate = rate_percent(rate_for_buyer(product, buyer))
            gross = {cycle: net + vat_of(net, rate) if rate is not None else net for cycle, net in prices.items()}
        options.append(ChangeOption(product, prices, product.id == service.product_id, gross))
    return sorted(options, key=_catalogue_order)


def _catalogue_order(option: ChangeOption) -> tuple[int, Decimal, str, int]:
    monthly = [net / Cycle(cycle).months for cycle, net in option.prices.items()]
    return (option.product.position, min(monthly, default=Decimal(0)), option.product.name, option.product.id)


def charged_price(service: Service) -> Decimal:
    """The net the current period of ``service`` was charged: a change prorates from it.

    It is ``period_net`` when the period was charged another price than the
    service renews at (a first-period discount), else ``recurring_net``.
    """
    return service.period_net if service.period_net is not None else service.recurring_net


def _downgrade_mode() -> str:
    mode = str(runtime.config().get_value("billing.downgrade") or "end_of_period")
    if mode not in DOWNGRADE_MODES:
        raise ValueError(f"billing.downgrade must be one of {DOWNGRADE_MODES}, got {mode!r}")
    return mode


def _document_mode() -> str:
    mode = str(runtime.config().get_value("billing.change_documents") or "difference")
    if mode not in CHANGE_DOCUMENT_MODES:
        raise ValueError(f"billing.change_documents must be one of {CHANGE_DOCUMENT_MODES}, got {mode!r}")
    return mode


def current_invoice(service: Service) -> CurrentInvoice | None:
    """The invoice of the service's current period as a ``correction``-mode quote needs it, or None."""
    from core.documents.corrections import current_lines, latest_state
    from core.documents.issuing import snapshot_of
    from core.documents.taxation import line_rate_for_buyer
    from core.upgrades.refund import current_vat_invoice

    invoice = current_vat_invoice(service)
    if invoice is None:
        return None
    domestic = default_rate(service.product)
    rate = line_rate_for_buyer(domestic, domestic, snapshot_of(invoice).buyer)
    return CurrentInvoice(invoice.id, invoice.number, current_lines(invoice), rate, latest_state(invoice).id)


def build_quote(
    service: Service,
    product_id: object,
    cycle: object,
    *,
    change_date: date | None = None,
    balance: Decimal | None = None,
    staff_credit: Decimal | None = None,
) -> Quote:
    """Price changing ``service`` to product ``product_id`` on ``cycle``.

    Promises: raises :class:`ValidationError` (field ``product`` or ``cycle``)
    when the target is not reachable by a change path, is inactive, is not
    allowed by a ``hookbill_change_targets`` implementation, has no price for
    the cycle, or equals the current package and cycle; :class:`Conflict` when
    the service is not active or already has a pending change;
    :class:`core.hookspecs.HookRefused` when a plugin refuses the change.
    Otherwise returns the quote with every ``on_upgrade_quote``
    implementation's lines, settled by the core.
    ``balance`` defaults to the customer's current credit balance, and
    ``staff_credit`` to the part of it that is staff credit
    (:func:`core.balance.credit.parts_of`); a ``balance`` given without
    ``staff_credit`` is all deposits.
    """
    if service.status != "active":
        raise Conflict(N_("Only an active service can change its package."), code="service_not_active")
    if pending_change(service) is not None:
        raise Conflict(N_("This service already has a pending change."), code="change_pending")
    try:
        target_id = int(str(product_id))
    except ValueError:
        raise ValidationError({"product": N_("Choose a package.")}) from None
    options = {o.product.id: o for o in change_options(service)}
    option = options.get(target_id)
    if option is None:
        raise ValidationError({"product": N_("This service cannot change to that package.")})
    cycle_value = str(cycle or "")
    if cycle_value not in option.prices:
        raise ValidationError({"cycle": N_("That package has no price for this billing cycle.")})
    if option.current and cycle_value == service.cycle:
        raise ValidationError({"product": N_("This is the current package and billing cycle.")})
    customer = service.customer
    buyer = buyer_party(customer)
    if balance is None:
        parts = parts_of(service.customer_id)
        balance, staff_credit = parts.total, parts.staff_credit
    quote = Quote(
        customer=customer,
        service=service,
        target=option.product,
        target_cycle=cycle_value,
        change_date=change_date or clock.today(),
        old_price=charged_price(service),
        new_price=option.prices[cycle_value],
        vat_rate=rate_for_buyer(option.product, buyer),
        balance_available=balance,
        staff_credit_available=staff_credit or ZERO,
        downgrade_mode=_downgrade_mode(),
        created_at=clock.utcnow(),
        document_mode=_document_mode(),
        base_vat_rate=default_rate(option.product),
        reverse_charge=is_reverse_charge(buyer),
    )
    if quote.document_mode == "correction":
        quote.current_invoice = current_invoice(service)
    return price(quote)


def _facts(quote: Quote) -> tuple[int, int, int, str]:
    return (id(quote.customer), id(quote.service), id(quote.target), quote.target_cycle)


def price(quote: Quote, hook: Any = None) -> Quote:
    """Run ``on_upgrade_quote`` on ``quote`` (the runtime's hooks unless ``hook`` is given), then settle it.

    Raises RuntimeError when an implementation replaced the customer, service
    or target, or when nobody added a line (is plugins/proration disabled?).
    """
    facts = _facts(quote)
    (hook or runtime.hooks()).on_upgrade_quote(quote=quote)
    if _facts(quote) != facts:
        raise RuntimeError("an on_upgrade_quote implementation replaced the quote's customer, service or target")
    if not quote.lines:
        raise RuntimeError("no plugin priced the change (is plugins/proration disabled?)")
    return settle(quote)


def quote_for_customer(customer_id: int, service_id: object, product_id: object, cycle: object) -> Quote:
    """:func:`build_quote` for the customer's own service; another's answers NotFound."""
    try:
        sid = int(str(service_id))
    except ValueError:
        raise NotFound("service") from None
    service = Service.get_or_none((Service.id == sid) & (Service.customer == customer_id))
    if service is None:
        raise NotFound("service")
    return build_quote(service, product_id, cycle)
