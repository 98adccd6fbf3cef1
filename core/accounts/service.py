"""What people do with accounts: register, verify e-mail, log in, reset and change passwords,
change their details and language.

Every function opens its own write transaction; mail is queued in it and sent
after commit. Errors are :mod:`core.errors` types with messages for the user; a
plugin's refusal (:class:`core.hookspecs.HookRefused`) rolls the transaction back
and reaches the caller as it was raised. The browser, the API, the CLI and the
demo all come in here: no view changes an account itself.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from datetime import timedelta
from typing import Any

from core import activity, clock, db, mail, ratelimit, runtime
from core.accounts import passwords, tokens
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


def language_or_default(language: str | None) -> str:
    """``language`` when it is one of ``app.languages``, else the provider's ``app.language``."""
    config = runtime.config()
    if language and language in config.get_value("app.languages"):
        return language
    return str(config.get_value("app.language"))


def register_customer(
    email: str,
    password: str,
    first_name: str,
    last_name: str,
    language: str | None = None,
    ip: str = "",
    *,
    verified: bool = False,
) -> Customer:
    """Create a customer; unless ``verified`` (the demo data), queue the e-mail verification mail.

    ``language`` (for the panel and mail) falls back to ``app.language``.
    Raises ValidationError for a bad or taken e-mail or a weak password, and
    HookRefused when an ``on_customer_registered`` implementation refuses
    (nothing is created then).
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
    # Before the transaction (hashing holds no lock); an anonymous caller does not wait for a slot.
    password_hash = passwords.hash_password(password, wait=False)
    with db.write_transaction():
        if Customer.select().where(Customer.email == email).exists():
            raise ValidationError({"email": N_("An account with this e-mail already exists.")})
        customer = Customer.create(
            email=email,
            password_hash=password_hash,
            first_name=first_name.strip(),
            last_name=last_name.strip(),
            language=language_or_default(language),
            email_verified_at=clock.utcnow() if verified else None,
        )
        runtime.hooks().on_customer_registered(customer=customer)
        activity.record("customer.registered", actor=customer, subject=customer, ip=ip)
        if not verified:
            send_verification(customer)
    return customer


def send_verification(customer: Customer) -> None:
    """Queue a verification mail with a fresh token (inside the caller's transaction)."""
    ttl = timedelta(hours=int(_security("verify_token_hours")))
    raw = tokens.issue("verify_email", "customer", customer.id, ttl)
    mail.queue_mail(customer.email, "verify_email", customer.language, secret=True, customer=customer, token=raw)


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


THROTTLED = N_("Too many failed logins. Wait a few minutes and try again.")


def _pair(email: str, ip: str) -> str:
    return f"{email}|{ratelimit.address_key(ip)}"


def login_rules(kind: str, email: str, ip: str) -> tuple[list[ratelimit.Rule], bool]:
    """The limits a login of ``email`` from ``ip`` is held to (see :func:`authenticate`), and whether
    the address is one the account logged in from before."""
    window = _login_window()
    familiar = ratelimit.known(f"login-{kind}-known", _pair(email, ip))
    rules = [
        ratelimit.Rule(f"login-{kind}-pair", _pair(email, ip), int(_security("login_attempts")), window, growing=True),
        ratelimit.Rule(
            f"login-{kind}-ip", ratelimit.address_key(ip), int(_security("login_attempts_per_address")), window
        ),
        ratelimit.Rule(
            f"login-{kind}", email, int(_security("login_attempts_per_account")), window, enforce=not familiar
        ),
    ]
    return rules, familiar


def authenticate(kind: str, email: str, password: str, ip: str) -> Account:
    """Check a login; return the account or raise DomainError / RateLimited.

    Failed attempts are throttled three ways, each a :class:`RateLimited` with
    ``retry_after`` (429 and ``Retry-After``; nobody sleeps):

    * one account from one address: after ``security.login_attempts`` failures
      within the window, a wait that starts at 30 s and doubles with every
      further failure (up to the window). Nobody else is held by it: the
      owner, from their own address, still gets in;
    * one address, whatever the accounts: ``login_attempts_per_address``
      failures within the window, then nothing more from it until the window
      passes (the hard limit);
    * one account from addresses it never logged in from:
      ``login_attempts_per_account`` failures within the window, then such
      addresses wait; an address the account completed a login from in the last
      90 days (:func:`note_login`) is not held by this one.

    What the limits refuse is refused before any hashing. Then the password is
    checked in one of the machine's hashing slots
    (:func:`core.accounts.passwords.hashing_slot`): a known address waits for
    one, an unknown one is told to come back when none is free. The attempt is
    recorded as a failure *before* the password is checked, in a short
    transaction locked per key, so any number of concurrent attempts evaluate
    at most the limit's worth of passwords; a right password takes the record
    back. No database transaction is open while the password is hashed.
    """
    email = normalize_email(email)
    model = Customer if kind == "customer" else Staff
    rules, familiar = login_rules(kind, email, ip)
    if waits := [wait for rule in rules if rule.enforce and (wait := ratelimit.wait_seconds(rule))]:
        raise RateLimited(THROTTLED, retry_after=max(waits))  # refused early: no slot, no hash, no write
    with passwords.hashing_slot(wait=familiar):
        reserved = ratelimit.reserve(rules, THROTTLED)
        try:
            account = model.get_or_none(model.email == email)
            ok = passwords.verify_in_slot(account.password_hash if account else None, password)
            new_hash = None
            if ok and account is not None and account.can_log_in and passwords.needs_rehash(account.password_hash):
                new_hash = passwords.hash_in_slot(password)
        except BaseException:
            with db.write_transaction():  # the password was not checked: it did not fail
                ratelimit.release(reserved)
            raise
    with db.write_transaction():
        if not ok or account is None:
            activity.record(f"{kind}.login_failed", actor_kind="system", subject=account, ip=ip)
            raise_after: DomainError = DomainError(N_("Wrong e-mail or password."), code="bad_login")
        elif not account.can_log_in:
            ratelimit.release(reserved)
            raise_after = DomainError(N_("This account is not active."), code="inactive")
        else:
            ratelimit.release(reserved)
            ratelimit.clear(f"login-{kind}-pair", _pair(email, ip))
            if new_hash is not None:
                model.update(password_hash=new_hash).where(model.id == account.id).execute()
                account.password_hash = new_hash
            return account
    # The failure is committed above; it is raised after, so it is never rolled back.
    raise raise_after


def note_login(account: Account, kind: str, ip: str) -> None:
    """Remember ``ip`` as an address ``account`` logs in from (inside the login's transaction).

    Such an address is not held by the per-account limit of :func:`authenticate`.
    """
    ratelimit.remember(f"login-{kind}-known", _pair(account.email, ip))


def request_password_reset(email: str) -> None:
    """Queue a reset mail when the customer exists; the answer never tells whether it does."""
    email = normalize_email(email)
    with db.write_transaction():
        customer = Customer.get_or_none(Customer.email == email)
        if customer is None or not customer.can_log_in:
            return
        ttl = timedelta(minutes=int(_security("reset_token_minutes")))
        raw = tokens.issue("reset_password", "customer", customer.id, ttl)
        mail.queue_mail(customer.email, "reset_password", customer.language, secret=True, customer=customer, token=raw)


def reset_password(raw_token: str, new_password: str) -> Customer:
    """Set a new password with a reset token (once), log out every session and revoke every API token.

    Every other reset link of the customer stops working too, older ones included.
    """
    weak = check_password_rules(new_password)
    if weak:
        raise ValidationError({"password": weak})
    spent = DomainError(N_("This reset link is invalid or has expired."), code="bad_token")
    if tokens.peek("reset_password", raw_token) is None:
        raise spent  # refused before hashing anything
    password_hash = passwords.hash_password(new_password)
    with db.write_transaction():
        token = tokens.consume("reset_password", raw_token)
        if token is None:
            raise spent
        customer = Customer.get_by_id(token.user_id)
        customer.password_hash = password_hash
        customer.save()
        revoke_sessions("customer", customer.id)
        tokens.spend_all("reset_password", "customer", customer.id)  # an older link sent before stops working
        # Whoever reset it may not trust what the old password made: the API plugin
        # revokes the customer's tokens here.
        runtime.hooks().on_password_changed(account=customer, kind="customer", how="reset")
        activity.record("customer.password_reset", actor=customer, subject=customer)
    return customer


def change_password(account: Account, kind: str, current: str, new_password: str, keep_hash: str | None) -> None:
    """Change a password after checking the current one.

    The account's other sessions are logged out, its unused reset links stop
    working, and ``on_password_changed`` runs (the API plugin revokes the
    customer's API tokens there).
    """
    if not passwords.verify_password(account.password_hash, current):
        raise ValidationError({"current_password": N_("The current password is wrong.")})
    weak = check_password_rules(new_password)
    if weak:
        raise ValidationError({"new_password": weak})
    password_hash = passwords.hash_password(new_password)
    with db.write_transaction():
        account.password_hash = password_hash
        account.save()
        revoke_sessions(kind, account.id, keep_token_hash=keep_hash)
        tokens.spend_all("reset_password", kind, account.id)
        runtime.hooks().on_password_changed(account=account, kind=kind, how="changed")
        activity.record(f"{kind}.password_changed", actor=account, subject=account)


def revoke_sessions(kind: str, user_id: int, keep_token_hash: str | None = None) -> int:
    """Delete the server-side sessions of an account (log out everywhere); return how many."""
    query = WebSession.delete().where((WebSession.user_kind == kind) & (WebSession.user_id == user_id))
    if keep_token_hash:
        query = query.where(WebSession.token_hash != keep_token_hash)
    return query.execute()


def logout_everywhere(account: Account, kind: str, ip: str = "") -> int:
    """End every session of the account, this one included; return how many.

    In one transaction with ``on_logout_everywhere`` (the API plugin revokes the
    customer's API tokens there) and the activity log entry: if a plugin
    fails, nothing ended.
    """
    with db.write_transaction():
        ended = revoke_sessions(kind, account.id)
        runtime.hooks().on_logout_everywhere(account=account, kind=kind)
        activity.record(f"{kind}.logout_everywhere", actor=account, subject=account, ip=ip)
    return ended


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


PROFILE_FIELDS = {"first_name": 100, "last_name": 100, "phone": 40, "language": 8}


def _check_profile(fields: Mapping[str, Any]) -> dict[str, str]:
    """``fields`` trimmed and checked; raises ValidationError naming each bad one."""
    values: dict[str, str] = {}
    errors: dict[str, str] = {}
    for name, value in fields.items():
        if name not in PROFILE_FIELDS:
            raise ValueError(f"{name!r} is not a profile field")
        text = str(value or "").strip()
        if len(text) > PROFILE_FIELDS[name]:
            errors[name] = N_("This is too long.")
        elif name in ("first_name", "last_name") and not text:
            errors[name] = N_("This field is required.")
        elif name == "language" and text not in runtime.config().get_value("app.languages"):
            errors[name] = N_("Choose one of the languages of the panel.")
        values[name] = text
    if errors:
        raise ValidationError(errors)
    return values


def update_profile(
    customer: Customer, fields: Mapping[str, Any], *, actor: Account | None = None, ip: str = ""
) -> dict[str, tuple[Any, Any]]:
    """Change the customer's details (``first_name``, ``last_name``, ``phone``, ``language``).

    ``fields`` holds only what the caller changes; ``actor`` is the customer
    (default) or a staff member. Returns ``{field: (old, new)}`` of what
    differed; nothing differs, nothing is written. In one write transaction:
    the customer, ``on_customer_updated`` and the activity log entry
    ``customer.profile_updated``; a plugin's refusal rolls all of it back, and
    ``customer`` keeps its old values. Raises ValidationError for an empty name,
    a too long value or a language the panel does not offer.
    """
    values = _check_profile(fields)
    changes = {name: (getattr(customer, name), new) for name, new in values.items() if getattr(customer, name) != new}
    if not changes:
        return {}
    updated_at = customer.updated_at
    try:
        with db.write_transaction():
            for name, (_old, new) in changes.items():
                setattr(customer, name, new)
            customer.updated_at = clock.utcnow()
            customer.save()
            runtime.hooks().on_customer_updated(customer=customer, changes=changes)
            activity.record(
                "customer.profile_updated", actor=actor or customer, subject=customer, ip=ip, fields=sorted(changes)
            )
    except BaseException:
        for name, (old, _new) in changes.items():
            setattr(customer, name, old)  # the row rolled back: so does the object the caller holds
        customer.updated_at = updated_at
        raise
    return changes


def set_language(customer: Customer, language: str, ip: str = "") -> bool:
    """The customer chose ``language`` (the language switch): it becomes their language for mail too.

    The same change as :func:`update_profile` (``on_customer_updated`` sees
    ``{"language": (old, new)}``); returns whether anything changed.
    """
    return bool(update_profile(customer, {"language": language}, ip=ip))
