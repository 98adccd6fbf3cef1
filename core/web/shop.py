"""The order page, the cart and checkout (public until checkout asks who is buying), and the customer's orders.

Views parse and render; every rule lives in :mod:`core.orders`. The cart is a
list of item dicts in the server-side session (``session["cart"]``) with the
promotion code beside it (``session["cart_promo"]``); both are kept when the
visitor logs in or signs up inside checkout (:data:`core.web.access.KEPT_ON_LOGIN`).
A consumer sees gross prices first; a company net prices first.
"""

from __future__ import annotations

from typing import Any

from flask import Blueprint, abort, flash, g, redirect, render_template, request, session, url_for
from flask_babel import gettext

from core.accounts import service as accounts
from core.accounts.verified import EmailNotVerified
from core.billing_data.service import change_billing_data
from core.documents.issuing import buyer_party, current_profile
from core.errors import DomainError, ValidationError
from core.models import Document
from core.orders import catalogue as shop_catalogue
from core.orders import terms, vies
from core.orders.cart import check_cart, check_item
from core.orders.models import Order, OrderService, order_items
from core.orders.placing import checkout_methods, new_checkout_token, order_number, place_order
from core.orders.quote import OrderQuote
from core.orders.quoting import build_order_quote, is_consumer
from core.payments.methods import get_method
from core.payments.recording import amount_due
from core.web import access
from core.web.access import login_required
from core.web.billing_data import BillingDataForm, country_choices
from core.web.errors import translated
from core.web.form_errors import FormErrors, add_form_errors
from core.web.forms import EmptyForm, LoginForm, RegisterForm

bp = Blueprint("shop", __name__)

BILLING_FIELDS = ("kind", "name", "tax_id", "address_line1", "address_line2", "postcode", "city", "country")


def cart_items() -> list[dict[str, Any]]:
    """The cart kept in the session (plain dicts)."""
    return list(session.get("cart") or [])


def _buyer() -> Any:
    customer = g.get("customer")
    return buyer_party(customer) if customer is not None else None


@bp.route("/order")
def catalogue() -> Any:
    """The public order page: groups, package cards with technical details, prices per cycle net and gross."""
    buyer = _buyer()
    return render_template(
        "shop/catalogue.html",
        groups=shop_catalogue.catalogue(buyer),
        gross_first=is_consumer(buyer),
        cart_count=len(cart_items()),
    )


@bp.route("/order/<slug>", methods=["GET", "POST"])
def configure(slug: str) -> Any:
    """Configure one item: billing cycle, the domain, the quantity; then it goes to the cart."""
    buyer = _buyer()
    card = shop_catalogue.find_package(slug, buyer)
    if card is None:
        abort(404)
    errors: dict[str, str] = {}
    values = {"cycle": card.prices[0].cycle, "domain": "", "quantity": "1"}
    status = 200
    if request.method == "POST":
        if not EmptyForm().validate_on_submit():
            abort(400)
        values = {key: request.form.get(key, "") for key in values}
        try:
            item = check_item({**values, "product_id": card.product.id})
        except ValidationError as exc:
            errors = {key: translated(message) for key, message in exc.errors.items()}
            status = 422
        else:
            cart = cart_items()
            if len(cart) >= 20:
                flash(gettext("A cart holds at most %(max)s items.", max=20), "error")
            else:
                session["cart"] = [*cart, item.to_json()]
                flash(
                    gettext(
                        "%(product)s for %(domain)s is in your cart.", product=card.product.name, domain=item.domain
                    ),
                    "success",
                )
            return redirect(url_for("shop.cart"))
    return render_template(
        "shop/configure.html",
        card=card,
        values=values,
        errors=errors,
        gross_first=is_consumer(buyer),
        form=EmptyForm(),
    ), status


def _quote(promo: str, *, refused: list[str]) -> OrderQuote | None:
    """The cart priced for whoever is looking (a visitor as a private buyer); None for an empty cart.

    A refusal (an unknown promotion code) is appended to ``refused`` and the
    cart is priced without the code.
    """
    items = cart_items()
    if not items:
        return None
    try:
        checked = check_cart(items)
    except ValidationError:
        session["cart"] = []  # a package was withdrawn from sale meanwhile: start again
        flash(gettext("A package in your cart cannot be ordered any more; the cart was emptied."), "warning")
        return None
    try:
        return build_order_quote(g.get("customer"), checked, promo_code=promo)
    except DomainError as exc:
        refused.append(translated(exc.message))
        return build_order_quote(g.get("customer"), checked, promo_code="")


