"""Hook specifications: every extension point of hookbill, in one place.

A plugin is a module or object with functions marked ``@hookimpl`` whose names
match the specs below; pluggy's ``check_pending()`` refuses an implementation
of a hook that does not exist, so a typo stops start-up instead of doing nothing.

Every spec says:

* **When** it is called (its first line).
* **Transaction**: whether it runs inside the database transaction of its
  event. Hooks inside a transaction may write to the database; they never do
  network or other slow I/O (queue an outbox message instead).
* **Refusal**: the hooks whose spec says so may refuse their event by raising
  :class:`HookRefused`. A refusal means one thing everywhere: the event's
  transaction is rolled back (nothing of it is written) and the person who
  caused the event is told the plugin's message: in the browser the form comes
  back with the message and what they typed, the JSON API answers 422 with
  ``{"error": "refused", "detail": message}``, the ``hookbill`` command prints
  the message and exits with status 1. A refused login leaves nobody logged in.
* **May change**: which arguments an implementation may modify.
* **Returns**: what the return value does. For ``firstresult`` hooks: *Stops at
  first non-None result.*

Implementations may accept a subset of the arguments, so a hook can grow new
arguments without breaking old plugins.

Any other exception raised by an implementation is a fault of that plugin: the
event rolls back, the person sees an error page (a payment gateway's callback a
JSON answer with status 500, so the gateway tries again), and one log line names
the plugin and the hook (:func:`core.plugins.failed_in`).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Literal

import pluggy

from core.errors import DomainError
from core.i18n import N_

if TYPE_CHECKING:
    from decimal import Decimal

    import click
    from flask import Blueprint

    from core.config import Config
    from core.documents.marks import DocumentMark
    from core.documents.snapshot import DocumentKind
    from core.extension import CronJob, MenuItem, MigrationSet, SettingSpec, TemplateContext
    from core.models import Customer, Document, LedgerEntry, Payment, Product, Service, ServiceChange, Staff
    from core.orders.models import Order
    from core.orders.quote import OrderQuote
    from core.outbox import Handler
    from core.payments.methods import PaymentMethod
    from core.services.models import CancellationRequest
    from core.tickets.models import Ticket, TicketMessage
    from core.tickets.pending import PendingAttachment
    from core.upgrades.provisioning import ProvisioningModule
    from core.upgrades.quote import Quote

PROJECT = "hookbill"

hookspec = pluggy.HookspecMarker(PROJECT)
hookimpl = pluggy.HookimplMarker(PROJECT)


class HookRefused(DomainError):
    """Raised by a hook implementation to refuse the event it is called for.

    The message is shown to the person who caused the event, so write it for
    them, in English marked for translation (``N_("...")``, with values
    ``N_("... %(name)s ...", name=value)``); the web layer shows it in the
    person's language. The transaction of the event is rolled back. A refusal is a
    :class:`core.errors.DomainError` (status 422, code ``refused``), so every
    place that shows a user's mistake shows a refusal the same way: the form
    again with the message, a 422 JSON error in the API, a message and exit
    status 1 in the CLI.
    """

    status = 422

    def __init__(self, message: str = N_("A plugin refused this.")) -> None:
        super().__init__(message, code="refused")


# ---------------------------------------------------------------------------
# Start-up: configuration, schema, web, CLI
# ---------------------------------------------------------------------------


@hookspec
def hookbill_configure(config: Config) -> None:
    """Called once at start-up, after the configuration is loaded and checked.

    **Transaction**: none; the database is bound but no transaction is open.

    :param config: the loaded configuration. **May change**: a plugin may add
        defaults for its own section; it must not change other sections. Read
        the section with ``config.section("name", DEFAULTS)``: it fills the
        defaults and already holds ``HOOKBILL_<NAME>_<KEY>`` from the
        environment, so a required key given only there is seen here.

    :returns: ignored.
    """


@hookspec
def hookbill_migrations() -> list[MigrationSet]:
    """Called by ``hookbill migrate`` to collect the schema migrations to run.

    **Transaction**: none while collecting; each migration then runs inside the
    migration transaction, under a lock that serialises concurrent ``migrate``.

    :returns: a list of :class:`core.extension.MigrationSet`, one per component
        (``"core"``, or the plugin's name). Each migration module in the package
        is named ``mNNNN_description.py`` and defines ``up(db, migrator)``;
        migrations run in name order and each at most once.
    """


@hookspec
def hookbill_blueprints(config: Config) -> list[Blueprint]:
    """Called once while the app is created, to collect Flask blueprints.

    **Transaction**: none. This hook is about the web: a blueprint's views may
    use Flask; they call domain services for anything that changes data.

    :param config: the configuration (read-only).
    :returns: a list of blueprints to register. A plugin's ``templates/`` and
        ``static/`` folders next to its module are found without this hook.
    """


@hookspec
def hookbill_cli_commands() -> list[click.Command]:
    """Called when the ``hookbill`` CLI starts, to collect extra sub-commands.

    **Transaction**: none; a command opens its own.

    :returns: a list of click commands added under ``hookbill``.
    """


@hookspec
def hookbill_demo_data(config: Config) -> list[str]:
    """Called by ``hookbill demo-data`` after the core's demo data is in the database.

    **Transaction**: none; the core's demo data is committed and an implementation
    opens its own transactions. It is called on every run, also when the demo data
    was already there, so it sets up only what is missing (running it twice is
    safe). It may do slow local work (e.g. generate a key pair), but no network I/O.

    :param config: the configuration (read-only).
    :returns: lines for the command to print (what was set up, or what to configure
        for it), or an empty list.
    """


@hookspec
def hookbill_settings() -> list[SettingSpec]:
    """Called when settings are listed (admin settings page, ``get_setting``).

    **Transaction**: none.

    :returns: a list of :class:`core.extension.SettingSpec` the plugin reads
        through :func:`core.settings.get_setting`. Each has a kind (``str``,
        ``text``, ``secret``, ``url``, ``int``, ``decimal``, ``bool``, ``choice``)
        and optional checks (``required``, ``minimum``/``maximum``, ``validate``);
        the admin settings page refuses a bad value with a message on its field
        and stores nothing. See ``docs/plugins.md``.
    """


@hookspec
def hookbill_cron_jobs() -> list[CronJob]:
    """Called by ``hookbill cron`` to collect periodic jobs.

    **Transaction**: none while collecting; each job opens its own transactions
    (short ones: a job over many rows commits in batches, as the renewal run
    does, so it never holds a lock for the whole run).
    A job is claimed per time slot in the database, so running ``hookbill cron``
    on several nodes at once runs each job once per slot.

    :returns: a list of :class:`core.extension.CronJob`.
    """


@hookspec
def hookbill_outbox_handlers() -> dict[str, Handler]:
    """Called when the outbox worker starts, to map message kinds to handlers.

    **Transaction**: none. A handler is ``handler(payload: dict) -> None`` and
    runs after the queuing transaction committed, outside any transaction; it
    may do network I/O. Raising makes the worker retry later with back-off.

    :returns: ``{kind: handler}``. Two plugins claiming one kind stop start-up.
    """


# ---------------------------------------------------------------------------
# Web: menus and template snippets
# ---------------------------------------------------------------------------


@hookspec
def hookbill_client_menu(customer: Customer) -> list[MenuItem]:
    """Called on every client-area page render, to build the main menu.

    **Transaction**: none (read-only request).

    :param customer: the logged-in :class:`core.models.Customer`. Do not change.
    :returns: a list of :class:`core.extension.MenuItem`, merged and sorted by
        ``order`` with everyone else's.
    """


@hookspec
def hookbill_admin_menu(staff: Staff) -> list[MenuItem]:
    """Called on every admin-area page render, to build the staff menu.

    **Transaction**: none (read-only request).

    :param staff: the logged-in :class:`core.models.Staff`. Do not change.
    :returns: a list of :class:`core.extension.MenuItem`; items whose ``roles``
        exclude the staff member's role are hidden.
    """


@hookspec
def hookbill_template_snippet(name: str, context: TemplateContext) -> str | None:
    """Called where a template asks for the snippets named ``name``.

    **Transaction**: none (rendering).

    :param name: one of :data:`core.extension.TEMPLATE_HOOK_NAMES`; any other
        name raises, so a typo fails loudly.
    :param context: the page's variables. Do not change.
    :returns: HTML (``markupsafe.Markup``, or a string that is escaped) to
        insert, or None for nothing. All results are joined in plugin order.
    """


# ---------------------------------------------------------------------------
# Accounts
# ---------------------------------------------------------------------------


@hookspec
def on_customer_registered(customer: Customer) -> None:
    """Called when a customer account was created (by registering, before its e-mail is verified; or by the demo data).

    **Transaction**: inside the registration transaction; raise
    :class:`HookRefused` to refuse the registration: no account is created and
    the registration form comes back with the message and what was typed.

    :param customer: the new :class:`core.models.Customer` (saved, has an id).
        **May change**: fields of the customer (save them yourself).

    :returns: ignored.
    """


@hookspec
def on_customer_updated(customer: Customer, changes: dict[str, tuple[object, object]]) -> None:
    """Called when a customer's profile or billing data changed.

    **Transaction**: inside the update transaction (the profile form, the
    language switch, billing data, staff changing the account's status); raise
    :class:`HookRefused` to refuse the change: nothing of it is saved.

    :param customer: the :class:`core.models.Customer` after the change.
    :param changes: ``{field: (old, new)}``; a billing data change (a new
        :class:`core.models.BillingProfile` version) keys its fields
        ``billing.<field>`` (``billing.kind``, ``billing.tax_id``...); a private
        person's request for invoices for advances, saved with the billing
        data, is ``advance_invoices`` (booleans). Do not change.
    :returns: ignored.
    """


@hookspec
def on_password_changed(
    account: Customer | Staff, kind: Literal["customer", "staff"], how: Literal["changed", "reset"]
) -> None:
    """Called when a password was changed, by its owner or through a reset link.

    **Transaction**: inside the change's transaction (the new password is saved
    in it and the account's other sessions are ended); raise
    :class:`HookRefused` to refuse the change: the old password stays.

    :param account: the :class:`core.models.Customer` or :class:`core.models.Staff`. Do not change.
    :param kind: ``"customer"`` or ``"staff"``.
    :param how: ``"changed"`` (the owner gave the current password) or
        ``"reset"`` (through a reset link sent by e-mail). The API plugin revokes
        the customer's API tokens here, either way: whoever changes a password
        may not trust what the old one made.
    :returns: ignored.
    """


@hookspec
def on_login(account: Customer | Staff, kind: Literal["customer", "staff"], ip: str) -> None:
    """Called when someone completed a login (password and any second factor).

    **Transaction**: inside the login transaction; raise :class:`HookRefused`
    to refuse the login. The session is logged in only after every
    implementation returned: after a refusal (or any error) the person is not
    logged in and sees the login form with the message.

    :param account: the :class:`core.models.Customer` or :class:`core.models.Staff`.
    :param kind: ``"customer"`` or ``"staff"``.
    :param ip: the client's address.

    **May change**: nothing; the account and session are final. Refuse with HookRefused.

    :returns: ignored.
    """


@hookspec(firstresult=True)
def login_second_factor(account: Customer | Staff, kind: Literal["customer", "staff"]) -> str | None:
    """Called after a right password, to ask whether a second factor is due.

    **Transaction**: none (read-only). Stops at first non-None result.

    :param account: the :class:`core.models.Customer` or :class:`core.models.Staff`.
    :param kind: ``"customer"`` or ``"staff"``.
    :returns: the URL path of the page that asks for the second factor, or None.
        While it is due the session is *partial*: every page except that path
        (and its sub-paths), logout and static files redirects to it. The plugin
        calls :func:`core.web.access.complete_second_factor` when it succeeds.
    """


@hookspec
def on_logout(account: Customer | Staff, kind: Literal["customer", "staff"]) -> None:
    """Called when someone logged out of one session.

    **Transaction**: inside the logout transaction; refusing is not possible
    (a raise is logged and ignored).

    :param account: the :class:`core.models.Customer` or :class:`core.models.Staff`.
    :param kind: ``"customer"`` or ``"staff"``.

    **May change**: nothing.

    :returns: ignored.
    """


@hookspec
def on_logout_everywhere(account: Customer | Staff, kind: Literal["customer", "staff"]) -> None:
    """Called when the owner ended every session of their account at once ("log out everywhere").

    **Transaction**: inside the transaction that deletes the account's sessions.
    An error rolls all of it back: nobody is logged out and the person sees
    the error, so a credential a plugin keeps is never left working while the
    person believes everything ended. The API plugin revokes the customer's
    API tokens here.

    :param account: the :class:`core.models.Customer` or :class:`core.models.Staff`.
    :param kind: ``"customer"`` or ``"staff"``.

    **May change**: what the plugin keeps for the account (its own credentials).

    :returns: ignored.
    """


# ---------------------------------------------------------------------------
# Catalogue, services and provisioning
# ---------------------------------------------------------------------------


@hookspec
def hookbill_provisioning_modules() -> list[ProvisioningModule]:
    """Called at start-up to collect provisioning modules (control panel connectors).

    **Transaction**: none.

    :returns: a list of objects with a ``code`` attribute and the methods
        ``create(service)``, ``suspend(service)``, ``unsuspend(service)``,
        ``terminate(service)`` and ``change_package(service, product)``. They are
        called by the outbox worker after commit, never inside a transaction.
    """


@hookspec
def hookbill_change_targets(service: Service, products: tuple[Product, ...]) -> list[Product] | None:
    """Called when the packages a service may change to are listed, to leave some out.

    The same list serves the package cards ("Upgrade / Downgrade"), the quote
    builder (a package left out is refused there with "This service cannot
    change to that package.", in the browser and the API alike) and the API's
    list of packages, so a package a plugin leaves out is neither shown nor
    priced nor confirmed. The service's current package is always listed (its
    other billing cycles are a change too) and is not among ``products``.

    **Transaction**: none while the page or the API lists them; inside the
    confirmation's transaction when the customer confirms. Read-only: no
    writes, no I/O.

    :param service: the :class:`core.models.Service` being changed. Do not change.
    :param products: the active packages its change paths reach, each a
        :class:`core.models.Product`. Do not change (a tuple: every
        implementation sees all of them).

    :returns: the products of ``products`` this plugin allows, or None for no
        opinion. A package stays only when every implementation that answered
        kept it; a product not in ``products`` is ignored.
    """


@hookspec
def on_upgrade_quote(quote: Quote) -> None:
    """Called to price a change of a service's package and/or billing cycle: the quote is the accumulator.

    Implementations add money lines to the quote; the core computes everything
    else from the lines after every implementation has run
    (:func:`core.upgrades.settle.settle`): the totals per VAT rate with VAT once
    per rate (as the proforma computes it), net, VAT and gross, what confirming
    does (``action``: pay, apply, credit or schedule), the staff credit on the
    balance given as a discount, the deposits applied and what is left to pay.
    So a line a plugin adds is priced by the same rules and appears on the
    summary page, the proforma (and its PDF) and in the API without a template
    of its own. The proration plugin is ``tryfirst`` (adds the ``credit`` and
    ``charge`` lines), the balance plugin ``trylast`` (offers the deposits on
    the balance: ``balance_offered``); an implementation in between sees their
    lines. For example, a discount::

        @hookimpl
        def on_upgrade_quote(quote):
            if quote.charge > quote.credit:
                amount = round_money(quote.charge * Decimal("0.05"))
                quote.add_line("discount", document_text(N_("Loyalty discount 5%%")), -amount,
                               label=N_("Loyalty discount 5%%"), short_label=N_("loyalty discount"))

    **Transaction**: none while the summary is shown; inside the confirmation's
    transaction when the customer confirms. Pure: an implementation must not
    write to the database or do I/O; the same code prices the browser summary,
    the API and the tests.

    **Refusal**: raise :class:`HookRefused` to refuse the change, with a
    message for the customer (``raise HookRefused(N_("Downgrades are possible
    after 30 days."))``): the package cards page comes back with the message (422),
    confirming shows it and confirms nothing, the API's quote and change
    endpoints answer ``422 {"error": "refused", "detail": message}``. To hide
    a package instead of refusing it, implement ``hookbill_change_targets``.

    :param quote: the :class:`core.upgrades.quote.Quote`, holding the customer,
        the service, the target product and cycle, the change date, the prices,
        the buyer's VAT rate and the available balance. **May change**: its
        ``new_price`` only in a ``wrapper=True`` implementation, before the others
        run (the promotions plugin prices a package within a kept recurring code's
        scope at its discounted price there); its ``lines`` (add with
        ``quote.add_line(kind, description, net, label=..., short_label=...)``;
        ``kind`` is ``discount`` for a price reduction, or a word of the plugin's
        own such as ``fee``; ``description`` goes on the documents in the
        provider's language, ``label`` on the summary page in the customer's;
        the net in whole grosze), ``notes`` and
        ``balance_offered``; never the customer, the service or the target (the
        core checks). Totals, ``action`` and ``to_pay`` written here are
        overwritten by the core.

    :returns: ignored; the quote is changed in place.
    """


@hookspec
def on_service_changed(service: Service, change: ServiceChange) -> None:
    """Called when a service got a new package, cycle or price.

    **Transaction**: inside the transaction that applies the change (the
    confirmation's, the payment's, or the cron run's for a scheduled downgrade);
    raise :class:`HookRefused` to refuse the change: that whole transaction rolls
    back (the payment too), and whoever caused it sees the message.

    :param service: the :class:`core.models.Service` after the change.
    :param change: the :class:`core.models.ServiceChange` being applied.

    **May change**: the service's ``module_ref`` and other non-billing fields
    (save them yourself); never its price, cycle or dates.

    :returns: ignored.
    """


@hookspec
def on_service_status_changed(service: Service, old_status: str, new_status: str) -> None:
    """Called when a service is provisioned, suspended, unsuspended, terminated or cancelled.

    **Transaction**: inside the transaction that changes the status; raise
    :class:`HookRefused` to refuse: the status stays and nothing is queued.
    The renewal run suspends and terminates unpaid services in batches, each
    service in its own savepoint of the batch's transaction: a refusal there
    keeps that service as it is (the next run tries again) and the batch goes on.

    :param service: the :class:`core.models.Service` after the change.
    :param old_status: the status before.
    :param new_status: the status after.

    **May change**: nothing; refuse with HookRefused.

    :returns: ignored.
    """


@hookspec
def on_cancellation_requested(service: Service, request: CancellationRequest) -> None:
    """Called when a customer asks to cancel a service, before staff see the request.

    The request is stored and the service's open renewal proforma was cancelled
    (no renewal is issued while the request is open); staff approve or refuse it
    later, and the service ends through ``on_service_status_changed`` (new status
    ``cancelled``) on its day. A plugin may refuse a cancellation its terms do not
    allow (a minimum term, a service that must be migrated first)::

        @hookimpl
        def on_cancellation_requested(service, request):
            if request.timing == "immediate" and service.product.slug == "dedicated":
                raise HookRefused(N_("A dedicated server ends at the end of its paid period."))

    **Transaction**: inside the request's transaction, with the customer's money
    lock held; raise :class:`HookRefused` to refuse: nothing of the request is
    kept (the renewal proforma stays open), and the customer reads the message
    on the service's page.

    :param service: the :class:`core.models.Service` to be cancelled. Do not change.
    :param request: the saved :class:`core.services.models.CancellationRequest`:
        ``timing`` (``end_of_period`` or ``immediate``), ``ends_on`` (the day the
        service is to end), the customer's ``reason``.

    **May change**: nothing; refuse with HookRefused.

    :returns: ignored.
    """


# ---------------------------------------------------------------------------
# Orders: the cart, checkout and the services an order creates
# ---------------------------------------------------------------------------


@hookspec
def on_order_quote(quote: OrderQuote) -> None:
    """Called to price a cart or an order: the quote is the accumulator, as for ``on_upgrade_quote``.

    The core puts one item per cart item in at its catalogue price; an
    implementation lowers an item's price with
    ``quote.discount_item(index, amount, label=..., recurring=...)`` (kind
    ``discount``: it stays on the item's own line and is printed there as its
    discount, "rabat", never as a separate negative line), adds a line of its
    own kind with ``quote.add_line(kind, description, net, label=...)`` (a
    ``fee``; not negative), or offers the credit balance (``balance_offered``:
    the balance plugin, ``trylast``). After every implementation ran, the core
    computes the totals per VAT rate (VAT once per rate, as the proforma does),
    the balance applied and what is left to pay
    (:func:`core.orders.quote.settle`). For example, 10% off annual plans::

        @hookimpl
        def on_order_quote(quote):
            for item in quote.items:
                if item.cycle == "annually":
                    quote.discount_item(item.index, item.net * Decimal("0.10"), label=N_("10%% off annual plans"))

    **Transaction**: none while the order page, the cart or the checkout show
    it; inside the order's transaction when the customer places the order.
    Pure: an implementation reads the database but never writes or does I/O.

    **Refusal**: raise :class:`HookRefused` with a message for the customer
    (an unknown or expired promotion code): the cart or checkout comes back with
    the message (422) and nothing is ordered; the API answers
    ``422 {"error": "refused", "detail": message}``.

    :param quote: the :class:`core.orders.quote.OrderQuote`: ``customer`` (None
        for a visitor's cart), ``buyer``, ``items``, ``promo_code``, ``consumer``,
        ``balance_available``. **May change**: the items' discounts (through
        ``discount_item``), ``lines``, ``notes``, ``balance_offered``; never the
        customer, the buyer, or an item's product, cycle, quantity, domain or
        price (the core checks). Totals written here are overwritten by the core.

    :returns: ignored; the quote is changed in place.
    """


@hookspec
def on_order_placed(order: Order, quote: OrderQuote) -> None:
    """Called when a customer placed an order, before its proforma is issued.

    **Transaction**: inside the order's transaction, with the customer's money
    lock held; the order and its items are saved. The promotions plugin reserves
    a use of its code here (and refuses when the code's uses ran out under
    concurrency). Raise :class:`HookRefused` to refuse the order: nothing of it
    is stored and the checkout comes back with the message (the API answers 422).
    Queue network I/O in the outbox.

    :param order: the saved :class:`core.orders.models.Order` (``status`` is
        ``awaiting_payment``, or ``awaiting_check`` while the buyer's EU VAT ID
        waits for VIES). Do not change.
    :param quote: the settled :class:`core.orders.quote.OrderQuote` the order
        was placed at (frozen in ``order.quote``). Do not change.

    :returns: ignored.
    """


@hookspec
def on_service_created(service: Service, order: Order | None) -> None:
    """Called when a service was created: an order was paid, or staff added it by hand.

    **Transaction**: inside the transaction that creates it (the payment's, for
    an order; the staff's form, by hand): the service is saved with its billing
    anchor and first period. An ordered one is ``pending`` and right after the
    hook it is activated, which queues the provisioning module's ``create`` in
    the outbox; one staff add has the status they chose. Raise
    :class:`HookRefused` to refuse: the whole transaction rolls back (the
    payment too), and whoever caused it sees the message.

    :param service: the new :class:`core.models.Service`. **May change**: its
        ``label`` and ``module_ref`` (save them yourself); never its price,
        cycle or dates.
    :param order: the :class:`core.orders.models.Order` it was ordered in, or
        None when staff added it by hand. Do not change.

    :returns: ignored.
    """


@hookspec(firstresult=True)
def hookbill_renewal_list_price(service: Service, product: Product, cycle: str, net: Decimal) -> Decimal | None:
    """Called while a renewal proforma is priced, for the price before a discount the service keeps.

    A service may renew below its package's price because of a plugin's
    recurring discount (a promotion code): its renewal line then prints the
    price before the discount as the unit price and the difference as the
    line's discount (rabat; KSeF ``P_10``), as the order's documents did,
    instead of the lower price as if it were the price. Staff credit on the
    balance is a discount of its own, added by the core after this.

    **Transaction**: inside the renewal's issuing transaction (and the cron's
    check whether an open renewal needs re-pricing). Read-only: no writes, no
    I/O. Stops at first non-None result.

    :param service: the :class:`core.models.Service` being renewed. Do not change.
    :param product: the :class:`core.models.Product` the renewal bills (a
        scheduled change's target, else the service's package). Do not change.
    :param cycle: the billing cycle the renewal bills.
    :param net: the net price of one period the renewal charges, after the discount.

    :returns: the net price of one period before the discount (whole grosze,
        above ``net``): the line's unit price, with ``net`` as its price after
        the discount; None, or a price not above ``net``: ``net`` is printed as
        the price.
    """


# ---------------------------------------------------------------------------
# Documents, payments and the credit balance
# ---------------------------------------------------------------------------


@hookspec
def hookbill_payment_methods() -> list[PaymentMethod]:
    """Called when payment methods are listed (summary page, proforma page, admin).

    **Transaction**: none.

    :returns: a list of payment method objects (see
        :class:`core.payments.methods.PaymentMethod`): each has a ``code``, a
        ``label``, ``enabled()`` (whether the provider offers it at all: a
        method that is not enabled is never listed, yet names its earlier
        payments), ``available_for(document)`` and ``start(document, amount)``.
    """


@hookspec(firstresult=True)
def hookbill_seller_overrides(customer: Customer, kind: DocumentKind) -> dict[str, str] | None:
    """Called while a document is issued, to adapt the seller's payment details printed on it.

    **Transaction**: inside the issuing transaction, after the number was
    taken and before the snapshot is frozen; an implementation may read and
    write the database but does no network I/O. Raising :class:`HookRefused` refuses the
    issue. Stops at first non-None result. The renewal run issues a batch of
    renewal proformas in one transaction, each in its own savepoint: there a
    refusal rolls back that renewal alone, which the next run tries again.

    :param customer: the :class:`core.models.Customer` the document is issued
        to. Do not change.
    :param kind: ``"proforma"``, ``"vat"`` or ``"correction"``.
    :returns: ``{"bank_account": ..., "bank_name": ...}`` (either key may be
        left out) to print on this document instead of the stored seller data,
        e.g. the customer's own virtual account number on a proforma; or None
        to print the stored data. Only these two keys may be returned: the
        seller's name, tax id and address are the same on every document.
    """


@hookspec(firstresult=True)
def hookbill_ksef_number(document: Document) -> str | None:
    """Called while a correcting invoice is issued, for the KSeF number of the invoice it corrects.

    **Transaction**: inside the issuing transaction, before the snapshot is
    frozen; read-only, no network I/O. Stops at first non-None result.

    :param document: the corrected :class:`core.models.Document` (a VAT invoice
        or an earlier correction). Do not change.
    :returns: its 35-character number in KSeF, the national e-invoice system,
        when it has one: the correction's snapshot records it, its FA(3) names
        it (``NrKSeF``) and its PDF prints it; None when it has none.
    """


@hookspec
def hookbill_document_marks(document: Document, lang: str) -> list[DocumentMark] | None:
    """Called when a document's PDF is rendered or its stored copy checked, for the plugin's marks on it.

    **Transaction**: none (after commit); read the database, no network I/O
    (the PDF is rendered on downloads too).

    :param document: the :class:`core.models.Document`. Do not change.
    :param lang: the PDF's language (``app.language``): translate the marks into it.
    :returns: :class:`core.documents.marks.DocumentMark` blocks printed at the
        end of the PDF (title, lines, QR codes with caption and link), or None.
        What they say is part of the stored PDF's state: when a mark changes,
        the next download renders the PDF again; queue the ``document_pdf``
        outbox message to refresh the stored copy at once.
    """


@hookspec
def hookbill_hold_document_mail(document: Document) -> bool | None:
    """Called by the ``document_issued`` outbox handler before it mails a new document to the customer.

    **Transaction**: none (after commit); an implementation may open its own
    write transaction (to remember that it holds the mail), no network I/O.

    :param document: the issued :class:`core.models.Document`. Do not change.
    :returns: True to hold the mail: the PDF is stored, nothing is mailed, and
        the plugin calls :func:`core.documents.notify.mail_document` when the
        wait is over (once; later calls do nothing). Any other value lets it go.
    """


@hookspec
def on_invoice_issue(document: Document) -> None:
    """Called when a proforma, VAT invoice or correcting invoice was issued.

    **Transaction**: inside the issuing transaction, after the number was
    assigned and the snapshot taken. Raise :class:`HookRefused` to refuse the
    issue: the document is not issued (its number is not used) and what asked
    for it (confirming a package change, a renewal) does not happen. The
    balance plugin settles credit here. Rendering a PDF or sending it happens
    after commit (outbox), never here. The renewal run issues renewal proformas
    in batches: one transaction per batch (``billing.renewal_batch_size``), each
    proforma in its own savepoint, called once per proforma as for a single
    issue. A refusal (or any error) there rolls back that renewal alone, its
    number with it; the batch's other renewals are kept and the refused one is
    tried again by the next run. Writes of an implementation commit with the
    batch, so do not count on a commit per document.

    :param document: the saved :class:`core.models.Document`. **May change**:
        only its payment state through the payment services; the snapshot is
        frozen.

    :returns: ignored.
    """


@hookspec
def on_payment(payment: Payment, document: Document | None) -> None:
    """Called when a payment was recorded against a document.

    **Transaction**: inside the payment's transaction, with the customer's money
    lock held; what plugins do here (settle the proforma, apply a paid change,
    issue the VAT invoice) commits or rolls back with the payment. A duplicate
    payment (same method and transaction id) never reaches this hook.

    :param payment: the saved :class:`core.models.Payment`.
    :param document: the :class:`core.models.Document` it pays, or None for a
        top-up of the balance.

    **May change**: the document's payment state only through
    :mod:`core.payments` and the services of :mod:`core.upgrades` (they save
    it); never the payment itself. After every implementation returned, the
    core reads the document again from the database: ``on_invoice_paid``
    follows only when it is still paid then (an implementation that cancelled
    it, e.g. the proforma of a change that went stale, stops it that way).
    Changing the instance passed here tells nobody anything.

    :returns: ignored.
    """


@hookspec
def on_invoice_paid(document: Document) -> None:
    """Called when a document became fully paid: a proforma, and then the VAT invoice issued for it.

    A sale paid by proforma produces this event twice, in this order, in one
    transaction; ``document.kind`` tells which is which:

    * ``"proforma"``: the proforma was paid in full. The core's own
      implementations act here: the package change or renewal it paid for is
      applied, then (``trylast``) its VAT invoice is issued.
    * ``"vat"``: the VAT invoice of that proforma was issued, already paid
      (``document.proforma_id`` names the proforma). It has the number the customer's
      books and the tax office know: a plugin that reports a sale (a webhook, a
      chat message, an accounting export) acts on this one. It does not come
      while the VAT invoice waits for staff to correct the proforma (the buyer's
      tax treatment changed); it comes when that invoice is issued.

    Implement it like this and act once per sale::

        @hookimpl
        def on_invoice_paid(document):
            if document.kind == "vat":
                outbox.enqueue("myplugin", {"number": document.number})

    **Transaction**: inside the payment's transaction (after ``on_payment``),
    or inside the transaction of a staff correction when the payments carried
    over to the corrected proforma pay it in full (a change or renewal the
    earlier version paid for was handled then; implementations act once), or,
    for ``"vat"``, of the billing-data change that let a waiting VAT invoice be
    issued. Queue network I/O in the outbox.

    :param document: the paid :class:`core.models.Document` (``kind``
        ``"proforma"`` or ``"vat"``).

    **May change**: nothing on the document; act on what it paid for.

    :returns: ignored.
    """


@hookspec
def on_invoice_cancelled(document: Document) -> None:
    """Called when an open proforma was cancelled or superseded by a corrected version.

    A superseded version's payments are carried over to the new version.

    **Transaction**: inside the cancelling transaction; raise
    :class:`HookRefused` to refuse: the proforma stays open, and what cancelled
    it (the customer cancelling a package change, a correction) does not happen.

    :param document: the :class:`core.models.Document`, with its new status.

    **May change**: nothing on the document.

    :returns: ignored.
    """


@hookspec
def on_balance_changed(entry: LedgerEntry) -> None:
    """Called when an entry was appended to a customer's credit balance ledger.

    **Transaction**: inside the transaction that appends it, with the customer's
    money lock held.

    :param entry: the saved :class:`core.models.LedgerEntry`.

    **May change**: nothing; the ledger is append-only.

    :returns: ignored.
    """


# ---------------------------------------------------------------------------
# Tickets
# ---------------------------------------------------------------------------


@hookspec
def on_ticket_create(
    ticket: Ticket, message: TicketMessage, attachments: list[PendingAttachment], options: dict[str, Any]
) -> None:
    """Called when a ticket is opened, before its first message is stored.

    **Transaction**: inside the ticket's transaction; nothing of the message is
    written yet. Raise :class:`HookRefused` to refuse the ticket: nothing is
    stored and the form is shown again with the message.

    :param ticket: the new ticket (saved, has an id).
    :param message: the first message, not saved yet. **May change**: its
        ``body`` and ``encrypted`` flag (the PGP plugin puts ciphertext here).
    :param attachments: pending attachments (``filename``, ``data``, ``mime``),
        not stored yet. **May change**: their ``data`` and ``filename``.
    :param options: what the customer chose on the form, e.g. ``{"encrypt": True}``.
    :returns: ignored.
    """


@hookspec
def on_ticket_reply(
    ticket: Ticket,
    message: TicketMessage,
    attachments: list[PendingAttachment],
    author_kind: Literal["customer", "staff"],
    options: dict[str, Any],
) -> None:
    """Called when the customer or staff reply to a ticket, before the reply is stored.

    **Transaction**: inside the reply's transaction. Raise :class:`HookRefused`
    to refuse the reply; nothing is stored.

    :param ticket: the ticket.
    :param message: the reply, not saved yet. **May change**: ``body`` and ``encrypted``.
    :param attachments: pending attachments. **May change**: ``data`` and ``filename``.
    :param author_kind: ``"customer"`` or ``"staff"``.
    :param options: form choices, e.g. ``{"encrypt": True, "internal": False}``.
    :returns: ignored.
    """


@hookspec
def on_ticket_status_change(ticket: Ticket, old_status: str, new_status: str) -> None:
    """Called when a ticket's status changed (answered, customer reply, on hold...).

    **Transaction**: inside the transaction that changes it; raise
    :class:`HookRefused` to refuse: the status stays, and the reply that
    changed it is not stored.

    :param ticket: the ticket after the change.
    :param old_status: the status before.
    :param new_status: the status after.

    **May change**: nothing; refuse with HookRefused.

    :returns: ignored.
    """


@hookspec
def on_ticket_close(ticket: Ticket, closed_by: Literal["customer", "staff", "system"]) -> None:
    """Called when a ticket was closed by the customer, staff or the idle-close cron job.

    **Transaction**: inside the closing transaction.

    :param ticket: the closed ticket.
    :param closed_by: ``"customer"``, ``"staff"`` or ``"system"``.

    **May change**: nothing.

    :returns: ignored.
    """
