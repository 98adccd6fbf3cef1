"""Two-step verification: enroll, confirm, verify, disable, recovery codes, staff reset.

Domain functions, no Flask: the web pages, tests and any API call these. Each
opens its own write transaction. A wrong code is *recorded* (rate-limit event,
activity log, maybe a lock and its mail) and committed before the error is
raised, so failures count even though the attempt is refused.

Rules (``[totp]`` config; counting and locks in :mod:`plugins.totp.lockout`,
recovery codes in :mod:`plugins.totp.recovery`):

* pyotp TOTP, SHA-1, 6 digits, 30-second steps; the step before and after the
  current one are accepted (one step of clock drift).
* A code is accepted only for a step later than the last accepted one, so a
  code cannot be replayed (nor an older code used after a newer one).
* ``max_failures`` wrong codes within ``lock_minutes`` lock the account's
  second factor for ``lock_minutes`` (even a right code is refused) and mail the
  owner; from one address, ``4 * max_failures`` failures within the same window
  refuse further attempts from it.
* The activity log gets every event (``totp.enabled``, ``totp.disabled``,
  ``totp.failed``, ``totp.locked``, ``totp.recovery_code_used``,
  ``totp.recovery_codes_regenerated``, ``totp.staff_reset``), never a code or secret.
"""

from __future__ import annotations

import hmac
import unicodedata
from dataclasses import dataclass

import pyotp

from core import activity, clock, db, mail, ratelimit
from core.accounts import passwords
from core.errors import Conflict, DomainError, RateLimited, ValidationError
from core.i18n import N_
from core.models import Customer, Staff
from plugins.totp import crypto, lockout, recovery
from plugins.totp.lockout import kind_of
from plugins.totp.models import TotpCredential, TotpRecoveryCode

Account = Customer | Staff
STEP_SECONDS = 30
DRIFT_STEPS = 1


class WrongCode(DomainError):
    """The code (or recovery code) was not accepted."""

    def __init__(self) -> None:
        super().__init__(N_("The code is not right. Try again with the current code."), field="code", code="bad_code")


@dataclass(frozen=True)
class Enrollment:
    """A pending secret to show the owner: base32 text and the ``otpauth://`` URI for the QR code."""

    secret: str
    uri: str


def credential_of(account: Account) -> TotpCredential | None:
    """The account's credential (pending or enabled), or None."""
    return TotpCredential.get_or_none(
        (TotpCredential.account_kind == kind_of(account)) & (TotpCredential.account_id == account.id)
    )


def is_enabled(account: Account) -> bool:
    """True when the account has confirmed two-step verification."""
    cred = credential_of(account)
    return cred is not None and cred.enabled


def recovery_codes_left(account: Account) -> int:
    """How many unused recovery codes the account has."""
    cred = credential_of(account)
    if cred is None:
        return 0
    return cred.recovery_codes.where(TotpRecoveryCode.used_at.is_null()).count()


def _current_step() -> int:
    return int(clock.now().timestamp()) // STEP_SECONDS


def _uri(secret: str, account: Account) -> str:
    return pyotp.TOTP(secret, interval=STEP_SECONDS).provisioning_uri(
        name=account.email, issuer_name=str(lockout.setting("issuer"))
    )


def begin_enrollment(account: Account, ip: str = "") -> Enrollment:
    """Make a new pending secret for ``account`` (replacing an unconfirmed one).

    Raises Conflict when two-step verification is already on.
    """
    with db.write_transaction():
        cred = credential_of(account)
        if cred is not None and cred.enabled:
            raise Conflict(N_("Two-step verification is already on."), code="totp_enabled")
        secret = pyotp.random_base32()
        if cred is None:
            cred = TotpCredential(account_kind=kind_of(account), account_id=account.id)
        cred.secret_encrypted = crypto.encrypt(secret)
        cred.last_step = None
        cred.created_at = clock.utcnow()
        cred.save()
    return Enrollment(secret, _uri(secret, account))


