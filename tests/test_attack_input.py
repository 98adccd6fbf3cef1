"""Hostile input on every route from the URL map: a 4xx with a message, never a 500.

Hypothesis sends NUL characters, lone surrogates, ids no database holds, a
thousand-digit amount, Arabic-Indic digits, deeply nested JSON and plain junk:

* into every field of every form (found on the rendered pages, filled with
  the page's own values first, so the hostile value reaches the database),
  as a visitor, as customer A and as the administrator;
* into every query parameter the pages link with, on every page;
* as the ids of every path (too large for SQLite, zero);
* as JSON to every API route (bearer token) and as the signed payload of the
  gateway callbacks whose signing the test knows.

On both engines. The fixed examples below are the ones that answered 500
before the request guard (:mod:`core.web.input_guard`), the bound on amounts
(:data:`core.money.MAX_AMOUNT`) and the TOTP code's normalisation; each also
checks the answer's status and message.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from io import BytesIO
from typing import Any
from urllib.parse import quote, urlencode

import pyotp
import pytest
from flask import Flask
from flask.testing import FlaskClient
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from werkzeug.routing import Rule

from core import clock, db
from core.models import Customer, Staff
from core.web.errors import is_server_callback
from tests.api_helpers import bearer
from tests.helpers import PASSWORD, password_hash
from tests.support.forms import Form, crawl, valid_values
from tests.support.probe import Reply, csrf_token, send
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
    values_for,
)

NUL_TEXTS = ["\x00", "Ala\x00ma kota", "\x00" * 3 + "<script>"]
SURROGATES = ["\ud800", "a\udfffb", "\udc80\udc80"]
NUMBERS = [
    "99999999999999999999",
    "-99999999999999999999",
    "9223372036854775808",
    "2147483648",
    "1e999999",
    "-1e999999",
    "1E+1000",
    "9" * 400,
    "NaN",
    "Infinity",
    "-0",
    "0",
    "-1",
    "0.001",
    "1,5",
    "1_000",
    "0x1A",
    "١٢٣٤٥٦",
    "١٢٣",
    "𝟙𝟚𝟛𝟜𝟝𝟞",
]
JUNK = [
    "",
    " ",
    "x" * 5000,
    "../../etc/passwd",
    "<img src=x onerror=alert(1)>",
    "{{7*7}}",
    "%s%n%x",
    "Temat\r\nBcc: ktos@example.test",
    "'; DROP TABLE customer; --",
    "\u202egnp.exe",
    "2026-02-30",
    "0000-00-00",
    "9999-12-31",
    "😀" * 50,
]
HOSTILE = st.one_of(
    st.sampled_from(NUL_TEXTS + SURROGATES + NUMBERS + JUNK),
    st.text(max_size=30),
    st.integers().map(str),
    st.decimals(allow_nan=True, allow_infinity=True).map(str),
)
JSON_LEAF = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(),
    st.integers(min_value=2**63 - 2, max_value=10**30),
    st.floats(allow_nan=False),
    HOSTILE,
)
FORM = "application/x-www-form-urlencoded"
EXAMPLES = settings(
    max_examples=6,
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)


@pytest.fixture
def app_overrides() -> dict[str, dict[str, Any]]:
    return WORLD_CONFIG


def form_body(values: dict[str, str]) -> bytes:
    """``application/x-www-form-urlencoded``, carrying lone surrogates as the (invalid) UTF-8 a client could send."""
    return urlencode(values, encoding="utf-8", errors="surrogatepass").encode()


def assert_handled(reply: Reply, what: str) -> None:
    assert reply.status < 500, f"{what}: {reply.status}\n{reply.text[:500]}"


class Panel:
    """The world and the people at it; logs them back in when a probe ended their session."""

    def __init__(self, app: Flask, world: World) -> None:
        self.app, self.world = app, world
        self.visitor = app.test_client()
        self.customer = customer_client(app, world.a)
        self.staff = admin_client(app, world)
        self.tokens: dict[int, str] = {}

    def client_for(self, rule: Rule) -> FlaskClient:
        if area_of(rule) == "admin":
            return self.visitor if rule.endpoint == "admin.login" else self.staff
        if rule.endpoint in ("auth.login", "auth.register", "auth.forgot", "auth.reset", "auth.verify"):
            return self.visitor
        return self.customer

    def token(self, client: FlaskClient) -> str:
        if id(client) not in self.tokens:
            page = "/admin/" if client is self.staff else "/" if client is self.customer else "/login"
            self.tokens[id(client)] = csrf_token(client, page)
        return self.tokens[id(client)]

    def restore(self) -> None:
        """Everyone logged in again, with their known passwords, if a probe changed that."""
        with db.connection():
            Customer.update(password_hash=password_hash(PASSWORD), status="active").where(
                Customer.id == self.world.a.customer.id
            ).execute()
            Staff.update(password_hash=password_hash(PASSWORD), active=True).where(
                Staff.id == self.world.admin.id
            ).execute()
        if send(self.customer, "GET", "/").status != 200:
            self.customer = customer_client(self.app, self.world.a)
        if send(self.staff, "GET", "/admin/").status != 200:
            self.staff = admin_client(self.app, self.world)
        self.visitor = self.app.test_client()
        self.tokens.clear()


def _pages(app: Flask, world: World) -> dict[str, list[str]]:
    pages: dict[str, list[str]] = {"admin": [], "client": []}
    for rule in app_rules(app):
        if "GET" in methods_of(rule) and area_of(rule) != "api":
            owner = "b" if area_of(rule) == "admin" else "a"
            pages[area_of(rule)].append(build_path(app, rule, values_for(world, rule, default=owner)))
    return pages


def _forms(panel: Panel) -> dict[str, Form]:
    pages = _pages(panel.app, panel.world)
    forms = crawl(panel.visitor, ["/login", "/register", "/password/forgot", "/admin/login"])
    forms.update(crawl(panel.customer, pages["client"]))
    forms.update(crawl(panel.staff, pages["admin"]))
    forms.update(crawl(panel.visitor, [p for p in pages["client"] if p.startswith(("/password/reset/", "/verify/"))]))
    return forms


#: The values each field gets in turn, deterministically, besides what Hypothesis draws: text PostgreSQL
#: refuses, an id SQLite cannot hold, an amount no Decimal context rounds. (A lone surrogate cannot reach a
#: form: Werkzeug decodes the invalid UTF-8 a client would send as U+FFFD; it reaches JSON, see below.)
SWEEP = ["Ala\x00", "99999999999999999999", "1e999999"]


def _multipart_text(text: str) -> str:
    # What a multipart body carries for a lone surrogate: the replacement character.
    return text.encode("utf-8", "surrogatepass").decode("utf-8", "replace")


class FormProbe:
    """Posts one route's form with one or two fields replaced by hostile values."""

    def __init__(self, panel: Panel, rule: Rule, path: str, form: Form | None, fallback: dict[str, str]) -> None:
        self.panel, self.rule, self.path = panel, rule, path
        self.found = form is not None
        self.fields = valid_values(form) if form is not None else dict(fallback)
        self.names = sorted(set(self.fields) - {"csrf_token"}) or ["name"]
        self.files = [n for n, f in form.fields.items() if f.kind == "file"] if form is not None else []

    def post(self, changes: dict[str, str], filename: str = "plik.txt") -> None:
        """Post the form with ``changes``; assert the answer is not a 5xx."""
        client = self.panel.client_for(self.rule)
        values = {**self.fields, **changes, "csrf_token": self.panel.token(client)}
        if self.files:
            body: dict[str, Any] = {k: _multipart_text(v) for k, v in values.items()}
            for name in self.files:
                body[name] = (BytesIO(b"hostile file"), _multipart_text(filename))
            reply = send(client, "POST", self.path, data=body, content_type="multipart/form-data")
        else:
            reply = send(client, "POST", self.path, data=form_body(values), content_type=FORM)
        assert_handled(reply, f"POST {self.path} {changes!r} file {filename!r}")

    def sweep(self) -> list[str]:
        """Each field (and the file name) with each value of :data:`SWEEP`; the failures.

        A route whose form no page showed (its state was not reached) gets every
        field name any form has, all at once, with each value.
        """
        changes: list[tuple[dict[str, str], str]] = []
        for value in SWEEP:
            if not self.found:
                changes.append((dict.fromkeys(self.names, value), "plik.txt"))
                continue
            changes += [({name: value}, "plik.txt") for name in self.names]
            changes += [({}, value) for _ in self.files]
        failures = []
        for change, filename in changes:
            try:
                self.post(change, filename=filename)
            except AssertionError as exc:
                failures.append(first_line(exc))
        return failures


