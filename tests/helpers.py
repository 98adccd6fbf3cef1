"""Helpers for web tests: CSRF tokens, logging in, making accounts."""

from __future__ import annotations

import functools
import re
from typing import Any

from flask.testing import FlaskClient

from core import db
from core.accounts.passwords import hash_password
from core.models import Customer, Staff

CSRF_RE = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"')
PASSWORD = "correct horse battery"


def csrf_from(html: str) -> str:
    """The first CSRF token in a rendered page."""
    match = CSRF_RE.search(html)
    assert match, "no csrf_token in the page"
    return match.group(1)


def csrf(client: FlaskClient, path: str) -> str:
    """GET ``path`` and return its CSRF token."""
    response = client.get(path)
    assert response.status_code == 200, (path, response.status_code)
    return csrf_from(response.get_data(as_text=True))


def post_form(
    client: FlaskClient, path: str, data: dict[str, Any], *, form_page: str | None = None, **kwargs: Any
) -> Any:
    """POST ``data`` to ``path`` with a CSRF token taken from ``form_page`` (default: ``path``)."""
    token = csrf(client, form_page or path)
    return client.post(path, data={**data, "csrf_token": token}, **kwargs)


@functools.cache
def password_hash(password: str) -> str:
    """A real argon2 hash of ``password``, computed once per test process (hashing is slow on purpose)."""
    return hash_password(password)


def make_customer(email: str = "ala@example.test", password: str = PASSWORD, **fields: Any) -> Customer:
    """A verified, active customer."""
    from core import clock

    with db.connection():
        return Customer.create(
            email=email,
            password_hash=password_hash(password),
            first_name=fields.pop("first_name", "Ala"),
            last_name=fields.pop("last_name", "Nowak"),
            email_verified_at=clock.utcnow(),
            **fields,
        )


def make_staff(email: str = "staff@example.test", role: str = "admin", password: str = PASSWORD) -> Staff:
    """An active staff member with ``role``."""
    with db.connection():
        return Staff.create(email=email, name=f"Staff {role}", role=role, password_hash=password_hash(password))


def login(client: FlaskClient, email: str, password: str = PASSWORD) -> Any:
    """Log a customer in through the login form; return the response."""
    return post_form(client, "/login", {"email": email, "password": password})


def staff_login(client: FlaskClient, email: str, password: str = PASSWORD) -> Any:
    """Log a staff member in through the admin login form."""
    return post_form(client, "/admin/login", {"email": email, "password": password})
