"""Helpers for the API tests: a token for a customer, bearer headers, money/date formats."""

from __future__ import annotations

import re
from typing import Any

from core import db
from core.api import tokens
from core.models import Customer

MONEY_RE = re.compile(r"^-?\d+\.\d{2}$")
DATE_RE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
MOMENT_RE = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$")


def token_for(customer: Customer, name: str = "skrypt", days: int = 0) -> str:
    """Create a token through the domain service; return the raw value."""
    with db.connection():
        return tokens.create_token(customer, name, days)[1]


def bearer(raw: str) -> dict[str, str]:
    """The Authorization header for ``raw``."""
    return {"Authorization": f"Bearer {raw}"}


def get_json(client: Any, path: str, raw: str, status: int = 200) -> Any:
    """GET ``path`` with the token; assert the status; return the JSON body."""
    response = client.get(path, headers=bearer(raw))
    assert response.status_code == status, (path, response.status_code, response.get_data(as_text=True)[:300])
    assert response.mimetype == "application/json"
    return response.get_json()
