"""Who is calling the JSON API: a personal token, or the browser session.

``Authorization: Bearer <token>`` wins when present; the session cookie is then
ignored. Token requests need no CSRF token (CSRF protects cookies, and a token is
never sent by a browser on its own). That exemption is narrow: only the API
blueprints passed through :func:`install` are exempt from Flask-WTF's global
check, and for them :func:`authenticate` checks the
``X-CSRFToken`` header itself whenever the caller is the cookie session and the
method changes state.

A wrong, revoked or expired token answers 401 with ``WWW-Authenticate: Bearer``;
failed token attempts are counted per address (``core.web.access.client_ip``,
an IPv6 client by its /64; ``core.ratelimit``, scope ``api-token``) and past
the limit every token attempt from that address answers 429, with
``Retry-After`` saying when the oldest counted failure leaves the window. A partial session (second factor due) is not
authenticated here (:func:`core.web.access.load_account` leaves ``g.customer``
empty for ``/api/`` paths).
"""

from __future__ import annotations

from datetime import timedelta

from flask import Blueprint, Response, g, jsonify, request
from flask_wtf.csrf import CSRFError, validate_csrf
from wtforms.validators import ValidationError as WTFValidationError

from core import db, ratelimit, runtime
from core.api import tokens
from core.web.access import client_ip

SAFE_METHODS = {"GET", "HEAD", "OPTIONS"}
SCOPE = "api-token"
DEFAULTS = {"failed_token_limit": 20, "failed_token_window_minutes": 15}


def _setting(key: str) -> int:
    return int(runtime.config().get("api", {}).get(key, DEFAULTS[key]))


def _unauthorized(detail: str, error: str = "unauthorized") -> Response:
    response = jsonify(error=error, detail=detail, status=401)
    response.status_code = 401
    response.headers["WWW-Authenticate"] = (
        f'Bearer realm="hookbill", error="{error}"' if error != "unauthorized" else 'Bearer realm="hookbill"'
    )
    return response


def _too_many(seconds: int) -> Response:
    response = jsonify(error="rate_limited", detail="Too many failed token attempts. Try again later.", status=429)
    response.status_code = 429
    response.headers["Retry-After"] = str(max(1, seconds))
    return response


def _bearer() -> str | None:
    header = request.headers.get("Authorization")
    if header is None:
        return None
    scheme, _, value = header.partition(" ")
    return value.strip() if scheme.lower() == "bearer" else ""


def authenticate() -> Response | None:
    """Before an API view: set ``g.customer`` (and ``g.api_token``), or answer 401/429/400 JSON."""
    raw = _bearer()
    g.api_token = None
    if raw is not None:
        g.customer = None  # a token request never rides on a cookie session
        ip = client_ip()
        window = timedelta(minutes=_setting("failed_token_window_minutes"))
        rule = ratelimit.Rule(SCOPE, ratelimit.address_key(ip), _setting("failed_token_limit"), window)
        wait = ratelimit.wait_seconds(rule)
        if wait:
            return _too_many(wait)
        found = tokens.check_token(raw, ip) if raw else None
        if found is None:
            with db.write_transaction():
                ratelimit.hit(SCOPE, rule.key)
            return _unauthorized("The token is missing, wrong, expired or revoked.", "invalid_token")
        g.api_token, g.customer = found
        return None
    if g.get("customer") is None:
        return _unauthorized("Send Authorization: Bearer <token>, or log in.")
    if request.method not in SAFE_METHODS:
        try:
            validate_csrf(request.headers.get("X-CSRFToken") or request.headers.get("X-CSRF-Token"))
        except WTFValidationError as exc:
            raise CSRFError(str(exc)) from None
    return None


def install(bp: Blueprint) -> None:
    """Make ``bp`` an API blueprint: token or session auth before each view, own CSRF check."""
    from core.app import csrf

    csrf.exempt(bp)
    bp.before_request(authenticate)
