"""Admin area: the catalogue (groups, products, features, prices, change paths),
recording bank-transfer payments on documents, and customers' credit balances.

Every change to money, documents or the catalogue goes to the activity log.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from flask import Blueprint, abort, flash, g, redirect, render_template, request, url_for
from flask_babel import gettext

from core import activity, db
from core.balance import ledger
from core.balance_view import balance_of, statement
from core.billing.cycles import Cycle
from core.documents.reissue import plan_reissue
from core.documents.state import state_of
from core.errors import DomainError, ValidationError
from core.i18n import N_
from core.models import Customer, Document, Product, ProductChangePath, ProductGroup, ProductPrice
from core.money import round_money, to_decimal
from core.payments.methods import method_name
from core.payments.recording import record_payment
from core.web import access
from core.web.access import staff_required
from core.web.forms import EmptyForm

bp = Blueprint("admin_billing", __name__, url_prefix="/admin")


def _form_ok() -> None:
    if not EmptyForm().validate_on_submit():
        abort(400)


@bp.route("/catalogue", methods=["GET", "POST"])
@staff_required("billing")
def catalogue() -> Any:
    """Groups and products; add a group or a product."""
    errors: dict[str, str] = {}
    if request.method == "POST":
        _form_ok()
        try:
            with db.write_transaction():
                item: ProductGroup | Product
                if request.form.get("what") == "group":
                    item = _create_group(request.form)
                else:
                    item = _create_product(request.form)
                activity.record("catalogue.created", actor=g.staff, subject=item, ip=access.client_ip(), name=item.name)
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


def _slug(value: str, field: str) -> str:
    slug = value.strip().lower()
    if not slug or not all(c.isalnum() or c == "-" for c in slug):
        raise ValidationError({field: N_("Use lowercase letters, digits and hyphens.")})
    return slug


def _create_group(form: Any) -> ProductGroup:
    name, slug = form.get("name", "").strip(), _slug(form.get("slug", ""), "slug")
    if not name:
        raise ValidationError({"name": N_("Give the group a name.")})
    if ProductGroup.select().where(ProductGroup.slug == slug).exists():
        raise ValidationError({"slug": N_("This slug is taken.")})
    return ProductGroup.create(name=name, slug=slug)


def _create_product(form: Any) -> Product:
    name, slug = form.get("name", "").strip(), _slug(form.get("slug", ""), "slug")
    group = ProductGroup.get_or_none(ProductGroup.id == (form.get("group") or 0))
    errors = {}
    if not name:
        errors["name"] = N_("Give the product a name.")
    if group is None:
        errors["group"] = N_("Choose a group.")
    if Product.select().where(Product.slug == slug).exists():
        errors["slug"] = N_("This slug is taken.")
    if errors:
        raise ValidationError(errors)
    return Product.create(group=group, name=name, slug=slug)


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


def parse_prices(form: Any) -> dict[str, Decimal | None]:
    """``price_<cycle>`` fields -> ``{cycle: net price or None}``; bad amounts raise."""
    prices: dict[str, Decimal | None] = {}
    for cycle in Cycle:
        raw = (form.get(f"price_{cycle.value}") or "").strip()
        if not raw:
            prices[cycle.value] = None
            continue
        try:
            value = to_decimal(raw)
        except ValueError:
            value = Decimal(-1)
        if value < 0 or value != round_money(value):
            raise ValidationError({f"price_{cycle.value}": N_("Enter a net price like 49.99.")})
        prices[cycle.value] = value
    return prices


def parse_position(raw: str, current: int) -> int:
    """The product's place in package lists (lower first); empty keeps ``current``; not a whole number raises."""
    text = raw.strip()
    if not text:
        return current
    try:
        return int(text)
    except ValueError:
        raise ValidationError({"position": N_("Enter a whole number, e.g. 10.")}) from None


@bp.route("/catalogue/products/<int:product_id>", methods=["GET", "POST"])
@staff_required("billing")
def product(product_id: int) -> Any:
    """Edit a product: name, features, VAT rate, prices per cycle, change paths, active."""
    item = Product.get_or_none(Product.id == product_id) or abort(404)
    errors: dict[str, str] = {}
    if request.method == "POST":
        _form_ok()
        try:
            features = parse_features(request.form.get("features", ""))
            prices = parse_prices(request.form)
            name = request.form.get("name", "").strip()
            if not name:
                raise ValidationError({"name": N_("Give the product a name.")})
            position = parse_position(request.form.get("position", ""), item.position)
            targets = {int(t) for t in request.form.getlist("targets") if t.isdigit()} - {item.id}
            with db.write_transaction():
                item.name, item.features = name, features
                item.description = request.form.get("description", "")
                item.vat_rate = request.form.get("vat_rate", "").strip()
                item.active = request.form.get("active") == "on"
                item.provisioning_module = request.form.get("provisioning_module", "").strip()
                item.position = position
                item.save()
                for cycle, price in prices.items():
                    ProductPrice.delete().where(
                        (ProductPrice.product == item) & (ProductPrice.cycle == cycle)
                    ).execute()
                    if price is not None:
                        ProductPrice.create(product=item, cycle=cycle, net_price=price)
                ProductChangePath.delete().where(ProductChangePath.product == item).execute()
                for target in Product.select().where(Product.id.in_(list(targets) or [0])):
                    ProductChangePath.create(product=item, target=target)
                activity.record(
                    "catalogue.product_updated",
                    actor=g.staff,
                    subject=item,
                    ip=access.client_ip(),
                    prices={k: str(v) for k, v in prices.items() if v is not None},
                    targets=sorted(targets),
                )
            flash(gettext("Saved."), "success")
            return redirect(url_for("admin_billing.product", product_id=item.id))
        except ValidationError as exc:
            errors = exc.errors
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
    """A document; record a bank-transfer payment on an open proforma."""
    doc = Document.get_or_none(Document.id == document_id) or abort(404)
    errors: dict[str, str] = {}
    if request.method == "POST":
        _form_ok()
        try:
            outcome = record_payment(
                "banktransfer",
                request.form.get("transaction_id", ""),
                request.form.get("amount", ""),
                doc,
                staff=g.staff,
                ip=access.client_ip(),
                details={"note": request.form.get("note", "")[:255]},
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
        Document.select()
        .where(
            Document.needs_correction
            & (Document.kind == "proforma")
            & Document.status.in_(["unpaid", "partially_paid", "paid"])
        )
        .order_by(Document.id)
    )
    return render_template("admin/documents_to_correct.html", documents=[state_of(d) for d in rows])


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
        lines=statement(customer.id),
        errors=errors,
        values=request.form,
        form=EmptyForm(),
    ), (422 if errors else 200)
