"""Built-in plugin: promotion codes for new orders.

A code gives a percentage or a fixed net amount off, limited to products and
billing cycles, for the first period only or for every renewal, valid from/to a
date, with a maximum number of uses in total and per customer
(:mod:`plugins.promotions.rules`). Staff manage codes in the admin area
(``/admin/promotions``).

* ``on_order_quote``: the code the customer typed lowers the price of each
  item in its scope, on that item's own line (printed "rabat" on the proforma
  and the VAT invoice, never a separate negative line); an unknown, expired,
  used-up or out-of-scope code is refused with a message. Pure.
* ``on_order_placed``: a use is **reserved**, under a lock on the code's row
  (PostgreSQL ``FOR UPDATE``; SQLite's write transaction holds the database),
  after counting the uses already reserved or used: so a code limited to 5 uses
  succeeds exactly 5 times, however many checkouts run at once.
* ``on_invoice_paid``: the order's proforma paid, the use becomes **used**.
  ``on_invoice_cancelled``: the order's proforma cancelled unpaid, the use is
  **released** and counts no more.
* ``on_service_created``: a service ordered with a recurring code keeps it
  (its ``recurring_net`` is the discounted price already).
* ``hookbill_renewal_list_price``: a service that keeps a recurring code
  renews with the price before the code on its renewal line and the code's
  discount as the line's discount (rabat), as the order's documents showed it:
  the price the item was ordered at while the service still renews at the
  price it was ordered for, else the catalogue's price when the code's
  discount of it is exactly what the renewal charges. Otherwise (the catalogue
  price changed since a package change, say) the renewal prints its price as
  it is; the amount is the same either way.
* ``on_upgrade_quote`` (a wrapper, around the proration plugin): a service that
  keeps a recurring code changes to a package **in the code's scope** at the
  discounted price of that package; to one outside it, at the full price, and
  ``on_service_changed`` then drops the code. The change prorates from the
  price the service was actually charged (the core's ``charged_price``).
"""

from __future__ import annotations

from collections.abc import Generator
from typing import TYPE_CHECKING, Any

from flask import Blueprint

from core import clock, db
from core.config import Config
from core.extension import MenuItem, MigrationSet
from core.hookspecs import HookRefused, hookimpl
from core.i18n import N_

if TYPE_CHECKING:
    from decimal import Decimal

    from core.models import Document, Product, Service, ServiceChange, Staff
    from core.orders.models import Order
    from core.orders.quote import OrderQuote
    from core.upgrades.quote import Quote

UNKNOWN = N_("The promotion code %(code)s is unknown or expired.")
USED_UP = N_("The promotion code %(code)s has been used up.")
USED_BY_YOU = N_("You have already used the promotion code %(code)s.")
NOT_APPLICABLE = N_("The promotion code %(code)s does not apply to anything in your cart.")


@hookimpl
def hookbill_migrations() -> list[MigrationSet]:
    return [MigrationSet("promotions", "plugins.promotions.migrations")]


@hookimpl
def on_order_quote(quote: OrderQuote) -> None:
    """Lower the items the code covers (see the module docstring)."""
    if not quote.promo_code:
        return
    from plugins.promotions.models import PromoCode
    from plugins.promotions.rules import discount_for, in_scope, is_current

    code = quote.promo_code
    promo = PromoCode.get_or_none(PromoCode.code == code)
    if promo is None or not is_current(promo, clock.today()):
        raise HookRefused(N_(UNKNOWN, code=code))
    _check_uses(promo, quote.customer.id if quote.customer is not None else None)
    touched = False
    for item in quote.items:
        if in_scope(promo, item.product.id, item.cycle):
            amount = discount_for(promo, item.list_net, item.quantity)
            label = N_("Promotion code %(code)s", code=code)
            quote.discount_item(item.index, amount, label=label, recurring=promo.recurring, source=code)
            touched = True
    if not touched:
        raise HookRefused(N_(NOT_APPLICABLE, code=code))


def _check_uses(promo: Any, customer_id: int | None) -> None:
    """Refuse a code whose uses (reserved or used) reached its limits."""
    from plugins.promotions.models import PromoUse

    counted = PromoUse.select().where((PromoUse.promo == promo.id) & PromoUse.status.in_(["reserved", "used"]))
    if promo.max_uses is not None and counted.count() >= promo.max_uses:
        raise HookRefused(N_(USED_UP, code=promo.code))
    if (
        customer_id is not None
        and promo.max_uses_per_customer is not None
        and counted.where(PromoUse.customer_id == customer_id).count() >= promo.max_uses_per_customer
    ):
        raise HookRefused(N_(USED_BY_YOU, code=promo.code))


