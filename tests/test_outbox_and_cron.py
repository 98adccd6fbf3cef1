"""The outbox retries until the SMTP server answers; cron runs a job once per slot across nodes."""

from __future__ import annotations

from datetime import timedelta

from core import clock, cron, db, mail, outbox
from core.extension import CronJob
from core.hookspecs import hookimpl
from core.models import CronRun, OutboxMessage
from core.runtime import current
from tests.helpers import make_customer


def test_mail_is_retried_until_the_server_answers(conn, smtp_server):
    customer = make_customer()
    with db.write_transaction():
        mail.queue_mail(customer.email, "verify_email", "pl", customer=customer, token="abc")
    config = current().config
    real_port = config["mail"]["port"]
    config["mail"]["port"] = 1  # nothing listens there
    assert outbox.process() == 0
    failed = OutboxMessage.get()
    assert (failed.status, failed.attempts) == ("pending", 1) and failed.last_error
    assert outbox.process() == 0, "not due yet: back-off"
    config["mail"]["port"] = real_port
    clock.advance(timedelta(minutes=5))
    assert outbox.process() == 1
    message = smtp_server.wait_for(lambda m: m["To"] == customer.email)
    assert "/verify/abc" in message.text()
    assert OutboxMessage.get().status == "sent"


def test_a_message_is_sent_once_even_when_two_workers_run(conn, smtp_server):
    customer = make_customer()
    with db.write_transaction():
        mail.queue_mail(customer.email, "verify_email", "en", customer=customer, token="xyz")
    assert outbox.process() + outbox.process() == 1
    assert len([m for m in smtp_server.messages if m["To"] == customer.email]) == 1
    assert smtp_server.messages[0]["Subject"] == "Confirm your e-mail address"


def test_dedupe_key_queues_once(conn):
    with db.write_transaction():
        first = outbox.enqueue("mail", {"to": "a@b.test", "subject": "s", "body": "b"}, dedupe_key="k1")
        second = outbox.enqueue("mail", {"to": "a@b.test", "subject": "s", "body": "b"}, dedupe_key="k1")
    assert first is not None and second is None


class CronPlugin:
    """A plugin with one cron job, registered for the test like any third-party plugin."""

    def __init__(self, name: str, func) -> None:
        self.job = CronJob(name, func, every=timedelta(hours=1))

    @hookimpl
    def hookbill_cron_jobs(self) -> list[CronJob]:
        return [self.job]


def with_plugin(plugin):
    current().pm.register(plugin)
    return plugin


def test_cron_runs_each_job_once_per_slot(conn):
    runs: list[str] = []
    with_plugin(CronPlugin("count", lambda: runs.append("x")))
    clock.freeze("2026-05-05T10:10:00")
    assert cron.run_due("count") == {"count": "ran"}
    assert cron.run_due("count") == {"count": "skipped"}  # a second node in the same hour
    clock.freeze("2026-05-05T11:00:01")
    assert cron.run_due("count") == {"count": "ran"}
    assert runs == ["x", "x"]
    assert CronRun.select().where(CronRun.job == "count").count() == 2


def test_failing_cron_job_is_recorded(conn):
    def boom() -> None:
        raise ValueError("provider API down")

    with_plugin(CronPlugin("boom", boom))
    assert cron.run_due("boom") == {"boom": "failed"}
    assert "provider API down" in CronRun.get(CronRun.job == "boom").error


def test_plugin_mail_is_translated_with_the_plugin_catalog(conn):
    customer = make_customer(language="pl")
    subject, _body = mail.render_mail("totp_locked", "pl", account=customer, minutes=15, ip="127.0.0.1")
    assert subject == "Weryfikacja dwuetapowa zablokowana po błędnych kodach"
