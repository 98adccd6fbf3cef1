"""Offline mode: the deadlines, and the verification links of KOD I and KOD II.

Deadlines (business days: not Saturday, Sunday or a Polish public holiday):

* ``offline24`` (art. 106nda): the seller's own choice, and what the plugin
  uses when KSeF does not answer: the invoice is sent by the next business day
  after its issue date;
* ``failure`` (art. 106nf): a failure KSeF announced (the "Latarnia" service):
  within 7 business days after the failure ends; a new announcement starts the
  count again. While the end is not known the invoice has no deadline yet.

KOD I (every invoice handed over outside KSeF) links to
``{QR host}/invoice/{seller NIP}/{issue date DD-MM-YYYY}/{SHA-256 of the file,
Base64URL}``; KOD II (offline invoices) to ``{QR host}/certificate/Nip/{NIP}/
{NIP}/{certificate serial}/{hash}/{signature}``, signed with the KSeF
certificate of the Offline type (RSA-PSS SHA-256, or ECDSA P-256). The links
are built by ``ksef-client``'s ``VerificationLinkService``.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta
from functools import lru_cache
from typing import Any

import holidays
from cryptography import x509
from ksef_client import KsefClientOptions
from ksef_client.services.verification_link import VerificationLinkService

from plugins.ksef.settings import KsefSettings

FAILURE_DAYS = 7


@lru_cache(maxsize=8)
def _polish_holidays(year: int) -> Any:
    return holidays.country_holidays("PL", years=year)


def is_business_day(day: date) -> bool:
    """Not a Saturday, a Sunday or a Polish public holiday."""
    return day.weekday() < 5 and day not in _polish_holidays(day.year)


def business_days_after(day: date, count: int) -> date:
    """The ``count``-th business day after ``day``."""
    current = day
    while count > 0:
        current += timedelta(days=1)
        if is_business_day(current):
            count -= 1
    return current


def offline24_deadline(issued: date) -> date:
    """The next business day after the issue date (art. 106nda)."""
    return business_days_after(issued, 1)


def failure_deadline(ended: date) -> date:
    """Seven business days after an announced failure ended (art. 106nf)."""
    return business_days_after(ended, FAILURE_DAYS)


def announced_failure_end(messages: list[dict[str, Any]]) -> tuple[bool, date | None]:
    """From Latarnia's messages: (a failure was announced, the day the last one ended or None while it goes on)."""
    failures = [m for m in messages if str(m.get("category", "")).endswith("FAILURE")]
    if not failures:
        return False, None
    last = max(failures, key=lambda m: (str(m.get("published", "")), str(m.get("type", ""))))
    end = last.get("end")
    if str(last.get("type", "")).endswith("FAILURE_END") and end:
        return True, datetime.fromisoformat(str(end).replace("Z", "+00:00")).date()
    return True, None


def _links(settings: KsefSettings) -> VerificationLinkService:
    return VerificationLinkService(KsefClientOptions(base_url=settings.api_url, base_qr_url=settings.qr_url))


def kod1(settings: KsefSettings, seller_nip: str, issued: date, invoice_hash: str) -> str:
    """KOD I: the invoice's verification link."""
    return _links(settings).build_invoice_verification_url(seller_nip, issued, invoice_hash)


def certificate_serial(certificate_pem: str) -> str:
    """The KSeF certificate's serial number as the link carries it (16 upper-case hex)."""
    serial = x509.load_pem_x509_certificate(certificate_pem.encode("ascii")).serial_number
    return f"{serial:016X}"


def kod2(settings: KsefSettings, seller_nip: str, invoice_hash: str) -> str:
    """KOD II: the issuer's verification link, signed with the Offline certificate's key."""
    return _links(settings).build_certificate_verification_url(
        seller_nip=seller_nip,
        context_identifier_type="Nip",
        context_identifier_value=settings.nip,
        certificate_serial=certificate_serial(settings.offline_certificate),
        invoice_hash=invoice_hash,
        private_key_pem=settings.offline_private_key,
        private_key_password=settings.offline_private_key_password or None,
    )
