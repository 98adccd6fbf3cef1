"""What people do with accounts: register, verify e-mail, log in, reset and change passwords.

Every function opens its own write transaction; mail is queued in it and sent
after commit. Errors are :mod:`core.errors` types with messages for the user.
"""

from __future__ import annotations

import re
from datetime import timedelta
from typing import Any

from core import activity, clock, db, mail, ratelimit, runtime
from core.accounts import passwords, tokens
from core.api import tokens as api_tokens
from core.errors import DomainError, RateLimited, ValidationError
from core.i18n import N_
from core.models import Customer, Staff, WebSession

EMAIL_RE = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
Account = Customer | Staff


def _security(key: str) -> Any:
    return runtime.config().get_value(f"security.{key}")


def normalize_email(email: str) -> str:
    """Trimmed, lower-cased e-mail."""
    return (email or "").strip().lower()


def check_password_rules(password: str) -> str | None:
    """A message when ``password`` is too weak, else None."""
    if len(password or "") < int(_security("password_min_length")):
        return N_("The password is too short.")
    return None


def register_customer(
    email: str, password: str, first_name: str, last_name: str, language: str = "pl", ip: str = ""
) -> Customer:
    """Create a customer and queue the e-mail verification mail.

    Raises ValidationError for a bad or taken e-mail or a weak password.
    """
    email = normalize_email(email)
    errors: dict[str, str] = {}
    if not EMAIL_RE.match(email):
        errors["email"] = N_("Enter a valid e-mail address.")
    weak = check_password_rules(password)
    if weak:
        errors["password"] = weak
    if errors:
        raise ValidationError(errors)
    with db.write_transaction():
        if Customer.select().where(Customer.email == email).exists():
            raise ValidationError({"email": N_("An account with this e-mail already exists.")})
        customer = Customer.create(
            email=email,
            password_hash=passwords.hash_password(password),
            first_name=first_name.strip(),
            last_name=last_name.strip(),
            language=language if language in runtime.config().get_value("app.languages") else "pl",
        )
        runtime.hooks().on_customer_registered(customer=customer)
        activity.record("customer.registered", actor=customer, subject=customer, ip=ip)
        send_verification(customer)
    return customer


def send_verification(customer: Customer) -> None:
    """Queue a verification mail with a fresh token (inside the caller's transaction)."""
    ttl = timedelta(hours=int(_security("verify_token_hours")))
    raw = tokens.issue("verify_email", "customer", customer.id, ttl)
    mail.queue_mail(customer.email, "verify_email", customer.language, customer=customer, token=raw)


def verify_email(raw_token: str) -> Customer | None:
    """Mark the customer's e-mail verified; None for a bad, used or expired token."""
    with db.write_transaction():
        token = tokens.consume("verify_email", raw_token)
        if token is None:
            return None
        customer = Customer.get_by_id(token.user_id)
        customer.email_verified_at = clock.utcnow()
        customer.save()
        activity.record("customer.email_verified", actor=customer, subject=customer)
        return customer


def _login_window() -> timedelta:
    return timedelta(seconds=int(_security("login_window_seconds")))


