"""Admin pages: upload a statement and see its summary, the queue, the banks.

Every page needs the ``billing`` role (admins pass). Views parse the form and
call one service each (:mod:`~plugins.bankstatements.importing`,
:mod:`~plugins.bankstatements.queue`, :mod:`~plugins.bankstatements.banks`);
bad input re-renders the page with its messages.
"""

from __future__ import annotations

from typing import Any

from flask import Blueprint, abort, flash, g, redirect, render_template, request, url_for
from flask_babel import gettext

from core.errors import DomainError, ValidationError
from core.keyset import COUNT_CAP, capped_count, keyset_page
from core.models import Customer, Document
from core.untrusted import as_id
from core.web import access, confirm
from core.web.access import staff_required
from core.web.admin import cursor_args
from core.web.forms import EmptyForm
from core.web.templating import money_filter as format_money
from plugins.bankstatements import banks as bank_service
from plugins.bankstatements import queue as queue_service
from plugins.bankstatements.importing import import_statement
from plugins.bankstatements.models import RULE_LABELS, STATE_LABELS, Bank, StatementEntry, StatementImport
from plugins.bankstatements.parsers import FORMAT_LABELS, StatementError
from plugins.bankstatements.presets import PRESETS
from plugins.bankstatements.summary import summary_rows

bp = Blueprint("bankstatements", __name__, url_prefix="/admin/statements")
#: Imports and queued transfers on one page (each list a page at a time, by keyset: :mod:`core.keyset`).
PAGE_SIZE = 25
#: An import's transfers on one page (a statement file holds hundreds at most; a year of them, thousands).
ENTRIES_PAGE_SIZE = 200


def _form_ok() -> None:
    if not EmptyForm().validate_on_submit():
        abort(400)


@bp.route("", methods=["GET", "POST"])
@staff_required("billing")
def index() -> Any:
    """Upload a statement; the imports so far, newest first."""
    error = ""
    if request.method == "POST":
        _form_ok()
        upload = request.files.get("statement")
        bank_id = as_id(request.form.get("bank"))
        bank = Bank.get_or_none(Bank.id == bank_id) if bank_id is not None else None
        if upload is None or not upload.filename:
            error = gettext("Choose the statement file.")
        else:
            try:
                record = import_statement(
                    upload.read(),
                    bank=bank,
                    filename=upload.filename,
                    staff=g.staff,
                    via="admin",
                    ip=access.client_ip(),
                )
                flash(gettext("The statement was imported."), "success")
                return redirect(url_for("bankstatements.detail", import_id=record.id))
            except StatementError as exc:
                error = gettext(exc.message, **exc.values)
    page = keyset_page(StatementImport.select(), [StatementImport.id], size=PAGE_SIZE, **cursor_args())
    listed_banks = {r.bank_id for r in page.rows if r.bank_id}
    return render_template(
        "statements/index.html",
        imports=page.rows,
        banks=list(Bank.select().order_by(Bank.name)),
        names={b.id: b.name for b in Bank.select().where(Bank.id.in_(listed_banks or {0}))},
        queued=capped_count(StatementEntry.select().where(StatementEntry.state == "queued"), COUNT_CAP),
        formats=FORMAT_LABELS,
        error=error,
        page=page,
        form=EmptyForm(),
    ), (422 if error else 200)


@bp.route("/<int:import_id>")
@staff_required("billing")
def detail(import_id: int) -> Any:
    """One import: its summary and the credits it brought in, in the statement's order, a page at a time."""
    record = StatementImport.get_or_none(StatementImport.id == import_id) or abort(404)
    page = keyset_page(
        StatementEntry.select().where(StatementEntry.statement_import == record),
        [StatementEntry.id],
        size=ENTRIES_PAGE_SIZE,
        ascending=True,
        **cursor_args(),
    )
    entries = page.rows
    return render_template(
        "statements/detail.html",
        record=record,
        rows=summary_rows(record),
        entries=entries,
        page=page,
        documents=_documents({e.document_id for e in entries if e.document_id}),
        formats=FORMAT_LABELS,
        states=STATE_LABELS,
        rules=RULE_LABELS,
    )


def _documents(ids: set[int]) -> dict[int, Document]:
    return {d.id: d for d in Document.select().where(Document.id.in_(list(ids) or [0]))}


@bp.route("/queue")
@staff_required("billing")
def queue() -> Any:
    """Transfers waiting for staff, oldest first, each with its candidate documents."""
    query = StatementEntry.select().where(StatementEntry.state == "queued")
    page = keyset_page(query, [StatementEntry.id], size=PAGE_SIZE, ascending=True, **cursor_args())
    entries = page.rows
    documents = _documents({d for e in entries for d in (e.candidates or [])})
    customer_ids = {e.customer_id for e in entries if e.customer_id} | {d.customer_id for d in documents.values()}
    customers = {c.id: c for c in Customer.select().where(Customer.id.in_(list(customer_ids) or [0]))}
    return render_template(
        "statements/queue.html",
        entries=entries,
        documents=documents,
        customers=customers,
        page=page,
        form=EmptyForm(),
    )


