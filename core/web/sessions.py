"""Server-side sessions: the cookie holds a random token, the data lives in ``web_session``.

Deleting a row logs that browser out at once, which is how "log out
everywhere", password resets and suspensions revoke sessions. Logging in (and
passing the second factor) renews the token, so a token known before login
is worthless after it.
"""

from __future__ import annotations

import secrets
from datetime import timedelta
from typing import Any

from flask import Flask, Request, Response
from flask.sessions import SessionInterface, SessionMixin
from werkzeug.datastructures import CallbackDict

from core import clock
from core.accounts.tokens import token_hash
from core.db import database
from core.models import WebSession

COOKIE_NAME = "hookbill_session"
TOUCH_EVERY = timedelta(minutes=1)


class ServerSession(CallbackDict[str, Any], SessionMixin):
    """Session data plus the bookkeeping of its row and token."""

    def __init__(
        self, initial: dict[str, Any] | None = None, token: str | None = None, row: WebSession | None = None
    ) -> None:
        def on_update(_self: Any) -> None:
            self.modified = True

        super().__init__(initial or {}, on_update)
        self.token = token
        self.row = row
        self.modified = False
        self.renew = False
        self.destroyed = False

    def regenerate(self) -> None:
        """Give this session a new token at save; the old token stops working."""
        self.renew = True
        self.modified = True

    def destroy(self, keep: dict[str, Any] | None = None) -> None:
        """Delete the session row at save; ``keep`` (e.g. the language) goes on in a new session.

        Without ``keep`` the cookie is deleted too. With it the browser gets a new
        token for a session holding only ``keep``: nothing of the old session
        (its login above all) survives, and the old token stays dead.
        """
        self.clear()
        self.update({k: v for k, v in (keep or {}).items() if v is not None})
        self.destroyed = True
        self.modified = True

    @property
    def token_hash(self) -> str | None:
        """Hash of the current token (the row key), or None for a new session."""
        return token_hash(self.token) if self.token else None


class ServerSessionInterface(SessionInterface):
    """Flask session interface storing sessions in the ``web_session`` table."""

    def open_session(self, app: Flask, request: Request) -> ServerSession:
        database.connect(reuse_if_open=True)
        raw = request.cookies.get(COOKIE_NAME)
        if raw:
            row = WebSession.get_or_none(WebSession.token_hash == token_hash(raw))
            if row is not None and row.expires_at > clock.utcnow():
                return ServerSession(dict(row.data or {}), raw, row)
        return ServerSession()

    def _lifetime(self, app: Flask) -> timedelta:
        return timedelta(days=int(app.config["HOOKBILL"].get_value("app.session_days")))

    def save_session(self, app: Flask, session: SessionMixin, response: Response) -> None:
        assert isinstance(session, ServerSession)
        domain = self.get_cookie_domain(app)
        path = self.get_cookie_path(app)
        if session.destroyed:
            if session.row is not None:
                session.row.delete_instance()
                session.row = None
            if not session:
                response.delete_cookie(COOKIE_NAME, domain=domain, path=path)
                return
            session.renew = False  # what was kept goes to a new row under a new token, below
        now = clock.utcnow()
        if session.row is not None and session.renew:
            session.row.delete_instance()
            session.row = None
        if session.row is None:
            if not session:
                return
            session.token = secrets.token_urlsafe(32)
            session.row = WebSession(token_hash=token_hash(session.token))
        elif not session.modified and now - session.row.last_seen < TOUCH_EVERY:
            return
        row = session.row
        row.data = dict(session)
        row.user_kind = session.get("_user_kind")
        row.user_id = session.get("_user_id")
        row.auth_level = session.get("_auth", "none")
        row.last_seen = now
        row.expires_at = now + self._lifetime(app)
        from flask import request

        row.ip = (request.remote_addr or "")[:64]
        row.user_agent = (request.user_agent.string or "")[:255]
        row.save()
        response.set_cookie(
            COOKIE_NAME,
            session.token or "",
            max_age=int(self._lifetime(app).total_seconds()),
            httponly=True,
            secure=bool(app.config["HOOKBILL"].get_value("app.secure_cookies")),
            samesite="Lax",
            domain=domain,
            path=path,
        )


def current_token_hash() -> str | None:
    """The row key of the current request's server-side session (None before one exists)."""
    from flask import session

    return session.token_hash if isinstance(session, ServerSession) else None
