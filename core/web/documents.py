"""Document files: the PDF and KSeF XML of an issued document, and staff correcting a proforma.

Client routes answer only for the logged-in customer's own documents (anything
else is 404, as if it did not exist); admin routes need a staff login. Every
file goes out as a download (``Content-Disposition: attachment``, ``nosniff``,
``Cache-Control: private, no-store``), never rendered inline. A proforma has no
KSeF XML (404).

Correcting a proforma cannot be undone, so it asks first, without JavaScript:
``GET .../correct`` is the confirm step, saying what will happen (the buyer
before and after, the amounts, the payments carried over, what goes to the
credit balance or is still due, whether the VAT invoice is issued now), or why
staff cannot correct it; only a ``POST`` with ``confirm=yes`` from that page
issues the new version.
"""

from __future__ import annotations

from typing import Any

from flask import Blueprint, Response, abort, flash, g, redirect, render_template, request, url_for
from flask_babel import gettext

from core.documents.files import KSEF_KINDS, document_pdf, document_xml, file_name
from core.documents.reissue import NotCorrectable, plan_reissue
from core.documents.staff import correct_proforma
from core.documents.state import state_of
from core.errors import DomainError
from core.models import Document
from core.web import access
from core.web.access import login_required, staff_required
from core.web.errors import translated
from core.web.forms import EmptyForm
from core.web.scoping import own_document

bp = Blueprint("documents", __name__)
admin_bp = Blueprint("admin_documents", __name__, url_prefix="/admin")


def _download(content: bytes, mimetype: str, name: str) -> Response:
    response = Response(content, mimetype=mimetype)
    response.headers["Content-Disposition"] = f'attachment; filename="{name}"'
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Content-Security-Policy"] = "default-src 'none'; sandbox"
    response.headers["Cache-Control"] = "private, no-store"
    return response


def pdf_response(document: Document) -> Response:
    """The document's PDF as a download."""
    return _download(document_pdf(document), "application/pdf", file_name(document, "pdf"))


def xml_response(document: Document) -> Response:
    """The document's FA(3) XML as a download; 404 for a proforma."""
    if document.kind not in KSEF_KINDS:
        abort(404)
    return _download(document_xml(document), "application/xml", file_name(document, "xml"))


@bp.route("/invoices/<int:document_id>/pdf")
@login_required
def client_pdf(document_id: int) -> Any:
    """The customer's own document as PDF."""
    return pdf_response(own_document(document_id))


@bp.route("/invoices/<int:document_id>/ksef.xml")
@login_required
def client_xml(document_id: int) -> Any:
    """The customer's own VAT or correcting invoice as KSeF FA(3) XML."""
    return xml_response(own_document(document_id))


def _any(document_id: int) -> Document:
    return Document.get_or_none(Document.id == document_id) or abort(404)


@admin_bp.route("/documents/<int:document_id>/pdf")
@staff_required()
def admin_pdf(document_id: int) -> Any:
    """Any document as PDF, for staff."""
    return pdf_response(_any(document_id))


@admin_bp.route("/documents/<int:document_id>/ksef.xml")
@staff_required()
def admin_xml(document_id: int) -> Any:
    """Any VAT or correcting invoice as KSeF FA(3) XML, for staff."""
    return xml_response(_any(document_id))


@admin_bp.route("/documents/<int:document_id>/correct", methods=["GET", "POST"])
@staff_required("billing")
def correct(document_id: int) -> Any:
    """Confirm, then supersede a proforma with a version carrying the customer's current billing data."""
    document = _any(document_id)
    if request.method == "GET" or request.form.get("confirm") != "yes":
        if request.method == "POST" and not EmptyForm().validate_on_submit():
            abort(400)
        plan = plan_reissue(document)
        state = state_of(document)
        return render_template(
            "admin/document_correct.html",
            doc=document,
            plan=plan,
            rates_before=", ".join(dict.fromkeys(state.rate_label(r) for r in plan.old_rates)),
            rates_after=", ".join(dict.fromkeys(state.rate_label(r, plan.new_buyer) for r in plan.new_rates)),
            form=EmptyForm(),
        ), (200 if plan.possible else 409)
    if not EmptyForm().validate_on_submit():
        abort(400)
    try:
        new = correct_proforma(document_id, g.staff, ip=access.client_ip())
    except NotCorrectable as exc:
        flash(gettext(exc.message, **exc.params), "error")
        return redirect(url_for("admin_documents.correct", document_id=document_id))
    except DomainError as exc:
        if exc.code == "not_found":
            abort(404)
        flash(translated(exc.message), "error")
        return redirect(url_for("admin_billing.document", document_id=document_id))
    flash(
        gettext(
            "A new version of the proforma with the current billing data was issued: %(number)s.", number=new.number
        ),
        "success",
    )
    return redirect(url_for("admin_billing.document", document_id=new.id))
