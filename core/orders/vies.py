"""Checking an EU VAT ID against VIES before reverse charge applies to it.

VIES (the European Commission's VAT number validation service) answers whether
a VAT ID is registered for intra-EU trade. hookbill asks it, over its REST
interface (``POST {vies.url}/check-vat-number``), with the provider's own VAT ID
as the requester (``vies.requester_vat_id``, else the seller's NIP), so the
answer carries a consultation number: the proof that the buyer's number was
checked on that day. Each answer is stored as a :class:`core.orders.models.VatCheck`
with the billing-data version it was asked for.

Three outcomes: ``valid``, ``invalid``, and ``unavailable`` when VIES (or the
member state behind it) could not answer: then nothing is guessed. An order
from that buyer waits (status ``awaiting_check``) until a later check answers
(the ``orders`` cron job asks again) or staff decide. The question is network
I/O: it is asked outside any database transaction, and stored in its own.
"""

from __future__ import annotations

import json
import logging
import urllib.error
import urllib.request
from dataclasses import dataclass
from typing import Any

from core import activity, clock, db, runtime
from core.documents.build import is_reverse_charge
from core.documents.issuing import buyer_party, current_profile
from core.models import Customer
from core.orders.models import VatCheck
from core.settings import seller_data

log = logging.getLogger("hookbill.vies")

DEFAULTS = {"url": "https://ec.europa.eu/taxation_customs/vies/rest-api", "requester_vat_id": "", "timeout": 10}
#: VIES's answers that mean "cannot say now", not "invalid".
UNAVAILABLE = {
    "MS_UNAVAILABLE",
    "SERVICE_UNAVAILABLE",
    "TIMEOUT",
    "MS_MAX_CONCURRENT_REQ",
    "GLOBAL_MAX_CONCURRENT_REQ",
    "MS_MAX_CONCURRENT_REQ_TIME",
    "GLOBAL_MAX_CONCURRENT_REQ_TIME",
    "IP_BLOCKED",
}
ACCEPTED = ("valid", "staff_valid")


@dataclass(frozen=True)
class ViesAnswer:
    """What VIES said: ``status`` (valid, invalid, unavailable), the consultation number, name and address."""

    status: str
    consultation: str = ""
    name: str = ""
    address: str = ""
    detail: str = ""


def requester() -> str:
    """The provider's own VAT ID sent with each question (config, else PL + the seller's NIP)."""
    configured = str(runtime.config().get_value("vies.requester_vat_id") or "").replace(" ", "").upper()
    if configured:
        return configured
    nip = "".join(ch for ch in seller_data().get("tax_id", "") if ch.isdigit())
    return f"PL{nip}" if nip else ""


def ask(vat_id: str) -> ViesAnswer:
    """Ask VIES about ``vat_id`` (with its country prefix, e.g. ``DE136695976``); network I/O, no transaction."""
    config = runtime.config()
    own = requester()
    body: dict[str, Any] = {"countryCode": vat_id[:2], "vatNumber": vat_id[2:]}
    if own:
        body.update(requesterMemberStateCode=own[:2], requesterNumber=own[2:])
    request = urllib.request.Request(
        str(config.get_value("vies.url")).rstrip("/") + "/check-vat-number",
        data=json.dumps(body).encode(),
        headers={"Content-Type": "application/json", "Accept": "application/json"},
        method="POST",
    )
    try:
        with urllib.request.urlopen(request, timeout=float(config.get_value("vies.timeout") or 10)) as response:
            data = json.loads(response.read() or b"{}")
    except urllib.error.HTTPError as exc:
        try:
            data = json.loads(exc.read() or b"{}")
        except ValueError:
            data = {}
        errors = [str(w.get("error", "")) for w in data.get("errorWrappers", []) if isinstance(w, dict)]
        if exc.code == 400 and "INVALID_INPUT" in errors:
            return ViesAnswer("invalid", detail="INVALID_INPUT")
        return ViesAnswer("unavailable", detail=",".join(errors) or f"HTTP {exc.code}")
    except (OSError, ValueError) as exc:
        log.warning("VIES could not be asked about %s: %s", vat_id, exc)
        return ViesAnswer("unavailable", detail=str(exc)[:200])
    error = str(data.get("userError") or "")
    if error in UNAVAILABLE:
        return ViesAnswer("unavailable", detail=error)
    if data.get("valid") is True:
        return ViesAnswer(
            "valid",
            str(data.get("requestIdentifier") or ""),
            str(data.get("name") or "")[:255],
            str(data.get("address") or ""),
            error,
        )
    return ViesAnswer("invalid", str(data.get("requestIdentifier") or ""), detail=error or "INVALID")


def needs_check(customer: Customer) -> bool:
    """True when the customer's current billing data would make a sale reverse-charged (an EU VAT ID)."""
    return is_reverse_charge(buyer_party(customer))


def latest_check(customer: Customer | int) -> VatCheck | None:
    """The newest check of the customer's current billing-data version, or None."""
    profile = current_profile(customer)
    if profile is None:
        return None
    return (
        VatCheck.select()
        .where((VatCheck.customer == profile.customer_id) & (VatCheck.profile_id == profile.id))
        .order_by(VatCheck.id.desc())
        .first()
    )


def check_customer(customer: Customer, *, force: bool = False) -> VatCheck | None:
    """Ask VIES about the customer's current EU VAT ID and store the answer; None when none is needed.

    A version already answered (valid or invalid, or decided by staff) is not
    asked again unless ``force``. Runs outside any transaction (the question is
    network I/O) and stores the answer in its own.
    """
    if not needs_check(customer):
        return None
    known = latest_check(customer)
    if known is not None and known.status != "unavailable" and not force:
        return known
    profile = current_profile(customer)
    assert profile is not None
    answer = ask(profile.tax_id)
    with db.write_transaction():
        check = VatCheck.create(
            customer=customer,
            profile_id=profile.id,
            vat_id=profile.tax_id,
            status=answer.status,
            consultation=answer.consultation,
            name=answer.name,
            address=answer.address,
            requester=requester(),
            detail=answer.detail,
            checked_at=clock.utcnow(),
        )
        activity.record(
            "vies.checked",
            subject=customer,
            customer_id=customer.id,
            vat_id=profile.tax_id,
            status=answer.status,
            consultation=answer.consultation,
        )
    return check


def decide(customer: Customer, valid: bool, staff: Any, *, ip: str = "") -> VatCheck:
    """Staff decide on the customer's current EU VAT ID while VIES cannot answer (inside the caller's transaction)."""
    profile = current_profile(customer)
    if profile is None:
        raise ValueError("the customer has no billing data")
    check = VatCheck.create(
        customer=customer,
        profile_id=profile.id,
        vat_id=profile.tax_id,
        status="staff_valid" if valid else "staff_invalid",
        staff_id=getattr(staff, "id", None),
        requester=requester(),
    )
    activity.record(
        "vies.decided",
        actor=staff,
        subject=customer,
        customer_id=customer.id,
        ip=ip,
        valid=valid,
        vat_id=profile.tax_id,
    )
    return check
