"""Buyer and seller tax ids: NIP for Poland, VAT id for other EU states.

``validate_tax_id`` is what a form or an import calls before a tax id is stored on
a customer's billing data, so an invoice never carries a mistyped NIP.
"""

from __future__ import annotations

from stdnum import exceptions as stdnum_errors
from stdnum.eu import vat as eu_vat
from stdnum.pl import nip

from core.documents.build import EU_COUNTRIES

#: The VAT-id prefix differs from the ISO country code only for Greece.
_VAT_PREFIX = {"GR": "EL"}


class TaxIdError(ValueError):
    """The tax id is not valid for its country; ``str()`` is a message for the user."""


def vat_prefix(country: str) -> str:
    """The EU VAT prefix of an ISO-2 country code (``"GR"`` -> ``"EL"``)."""
    return _VAT_PREFIX.get(country, country)


def _reason(exc: stdnum_errors.ValidationError) -> str:
    if isinstance(exc, stdnum_errors.InvalidChecksum):
        return "the check digit does not match (a typo?)"
    if isinstance(exc, stdnum_errors.InvalidLength):
        return "it has the wrong number of characters"
    if isinstance(exc, stdnum_errors.InvalidFormat):
        return "it contains characters that do not belong there"
    return "it is not a valid number"


def validate_tax_id(country: str, value: str) -> str:
    """Return the normalized tax id of a party in ``country`` or raise TaxIdError.

    * ``PL``: a NIP with a valid checksum; spaces, dashes and a ``PL`` prefix are
      accepted on input, the result is the 10 digits (``"5260250274"``).
    * another EU member state: a VAT id valid for that state (python-stdnum),
      with or without its prefix on input; the result carries the prefix
      (``"DE136695976"``, Greece ``"EL..."``). An id of another state is refused.
    * any other country: free text, trimmed, at most 50 characters (the KSeF limit).
    An empty value is refused everywhere: a private person simply has no tax id.
    """
    country = country.strip().upper()
    text = value.strip()
    if not text:
        raise TaxIdError("The tax id is empty.")
    if country == "PL":
        try:
            return str(nip.validate(text))
        except stdnum_errors.ValidationError as exc:
            raise TaxIdError(f"{text!r} is not a valid Polish NIP: {_reason(exc)}.") from exc
    if country in EU_COUNTRIES:
        prefix = vat_prefix(country)
        compact = "".join(ch for ch in text.upper() if ch.isalnum())
        candidates = [compact] if compact.startswith(prefix) else []
        candidates.append(prefix + compact)
        for candidate in candidates:
            if eu_vat.is_valid(candidate):
                return str(eu_vat.compact(candidate))
        if compact[:2] != prefix and eu_vat.is_valid(compact):
            raise TaxIdError(f"{text!r} is a VAT id of {compact[:2]}, not of {country}.")
        try:
            eu_vat.validate(candidates[0])
        except stdnum_errors.ValidationError as exc:
            raise TaxIdError(f"{text!r} is not a valid VAT id of {country}: {_reason(exc)}.") from exc
        raise TaxIdError(f"{text!r} is not a valid VAT id of {country}.")  # pragma: no cover
    if len(text) > 50:
        raise TaxIdError("The tax id is longer than 50 characters.")
    return " ".join(text.split())
