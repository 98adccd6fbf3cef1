"""The IDOR matrix, generated from the URL map: another customer's object is 404 on every route.

Every route with a path parameter naming a customer's object (a document,
service, ticket, attachment, token...) is asked by customer B with A's ids,
through the browser session and, under ``/api/``, with B's bearer token, by
every method the route takes: each answer is 404. A itself gets past the
scoping with the same path (anything but 404), so the 404 is the scoping's and
not a wrong id's. Every ``/admin`` route sends a visitor and a logged-in
customer to the staff login. A new route is in the matrix the moment it is
registered; a path parameter nobody described in ``tests/support/world.py``
fails :func:`test_every_path_parameter_is_described`.
"""

from __future__ import annotations

import itertools
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from werkzeug.routing import Rule

from tests.api_helpers import bearer
from tests.support.probe import ADMIN_LOGIN_PATH, LOGIN_PATH, Reply, csrf_token, send
from tests.support.world import CONFIG as WORLD_CONFIG
from tests.support.world import (
    STATE_CHANGING,
    World,
    admin_client,
    app_rules,
    area_of,
    build_path,
    build_world,
    customer_client,
    methods_of,
    owned_params,
    param_of,
    values_for,
)

#: Staff routes anyone may use: the staff login page, and the logout, which ends
#: whatever session it is sent from (it would end the prober's own session too).
STAFF_DOORS = {"admin.login", "admin.logout"}


@pytest.fixture
def app_overrides() -> dict[str, dict[str, Any]]:
    return WORLD_CONFIG


def test_every_path_parameter_is_described(sqlite_app: Flask) -> None:
    unknown = []
    for rule in app_rules(sqlite_app):
        for name in rule.arguments:
            try:
                param_of(rule, name)
            except AssertionError as exc:
                unknown.append(str(exc))
    assert not unknown, "\n".join(unknown)


def owner_combinations(names: list[str]) -> list[dict[str, str]]:
    """Every way to take each owned parameter from A or B, except all from B (B's own object)."""
    return [
        dict(zip(names, owners, strict=True)) for owners in itertools.product("ab", repeat=len(names)) if "a" in owners
    ]


def ask(client: FlaskClient, method: str, path: str, token: str, headers: dict[str, str] | None = None) -> Reply:
    """A request as the browser (or script) would send it: a CSRF token with every state change."""
    headers = dict(headers or {})
    if method in STATE_CHANGING:
        if path.startswith("/api/"):
            headers.setdefault("X-CSRFToken", token)
            return send(client, method, path, json={}, headers=headers)
        return send(client, method, path, data={"csrf_token": token}, headers=headers)
    return send(client, method, path, headers=headers)


def owned_rules(app: Flask) -> list[Rule]:
    return [r for r in app_rules(app) if area_of(r) != "admin" and owned_params(r)]


@pytest.mark.slow
def test_another_customers_object_is_404_on_every_route(app: Flask) -> None:
    world = build_world()
    alice, bob = customer_client(app, world.a), customer_client(app, world.b)
    alice_token, bob_token = csrf_token(alice), csrf_token(bob)
    rules = owned_rules(app)
    assert len(rules) >= 15, [r.rule for r in rules]  # the matrix is not empty by accident
    wrong: list[str] = []
    for rule in rules:
        for owners in owner_combinations(owned_params(rule)):
            path = build_path(app, rule, values_for(world, rule, owners, default="b"))
            for method in methods_of(rule):
                ways: list[tuple[str, dict[str, str]]] = [("session", {})]
                if area_of(rule) == "api":
                    ways.append(("bearer", bearer(world.b.api_token)))
                for way, headers in ways:
                    reply = ask(bob, method, path, bob_token, headers)
                    if reply.status != 404:
                        wrong.append(f"B {method} {path} ({way}, {rule.endpoint}): {reply.status} {reply.location}")
    assert not wrong, "another customer's object was not 404:\n" + "\n".join(wrong)
    # The owner gets past the scoping on the very same paths (state changes last: they may use the objects up).
    for rule in sorted(rules, key=lambda r: bool(set(methods_of(r)) & STATE_CHANGING)):
        path = build_path(app, rule, values_for(world, rule, default="a"))
        for method in methods_of(rule):
            reply = ask(alice, method, path, alice_token)
            if reply.status == 404 or reply.status >= 500:
                wrong.append(f"A {method} {path} ({rule.endpoint}): {reply.status}")
    assert not wrong, "the owner did not reach their own object:\n" + "\n".join(wrong)


def _visitor_and_customer(app: Flask, world: World) -> list[tuple[str, FlaskClient, str]]:
    visitor = app.test_client()
    customer = customer_client(app, world.a)
    return [("visitor", visitor, csrf_token(visitor, "/login")), ("customer", customer, csrf_token(customer))]


@pytest.mark.slow
def test_staff_routes_refuse_visitors_and_customers(app: Flask) -> None:
    world = build_world()
    wrong: list[str] = []
    rules = [r for r in app_rules(app) if area_of(r) == "admin" and r.endpoint not in STAFF_DOORS]
    assert len(rules) >= 30, len(rules)
    for who, client, token in _visitor_and_customer(app, world):
        for rule in rules:
            path = build_path(app, rule, values_for(world, rule))
            for method in methods_of(rule):
                reply = ask(client, method, path, token)
                refused = reply.status in (403, 404) or (reply.status == 302 and ADMIN_LOGIN_PATH.match(reply.location))
                if not refused:
                    wrong.append(f"{who} {method} {path} ({rule.endpoint}): {reply.status} {reply.location}")
    assert not wrong, "a staff route let someone who is not staff in:\n" + "\n".join(wrong)
    staff = admin_client(app, world)
    for rule in rules:
        if "GET" in methods_of(rule):
            path = build_path(app, rule, values_for(world, rule))
            reply = send(staff, "GET", path)
            if reply.status >= 500 or reply.status in (401, 403):
                wrong.append(f"staff GET {path} ({rule.endpoint}): {reply.status}")
    assert not wrong, "staff could not open their own pages:\n" + "\n".join(wrong)


@pytest.mark.slow
def test_client_routes_send_visitors_to_the_login(app: Flask) -> None:
    world = build_world()
    visitor = app.test_client()
    wrong: list[str] = []
    for rule in owned_rules(app):
        path = build_path(app, rule, values_for(world, rule))
        for method in methods_of(rule):
            if method in STATE_CHANGING:
                continue  # without a session there is no CSRF token: tests/test_attack_csrf.py
            reply = send(visitor, method, path)
            ok = reply.status == 401 if area_of(rule) == "api" else LOGIN_PATH.match(reply.location) is not None
            if not ok:
                wrong.append(f"visitor {method} {path} ({rule.endpoint}): {reply.status} {reply.location}")
    assert not wrong, "\n".join(wrong)