@EXAMPLES
@given(data=st.data())
def explore_form(probe: FormProbe, data: st.DataObject) -> None:
    """Hypothesis: one or two fields (and the file name) drawn from :data:`HOSTILE`."""
    chosen = data.draw(st.sets(st.sampled_from(probe.names), min_size=1, max_size=2), label="fields")
    changes = {name: data.draw(HOSTILE, label=name) for name in chosen}
    filename = data.draw(HOSTILE, label="filename") if probe.files else ""
    probe.post(changes, filename=filename or "plik.txt")


def first_line(exc: BaseException) -> str:
    return str(exc).split("\n")[0]


@pytest.mark.slow
def test_hostile_form_fields_never_answer_500(app: Flask) -> None:
    world = build_world()
    panel = Panel(app, world)
    forms = _forms(panel)
    assert len(forms) >= 30, sorted(forms)  # the crawl found the forms, not just the fallback
    fallback: dict[str, str] = {}
    for form in forms.values():
        for name, value in valid_values(form).items():
            fallback.setdefault(name, value)
    probed, failures = 0, []
    for rule in app_rules(app):
        view = app.view_functions[rule.endpoint]
        if area_of(rule) == "api" or is_server_callback(view) or "POST" not in methods_of(rule):
            continue
        path = build_path(app, rule, values_for(world, rule, default="b" if area_of(rule) == "admin" else "a"))
        probe = FormProbe(panel, rule, path, forms.get(path), fallback)
        failures += probe.sweep()
        panel.restore()
        try:
            explore_form(probe)
        except AssertionError as exc:
            failures.append(first_line(exc))
        panel.restore()
        probed += 1
    assert not failures, "\n".join(failures)
    assert probed >= 40, probed


