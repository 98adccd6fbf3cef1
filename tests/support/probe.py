"""Sending one request the way the generated route tests do, and reading what came back.

:func:`send` always closes the response (downloads hold a file open) and
returns a :class:`Reply` with the status, the ``Location`` header and the text.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from flask.testing import FlaskClient

from tests.helpers import CSRF_RE


@dataclass(frozen=True)
class Reply:
    """What a request answered."""

    status: int
    location: str
    text: str
    mimetype: str

    def json(self) -> Any:
        import json

        return json.loads(self.text)


def send(client: FlaskClient, method: str, path: str, **kwargs: Any) -> Reply:
    """``method`` ``path`` through ``client`` (test-client keyword arguments); the response closed."""
    response = client.open(path, method=method, **kwargs)
    try:
        textual = response.mimetype in ("text/html", "application/json", "text/plain")
        text = response.get_data(as_text=True) if textual else ""
        return Reply(response.status_code, response.headers.get("Location", ""), text, response.mimetype)
    finally:
        response.close()


def csrf_token(client: FlaskClient, path: str = "/") -> str:
    """The CSRF token of ``client``'s session, from the page at ``path``."""
    reply = send(client, "GET", path)
    match = CSRF_RE.search(reply.text)
    assert match, f"no csrf_token on {path} ({reply.status})"
    return match.group(1)


LOGIN_PATH = re.compile(r"^(https?://[^/]+)?/login(\?|$)")
ADMIN_LOGIN_PATH = re.compile(r"^(https?://[^/]+)?/admin/login(\?|$)")
