"""Built-in plugin: Przelewy24 (BLIK, pay-by-link, cards) through P24's REST API.

The flow, each step in its own module:

1. :mod:`~plugins.przelewy24.methods`: the customer picks BLIK, a bank
   (:mod:`~plugins.przelewy24.catalogue`: P24's cached bank list on our payment
   step) or a card;
2. :mod:`~plugins.przelewy24.checkout`: the transaction is registered
   (amount in grosze, a new ``sessionId`` per attempt, the CRC-keyed SHA-384
   ``sign`` of :mod:`~plugins.przelewy24.signing`) and the customer goes to
   P24's ``/trnRequest/{token}``;
3. :mod:`~plugins.przelewy24.notifications`: P24's notification is checked,
   the transaction verified with P24, and the payment booked once;
4. the return page tells the customer the payment is being confirmed until
   the notification was booked; it never books anything itself;
5. :mod:`~plugins.przelewy24.refunds`: staff refund a payment (with the
   correcting invoice when it was invoiced); P24's refund notification
   completes or rejects it.

Hooks: ``hookbill_configure`` (the ``[przelewy24]`` defaults, see
:mod:`~plugins.przelewy24.settings`), ``hookbill_migrations``,
``hookbill_payment_methods``, ``hookbill_blueprints``, ``hookbill_cron_jobs``
(``przelewy24``: books attempts P24 confirmed whose booking failed) and
``hookbill_template_snippet`` ``admin_document_detail`` (the payments of a
document with their refunds, and the refund form).
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from core.config import Config
from core.extension import CronJob, MigrationSet, TemplateContext
from core.hookspecs import hookimpl
from core.payments.methods import PaymentMethod


@hookimpl
def hookbill_configure(config: Config) -> None:
    from plugins.przelewy24.settings import add_defaults

    add_defaults(config)


@hookimpl
def hookbill_migrations() -> list[MigrationSet]:
    return [MigrationSet("przelewy24", "plugins.przelewy24.migrations")]


@hookimpl
def hookbill_payment_methods() -> list[PaymentMethod]:
    from plugins.przelewy24.methods import all_p24_methods

    return all_p24_methods()


@hookimpl
def hookbill_blueprints(config: Config) -> list[Any]:
    from plugins.przelewy24.views import bp

    return [bp]


@hookimpl
def hookbill_outbox_handlers() -> dict[str, Any]:
    from plugins.przelewy24.refunds import send_queued_refund

    return {"przelewy24_refund": send_queued_refund}


def run_cron() -> dict[str, int]:
    """Cron: book every attempt P24 confirmed that is not booked yet."""
    from plugins.przelewy24.notifications import book_verified

    return {"booked": book_verified()}


@hookimpl
def hookbill_cron_jobs() -> list[CronJob]:
    return [CronJob("przelewy24", run_cron, every=timedelta(minutes=5))]


@hookimpl
def hookbill_template_snippet(name: str, context: TemplateContext) -> Any:
    """On the admin page of a document: its Przelewy24 payments, their refunds, the refund form."""
    if name != "admin_document_detail" or context.get("doc") is None:
        return None
    from plugins.przelewy24.staff_view import payments_card

    return payments_card(context.get("doc"))