QUERY_NAMES = [
    "page",
    "q",
    "next",
    "service",
    "product",
    "cycle",
    "status",
    "kind",
    "state",
    "customer",
    "after",
    "before",
]


def get_with_query(client: FlaskClient, path: str, headers: dict[str, str], query: dict[str, str]) -> None:
    target = f"{path}?{urlencode(query, errors='surrogatepass')}"
    assert_handled(send(client, "GET", target, headers=headers), f"GET {target}")


@EXAMPLES
@given(query=st.dictionaries(st.sampled_from(QUERY_NAMES), HOSTILE, min_size=1, max_size=3))
def explore_query(client: FlaskClient, path: str, headers: dict[str, str], query: dict[str, str]) -> None:
    get_with_query(client, path, headers, query)


@pytest.mark.slow
def test_hostile_query_parameters_and_ids_never_answer_500(app: Flask) -> None:
    world = build_world()
    panel = Panel(app, world)
    failures = []
    for rule in app_rules(app):
        if "GET" not in methods_of(rule):
            continue
        client = panel.client_for(rule)
        headers = bearer(world.a.api_token) if area_of(rule) == "api" else {}
        values = values_for(world, rule, default="b" if area_of(rule) == "admin" else "a")
        for name in rule.arguments:
            if isinstance(values[name], int):
                for value in (2**63 - 1, 2**63, 10**20):
                    reply = send(client, "GET", build_path(app, rule, {**values, name: value}), headers=headers)
                    if reply.status not in (404, 302):
                        failures.append(f"{rule.rule} {name}={value}: {reply.status}")
        path = build_path(app, rule, values)
        for query in [dict.fromkeys(QUERY_NAMES, value) for value in SWEEP]:  # a page reads its own
            try:
                get_with_query(client, path, headers, query)
            except AssertionError as exc:
                failures.append(first_line(exc))
        try:
            explore_query(client, path, headers)
        except AssertionError as exc:
            failures.append(first_line(exc))
    assert not failures, "\n".join(failures)


API_KEYS = ["department", "subject", "body", "priority", "service_id", "encrypt", "product", "cycle", "expected_gross"]
JSON_DOCUMENTS = st.recursive(
    JSON_LEAF,
    lambda children: st.lists(children, max_size=3) | st.dictionaries(st.sampled_from(API_KEYS) | HOSTILE, children),
    max_leaves=8,
)
JSON_BODIES = st.one_of(st.dictionaries(st.sampled_from(API_KEYS), JSON_DOCUMENTS, max_size=6), JSON_DOCUMENTS)
#: JSON bodies that answered 500 before, or come close to a limit.
HOSTILE_JSON = [
    "[" * 50_000 + "]" * 50_000,
    '{"a":' * 30 + "1" + "}" * 30,
    '{"department": "techniczny", "subject": "Ala\\u0000", "body": "tekst"}',
    '{"department": "techniczny", "subject": "\\ud800", "body": "tekst"}',
    '{"department": "techniczny", "subject": "x", "body": "y", "service_id": 99999999999999999999}',
    '{"product": 99999999999999999999, "cycle": "monthly", "expected_gross": "1e999999"}',
    '{"product": "1", "cycle": "monthly", "expected_gross": 1e999999}',
]


def send_json(client: FlaskClient, method: str, path: str, headers: dict[str, str], body: str | bytes) -> None:
    reply = send(client, method, path, data=body, headers=headers)
    assert_handled(reply, f"{method} {path} {body[:200]!r}")


