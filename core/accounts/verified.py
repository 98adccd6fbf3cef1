"""E-mail verification as a condition for ordering and paying (``security.require_verified_email``).

With the switch on, a customer who has not confirmed their e-mail address
cannot order (a package change is an order) or start a payment: the step
raises :class:`EmailNotVerified`, which the panel answers with a page that
says why and offers to send the link again (403), and the API with JSON.
Every step that orders or pays calls :func:`check_can_order` first, in the
domain service where there is one (:func:`core.upgrades.confirm.confirm_change`),
else where the step starts (:func:`core.web.payments.start_payment`); an
order step added later calls it too. Staff see unconfirmed accounts marked as
such in the customer list and on the customer page.
"""

from __future__ import annotations

from datetime import timedelta

from core import db, ratelimit, runtime
from core.errors import DomainError
from core.i18n import N_
from core.models import Customer

#: How many verification mails a customer may ask for again per hour.
RESENDS_PER_HOUR = 3


class EmailNotVerified(DomainError):
    """The customer must confirm their e-mail address before this step."""

    status = 403

    def __init__(self) -> None:
        super().__init__(
            N_("Confirm your e-mail address first: open the link we sent you, or ask for a new one."),
            code="email_unverified",
        )


def required() -> bool:
    """True when the configuration asks for a confirmed address before ordering or paying."""
    return bool(runtime.config().get_value("security.require_verified_email"))


def blocks(customer: Customer) -> bool:
    """True when ``customer`` may not order or pay until they confirm their address."""
    return required() and customer.email_verified_at is None


def check_can_order(customer: Customer) -> None:
    """Raise :class:`EmailNotVerified` when :func:`blocks` says so; else nothing."""
    if blocks(customer):
        raise EmailNotVerified()


def resend(customer: Customer) -> bool:
    """Send the verification mail again; False when the address is confirmed already.

    At most :data:`RESENDS_PER_HOUR` per hour (RateLimited with ``retry_after``
    past it), so the button cannot be used to flood a mailbox.
    """
    from core.accounts.service import send_verification

    if customer.email_verified_at is not None:
        return False
    rule = ratelimit.Rule("verify-resend", f"customer:{customer.id}", RESENDS_PER_HOUR, timedelta(hours=1))
    ratelimit.reserve([rule], N_("We sent the link several times already. Try again later."))
    with db.write_transaction():
        send_verification(customer)
    return True
