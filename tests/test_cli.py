"""The ``hookbill`` command, run as a real process: migrate, demo-data, plugins, create-staff, cron, outbox.

Plugins add sub-commands through the ``hookbill_cli_commands`` hook; the example
distribution adds ``hookbill hello``.
"""

from __future__ import annotations

import subprocess

import pytest

from tests.cli_helpers import run_hookbill


@pytest.fixture
def run(tmp_path):
    def hookbill(*args: str, check: bool = True, stdin: str | None = None) -> subprocess.CompletedProcess[str]:
        return run_hookbill(tmp_path, *args, check=check, stdin=stdin)

    return hookbill


def test_migrate_demo_data_and_logins(run):
    assert "applied core:m0001_initial" in run("migrate").stdout
    out = run("demo-data").stdout
    assert "demo data loaded" in out
    assert "firma@hookbill.test / klient-demo-2026" in out and "admin@hookbill.test / admin-demo-2026" in out
    assert "already present" in run("demo-data").stdout


def test_plugins_lists_version_source_and_hooks(run):
    out = run("plugins").stdout
    assert "hello  1.2.0  [entrypoint]" in out
    assert "core.builtin" in out and "[builtin]" in out
    assert "hookbill_cli_commands" in out
    assert run("hello").stdout.strip() == "hello from hookbill-hello"


def test_create_staff_and_refuse_duplicates(run):
    run("migrate")
    args = (
        "create-staff",
        "--email",
        "ewa@example.test",
        "--name",
        "Ewa",
        "--role",
        "billing",
        "--password",
        "billing password 1",
    )
    assert "created staff ewa@example.test (billing)" in run(*args).stdout
    again = run(*args, check=False)
    assert again.returncode != 0 and "already exists" in again.stderr


def test_cron_and_outbox_report(run):
    run("migrate")
    assert "outbox: ran" in run("cron").stdout
    assert "sent 0, waiting 0" in run("outbox").stdout


def test_hooks_doc_prints_the_reference(run):
    out = run("hooks-doc").stdout
    assert out.startswith("# hookbill hook reference")
    assert "## `on_payment(" in out
