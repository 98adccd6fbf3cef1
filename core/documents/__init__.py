"""Issued documents: snapshot, arithmetic, tax ids, PDF and KSeF FA(3) XML.

The snapshot, its arithmetic, the PDF and the FA(3) XML are pure functions over a
:class:`DocumentSnapshot`: no database, no Flask. The domain services take the
snapshot at issue (inside the issue transaction, :mod:`core.documents.issuing`) and
store ``snapshot.to_json()``; rendering a PDF or building the KSeF XML happens later,
from the stored snapshot and the document's state (:mod:`core.documents.state`),
after commit (:mod:`core.documents.files`).

Every proforma and VAT invoice carries the buyer's billing data current at its
issue; an issued proforma keeps its data until staff correct it
(:mod:`core.documents.reissue`), and one whose tax treatment a change of billing
data altered waits for that correction before its VAT invoice is issued
(:mod:`core.documents.review`). A correcting invoice keeps the corrected invoice's
buyer.
"""

from core.documents.build import LineInput, build_snapshot
from core.documents.snapshot import Correction, DocumentSnapshot, Line, Party, PaymentPart, RateTotal
from core.documents.taxid import TaxIdError, validate_tax_id

__all__ = [
    "Correction",
    "DocumentSnapshot",
    "Line",
    "LineInput",
    "Party",
    "PaymentPart",
    "RateTotal",
    "TaxIdError",
    "build_snapshot",
    "validate_tax_id",
]
