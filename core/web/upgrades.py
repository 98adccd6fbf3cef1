"""Client area: "Upgrade/Downgrade" a service (the JSON API of it is :mod:`core.api.views_upgrades`).

Views only parse, authorise (every service is the logged-in customer's, else
404) and render; pricing and confirming are :mod:`core.upgrades`. Whatever the
services refuse (bad input, a pending change, a plugin's ``HookRefused`` while
pricing, issuing the proforma or applying the change) comes back to the page
the customer acted on, with the message.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from typing import Any

from flask import Blueprint, abort, flash, g, redirect, render_template, request, url_for
from flask_babel import format_date, gettext

from core.accounts.verified import EmailNotVerified
from core.documents.build import rate_percent
from core.documents.pdf_labels import fmt_rate
from core.errors import Conflict, DomainError, ValidationError
from core.models import Document, Service, ServiceChange
from core.payments.methods import all_methods, get_method
from core.payments.recording import OPEN_STATUSES, amount_due
from core.upgrades.apply import cancel_change
from core.upgrades.confirm import confirm_change
from core.upgrades.lines import document_previews
from core.upgrades.quote import Quote
from core.upgrades.quoting import build_quote, change_options, pending_change
from core.upgrades.refund import downgrade_refund
from core.web import access
from core.web import confirm as confirm_step
from core.web.access import login_required
from core.web.errors import translated
from core.web.form_errors import FormErrors
from core.web.forms import EmptyForm
from core.web.scoping import own_service

bp = Blueprint("upgrades", __name__)


def _choice() -> tuple[str, str]:
    """``(product id, cycle)`` from ``choice=<id>:<cycle>`` or ``product`` + ``cycle``."""
    source = request.form if request.method == "POST" else request.args
    choice = source.get("choice", "")
    if ":" in choice:
        product, _, cycle = choice.partition(":")
        return product, cycle
    return source.get("product", ""), source.get("cycle", "")


def _open_proforma(change: ServiceChange | None) -> tuple[Document | None, Any]:
    """The open proforma a change waits on and what is still due on it, else ``(None, 0)``."""
    if change is None or change.status != "awaiting_payment":
        return None, 0
    document = (
        Document.select()
        .where(
            (Document.kind == "proforma")
            & (Document.purpose == "service_change")
            & (Document.purpose_ref == change.id)
            & (Document.customer == change.customer_id)
            & Document.status.in_(OPEN_STATUSES)
        )
        .order_by(Document.id.desc())
        .first()
    )
    return (document, amount_due(document)) if document is not None else (None, 0)


def _choose_page(service: Any, errors: dict[str, str] | None = None, status: int = 200) -> Any:
    change = pending_change(service)
    proforma, due = _open_proforma(change)
    return render_template(
        "client/service_change.html",
        service=service,
        options=change_options(service),
        pending=change,
        pending_proforma=proforma,
        pending_due=due,
        errors=errors or {},
        selected=_choice(),
        form=EmptyForm(),
    ), status


@bp.route("/services/<int:service_id>/change")
@login_required
def choose(service_id: int) -> Any:
    """The packages this service may change to, side by side with the current one."""
    return _choose_page(own_service(service_id))


@bp.route("/services/<int:service_id>/change/summary")
@login_required
def summary(service_id: int) -> Any:
    """The quote with its arithmetic, the balance applied and the payment methods."""
    return _summary_page(own_service(service_id))


@dataclass(frozen=True)
class VatRow:
    """One VAT rate of the summary: its label in the customer's language and the VAT of that rate."""

    rate: str
    label: str
    vat: Decimal


def vat_rows(quote: Quote) -> list[VatRow]:
    """The quote's VAT per rate, labelled as a person reads it ("VAT 23%", "VAT np." under reverse charge)."""
    rows = []
    for total in quote.rate_totals:
        if rate_percent(total.vat_rate) is not None:
            label = gettext("VAT %(rate)s%%", rate=total.vat_rate)
        else:
            label = f"{gettext('VAT')} {fmt_rate(total.vat_rate, eu_services=quote.reverse_charge)}"
        rows.append(VatRow(total.vat_rate, label, total.vat))
    return rows


