"""The forms a person sees: read from the rendered pages, so the tests fill what the panel really offers.

:func:`crawl` opens pages and collects every ``<form>``: where it posts to
(its ``action``, a button's ``formaction``, or the page itself), and each
field's name, kind and the value the page filled in. :func:`valid_values`
turns a form into values a person would submit: the page's own values, the
first choice of every list, and something sensible for empty e-mail,
password, number and text fields.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from html.parser import HTMLParser
from urllib.parse import urljoin, urlsplit

from flask.testing import FlaskClient

from tests.helpers import PASSWORD
from tests.support.probe import send


@dataclass
class Field:
    """One named field of a form."""

    name: str
    kind: str  # text, textarea, select, checkbox, radio, hidden, password, email, number, file, date...
    value: str = ""
    options: list[str] = field(default_factory=list)
    checked: bool = False


@dataclass
class Form:
    """A form that posts to ``action`` (a path), found on ``page``."""

    action: str
    method: str
    page: str
    fields: dict[str, Field] = field(default_factory=dict)

    @property
    def has_files(self) -> bool:
        return any(f.kind == "file" for f in self.fields.values())

    def text_fields(self) -> list[str]:
        """The names of the fields a person types free text into."""
        return [n for n, f in self.fields.items() if f.kind in ("text", "textarea", "search", "tel", "url", "")]


class _FormParser(HTMLParser):
    def __init__(self, page: str) -> None:
        super().__init__(convert_charrefs=True)
        self.page = page
        self.forms: list[Form] = []
        self.current: Form | None = None
        self.select: Field | None = None
        self.textarea: Field | None = None
        self.actions: set[str] = set()

    def _path(self, action: str | None) -> str:
        return urlsplit(urljoin(self.page, action or self.page)).path

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = {k: v or "" for k, v in attrs}
        if tag == "form":
            self.current = Form(self._path(a.get("action")), a.get("method", "get").lower(), self.page)
            self.forms.append(self.current)
            self.actions = set()
            return
        form = self.current
        if form is None:
            return
        name = a.get("name", "")
        if tag in ("button", "input") and a.get("formaction"):
            self.actions.add(self._path(a["formaction"]))
        if tag == "input" and name:
            kind = a.get("type", "text").lower()
            if kind in ("submit", "button", "image", "reset"):
                return
            found = Field(name, kind, a.get("value", ""), checked="checked" in a)
            if kind in ("checkbox", "radio") and name in form.fields:
                form.fields[name].options.append(found.value)
                if found.checked:
                    form.fields[name].value, form.fields[name].checked = found.value, True
                return
            found.options = [found.value] if kind in ("checkbox", "radio") else []
            form.fields[name] = found
        elif tag == "select" and name:
            self.select = Field(name, "select")
            form.fields[name] = self.select
        elif tag == "option" and self.select is not None:
            value = a.get("value", "")
            self.select.options.append(value)
            if "selected" in a or not self.select.value:
                self.select.value = value
        elif tag == "textarea" and name:
            self.textarea = Field(name, "textarea")
            form.fields[name] = self.textarea

    def handle_data(self, data: str) -> None:
        if self.textarea is not None:
            self.textarea.value += data

    def handle_endtag(self, tag: str) -> None:
        if tag == "select":
            self.select = None
        elif tag == "textarea":
            self.textarea = None
        elif tag == "form" and self.current is not None:
            for action in self.actions:  # one form, several targets (the language switch)
                self.forms.append(Form(action, self.current.method, self.page, dict(self.current.fields)))
            self.current = None


def forms_of(html: str, page: str) -> list[Form]:
    """Every form in ``html`` (rendered at ``page``)."""
    parser = _FormParser(page)
    parser.feed(html)
    return parser.forms


def crawl(client: FlaskClient, pages: Iterable[str]) -> dict[str, Form]:
    """The POST forms on ``pages`` by the path they post to (the first page showing one wins)."""
    found: dict[str, Form] = {}
    for page in pages:
        reply = send(client, "GET", page)
        if reply.status != 200 or reply.mimetype != "text/html":
            continue
        for form in forms_of(reply.text, page):
            if form.method == "post":
                found.setdefault(form.action, form)
    return found


def valid_values(form: Form, *, email: str = "nowy@example.test") -> dict[str, str]:
    """What a person would submit: the page's values, else a sensible value by the field's kind."""
    values: dict[str, str] = {}
    for name, item in form.fields.items():
        if item.kind == "file":
            continue
        if item.kind in ("checkbox", "radio"):
            if item.checked or item.kind == "radio":
                values[name] = item.value or (item.options[0] if item.options else "1")
            continue
        value = item.value
        if item.kind == "select" and not value and item.options:
            value = next((o for o in item.options if o), item.options[0])
        if not value:
            value = {"email": email, "password": PASSWORD, "number": "1", "date": "2026-03-16"}.get(item.kind, "")
        if not value and item.kind in ("text", "textarea", ""):
            value = "Tekst"
        values[name] = value
    return values
