"""KSeF 2.0 through the ``ksef-client`` library: the one module that talks to it.

:class:`Connection` authenticates with the KSeF token (challenge, the token
encrypted with the Ministry's public key, the access token and, when it
expires, its refresh), keeps one online session open (its AES key encrypted
for the Ministry) and reuses it across processes: the tokens and the session
are stored in :class:`~plugins.ksef.models.KsefConnection`, Fernet-encrypted
with a key derived from the app's secret key. It sends an invoice (encrypted,
with its hash and size, the offline flag and the hash of the invoice a
technical correction corrects), reads its status and UPO, closes the session,
and asks "Latarnia" whether KSeF is available.

Every failure becomes one of two exceptions: :class:`KsefUnavailable` (no
answer, 5xx, 429: try again later, ``retry_after`` when KSeF said) or
:class:`KsefRefused` (KSeF answered no: its code and description).
"""

from __future__ import annotations

import base64
import hashlib
import json
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from cryptography.fernet import Fernet, InvalidToken
from ksef_client import KsefClient, KsefClientOptions
from ksef_client import models as m
from ksef_client.exceptions import KsefHttpError, KsefRateLimitError
from ksef_client.services.sessions import OnlineSessionState
from ksef_client.services.workflows import AuthCoordinator, OnlineSessionWorkflow

from core import clock, db
from core.config import app_secret_key
from core.runtime import config as current_config
from plugins.ksef.models import KsefConnection
from plugins.ksef.settings import KsefSettings

FORM_CODE = m.FormCode(system_code="FA (3)", schema_version="1-0E", value="FA")
TOKEN_MARGIN = timedelta(seconds=60)  # a token this close to its end counts as expired
SESSION_CODES = (21173, 21180)  # no such session / its status forbids sending: open a new one


class KsefUnavailable(Exception):
    """KSeF did not answer, or answered "later" (5xx, 429); ``retry_after`` in seconds when it said."""

    def __init__(self, message: str, *, http_status: int = 0, retry_after: int | None = None, body: str = "") -> None:
        super().__init__(message)
        self.http_status = http_status
        self.retry_after = retry_after
        self.body = body


class KsefRefused(Exception):
    """KSeF answered no: ``code`` and ``description`` as it gave them (``stage``: auth, send, status, upo)."""

    def __init__(
        self, description: str, *, code: int = 0, http_status: int = 0, details: str = "", body: str = ""
    ) -> None:
        super().__init__(f"{code} {description}".strip())
        self.code = code
        self.description = description
        self.http_status = http_status
        self.details = details
        self.body = body


@dataclass(frozen=True)
class InvoiceStatus:
    """What KSeF says about one invoice sent in a session."""

    code: int
    description: str
    details: tuple[str, ...] = ()
    ksef_number: str = ""
    acquisition_date: str = ""
    invoicing_mode: str = ""
    original_ksef_number: str = ""  # a duplicate (440): the number the first copy got


@dataclass
class Stored:
    """The connection's stored state (decrypted)."""

    access_token: str = ""
    access_until: float = 0.0
    refresh_token: str = ""
    refresh_until: float = 0.0
    session: dict[str, Any] | None = None
    session_used: float = 0.0
    extra: dict[str, Any] = field(default_factory=dict)


def _fernet() -> Fernet:
    secret = app_secret_key(current_config())
    return Fernet(base64.urlsafe_b64encode(hashlib.sha256(b"hookbill-ksef:" + secret.encode()).digest()))


def _moment(text: str | None, default: float) -> float:
    if not text:
        return default
    try:
        return datetime.fromisoformat(text.replace("Z", "+00:00")).timestamp()
    except ValueError:
        return default


def _body_text(body: Any) -> str:
    if body is None:
        return ""
    return body if isinstance(body, str) else json.dumps(body, ensure_ascii=False)[:4000]


def _refusal(exc: KsefHttpError) -> KsefRefused:
    """The first exception detail of a 4xx answer (ExceptionResponse or problem+json)."""
    body = exc.response_body if isinstance(exc.response_body, dict) else {}
    detail: dict[str, Any] = {}
    listed = (body.get("exception") or {}).get("exceptionDetailList") or body.get("errors") or []
    if listed:
        detail = listed[0]
    code = int(detail.get("exceptionCode") or detail.get("code") or 0)
    description = str(
        detail.get("exceptionDescription") or detail.get("description") or body.get("detail") or exc.message
    )
    details = "; ".join(str(x) for x in (detail.get("details") or []))
    return KsefRefused(description, code=code, http_status=exc.status_code, details=details, body=_body_text(body))


