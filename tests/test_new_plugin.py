"""``hookbill new-plugin``: a package written outside the repository, built, installed, and its own tests pass.

The plugin is built the way pip builds any package (its setup.py compiles the
catalog), installed into a folder of its own (``pip install --target``, so our
virtualenv is left as it was), and its generated tests run in a separate pytest
process with the testing kit, which that process finds through the entry point
of the installed hookbill.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from core.scaffold import PluginNames, ScaffoldError, new_plugin

ROOT = Path(__file__).resolve().parent.parent


def clean_env(**extra: str) -> dict[str, str]:
    """This process's environment without hookbill's own settings, plus ``extra``."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("HOOKBILL_", "PYTEST_", "PYTHONPATH"))}
    return {**env, **extra}


def run(*args: str, cwd: Path, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        list(args), cwd=cwd, env=env or clean_env(), capture_output=True, text=True, timeout=300, check=False
    )


def test_a_new_plugin_built_and_installed_outside_the_repository_passes_its_own_tests(tmp_path):
    assert not tmp_path.is_relative_to(ROOT)
    made = run(sys.executable, "-m", "core.cli", "new-plugin", "loyalty-discount", cwd=tmp_path)
    assert made.returncode == 0, made.stderr
    source = tmp_path / "hookbill-loyalty-discount"
    assert "pip install -e '.[test]'" in made.stdout
    assert not (tmp_path / "instance").exists()  # writing a plugin needs no configuration

    site = tmp_path / "site"
    pip = run(
        sys.executable, "-m", "pip", "install", "--quiet", "--no-deps", "--no-build-isolation", "--no-index",
        "--target", str(site), str(source),
        cwd=tmp_path,
    )  # fmt: skip
    assert pip.returncode == 0, pip.stdout + pip.stderr
    installed = site / "hookbill_loyalty_discount"
    assert (installed / "translations/pl/LC_MESSAGES/hookbill_loyalty_discount.mo").is_file()  # compiled at build
    assert not (source / "hookbill_loyalty_discount/translations/pl/LC_MESSAGES/hookbill_loyalty_discount.mo").exists()

    # -P: the plugin's source folder (the working directory) is not put on sys.path, so
    # the tests import the installed package, as they would anywhere else.
    tests = run(
        sys.executable, "-P", "-m", "pytest", "-q", "-p", "no:cacheprovider",
        cwd=source,
        env=clean_env(PYTHONPATH=str(site)),
    )  # fmt: skip
    assert tests.returncode == 0, tests.stdout[-4000:] + tests.stderr[-2000:]
    assert "4 passed" in tests.stdout


def test_names_and_refusals(tmp_path):
    names = PluginNames.of("hookbill-Loyalty_discount")
    assert (names.name, names.dist, names.package) == (
        "loyalty_discount",
        "hookbill-loyalty-discount",
        "hookbill_loyalty_discount",
    )
    for bad in ("9lives", "with space", "über", "-x", ""):
        with pytest.raises(ScaffoldError, match="cannot name a plugin"):
            PluginNames.of(bad)
    target = tmp_path / "taken"
    target.mkdir()
    (target / "notes.txt").write_text("mine", encoding="utf-8")
    with pytest.raises(ScaffoldError, match="is not empty"):
        new_plugin("hello", target)
    assert (target / "notes.txt").read_text(encoding="utf-8") == "mine"
    written = new_plugin("hello", tmp_path / "fresh")
    assert (written / "hookbill_hello/translations/pl/LC_MESSAGES/hookbill_hello.po").is_file()
    assert not list(written.rglob("*.tmpl"))