def _summary_page(service: Any, status: int = 200, refused: str = "") -> Any:
    """The summary of the chosen change; ``refused``: why confirming it did not happen (shown above it).

    When the change cannot be priced (now), the packages page comes back with
    that reason instead, said once.
    """
    product, cycle = _choice()
    try:
        quote = build_quote(service, product, cycle)
    except ValidationError as exc:
        return _choose_page(service, exc.errors, 422)
    except DomainError as exc:  # a conflict (a change is pending), or a plugin refused to price it
        return _choose_page(service, {"product": exc.message}, exc.status)
    if refused:
        flash(translated(refused), "error")
    # the balance is applied by itself; a method the provider does not offer is not shown
    methods = [m for m in all_methods() if m.code != "balance" and m.enabled()]
    page = render_template(
        "client/service_change_summary.html",
        service=service,
        quote=quote,
        vat_rows=vat_rows(quote),
        refund=downgrade_refund(quote),
        documents=document_previews(quote) if quote.action == "pay" else [],
        methods=methods,
        form=EmptyForm(),
        quoted_at=quote.created_at.isoformat(),
    )
    # A quote is only good now: "Back" from the payment page must ask again (and then
    # show the change waiting for payment), not show this page from the browser's cache.
    return page, status, {"Cache-Control": "no-store"}


@bp.route("/services/<int:service_id>/change/confirm", methods=["POST"])
@login_required
def confirm(service_id: int) -> Any:
    """Confirm the summary: issue the proforma (and pay) or apply/schedule the change."""
    service = own_service(service_id)
    if not EmptyForm().validate_on_submit():
        abort(400)
    product, cycle = _choice()
    try:
        quoted_at = datetime.fromisoformat(request.form.get("quoted_at", ""))
    except ValueError:
        quoted_at = None
    try:
        result = confirm_change(
            g.customer.id,
            service.id,
            product,
            cycle,
            expected_gross=request.form.get("expected_gross") or None,
            quoted_at=quoted_at,
            actor=g.customer,
            ip=access.client_ip(),
        )
    except ValidationError as exc:
        return _choose_page(service, exc.errors, 422)
    except Conflict as exc:
        flash(translated(exc.message), "warning")
        if exc.code in ("quote_changed", "quote_expired"):
            return redirect(url_for("upgrades.summary", service_id=service.id, product=product, cycle=cycle))
        return redirect(url_for("upgrades.choose", service_id=service.id))
    except EmailNotVerified:
        raise  # the page that says why, with the link to send the confirmation again
    except DomainError as exc:
        # A plugin refused (pricing, issuing the proforma, applying the change): nothing happened.
        return _summary_page(service, exc.status, refused=exc.message)
    if result.status == "scheduled" and result.change.apply_on is not None:
        flash(gettext("The change is scheduled for %(date)s.", date=format_date(result.change.apply_on)), "success")
        return redirect(url_for("client.service_detail", service_id=service.id))
    if result.status == "applied":
        flash(gettext("The package was changed."), "success")
        return redirect(url_for("client.service_detail", service_id=service.id))
    document = result.document
    if document is None:  # awaiting payment always has its proforma
        abort(500)
    code = request.form.get("method", "")
    if code and amount_due(document) > 0:
        try:
            method = get_method(code)
        except DomainError:
            method = None
        if method is not None and method.available_for(document):
            from core.web.payments import start_payment

            return start_payment(method, document)
    return redirect(url_for("payments.invoice", document_id=document.id))


def _what_cancelling_does(service: Service, change: ServiceChange) -> list[str]:
    """What cancelling ``change`` does, in the words of :func:`core.upgrades.apply.cancel_change`."""
    said = [
        gettext(
            "Your service keeps the package %(product)s; the change to %(target)s will not happen.",
            product=service.product.name,
            target=change.to_product.name,
        )
    ]
    if change.status == "awaiting_payment":
        said.append(gettext("Its proforma is cancelled; what you already paid on it goes to your credit balance."))
    said.append(gettext("To change the package later, you choose it and confirm a new price."))
    return said


@bp.route("/services/<int:service_id>/change/<int:change_id>/cancel", methods=["POST"])
@login_required
def cancel(service_id: int, change_id: int) -> Any:
    """Cancel the scheduled (or unpaid) change before it applies."""
    service = own_service(service_id)
    if not EmptyForm().validate_on_submit():
        abort(400)
    change = ServiceChange.get_or_none((ServiceChange.id == change_id) & (ServiceChange.service == service))
    if change is None:
        abort(404)
    if not confirm_step.confirmed():
        return confirm_step.ask(
            title=gettext("Cancel the change to %(product)s?", product=change.to_product.name),
            what_happens=_what_cancelling_does(service, change),
            confirm_label=gettext("Cancel the change"),
            cancel_url=url_for("upgrades.choose", service_id=service.id),
        )
    with FormErrors():  # already applied, or a plugin refused (cancelling the proforma): the message says so
        cancel_change(g.customer.id, change.id, actor=g.customer, ip=access.client_ip())
        flash(gettext("The change was cancelled."), "success")
    return redirect(url_for("client.service_detail", service_id=service.id))
