"""Orders: what a customer ordered, at which price, under which terms, and the services it made.

An :class:`Order` is placed at checkout and priced by the order quote
(:mod:`core.orders.quote`), frozen into ``quote``. Its proforma has one line per
:class:`OrderItem`; paying it issues the VAT invoice and creates one service per
ordered unit (:class:`OrderService` links them). The terms version the customer
accepted, their request to start before the withdrawal period ends (art. 21
ust. 2 of the consumer rights act) and its time are stored on the order: staff
see them on the order's page. :class:`VatCheck` keeps each VIES answer about an
EU VAT ID with the billing-data version it was asked for.
"""

from __future__ import annotations

import peewee

from core.models.accounts import Customer
from core.models.base import BaseModel, JSONField, MoneyField, utc_now
from core.models.catalogue import Product
from core.models.services import Service

#: ``awaiting_check``: VIES could not be asked; the proforma waits for the check or for staff.
#: ``awaiting_payment``: the proforma is issued. ``paid``: services were created.
#: ``cancelled``: unpaid and cancelled (by the cron job, staff or the customer).
#: ``withdrawn``: the consumer withdrew within 14 days.
ORDER_STATUSES = ("awaiting_check", "awaiting_payment", "paid", "cancelled", "withdrawn")


class Order(BaseModel):
    """One checkout: see the module docstring."""

    customer = peewee.ForeignKeyField(Customer, backref="orders", on_delete="RESTRICT")
    customer_id: int
    status = peewee.CharField(max_length=20, index=True)
    document_id = peewee.IntegerField(null=True, index=True)
    currency = peewee.CharField(max_length=3)
    total_gross = MoneyField()
    quote = JSONField()
    terms_version = peewee.CharField(max_length=64)
    terms_accepted_at = peewee.DateTimeField()
    consumer = peewee.BooleanField(default=False)
    early_start_at = peewee.DateTimeField(null=True)
    starts_on = peewee.DateField(null=True)
    payment_method = peewee.CharField(max_length=32, default="")
    promo_code = peewee.CharField(max_length=64, default="")
    billing_profile_id = peewee.IntegerField(null=True)
    vat_check_id = peewee.IntegerField(null=True)
    checkout_token = peewee.CharField(max_length=64, unique=True)
    ip = peewee.CharField(max_length=64, default="")
    created_at = peewee.DateTimeField(default=utc_now, index=True)
    paid_at = peewee.DateTimeField(null=True)
    cancelled_at = peewee.DateTimeField(null=True)
    cancel_reason = peewee.CharField(max_length=255, default="")
    withdrawn_at = peewee.DateTimeField(null=True)

    class Meta:
        table_name = "shop_order"


class OrderItem(BaseModel):
    """One line of an order: a package, its billing cycle, the domain, how many, and its price.

    ``unit_net`` is the catalogue's net price for one unit and cycle at checkout;
    ``discount`` the net discount (rabat) of the whole line; ``recurring_net``
    the net price of one unit for each later period (the catalogue price, or
    the discounted one when a recurring promotion applies).
    """

    order = peewee.ForeignKeyField(Order, backref="items", on_delete="CASCADE")
    order_id: int
    position = peewee.IntegerField(default=0)
    product = peewee.ForeignKeyField(Product, on_delete="RESTRICT")
    product_id: int
    cycle = peewee.CharField(max_length=16)
    domain = peewee.CharField(max_length=253, default="")
    quantity = peewee.IntegerField(default=1)
    unit_net = MoneyField()
    discount = MoneyField(default=0)
    recurring_net = MoneyField()
    description = peewee.CharField(max_length=255, default="")


class OrderService(BaseModel):
    """A service created by paying an order, and the item it was ordered as."""

    order = peewee.ForeignKeyField(Order, backref="services", on_delete="CASCADE")
    order_id: int
    item = peewee.ForeignKeyField(OrderItem, on_delete="CASCADE")
    item_id: int
    service = peewee.ForeignKeyField(Service, unique=True, on_delete="CASCADE")
    service_id: int


#: ``valid`` / ``invalid``: VIES answered; ``unavailable``: VIES could not answer;
#: ``staff_valid`` / ``staff_invalid``: staff decided while VIES could not answer.
VAT_CHECK_STATUSES = ("valid", "invalid", "unavailable", "staff_valid", "staff_invalid")


class VatCheck(BaseModel):
    """One check of an EU VAT ID against VIES, kept with the billing-data version it was asked for.

    ``consultation`` is VIES's consultation number (``requestIdentifier``), given
    only when the provider's own VAT ID (``requester``) was sent with the question:
    the proof that the buyer's number was checked on that day.
    """

    customer = peewee.ForeignKeyField(Customer, backref="vat_checks", on_delete="RESTRICT")
    customer_id: int
    profile_id = peewee.IntegerField(null=True, index=True)
    vat_id = peewee.CharField(max_length=32)
    status = peewee.CharField(max_length=16)
    consultation = peewee.CharField(max_length=64, default="")
    name = peewee.CharField(max_length=255, default="")
    address = peewee.TextField(default="")
    requester = peewee.CharField(max_length=32, default="")
    detail = peewee.CharField(max_length=255, default="")
    staff_id = peewee.IntegerField(null=True)
    checked_at = peewee.DateTimeField(default=utc_now)


def order_items(order: Order | int) -> list[OrderItem]:
    """The items of ``order`` in their cart order."""
    return list(OrderItem.select().where(OrderItem.order == order).order_by(OrderItem.position))
