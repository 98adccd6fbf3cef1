"""Browser: the demo started exactly as ``make run`` starts it, walked in Polish as the README says.

The panel runs as the installed ``hookbill`` command in its own process, with the
environment the Makefile's ``run`` target gives it and nothing else (no secret key,
no passphrase variable): ``hookbill migrate``, ``hookbill demo-data`` (twice: it must
be safe), ``hookbill serve``. Its folder is a fresh temporary one, so ``instance/``
(database, development secret key, keyring) starts empty like a fresh clone's.
"""

from __future__ import annotations

import os
import re
import shutil
import sqlite3
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from core.demo import COMPANY_EMAIL, CUSTOMER_PASSWORD, STAFF_EMAIL, STAFF_PASSWORD
from tests.support.ports import free_port

pytestmark = [pytest.mark.browser, pytest.mark.xdist_group("demo")]

ROOT = Path(__file__).resolve().parent.parent
HOOKBILL = Path(sys.executable).with_name("hookbill")
#: What the Makefile's ``run`` target puts in the environment (checked below).
MAKE_RUN_ENV = {"HOOKBILL_DATABASE_URL": "sqlite:///instance/hookbill.sqlite3", "HOOKBILL_CONFIG": "config.demo.toml"}


def test_the_makefile_runs_the_demo_with_this_environment() -> None:
    makefile = (ROOT / "Makefile").read_text(encoding="utf-8")
    assert f"HOOKBILL_DATABASE_URL ?= {MAKE_RUN_ENV['HOOKBILL_DATABASE_URL']}" in makefile
    assert "export HOOKBILL_DATABASE_URL" in makefile
    assert f"run: export HOOKBILL_CONFIG ?= {MAKE_RUN_ENV['HOOKBILL_CONFIG']}" in makefile
    # The catalogs are compiled first: the app reads .mo files and never compiles them itself.
    recipe = makefile.split("\nrun: run-deps $(STAMP) catalogs\n", 1)[1].split("\n\n", 1)[0]
    commands = [line.strip() for line in recipe.splitlines() if "hookbill " in line]
    assert commands == [
        "$(VENV)/bin/hookbill migrate",
        "$(VENV)/bin/hookbill demo-data",
        "$(VENV)/bin/hookbill serve --host 127.0.0.1 --port 5000",
    ]


class DemoPanel:
    """The running demo: its base URL, its folder and what ``demo-data`` printed."""

    def __init__(self, base: str, folder: Path, outputs: list[str]) -> None:
        self.base, self.folder, self.outputs = base, folder, outputs

    def query(self, sql: str) -> list[tuple]:
        """Read the demo's SQLite file directly (this process's own database stays untouched)."""
        with sqlite3.connect(self.folder / "instance" / "hookbill.sqlite3") as connection:
            return list(connection.execute(sql))


