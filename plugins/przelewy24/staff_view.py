"""The Przelewy24 card on the admin document page: attempts, payments, refunds, the refund form."""

from __future__ import annotations

from typing import Any

from core.i18n import N_
from core.models import Document, Payment
from plugins.przelewy24.models import P24Refund, P24Session
from plugins.przelewy24.refunds import refundable

#: How an attempt's and a refund's state reads on the page (translated there).
STATES = {
    "new": N_("registering"),
    "registered": N_("waiting for the customer"),
    "failed": N_("not registered"),
    "verified": N_("confirmed, booking"),
    "booked": N_("paid and booked"),
    "requested": N_("sent"),
    "accepted": N_("accepted"),
    "unknown": N_("no answer"),
    "completed": N_("refunded"),
    "rejected": N_("refused"),
}


def payments_card(doc: Document) -> Any:
    """HTML of the card, or None when the document has nothing to do with Przelewy24."""
    from flask import render_template
    from markupsafe import Markup

    proforma_id = doc.id if doc.kind == "proforma" else doc.proforma_id
    if proforma_id is None:
        return None
    sessions = list(
        P24Session.select().where(P24Session.document == proforma_id).order_by(P24Session.id)  # few per document
    )
    if not sessions:
        return None
    paid_ids = [s.payment_id for s in sessions if s.payment_id]
    payments = {p.id: p for p in Payment.select().where(Payment.id.in_(paid_ids or [0]))}
    rows: dict[int, list[P24Refund]] = {}
    for row in P24Refund.select().where(P24Refund.session.in_([s.id for s in sessions])).order_by(P24Refund.id):
        rows.setdefault(row.session_id, []).append(row)
    corrections = {
        d.id: d
        for d in Document.select().where(Document.id.in_([r.correction_id for rs in rows.values() for r in rs] or [0]))
    }
    items = [
        {
            "session": s,
            "payment": payments.get(s.payment_id or 0),
            "refundable": refundable(payments[s.payment_id]) if s.payment_id in payments else None,
            "refunds": rows.get(s.id, []),
        }
        for s in sessions
    ]
    return Markup(
        render_template("przelewy24/_admin_payments.html", doc=doc, items=items, states=STATES, corrections=corrections)
    )
