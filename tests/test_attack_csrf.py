"""CSRF on every state-changing route, generated from the URL map.

Every POST/PUT/PATCH/DELETE route answers 400 to a request without a CSRF
token, and to one carrying another session's token, whoever sends it (a
visitor, the customer, staff), and changes nothing: the sessions that sent the
forged requests are still logged in afterwards (the logout routes are in the
matrix too). Under ``/api/`` the browser session needs the ``X-CSRFToken``
header, while a bearer token needs none and a wrong one is 401. The only
routes without a token are those marked ``@server_callback`` (a gateway's
notification): they must prove their own authenticity, so an unsigned call
is refused with a 4xx.
"""

from __future__ import annotations

from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient

from core.web.errors import is_server_callback
from tests.api_helpers import bearer
from tests.support.probe import csrf_token, send
from tests.support.world import CONFIG as WORLD_CONFIG
from tests.support.world import (
    STATE_CHANGING,
    admin_client,
    app_rules,
    area_of,
    build_path,
    build_world,
    customer_client,
    methods_of,
    values_for,
)

pytestmark = pytest.mark.slow


@pytest.fixture
def app_overrides() -> dict[str, dict[str, Any]]:
    return WORLD_CONFIG


def _still_logged_in(client: FlaskClient, path: str) -> bool:
    return send(client, "GET", path).status == 200


def test_every_state_change_needs_this_sessions_csrf_token(app: Flask) -> None:
    world = build_world()
    visitor, customer, staff = app.test_client(), customer_client(app, world.a), admin_client(app, world)
    stranger = customer_client(app, world.b)
    foreign = csrf_token(stranger)  # a valid token, of another session
    wrong: list[str] = []
    checked = 0
    for rule in app_rules(app):
        view = app.view_functions[rule.endpoint]
        if is_server_callback(view):
            continue
        for method in sorted(set(methods_of(rule)) & STATE_CHANGING):
            path = build_path(app, rule, values_for(world, rule))
            if area_of(rule) == "api":
                for token in ("", foreign):
                    headers = {"X-CSRFToken": token} if token else {}
                    reply = send(customer, method, path, json={}, headers=headers)
                    checked += 1
                    if reply.status != 400:
                        wrong.append(f"{method} {path} session, token {token[:6]!r}: {reply.status}")
                reply = send(visitor, method, path, json={}, headers=bearer("not-a-token"))
                if reply.status != 401:
                    wrong.append(f"{method} {path} with a wrong bearer token: {reply.status}")
                reply = send(visitor, method, path, json={}, headers=bearer(world.a.api_token))
                if reply.status == 400 and "csrf" in reply.text.lower():
                    wrong.append(f"{method} {path} with the bearer token asked for a CSRF token")
                continue
            senders = [("visitor", visitor), ("staff", staff) if area_of(rule) == "admin" else ("customer", customer)]
            for who, client in senders:
                for data in ({}, {"csrf_token": foreign}):
                    reply = send(client, method, path, data=data)
                    checked += 1
                    if reply.status != 400:
                        wrong.append(f"{who} {method} {path} ({rule.endpoint}) token {bool(data)}: {reply.status}")
    assert checked >= 80, checked
    assert not wrong, "a state change went through without this session's CSRF token:\n" + "\n".join(wrong)
    assert _still_logged_in(customer, "/") and _still_logged_in(staff, "/admin/")


def test_server_callbacks_refuse_unsigned_calls(app: Flask) -> None:
    world = build_world()
    visitor = app.test_client()
    callbacks = [r for r in app_rules(app) if is_server_callback(app.view_functions[r.endpoint])]
    assert callbacks, "no @server_callback route: the test gateway's callback should be one"
    for rule in callbacks:
        path = build_path(app, rule, values_for(world, rule))
        for method in sorted(set(methods_of(rule)) & STATE_CHANGING):
            for body in (b"{}", b'{"document_id": 1, "amount": "10.00", "transaction_id": "x"}', b""):
                reply = send(visitor, method, path, data=body, content_type="application/json")
                assert 400 <= reply.status < 500, (method, path, body, reply.status)
                assert reply.mimetype == "application/json"