def _find_document(value: str) -> Document | None:
    value = value.strip()
    if not value:
        return None
    key = as_id(value)
    if key is not None:
        found = Document.get_or_none(Document.id == key)
        if found is not None:
            return found
    return Document.get_or_none(Document.number == value)


def _find_customer(value: str) -> Customer | None:
    value = value.strip()
    if value.isdigit():
        key = as_id(value)
        return Customer.get_or_none(Customer.id == key) if key is not None else None
    return Customer.get_or_none(Customer.email == value.lower()) if value else None


@bp.route("/entries/<int:entry_id>/document", methods=["POST"])
@staff_required("billing")
def assign_document(entry_id: int) -> Any:
    """Pay a document with a queued transfer (a candidate, or a number typed in)."""
    _form_ok()
    document = _find_document(request.form.get("document", "") or request.form.get("number", ""))
    if document is None:
        flash(gettext("No document with this number."), "error")
        return redirect(url_for("bankstatements.queue"))
    return _decide(
        lambda: queue_service.assign_to_document(
            entry_id, document.id, g.staff, with_vat=request.form.get("with_vat") == "1", ip=access.client_ip()
        ),
        gettext("The transfer paid %(number)s.", number=document.number),
    )


@bp.route("/entries/<int:entry_id>/customer", methods=["POST"])
@staff_required("billing")
def assign_customer(entry_id: int) -> Any:
    """Put a queued transfer on a customer's credit balance."""
    _form_ok()
    customer = _find_customer(request.form.get("customer", ""))
    if customer is None:
        flash(gettext("No customer with this number or e-mail."), "error")
        return redirect(url_for("bankstatements.queue"))
    return _decide(
        lambda: queue_service.assign_to_customer(entry_id, customer.id, g.staff, ip=access.client_ip()),
        gettext("The transfer went to %(name)s's credit balance.", name=customer.full_name),
    )


@bp.route("/entries/<int:entry_id>/not-ours", methods=["POST"])
@staff_required("billing")
def not_ours(entry_id: int) -> Any:
    """Mark a queued transfer as not a customer's payment, after a confirmation page."""
    _form_ok()
    entry = StatementEntry.get_or_none(StatementEntry.id == entry_id) or abort(404)
    if not confirm.confirmed():
        return confirm.ask(
            title=gettext("Mark this transfer as not ours?"),
            what_happens=[
                gettext(
                    "The transfer of %(amount)s from %(payer)s leaves the queue; no payment is recorded for it.",
                    amount=format_money(entry.amount, entry.currency),
                    payer=entry.counterparty or "—",
                ),
                gettext("This cannot be undone here: a transfer that was ours after all is recorded on its document."),
            ],
            confirm_label=gettext("Not ours"),
            cancel_url=url_for("bankstatements.queue"),
            fields=confirm.form_values("note"),
        )
    return _decide(
        lambda: queue_service.mark_not_ours(
            entry_id, g.staff, note=request.form.get("note", ""), ip=access.client_ip()
        ),
        gettext("The transfer was marked as not ours."),
    )


def _decide(action: Any, success: str) -> Any:
    try:
        action()
        flash(success, "success")
    except DomainError as exc:
        if exc.status == 404:
            abort(404)
        flash(gettext(exc.message), "error")
    return redirect(url_for("bankstatements.queue"))


@bp.route("/banks")
@staff_required("billing")
def banks() -> Any:
    """The banks statements come from, and presets to start a new one from."""
    return render_template(
        "statements/banks.html",
        banks=list(Bank.select().order_by(Bank.name)),
        presets=PRESETS,
        formats=FORMAT_LABELS,
    )


@bp.route("/banks/new", methods=["GET", "POST"])
@bp.route("/banks/<int:bank_id>", methods=["GET", "POST"])
@staff_required("billing")
def bank(bank_id: int | None = None) -> Any:
    """Add or edit a bank: format, encoding and, for CSV, the column mapping."""
    item = (Bank.get_or_none(Bank.id == bank_id) or abort(404)) if bank_id else None
    errors: dict[str, str] = {}
    if request.method == "POST":
        _form_ok()
        try:
            saved = bank_service.save_bank(request.form, g.staff, item, ip=access.client_ip())
            flash(gettext("Saved."), "success")
            return redirect(url_for("bankstatements.bank", bank_id=saved.id))
        except ValidationError as exc:
            errors = exc.errors
        values: dict[str, str] = dict(request.form)
    else:
        preset = request.args.get("preset", "")
        values = bank_service.form_values(item, {"slug": preset, **PRESETS[preset]} if preset in PRESETS else None)
    return render_template("statements/bank.html", item=item, values=values, errors=errors, form=EmptyForm()), (
        422 if errors else 200
    )