def pending_enrollment(account: Account) -> Enrollment | None:
    """The secret waiting for confirmation, or None."""
    cred = credential_of(account)
    if cred is None or cred.enabled:
        return None
    secret = crypto.decrypt(cred.secret_encrypted)
    return Enrollment(secret, _uri(secret, account))


def _normalize(code: str) -> str:
    """The code as ASCII letters and digits: spaces and dashes dropped, any script's digits made 0-9.

    A phone set to Arabic or Devanagari may type ``١٢٣٤٥٦``; that is the code
    123456. Every other character is dropped, so only ASCII is ever compared
    (``hmac.compare_digest`` refuses anything else).
    """
    kept = []
    for ch in (code or "").lower():
        if ch.isascii():
            if ch.isalnum():
                kept.append(ch)
        elif (digit := unicodedata.decimal(ch, None)) is not None:
            kept.append(str(digit))
    return "".join(kept)


def _matching_step(secret: str, code: str) -> int | None:
    """The step within the drift window whose code is ``code``, latest first; None if none."""
    totp = pyotp.TOTP(secret, interval=STEP_SECONDS)
    now = _current_step()
    for step in range(now + DRIFT_STEPS, now - DRIFT_STEPS - 1, -1):
        if hmac.compare_digest(totp.generate_otp(step), code):
            return step
    return None


def _use_step(cred: TotpCredential, step: int) -> bool:
    """Record ``step`` as used unless it (or a later one) already was: the anti-replay update."""
    updated = (
        TotpCredential.update(last_step=step)
        .where(
            (TotpCredential.id == cred.id) & (TotpCredential.last_step.is_null() | (TotpCredential.last_step < step))
        )
        .execute()
    )
    return bool(updated)


def _check(cred: TotpCredential, account: Account, code: str, ip: str, allow_recovery: bool) -> str | None:
    """Inside a transaction: ``"totp"`` / ``"recovery"`` when ``code`` is accepted (and used up), else None."""
    normalized = _normalize(code)
    if len(normalized) == 6 and normalized.isdigit():
        step = _matching_step(crypto.decrypt(cred.secret_encrypted), normalized)
        if step is not None and _use_step(cred, step):
            return "totp"
        lockout.record_failure(cred, account, ip, "replayed" if step is not None else "wrong")
        return None
    if allow_recovery and len(normalized) == recovery.RECOVERY_LENGTH and recovery.use_code(cred, normalized):
        activity.record(
            "totp.recovery_code_used", actor=account, subject=account, ip=ip, left=recovery.unused_count(cred)
        )
        return "recovery"
    lockout.record_failure(cred, account, ip, "wrong_recovery_code" if allow_recovery else "wrong")
    return None


def _enabled_credential(account: Account) -> TotpCredential:
    cred = credential_of(account)
    if cred is None or not cred.enabled:
        raise Conflict(N_("Two-step verification is off."), code="totp_disabled")
    return cred


def verify(account: Account, code: str, ip: str = "") -> str:
    """Check a login code or recovery code; return ``"totp"`` or ``"recovery"``.

    Raises WrongCode (after recording the failure), RateLimited while the
    account is locked or the address is limited, Conflict when 2FA is off.
    """
    with db.write_transaction():
        lockout.lock(account, ip)
        cred = _enabled_credential(account)
        lockout.refuse_if_limited(cred, ip)
        method = _check(cred, account, code, ip, allow_recovery=True)
        if method is not None:
            ratelimit.clear("totp", lockout.account_key(account))
    if method is None:
        raise WrongCode()
    return method


