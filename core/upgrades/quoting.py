"""Building a quote: validate the requested change, then let the plugins price it.

:func:`build_quote` is the one function the browser summary, the JSON API, the
confirm service, the benchmark and the tests call. It reads the database
(service, catalogue, balance) and then calls the pure ``on_upgrade_quote``
hook; it never writes.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from core import clock, runtime
from core.balance_view import balance_of
from core.billing.cycles import Cycle
from core.documents.build import rate_percent
from core.documents.issuing import buyer_party
from core.documents.taxation import rate_for_buyer, vat_rate_for
from core.errors import Conflict, NotFound, ValidationError
from core.i18n import N_
from core.models import Product, ProductChangePath, ProductPrice, Service, ServiceChange
from core.money import vat_of
from core.upgrades.quote import DOWNGRADE_MODES, Quote

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


def change_options(service: Service) -> list[ChangeOption]:
    """The service's package and every active package its change paths reach, in one stable order.

    The order is the catalogue's: the position staff set for each product, then
    the lowest price per month, then the name. The current package keeps its
    place in that order (marked ``current``), so the cards do not move when the
    service changes package.
    """
    targets = list(
        Product.select()
        .join(ProductChangePath, on=ProductChangePath.target == Product.id)
        .where((ProductChangePath.product == service.product_id) & Product.active)
    )
    products = [service.product, *(p for p in targets if p.id != service.product_id)]
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


def _downgrade_mode() -> str:
    mode = str(runtime.config().get_value("billing.downgrade") or "end_of_period")
    if mode not in DOWNGRADE_MODES:
        raise ValueError(f"billing.downgrade must be one of {DOWNGRADE_MODES}, got {mode!r}")
    return mode


def build_quote(
    service: Service,
    product_id: object,
    cycle: object,
    *,
    change_date: date | None = None,
    balance: Decimal | None = None,
) -> Quote:
    """Price changing ``service`` to product ``product_id`` on ``cycle``.

    Promises: raises :class:`ValidationError` (field ``product`` or ``cycle``)
    when the target is not reachable by a change path, is inactive, has no price
    for the cycle, or equals the current package and cycle; :class:`Conflict`
    when the service is not active or already has a pending change. Otherwise
    returns the quote filled by every ``on_upgrade_quote`` implementation.
    ``balance`` defaults to the customer's current credit balance.
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
    quote = Quote(
        service=service,
        target=option.product,
        target_cycle=cycle_value,
        change_date=change_date or clock.today(),
        old_price=service.recurring_net,
        new_price=option.prices[cycle_value],
        vat_rate=vat_rate_for(option.product, service.customer_id),
        balance_available=balance_of(service.customer_id) if balance is None else balance,
        downgrade_mode=_downgrade_mode(),
        created_at=clock.utcnow(),
    )
    runtime.hooks().on_upgrade_quote(quote=quote)
    if not quote.action:
        raise RuntimeError("no plugin priced the change (is plugins/proration disabled?)")
    return quote


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
