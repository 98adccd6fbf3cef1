"""Which issued documents go to KSeF, by the kind of buyer (art. 106ga of the VAT act).

* VAT and correcting invoices only (a proforma is not a tax document).
* A buyer that is a business (Polish company with a NIP, EU company with an
  EU VAT id under reverse charge, a company outside the EU): always; KSeF is
  mandatory for them (art. 106ga ust. 1).
* A consumer (a private person, Polish or foreign): when ``[ksef] b2c`` is on
  (the default). Invoices to consumers may stay outside KSeF (art. 106ga
  ust. 2 pkt 4).
* A sale taxed under the OSS procedure (another EU state's rate, art. 28k; the
  special procedure of dział XII rozdział 6a): never; such invoices stay
  outside KSeF (art. 106ga ust. 2 pkt 3 and 4). Decided by the tax treatment of
  the buyer (:func:`core.documents.taxation.tax_treatment`) and by the rates on
  the document, so an OSS rate equal to a Polish one is caught too.
* A correction follows the invoice it corrects: it goes to KSeF when that one did.
"""

from __future__ import annotations

from core.documents.files import KSEF_KINDS
from core.documents.issuing import snapshot_of
from core.documents.snapshot import is_oss_rate
from core.documents.taxation import tax_treatment
from core.models import Document
from plugins.ksef.models import KsefSubmission
from plugins.ksef.settings import KsefSettings


def goes_to_ksef(document: Document, settings: KsefSettings) -> bool:
    """True when ``document`` is sent to KSeF under the rules of the module docstring."""
    if document.kind not in KSEF_KINDS:
        return False
    snap = snapshot_of(document)
    corrects = document.corrects_id if document.kind == "correction" else None
    if corrects and KsefSubmission.select().where(KsefSubmission.document == corrects).exists():
        return True
    if any(is_oss_rate(t.vat_rate) for t in snap.totals) or tax_treatment(snap.buyer).startswith("oss:"):
        return False
    if snap.buyer.kind == "private":
        return settings.b2c
    return True
