"""Mail the customer about money leaving the credit balance for their account.

A refund of the balance (a ledger ``refund`` entry: money paid back to the
account the customer paid from) is mailed in the transaction that records it,
through the outbox (:func:`core.mail.queue_mail`), so the mail goes exactly
when the entry commits and never for an entry that rolled back. When the
payment operator does not make the refund and the amount goes back on the
balance (``refund_reversed``), that is mailed too. Each entry is mailed once
(the dedupe key is the entry's).
"""

from __future__ import annotations

from dataclasses import dataclass

from core import clock, i18n, mail, runtime
from core.balance_view import balance_of
from core.models import Customer, Document, LedgerEntry, Payment


@dataclass(frozen=True)
class Figures:
    """The figures a balance mail names, written in the customer's language."""

    amount: str
    balance: str
    paid_on: str


def _amounts(entry: LedgerEntry, lang: str) -> Figures:
    payment = Payment.get_or_none(Payment.id == entry.payment_id) if entry.payment_id else None
    currency = payment.currency if payment is not None else str(runtime.config().get_value("app.currency"))
    received = payment.received_at if payment is not None else None
    return Figures(
        amount=i18n.money(abs(entry.amount), currency, lang),
        balance=i18n.money(balance_of(entry.customer_id), currency, lang),
        paid_on=i18n.day(clock.to_local(received).date(), lang) if received else "",
    )


def mail_refund(entry: LedgerEntry, correction: Document | None = None) -> None:
    """Queue the mail saying ``entry`` (a ``refund``) is being paid to the customer's account.

    Must run in the transaction that appended ``entry``. Names the amount, the
    day the refunded payment arrived, the correcting invoice issued for it (when
    ``correction`` is given) and the balance left. Queued once per entry.
    """
    if entry.kind != "refund":
        raise ValueError(f"mail_refund() needs a refund entry, not {entry.kind!r}")
    customer = Customer.get_by_id(entry.customer_id)
    mail.queue_mail(
        customer.email,
        "balance_refund",
        customer.language,
        dedupe_key=f"mail:balance_refund:{entry.id}",
        customer=customer,
        correction=correction,
        figures=_amounts(entry, customer.language),
    )


def mail_refund_reversed(entry: LedgerEntry) -> None:
    """Queue the mail saying a refund was not made and ``entry`` (``refund_reversed``) put it back on the balance.

    Must run in the transaction that appended ``entry``; queued once per entry.
    """
    if entry.kind != "refund_reversed":
        raise ValueError(f"mail_refund_reversed() needs a refund_reversed entry, not {entry.kind!r}")
    customer = Customer.get_by_id(entry.customer_id)
    mail.queue_mail(
        customer.email,
        "balance_refund_reversed",
        customer.language,
        dedupe_key=f"mail:balance_refund_reversed:{entry.id}",
        customer=customer,
        figures=_amounts(entry, customer.language),
    )
