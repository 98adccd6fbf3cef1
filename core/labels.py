"""What people read instead of the codes the database stores.

Codes (``vat``, ``partially_paid``, ``staff_credit``) are for programs: the API
returns them and tests compare them. Pages show the label for a code from
:data:`LABELS`, translated with the table's name as the gettext *context*
(``NP_``), so one English word can have two Polish forms where Polish needs
them: a service is "Aktywna", an account "Aktywne".

A code without a label (a plugin's own status, say) is shown as it is; the
tests that render every page in both languages fail on it, so add it here.
"""

from __future__ import annotations

from collections.abc import Callable

from core.i18n import NP_

LABELS: dict[str, dict[str, tuple[str, str]]] = {
    "document kind": {
        "proforma": NP_("document kind", "Proforma"),
        "vat": NP_("document kind", "VAT invoice"),
        "correction": NP_("document kind", "Correcting invoice"),
        "advance": NP_("document kind", "Advance invoice"),
    },
    "register row": {
        "vat": NP_("register row", "VAT invoice"),
        "correction": NP_("register row", "Correcting invoice"),
        "advance": NP_("register row", "Advance invoice"),
        "consumer_advance": NP_("register row", "Advance without an invoice (consumer)"),
        "consumer_advance_settled": NP_("register row", "Advance without an invoice settled by the VAT invoice"),
        "consumer_advance_returned": NP_("register row", "Advance without an invoice returned to the balance"),
    },
    "document status": {
        "unpaid": NP_("document status", "Unpaid"),
        "partially_paid": NP_("document status", "Partially paid"),
        "paid": NP_("document status", "Paid"),
        "superseded": NP_("document status", "Superseded"),
        "issued": NP_("document status", "Issued"),
        "cancelled": NP_("document status", "Cancelled"),
    },
    "service status": {
        "pending": NP_("service status", "Pending"),
        "active": NP_("service status", "Active"),
        "suspended": NP_("service status", "Suspended"),
        "terminated": NP_("service status", "Terminated"),
        "cancelled": NP_("service status", "Cancelled"),
    },
    "order status": {
        "awaiting_check": NP_("order status", "Waiting for the VAT ID check"),
        "awaiting_payment": NP_("order status", "Awaiting payment"),
        "paid": NP_("order status", "Paid"),
        "cancelled": NP_("order status", "Cancelled"),
        "withdrawn": NP_("order status", "Withdrawn"),
    },
    "vat check": {
        "valid": NP_("vat check", "Valid"),
        "invalid": NP_("vat check", "Not valid"),
        "unavailable": NP_("vat check", "VIES did not answer"),
        "staff_valid": NP_("vat check", "Accepted by staff"),
        "staff_invalid": NP_("vat check", "Refused by staff"),
    },
    "account status": {
        "active": NP_("account status", "Active"),
        "suspended": NP_("account status", "Suspended"),
        "deleted": NP_("account status", "Deleted"),
    },
    "billing cycle": {
        "monthly": NP_("billing cycle", "Monthly"),
        "quarterly": NP_("billing cycle", "Quarterly"),
        "semiannually": NP_("billing cycle", "Semiannually"),
        "annually": NP_("billing cycle", "Annually"),
        "biennially": NP_("billing cycle", "Biennially"),
        "triennially": NP_("billing cycle", "Triennially"),
    },
    "ledger kind": {
        "topup": NP_("ledger kind", "Top-up"),
        "overpayment": NP_("ledger kind", "Overpayment"),
        "downgrade_credit": NP_("ledger kind", "Credit for a smaller package"),
        "refund": NP_("ledger kind", "Refund"),
        "applied": NP_("ledger kind", "Paid from the balance"),
        "staff_credit": NP_("ledger kind", "Credit added by staff"),
        "staff_debit": NP_("ledger kind", "Credit removed by staff"),
        "stale_payment": NP_("ledger kind", "Payment for a change that did not apply"),
        "correction_credit": NP_("ledger kind", "Credit from a correcting invoice"),
        "refund_reversed": NP_("ledger kind", "Refund not made, back on the balance"),
        "staff_credit_used": NP_("ledger kind", "Staff credit given as a discount"),
        "staff_credit_returned": NP_("ledger kind", "Staff credit back from a cancelled document"),
    },
    "billing kind": {
        "company": NP_("billing kind", "Company"),
        "private": NP_("billing kind", "Private person"),
    },
    "billing field": {
        "kind": NP_("billing field", "Type"),
        "name": NP_("billing field", "Name"),
        "tax_id": NP_("billing field", "Tax ID"),
        "address_line1": NP_("billing field", "Street and number"),
        "address_line2": NP_("billing field", "Address, second line"),
        "postcode": NP_("billing field", "Postcode"),
        "city": NP_("billing field", "City"),
        "country": NP_("billing field", "Country"),
    },
    "actor": {
        "customer": NP_("actor", "Customer"),
        "staff": NP_("actor", "Staff"),
        "system": NP_("actor", "System"),
    },
    "staff role": {
        "admin": NP_("staff role", "Administrator"),
        "billing": NP_("staff role", "Billing"),
        "support": NP_("staff role", "Support"),
    },
    "language": {
        "pl": NP_("language", "Polish"),
        "en": NP_("language", "English"),
    },
    "cancellation status": {
        "requested": NP_("cancellation status", "Waiting for a decision"),
        "approved": NP_("cancellation status", "Approved"),
        "refused": NP_("cancellation status", "Refused"),
        "withdrawn": NP_("cancellation status", "Withdrawn by the customer"),
        "done": NP_("cancellation status", "Service ended"),
    },
    "cancellation timing": {
        "end_of_period": NP_("cancellation timing", "At the end of the paid period"),
        "immediate": NP_("cancellation timing", "At once"),
    },
    "change status": {
        "awaiting_payment": NP_("change status", "Waiting for payment"),
        "scheduled": NP_("change status", "Scheduled"),
        "applied": NP_("change status", "Applied"),
        "cancelled": NP_("change status", "Cancelled"),
        "stale": NP_("change status", "No longer valid"),
    },
}


def label_for(table: str, code: str) -> tuple[str, str] | None:
    """``(context, English label)`` of ``code`` in ``table``, or None when it has none.

    An unknown ``table`` is a programming error and raises :class:`KeyError`.
    """
    return LABELS[table].get(code)


def label(table: str, code: str, pgettext: Callable[[str, str], str]) -> str:
    """``code``'s label in ``table`` translated with ``pgettext``; ``code`` itself when it has none."""
    found = label_for(table, code)
    return pgettext(*found) if found else code
