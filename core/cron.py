"""``hookbill cron``: run due jobs, each once per time slot across every node.

A job's slot is the current time floored to its interval. Claiming a slot is
an insert into ``cron_run`` with a unique (job, slot) index: the node whose
insert succeeds runs the job, the others skip it. A failed job records its
error and is tried again in the next slot.
"""

from __future__ import annotations

import logging
import os
import socket
import traceback

import peewee

from core import clock, db, runtime
from core.extension import CronJob
from core.models import CronRun
from core.plugins import describe_failure

log = logging.getLogger("hookbill.cron")


def jobs() -> list[CronJob]:
    """Every cron job from every plugin."""
    return [job for group in runtime.hooks().hookbill_cron_jobs() for job in group]


def slot_of(job: CronJob) -> str:
    """The time slot ``job`` would run in now (UTC, floored to its interval)."""
    seconds = int(job.every.total_seconds())
    epoch = int(clock.now().timestamp())
    return str(epoch - epoch % seconds)


def claim(job: CronJob) -> CronRun | None:
    """Claim the current slot of ``job``; None when another node already did."""
    try:
        with db.write_transaction():
            return CronRun.create(job=job.name, slot=slot_of(job), node=f"{socket.gethostname()}:{os.getpid()}")
    except peewee.IntegrityError:
        return None


def run_due(only: str | None = None) -> dict[str, str]:
    """Run every job whose current slot is unclaimed; return ``{job: ran|skipped|failed}``."""
    results: dict[str, str] = {}
    for job in jobs():
        if only and job.name != only:
            continue
        run = claim(job)
        if run is None:
            results[job.name] = "skipped"
            continue
        try:
            job.func()
            results[job.name] = "ran"
        except Exception as exc:
            log.exception("cron job %s failed: %s", job.name, describe_failure(exc))
            run.error = traceback.format_exc()[-4000:]
            results[job.name] = "failed"
        with db.write_transaction():
            run.finished_at = clock.utcnow()
            run.save()
    return results