def _run(args: list[str], folder: Path, env: dict[str, str]) -> str:
    done = subprocess.run([str(HOOKBILL), *args], cwd=folder, env=env, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, f"hookbill {args[0]} failed:\n{done.stdout}\n{done.stderr}"
    return done.stdout


@pytest.fixture(scope="module")
def demo() -> Iterator[DemoPanel]:
    """``make run`` in a fresh folder (short, for gpg-agent's sockets) on a free port."""
    folder = Path(tempfile.mkdtemp(prefix="hbd-"))
    env = {k: v for k, v in os.environ.items() if not k.startswith("HOOKBILL_")}
    env.update(MAKE_RUN_ENV, HOOKBILL_CONFIG=str(ROOT / MAKE_RUN_ENV["HOOKBILL_CONFIG"]))
    (folder / "instance").mkdir()
    server = None
    log_path = folder / "serve.log"
    try:
        _run(["migrate"], folder, env)
        outputs = [_run(["demo-data"], folder, env), _run(["demo-data"], folder, env)]
        port = free_port()
        with log_path.open("wb") as log:
            server = subprocess.Popen(
                [str(HOOKBILL), "serve", "--host", "127.0.0.1", "--port", str(port)],
                cwd=folder,
                env=env,
                stdout=log,
                stderr=subprocess.STDOUT,
            )
        base = f"http://127.0.0.1:{port}"
        deadline = time.monotonic() + 30
        while True:
            try:
                urllib.request.urlopen(f"{base}/login", timeout=2).read()
                break
            except OSError:
                if server.poll() is not None or time.monotonic() > deadline:
                    raise RuntimeError("hookbill serve did not start:\n" + log_path.read_text()[-3000:]) from None
                time.sleep(0.2)
        yield DemoPanel(base, folder, outputs)
    finally:
        if server is not None:
            server.terminate()
            try:
                server.wait(timeout=10)
            except subprocess.TimeoutExpired:
                server.kill()
                server.wait()
        keyring = folder / "instance" / "gnupg"
        subprocess.run(["gpgconf", "--homedir", str(keyring), "--kill", "all"], capture_output=True, check=False)
        shutil.rmtree(folder, ignore_errors=True)


def _log_in(page: Page, demo: DemoPanel) -> None:
    page.goto(f"{demo.base}/login")
    page.fill("#email", COMPANY_EMAIL)
    page.fill("#password", CUSTOMER_PASSWORD)
    page.locator("form button[type=submit]").first.click()
    expect(page.locator("h1")).to_be_visible()


def _money(text: str) -> str:
    """The amount in a text such as "21,73 zł" (Polish notation)."""
    found = re.search(r"-?\d[\d\s\u00a0]*,\d\d", text)
    assert found, text
    return found.group(0)


def test_demo_data_is_safe_twice_and_sets_up_the_encrypted_department(demo: DemoPanel) -> None:
    first, second = demo.outputs
    assert "demo data loaded" in first and "demo data already present" in second
    key = re.search(r"encrypted tickets: department Techniczny, key ([0-9A-F]{40})", first)
    assert key and key.group(1) in second, first + second
    assert demo.query("SELECT pgp_fingerprint FROM department WHERE slug = 'techniczny'") == [(key.group(1),)]
    assert demo.query("SELECT count(*) FROM staff") == [(1,)]


def test_readme_upgrade_paid_with_the_test_gateway(page: Page, demo: DemoPanel) -> None:
    _log_in(page, demo)
    page.get_by_role("link", name="Usługi").first.click()
    page.get_by_role("link", name="zazolc.pl", exact=True).click()
    expect(page.get_by_test_id("service-package")).to_have_text("Hosting Basic")
    page.get_by_role("link", name="Zwiększ / Zmniejsz").click()
    expect(page.get_by_test_id("option-hosting-pro")).to_contain_text("100 GB NVMe")
    page.locator("[data-testid=option-hosting-pro] input[value$=':monthly']").check()
    page.get_by_role("button", name="Kontynuuj").click()
    expect(page.get_by_test_id("summary-target")).to_have_text("Hosting Pro")
    expect(page.get_by_test_id("summary-balance")).to_contain_text("-10,00")
    to_pay = _money(page.get_by_test_id("summary-to-pay").inner_text())
    page.get_by_test_id("method-testgateway").check()
    page.get_by_test_id("summary-confirm").click()

    expect(page.get_by_test_id("gateway-amount")).to_contain_text(to_pay)
    page.get_by_test_id("gateway-pay").click()
    expect(page.locator(".flash-error")).to_have_count(0)
    expect(page.get_by_test_id("document-status")).to_contain_text("Opłacona")
    expect(page.get_by_test_id("doc-due")).to_contain_text("0,00")
    expect(page.get_by_test_id("applied-note")).to_contain_text("Hosting Pro")
    page.get_by_role("link", name=re.compile(r"^FV")).click()
    expect(page.locator("h1")).to_contain_text("Faktura VAT")
    page.get_by_role("link", name="Usługi").first.click()
    page.get_by_role("link", name="zazolc.pl", exact=True).click()
    expect(page.get_by_test_id("service-package")).to_have_text("Hosting Pro")


def test_back_from_the_gateway_offers_to_pay_the_waiting_change(page: Page, demo: DemoPanel) -> None:
    _log_in(page, demo)
    page.get_by_role("link", name="Usługi").first.click()
    page.get_by_role("link", name="vps1.zazolc.pl").click()
    page.get_by_role("link", name="Zwiększ / Zmniejsz").click()
    page.locator("[data-testid=option-vps-m] input[value$=':quarterly']").check()
    page.get_by_role("button", name="Kontynuuj").click()
    page.get_by_test_id("method-testgateway").check()
    page.get_by_test_id("summary-confirm").click()
    due = _money(page.get_by_test_id("gateway-amount").inner_text())

    # The browser's Back button, then the gateway's own "back" link: the same page.
    for go_back in (page.go_back, lambda: page.get_by_test_id("gateway-back").click()):
        go_back()
        expect(page.get_by_test_id("pending-change")).to_contain_text("Zmiana na VPS M czeka na płatność")
        expect(page.get_by_role("button", name="Anuluj zmianę")).to_be_visible()
        pay = page.get_by_test_id("pending-pay")
        expect(pay).to_contain_text(f"Zapłać {due}")
        pay.click()
        page.get_by_test_id("pay-testgateway").click()
        expect(page.get_by_test_id("gateway-amount")).to_contain_text(due)
    page.get_by_test_id("gateway-pay").click()
    expect(page.get_by_test_id("document-status")).to_contain_text("Opłacona")
    expect(page.get_by_test_id("applied-note")).to_contain_text("VPS M")


def test_encrypted_ticket_decrypted_by_staff(page: Page, demo: DemoPanel) -> None:
    secret = "Hasło do panelu innej firmy: żółć-2026"
    _log_in(page, demo)
    page.click("a[href='/tickets']")
    page.click("a[href='/tickets/new']")
    page.select_option("select[name=department_id]", label="Techniczny")
    page.fill("input[name=subject]", "Dostęp do panelu")
    page.fill("textarea[name=body]", secret)
    page.get_by_label("Szyfruj wiadomość").check()
    page.click("form button.button-primary")
    expect(page.locator("h1")).to_contain_text("Dostęp do panelu")
    assert secret not in page.content()
    [(body, encrypted)] = demo.query("SELECT body, encrypted FROM ticket_message")
    assert encrypted and body.startswith("-----BEGIN PGP MESSAGE-----") and "żółć" not in body

    page.context.clear_cookies()
    page.goto(f"{demo.base}/admin/login")
    page.fill("input[name=email]", STAFF_EMAIL)
    page.fill("input[name=password]", STAFF_PASSWORD)
    page.click("button[type=submit]")
    page.goto(f"{demo.base}/admin/tickets")
    page.click("text=Dostęp do panelu")
    page.get_by_role("button", name="Odszyfruj wiadomość").click()
    expect(page.locator(".message-body")).to_have_text(secret)
