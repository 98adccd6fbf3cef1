"""What the PDF of a document sent to KSeF says about it (``hookbill_document_marks``).

* accepted: "KSeF number: …" and KOD I captioned with that number;
* issued in offline mode and not accepted yet: KOD I captioned "OFFLINE" and,
  when the Offline certificate is configured, KOD II captioned "CERTYFIKAT"
  (the Ministry's QR specification names both captions);
* otherwise (waiting for KSeF, or rejected): "Awaiting its KSeF number".

The links carry the configured environment's QR host, the seller's NIP, the
issue date and the hash of the exact file sent (:mod:`plugins.ksef.offline`).
"""

from __future__ import annotations

from core import db
from core.documents.marks import DocumentMark, QrMark
from core.i18n_domains import Domain
from core.models import Document
from plugins.ksef import offline
from plugins.ksef.models import KsefSubmission
from plugins.ksef.settings import current

i18n = Domain("ksef")

#: Captions the Ministry's QR specification prescribes (printed as they are, in every language).
OFFLINE_CAPTION = "OFFLINE"
CERTIFICATE_CAPTION = "CERTYFIKAT"


def marks(document: Document, lang: str) -> list[DocumentMark]:
    """The KSeF block of ``document``'s PDF in ``lang`` (module docstring); none when it does not go to KSeF."""
    submission = KsefSubmission.get_or_none(KsefSubmission.document == document.id)
    if submission is None:
        return []
    text = i18n.translations(lang)
    title = str(text.gettext("KSeF (National e-Invoice System)"))
    settings = current()
    nip = settings.nip
    if submission.state == "accepted":
        line = str(text.gettext("KSeF number: %(number)s")) % {"number": submission.ksef_number}
        link = offline.kod1(settings, nip, document.issue_date, submission.qr_hash or submission.xml_hash)
        return [DocumentMark(title, (line,), (QrMark(link, submission.ksef_number),))]
    if submission.offline and submission.qr_hash:
        line = str(text.gettext("Issued in offline mode; awaiting its KSeF number."))
        codes = [QrMark(offline.kod1(settings, nip, document.issue_date, submission.qr_hash), OFFLINE_CAPTION)]
        if settings.signs_offline:
            codes.append(QrMark(_kod2(submission, nip), CERTIFICATE_CAPTION))
        return [DocumentMark(title, (line,), tuple(codes))]
    return [DocumentMark(title, (str(text.gettext("Awaiting its KSeF number.")),))]


def _kod2(submission: KsefSubmission, nip: str) -> str:
    """KOD II of the submission, signed once and kept (a new signature would change the PDF each time)."""
    if not submission.kod2:
        link = offline.kod2(current(), nip, submission.qr_hash)
        with db.write_transaction():
            KsefSubmission.update(kod2=link).where(
                (KsefSubmission.id == submission.id) & (KsefSubmission.kod2 == "")
            ).execute()
        submission = KsefSubmission.get_by_id(submission.id)
    return str(submission.kod2)
