"""The project's own documents: present, linked, pointed to, and agreeing with the tests.

docs/billing.md states the worked examples that tests/billing_examples.py holds as
data: a figure changed in one and not the other fails here. The code points to
docs/billing.md and docs/architecture.md, never to notes outside the repository.
"""

from __future__ import annotations

import re
import subprocess
from decimal import Decimal
from pathlib import Path

import pytest

from tests.billing_examples import BILLING_EXAMPLES

ROOT = Path(__file__).resolve().parent.parent
BILLING = (ROOT / "docs" / "billing.md").read_text(encoding="utf-8")
OWN_DOCS = ("docs/billing.md", "docs/architecture.md")


def tracked_files() -> list[str]:
    out = subprocess.run(["git", "ls-files"], cwd=ROOT, capture_output=True, text=True, check=True).stdout
    return out.splitlines()


def test_nothing_points_outside_the_repository():
    # Spelled in parts, so that this file does not name them itself.
    outside = [f"{name}.md" for name in ("BILLING", "DESIGN", "STYLE")] + ["../" + "shared"]
    found = []
    for name in tracked_files():
        path = ROOT / name
        if name in OWN_DOCS or not path.is_file() or path.suffix in (".ttf", ".png", ".ico", ".xsd", ".mo"):
            continue
        text = path.read_text(encoding="utf-8", errors="ignore")
        found += [f"{name}: {word}" for word in outside if word in text]
    assert found == []


def test_readme_links_the_documents():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    for doc in ("docs/billing.md", "docs/architecture.md", "docs/plugins.md", "docs/hooks.md", "docs/api.md"):
        assert f"]({doc})" in readme, f"README does not link {doc}"
        assert (ROOT / doc).is_file()


def _table_rows() -> dict[str, list[str]]:
    rows = {}
    for line in BILLING.splitlines():
        cells = [cell.strip() for cell in line.strip().strip("|").split("|")]
        if cells and re.fullmatch(r"E\d+", cells[0]):
            rows[cells[0]] = cells
    return rows


@pytest.mark.parametrize("example", BILLING_EXAMPLES, ids=[e["id"] for e in BILLING_EXAMPLES])
def test_every_worked_example_is_in_the_billing_document_with_its_figures(example):
    row = _table_rows().get(example["id"])
    assert row is not None, f"{example['id']} is not in the table of docs/billing.md"
    _id, _change, period, credit, charge, net, vat, gross, applied, to_pay = row
    if not example["document"]:
        assert Decimal(net) == example["net"] == 0 and to_pay == "no document"
        return
    assert f"({example['remaining_days']} of {example['period_days']}" in period
    figures = [credit, charge, net, vat, gross, applied, to_pay]
    expected = ["credit", "charge", "net", "vat", "gross", "balance_applied", "to_pay"]
    assert [Decimal(value) for value in figures] == [example[key] for key in expected]


def test_the_vat_act_articles_the_code_follows_are_named():
    for article in ("106e", "106j", "106i", "19a", "106b", "28b", "28k", "108a"):
        assert f"art. {article}" in BILLING, f"docs/billing.md does not name art. {article}"
