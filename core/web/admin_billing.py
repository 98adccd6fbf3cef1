"""Admin area: the catalogue (groups, products, features, prices, change paths),
recording bank-transfer payments on documents (amount, date, the bank's reference),
and customers' credit balances.

Views parse the forms, check the staff role and render; the changes themselves
are domain services (:mod:`core.catalogue.service`, :mod:`core.payments.recording`,
:mod:`core.balance.ledger`), which write the activity log. A refusal (bad input,
a rule, a plugin's ``HookRefused``) shows the form again with its message.
"""

from __future__ import annotations

from typing import Any

from flask import Blueprint, abort, flash, g, redirect, render_template, request, url_for
from flask_babel import gettext

from core import clock
from core.balance import ledger
from core.balance.credit import parts_of
from core.balance_view import balance_of, statement
from core.billing.cycles import Cycle
from core.catalogue import service as catalogue_service
from core.documents.reissue import plan_reissue
from core.documents.state import listed_proformas, state_of
from core.errors import DomainError, ValidationError
from core.i18n import N_
from core.keyset import COUNT_CAP, capped_count, keyset_page
from core.models import Customer, Document, Product, ProductChangePath, ProductGroup, ProductPrice
from core.models.billing import DOCUMENT_KINDS, DOCUMENT_STATUSES
from core.payments.bank_entry import record_bank_transfer
from core.payments.methods import method_name
from core.untrusted import as_id
from core.web import access
from core.web.access import staff_required
from core.web.admin import PAGE_SIZE, cursor_args
from core.web.forms import EmptyForm

bp = Blueprint("admin_billing", __name__, url_prefix="/admin")


def _form_ok() -> None:
    if not EmptyForm().validate_on_submit():
        abort(400)


@bp.route("/catalogue", methods=["GET", "POST"])
@staff_required("billing")
def catalogue() -> Any:
    """Groups and products; add a group or a product (:mod:`core.catalogue.service`)."""
    errors: dict[str, str] = {}
    if request.method == "POST":
        _form_ok()
        form = request.form
        try:
            item: ProductGroup | Product
            if form.get("what") == "group":
                item = catalogue_service.create_group(
                    form.get("name", ""), form.get("slug", ""), actor=g.staff, ip=access.client_ip()
                )
            else:
                item = catalogue_service.create_product(
                    form.get("group"), form.get("name", ""), form.get("slug", ""), actor=g.staff, ip=access.client_ip()
                )
            flash(gettext("Saved."), "success")
            if isinstance(item, Product):
                return redirect(url_for("admin_billing.product", product_id=item.id))
            return redirect(url_for("admin_billing.catalogue"))
        except ValidationError as exc:
            errors = exc.errors
    groups = list(ProductGroup.select().order_by(ProductGroup.position, ProductGroup.id))
    products = list(Product.select().order_by(Product.position, Product.id))
    return render_template(
        "admin/catalogue.html", groups=groups, products=products, errors=errors, form=EmptyForm(), values=request.form
    ), (422 if errors else 200)


def parse_features(text: str) -> list[list[str]]:
    """``Label: value`` per line -> ordered ``[[label, value], ...]``; bad lines raise."""
    features = []
    for number, line in enumerate(text.splitlines(), 1):
        if not line.strip():
            continue
        label, sep, value = line.partition(":")
        if not sep or not label.strip() or not value.strip():
            raise ValidationError({"features": N_("Line %(number)s: write it as 'Label: value'.", number=number)})
        features.append([label.strip(), value.strip()])
    return features


@bp.route("/catalogue/products/<int:product_id>", methods=["GET", "POST"])
@staff_required("billing")
def product(product_id: int) -> Any:
    """Edit a product: name, features, VAT rate, prices per cycle, change paths, active."""
    item = Product.get_or_none(Product.id == product_id) or abort(404)
    errors: dict[str, str] = {}
    if request.method == "POST":
        _form_ok()
        form = request.form
        try:
            catalogue_service.update_product(
                item,
                name=form.get("name", ""),
                description=form.get("description", ""),
                features=parse_features(form.get("features", "")),
                vat_rate=form.get("vat_rate", ""),
                active=form.get("active") == "on",
                provisioning_module=form.get("provisioning_module", ""),
                position=form.get("position", ""),
                prices={cycle: form.get(f"price_{cycle}", "") for cycle in catalogue_service.CYCLES},
                targets=[int(t) for t in form.getlist("targets") if t.isdigit()],
                actor=g.staff,
                ip=access.client_ip(),
            )
            flash(gettext("Saved."), "success")
            return redirect(url_for("admin_billing.product", product_id=item.id))
        except ValidationError as exc:
            errors = exc.errors
            item = Product.get_by_id(item.id)  # what is stored, not what was tried
    prices = {p.cycle: p.net_price for p in ProductPrice.select().where(ProductPrice.product == item)}
    targets = {p.target_id for p in ProductChangePath.select().where(ProductChangePath.product == item)}
    features_text = request.form.get("features") if errors else "\n".join(f"{a}: {b}" for a, b in item.features)
    return render_template(
        "admin/product.html",
        item=item,
        prices=prices,
        targets=targets,
        errors=errors,
        cycles=[c.value for c in Cycle],
        others=list(Product.select().where(Product.id != item.id)),
        features_text=features_text,
        values=request.form,
        form=EmptyForm(),
    ), (422 if errors else 200)


