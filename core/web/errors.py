"""Error pages and JSON errors: HTML for the browser, ``{"error": ...}`` for the API and gateways.

The last line of defence for every view, so that nothing a person or a plugin
does becomes a bare 500:

* a :class:`core.errors.DomainError` (bad input, a business rule, a plugin's
  :class:`core.hookspecs.HookRefused`) answers its own 4xx status with its
  message. Form views show it on the form instead (:mod:`core.web.form_errors`);
  this handler catches what a view did not;
* any other exception answers 500 with a translated page, after one log line
  that names the plugin and hook it came from, when it came from one
  (:func:`core.plugins.failed_in`). The database transactions it passed through
  have rolled back.

JSON is answered under ``/api/``, to clients that ask for JSON only, and by
views marked :func:`server_callback` (a payment gateway's notification), where
a 5xx tells the gateway to try again later.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any, TypeVar

from flask import Flask, current_app, jsonify, render_template, request
from flask_babel import get_locale, gettext
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import HTTPException

from core import i18n
from core.errors import DomainError, RateLimited, ValidationError
from core.plugins import describe_failure

F = TypeVar("F", bound=Callable[..., Any])
log = logging.getLogger("hookbill.web")
_JSON_MARK = "hookbill_server_callback"


def server_callback(view: F) -> F:
    """Mark ``view`` as called by another server (a payment gateway's callback), not a browser.

    The view is exempt from CSRF (the caller cannot hold a token: it must check
    its own signature), and every error it raises answers JSON, never an HTML
    page: a refusal or bad input its 4xx status, our own failure 500, which
    makes a gateway retry later.
    """
    from core.app import csrf

    setattr(view, _JSON_MARK, True)
    csrf.exempt(view)
    return view


def is_server_callback(view: Callable[..., Any] | None) -> bool:
    """True for a view marked with :func:`server_callback`."""
    return bool(getattr(view, _JSON_MARK, False))


def translated(text: str) -> str:
    """A domain message (a msgid, or an :class:`core.i18n.Message` with values) in the request's language."""
    return i18n.translate(text, gettext, str(get_locale() or "en"))


def wants_json() -> bool:
    """True for API paths, server callbacks and clients that ask for JSON only."""
    view = current_app.view_functions.get(request.endpoint or "")
    return (
        request.path.startswith("/api/")
        or is_server_callback(view)
        or request.accept_mimetypes.best == "application/json"
    )


def _render(status: int, title: str, detail: str, error: str | None = None) -> tuple[Any, int]:
    if wants_json():
        return jsonify(error=error or title, detail=detail, status=status), status
    return render_template("error.html", status=status, title=title, detail=detail), status


def retry_after_headers(exc: BaseException) -> dict[str, str]:
    """``Retry-After`` for a :class:`core.errors.RateLimited` that knows its wait, else nothing."""
    seconds = getattr(exc, "retry_after", None) if isinstance(exc, RateLimited) else None
    return {"Retry-After": str(max(1, int(seconds)))} if seconds else {}


def log_crash(exc: BaseException) -> None:
    """One log line for an unexpected error of this request, naming the plugin and hook when it came from one."""
    log.error("%s %s: %s", request.method, request.path, describe_failure(exc), exc_info=exc)


def install(app: Flask) -> None:
    """Register handlers that never leak internals (or plaintext) into the answer."""

    @app.errorhandler(CSRFError)
    def _csrf(exc: CSRFError) -> tuple[Any, int]:
        return _render(400, gettext("The form expired"), gettext("Reload the page and try again."))

    @app.errorhandler(ValidationError)
    def _validation(exc: ValidationError) -> tuple[Any, int]:
        if wants_json():
            return jsonify(error="validation", fields=exc.errors, status=422), 422
        return _render(422, gettext("Invalid data"), "; ".join(translated(v) for v in exc.errors.values()))

    @app.errorhandler(DomainError)
    def _domain(exc: DomainError) -> tuple[Any, int, dict[str, str]]:
        if wants_json():
            return jsonify(error=exc.code, detail=exc.message, status=exc.status), exc.status, retry_after_headers(exc)
        body, status = _render(exc.status, gettext("Something is not right"), translated(exc.message))
        return body, status, retry_after_headers(exc)

    @app.errorhandler(HTTPException)
    def _http(exc: HTTPException) -> tuple[Any, int]:
        status = exc.code or 500
        titles = {
            400: gettext("Bad request"),
            403: gettext("No access"),
            404: gettext("Not found"),
            405: gettext("Method not allowed"),
            413: gettext("The upload is too large"),
            429: gettext("Too many requests"),
        }
        # Werkzeug's descriptions are English and in no catalog: our own words instead.
        details = {
            400: gettext("The request could not be understood. Go back and try again."),
            403: gettext("You may not open this page."),
            404: gettext("This page does not exist, or it is not yours."),
            405: gettext("This page cannot be used this way."),
            413: gettext("The files are larger than we accept in one message."),
            429: gettext("Too many attempts. Try again later."),
        }
        detail = details.get(status) or (translated(exc.description) if exc.description else "")
        return _render(status, titles.get(status) or translated(exc.name), detail)

    @app.errorhandler(Exception)
    def _crash(exc: Exception) -> tuple[Any, int]:
        log_crash(exc)
        return _render(
            500, gettext("Internal error"), gettext("The error was logged. Please try again later."), "internal"
        )