@bp.route("/cart", methods=["GET", "POST"])
def cart() -> Any:
    """The cart: its items priced, a promotion code, removing an item; then checkout."""
    status = 200
    if request.method == "POST":
        if not EmptyForm().validate_on_submit():
            abort(400)
        if "remove" in request.form:
            items = cart_items()
            try:
                index = int(request.form["remove"])
            except ValueError:
                index = -1
            if 0 <= index < len(items):
                del items[index]
                session["cart"] = items
            return redirect(url_for("shop.cart"))
        session["cart_promo"] = " ".join(request.form.get("promo_code", "").split()).upper()[:64]
    refused: list[str] = []
    quote = _quote(str(session.get("cart_promo") or ""), refused=refused)
    if refused:
        status = 422
        for message in refused:
            flash(message, "error")
        session["cart_promo"] = ""
    elif request.method == "POST" and session.get("cart_promo"):
        flash(gettext("The promotion code was applied."), "success")
    return render_template(
        "shop/cart.html", quote=quote, form=EmptyForm(), gross_first=quote is None or quote.consumer
    ), status


def _billing_form() -> BillingDataForm:
    customer = g.customer
    profile = current_profile(customer.id)
    if request.method == "POST":
        form = BillingDataForm()
    elif profile is None:
        form = BillingDataForm(data={"kind": "private", "name": customer.full_name, "country": "PL"})
    else:
        form = BillingDataForm(obj=profile)
    form.country.choices = country_choices()
    return form


def _checkout_page(form: BillingDataForm, status: int = 200, refused: str = "") -> Any:
    if refused:
        flash(translated(refused), "error")
    items = cart_items()
    if not items:
        flash(gettext("Your cart is empty."), "info")
        return redirect(url_for("shop.catalogue"))
    problems: list[str] = []
    quote = _quote(str(session.get("cart_promo") or ""), refused=problems)
    for message in problems:
        flash(message, "error")
    if quote is None:
        return redirect(url_for("shop.catalogue"))
    check = vies.latest_check(g.customer) if vies.needs_check(g.customer) else None
    return render_template(
        "shop/checkout.html",
        quote=quote,
        form=form,
        methods=checkout_methods(),
        chosen_method=request.form.get("payment_method", ""),
        terms_version=terms.terms_version(),
        terms_url=terms.terms_url(),
        token=request.form.get("checkout_token") or new_checkout_token(),
        early_start=bool(request.form.get("early_start")),
        vat_check=check,
        gross_first=quote.consumer,
        withdrawal_days=terms.withdrawal_days(),
    ), status


@bp.route("/checkout", methods=["GET", "POST"])
def checkout() -> Any:
    """Checkout: who buys (log in or register here), billing data, terms, code, payment method, the order."""
    if g.get("customer") is None:
        if not cart_items():
            return redirect(url_for("shop.catalogue"))
        return render_template(
            "shop/checkout_account.html", login=LoginForm(prefix="login"), register=RegisterForm(prefix="register")
        )
    token = request.form.get("checkout_token", "")
    earlier = Order.get_or_none((Order.checkout_token == token) & (Order.customer == g.customer)) if token else None
    if earlier is not None:  # a second click on "place order": the order the first one placed
        return redirect(url_for("shop.order_detail", order_id=earlier.id))
    form = _billing_form()
    if request.method == "GET":
        return _checkout_page(form)
    if not form.validate_on_submit():
        return _checkout_page(form, 400)
    fields = {name: getattr(form, name).data for name in BILLING_FIELDS}
    try:
        saved = change_billing_data(g.customer, fields, actor=g.customer, ip=access.client_ip())
    except ValidationError as exc:
        add_form_errors(form, exc.errors)
        return _checkout_page(form, 422)
    except DomainError as exc:
        return _checkout_page(form, exc.status, refused=exc.message)
    if saved is not None:
        vies.check_customer(g.customer)
    promo = " ".join(request.form.get("promo_code", "").split()).upper()[:64]
    session["cart_promo"] = promo
    try:
        placed = place_order(
            g.customer,
            cart_items(),
            accept_terms=request.form.get("accept_terms", ""),
            payment_method=request.form.get("payment_method", ""),
            promo_code=promo,
            early_start=bool(request.form.get("early_start")),
            expected_gross=request.form.get("expected_gross") or None,
            checkout_token=request.form.get("checkout_token", ""),
            ip=access.client_ip(),
        )
    except EmailNotVerified:
        raise  # the page that says why and sends the link again (core.web.auth)
    except ValidationError as exc:
        add_form_errors(form, {k: v for k, v in exc.errors.items() if k in BILLING_FIELDS})
        for key, message in exc.errors.items():
            if key not in BILLING_FIELDS:
                flash(translated(message), "error")
        return _checkout_page(form, 422)
    except DomainError as exc:
        return _checkout_page(form, exc.status, refused=exc.message)
    session["cart"] = []
    session["cart_promo"] = ""
    order, document = placed.order, placed.document
    if not placed.duplicate:
        flash(gettext("Thank you! Your order %(number)s is placed.", number=order_number(order)), "success")
    if document is not None and amount_due(document) > 0 and order.payment_method:
        from core.web.payments import start_payment

        method = get_method(order.payment_method)
        if method.available_for(document):
            return start_payment(method, document)
    return redirect(url_for("shop.order_detail", order_id=order.id))


