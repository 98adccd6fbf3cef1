"""A panel with one object of every kind a route can name, for the tests generated from the URL map.

:func:`build_world` makes two customers, A and B, each with billing data, a
service, an upgrade waiting for payment (its change and proforma), a paid
proforma with its VAT invoice, a second service with a cancellation request,
a ticket with an attachment and an encrypted message, a top-up of the balance,
and an API token; and the staff side: an administrator, a support
member, a department, products, a bank and an imported statement. Every text
a person can type is ``text`` (a name, a subject, a feature...), so the XSS
test stores its payloads through the same builder.

:data:`PARAMS` says, for every path parameter name of every route, which
object of the world fills it: :func:`values_for` fails loudly for a name it
does not know, so a new route whose parameter nobody described stops the
generated tests (IDOR, CSRF, hostile input) until someone does.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from flask import Flask
from flask.testing import FlaskClient
from werkzeug.routing import Rule

from core import clock, db
from core.accounts import tokens as account_tokens
from core.api import tokens as api_tokens
from core.billing_data.service import change_billing_data
from core.documents.build import LineInput
from core.documents.issuing import issue_document
from core.models import Customer, Document, LedgerEntry, Payment, Product, Service, Staff
from core.orders.placing import place_order
from core.payments.recording import record_payment
from core.services.cancellation import request_cancellation
from core.tickets import service as tickets
from core.tickets.models import Department, DepartmentMember, TicketMessage
from core.tickets.pending import Upload
from core.upgrades.confirm import confirm_change
from plugins.promotions.models import PromoCode
from plugins.przelewy24.models import P24Refund, P24Session
from tests.helpers import PASSWORD, login, make_customer, make_staff, staff_login
from tests.statement_helpers import statement
from tests.upgrade_helpers import link, product, service, setup_seller

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64
ARMORED = "-----BEGIN PGP MESSAGE-----\n\nhQEMA0xxxxxxxxxx\n=abcd\n-----END PGP MESSAGE-----\n"


@dataclass
class Holder:
    """What one customer owns."""

    customer: Customer
    service: Service
    change_id: int
    open_proforma: Document
    paid_proforma: Document
    vat_invoice: Document
    payment: Payment
    ticket_id: int
    message_id: int
    encrypted_message_id: int
    attachment_id: int
    api_token_id: int
    api_token: str
    reset_token: str
    verify_token: str
    p24_session: str
    cancelling_service_id: int
    cancellation_id: int
    order_id: int
    deposit_id: int  # the ledger entry of a top-up (its payment confirmation)

    @property
    def email(self) -> str:
        return str(self.customer.email)


@dataclass
class World:
    """Two customers, the staff, and the shared objects (see the module docstring)."""

    a: Holder
    b: Holder
    admin: Staff
    support: Staff
    department: Department
    products: dict[str, Product]
    bank_id: int
    import_id: int
    entry_id: int
    p24_refund_id: int
    text: str
    extra: dict[str, Any] = field(default_factory=dict)

    def holder(self, owner: str) -> Holder:
        return self.a if owner == "a" else self.b


# -- the registry: which object fills which path parameter --------------------------------


@dataclass(frozen=True)
class Param:
    """How to fill one path parameter: ``value(world, owner)``; ``owned`` when it names a customer's object."""

    value: Callable[[World, str], Any]
    owned: bool


