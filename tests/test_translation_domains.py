"""Each plugin translates in its own gettext domain; one English text can mean two things.

The sample plugin translates "Log in" as "Wejdź", the core as "Zaloguj się".
On one page, the core's text keeps the core's translation and the plugin's
snippet shows the plugin's; the plugin's own pages, its Python code and the
labels it hands to the core use its catalog first, and fall back to the core's
for words it does not translate itself.
"""

from __future__ import annotations

import re
import textwrap
from pathlib import Path

import pytest
from flask_babel import gettext

from core.catalogs import compile_tree
from core.i18n_domains import DomainText, lookup

PLUGIN = """
from flask import Blueprint, render_template
from markupsafe import Markup

from core.extension import SettingSpec
from core.hookspecs import HookRefused, hookimpl
from core.i18n import Domain

i18n = Domain("sampleplug")
bp = Blueprint("sampleplug", __name__, url_prefix="/sampleplug")


@bp.route("/")
def page():
    return render_template("sampleplug/page.html")


@bp.route("/py")
def python_text():
    return i18n.gettext("Log in") + " | " + i18n.ngettext("%(num)s point", "%(num)s points", 5)


@hookimpl
def hookbill_blueprints(config):
    return [bp]


@hookimpl
def hookbill_template_snippet(name, context):
    if name == "footer":
        return Markup(render_template("sampleplug/_footer.html"))
    return None


@hookimpl
def hookbill_settings():
    return [SettingSpec("sampleplug", "enter", i18n.N_("Log in"), kind="bool")]


@hookimpl
def on_customer_registered(customer):
    if customer.email.endswith("@spam.test"):
        raise HookRefused(i18n.N_("Registration from %(domain)s is not possible.", domain="spam.test"))
"""

PAGE = """\
{% extends "client/auth_layout.html" %}
{% block title %}{{ _("Log in") }}{% endblock %}
{% block content %}
<p id="own">{{ _("Log in") }}</p>
<p id="trans">{% trans %}Log in{% endtrans %}</p>
<p id="core-word">{{ _("Forgot your password?") }}</p>
<p id="plural">{{ ngettext("%(num)s point", "%(num)s points", 5) }}</p>
<p id="trans-plural">{% trans num=2 %}{{ num }} point{% pluralize %}{{ num }} points{% endtrans %}</p>
{% endblock %}
"""

CATALOG = r"""
msgid ""
msgstr ""
"Language: pl\n"
"Content-Type: text/plain; charset=utf-8\n"
"Plural-Forms: nplurals=3; plural=(n==1 ? 0 : n%10>=2 && n%10<=4 && (n%100<10 || n%100>=20) ? 1 : 2);\n"

msgid "Log in"
msgstr "Wejdź"

msgid "Registration from %(domain)s is not possible."
msgstr "Rejestracja z domeny %(domain)s nie jest możliwa."

msgid "%(num)s point"
msgid_plural "%(num)s points"
msgstr[0] "%(num)s punkt"
msgstr[1] "%(num)s punkty"
msgstr[2] "%(num)s punktów"
"""


@pytest.fixture
def app_overrides(tmp_path: Path) -> dict[str, dict[str, str]]:
    """A drop-in plugin package ``sampleplug`` with a page, a snippet, a setting and its catalog."""
    root = tmp_path / "dropins" / "sampleplug"
    (root / "templates" / "sampleplug").mkdir(parents=True)
    (root / "__init__.py").write_text(PLUGIN, encoding="utf-8")
    (root / "templates" / "sampleplug" / "page.html").write_text(PAGE, encoding="utf-8")
    (root / "templates" / "sampleplug" / "_footer.html").write_text(
        '<span id="plugin-footer">{{ _("Log in") }}</span>', encoding="utf-8"
    )
    catalog = root / "translations" / "pl" / "LC_MESSAGES" / "sampleplug.po"
    catalog.parent.mkdir(parents=True)
    catalog.write_text(textwrap.dedent(CATALOG), encoding="utf-8")
    compile_tree([root])
    return {"plugins": {"folder": str(tmp_path / "dropins")}}


def text_of(page: str, element_id: str) -> str:
    match = re.search(rf'id="{element_id}">(.*?)<', page)
    assert match, f"no #{element_id} in the page"
    return match.group(1)


def test_a_core_page_and_a_plugin_snippet_on_it_each_use_their_own_translation(client):
    page = client.get("/login").get_data(as_text=True)
    assert "<title>Zaloguj się" in page  # the core's title
    assert text_of(page, "plugin-footer") == "Wejdź"  # the plugin's snippet on the same page


def test_a_plugin_page_uses_its_catalog_then_the_cores(client):
    page = client.get("/sampleplug/").get_data(as_text=True)
    assert "<title>Wejdź" in page
    assert text_of(page, "own") == text_of(page, "trans") == "Wejdź"
    assert text_of(page, "core-word") == "Nie pamiętasz hasła?"  # not in the plugin's catalog: the core's
    assert text_of(page, "plural") == "5 punktów"
    assert text_of(page, "trans-plural") == "2 punkty"
    assert text_of(page, "plugin-footer") == "Wejdź"
    client.language("en")
    english = client.get("/sampleplug/").get_data(as_text=True)
    assert text_of(english, "own") == "Log in" and text_of(english, "plural") == "5 points"


def test_python_code_and_labels_handed_to_the_core_use_the_plugins_domain(client, app):
    assert client.get("/sampleplug/py").get_data(as_text=True) == "Wejdź | 5 punktów"
    with app.test_request_context("/"):
        assert gettext("Log in") == "Zaloguj się"  # the core's own text, in a request
    from core.testing.factories import PASSWORD, Factories

    admin = Factories().staff(role="admin")
    client.staff_login(admin.email, PASSWORD)
    settings = client.get("/admin/settings/").get_data(as_text=True)
    assert re.search(r'name="sampleplug.enter" value="1"> Wejdź</label>', settings)


def test_the_lookup_keeps_the_domains_apart(app):
    polish = lookup("pl")
    assert polish is lookup("pl")  # read once per runtime
    assert polish.gettext("Log in") == "Zaloguj się"
    assert polish.gettext(DomainText("Log in", "sampleplug")) == "Wejdź"
    assert polish.chain("sampleplug").gettext("Forgot your password?") == "Nie pamiętasz hasła?"
    assert polish.gettext("%(num)s point") == "%(num)s punkt"  # the core falls back to a plugin's words
    assert polish.chain("no-such-plugin") is polish.core


def test_a_plugins_refusal_reaches_the_person_in_the_plugins_words(client):
    response = client.post_form(
        "/register",
        {"first_name": "Jan", "last_name": "Spam", "email": "jan@spam.test", "password": "correct horse battery"},
    )
    assert response.status_code == 422
    assert "Rejestracja z domeny spam.test nie jest możliwa." in response.get_data(as_text=True)
