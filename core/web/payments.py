"""Client area: a document with its payment methods, starting a payment, the balance history.

Money paid onto the balance (a top-up, an overpayment) is a deposit, not an
advance: its page is a payment confirmation, not an invoice (:mod:`core.balance.deposits`).
"""

from __future__ import annotations

from typing import Any

from flask import Blueprint, abort, flash, g, redirect, render_template, request, url_for
from flask_babel import gettext

from core.accounts.verified import blocks, check_can_order
from core.balance.credit import parts_of
from core.balance.deposits import confirmation, is_deposit
from core.balance_view import balance_of, statement
from core.documents.state import state_of
from core.errors import DomainError
from core.models import Document, ServiceChange
from core.payments.methods import PaymentMethod, get_method, methods_for
from core.payments.recording import amount_due
from core.web.access import login_required
from core.web.errors import translated
from core.web.forms import EmptyForm
from core.web.scoping import own_document

bp = Blueprint("payments", __name__)


def start_payment(method: PaymentMethod, document: Document) -> Any:
    """Run ``method.start`` and answer with its page, its redirect, or back to the document.

    The payment step of every method: a customer who must confirm their e-mail
    address first gets the page that says so (:mod:`core.accounts.verified`).
    """
    check_can_order(document.customer)
    base = request.host_url.rstrip("/")
    try:
        started = method.start(document, amount_due(document), base_url=base)
    except DomainError as exc:
        flash(translated(exc.message), "error")
        return redirect(url_for("payments.invoice", document_id=document.id))
    if started.redirect:
        return redirect(started.redirect)
    if started.template:
        return render_template(started.template, **started.context)
    if started.message:
        flash(translated(started.message), "success" if started.done else "warning")
    return redirect(url_for("payments.invoice", document_id=document.id))


def back_url(document: Document) -> str:
    """Where a customer returns to from a payment page without paying (a gateway's "back").

    For a proforma of a package change still waiting for payment: the service's
    change page, which says the change waits for payment and offers to pay it or
    cancel it. For anything else: the document itself, with its ways to pay.
    """
    if document.purpose == "service_change" and document.purpose_ref:
        change = ServiceChange.get_or_none(
            (ServiceChange.id == document.purpose_ref)
            & (ServiceChange.customer == document.customer_id)
            & (ServiceChange.status == "awaiting_payment")
        )
        if change is not None:
            return url_for("upgrades.choose", service_id=change.service_id)
    return url_for("payments.invoice", document_id=document.id)


@bp.route("/invoices/<int:document_id>")
@login_required
def invoice(document_id: int) -> Any:
    """The document as issued, what was paid, and the ways to pay the rest."""
    document = own_document(document_id)
    change = None
    if document.purpose == "service_change" and document.purpose_ref:
        change = ServiceChange.get_or_none(
            (ServiceChange.id == document.purpose_ref) & (ServiceChange.customer == g.customer)
        )
    related = list(
        Document.select().where(
            (Document.customer == g.customer)
            & ((Document.proforma_id == document.id) | (Document.id == (document.proforma_id or 0)))
        )
    )
    state = state_of(document)
    return render_template(
        "client/invoice.html",
        document=document,
        snap=state.snap,
        state=state,
        due=state.due,
        methods=methods_for(document),
        payments=state.payment_rows,
        change=change,
        related=related,
        balance=balance_of(g.customer.id),
        form=EmptyForm(),
        verify_first=blocks(g.customer),
    )


@bp.route("/pay/<method_code>/<int:document_id>", methods=["POST"])
@login_required
def pay(method_code: str, document_id: int) -> Any:
    """Start paying the document with the chosen method."""
    document = own_document(document_id)
    if not EmptyForm().validate_on_submit():
        abort(400)
    method = get_method(method_code)
    if not method.available_for(document):
        flash(gettext("This document cannot be paid this way now."), "warning")
        return redirect(url_for("payments.invoice", document_id=document.id))
    return start_payment(method, document)


@bp.route("/balance")
@login_required
def balance() -> Any:
    """The credit balance and its history, with the balance after each entry."""
    return render_template(
        "client/balance.html",
        balance=balance_of(g.customer.id),
        parts=parts_of(g.customer.id),
        lines=statement(g.customer.id),
        is_deposit=is_deposit,
    )


@bp.route("/balance/deposits/<int:deposit_id>")
@login_required
def deposit(deposit_id: int) -> Any:
    """The payment confirmation of money the customer paid onto the balance (not an invoice); 404 if not theirs."""
    found = confirmation(g.customer.id, deposit_id)
    if found is None:
        abort(404)
    return render_template("client/deposit.html", c=found)
