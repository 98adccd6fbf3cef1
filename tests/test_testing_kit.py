"""The testing kit (core.testing) as a plugin author uses it: its fixtures, on both engines.

Every fixture here is the kit's own (``hookbill_*``), not our conftest's names,
so these tests are what a plugin's suite can rely on.
"""

from __future__ import annotations

import json
import urllib.request
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

import click
import pytest

from core import db
from core.hookspecs import hookimpl
from core.models import ActivityLog, BillingProfile, Document, LedgerEntry
from core.outbox import enqueue


class Recorder:
    """A plugin that remembers which events it saw (to show factories run the real hooks)."""

    def __init__(self) -> None:
        self.seen: list[str] = []

    @hookimpl
    def on_customer_registered(self, customer: Any) -> None:
        self.seen.append(f"registered {customer.email}")

    @hookimpl
    def on_invoice_issue(self, document: Any) -> None:
        self.seen.append(f"issued {document.kind}")

    @hookimpl
    def on_payment(self, payment: Any, document: Any) -> None:
        self.seen.append(f"paid {payment.amount}")


class PaidWebhook:
    """A plugin that posts every paid sale (its VAT invoice) to a URL, from the outbox (retried on error)."""

    def __init__(self, url: str) -> None:
        self.url = url

    @hookimpl
    def on_invoice_paid(self, document: Any) -> None:
        if document.kind == "vat":  # the paid proforma comes first; the VAT invoice is the sale's document
            enqueue("paid_webhook", {"number": document.number, "gross": str(document.total_gross)})

    @hookimpl
    def hookbill_outbox_handlers(self) -> dict[str, Any]:
        return {"paid_webhook": self.post}

    def post(self, payload: dict[str, Any]) -> None:
        request = urllib.request.Request(
            f"{self.url}/paid", data=json.dumps(payload).encode(), headers={"Content-Type": "application/json"}
        )
        urllib.request.urlopen(request, timeout=5).read()


@click.command("greet")
@click.argument("name")
def greet(name: str) -> None:
    """Say hello (a plugin's command)."""
    click.echo(f"hello {name}")


class Greeter:
    __name__ = "greeter"

    @hookimpl
    def hookbill_cli_commands(self) -> list[click.Command]:
        return [greet]


RECORDER = Recorder()


@pytest.mark.hookbill_plugins(RECORDER)
def test_factories_go_through_the_domain_services(hookbill_make, hookbill_outbox, hookbill_db):
    RECORDER.seen.clear()
    customer = hookbill_make.customer("ala@example.test", billing="company")
    assert RECORDER.seen == ["registered ala@example.test"]
    assert customer.email_verified_at is not None
    assert ActivityLog.get(ActivityLog.action == "customer.registered").customer_id == customer.id
    assert BillingProfile.get(BillingProfile.customer == customer).tax_id == "5260250274"
    assert [m["to"] for m in hookbill_outbox.pending("mail")] == ["ala@example.test"]  # the verification mail

    basic = hookbill_make.product("Basic", prices={"monthly": "50.00", "annually": "500.00"})
    service = hookbill_make.service(customer, basic, cycle="annually", start=date(2026, 1, 31))
    assert service.next_due == date(2027, 1, 31) and service.recurring_net == Decimal("500.00")

    invoice = hookbill_make.invoice(customer, [("Hosting Basic", "100.00")])
    assert RECORDER.seen[1:] == ["issued proforma", "paid 123.00", "issued vat"]
    assert invoice.kind == "vat" and invoice.total_gross == Decimal("123.00")
    assert Document.get_by_id(invoice.proforma_id).status == "paid"


def test_top_up_and_a_proforma_paid_from_the_balance(hookbill_make, hookbill_db):
    customer = hookbill_make.customer()
    hookbill_make.top_up(customer, "200.00")
    proforma = hookbill_make.proforma(customer, [("Domain", "10.00", "23")])
    # The balance plugin pays a new proforma from the balance as it is issued.
    assert Document.get_by_id(proforma.id).status == "paid"
    assert sum(e.amount for e in LedgerEntry.select().where(LedgerEntry.customer == customer)) == Decimal("187.70")


def test_outbox_mail_reaches_the_smtp_capture(hookbill_make, hookbill_outbox, hookbill_mail):
    hookbill_make.customer("jan@example.test", billing=None, verified=False)
    assert hookbill_outbox.sent("mail") == []
    assert hookbill_outbox.deliver() == 1
    message = hookbill_mail.wait_for(lambda m: "jan@example.test" in m.rcpt_tos)
    assert "/verify/" in message.text()
    assert [m["to"] for m in hookbill_outbox.sent("mail")] == ["jan@example.test"]


