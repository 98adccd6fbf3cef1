"""KSeF e-invoice XML, schema FA(3), built from a snapshot and validated offline.

``build_fa3_xml`` turns a VAT invoice (RodzajFaktury ``VAT``), a correcting
invoice (``KOR``), an advance invoice (``ZAL``), a settlement invoice (``ROZ``)
and their corrections (``KOR_ZAL``, ``KOR_ROZ``) into FA(3) XML
(:attr:`core.documents.snapshot.DocumentSnapshot.invoice_type`); a proforma is
not a tax document and is refused.

An advance invoice's P_13/P_14/P_15 are the advance received (art. 106f ust. 1
pkt 3), its P_6 the day it was received, and the order it pays for is
``Zamowienie`` (its gross value and lines) instead of ``FaWiersz``; its
correction lists the order's lines before (``StanPrzedZ``) and after. A
settlement invoice lists the service in ``FaWiersz``, names the advance
invoices in ``FakturaZaliczkowa`` (by KSeF number where known, else
``NrKSeFZN`` and the number) and its sums are what is left to pay (art. 106f
ust. 3); its correction names the same advance invoices.
``validate_fa3`` checks bytes against the official schema shipped in
``ksef_schema/`` (MIT, Ministry of Finance), with the base-types namespace mapped to
the local copy, so validation never touches the network.

A correction carries the corrected invoice (DaneFaKorygowanej: its date, number and
KSeF number or NrKSeFN), PrzyczynaKorekty, the corrected invoice's lines marked
``StanPrzed=1`` followed by the lines after the correction, and P_13/P_14/P_15 as
the differences (the snapshot's totals). Its P_6 is the corrected invoice's date
of supply (art. 106j ust. 2 pkt 3 with art. 106e ust. 1 pkt 6), given only where
it differs from that invoice's issue date, as the field's definition says; a
correction has no date of supply of its own. TypKorekty is optional and left
out: the snapshot does not record when the correction takes effect for VAT.

Not supported (ValueError): invoices in a foreign currency that carry Polish VAT,
which FA(3) needs converted to PLN per rate (P_14_xW) at an exchange rate the
snapshot does not hold.
"""

from __future__ import annotations

from datetime import UTC, datetime
from functools import lru_cache
from pathlib import Path
from xml.etree.ElementTree import Element, tostring

import xmlschema

from core.documents import ksef_parts as parts
from core.documents.build import TAX_CURRENCY
from core.documents.ksef_parts import NS, amount, sub
from core.documents.snapshot import DocumentSnapshot

SCHEMA_DIR = Path(__file__).parent / "ksef_schema"
SCHEMA_FILE = SCHEMA_DIR / "schemat_FA(3)_v1-0E.xsd"
BASE_NS = "http://crd.gov.pl/xml/schematy/dziedzinowe/mf/2022/01/05/eD/DefinicjeTypy/"
BASE_FILE = SCHEMA_DIR / "bazowe" / "StrukturyDanych_v10-0E.xsd"
BASE_URL = BASE_NS + "StrukturyDanych_v10-0E.xsd"  # the import's schemaLocation
SYSTEM_INFO = "hookbill"
#: Invoice types whose lines are the order's (art. 106f ust. 1 pkt 4), in ``Zamowienie``.
ORDER_TYPES = ("ZAL", "KOR_ZAL")


class KsefValidationError(ValueError):
    """The XML does not match the FA(3) schema; the message is the schema's reason."""


@lru_cache(maxsize=1)
def fa3_schema() -> xmlschema.XMLSchema:
    """The FA(3) schema, loaded once per process from the bundled files only.

    ``locations`` alone is not enough: xmlschema first tries the import's remote
    ``schemaLocation`` (a 300 s timeout when the network hangs) and only falls back
    to the mapped file. So the remote URL is also rewritten to the local copy
    (``uri_mapper``) and ``allow="sandbox"`` refuses anything outside ksef_schema/.
    """
    local = BASE_FILE.as_uri()
    return xmlschema.XMLSchema(
        str(SCHEMA_FILE),
        locations={BASE_NS: str(BASE_FILE)},
        uri_mapper=lambda uri: local if uri == BASE_URL else uri,
        allow="sandbox",
    )


def validate_fa3(xml: bytes) -> None:
    """Return None if ``xml`` is a valid FA(3) document, else raise KsefValidationError.

    Malformed XML raises KsefValidationError too, with the parser's message.
    """
    try:
        # the instance may not load anything (allow="none") and is always defused
        document = xmlschema.XMLResource(xml, allow="none", defuse="always")
        errors = list(fa3_schema().iter_errors(document, use_location_hints=False))
    except (xmlschema.XMLSchemaException, SyntaxError, UnicodeDecodeError) as exc:
        raise KsefValidationError(f"not a readable XML document: {exc}") from exc
    if errors:
        first = errors[0]
        where = getattr(first, "path", None) or ""
        reason = getattr(first, "reason", None) or str(first)
        raise KsefValidationError(f"{where}: {reason}" + (f" (and {len(errors) - 1} more)" if len(errors) > 1 else ""))


