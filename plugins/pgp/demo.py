"""The demo's encrypted department: a key pair made with gpg when ``hookbill demo-data`` runs.

A demo department gets a key pair when the configuration holds its passphrase
(``[pgp] passphrase_<slug>``, as the demo configuration ``config.demo.toml`` does for
``techniczny``) and it has no key yet. The pair is generated inside the app's
keyring, so the secret key is never written anywhere else (nor committed); the public
half is stored on the department like an uploaded one. Running it again changes
nothing: a department that has a key keeps it.
"""

from __future__ import annotations

from core import activity, db
from core.tickets.demo import DEPARTMENTS
from core.tickets.models import Department
from plugins.pgp import service
from plugins.pgp.errors import PgpError


def set_up_demo_keys() -> list[str]:
    """Give each demo department with a configured passphrase and no key a key pair.

    Returns lines for ``hookbill demo-data`` to print: the encrypted departments, or
    what to configure when there is none, or why gpg could not make a key.
    """
    slugs = [slug for _name, slug, *_rest in DEPARTMENTS]
    departments = list(Department.select().where(Department.slug.in_(slugs)).order_by(Department.position))
    lines = []
    for department in departments:
        if not department.pgp_fingerprint and service.passphrase(department):
            try:
                _generate(department)
            except PgpError as exc:  # gpg missing or broken: the rest of the demo still works
                lines.append(f"no PGP key pair for the department {department.name}: {exc}")
                continue
            lines.append(f"generated a PGP key pair for the department {department.name}")
        if department.pgp_fingerprint:
            lines.append(
                f"encrypted tickets: department {department.name}, key {department.pgp_fingerprint}; "
                f"staff decrypt with [pgp] {service.passphrase_key(department)} "
                f"(or {service.passphrase_variable(department)})"
            )
    if departments and not any(d.pgp_fingerprint or service.passphrase(d) for d in departments):
        lines.append(
            "encrypted tickets are off: no demo department has a PGP passphrase configured "
            f"(set [pgp] {service.passphrase_key(departments[0])} as config.demo.toml does, and run demo-data again)"
        )
    return lines


def _generate(department: Department) -> None:
    ring = service.keyring()
    try:
        user_id = f"{department.name} <{department.notify_email}>" if department.notify_email else department.name
        info = ring.generate_key(user_id, service.passphrase(department))
        armored = ring.export_public_key(info.fingerprint)
    finally:
        service.close_keyrings()  # stop the gpg-agent this command started
    with db.write_transaction():
        department.pgp_fingerprint = info.fingerprint
        department.pgp_public_key = armored
        department.save()
        activity.record(
            "pgp.department_key_set",
            actor_kind="system",
            subject=department,
            fingerprint=info.fingerprint,
            via="demo-data",
        )
