"""The statements plugin speaks Polish: every message it marks, and every label it shows, has a translation."""

from __future__ import annotations

from pathlib import Path

from babel.messages import pofile
from babel.messages.extract import extract_from_dir

from plugins.bankstatements.models import RULE_LABELS, STATE_LABELS
from plugins.bankstatements.parsers import FORMAT_LABELS
from plugins.bankstatements.summary import LABELS

PLUGIN = Path(__file__).resolve().parent.parent / "plugins" / "bankstatements"
JINJA = "jinja2.ext:babel_extract"


def catalog() -> set[str]:
    with (PLUGIN / "translations/pl/LC_MESSAGES/bankstatements.po").open("rb") as handle:
        return {m.id for m in pofile.read_po(handle, locale="pl") if m.id and m.string}


def test_every_marked_message_has_a_polish_translation():
    method_map = [("**/templates/**.html", JINJA), ("**.py", "python")]
    marked = {
        msg if isinstance(msg, str) else msg[0]
        for _file, _line, msg, _comments, _ctx in extract_from_dir(
            str(PLUGIN),
            method_map,
            options_map={"**/templates/**.html": {"extensions": "jinja2.ext.i18n"}},
            keywords={"_": None, "gettext": None, "N_": None, "_l": None, "lazy_gettext": None},
        )
    }
    assert len(marked) > 120
    assert marked - catalog() == set()


def test_labels_shown_as_data_are_translated():
    labels = {*STATE_LABELS.values(), *RULE_LABELS.values(), *FORMAT_LABELS.values(), *(label for _k, label in LABELS)}
    labels.discard("")
    assert labels - catalog() == set()
    assert "Bank statements" in catalog()  # the admin menu entry
