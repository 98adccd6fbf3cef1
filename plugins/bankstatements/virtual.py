"""Virtual account numbers: one account number of the provider's own per customer.

A Polish bank that offers "rachunki wirtualne" (identyfikacja płatności
masowych) gives the provider a range: its 8-digit sort code and the fixed
leading digits of the 16-digit account part (``[bankstatements]
virtual_account_prefix``, e.g. ``109010147777``). Every number in the range
lands on the provider's main account, and the bank reports which one was
credited. The customer's number is the prefix followed by their customer id,
zero-padded to the 24 digits of the BBAN, with the two IBAN check digits in
front (ISO 13616, mod 97) computed and checked with python-stdnum; the sort
code's own check digit (weights 3, 9, 7, 1, 3, 9, 7) is checked too.

The number is a function of the customer id, so nothing is stored and two
processes can never hand out one number twice; a transfer to it names its
customer even when its title is wrong. It is printed on the customer's
proformas instead of the main account (the ``hookbill_seller_overrides``
hook); VAT invoices, issued when the money is in, keep the main account.
"""

from __future__ import annotations

import re

from stdnum import iban
from stdnum.exceptions import ValidationError as StdnumError

from core import runtime
from core.config import Config, ConfigError

BBAN_DIGITS = 24
_WEIGHTS = (3, 9, 7, 1, 3, 9, 7)


def sort_code_valid(code: str) -> bool:
    """True for an 8-digit Polish bank sort code (numer rozliczeniowy) with a right check digit."""
    if not re.fullmatch(r"\d{8}", code):
        return False
    total = sum(int(d) * w for d, w in zip(code[:7], _WEIGHTS, strict=True))
    return (10 - total % 10) % 10 == int(code[7])


def enabled(config: Config | None = None) -> bool:
    """True when virtual accounts are switched on in the config."""
    return bool((config or runtime.config()).get_value("bankstatements.virtual_accounts"))


def prefix(config: Config | None = None) -> str:
    """The configured range prefix (digits), checked; raises ConfigError naming the key."""
    configured = (config or runtime.config()).get_value("bankstatements.virtual_account_prefix")
    value = re.sub(r"\s", "", str(configured or ""))
    if not re.fullmatch(r"\d{9,20}", value) or not sort_code_valid(value[:8]):
        raise ConfigError(
            "bankstatements.virtual_account_prefix must be the bank's sort code (8 digits, valid) "
            "followed by the fixed digits of the virtual range, 9 to 20 digits in all"
        )
    return value


def account_for(customer_id: int) -> str:
    """The customer's virtual account as a compact IBAN (``PL`` + 26 digits)."""
    head = prefix()
    width = BBAN_DIGITS - len(head)
    if customer_id <= 0 or len(str(customer_id)) > width:
        raise ConfigError(
            f"bankstatements.virtual_account_prefix leaves {width} digits: too few for customer {customer_id}"
        )
    bban = head + str(customer_id).zfill(width)
    number = "PL" + iban.calc_check_digits("PL00" + bban) + bban
    return str(iban.validate(number))


def formatted_account_for(customer_id: int) -> str:
    """The customer's virtual account written in groups of four (``PL12 1090 ...``)."""
    return str(iban.format(account_for(customer_id)))


def customer_for(account: str) -> int | None:
    """The customer id a virtual account number belongs to, or None when it is not one of ours.

    Accepts ``PL`` + 26 digits or the 26-digit NRB, with or without spaces;
    the check digits must be right and the number must lie in the range.
    """
    digits = re.sub(r"\s", "", account).upper().removeprefix("PL")
    if not re.fullmatch(r"\d{26}", digits):
        return None
    try:
        iban.validate("PL" + digits)
    except StdnumError:
        return None
    head = prefix()
    bban = digits[2:]
    if not bban.startswith(head):
        return None
    number = int(bban[len(head) :])
    return number or None
