"""Which VAT rate a sale of a service to a customer carries: the one rule.

Upgrade quotes (:func:`core.upgrades.quoting.build_quote`), renewal proformas
(:mod:`core.renewals.issuing`) and therefore the proformas and VAT invoices made
from them all price through :func:`vat_rate_for`, so a quote and the document it
becomes always agree. The rule, in the order it is checked (buyer = the
customer's current billing data, :func:`core.documents.issuing.buyer_party`):

1. **Reverse charge** (art. 28b of the Polish VAT act, *ustawa o VAT*): a company
   in another EU member state that gave its EU VAT id is the taxpayer; the line
   carries ``"oo"`` and no Polish VAT (:func:`core.documents.build.is_reverse_charge`).
2. **OSS** (art. 28k): electronically supplied services (hosting is one) to a
   person who is not a taxpayer in another member state are taxed where that
   person lives, at that state's rate, declared through the One-Stop-Shop
   (dział XII rozdział 6a). Below the EU-wide EUR 10 000 threshold a Polish
   seller may keep taxing in Poland (art. 28k ust. 2-3), so the foreign rate is
   used only when the provider configured it in ``billing.vat_rates_by_country``
   (``{"DE": "19", "CZ": "21"}``). A buyer in another EU state without an EU VAT
   id counts as a non-taxpayer here (a private person, or a company that gave no
   VAT id: without one the seller cannot treat it as a taxpayer).
3. **Otherwise** the product's own rate, else ``billing.vat_rate`` (23).

**Tax treatment.** Rules 1-3 sort buyers into three treatments:
:func:`tax_treatment` names them (``reverse_charge``, ``oss:<rate>``,
``domestic``). Two buyers with one treatment get the same rate on every line,
so a change of billing data that keeps the treatment (a Polish company becoming
a Polish private person) changes only the buyer printed on later documents;
a change that alters it (an EU company becoming a Polish consumer) changes the
amounts, and an open proforma must be re-priced by staff
(:mod:`core.documents.review`, :mod:`core.documents.reissue`).

A configured rate for ``PL`` is ignored (Polish sales use the product's rate).
An OSS rate equal to a Polish one (``{"IE": "23"}``) is stored as ``"23"``, so
OSS invoices are best not sent to KSeF: the ``ksef`` plugin skips documents with
a foreign-only rate, and invoices under OSS are outside the KSeF obligation anyway.
"""

from __future__ import annotations

from typing import Any

from core import runtime
from core.documents.build import EU_COUNTRIES, is_reverse_charge
from core.documents.snapshot import Party, is_vat_rate


def default_rate(product: Any) -> str:
    """The product's own rate, else ``billing.vat_rate`` (default 23)."""
    return str(getattr(product, "vat_rate", "") or runtime.config().get_value("billing.vat_rate") or "23")


def oss_rate(buyer: Party) -> str | None:
    """The configured rate of a non-taxpayer buyer's EU country (rule 2), or None.

    Raises ValueError when the configured value is not a rate a document can carry.
    """
    if buyer.country == "PL" or buyer.country not in EU_COUNTRIES or is_reverse_charge(buyer):
        return None
    rates = runtime.config().get_value("billing.vat_rates_by_country") or {}
    value = rates.get(buyer.country)
    if value in (None, ""):
        return None
    rate = str(value).strip()
    if not is_vat_rate(rate):
        raise ValueError(f"billing.vat_rates_by_country.{buyer.country} = {value!r} is not a VAT rate")
    return rate


def rate_for_buyer(product: Any, buyer: Party) -> str:
    """The rate a line selling ``product`` to ``buyer`` carries (the module's rules 1-3)."""
    if is_reverse_charge(buyer):
        return "oo"
    return oss_rate(buyer) or default_rate(product)


def tax_treatment(buyer: Party) -> str:
    """``reverse_charge``, ``oss:<rate>`` or ``domestic``: which of the rules 1-3 prices sales to ``buyer``."""
    if is_reverse_charge(buyer):
        return "reverse_charge"
    rate = oss_rate(buyer)
    return f"oss:{rate}" if rate else "domestic"


def line_rate_for_buyer(vat_rate: str, base_rate: str, buyer: Party) -> str:
    """The rate a document line re-priced for ``buyer`` carries.

    ``vat_rate``/``base_rate`` are the line's (see :class:`core.documents.snapshot.Line`):
    the domestic rate is ``base_rate`` when set, else the line's own rate when
    it is a Polish one, else ``billing.vat_rate`` (lines issued before base
    rates were recorded).
    """
    from core.documents.snapshot import VAT_RATES

    if base_rate:
        domestic = base_rate
    elif vat_rate in VAT_RATES and vat_rate != "oo":
        domestic = vat_rate
    else:
        domestic = default_rate(None)
    return rate_for_buyer(_Rated(domestic), buyer)


class _Rated:
    """A stand-in product carrying only its own VAT rate."""

    def __init__(self, vat_rate: str) -> None:
        self.vat_rate = vat_rate


def vat_rate_for(product: Any, customer: Any) -> str:
    """The rate for selling ``product`` to ``customer`` (a Customer or its id), from their current billing data."""
    from core.documents.issuing import buyer_party
    from core.models import Customer

    if not hasattr(customer, "email"):
        customer = Customer.get_by_id(customer)
    return rate_for_buyer(product, buyer_party(customer))
