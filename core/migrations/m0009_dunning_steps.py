"""The dunning steps done per renewal (:class:`core.renewals.models.DunningStep`), each once."""

from __future__ import annotations

import peewee

#: Released as ``m0006_dunning_steps`` (three migrations shared the number 6); a database that applied it
#: under that name does not run it again (:mod:`core.migrate`).
REPLACES = ("m0006_dunning_steps",)


def up(db: peewee.Database, migrator: object) -> None:
    """Create ``renewal_dunning_step`` with its unique (renewal, step) index, and record the steps already done."""
    from core.renewals.models import DunningStep, ServiceRenewal

    db.create_tables([DunningStep])
    for step, column in (
        ("reminded", ServiceRenewal.reminded_at),
        ("suspended", ServiceRenewal.suspended_at),
        ("terminated", ServiceRenewal.terminated_at),
    ):
        done = ServiceRenewal.select(ServiceRenewal.id, peewee.Value(step), column).where(column.is_null(False))
        DunningStep.insert_from(done, [DunningStep.renewal, DunningStep.step, DunningStep.done_at]).execute()
