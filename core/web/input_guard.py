"""The request guard: input no view should see answers 400 before any view runs.

One ``before_request`` for the whole app, so every blueprint, a plugin's
included, is covered without doing anything:

* every text of the request, path parameters, query string, form fields
  (names and values), uploaded file names and the ``User-Agent`` kept with a
  session, is checked with :func:`core.untrusted.check_text`: a NUL character
  or a lone surrogate answers 400 with a message;
* a JSON body (``Content-Type: application/json``) is parsed with
  :func:`core.untrusted.loads_json`: nested deeper than
  :data:`core.untrusted.MAX_JSON_DEPTH`, or with such a character in any
  string, it answers 400 JSON. A body that is not JSON at all is left to the
  view, which says what it expected.

Ids in paths are bounded by :class:`IdConverter`, which replaces Flask's
``int`` converter: an id no database can hold (``/invoices/99999999999999999999``)
is a 404, like any id that does not exist.

A server callback (:func:`core.web.errors.server_callback`) must see its raw
body byte for byte to check a signature, so its body is cached before the
form is read; other views' bodies (uploads) are not copied.
"""

from __future__ import annotations

from typing import Any

from flask import Flask, current_app, request
from flask.json.provider import DefaultJSONProvider
from werkzeug.routing import IntegerConverter, Map

from core import untrusted
from core.web.errors import is_server_callback

STATE_CHANGING = frozenset({"POST", "PUT", "PATCH", "DELETE"})


class IdConverter(IntegerConverter):
    """``<int:...>`` in every route: ASCII digits, and at most :data:`core.untrusted.MAX_ID` (else 404)."""

    regex = r"[0-9]+"

    def __init__(self, map: Map, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("max", untrusted.MAX_ID)
        super().__init__(map, *args, **kwargs)


class GuardedJSONProvider(DefaultJSONProvider):
    """Flask's JSON, but ``request.get_json()`` parses with :func:`core.untrusted.loads_json`."""

    def loads(self, s: str | bytes, **kwargs: Any) -> Any:
        return untrusted.loads_json(s)


def _check_pairs(pairs: Any) -> None:
    for key, value in pairs:
        untrusted.check_text(key)
        untrusted.check_text(value, field=key)


def check_request() -> None:
    """Before each view: refuse unstorable text and hostile JSON (module docstring)."""
    _check_pairs((str(k), v) for k, v in (request.view_args or {}).items() if isinstance(v, str))
    _check_pairs(request.args.items(multi=True))
    untrusted.check_text(request.headers.get("User-Agent", ""), field="User-Agent")
    if request.method not in STATE_CHANGING:
        return
    if request.is_json:
        try:
            untrusted.loads_json(request.get_data(cache=True))
        except untrusted.UnsafeJSON as exc:
            raise untrusted.UnsafeInput(exc.message, code=exc.code) from None
        except ValueError:
            return  # not JSON: the view says what it expected
        return
    if is_server_callback(current_app.view_functions.get(request.endpoint or "")):
        request.get_data(cache=True)  # the form is then parsed from a copy; the view still reads the raw body
    _check_pairs(request.form.items(multi=True))
    for key, upload in request.files.items(multi=True):
        untrusted.check_text(key)
        untrusted.check_text(upload.filename or "", field=key)


def install_converters(app: Flask) -> None:
    """Bound every ``<int:...>`` id; must run before any blueprint is registered."""
    app.url_map.converters["int"] = IdConverter


def install(app: Flask) -> None:
    """Guard every request of ``app`` and parse its JSON safely."""
    app.json = GuardedJSONProvider(app)
    app.before_request(check_request)
