"""Sessions: a row in ``web_session`` for whoever logs in, a signed cookie for everyone else.

A server-side session (the cookie ``hookbill_session`` holds a random token,
the data lives in ``web_session``) exists only while there is a login to keep:
someone logged in, or half-way (password given, second factor due). Deleting
a row logs that browser out at once, which is how "log out everywhere",
password resets and suspensions revoke sessions. Logging in (and passing the
second factor) renews the token, so a token known before login is worthless
after it.

A visitor who is not logged in writes no row: what their session holds (the
CSRF token of the forms they see, the language they chose, a message to show
after a redirect) travels in the signed cookie ``hookbill_visitor`` instead,
so page views of the login form, the help pages or a crawler cost no
database write. It is signed with the app's secret key (not encrypted: it
holds nothing secret from its own browser) and expires like a session. The
moment a login begins, that data moves into a new row under a new token and
the visitor cookie is deleted; when a session ends, what it passes on (the
language) goes back into the visitor cookie.
"""

from __future__ import annotations

import secrets
from datetime import timedelta
from typing import Any

from flask import Flask, Request, Response
from flask.sessions import SessionInterface, SessionMixin, session_json_serializer
from itsdangerous import BadSignature, URLSafeTimedSerializer
from werkzeug.datastructures import CallbackDict

from core import clock
from core.accounts.tokens import token_hash
from core.db import database
from core.models import WebSession

COOKIE_NAME = "hookbill_session"
VISITOR_COOKIE = "hookbill_visitor"
TOUCH_EVERY = timedelta(minutes=1)
#: The session key that makes a session server-side: someone's login (full or partial).
LOGIN_KEY = "_user_kind"
#: Visitor data larger than this (encoded) goes to a row: browsers drop cookies over ~4 KB.
VISITOR_COOKIE_MAX = 3500


class ServerSession(CallbackDict[str, Any], SessionMixin):
    """Session data plus the bookkeeping of its row and token (no row: a visitor)."""

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
        """Delete the session row at save; ``keep`` (e.g. the language) goes on in the visitor cookie.

        Nothing of the old session (its login above all) survives, and the old
        token stays dead. Without ``keep`` the browser keeps no session at all.
        """
        self.clear()
        self.update({k: v for k, v in (keep or {}).items() if v is not None})
        self.destroyed = True
        self.modified = True

    @property
    def token_hash(self) -> str | None:
        """Hash of the current token (the row key), or None for a visitor's session."""
        return token_hash(self.token) if self.token else None


class ServerSessionInterface(SessionInterface):
    """Flask session interface: logins in the ``web_session`` table, visitors in a signed cookie."""

    def _visitor_serializer(self, app: Flask) -> URLSafeTimedSerializer:
        return URLSafeTimedSerializer(
            str(app.secret_key), salt="hookbill-visitor-session", serializer=session_json_serializer
        )

    def _lifetime(self, app: Flask) -> timedelta:
        return timedelta(days=int(app.config["HOOKBILL"].get_value("app.session_days")))

    def open_session(self, app: Flask, request: Request) -> ServerSession:
        database.connect(reuse_if_open=True)
        raw = request.cookies.get(COOKIE_NAME)
        if raw:
            row = WebSession.get_or_none(WebSession.token_hash == token_hash(raw))
            if row is not None and row.expires_at > clock.utcnow():
                return ServerSession(dict(row.data or {}), raw, row)
        signed = request.cookies.get(VISITOR_COOKIE)
        if signed:
            try:
                data = self._visitor_serializer(app).loads(signed, max_age=int(self._lifetime(app).total_seconds()))
            except BadSignature:
                data = None
            if isinstance(data, dict) and LOGIN_KEY not in data:
                return ServerSession(data)
        return ServerSession()

    def save_session(self, app: Flask, session: SessionMixin, response: Response) -> None:
        assert isinstance(session, ServerSession)
        from flask import request

        if session.destroyed and session.row is not None:
            session.row.delete_instance()  # the old login ends; what was kept starts afresh below
            session.row = None
            session.renew = False
        visitor_value = (
            "" if LOGIN_KEY in session or not session else self._visitor_serializer(app).dumps(dict(session))
        )
        keep_row = LOGIN_KEY in session or len(visitor_value) > VISITOR_COOKIE_MAX
        if session.row is not None and (session.renew or not keep_row):
            session.row.delete_instance()
            session.row = None
        if keep_row:
            self._save_row(app, session, response)
            if VISITOR_COOKIE in request.cookies:
                self._delete_cookie(app, response, VISITOR_COOKIE)
            return
        if COOKIE_NAME in request.cookies:
            self._delete_cookie(app, response, COOKIE_NAME)  # the row it named is gone, or never was
        if not session.modified:
            return
        if visitor_value:
            self._set_cookie(app, response, VISITOR_COOKIE, visitor_value)
        elif VISITOR_COOKIE in request.cookies:
            self._delete_cookie(app, response, VISITOR_COOKIE)

    def _save_row(self, app: Flask, session: ServerSession, response: Response) -> None:
        """Write the session's row (a new one under a new token when there is none) and its cookie."""
        from core.web.access import client_ip

        now = clock.utcnow()
        if session.row is None:
            session.token = secrets.token_urlsafe(32)
            session.row = WebSession(token_hash=token_hash(session.token))
        elif not session.modified and now - session.row.last_seen < TOUCH_EVERY:
            return
        row = session.row
        row.data = dict(session)
        row.user_kind = session.get(LOGIN_KEY)
        row.user_id = session.get("_user_id")
        row.auth_level = session.get("_auth", "none")
        row.last_seen = now
        row.expires_at = now + self._lifetime(app)
        from flask import request

        row.ip = client_ip()[:64]
        row.user_agent = (request.user_agent.string or "")[:255]
        row.save()
        self._set_cookie(app, response, COOKIE_NAME, session.token or "")

    def _set_cookie(self, app: Flask, response: Response, name: str, value: str) -> None:
        response.set_cookie(
            name,
            value,
            max_age=int(self._lifetime(app).total_seconds()),
            httponly=True,
            secure=bool(app.config["HOOKBILL"].get_value("app.secure_cookies")),
            samesite="Lax",
            domain=self.get_cookie_domain(app),
            path=self.get_cookie_path(app),
        )

    def _delete_cookie(self, app: Flask, response: Response, name: str) -> None:
        response.delete_cookie(name, domain=self.get_cookie_domain(app), path=self.get_cookie_path(app))


def current_token_hash() -> str | None:
    """The row key of the current request's server-side session (None for a visitor)."""
    from flask import session

    return session.token_hash if isinstance(session, ServerSession) else None