PARAMS: dict[str, Param] = {
    # a customer's objects: another customer asking for them gets 404
    "document_id": Param(lambda w, o: w.holder(o).open_proforma.id, owned=True),
    "service_id": Param(lambda w, o: w.holder(o).service.id, owned=True),
    "change_id": Param(lambda w, o: w.holder(o).change_id, owned=True),
    "ticket_id": Param(lambda w, o: w.holder(o).ticket_id, owned=True),
    "message_id": Param(lambda w, o: w.holder(o).encrypted_message_id, owned=True),
    "attachment_id": Param(lambda w, o: w.holder(o).attachment_id, owned=True),
    "token_id": Param(lambda w, o: w.holder(o).api_token_id, owned=True),
    "payment_id": Param(lambda w, o: w.holder(o).payment.id, owned=True),
    "session_id": Param(lambda w, o: w.holder(o).p24_session, owned=True),  # a Przelewy24 checkout attempt
    # staff-side objects (admin routes only)
    "customer_id": Param(lambda w, o: w.holder(o).customer.id, owned=False),
    "product_id": Param(lambda w, o: w.products["basic"].id, owned=False),
    "department_id": Param(lambda w, o: w.department.id, owned=False),
    "staff_id": Param(lambda w, o: w.support.id, owned=False),
    "bank_id": Param(lambda w, o: w.bank_id, owned=False),
    "import_id": Param(lambda w, o: w.import_id, owned=False),
    "entry_id": Param(lambda w, o: w.entry_id, owned=False),
    "refund_id": Param(lambda w, o: w.p24_refund_id, owned=False),
    "request_id": Param(lambda w, o: w.holder(o).cancellation_id, owned=True),  # a cancellation request
    "order_id": Param(lambda w, o: w.holder(o).order_id, owned=True),
    "slug": Param(lambda w, o: w.products["basic"].slug, owned=False),  # a package on the order page
    "promo_id": Param(lambda w, o: w.extra["promo_id"], owned=False),
    "deposit_id": Param(lambda w, o: w.holder(o).deposit_id, owned=True),  # a top-up's ledger entry
    # not objects
    "method_code": Param(lambda w, o: "banktransfer", owned=False),
    "lang": Param(lambda w, o: "en", owned=False),
    "token": Param(lambda w, o: w.holder(o).reset_token, owned=False),
    "filename": Param(lambda w, o: "app.css", owned=False),
}

#: Per endpoint, parameters that mean something else there than in :data:`PARAMS`.
ENDPOINT_PARAMS: dict[tuple[str, str], Param] = {
    ("auth.verify", "token"): Param(lambda w, o: w.holder(o).verify_token, owned=False),
    ("documents.client_pdf", "document_id"): Param(lambda w, o: w.holder(o).vat_invoice.id, owned=True),
    ("documents.client_xml", "document_id"): Param(lambda w, o: w.holder(o).vat_invoice.id, owned=True),
    ("admin_documents.admin_pdf", "document_id"): Param(lambda w, o: w.a.vat_invoice.id, owned=False),
    ("admin_documents.admin_xml", "document_id"): Param(lambda w, o: w.a.vat_invoice.id, owned=False),
    ("admin_documents.correct", "document_id"): Param(lambda w, o: w.a.vat_invoice.id, owned=False),
    ("api.invoice_pdf", "document_id"): Param(lambda w, o: w.holder(o).vat_invoice.id, owned=True),
    ("cancellations.withdraw", "service_id"): Param(lambda w, o: w.holder(o).cancelling_service_id, owned=True),
}


#: Config sections for the apps of the generated tests: Przelewy24 set up (towards a closed port), so
#: that its callbacks check signatures instead of answering "not configured".
CONFIG: dict[str, dict[str, Any]] = {
    "przelewy24": {
        "merchant_id": 1,
        "pos_id": 1,
        "crc": "world-crc",
        "api_key": "world-key",
        "base_url": "http://127.0.0.1:9",
    }
}


class UnknownParameter(AssertionError):
    """A route has a path parameter :data:`PARAMS` does not describe."""


def param_of(rule: Rule, name: str) -> Param:
    """How to fill ``name`` in ``rule``; raises :class:`UnknownParameter` for a name nobody described."""
    special = ENDPOINT_PARAMS.get((rule.endpoint, name))
    if special is not None:
        return special
    if name not in PARAMS:
        raise UnknownParameter(
            f"{rule.rule} ({rule.endpoint}) has the path parameter {name!r}, which tests/support/world.py "
            "does not know: add to PARAMS how to make the object it names, and say whether a customer owns it"
        )
    return PARAMS[name]


def owned_params(rule: Rule) -> list[str]:
    """The parameters of ``rule`` that name a customer's object."""
    return [name for name in sorted(rule.arguments) if param_of(rule, name).owned]


