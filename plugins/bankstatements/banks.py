"""The banks statements come from: how each one's files are read, edited by staff.

:func:`save_bank` checks the whole form (short name, format, encoding, the
MT940 sub-field separator, the split-payment mode and, for CSV, the column
mapping) and stores it in one transaction with an activity-log entry. The
mapping is data: a preset (:mod:`plugins.bankstatements.presets`) only fills
the form.
"""

from __future__ import annotations

import re
from datetime import date
from typing import Any

from core import activity, db
from core.errors import ValidationError
from core.i18n import N_
from plugins.bankstatements.models import Bank
from plugins.bankstatements.parsers import FORMATS
from plugins.bankstatements.parsers.csvfile import COLUMN_KEYS, DELIMITERS
from plugins.bankstatements.parsers.encoding import ENCODINGS
from plugins.bankstatements.parsers.mt940zbp import SEPARATORS
from plugins.bankstatements.splitpay import MODES

DECIMALS = (",", ".")


def _mapping(form: Any, errors: dict[str, str]) -> dict[str, Any]:
    delimiter = str(form.get("delimiter") or ";")
    if delimiter not in DELIMITERS:
        errors["delimiter"] = N_("Choose a delimiter from the list.")
    decimal = str(form.get("decimal") or ",")
    if decimal not in DECIMALS:
        errors["decimal"] = N_("Choose a decimal separator from the list.")
    date_format = str(form.get("date_format") or "").strip()
    try:
        if not date_format or "%" not in date_format:
            raise ValueError(date_format)
        date(2026, 3, 16).strftime(date_format)
    except ValueError:
        errors["date_format"] = N_("Write the date format with %%Y, %%m and %%d, e.g. %%Y-%%m-%%d or %%d.%%m.%%Y.")
    columns = {key: str(form.get(f"col_{key}") or "").strip() for key in COLUMN_KEYS}
    columns = {key: value for key, value in columns.items() if value}
    if not columns.get("date"):
        errors["col_date"] = N_("Say which column holds the date.")
    if not (columns.get("amount") or columns.get("credit")):
        errors["col_amount"] = N_("Say which column holds the amount (or the credit amount).")
    if not columns.get("title"):
        errors["col_title"] = N_("Say which column holds the transfer title.")
    skip = str(form.get("skip_rows") or "0").strip()
    if not skip.isdigit():
        errors["skip_rows"] = N_("Enter a whole number of rows.")
    currency = str(form.get("currency") or "PLN").strip().upper()
    if not re.fullmatch(r"[A-Z]{3}", currency):
        errors["currency"] = N_("Use the three-letter currency code, e.g. PLN.")
    return {
        "delimiter": delimiter,
        "decimal": decimal,
        "date_format": date_format,
        "currency": currency,
        "skip_rows": int(skip) if skip.isdigit() else 0,
        "columns": columns,
    }


def clean_bank(form: Any, bank: Bank | None = None) -> dict[str, Any]:
    """The checked fields of a bank from a submitted form, or ValidationError naming each bad field."""
    errors: dict[str, str] = {}
    slug = str(form.get("slug") or "").strip().lower()
    if not re.fullmatch(r"[a-z0-9][a-z0-9-]{0,39}", slug):
        errors["slug"] = N_("Use lowercase letters, digits and hyphens.")
    elif Bank.select().where((Bank.slug == slug) & (Bank.id != (bank.id if bank else 0))).exists():
        errors["slug"] = N_("This short name is taken.")
    name = str(form.get("name") or "").strip()
    if not name:
        errors["name"] = N_("Give the bank a name.")
    fmt = str(form.get("format") or "")
    if fmt not in FORMATS:
        errors["format"] = N_("Choose a format from the list.")
    encoding = str(form.get("encoding") or "auto")
    if encoding not in ENCODINGS:
        errors["encoding"] = N_("Choose an encoding from the list.")
    separator = str(form.get("separator") or "auto")
    if separator not in SEPARATORS:
        errors["separator"] = N_("Choose a separator from the list.")
    split = str(form.get("split_payment") or "auto")
    if split not in MODES:
        errors["split_payment"] = N_("Choose from the list.")
    mapping = _mapping(form, errors) if fmt == "csv" else {}
    if errors:
        raise ValidationError(errors)
    return {
        "slug": slug,
        "name": name[:120],
        "format": fmt,
        "encoding": encoding,
        "separator": separator,
        "split_payment": split,
        "mapping": mapping,
    }


def save_bank(form: Any, staff: Any, bank: Bank | None = None, ip: str = "") -> Bank:
    """Create a bank, or update ``bank``, from a submitted form; logged. Raises ValidationError."""
    with db.write_transaction():
        fields = clean_bank(form, bank)
        if bank is None:
            bank = Bank.create(**fields)
            action = "statements.bank_created"
        else:
            for key, value in fields.items():
                setattr(bank, key, value)
            bank.save()
            action = "statements.bank_updated"
        activity.record(action, actor=staff, subject=bank, ip=ip, slug=bank.slug, format=bank.format)
    return bank


def form_values(bank: Bank | None, preset: dict[str, Any] | None = None) -> dict[str, str]:
    """The bank form's field values for ``bank`` (or a new bank from ``preset``)."""
    if bank is not None:
        source: dict[str, Any] = {
            "slug": bank.slug,
            "name": bank.name,
            "format": bank.format,
            "encoding": bank.encoding,
            "separator": bank.separator,
            "split_payment": bank.split_payment,
            "mapping": bank.mapping or {},
        }
    elif preset is not None:
        source = {"format": "csv", **preset}
    else:
        source = {"format": "mt940", "encoding": "auto"}
    mapping = source.get("mapping") or {}
    values = {k: str(v) for k, v in source.items() if k != "mapping"}
    values.update(
        {k: str(mapping.get(k, "")) for k in ("delimiter", "decimal", "date_format", "currency", "skip_rows")}
    )
    values.update({f"col_{k}": str(v) for k, v in (mapping.get("columns") or {}).items()})
    return values