def build_fa3_xml(snap: DocumentSnapshot, *, created_at: datetime | None = None) -> bytes:
    """FA(3) XML (UTF-8 bytes with declaration) for a VAT or correcting invoice.

    ``created_at`` fills DataWytworzeniaFa (default: now, UTC); pass it for a
    reproducible output. The result is not validated here: call ``validate_fa3``.
    Raises ValueError for a proforma or an unsupported case (module docstring).
    """
    if snap.kind == "proforma":
        raise ValueError("a proforma is not a tax document and is not sent to KSeF")
    if snap.currency != TAX_CURRENCY and any(t.vat for t in snap.totals):
        raise ValueError("FA(3) with Polish VAT in a foreign currency needs P_14_xW: not supported")
    root = Element("Faktura", {"xmlns": NS})  # default namespace, no global registry
    _header(root, created_at or datetime.now(UTC))
    parts.seller(root, snap)
    parts.buyer(root, snap)
    fa = sub(root, "Fa")
    sub(fa, "KodWaluty", snap.currency)
    sub(fa, "P_1", snap.issue_date.isoformat())
    if snap.place_of_issue:
        sub(fa, "P_1M", snap.place_of_issue)
    sub(fa, "P_2", snap.number)
    if snap.corrected is None:
        sub(fa, "P_6", snap.sale_date.isoformat())
    elif snap.corrected.sale_date is not None and snap.corrected.sale_date_differs:
        sub(fa, "P_6", snap.corrected.sale_date.isoformat())
    parts.rate_sums(fa, snap.totals, snap)
    sub(fa, "P_15", amount(snap.total_gross))
    parts.annotation_flags(fa, snap)
    if snap.corrected is None:
        sub(fa, "RodzajFaktury", snap.invoice_type)
    else:
        _correction(fa, snap)
    _extra_descriptions(fa, snap)
    parts.advance_invoices(fa, snap.corrected.advances if snap.corrected else snap.advances)
    if snap.invoice_type in ORDER_TYPES:
        pass  # an advance invoice names the order (Zamowienie, below), not the supply
    elif snap.corrected is None:
        parts.line_rows(fa, snap.lines, snap)
    else:
        parts.line_rows(fa, snap.corrected.lines_before, snap, before=True)
        parts.line_rows(fa, snap.corrected.lines_after, snap)
    parts.payment(fa, snap)
    if snap.invoice_type in ORDER_TYPES:
        parts.order(fa, snap)
    body: bytes = tostring(root, encoding="utf-8", xml_declaration=False)
    return b'<?xml version="1.0" encoding="UTF-8"?>\n' + body


def _header(root: Element, created_at: datetime) -> None:
    header = sub(root, "Naglowek")
    code = sub(header, "KodFormularza", "FA")
    code.set("kodSystemowy", "FA (3)")
    code.set("wersjaSchemy", "1-0E")
    sub(header, "WariantFormularza", "3")
    stamp = created_at.astimezone(UTC).replace(microsecond=0)
    sub(header, "DataWytworzeniaFa", stamp.strftime("%Y-%m-%dT%H:%M:%SZ"))
    sub(header, "SystemInfo", SYSTEM_INFO)


def _correction(fa: Element, snap: DocumentSnapshot) -> None:
    corrected = snap.corrected
    assert corrected is not None
    sub(fa, "RodzajFaktury", snap.invoice_type)
    sub(fa, "PrzyczynaKorekty", corrected.reason[:256])
    data = sub(fa, "DaneFaKorygowanej")
    sub(data, "DataWystFaKorygowanej", corrected.issue_date.isoformat())
    sub(data, "NrFaKorygowanej", corrected.number)
    if corrected.ksef_number:
        sub(data, "NrKSeF", "1")
        sub(data, "NrKSeFFaKorygowanej", corrected.ksef_number)
    else:
        sub(data, "NrKSeFN", "1")


def _extra_descriptions(fa: Element, snap: DocumentSnapshot) -> None:
    """DodatkowyOpis: the transfer title and the proforma this invoice settles."""
    pairs = [("Tytuł przelewu", snap.transfer_title)]
    if snap.proforma_number:
        pairs.append(("Faktura pro forma", snap.proforma_number))
    for key, value in pairs:
        if value:
            node = sub(fa, "DodatkowyOpis")
            sub(node, "Klucz", key)
            sub(node, "Wartosc", value[:256])