@hookimpl
def on_order_placed(order: Order, quote: OrderQuote) -> None:
    """Reserve one use of the order's code, counted under a lock on the code's row."""
    if not order.promo_code or not any(item.discount_source for item in quote.items):
        return
    from plugins.promotions.models import PromoCode, PromoUse

    promo = PromoCode.get_or_none(PromoCode.code == order.promo_code)
    if promo is None:
        raise HookRefused(N_(UNKNOWN, code=order.promo_code))
    if db.is_postgres():
        db.database.obj.execute_sql("SELECT id FROM promo_code WHERE id = %s FOR UPDATE", (promo.id,))
    _check_uses(promo, order.customer_id)
    PromoUse.create(promo=promo, customer_id=order.customer_id, order_id=order.id)


def _use_of(document: Document) -> Any:
    from plugins.promotions.models import PromoUse

    if document.kind != "proforma" or document.purpose != "order" or not document.purpose_ref:
        return None
    return PromoUse.get_or_none(PromoUse.order_id == document.purpose_ref)


@hookimpl
def on_invoice_paid(document: Document) -> None:
    """The order is paid: its reserved use is used."""
    use = _use_of(document)
    if use is not None and use.status == "reserved":
        use.status = "used"
        use.save()


@hookimpl
def on_invoice_cancelled(document: Document) -> None:
    """The order's proforma was cancelled unpaid: its use is released."""
    use = _use_of(document)
    if use is not None and use.status == "reserved":
        use.status = "released"
        use.save()


@hookimpl
def on_service_created(service: Service, order: Order | None) -> None:
    """Remember that a service ordered with a recurring code renews at its discounted price."""
    if order is None or not order.promo_code:
        return
    from core.orders.models import OrderService
    from plugins.promotions.models import PromoCode, PromoService

    link = OrderService.get_or_none(OrderService.service == service.id)
    promo = PromoCode.get_or_none(PromoCode.code == order.promo_code)
    if link is None or promo is None or not promo.recurring or not link.item.discount:
        return
    PromoService.create(promo=promo, service_id=service.id)


@hookimpl
def hookbill_renewal_list_price(service: Service, product: Product, cycle: str, net: Decimal) -> Decimal | None:
    """The price before the kept recurring code for a renewal of ``service`` (see the module docstring)."""
    from core.orders.models import OrderService
    from core.upgrades.quoting import prices_of
    from plugins.promotions.rules import discounted_price, in_scope

    promo = _kept_promo(service)
    if promo is None or not in_scope(promo, product.id, cycle):
        return None
    link = OrderService.get_or_none(OrderService.service == service.id)
    item = link.item if link is not None else None
    if item is not None and (item.product_id, item.cycle, item.recurring_net) == (product.id, cycle, net):
        return item.unit_net if item.unit_net > net else None
    listed = prices_of(product).get(cycle)
    if listed is not None and listed > net and discounted_price(promo, listed) == net:
        return listed
    return None


def _kept_promo(service: Service) -> Any:
    """The recurring code ``service`` keeps, or None.

    Asked for every renewal a run issues (``hookbill_renewal_list_price``), and
    most services keep none: the first look is one statement written once
    (:mod:`core.prepared`), not a query peewee compiles for each service.
    """
    from core import prepared
    from plugins.promotions.models import PromoCode, PromoService

    sql = (
        f"SELECT {prepared.column(PromoService.promo)} FROM {prepared.table(PromoService)} "
        f"WHERE {prepared.column(PromoService.service_id)} = {{p}}"
    )
    kept = prepared.execute(sql, (service.id,)).fetchall()
    return PromoCode.get_or_none(PromoCode.id == kept[0][0]) if kept else None


@hookimpl(wrapper=True)
def on_upgrade_quote(quote: Quote) -> Generator[None, None, None]:
    """Price the new package at the kept recurring code's discount when it is in the code's scope."""
    from core.models import Service
    from plugins.promotions.rules import discounted_price, in_scope

    promo = _kept_promo(quote.service) if isinstance(quote.service, Service) else None  # a stored service only
    if promo is not None and in_scope(promo, quote.target.id, quote.target_cycle):
        quote.new_price = discounted_price(promo, quote.new_price)
        quote.notes.append(N_("Promotion code %(code)s carries over to the new package.", code=promo.code))
    return (yield)


@hookimpl
def on_service_changed(service: Service, change: ServiceChange) -> None:
    """A service moved outside its recurring code's scope no longer keeps the code."""
    from plugins.promotions.models import PromoService
    from plugins.promotions.rules import in_scope

    promo = _kept_promo(service)
    if promo is not None and not in_scope(promo, service.product_id, service.cycle):
        PromoService.delete().where(PromoService.service_id == service.id).execute()


@hookimpl
def hookbill_blueprints(config: Config) -> list[Blueprint]:
    from plugins.promotions.views import bp

    return [bp]


@hookimpl
def hookbill_admin_menu(staff: Staff) -> list[MenuItem]:
    return [
        MenuItem(
            "Promotions", "promotions.index", order=45, roles=("admin", "billing"), active_prefix="/admin/promotions"
        )
    ]
