"""Error pages and JSON errors: HTML for the browser, ``{"error": ...}`` under ``/api``."""

from __future__ import annotations

from typing import Any

from flask import Flask, jsonify, render_template, request
from flask_babel import get_locale, gettext
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import HTTPException

from core import i18n
from core.errors import DomainError, ValidationError


def translated(text: str) -> str:
    """A domain message (a msgid, or an :class:`core.i18n.Message` with values) in the request's language."""
    return i18n.translate(text, gettext, str(get_locale() or "en"))


def wants_json() -> bool:
    """True for API paths and clients that ask for JSON only."""
    return request.path.startswith("/api/") or request.accept_mimetypes.best == "application/json"


def _render(status: int, title: str, detail: str) -> tuple[Any, int]:
    if wants_json():
        return jsonify(error=title, detail=detail, status=status), status
    return render_template("error.html", status=status, title=title, detail=detail), status


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
    def _domain(exc: DomainError) -> tuple[Any, int]:
        if wants_json():
            return jsonify(error=exc.code, detail=exc.message, status=exc.status), exc.status
        return _render(exc.status, gettext("Something is not right"), translated(exc.message))

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
        app.logger.exception("unhandled error on %s %s", request.method, request.path)
        return _render(500, gettext("Internal error"), gettext("The error was logged. Please try again later."))
