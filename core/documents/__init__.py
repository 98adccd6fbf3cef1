"""Issued documents: snapshot, arithmetic, tax ids, PDF and KSeF FA(3) XML.

Pure functions over a :class:`DocumentSnapshot`: no database, no Flask. The domain
services take the snapshot at issue (inside the issue transaction) and store
``snapshot.to_json()``; rendering a PDF or building the KSeF XML happens later,
from the stored snapshot, after commit.
"""

from core.documents.build import LineInput, build_snapshot
from core.documents.snapshot import Correction, DocumentSnapshot, Line, Party, RateTotal
from core.documents.taxid import TaxIdError, validate_tax_id

__all__ = [
    "Correction",
    "DocumentSnapshot",
    "Line",
    "LineInput",
    "Party",
    "RateTotal",
    "TaxIdError",
    "build_snapshot",
    "validate_tax_id",
]
