"""Every message the code and the templates can show has a translation the runtime uses.

Extraction (Babel with ``babel.cfg``) runs per part (the core, each plugin), and
each message must have a usable translation (present, not fuzzy, not empty) in a
catalog the runtime loads for that part: the core's catalogs, or the plugin's
own. See :mod:`tests.support.catalogs`.
"""

from __future__ import annotations

import ast
import importlib
import re
from pathlib import Path

import pytest

from core import i18n
from core.errors import DomainError
from core.hookspecs import HookRefused
from core.plugins import BUILTIN_PLUGINS
from core.tickets.filetypes import AttachmentRejected
from plugins.pgp.errors import PgpError
from tests.support import catalogs

PARTS = catalogs.parts()
LANGUAGES = catalogs.languages()


def test_the_check_reads_the_catalogs_the_runtime_loads(sqlite_app):
    from core import runtime

    loaded = {p.resolve() for p in i18n.runtime_catalog_dirs(runtime.current().pm)}
    checked = {p.resolve() for p in catalogs.core_catalogs()}
    checked |= {(r / "translations").resolve() for r in catalogs.plugin_roots()}
    assert loaded <= checked
    assert LANGUAGES == ["pl"]
    assert {p.name for p in PARTS} >= {"core", "plugins/totp", "plugins/pgp", "plugins/balance"}


@pytest.mark.parametrize("lang", LANGUAGES)
@pytest.mark.parametrize("part", PARTS, ids=[p.name for p in PARTS])
def test_every_message_has_a_translation(part, lang):
    missing = catalogs.missing(part, lang)
    report = [
        f"{msgid!r} ({context or 'no context'}) at {', '.join(where[:2])}"
        for (context, msgid), where in missing.items()
    ]
    assert not report, f"{len(report)} messages of {part.name} have no {lang} translation:\n" + "\n".join(report)


def test_each_plugin_translates_in_a_domain_named_after_its_package():
    """A plugin's catalog is its own gettext domain; one named otherwise would never be read."""
    files = [po for root in catalogs.plugin_roots() for po in root.glob("translations/*/LC_MESSAGES/*.po")]
    assert files, "no plugin ships a catalog"
    assert [po for po in files if po.stem != po.parents[3].name] == []
    assert any(part.name.startswith("examples/") and part.own_catalogs for part in PARTS)


@pytest.mark.parametrize("lang", LANGUAGES)
def test_translations_keep_the_placeholders(lang):
    assert catalogs.placeholder_mismatches(lang) == []


@pytest.mark.parametrize("lang", LANGUAGES)
def test_no_message_is_translated_two_ways(lang):
    """The runtime merges the core's catalogs into one: a message translated two ways there would show either."""
    assert catalogs.conflicts(lang) == []


def test_message_ids_are_english_text_not_codes():
    code_like = re.compile(r"^[a-z0-9]+(?:[._][a-z0-9]+)+$")
    codes = [
        (msgid, where[0]) for part in PARTS for (_c, msgid), where in part.messages.items() if code_like.match(msgid)
    ]
    assert codes == []


def test_a_checker_that_finds_gaps(tmp_path):
    """The check itself fails on a missing, fuzzy or empty translation and on changed placeholders."""
    from babel.messages.catalog import Message

    assert catalogs.usable(Message("Hello", "Cześć"))
    assert not catalogs.usable(Message("Hello", ""))
    assert not catalogs.usable(Message("Hello", "Cześć", flags=["fuzzy"]))
    assert not catalogs.usable(None)
    assert catalogs.placeholders("%(count)s of %(total)s, 5%%") == ["count:s", "total:s"]
    assert catalogs.placeholders("%(count)s") != catalogs.placeholders("%(liczba)s")
    part = catalogs.Part("sample", [tmp_path], [], {(None, "No such message anywhere"): ["x.py:1"]})
    assert catalogs.missing(part, "pl") == {(None, "No such message anywhere"): ["x.py:1"]}


# -- domain messages are written so that extraction finds them ------------------------

ERROR_TYPES = (DomainError, HookRefused, PgpError, AttachmentRejected)
#: Positional arguments that are codes, not messages, per exception class name.
CODE_ARGUMENTS = {"KeyRejected": 1, "AttachmentRejected": 1, "NotFound": 1}


def _error_names() -> set[str]:
    for dotted in BUILTIN_PLUGINS:  # imported, so that every subclass exists
        importlib.import_module(dotted)
    names: set[str] = set()
    stack = list(ERROR_TYPES)
    while stack:
        cls = stack.pop()
        names.add(cls.__name__)
        stack.extend(cls.__subclasses__())
    return names


def _bare_strings(node: ast.AST) -> list[ast.AST]:
    """String literals and f-strings in ``node`` that are not inside ``N_(...)``."""
    if isinstance(node, ast.Call) and getattr(node.func, "id", "") in ("N_", "as_message"):
        return []
    if isinstance(node, ast.JoinedStr) or (isinstance(node, ast.Constant) and isinstance(node.value, str)):
        return [node]
    if isinstance(node, ast.Dict):
        return [s for v in node.values for s in _bare_strings(v)]
    if isinstance(node, ast.DictComp):
        return _bare_strings(node.value)
    if isinstance(node, ast.IfExp):
        return _bare_strings(node.body) + _bare_strings(node.orelse)
    return []


def test_domain_errors_raise_marked_messages():
    """A message raised to a person is ``N_("...")`` (values as parameters), never a bare or f-string."""
    names = _error_names()
    found = []
    for path in sorted([*Path("core").rglob("*.py"), *Path("plugins").rglob("*.py")]):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if not isinstance(node, ast.Call):
                continue
            name = getattr(node.func, "id", None) or getattr(node.func, "attr", None)
            if name not in names:
                continue
            args = node.args[CODE_ARGUMENTS.get(name, 0) :]
            values = [*args, *(k.value for k in node.keywords if k.arg not in ("code", "field"))]
            found += [f"{path}:{s.lineno} {name}" for v in values for s in _bare_strings(v)]
    assert found == []
