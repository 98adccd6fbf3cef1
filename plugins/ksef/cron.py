"""The ``ksef`` cron job (every minute, once per slot across nodes)."""

from __future__ import annotations

from datetime import timedelta

from plugins.ksef import api, mail, queue
from plugins.ksef.models import KsefSubmission
from plugins.ksef.settings import current, enabled


def run() -> dict[str, int]:
    """Queue stranded submissions, let held mail go, refresh failure deadlines, close an idle session."""
    if not enabled():
        return {}
    result = {"queued": queue.requeue_stranded(), "mailed": mail.release_due(), "closed": 0, "deadlines": 0}
    settings = current()
    waiting = list(
        KsefSubmission.select().where((KsefSubmission.state == "pending") & (KsefSubmission.offline_mode == "failure"))
    )
    try:
        with api.Connection(settings) as connection:
            for submission in waiting:
                from plugins.ksef.sending import refresh_deadline

                refresh_deadline(submission, connection)
                result["deadlines"] += 1
            busy = KsefSubmission.select().where(KsefSubmission.claimed_by != "").exists()
            if not busy and connection.close_idle_session(timedelta(minutes=settings.session_idle_minutes)):
                result["closed"] = 1
    except (api.KsefUnavailable, api.KsefRefused):
        pass  # the next run tries again; invoices keep their own retries
    return result