def confirm_enrollment(account: Account, code: str, ip: str = "") -> list[str]:
    """Turn two-step verification on with a right current code; return the new recovery codes.

    The codes are returned once and stored only hashed. Raises WrongCode,
    RateLimited after too many wrong codes, Conflict when nothing is pending.
    """
    limit = int(lockout.setting("max_failures"))
    with db.write_transaction():
        lockout.lock(account, "")
        cred = credential_of(account)
        if cred is None or cred.enabled:
            raise Conflict(N_("Start turning two-step verification on first."), code="totp_not_pending")
        wait = ratelimit.wait_seconds(
            ratelimit.Rule("totp-setup", lockout.account_key(account), limit, lockout.window())
        )
        if wait:
            raise RateLimited(N_("Too many wrong codes. Try again later."), retry_after=wait)
        normalized = _normalize(code)
        step = _matching_step(crypto.decrypt(cred.secret_encrypted), normalized) if normalized.isdigit() else None
        if step is None:
            ratelimit.hit("totp-setup", lockout.account_key(account))
            activity.record("totp.failed", actor=account, subject=account, ip=ip, reason="setup")
            codes = None
        else:
            cred.confirmed_at = clock.utcnow()
            cred.last_step = step
            cred.locked_until = None
            cred.save()
            codes = recovery.replace_codes(cred)
            ratelimit.clear("totp-setup", lockout.account_key(account))
            activity.record("totp.enabled", actor=account, subject=account, ip=ip)
    if codes is None:
        raise WrongCode()
    return codes


def regenerate_recovery_codes(account: Account, code: str, ip: str = "") -> list[str]:
    """Replace all recovery codes after a right current authenticator code; return the new ones."""
    with db.write_transaction():
        lockout.lock(account, ip)
        cred = _enabled_credential(account)
        lockout.refuse_if_limited(cred, ip)
        method = _check(cred, account, code, ip, allow_recovery=False)
        codes = None
        if method is not None:
            codes = recovery.replace_codes(cred)
            activity.record("totp.recovery_codes_regenerated", actor=account, subject=account, ip=ip)
    if codes is None:
        raise WrongCode()
    return codes


def disable(account: Account, code: str, password: str, ip: str = "") -> None:
    """Turn two-step verification off: needs the password and a current code or a recovery code.

    A wrong password counts as a failed attempt like a wrong code. A locked
    account is refused before the password is hashed; the hash is computed
    outside the transaction, then the limits are checked again under the lock.
    """
    with db.write_transaction():
        lockout.lock(account, ip)
        lockout.refuse_if_limited(_enabled_credential(account), ip)
    password_ok = passwords.verify_password(account.password_hash, password or "")
    with db.write_transaction():
        lockout.lock(account, ip)
        cred = _enabled_credential(account)
        lockout.refuse_if_limited(cred, ip)
        error: DomainError | None = None
        if not password_ok:
            lockout.record_failure(cred, account, ip, "wrong_password")
            error = ValidationError({"password": N_("The password is wrong.")})
        elif _check(cred, account, code, ip, allow_recovery=True) is None:
            error = WrongCode()
        else:
            cred.delete_instance(recursive=True)
            ratelimit.clear("totp", lockout.account_key(account))
            activity.record("totp.disabled", actor=account, subject=account, ip=ip)
    if error is not None:
        raise error


def staff_reset(account: Account, staff: Staff, ip: str = "") -> bool:
    """Staff turn off an account's two-step verification (lost phone); the owner is mailed.

    Returns False when there was nothing to reset.
    """
    with db.write_transaction():
        cred = credential_of(account)
        if cred is None:
            return False
        was_enabled = cred.enabled
        cred.delete_instance(recursive=True)
        ratelimit.clear("totp", lockout.account_key(account))
        if not was_enabled:
            return False
        activity.record("totp.staff_reset", actor=staff, subject=account, ip=ip)
        mail.queue_mail(account.email, "totp_reset", lockout.language_of(account), account=account)
    return True


def second_factor_path(account: Account, kind: str) -> str | None:
    """The code page a login of ``account`` must pass through, or None (the login hook)."""
    admin = kind == "staff"
    if is_enabled(account):
        return "/admin/login/2fa" if admin else "/login/2fa"
    if admin and bool(lockout.setting("require_for_staff")):
        return "/admin/login/2fa"
    return None