@EXAMPLES
@given(document=JSON_BODIES)
def explore_json(client: FlaskClient, method: str, path: str, headers: dict[str, str], document: Any) -> None:
    send_json(client, method, path, headers, json.dumps(document, allow_nan=True))


@pytest.mark.slow
def test_hostile_json_to_the_api_never_answers_500(app: Flask) -> None:
    world = build_world()
    visitor = app.test_client()
    headers = {**bearer(world.a.api_token), "Content-Type": "application/json"}
    rules = [r for r in app_rules(app) if area_of(r) == "api" and set(methods_of(r)) & STATE_CHANGING]
    assert rules
    failures = []
    for rule in rules:
        path = build_path(app, rule, values_for(world, rule))
        for method in sorted(set(methods_of(rule)) & STATE_CHANGING):
            for body in HOSTILE_JSON:
                try:
                    send_json(visitor, method, path, headers, body)
                except AssertionError as exc:
                    failures.append(first_line(exc))
            try:
                explore_json(visitor, method, path, headers)
            except AssertionError as exc:
                failures.append(first_line(exc))
    assert not failures, "\n".join(failures)


Signer = Callable[[bytes], dict[str, str]]


def _testgateway_signed(world: World) -> tuple[dict[str, Any], Signer]:
    from plugins.testgateway import sign

    payload = {
        "document_id": world.a.open_proforma.id,
        "transaction_id": "TG-fuzz",
        "amount": "1.00",
        "currency": "PLN",
    }
    return payload, lambda body: {"X-Hookbill-Signature": sign(body), "Content-Type": "application/json"}


#: Server callbacks whose signature the test can make: a valid payload, and how to sign a body.
SIGNED_CALLBACKS: dict[str, Callable[[World], tuple[dict[str, Any], Signer]]] = {
    "testgateway.callback": _testgateway_signed,
}


class SignedCallback:
    """A gateway's callback, signed like the gateway signs it, with some values replaced."""

    def __init__(self, app: Flask, path: str, template: dict[str, Any], signer: Signer) -> None:
        self.app, self.path, self.template, self.signer = app, path, template, signer
        self.client = app.test_client()

    def post(self, changes: dict[str, Any]) -> None:
        payload = {**self.template, "timestamp": int(clock.now().timestamp()), **changes}
        body = json.dumps(payload, allow_nan=True).encode()
        with self.app.app_context():
            headers = self.signer(body)
        assert_handled(send(self.client, "POST", self.path, data=body, headers=headers), f"POST {self.path} {body!r}")


@EXAMPLES
@given(data=st.data())
def explore_callback(callback: SignedCallback, data: st.DataObject) -> None:
    keys = sorted({*callback.template, "timestamp"})
    callback.post(data.draw(st.dictionaries(st.sampled_from(keys), JSON_LEAF, min_size=1, max_size=3)))


@pytest.mark.slow
def test_hostile_callbacks_never_answer_500(app: Flask) -> None:
    world = build_world()
    failures = []
    visitor = app.test_client()
    callbacks = [r for r in app_rules(app) if is_server_callback(app.view_functions[r.endpoint])]
    assert len(callbacks) >= 3, callbacks  # the test gateway's, and Przelewy24's two
    for rule in callbacks:
        path = build_path(app, rule, values_for(world, rule))
        unsigned = {"Content-Type": "application/json"}
        for body in HOSTILE_JSON:
            for kind in ("application/json", "text/plain"):  # a gateway may not say it is JSON
                try:
                    send_json(visitor, "POST", path, {"Content-Type": kind}, body)
                except AssertionError as exc:
                    failures.append(first_line(exc))
        try:
            explore_json(visitor, "POST", path, unsigned)
        except AssertionError as exc:
            failures.append(first_line(exc))
        make = SIGNED_CALLBACKS.get(rule.endpoint)
        if make is None:
            continue
        with app.app_context():
            template, signer = make(world)
        callback = SignedCallback(app, build_path(app, rule, values_for(world, rule)), template, signer)
        for key in sorted({*template, "timestamp"}):
            for value in [*SWEEP, "\ud800", 10**30, -(10**30), 1e308, float("inf"), None, [], {}]:
                try:
                    callback.post({key: value})
                except AssertionError as exc:
                    failures.append(first_line(exc))
        try:
            explore_callback(callback)
        except AssertionError as exc:
            failures.append(first_line(exc))
    assert not failures, "\n".join(failures)


# -- the examples that answered 500 before, with the answer they get now ----------------------------


@pytest.fixture
def world(app: Flask) -> World:
    return build_world()


