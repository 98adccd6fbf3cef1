"""Staff pages of the promotions plugin: the codes with their uses, and the code form."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any, cast

from flask import Blueprint, abort, flash, g, redirect, render_template, request, url_for
from flask_babel import gettext
from peewee import fn

from core.catalogue.service import CYCLES
from core.errors import ValidationError
from core.models import Product
from core.web import access
from core.web.access import staff_required
from core.web.errors import translated
from core.web.forms import EmptyForm
from plugins.promotions.models import PromoCode, PromoUse
from plugins.promotions.service import save_code

bp = Blueprint("promotions", __name__, url_prefix="/admin/promotions", template_folder="templates")


@bp.route("")
@staff_required("admin", "billing")
def index() -> Any:
    """Every code with how many uses are reserved and used (counted by the database, not read use by use)."""
    codes = list(PromoCode.select().order_by(PromoCode.code))
    grouped = (
        PromoUse.select(PromoUse.promo, PromoUse.status, fn.COUNT(PromoUse.id))
        .where(PromoUse.promo.in_([c.id for c in codes] or [0]))
        .group_by(PromoUse.promo, PromoUse.status)
        .tuples()
    )
    counts = {(promo, status): number for promo, status, number in cast("Iterable[tuple[int, str, int]]", grouped)}
    return render_template("promotions/index.html", codes=codes, counts=counts)


def _form_page(promo: PromoCode | None, values: dict[str, Any], errors: dict[str, str], status: int) -> Any:
    return render_template(
        "promotions/form.html",
        promo=promo,
        values=values,
        errors=errors,
        products=list(Product.select().order_by(Product.position, Product.name)),
        cycles=CYCLES,
        form=EmptyForm(),
    ), status


def _values(promo: PromoCode | None) -> dict[str, Any]:
    if promo is None:
        return {"kind": "percent", "active": True, "products": [], "cycles": []}
    return {
        "code": promo.code,
        "description": promo.description,
        "kind": promo.kind,
        "value": str(promo.value),
        "products": list(promo.products),
        "cycles": list(promo.cycles),
        "recurring": promo.recurring,
        "active": promo.active,
        "valid_from": promo.valid_from.isoformat() if promo.valid_from else "",
        "valid_to": promo.valid_to.isoformat() if promo.valid_to else "",
        "max_uses": promo.max_uses or "",
        "max_uses_per_customer": promo.max_uses_per_customer or "",
    }


@bp.route("/new", methods=["GET", "POST"])
@bp.route("/<int:promo_id>", methods=["GET", "POST"])
@staff_required("admin", "billing")
def edit(promo_id: int | None = None) -> Any:
    """Create or change a code."""
    promo = PromoCode.get_or_none(PromoCode.id == promo_id) if promo_id else None
    if promo_id and promo is None:
        abort(404)
    if request.method == "GET":
        return _form_page(promo, _values(promo), {}, 200)
    if not EmptyForm().validate_on_submit():
        abort(400)
    values: dict[str, Any] = {key: request.form.get(key, "") for key in request.form}
    values["products"] = [int(p) for p in request.form.getlist("products") if p.isdigit()]
    values["cycles"] = request.form.getlist("cycles")
    try:
        saved = save_code(values, promo=promo, actor=g.staff, ip=access.client_ip())
    except ValidationError as exc:
        return _form_page(promo, values, {k: translated(v) for k, v in exc.errors.items()}, 422)
    flash(gettext("The promotion code %(code)s was saved.", code=saved.code), "success")
    return redirect(url_for("promotions.index"))