@bp.route("/checkout/login", methods=["POST"])
def checkout_login() -> Any:
    """Log in inside checkout; the cart stays."""
    form = LoginForm(prefix="login")
    if form.validate_on_submit():
        try:
            account = accounts.authenticate("customer", form.email.data, form.password.data, access.client_ip())
        except DomainError as exc:
            flash(translated(exc.message), "error")
        else:
            with FormErrors():
                second = access.start_login(account, "customer", next_url=url_for("shop.checkout"))
                return redirect(second or url_for("shop.checkout"))
    return render_template("shop/checkout_account.html", login=form, register=RegisterForm(prefix="register")), 422


@bp.route("/checkout/register", methods=["POST"])
def checkout_register() -> Any:
    """Create an account inside checkout and log in with it; the cart stays."""
    form = RegisterForm(prefix="register")
    shown = FormErrors(form)
    if form.validate_on_submit():
        with shown:
            customer = accounts.register_customer(
                form.email.data,
                form.password.data,
                form.first_name.data,
                form.last_name.data,
                language=session.get("lang"),
                ip=access.client_ip(),
            )
            flash(gettext("Account created. We sent you a link that confirms your e-mail address."), "success")
            second = access.start_login(customer, "customer", next_url=url_for("shop.checkout"))
            return redirect(second or url_for("shop.checkout"))
    return render_template("shop/checkout_account.html", login=LoginForm(prefix="login"), register=form), 422


@bp.route("/orders")
@login_required
def orders() -> Any:
    """The customer's orders, newest first."""
    rows = list(Order.select().where(Order.customer == g.customer).order_by(Order.id.desc()))
    return render_template("shop/orders.html", orders=rows, number=order_number)


def own_order(order_id: int) -> Order:
    """The logged-in customer's order ``order_id``; another's answers 404."""
    order = Order.get_or_none((Order.id == order_id) & (Order.customer == g.customer))
    if order is None:
        abort(404)
    return order


@bp.route("/orders/<int:order_id>")
@login_required
def order_detail(order_id: int) -> Any:
    """One order: items, status, its documents and services, and the withdrawal button while it applies."""
    from core.orders.withdrawal import withdrawal_deadline, withdrawal_open

    order = own_order(order_id)
    documents = list(
        Document.select()
        .where(
            (Document.customer == g.customer)
            & (
                (Document.id == (order.document_id or 0))
                | (Document.proforma_id == (order.document_id or 0))
                | ((Document.purpose == "withdrawal") & (Document.purpose_ref == order.id))
            )
        )
        .order_by(Document.id)
    )
    services = [link.service for link in OrderService.select().where(OrderService.order == order)]
    return render_template(
        "shop/order.html",
        order=order,
        number=order_number(order),
        items=order_items(order),
        documents=documents,
        services=services,
        can_withdraw=withdrawal_open(order),
        deadline=withdrawal_deadline(order),
        form=EmptyForm(),
    )


@bp.route("/orders/<int:order_id>/withdraw", methods=["POST"])
@login_required
def withdraw(order_id: int) -> Any:
    """The withdrawal button: asks once what happens, then withdraws (:mod:`core.orders.withdrawal`)."""
    from core.orders.withdrawal import withdraw as withdraw_order
    from core.web import confirm as confirm_step

    order = own_order(order_id)
    if not EmptyForm().validate_on_submit():
        abort(400)
    refund_to = request.form.get("refund_to", "method")
    if not confirm_step.confirmed():
        return confirm_step.ask(
            title=gettext("Withdraw from order %(number)s?", number=order_number(order)),
            what_happens=[
                gettext("The services of this order end now."),
                gettext("You pay only for the days the services ran; we issue a correcting invoice."),
                gettext("The rest is refunded within 14 days by the payment method you used.")
                if refund_to == "method"
                else gettext("The rest goes to your credit balance."),
            ],
            confirm_label=gettext("Withdraw from the order"),
            cancel_url=url_for("shop.order_detail", order_id=order.id),
            fields={"refund_to": refund_to},
        )
    with FormErrors():
        correction = withdraw_order(
            g.customer.id, order.id, refund_to=refund_to, actor=g.customer, ip=access.client_ip()
        )
        flash(
            gettext("You withdrew from the order. Correcting invoice %(number)s was issued.", number=correction.number),
            "success",
        )
    return redirect(url_for("shop.order_detail", order_id=order.id))
