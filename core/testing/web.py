"""A Flask test client that fills in CSRF tokens and logs in through the real forms."""

from __future__ import annotations

import re
from typing import Any

from flask.testing import FlaskClient
from werkzeug.test import TestResponse

CSRF_RE = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"')


def csrf_from(html: str) -> str:
    """The first CSRF token in a rendered page (AssertionError when there is none)."""
    match = CSRF_RE.search(html)
    assert match, "no csrf_token in the page"
    return match.group(1)


class WebClient(FlaskClient):
    """:class:`flask.testing.FlaskClient` plus the steps a person's browser takes on a form."""

    def csrf(self, path: str) -> str:
        """GET ``path`` and return the CSRF token of its form."""
        response = self.get(path)
        assert response.status_code == 200, (path, response.status_code)
        return csrf_from(response.get_data(as_text=True))

    def post_form(
        self, path: str, data: dict[str, Any], *, form_page: str | None = None, **kwargs: Any
    ) -> TestResponse:
        """POST ``data`` to ``path`` with the CSRF token of the form on ``form_page`` (default: ``path``)."""
        token = self.csrf(form_page or path)
        return self.post(path, data={**data, "csrf_token": token}, **kwargs)

    def login(self, email: str, password: str) -> TestResponse:
        """Log a customer in through the client area's login form."""
        return self.post_form("/login", {"email": email, "password": password})

    def staff_login(self, email: str, password: str) -> TestResponse:
        """Log a staff member in through the admin area's login form."""
        return self.post_form("/admin/login", {"email": email, "password": password})

    def language(self, lang: str, *, page: str = "/login") -> TestResponse:
        """Switch the interface language (``en``, ``pl``...) with the switch on ``page``, as a visitor does."""
        return self.post_form(f"/language/{lang}", {}, form_page=page)