def test_a_plugin_webhook_is_retried_until_the_receiver_takes_it(
    hookbill_webhook, hookbill_make, hookbill_outbox, hookbill_clock, hookbill_app
):
    from core.runtime import current

    current().pm.register(PaidWebhook(hookbill_webhook.url))
    hookbill_clock.freeze("2026-03-16T12:00:00")
    hookbill_webhook.respond(503)  # the first call fails, later ones succeed
    customer = hookbill_make.customer(billing="private")
    invoice = hookbill_make.invoice(customer, [("Hosting", "50.00")])

    hookbill_outbox.deliver()
    assert hookbill_webhook.requests[0].status == 503
    assert [m.kind for m in hookbill_outbox.failed()] == ["paid_webhook"]
    hookbill_outbox.deliver()  # the retry is not due yet
    assert len(hookbill_webhook.requests) == 1

    hookbill_clock.advance(minutes=5)
    hookbill_outbox.deliver()
    received = hookbill_webhook.wait_for(lambda r: r.status == 200)
    assert received.method == "POST" and received.path == "/paid"
    assert received.header("content-type") == "application/json"
    assert received.json() == {"number": invoice.number, "gross": "61.50"}
    assert hookbill_outbox.sent("paid_webhook") == [received.json()]


def test_the_clock_freezes_and_advances(hookbill_clock):
    assert hookbill_clock.freeze(date(2026, 2, 28)).hour == 12
    assert hookbill_clock.advance(days=1).date() == date(2026, 3, 1)
    assert hookbill_clock.advance(timedelta(hours=12)).date() == date(2026, 3, 2)
    assert hookbill_clock.today() == date(2026, 3, 2)


@pytest.mark.hookbill_plugins(Greeter())
def test_the_cli_runner_sees_the_test_database_and_plugin_commands(hookbill_cli, hookbill_make):
    assert "greeter  unknown  [extra]" in hookbill_cli("plugins").output
    assert hookbill_cli("greet", "Ala").output == "hello Ala\n"
    hookbill_make.customer()
    assert hookbill_cli("migrate").output.strip() == "nothing to migrate"
    with pytest.raises(AssertionError, match="exited with 2"):
        hookbill_cli("no-such-command")


def test_the_client_fills_in_csrf_and_logs_in(hookbill_make, hookbill_client):
    customer = hookbill_make.customer("ola@example.test")
    assert hookbill_client.login(customer.email, "wrong password").status_code == 401
    response = hookbill_client.login(customer.email, "correct horse battery")
    assert response.status_code == 302
    assert hookbill_client.get("/").status_code == 200


def test_the_live_server_answers_over_http(hookbill_live_server):
    with urllib.request.urlopen(f"{hookbill_live_server}/login", timeout=5) as response:
        assert response.status == 200


def test_each_engine_is_a_parameter(hookbill_engine, hookbill_db):
    assert db.is_postgres() == (hookbill_engine == "postgres")


@pytest.mark.hookbill_engines("postgres")
def test_a_marker_chooses_the_engine(hookbill_db):
    assert db.is_postgres()


#: An inner pytest run that only collects, without the plugins it does not need.
COLLECT_ONLY = ("--co", "-q", "-p", "no:xdist", "-p", "no:hypothesispytest")


def test_the_engines_come_from_the_option_the_ini_or_a_marker(pytester):
    pytester.makepyfile(
        """
        import pytest

        def test_plain(hookbill_db_url):
            pass

        @pytest.mark.hookbill_engines("postgres")
        def test_marked(hookbill_db_url):
            pass
        """
    )
    default = pytester.runpytest(*COLLECT_ONLY)
    default.stdout.fnmatch_lines(["*test_plain[[]sqlite[]]", "*test_marked[[]postgres[]]"])
    both = pytester.runpytest(*COLLECT_ONLY, "--hookbill-engines=sqlite,postgres")
    both.stdout.fnmatch_lines(["*test_plain[[]sqlite[]]", "*test_plain[[]postgres[]]"])
    pytester.makeini("[pytest]\nhookbill_engines = postgres\n")
    ini = pytester.runpytest(*COLLECT_ONLY, "-m", "not postgres")
    assert "2 deselected" in ini.stdout.str()
    wrong = pytester.runpytest(*COLLECT_ONLY, "--hookbill-engines=mysql")
    assert "hookbill engines must be some of sqlite, postgres" in wrong.stderr.str() + wrong.stdout.str()