def _translate(exc: Exception) -> Exception:
    """The library's exception as KsefUnavailable or KsefRefused."""
    if isinstance(exc, KsefRateLimitError):
        return KsefUnavailable(
            "KSeF: too many requests", http_status=429, retry_after=exc.retry_after, body=_body_text(exc.response_body)
        )
    if isinstance(exc, KsefHttpError):
        if exc.status_code == 0 or exc.status_code >= 500:
            return KsefUnavailable(
                str(exc), http_status=exc.status_code, retry_after=exc.retry_after, body=_body_text(exc.response_body)
            )
        return _refusal(exc)
    if isinstance(exc, TimeoutError):
        return KsefUnavailable(f"KSeF: {exc}")
    return exc


class Connection:
    """One process's way to KSeF; see the module docstring. Use as a context manager."""

    def __init__(self, settings: KsefSettings) -> None:
        self.settings = settings
        self.client = KsefClient(
            KsefClientOptions(
                base_url=settings.api_url,
                base_qr_url=settings.qr_url,
                base_lighthouse_url=settings.lighthouse_url,
                timeout_seconds=settings.timeout_seconds,
            )
        )
        self.stored = self._load()

    def __enter__(self) -> Connection:
        return self

    def __exit__(self, *exc: object) -> None:
        self.client.close()

    # -- stored state ----------------------------------------------------------------------
    def _load(self) -> Stored:
        row = KsefConnection.get_or_none(KsefConnection.name == "online")
        if row is None or not row.data:
            return Stored()
        try:
            data = json.loads(_fernet().decrypt(row.data.encode()).decode())
        except (InvalidToken, ValueError):
            return Stored()  # another secret key: start afresh
        if data.get("api_url") != self.settings.api_url or data.get("nip") != self.settings.nip:
            return Stored()
        return Stored(**{k: v for k, v in data.items() if k in Stored.__dataclass_fields__})

    def _save(self) -> None:
        data = dict(self.stored.__dict__, api_url=self.settings.api_url, nip=self.settings.nip)
        text = _fernet().encrypt(json.dumps(data).encode()).decode()
        with db.write_transaction():
            KsefConnection.insert(name="online", data=text, updated_at=clock.utcnow()).on_conflict(
                conflict_target=[KsefConnection.name],
                update={KsefConnection.data: text, KsefConnection.updated_at: clock.utcnow()},
            ).execute()

    # -- authentication --------------------------------------------------------------------
    def _public_key(self, usage: str) -> tuple[str, str]:
        chosen = self.client.security.get_public_key_certificate(usage)
        return chosen.certificate, str(chosen.public_key_id or "")

    def access_token(self) -> str:
        """A valid access token: the stored one, refreshed, or from a new authentication."""
        now = time.time()
        if self.stored.access_token and self.stored.access_until - TOKEN_MARGIN.total_seconds() > now:
            return self.stored.access_token
        try:
            if self.stored.refresh_token and self.stored.refresh_until > now:
                try:
                    refreshed = self.client.auth.refresh_access_token(self.stored.refresh_token)
                    self.stored.access_token = refreshed.access_token.token
                    self.stored.access_until = _moment(refreshed.access_token.valid_until, now + 600)
                    self._save()
                    return self.stored.access_token
                except KsefHttpError as exc:
                    if exc.status_code == 0 or exc.status_code >= 500:
                        raise
            return self._authenticate()
        except Exception as exc:
            raise _translate(exc) from exc

    def _authenticate(self) -> str:
        if not self.settings.token:
            raise KsefRefused("ksef.token is not set")
        certificate, key_id = self._public_key("KsefTokenEncryption")
        try:
            result = AuthCoordinator(self.client.auth).authenticate_with_ksef_token(
                token=self.settings.token,
                public_certificate=certificate,
                public_key_id=key_id,
                context_identifier_type="nip",
                context_identifier_value=self.settings.nip,
                poll_interval_seconds=self.settings.poll_seconds,
                max_attempts=30,
            )
        except RuntimeError as exc:  # the authentication operation ended with an error status
            raise KsefRefused(str(exc)) from exc
        now = time.time()
        tokens = result.tokens
        self.stored = Stored(
            access_token=tokens.access_token.token,
            access_until=_moment(tokens.access_token.valid_until, now + 600),
            refresh_token=tokens.refresh_token.token,
            refresh_until=_moment(tokens.refresh_token.valid_until, now + 86400),
            session=self.stored.session,
            session_used=self.stored.session_used,
        )
        self._save()
        return self.stored.access_token

    def _forget_access(self) -> None:
        self.stored.access_token = ""
        self.stored.access_until = 0.0

    # -- the online session ----------------------------------------------------------------
    def _session(self, token: str) -> OnlineSessionState:
        state = OnlineSessionState.from_dict(self.stored.session) if self.stored.session else None
        if state is not None and _moment(state.valid_until, 0) - 600 > time.time():
            return state
        certificate, key_id = self._public_key("SymmetricKeyEncryption")
        handle = OnlineSessionWorkflow(self.client.sessions).open_session(
            form_code=FORM_CODE, public_certificate=certificate, public_key_id=key_id, access_token=token
        )
        state = handle.get_state()
        self.stored.session = state.to_dict()
        self.stored.session_used = time.time()
        self._save()
        return state

    def _call(self, action: Any) -> Any:
        """Run ``action(token)``; once more with a new token after a 401, translating errors."""
        for attempt in (1, 2):
            token = self.access_token()
            try:
                return action(token)
            except KsefHttpError as exc:
                if exc.status_code == 401 and attempt == 1:
                    self._forget_access()
                    continue
                raise _translate(exc) from exc
        raise AssertionError("unreachable")

    def send(self, xml: bytes, *, offline: bool, corrected_hash: str = "") -> tuple[str, str]:
        """Send ``xml`` in the open session (opened when needed); return (session ref, invoice ref)."""
        workflow = OnlineSessionWorkflow(self.client.sessions)
        for attempt in (1, 2):

            def post(token: str) -> tuple[str, str]:
                state = self._session(token)
                sent = workflow.send_invoice(
                    session_reference_number=state.reference_number,
                    invoice_xml=xml,
                    encryption_data=_encryption(state),
                    access_token=token,
                    offline_mode=offline,
                    hash_of_corrected_invoice=corrected_hash or None,
                )
                return state.reference_number, str(sent.reference_number)

            try:
                result: tuple[str, str] = self._call(post)
            except KsefRefused as exc:
                if exc.code in SESSION_CODES and attempt == 1:
                    self.stored.session = None  # closed or gone: open a new one
                    continue
                raise
            self.stored.session_used = time.time()
            self._save()
            return result
        raise AssertionError("unreachable")

    def status(self, session_ref: str, invoice_ref: str) -> InvoiceStatus:
        """The invoice's status in its session."""
        answer = self._call(
            lambda token: self.client.sessions.get_session_invoice_status(session_ref, invoice_ref, access_token=token)
        )
        extensions = answer.status.extensions or {}
        return InvoiceStatus(
            code=int(answer.status.code),
            description=str(answer.status.description or ""),
            details=tuple(str(x) for x in answer.status.details or ()),
            ksef_number=answer.ksef_number or "",
            acquisition_date=answer.acquisition_date or "",
            invoicing_mode=str(getattr(answer.invoicing_mode, "value", answer.invoicing_mode) or ""),
            original_ksef_number=str(extensions.get("originalKsefNumber") or ""),
        )

    def upo(self, session_ref: str, invoice_ref: str) -> str:
        """The invoice's UPO (XML) as KSeF issues it."""
        data = self._call(
            lambda token: self.client.sessions.get_session_invoice_upo_by_ref(
                session_ref, invoice_ref, access_token=token
            )
        )
        return bytes(data).decode("utf-8")

    def close_idle_session(self, idle: timedelta) -> str:
        """Close the stored session when unused for ``idle``; return its reference ("" when none was closed)."""
        if not self.stored.session or time.time() - self.stored.session_used < idle.total_seconds():
            return ""
        ref = str(self.stored.session["reference_number"])
        try:
            self._call(lambda token: OnlineSessionWorkflow(self.client.sessions).close_session(ref, token))
        except KsefRefused as exc:
            if exc.code not in SESSION_CODES:
                raise
        self.stored.session = None
        self._save()
        return ref

    def availability(self) -> tuple[str, list[dict[str, Any]]]:
        """Latarnia: KSeF's status (AVAILABLE, MAINTENANCE, FAILURE, TOTAL_FAILURE) and its messages."""
        try:
            status = self.client.lighthouse.get_status()
        except Exception as exc:
            raise _translate(exc) from exc
        messages = [x.to_dict() for x in status.messages or ()]
        return str(getattr(status.status, "value", status.status)), messages


def _encryption(state: OnlineSessionState) -> Any:
    from ksef_client.services.crypto import EncryptionData

    return EncryptionData(key=state.symmetric_key, iv=state.iv, encryption_info=None)


def utc_from_iso(text: str) -> datetime | None:
    """A KSeF timestamp as a naive UTC datetime (the form stored), or None."""
    if not text:
        return None
    try:
        return datetime.fromisoformat(text.replace("Z", "+00:00")).astimezone(UTC).replace(tzinfo=None)
    except ValueError:
        return None