@bp.route("/documents/<int:document_id>", methods=["GET", "POST"])
@staff_required("billing")
def document(document_id: int) -> Any:
    """A document; record a bank-transfer payment on an open proforma (:mod:`core.payments.bank_entry`)."""
    doc = Document.get_or_none(Document.id == document_id) or abort(404)
    errors: dict[str, str] = {}
    if request.method == "POST":
        _form_ok()
        try:
            outcome = record_bank_transfer(
                doc,
                request.form.get("amount", ""),
                request.form.get("transaction_id", ""),
                request.form.get("received_on", ""),
                staff=g.staff,
                note=request.form.get("note", ""),
                ip=access.client_ip(),
            )
            if outcome.duplicate:
                flash(gettext("This bank reference was already recorded; nothing changed."), "warning")
            else:
                flash(gettext("Payment recorded."), "success")
            return redirect(url_for("admin_billing.document", document_id=doc.id))
        except ValidationError as exc:
            errors = exc.errors
        except DomainError as exc:
            errors = {"amount": exc.message}
    state = state_of(doc)
    plan = plan_reissue(doc) if doc.kind == "proforma" else None
    return render_template(
        "admin/document.html",
        doc=doc,
        snap=state.snap,
        state=state,
        plan=plan,
        rates_before=", ".join(dict.fromkeys(state.rate_label(r) for r in plan.old_rates)) if plan else "",
        rates_after=(
            ", ".join(dict.fromkeys(state.rate_label(r, plan.new_buyer) for r in plan.new_rates)) if plan else ""
        ),
        due=state.due,
        today=clock.today(),
        payments=state.payments,
        method_name=method_name,
        errors=errors,
        values=request.form,
        form=EmptyForm(),
    ), (422 if errors else 200)


@bp.route("/documents/to-correct")
@staff_required("billing")
def documents_to_correct() -> Any:
    """Every proforma flagged because a billing-data change altered its tax treatment."""
    rows = list(
        with_customer(Document.select(Document, *CUSTOMER_NAME))
        .where(
            Document.needs_correction
            & (Document.kind == "proforma")
            & Document.status.in_(["unpaid", "partially_paid", "paid"])
        )
        .order_by(Document.id)
    )
    return render_template("admin/documents_to_correct.html", documents=listed_proformas(rows))


#: The columns of a customer that lists show (``full_name`` and a link).
CUSTOMER_NAME = (Customer.id, Customer.first_name, Customer.last_name, Customer.email)
#: The columns of a document that lists show (not its snapshot).
LISTED_DOCUMENT = (
    Document.id,
    Document.customer,
    Document.kind,
    Document.number,
    Document.status,
    Document.issue_date,
    Document.total_gross,
    Document.currency,
    Document.needs_correction,
)
#: The ``status`` filter of the documents list: a group of statuses, or one.
STATUS_FILTERS: dict[str, tuple[str, ...]] = {"open": ("unpaid", "partially_paid")} | {
    status: (status,) for status in DOCUMENT_STATUSES
}


def with_customer(query: Any) -> Any:
    """``query`` of documents joined with their customers, so ``document.customer`` costs no query."""
    return query.join(Customer, on=(Document.customer == Customer.id))


@bp.route("/documents")
@staff_required("billing")
def documents() -> Any:
    """Every document, newest first, a page at a time; by type, status and customer."""
    query = with_customer(Document.select(*LISTED_DOCUMENT, *CUSTOMER_NAME))
    kind = request.args.get("kind", "")
    if kind in DOCUMENT_KINDS:
        query = query.where(Document.kind == kind)
    status = request.args.get("status", "")
    if status in STATUS_FILTERS:
        query = query.where(Document.status.in_(STATUS_FILTERS[status]))
    customer = None
    customer_id = as_id(request.args.get("customer"))
    if customer_id is not None:
        customer = Customer.get_or_none(Customer.id == customer_id) or abort(404)
        query = query.where(Document.customer == customer_id)
    page = keyset_page(query, [Document.id], size=PAGE_SIZE, **cursor_args())
    return render_template(
        "admin/documents.html",
        documents=page.rows,
        page=page,
        total=capped_count(query, COUNT_CAP),
        kind=kind if kind in DOCUMENT_KINDS else "",
        status=status if status in STATUS_FILTERS else "",
        kinds=DOCUMENT_KINDS,
        statuses=DOCUMENT_STATUSES,
        of_customer=customer,
    )


@bp.route("/documents/advances-due")
@staff_required("billing")
def advances_due() -> Any:
    """Money received in an earlier month on proformas still open: the advance invoices due, by deadline."""
    from core.documents.advances import advances_due as due

    return render_template("admin/advances_due.html", rows=due())


@bp.route("/customers/<int:customer_id>/balance", methods=["GET", "POST"])
@staff_required("billing")
def balance(customer_id: int) -> Any:
    """A customer's ledger; add or remove credit with a reason."""
    customer = Customer.get_or_none(Customer.id == customer_id) or abort(404)
    errors: dict[str, str] = {}
    if request.method == "POST":
        _form_ok()
        try:
            ledger.staff_adjust(
                customer.id, request.form.get("amount", ""), request.form.get("reason", ""), g.staff, access.client_ip()
            )
            flash(gettext("The balance was adjusted."), "success")
            return redirect(url_for("admin_billing.balance", customer_id=customer.id))
        except ValidationError as exc:
            errors = exc.errors
        except DomainError as exc:
            errors = {"amount": exc.message}
    return render_template(
        "admin/balance.html",
        c=customer,
        balance=balance_of(customer.id),
        parts=parts_of(customer.id),
        lines=statement(customer.id),
        errors=errors,
        values=request.form,
        form=EmptyForm(),
    ), (422 if errors else 200)
