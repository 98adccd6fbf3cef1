"""How a form view shows what went wrong: one helper for bad input, broken rules and refusals.

A domain service raises a :class:`core.errors.DomainError` when the person
cannot do what they asked: :class:`~core.errors.ValidationError` for bad input,
another DomainError for a rule (a conflict, a limit), and a plugin's
:class:`core.hookspecs.HookRefused`, which is a DomainError too. By the time it
reaches the view the service's transaction has rolled back. A form view runs
the service inside :class:`FormErrors`::

    form = RegisterForm()
    shown = FormErrors(form)
    if form.validate_on_submit():
        with shown:
            service.register_customer(...)
            return redirect(url_for("auth.login"))
    return render_template("client/register.html", form=form), shown.status

and renders the same form again: the fields keep what was typed, a
ValidationError's messages sit on their fields, any other message (a refusal)
at the top of the page. Views without a form (buttons) use it the same way and
redirect with the message. What a view does not catch, the app's error handler
(:mod:`core.web.errors`) shows as a page with the message and its 4xx status.
"""

from __future__ import annotations

from types import TracebackType
from typing import Any

from flask import flash

from core.errors import DomainError, ValidationError
from core.web.errors import translated


def add_form_errors(form: Any, errors: dict[str, str]) -> None:
    """Attach domain validation messages to the form's fields (or, for unknown names, the page)."""
    for name, message in errors.items():
        field = getattr(form, name, None)
        if field is not None and hasattr(field, "errors"):
            field.errors = [*list(field.errors), translated(message)]
        else:
            flash(translated(message), "error")


class FormErrors:
    """Context manager around a form view's service call; see the module docstring.

    It swallows only :class:`DomainError` (any other exception goes on to the
    app's error handler). Afterwards :attr:`error` is the error shown, or None,
    and :attr:`status` the status to answer with the form.
    """

    def __init__(self, form: Any = None, *, category: str = "error") -> None:
        self.form = form
        self.category = category
        self.error: DomainError | None = None

    def __enter__(self) -> FormErrors:
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> bool:
        if not isinstance(exc, DomainError):
            return False
        self.error = exc
        if isinstance(exc, ValidationError) and self.form is not None:
            add_form_errors(self.form, exc.errors)
        else:
            flash(translated(exc.message), self.category)
        return True

    @property
    def status(self) -> int:
        """The error's status (422 for bad input or a refusal, 409 for a conflict...), else 422 when
        the form did not validate, else 200."""
        if self.error is not None:
            return self.error.status
        if self.form is not None and getattr(self.form, "errors", None):
            return 422
        return 200