def values_for(world: World, rule: Rule, owners: dict[str, str] | None = None, default: str = "a") -> dict[str, Any]:
    """Path values for ``rule``: each parameter from ``owners.get(name, default)``'s objects."""
    owners = owners or {}
    return {name: param_of(rule, name).value(world, owners.get(name, default)) for name in rule.arguments}


def build_path(app: Flask, rule: Rule, values: dict[str, Any]) -> str:
    """The path of ``rule`` filled with ``values``."""
    with app.test_request_context():
        adapter = app.url_map.bind("localhost")
        return str(adapter.build(rule.endpoint, values, force_external=False))


# -- the routes ------------------------------------------------------------------------------

STATE_CHANGING = frozenset({"POST", "PUT", "PATCH", "DELETE"})


def app_rules(app: Flask) -> Iterator[Rule]:
    """Every rule of ``app`` except static files, in a stable order."""
    for rule in sorted(app.url_map.iter_rules(), key=lambda r: (r.rule, r.endpoint)):
        if rule.endpoint != "static":
            yield rule


def area_of(rule: Rule) -> str:
    """``admin`` (staff only), ``api`` (JSON, token or session) or ``client`` (everything else)."""
    if rule.rule.startswith("/admin"):
        return "admin"
    if rule.rule.startswith("/api/"):
        return "api"
    return "client"


def methods_of(rule: Rule) -> list[str]:
    """The methods a person would use on ``rule`` (no HEAD or OPTIONS)."""
    return sorted(set(rule.methods or ()) - {"HEAD", "OPTIONS"})


# -- building it -----------------------------------------------------------------------------


def _holder(email: str, text: str, products: dict[str, Product], department: Department, staff: Staff) -> Holder:
    customer = make_customer(email, first_name=text[:100], last_name=text[:100])
    with db.connection():
        change_billing_data(
            customer,
            {
                "kind": "company",
                "name": text,
                "tax_id": "5260250274",
                "address_line1": text[:200],
                "postcode": "90-006",
                "city": text[:100],
                "country": "PL",
            },
            actor=customer,
        )
        svc = service(
            customer,
            products["basic"],
            "monthly",
            date(2026, 3, 1),
            date(2026, 3, 1),
            date(2026, 4, 1),
            "50.00",
            label=text[:100],
        )
        confirmation = confirm_change(customer.id, svc.id, products["pro"].id, "monthly", actor=customer)
        assert confirmation.document is not None
        with db.write_transaction():
            paid = issue_document(customer, "proforma", [LineInput(text[:200], Decimal(1), "szt.", Decimal("10.00"))])
        outcome = record_payment("banktransfer", f"WORLD-{customer.id}", paid.total_gross, paid)
        vat = Document.get((Document.kind == "vat") & (Document.proforma_id == paid.id))
        ticket = tickets.open_ticket(
            customer,
            department_id=department.id,
            subject=text[:200],
            body=text,
            service_id=svc.id,
            uploads=[Upload("zrzut.png", PNG)],
        )
        message = TicketMessage.get(TicketMessage.ticket == ticket)
        tickets.reply(ticket, staff, text)
        with db.write_transaction():
            encrypted = TicketMessage.create(
                ticket=ticket,
                author_kind="customer",
                author_id=customer.id,
                author_name=customer.full_name,
                body=ARMORED,
                encrypted=True,
            )
        attachment = message.attachments.get()
        token, raw = api_tokens.create_token(customer, text[:100])
        with db.write_transaction():
            reset = account_tokens.issue("reset_password", "customer", customer.id, timedelta(hours=1))
            verify = account_tokens.issue("verify_email", "customer", customer.id, timedelta(hours=1))
            p24 = P24Session.create(
                session_id=f"hb-{confirmation.document.id}-world",
                customer=customer,
                document=confirmation.document,
                kind="blik",
                amount=confirmation.document.total_gross,
                currency=confirmation.document.currency,
                status="registered",
            )
    leaving = service(
        customer,
        products["start"],
        "monthly",
        date(2026, 3, 1),
        date(2026, 3, 1),
        date(2026, 4, 1),
        "25.00",
        label=text[:100],
    )
    with db.connection():
        cancellation = request_cancellation(customer, leaving.id, "end_of_period", text[:1000])
        order = place_order(
            customer,
            [{"product_id": products["basic"].id, "cycle": "monthly", "domain": "example.pl"}],
            accept_terms=True,
            payment_method="banktransfer",
        ).order
        topup = record_payment("banktransfer", f"WORLD-TOPUP-{customer.id}", Decimal("5.00"), customer_id=customer.id)
        deposit = LedgerEntry.get((LedgerEntry.payment_id == topup.payment.id) & (LedgerEntry.kind == "topup"))
    return Holder(
        customer=customer,
        service=svc,
        change_id=confirmation.change.id,
        open_proforma=confirmation.document,
        paid_proforma=paid,
        vat_invoice=vat,
        payment=outcome.payment,
        ticket_id=ticket.id,
        message_id=message.id,
        encrypted_message_id=encrypted.id,
        attachment_id=attachment.id,
        api_token_id=token.id,
        api_token=raw,
        reset_token=reset,
        verify_token=verify,
        p24_session=p24.session_id,
        cancelling_service_id=leaving.id,
        cancellation_id=cancellation.id,
        order_id=order.id,
        deposit_id=deposit.id,
    )