def test_an_id_too_large_for_any_database_is_a_404(app: Flask, world: World) -> None:
    customer = customer_client(app, world.a)
    for path in (
        "/invoices/99999999999999999999",
        "/tickets/9223372036854775808",
        "/api/v1/invoices/10000000000000000000000",
    ):
        reply = send(customer, "GET", path, headers=bearer(world.a.api_token) if path.startswith("/api/") else {})
        assert reply.status == 404, (path, reply.status)
    assert send(customer, "GET", f"/invoices/{2**63 - 1}").status == 404


def test_nul_and_lone_surrogates_are_refused_with_a_message(app: Flask, world: World) -> None:
    visitor = app.test_client()
    token = csrf_token(visitor, "/register")
    fields = {"first_name": "Ala\x00", "last_name": "Nowak", "email": "nowa@example.test", "password": PASSWORD}
    reply = send(visitor, "POST", "/register", data=form_body({**fields, "csrf_token": token}), content_type=FORM)
    assert reply.status == 400 and "nie da się zapisać" in reply.text
    with db.connection():
        assert not Customer.select().where(Customer.email == "nowa@example.test").exists()
    api = {**bearer(world.a.api_token), "Content-Type": "application/json"}
    for subject in ('"Ala\\u0000"', '"\\ud800"'):
        body = '{"department": "techniczny", "subject": ' + subject + ', "body": "tekst"}'
        reply = send(visitor, "POST", "/api/v1/tickets", data=body, headers=api)
        assert reply.status == 400 and reply.json()["error"] == "bad_text", reply.text
    customer = customer_client(app, world.a)
    reply = send(customer, "GET", "/invoices?" + quote("q") + "=%00")
    assert reply.status == 400


def test_deeply_nested_json_is_refused(app: Flask, world: World) -> None:
    visitor = app.test_client()
    api = {**bearer(world.a.api_token), "Content-Type": "application/json"}
    reply = send(visitor, "POST", "/api/v1/tickets", data="[" * 100_000 + "]" * 100_000, headers=api)
    assert reply.status == 400 and reply.json()["error"] == "too_deep"


def test_a_totp_code_in_arabic_indic_digits_is_a_wrong_code_not_a_500(app: Flask, world: World) -> None:
    from plugins.totp import service as totp

    customer = customer_client(app, world.a)
    token = csrf_token(customer, "/security/2fa")
    assert send(customer, "POST", "/security/2fa/start", data={"csrf_token": token}).status in (200, 302)
    reply = send(customer, "POST", "/security/2fa/setup", data={"csrf_token": token, "code": "١٢٣٤٥٦"})
    assert reply.status in (200, 422) and "code" in reply.text.lower()
    with db.connection():
        enrollment = totp.pending_enrollment(world.a.customer)
        assert enrollment is not None
        code = pyotp.TOTP(enrollment.secret, interval=totp.STEP_SECONDS).at(clock.now())
    arabic = "".join(chr(0x0660 + int(d)) for d in code)
    reply = send(customer, "POST", "/security/2fa/setup", data={"csrf_token": token, "code": arabic})
    assert reply.status == 200, reply.status
    with db.connection():
        assert totp.is_enabled(Customer.get_by_id(world.a.customer.id))


def test_a_huge_amount_in_a_staff_form_is_a_message(app: Flask, world: World) -> None:
    staff = admin_client(app, world)
    path = f"/admin/customers/{world.b.customer.id}/balance"
    token = csrf_token(staff, path)
    for amount in ("1e999999", "99999999999999999999", "9" * 400):
        reply = send(staff, "POST", path, data={"csrf_token": token, "amount": amount, "reason": "test"})
        assert reply.status in (200, 422), (amount, reply.status)
        assert "Podaj kwotę różną od zera" in reply.text, amount


def test_a_huge_amount_in_a_signed_callback_is_refused(app: Flask, world: World) -> None:
    from plugins.testgateway import sign

    visitor = app.test_client()
    for amount in ("1e999999", "99999999999999999999", 10**30):
        body = json.dumps(
            {
                "document_id": world.a.open_proforma.id,
                "transaction_id": f"TG-huge-{amount}",
                "amount": amount,
                "currency": "PLN",
                "timestamp": int(clock.now().timestamp()),
            }
        ).encode()
        with app.app_context():
            signature = sign(body)
        headers = {"X-Hookbill-Signature": signature, "Content-Type": "application/json"}
        reply = send(visitor, "POST", "/pay/testgateway/callback", data=body, headers=headers)
        assert reply.status == 422 and reply.json()["error"] == "validation", (amount, reply.text)
