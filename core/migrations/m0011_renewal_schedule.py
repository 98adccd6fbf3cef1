"""The renewal run finds its work by index: services awaiting a renewal, and renewals with a step due.

* ``service.renewal_billed_for``: the ``next_due`` whose renewal proforma was
  issued; the partial index ``service_renewal_due`` holds only billed services
  whose ``next_due`` differs from it, i.e. those still to be billed. Filled
  from the renewals issued so far. On PostgreSQL 14 and later, statistics of
  that comparison (``CREATE STATISTICS``) tell the planner how few services
  match, so it reads the index rather than the table; on an older server the
  index is still used, on the planner's default guess.
* ``service_renewal.next_step_on`` (indexed): the day the run next has something
  to check for a renewal. Every open renewal gets today, so the first run after
  the upgrade looks at each once and schedules it; later runs touch only those due.

The first migration creates tables from the current models, so on a fresh
database the columns exist already; each is added only where it is missing.
"""

from __future__ import annotations

import peewee
from playhouse.migrate import migrate

from core import clock


def _missing(db: peewee.Database, table: str, column: str) -> bool:
    return column not in {c.name for c in db.get_columns(table)}


def up(db: peewee.Database, migrator: object) -> None:
    """Add both columns and the partial index; mark what the renewals issued so far already billed."""
    from core.models import Service
    from core.renewals.models import DUE_COMPARISON, DUE_CONDITION, DUE_INDEX, DUE_STATISTICS, ServiceRenewal

    operations = []
    if _missing(db, "service", "renewal_billed_for"):
        operations.append(migrator.add_column("service", "renewal_billed_for", peewee.DateField(null=True)))  # type: ignore[attr-defined]
    if _missing(db, "service_renewal", "next_step_on"):
        operations.append(
            migrator.add_column("service_renewal", "next_step_on", peewee.DateField(null=True, index=True))  # type: ignore[attr-defined]
        )
    if operations:
        migrate(*operations)
    db.execute_sql(f"CREATE INDEX IF NOT EXISTS {DUE_INDEX} ON service (next_due, id) WHERE {DUE_CONDITION}")
    if isinstance(db, peewee.PostgresqlDatabase) and db.server_version >= 140000:
        db.execute_sql(f"CREATE STATISTICS IF NOT EXISTS {DUE_STATISTICS} ON ({DUE_COMPARISON}) FROM service")
    billed = ServiceRenewal.select(ServiceRenewal.id).where(
        (ServiceRenewal.service == Service.id) & (ServiceRenewal.period_start == Service.next_due)
    )
    Service.update(renewal_billed_for=Service.next_due).where(peewee.fn.EXISTS(billed)).execute()
    ServiceRenewal.update(next_step_on=clock.today()).where(
        ServiceRenewal.extended_at.is_null()
        & ServiceRenewal.terminated_at.is_null()
        & ServiceRenewal.document_id.is_null(False)
    ).execute()
