"""Asking before what cannot be undone: a second step that works without JavaScript.

An action that cannot be undone is a POST form like any other. Sent without
``confirmed=1``, the view does nothing and answers with :func:`ask`: a page that
says what will happen, carries the form's own values on as hidden fields, and
offers a Confirm button (the same POST with ``confirmed=1``) and a Cancel link
back to where the person came from. Only the confirmed POST acts, so a stray
click, a double submit or a form posted from an old page never acts at once.

    if not confirm.confirmed():
        return confirm.ask(
            title=gettext("Close the ticket?"),
            what_happens=[gettext("...")],
            confirm_label=gettext("Close the ticket"),
            cancel_url=url_for(...),
        )
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from flask import render_template, request

#: The form field that says the person saw the confirmation page and agreed.
FIELD = "confirmed"


def confirmed() -> bool:
    """True when this POST comes from the confirmation page's Confirm button."""
    return request.form.get(FIELD) == "1"


def ask(
    *,
    title: str,
    what_happens: Iterable[str],
    confirm_label: str,
    cancel_url: str,
    fields: Mapping[str, str] | None = None,
    danger: bool = True,
) -> tuple[str, int]:
    """The confirmation page for the current POST (status 200; nothing was done).

    :param title: the question, e.g. "Log out on every device?".
    :param what_happens: sentences saying what the action will do, and what it will not.
    :param confirm_label: the Confirm button's text, the action in words ("Log out everywhere").
    :param cancel_url: where Cancel goes: the page the action was started from.
    :param fields: form values to send again with the confirmation (the chosen status, a
        reason); the CSRF token is added by the page itself.
    :param danger: style the Confirm button as destructive.
    """
    area = "admin" if request.path.startswith("/admin") else "client"
    return render_template(
        "confirm.html",
        layout=f"{area}/layout.html",
        title=title,
        what_happens=list(what_happens),
        confirm_label=confirm_label,
        cancel_url=cancel_url,
        action=request.path,
        fields=dict(fields or {}),
        danger=danger,
    ), 200


def form_values(*names: str) -> dict[str, Any]:
    """The current POST's values of ``names`` (to carry on through :func:`ask`)."""
    return {name: request.form.get(name, "") for name in names}