def build_world(text: str = "Zażółć gęślą jaźń") -> World:
    """The world of the module docstring, with ``text`` in every free-text field; the clock on 2026-03-16."""
    from plugins.bankstatements.importing import import_statement
    from plugins.bankstatements.models import Bank, StatementEntry

    clock.freeze("2026-03-16T12:00:00")
    with db.connection():
        setup_seller()
        admin = make_staff("admin@example.test", role="admin")
        support = make_staff("support@example.test", role="support")
        with db.write_transaction():
            Staff.update(name=text[:200]).where(Staff.id.in_([admin.id, support.id])).execute()
            department = Department.create(name=text[:100], slug="techniczny", description=text, notify_email="")
            DepartmentMember.create(department=department, staff=support)
        features = [[text[:100], text[:100]]]
        products = {
            "basic": product("basic", text[:100], {"monthly": "50.00"}, features),
            "pro": product("pro", text[:100], {"monthly": "100.00"}, features),
            "start": product("start", text[:100], {"monthly": "25.00"}, features),
        }
        link(*products.values())
        a = _holder("a@example.test", text, products, department, support)
        b = _holder("b@example.test", text, products, department, support)
        with db.write_transaction():
            bank = Bank.create(slug="pko", name=text[:120], format="mt940")
        record = import_statement(statement("zbp_pkobp_cp852.sta"), bank=bank, filename="wyciag.sta", staff=admin)
        entries = StatementEntry.select().where(StatementEntry.statement_import == record.id)
        first = entries.where(StatementEntry.state == "queued").first() or entries.order_by(StatementEntry.id).get()
        with db.write_transaction():
            refund = P24Refund.create(
                session=P24Session.get(P24Session.session_id == a.p24_session),
                payment=a.payment,
                customer_id=a.customer.id,
                amount=Decimal("1.00"),
                currency="PLN",
                request_id="world-refund",
                refunds_uuid="world-refund",
                status="unknown",
                reason=text[:255],
            )
    with db.write_transaction():
        promo = PromoCode.create(code="WORLD10", kind="percent", value=Decimal("10.00"), description=text[:255])
    return World(
        a=a,
        b=b,
        admin=admin,
        support=support,
        department=department,
        products=products,
        bank_id=bank.id,
        import_id=record.id,
        entry_id=first.id,
        p24_refund_id=refund.id,
        text=text,
        extra={"promo_id": promo.id},
    )


# -- people at the panel -----------------------------------------------------------------------


def customer_client(app: Flask, holder: Holder) -> FlaskClient:
    """A browser of ``holder``, logged in through the login form."""
    browser = app.test_client()
    response = login(browser, holder.email, PASSWORD)
    assert response.status_code == 302, response.status_code
    return browser


def admin_client(app: Flask, world: World) -> FlaskClient:
    """A browser of the administrator, logged in through the admin login form."""
    browser = app.test_client()
    response = staff_login(browser, world.admin.email, PASSWORD)
    assert response.status_code == 302, response.status_code
    return browser
