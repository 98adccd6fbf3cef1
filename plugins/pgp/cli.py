"""``hookbill pgp-import-secret``: put a department's secret key into the app's keyring.

The secret key never enters the database; its passphrase is read by the app from
``HOOKBILL_PGP_PASSPHRASE_<SLUG>`` or ``[pgp] passphrase_<slug>`` when staff decrypt. The department's public key
must be uploaded first (admin → Departments), and the secret key must match it.
"""

from __future__ import annotations

from typing import TextIO

import click

from core import activity, db
from core.tickets.models import Department


@click.command("pgp-import-secret")
@click.option("--department", "slug", required=True, help="The department's short name, e.g. techniczny.")
@click.argument("file", type=click.File("r", encoding="utf-8"))
def import_secret(slug: str, file: TextIO) -> None:
    """Import the secret key in FILE for a department (so staff can decrypt on demand)."""
    from plugins.pgp import service
    from plugins.pgp.errors import PgpError

    with db.connection():
        department = Department.get_or_none(Department.slug == slug)
        if department is None:
            raise click.ClickException(f"no department with the short name {slug!r}")
        if not department.pgp_fingerprint:
            raise click.ClickException("upload the department's public key first (admin → Departments)")
        try:
            info = service.keyring().import_secret_key(file.read())
        except PgpError as exc:
            raise click.ClickException(str(exc)) from exc
        if info.fingerprint != department.pgp_fingerprint:
            raise click.ClickException(
                f"the secret key {info.fingerprint} does not match the department's "
                f"public key {department.pgp_fingerprint}"
            )
        with db.write_transaction():
            activity.record(
                "pgp.secret_key_imported",
                actor_kind="system",
                subject=department,
                fingerprint=info.fingerprint,
                via="cli",
            )
    click.echo(f"imported the secret key {info.fingerprint} for {department.name}")
    click.echo(
        f"set {service.passphrase_variable(department)} in the app's environment "
        f"(or {service.passphrase_key(department)} in the [pgp] section of its configuration) to decrypt"
    )