def authenticate(kind: str, email: str, password: str, ip: str) -> Account:
    """Check a login; return the account or raise DomainError / RateLimited.

    Failed attempts are counted per e-mail and per address; past the limit even
    a right password is refused until the window passes.
    """
    email = normalize_email(email)
    limit = int(_security("login_attempts"))
    window = _login_window()
    model = Customer if kind == "customer" else Staff
    failure: DomainError | None = None
    with db.write_transaction():
        if ratelimit.limited(f"login-{kind}", email, limit, window) or ratelimit.limited(
            f"login-{kind}-ip", ip, limit * 4, window
        ):
            raise RateLimited(N_("Too many failed logins. Wait a few minutes and try again."))
        account = model.get_or_none(model.email == email)
        ok = passwords.verify_password(account.password_hash if account else None, password)
        if not ok or account is None:
            # The failure is counted in this transaction, which commits; the
            # error is raised after it, so the count is never rolled back.
            ratelimit.hit(f"login-{kind}", email)
            ratelimit.hit(f"login-{kind}-ip", ip)
            activity.record(f"{kind}.login_failed", actor_kind="system", subject=account, ip=ip)
            failure = DomainError(N_("Wrong e-mail or password."), code="bad_login")
        elif not account.can_log_in:
            failure = DomainError(N_("This account is not active."), code="inactive")
        else:
            if passwords.needs_rehash(account.password_hash):
                account.password_hash = passwords.hash_password(password)
                account.save()
            ratelimit.clear(f"login-{kind}", email)
    if failure is not None or account is None:
        raise failure or DomainError(N_("Wrong e-mail or password."), code="bad_login")
    return account


def request_password_reset(email: str) -> None:
    """Queue a reset mail when the customer exists; the answer never tells whether it does."""
    email = normalize_email(email)
    with db.write_transaction():
        customer = Customer.get_or_none(Customer.email == email)
        if customer is None or not customer.can_log_in:
            return
        ttl = timedelta(minutes=int(_security("reset_token_minutes")))
        raw = tokens.issue("reset_password", "customer", customer.id, ttl)
        mail.queue_mail(customer.email, "reset_password", customer.language, customer=customer, token=raw)


def reset_password(raw_token: str, new_password: str) -> Customer:
    """Set a new password with a reset token (once), log out every session and revoke every API token."""
    weak = check_password_rules(new_password)
    if weak:
        raise ValidationError({"password": weak})
    with db.write_transaction():
        token = tokens.consume("reset_password", raw_token)
        if token is None:
            raise DomainError(N_("This reset link is invalid or has expired."), code="bad_token")
        customer = Customer.get_by_id(token.user_id)
        customer.password_hash = passwords.hash_password(new_password)
        customer.save()
        revoke_sessions("customer", customer.id)
        api_tokens.revoke_all(customer.id, "password_reset")  # whoever reset it may not trust old tokens
        activity.record("customer.password_reset", actor=customer, subject=customer)
    return customer


def change_password(account: Account, kind: str, current: str, new_password: str, keep_hash: str | None) -> None:
    """Change a password after checking the current one; other sessions are logged out."""
    if not passwords.verify_password(account.password_hash, current):
        raise ValidationError({"current_password": N_("The current password is wrong.")})
    weak = check_password_rules(new_password)
    if weak:
        raise ValidationError({"new_password": weak})
    with db.write_transaction():
        account.password_hash = passwords.hash_password(new_password)
        account.save()
        revoke_sessions(kind, account.id, keep_token_hash=keep_hash)
        activity.record(f"{kind}.password_changed", actor=account, subject=account)


def revoke_sessions(kind: str, user_id: int, keep_token_hash: str | None = None) -> int:
    """Delete the server-side sessions of an account (log out everywhere); return how many."""
    query = WebSession.delete().where((WebSession.user_kind == kind) & (WebSession.user_id == user_id))
    if keep_token_hash:
        query = query.where(WebSession.token_hash != keep_token_hash)
    return query.execute()


def set_customer_status(customer: Customer, status: str, staff: Staff, ip: str = "") -> None:
    """Staff suspend, reactivate or delete a customer; leaving ``active`` logs them out at once."""
    if status not in ("active", "suspended", "deleted"):
        raise ValidationError({"status": N_("Unknown status.")})
    with db.write_transaction():
        old = customer.status
        customer.status = status
        customer.updated_at = clock.utcnow()
        customer.save()
        if status != "active":
            revoke_sessions("customer", customer.id)
        runtime.hooks().on_customer_updated(customer=customer, changes={"status": (old, status)})
        activity.record("customer.status", actor=staff, subject=customer, ip=ip, old=old, new=status)
