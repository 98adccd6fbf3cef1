"""The provider's seller data (printed on every document), edited by staff.

:func:`update_seller` validates the whole set (name, tax id with python-stdnum,
address, IBAN) and stores it in one transaction with an activity-log entry.
Documents issued before keep the seller data of their snapshot.
"""

from __future__ import annotations

import re
from typing import Any

from stdnum import iban
from stdnum.exceptions import ValidationError as StdnumError

from core import activity, db
from core.documents.taxid import TaxIdError, validate_tax_id
from core.errors import ValidationError
from core.i18n import N_
from core.settings import SELLER_KEYS, seller_data, set_setting

REQUIRED = ("name", "tax_id", "address_line1", "postcode", "city", "country")
POSTCODE_PL = re.compile(r"^\d{2}-\d{3}$")


def clean_seller(fields: dict[str, Any]) -> dict[str, str]:
    """The normalised seller data, or ValidationError naming each bad field."""
    data = {key: str(fields.get(key) or "").strip() for key in SELLER_KEYS}
    data["country"] = data["country"].upper()
    errors: dict[str, str] = {}
    for key in REQUIRED:
        if not data[key]:
            errors[key] = N_("This field is required.")
    if data["country"] and not re.fullmatch(r"[A-Z]{2}", data["country"]):
        errors["country"] = N_("Use the two-letter country code, e.g. PL.")
    if data["tax_id"] and "country" not in errors:
        try:
            data["tax_id"] = validate_tax_id(data["country"], data["tax_id"])
        except TaxIdError:
            errors["tax_id"] = N_("This tax identification number is not valid.")
    if data["country"] == "PL" and data["postcode"] and not POSTCODE_PL.match(data["postcode"]):
        errors["postcode"] = N_("A Polish postcode looks like 00-950.")
    if data["bank_account"]:
        try:
            data["bank_account"] = iban.format(iban.validate(data["bank_account"]))
        except StdnumError:
            errors["bank_account"] = N_("This is not a valid IBAN account number.")
    if errors:
        raise ValidationError(errors)
    return data


def update_seller(fields: dict[str, Any], staff: Any, ip: str = "") -> dict[str, str]:
    """Validate and store the seller data; log which fields changed. Returns the stored data."""
    data = clean_seller(fields)
    with db.write_transaction():
        old = seller_data()
        changed = sorted(key for key in SELLER_KEYS if old.get(key, "") != data[key])
        for key in changed:
            set_setting("seller", key, data[key])
        if changed:
            activity.record("settings.seller_updated", actor=staff, subject_type="setting", ip=ip, fields=changed)
    return data
