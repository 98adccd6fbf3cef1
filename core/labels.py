"""What people read instead of the codes the database stores.

Codes (``vat``, ``partially_paid``, ``staff_credit``) are for programs: the API
returns them and tests compare them. Pages show the label for a code from
:data:`LABELS`, translated with the table's name as the gettext *context*
(``NP_``), so one English word can have two Polish forms where Polish needs
them: a service is "Aktywna", an account "Aktywne".

A code without a label (a plugin's own status, say) is shown as it is; the
tests that render every page in both languages fail on it, so add it here.
That includes every action the activity log records (``activity action``,
built-in plugins' too; ``tests/test_no_raw_codes.py`` finds each call of
:func:`core.activity.record` and fails on an action without a label) and the
tables its entries name (``activity subject``).
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
    "activity action": {
        "customer.registered": NP_("activity action", "Customer registered"),
        "customer.email_verified": NP_("activity action", "Customer confirmed the e-mail address"),
        "customer.login": NP_("activity action", "Customer logged in"),
        "customer.logout": NP_("activity action", "Customer logged out"),
        "customer.login_failed": NP_("activity action", "Failed login to a customer account"),
        "customer.password_changed": NP_("activity action", "Customer changed the password"),
        "customer.password_reset": NP_("activity action", "Customer set a new password by the reset link"),
        "customer.logout_everywhere": NP_("activity action", "Customer logged out on every device"),
        "customer.status": NP_("activity action", "Account status changed"),
        "customer.profile_updated": NP_("activity action", "Customer's profile changed"),
        "customer.advance_invoices": NP_("activity action", "Invoices for advances turned on or off"),
        "billing_data.changed": NP_("activity action", "Billing data changed"),
        "staff.login": NP_("activity action", "Staff member logged in"),
        "staff.logout": NP_("activity action", "Staff member logged out"),
        "staff.login_failed": NP_("activity action", "Failed login to a staff account"),
        "staff.password_changed": NP_("activity action", "Staff member changed the password"),
        "staff.logout_everywhere": NP_("activity action", "Staff member logged out on every device"),
        "staff.created": NP_("activity action", "Staff account created"),
        "staff.toggled": NP_("activity action", "Staff account turned on or off"),
        "settings.updated": NP_("activity action", "Settings changed"),
        "settings.seller_updated": NP_("activity action", "Seller's details changed"),
        "api_token.created": NP_("activity action", "API token created"),
        "api_token.revoked": NP_("activity action", "API token revoked"),
        "api_token.revoked_all": NP_("activity action", "Every API token of the customer revoked"),
        "catalogue.created": NP_("activity action", "Added to the catalogue"),
        "catalogue.product_updated": NP_("activity action", "Package changed"),
        "service.added_by_staff": NP_("activity action", "Service added by staff"),
        "service.status": NP_("activity action", "Service status changed"),
        "service.change_confirmed": NP_("activity action", "Package change ordered"),
        "service.changed": NP_("activity action", "Package changed on the service"),
        "service.change_cancelled": NP_("activity action", "Package change cancelled"),
        "service.change_stale": NP_("activity action", "Package change no longer valid"),
        "service.cancellation_requested": NP_("activity action", "Cancellation requested"),
        "service.cancellation_approved": NP_("activity action", "Cancellation approved"),
        "service.cancellation_refused": NP_("activity action", "Cancellation refused"),
        "service.cancellation_withdrawn": NP_("activity action", "Cancellation withdrawn by the customer"),
        "service.cancellation_done": NP_("activity action", "Service ended after a cancellation"),
        "renewal.issued": NP_("activity action", "Renewal proforma issued"),
        "renewal.reminded": NP_("activity action", "Payment reminder sent"),
        "renewal.paid": NP_("activity action", "Renewal paid, service extended"),
        "renewal.not_extended": NP_("activity action", "Renewal paid, service not extended"),
        "renewal.cancelled": NP_("activity action", "Renewal proforma cancelled"),
        "document.issued_by_staff": NP_("activity action", "Document issued by staff"),
        "document.proforma_corrected": NP_("activity action", "Proforma corrected to current data"),
        "document.needs_correction": NP_("activity action", "Proforma needs a correction"),
        "document.correction_not_needed": NP_("activity action", "Proforma needs no correction"),
        "document.advance_issued": NP_("activity action", "Advance invoice issued"),
        "payment.recorded": NP_("activity action", "Payment recorded"),
        "balance.adjusted": NP_("activity action", "Credit balance changed by staff"),
        "order.placed": NP_("activity action", "Order placed"),
        "order.checked": NP_("activity action", "Order released after the VAT ID check"),
        "order.paid": NP_("activity action", "Order paid"),
        "order.cancelled": NP_("activity action", "Order cancelled"),
        "order.withdrawn": NP_("activity action", "Customer withdrew from the order"),
        "order.refund_due": NP_("activity action", "Refund due after a withdrawal"),
        "vies.checked": NP_("activity action", "EU VAT ID checked in VIES"),
        "vies.decided": NP_("activity action", "Staff decided on an EU VAT ID"),
        "ticket.opened": NP_("activity action", "Ticket opened"),
        "ticket.replied": NP_("activity action", "Reply to a ticket"),
        "ticket.note": NP_("activity action", "Internal note on a ticket"),
        "ticket.status": NP_("activity action", "Ticket status changed"),
        "ticket.assigned": NP_("activity action", "Ticket assigned"),
        "ticket.closed": NP_("activity action", "Ticket closed"),
        "department.saved": NP_("activity action", "Department saved"),
        "totp.enabled": NP_("activity action", "Two-step verification turned on"),
        "totp.disabled": NP_("activity action", "Two-step verification turned off"),
        "totp.failed": NP_("activity action", "Wrong two-step verification code"),
        "totp.locked": NP_("activity action", "Two-step verification locked after failed codes"),
        "totp.recovery_code_used": NP_("activity action", "Recovery code used"),
        "totp.recovery_codes_regenerated": NP_("activity action", "New recovery codes made"),
        "totp.staff_reset": NP_("activity action", "Two-step verification reset by staff"),
        "pgp.customer_key_set": NP_("activity action", "Customer's PGP key saved"),
        "pgp.customer_key_removed": NP_("activity action", "Customer's PGP key removed"),
        "pgp.department_key_set": NP_("activity action", "Department's PGP key saved"),
        "pgp.secret_key_imported": NP_("activity action", "Department's secret PGP key imported"),
        "pgp.message_decrypted": NP_("activity action", "Encrypted message read by staff"),
        "pgp.attachment_decrypted": NP_("activity action", "Encrypted attachment opened by staff"),
        "statements.imported": NP_("activity action", "Bank statement imported"),
        "statements.assigned_document": NP_("activity action", "Transfer assigned to a document"),
        "statements.assigned_customer": NP_("activity action", "Transfer put on a customer's balance"),
        "statements.not_ours": NP_("activity action", "Transfer marked as not ours"),
        "statements.bank_created": NP_("activity action", "Bank added"),
        "statements.bank_updated": NP_("activity action", "Bank changed"),
        "ksef.accepted": NP_("activity action", "KSeF accepted the invoice"),
        "ksef.resend": NP_("activity action", "Invoice sent to KSeF again"),
        "provisioning.create": NP_("activity action", "Provisioning module: create the service"),
        "provisioning.suspend": NP_("activity action", "Provisioning module: suspend the service"),
        "provisioning.unsuspend": NP_("activity action", "Provisioning module: unsuspend the service"),
        "provisioning.terminate": NP_("activity action", "Provisioning module: remove the service"),
        "provisioning.change_package": NP_("activity action", "Provisioning module: change the package"),
        "promotions.saved": NP_("activity action", "Promotion code saved"),
        "przelewy24.checkout_started": NP_("activity action", "Przelewy24 payment started"),
        "przelewy24.payment_booked": NP_("activity action", "Przelewy24 payment booked"),
        "przelewy24.notification_refused": NP_("activity action", "Przelewy24 notification refused"),
        "przelewy24.notification_repeated": NP_("activity action", "Przelewy24 notification repeated"),
        "przelewy24.refund_requested": NP_("activity action", "Przelewy24 refund requested"),
        "przelewy24.refund_accepted": NP_("activity action", "Przelewy24 accepted the refund"),
        "przelewy24.refund_unknown": NP_("activity action", "Przelewy24 refund not confirmed yet"),
        "przelewy24.refund_completed": NP_("activity action", "Przelewy24 made the refund"),
        "przelewy24.refund_rejected": NP_("activity action", "Przelewy24 refused the refund"),
    },
    "activity subject": {
        "customer": NP_("activity subject", "Customer"),
        "staff": NP_("activity subject", "Staff member"),
        "service": NP_("activity subject", "Service"),
        "service_change": NP_("activity subject", "Package change"),
        "document": NP_("activity subject", "Document"),
        "payment": NP_("activity subject", "Payment"),
        "ledger_entry": NP_("activity subject", "Credit balance entry"),
        "setting": NP_("activity subject", "Settings"),
        "product": NP_("activity subject", "Package"),
        "product_group": NP_("activity subject", "Package group"),
        "ticket": NP_("activity subject", "Ticket"),
        "department": NP_("activity subject", "Department"),
        "shop_order": NP_("activity subject", "Order"),
        "cancellation_request": NP_("activity subject", "Cancellation request"),
        "api_token": NP_("activity subject", "API token"),
        "vat_check": NP_("activity subject", "VAT ID check"),
        "bankstatements_bank": NP_("activity subject", "Bank"),
        "bankstatements_import": NP_("activity subject", "Bank statement"),
        "bankstatements_entry": NP_("activity subject", "Bank transfer"),
        "p24_session": NP_("activity subject", "Przelewy24 payment"),
        "p24_refund": NP_("activity subject", "Przelewy24 refund"),
        "promo_code": NP_("activity subject", "Promotion code"),
        "ksef_submission": NP_("activity subject", "KSeF submission"),
        "pgp_customer_key": NP_("activity subject", "PGP key"),
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
