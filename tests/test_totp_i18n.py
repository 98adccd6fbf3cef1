"""The totp plugin speaks Polish: every message it marks has a translation, pages use the help page's words."""

from __future__ import annotations

from pathlib import Path

from babel.messages import pofile
from babel.messages.extract import extract_from_dir

from tests.helpers import csrf_from, login, make_customer

PLUGIN = Path(__file__).resolve().parent.parent / "plugins" / "totp"
JINJA = "jinja2.ext:babel_extract"


def test_every_marked_message_has_a_polish_translation():
    method_map = [("**/templates/**.html", JINJA), ("**/templates/**.txt", JINJA), ("**.py", "python")]
    options = {pattern: {"extensions": "jinja2.ext.i18n"} for pattern, method in method_map if method == JINJA}
    marked = {
        msg if isinstance(msg, str) else msg[0]
        for _file, _line, msg, _comments, _ctx in extract_from_dir(
            str(PLUGIN),
            method_map,
            options_map=options,
            keywords={"_": None, "gettext": None, "_l": None, "lazy_gettext": None},
        )
    }
    with (PLUGIN / "translations/pl/LC_MESSAGES/totp.po").open("rb") as handle:
        catalog = pofile.read_po(handle, locale="pl")
    translated = {m.id for m in catalog if m.id and m.string}
    assert len(marked) > 40
    assert marked - translated == set()


def test_security_page_in_polish(client):
    make_customer()
    login(client, "ala@example.test")
    page = client.get("/security").get_data(as_text=True)
    client.post("/language/pl", data={"csrf_token": csrf_from(page)})
    security = client.get("/security").get_data(as_text=True)
    assert "Weryfikacja dwuetapowa" in security and "Bezpieczeństwo" in security
    manage = client.get("/security/2fa").get_data(as_text=True)
    assert "Wyłączona" in manage and "Włącz" in manage
