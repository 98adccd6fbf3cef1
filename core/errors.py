"""Errors domain services raise; the web layer turns them into messages and 4xx answers."""

from __future__ import annotations

from core.i18n import N_


class DomainError(Exception):
    """Base of errors a user caused; ``message`` is shown to them (translated by the web layer).

    ``message`` is an English msgid marked with ``N_`` (a :class:`core.i18n.Message`
    when it carries values, ``N_("At most %(count)s files.", count=5)``), never an
    f-string: the catalog must find the same text the code raises.
    """

    status = 400

    def __init__(self, message: str, *, field: str | None = None, code: str = "invalid") -> None:
        super().__init__(message)
        self.message = message
        self.field = field
        self.code = code


class ValidationError(DomainError):
    """Input was not acceptable; ``errors`` maps field names to messages."""

    status = 422

    def __init__(self, errors: dict[str, str]) -> None:
        super().__init__("; ".join(f"{k}: {v}" for k, v in errors.items()), code="validation")
        self.errors = errors


class NotFound(DomainError):
    """The object does not exist, or belongs to someone else (never say which).

    ``what`` names the kind of object for the code and logs; the person reads one
    translated sentence whatever it was.
    """

    status = 404

    def __init__(self, what: str = "not found") -> None:
        super().__init__(N_("This does not exist, or it is not yours."), code="not_found")
        self.what = what


class Forbidden(DomainError):
    """The actor may not do this."""

    status = 403

    def __init__(self, message: str = N_("You may not do this.")) -> None:
        super().__init__(message, code="forbidden")


class Conflict(DomainError):
    """The action conflicts with the current state (already paid, already pending...)."""

    status = 409

    def __init__(self, message: str, code: str = "conflict") -> None:
        super().__init__(message, code=code)


class RateLimited(DomainError):
    """Too many attempts; try later. ``retry_after``: seconds until one more attempt is let through, if known.

    The web layer sends it as ``Retry-After``: the wait is a header to the
    client, never a sleep in a worker.
    """

    status = 429

    def __init__(
        self, message: str = N_("Too many attempts. Try again later."), retry_after: int | None = None
    ) -> None:
        super().__init__(message, code="rate_limited")
        self.retry_after = retry_after
