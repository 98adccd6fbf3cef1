"""The provider's terms and the order settings staff set on the admin settings page.

``orders.terms_version`` names the terms in force (a date or a number the
provider chooses) and ``orders.terms_url`` where they are published; the
version a customer accepted is stored on their order. ``orders.unpaid_cancel_days``
is how long an unpaid order waits before the cron job cancels it, and
``orders.withdrawal_days`` the withdrawal period of consumers (14 days, art. 27
of the consumer rights act).
"""

from __future__ import annotations

from core.extension import SettingSpec
from core.i18n import N_
from core.settings import get_setting

NAMESPACE = "orders"


def settings() -> list[SettingSpec]:
    """The order settings (module docstring)."""
    return [
        SettingSpec(
            NAMESPACE,
            "terms_version",
            N_("Version of the terms in force"),
            default="1",
            required=True,
            help=N_("Stored on every order with the customer's acceptance. Change it when you publish new terms."),
        ),
        SettingSpec(
            NAMESPACE,
            "terms_url",
            N_("Address of the terms"),
            default="",
            kind="url",
            help=N_("The page with your terms; the checkout links to it."),
        ),
        SettingSpec(
            NAMESPACE,
            "unpaid_cancel_days",
            N_("Cancel unpaid orders after (days)"),
            default=14,
            kind="int",
            minimum=1,
            maximum=365,
        ),
        SettingSpec(
            NAMESPACE,
            "withdrawal_days",
            N_("Withdrawal period of consumers (days)"),
            default=14,
            kind="int",
            minimum=14,
        ),
    ]


def terms_version() -> str:
    """The version of the terms in force."""
    return str(get_setting(NAMESPACE, "terms_version") or "1")


def terms_url() -> str:
    """Where the terms are published ("" when not set)."""
    return str(get_setting(NAMESPACE, "terms_url") or "")


def unpaid_cancel_days() -> int:
    """Days an unpaid order waits before it is cancelled."""
    return int(get_setting(NAMESPACE, "unpaid_cancel_days") or 14)


def withdrawal_days() -> int:
    """The consumers' withdrawal period in days."""
    return int(get_setting(NAMESPACE, "withdrawal_days") or 14)
