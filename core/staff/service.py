"""Creating staff accounts and switching them on and off: one way in for the admin page, the CLI and the demo.

The same rules wherever an account is made: a valid e-mail not used by another
staff account, a name, a role of :data:`core.models.accounts.STAFF_ROLES`, and a
password that passes ``security.password_min_length``
(:func:`core.accounts.service.check_password_rules`). Each function writes in its
own write transaction and records who did it in the activity log (``via``
says where: ``admin``, ``cli``, ``demo``).
"""

from __future__ import annotations

from core import activity, db
from core.accounts import passwords
from core.accounts.service import EMAIL_RE, check_password_rules, normalize_email, revoke_sessions
from core.errors import Conflict, ValidationError
from core.i18n import N_
from core.models import Staff
from core.models.accounts import STAFF_ROLES


def create_staff(
    email: str, name: str, role: str, password: str, *, actor: Staff | None = None, ip: str = "", via: str = "admin"
) -> Staff:
    """A new, active staff account.

    Raises ValidationError naming each bad field (``email``, ``name``, ``role``,
    ``password``), also for an e-mail another staff account already has.
    """
    email = normalize_email(email)
    name = (name or "").strip()
    errors: dict[str, str] = {}
    if not EMAIL_RE.match(email) or len(email) > 254:
        errors["email"] = N_("Enter a valid e-mail address.")
    if not name or len(name) > 200:
        errors["name"] = N_("Enter a name (200 characters at most).")
    if role not in STAFF_ROLES:
        errors["role"] = N_("Choose a role.")
    weak = check_password_rules(password)
    if weak:
        errors["password"] = weak
    if errors:
        raise ValidationError(errors)
    with db.write_transaction():
        if Staff.select().where(Staff.email == email).exists():
            raise ValidationError({"email": N_("A staff account with this e-mail already exists.")})
        member = Staff.create(email=email, name=name, role=role, password_hash=passwords.hash_password(password))
        activity.record("staff.created", actor=actor, subject=member, ip=ip, role=role, via=via)
    return member


def set_active(member: Staff, active: bool, *, actor: Staff, ip: str = "") -> Staff:
    """Switch a staff account on or off; switching it off logs it out everywhere at once.

    Raises Conflict when ``actor`` tries to switch off their own account.
    """
    if member.id == actor.id and not active:
        raise Conflict(N_("You cannot switch off your own account."), code="own_account")
    with db.write_transaction():
        member.active = bool(active)
        member.save()
        if not member.active:
            revoke_sessions("staff", member.id)
        activity.record("staff.toggled", actor=actor, subject=member, ip=ip, active=member.active)
    return member
