"""Changing a customer's billing data: validation, the append-only history, the hook.

A change appends a new :class:`core.models.BillingProfile` version; rows are
never updated, so the table is the history. Each version records who made it
(``changed_by_kind``/``changed_by_id``) and when; the activity log entry of the
change holds the old and new values of the fields that changed.

Validation (every message is a fixed English msgid, translated by the web layer):

* ``kind`` is ``company`` or ``private``;
* name, first address line, postcode and city are required; the country is an
  ISO 3166 alpha-2 code; a Polish postcode is ``NN-NNN``;
* a company needs a tax id: a NIP with a valid checksum for Poland, a VAT id
  valid for the chosen EU state, free text elsewhere
  (:func:`core.documents.taxid.validate_tax_id`); it is stored normalized;
* a private person has no tax id (anything typed is dropped).

Nothing is written when anything is wrong: :class:`core.errors.ValidationError`
carries one message per field.

Documents: every proforma and VAT invoice issued after the change carries the
new data; in the same transaction the customer's open proformas are reviewed
(:func:`core.documents.review.review_open_proformas`): one whose tax treatment
the change alters is flagged for staff to correct before its VAT invoice is
issued.

A private person may also ask for invoices for advances (art. 106b ust. 3):
:func:`save_billing_data` stores that request (``Customer.advance_invoices``)
in the same transaction as the data; a company gets them whatever it asked.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from core import activity, db, runtime
from core.documents.issuing import current_profile
from core.documents.review import review_open_proformas
from core.documents.taxid import TaxIdError, validate_tax_id
from core.errors import ValidationError
from core.i18n import N_
from core.models import BillingProfile, Customer, Staff
from core.renewals.schedule import mark_customer

KINDS = ("company", "private")
FIELDS = ("kind", "name", "tax_id", "address_line1", "address_line2", "postcode", "city", "country")
LIMITS = {"name": 255, "address_line1": 255, "address_line2": 255, "postcode": 16, "city": 120}
PL_POSTCODE = re.compile(r"^\d{2}-\d{3}$")

MSG_KIND = N_("Choose company or private person.")
MSG_REQUIRED = {
    "name": N_("Enter the name."),
    "address_line1": N_("Enter the street and number."),
    "postcode": N_("Enter the postcode."),
    "city": N_("Enter the city."),
}
MSG_TOO_LONG = N_("This is too long.")
MSG_COUNTRY = N_("Choose a country.")
MSG_PL_POSTCODE = N_("A Polish postcode looks like 00-950.")
MSG_TAX_ID_EMPTY = N_("A company needs its tax ID (NIP, or the VAT ID in the EU).")
MSG_NIP = N_("This is not a valid NIP: check the 10 digits (the last one is a check digit).")
MSG_VAT_ID = N_("This is not a valid VAT ID of the chosen country: check the number and the country.")
MSG_TAX_ID_LONG = N_("The tax ID is longer than 50 characters.")


def _clean(fields: Mapping[str, Any]) -> dict[str, str]:
    values = {name: " ".join(str(fields.get(name) or "").split()) for name in FIELDS}
    values["kind"] = values["kind"].lower()
    values["country"] = values["country"].upper() or "PL"
    return values


def _tax_id_error(country: str, exc: TaxIdError) -> str:
    if "longer than 50" in str(exc):
        return MSG_TAX_ID_LONG
    return MSG_NIP if country == "PL" else MSG_VAT_ID


def validate(fields: Mapping[str, Any]) -> dict[str, str]:
    """Return the cleaned billing data or raise ValidationError (see the module docstring)."""
    values = _clean(fields)
    errors: dict[str, str] = {}
    if values["kind"] not in KINDS:
        errors["kind"] = MSG_KIND
    for name, message in MSG_REQUIRED.items():
        if not values[name]:
            errors[name] = message
    for name, limit in LIMITS.items():
        if len(values[name]) > limit:
            errors[name] = MSG_TOO_LONG
    country = values["country"]
    if not re.fullmatch(r"[A-Z]{2}", country):
        errors["country"] = MSG_COUNTRY
    elif country == "PL" and values["postcode"] and not PL_POSTCODE.match(values["postcode"]):
        errors["postcode"] = MSG_PL_POSTCODE
    if values["kind"] == "company" and "country" not in errors:
        if not values["tax_id"]:
            errors["tax_id"] = MSG_TAX_ID_EMPTY
        else:
            try:
                values["tax_id"] = validate_tax_id(country, values["tax_id"])
            except TaxIdError as exc:
                errors["tax_id"] = _tax_id_error(country, exc)
    elif values["kind"] == "private":
        values["tax_id"] = ""
    if errors:
        raise ValidationError(errors)
    return values


def _as_dict(profile: BillingProfile | None) -> dict[str, str]:
    if profile is None:
        return dict.fromkeys(FIELDS, "")
    return {name: str(getattr(profile, name) or "") for name in FIELDS}


def change_billing_data(
    customer: Customer, fields: Mapping[str, Any], *, actor: Any = None, ip: str = ""
) -> BillingProfile | None:
    """Validate ``fields`` and append them as the customer's current billing data.

    ``fields`` holds ``kind`` and the :data:`FIELDS`. ``actor`` is the customer
    or a staff member (None: the system). Returns the new version, or None when
    nothing differs from the current one (nothing is written then). Runs its own
    write transaction: the version, the activity log entry ``billing_data.changed``
    (old and new values of the changed fields), the review of the open
    proformas (module docstring) and ``on_customer_updated``
    (``changes`` keyed ``billing.<field>``) commit together, or not at all when
    a plugin refuses (its ``HookRefused`` reaches the caller, as every refusal
    does). Raises ValidationError on bad input.
    """
    return _append(customer, validate(fields), actor, ip)


@dataclass(frozen=True)
class Saved:
    """What :func:`save_billing_data` changed: a new version of the data, the request for advance invoices."""

    profile: BillingProfile | None
    advance_invoices: tuple[bool, bool] | None

    def __bool__(self) -> bool:
        return self.profile is not None or self.advance_invoices is not None


def save_billing_data(
    customer: Customer,
    fields: Mapping[str, Any],
    *,
    advance_invoices: bool | None = None,
    actor: Any = None,
    ip: str = "",
) -> Saved:
    """Validate and save the billing data and, for a private person, the request for advance invoices.

    As :func:`change_billing_data`, plus: when the saved kind is ``private`` and
    ``advance_invoices`` is not None, ``customer.advance_invoices`` becomes it
    (art. 106b ust. 3: a consumer gets an invoice for an advance only on
    request). For a company the request is left as it was: a company gets
    advance invoices anyway. The flag, the activity log entry
    ``customer.advance_invoices`` (old and new), the data's new version and one
    ``on_customer_updated`` (``changes`` also keyed ``advance_invoices``) commit
    together or not at all; on a refusal ``customer`` keeps its old flag.
    Returns what changed; a falsy :class:`Saved` means nothing did.
    """
    values = validate(fields)
    wanted = bool(advance_invoices) if advance_invoices is not None and values["kind"] == "private" else None
    old_flag = bool(customer.advance_invoices)
    try:
        return _save(customer, values, actor, ip, wanted)
    except BaseException:
        customer.advance_invoices = old_flag  # the row rolled back: so does the object the caller holds
        raise


def _append(customer: Customer, values: dict[str, str], actor: Any, ip: str) -> BillingProfile | None:
    return _save(customer, values, actor, ip, None).profile


def _save(customer: Customer, values: dict[str, str], actor: Any, ip: str, wanted: bool | None) -> Saved:
    with db.write_transaction():
        old = _as_dict(current_profile(customer.id))
        changes = {name: (old[name], values[name]) for name in FIELDS if old[name] != values[name]}
        stored = Customer.select(Customer.advance_invoices).where(Customer.id == customer.id).scalar()
        flag = (bool(stored), wanted) if wanted is not None else None
        if flag is not None and flag[0] == flag[1]:
            flag = None
        if not changes and flag is None:
            return Saved(None, None)
        hook_changes: dict[str, tuple[Any, Any]] = {f"billing.{name}": value for name, value in changes.items()}
        if flag is not None:
            Customer.update(advance_invoices=flag[1]).where(Customer.id == customer.id).execute()
            customer.advance_invoices = flag[1]
            activity.record("customer.advance_invoices", actor=actor, subject=customer, ip=ip, old=flag[0], new=flag[1])
            hook_changes["advance_invoices"] = flag
        profile = _new_version(customer, values, actor, ip, changes) if changes else None
        runtime.hooks().on_customer_updated(customer=customer, changes=hook_changes)
    return Saved(profile, flag)


def _new_version(
    customer: Customer, values: dict[str, str], actor: Any, ip: str, changes: dict[str, tuple[str, str]]
) -> BillingProfile:
    actor_kind = "staff" if isinstance(actor, Staff) else "customer" if isinstance(actor, Customer) else "system"
    profile = BillingProfile.create(
        customer=customer, changed_by_kind=actor_kind, changed_by_id=getattr(actor, "id", None), **values
    )
    activity.record(
        "billing_data.changed",
        actor=actor,
        subject=customer,
        ip=ip,
        version=profile.id,
        old={name: old_new[0] for name, old_new in changes.items()},
        new={name: old_new[1] for name, old_new in changes.items()},
    )
    review_open_proformas(customer)
    mark_customer(customer.id)  # the next renewal run re-prices open renewals if the VAT rate changed
    return profile


@dataclass(frozen=True)
class HistoryEntry:
    """One version of the billing data as staff see it: the data, who, when, what changed."""

    profile: BillingProfile
    changed_by: str
    changed_at: datetime
    changed_fields: tuple[str, ...]
    previous: dict[str, str]


def _who(profile: BillingProfile) -> str:
    if profile.changed_by_kind == "staff" and profile.changed_by_id:
        staff = Staff.get_or_none(Staff.id == profile.changed_by_id)
        return f"staff: {staff.email}" if staff else f"staff #{profile.changed_by_id}"
    if profile.changed_by_kind == "customer":
        return "customer"
    return str(profile.changed_by_kind or "system")


def history(customer_id: int) -> list[HistoryEntry]:
    """Every version of the customer's billing data, newest first, each with what it changed."""
    rows = list(BillingProfile.select().where(BillingProfile.customer == customer_id).order_by(BillingProfile.id))
    entries: list[HistoryEntry] = []
    previous = _as_dict(None)
    for row in rows:
        current = _as_dict(row)
        changed = tuple(name for name in FIELDS if current[name] != previous[name])
        entries.append(HistoryEntry(row, _who(row), row.created_at, changed, previous))
        previous = current
    return list(reversed(entries))
