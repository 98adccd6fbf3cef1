"""The test infrastructure itself works: PostgreSQL, SMTP capture, chromium."""

from __future__ import annotations

import smtplib
import subprocess
import sys
import textwrap
import threading
from collections.abc import Iterator
from decimal import Decimal
from email.message import EmailMessage
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import psycopg
import pytest
from playwright.sync_api import Page, expect

from tests.support.ports import free_port
from tests.support.postgres import PostgresServer
from tests.support.smtp import SmtpCapture

REPO_ROOT = Path(__file__).resolve().parent.parent
POLISH = "Zażółć gęślą jaźń — ĄĆĘŁŃÓŚŹŻ"


# -- PostgreSQL ------------------------------------------------------------------------


@pytest.mark.postgres
def test_postgres_select_one_and_table_round_trip(postgres_database: str) -> None:
    with psycopg.connect(postgres_database) as conn:
        assert conn.execute("select 1").fetchone() == (1,)
        assert conn.execute("show server_encoding").fetchone() == ("UTF8",)
        conn.execute("create table invoice (id serial primary key, buyer text, total numeric(12, 2))")
        conn.execute("insert into invoice (buyer, total) values (%s, %s)", (POLISH, Decimal("1234.56")))
        conn.commit()
    with psycopg.connect(postgres_database) as conn:
        rows = conn.execute("select id, buyer, total from invoice").fetchall()
    assert rows == [(1, POLISH, Decimal("1234.56"))]


@pytest.mark.postgres
def test_postgres_databases_are_created_and_dropped(postgres_server: PostgresServer) -> None:
    url = postgres_server.create_database("scratch_db")
    assert url == f"postgresql://postgres@127.0.0.1:{postgres_server.port}/scratch_db"
    with psycopg.connect(url) as conn:
        assert conn.execute("select current_database()").fetchone() == ("scratch_db",)
    postgres_server.drop_database("scratch_db")
    with pytest.raises(psycopg.OperationalError, match="scratch_db"):
        psycopg.connect(url).close()


# -- SMTP ------------------------------------------------------------------------------


def _send(capture: SmtpCapture, subject: str, body: str) -> None:
    message = EmailMessage()
    message["From"] = "Hookbill <faktury@hookbill.test>"
    message["To"] = "klient@example.test"
    message["Subject"] = subject
    message.set_content(body)
    with smtplib.SMTP(capture.host, capture.port, timeout=10) as client:
        client.send_message(message)


def test_smtp_capture_receives_utf8_polish_mail(smtp_server: SmtpCapture) -> None:
    subject = f"Faktura FV/2025/001 — {POLISH}"
    body = f"Dzień dobry,\n{POLISH}.\nDo zapłaty: 1 234,56 zł\n"
    _send(smtp_server, subject, body)

    received = smtp_server.wait_for(lambda m: m["Subject"] == subject, timeout=10)

    assert received["Subject"] == subject
    assert received.text() == body
    assert received.mail_from == "faktury@hookbill.test"
    assert received.rcpt_tos == ("klient@example.test",)
    assert smtp_server.messages == [received]


def test_smtp_wait_for_times_out_naming_what_arrived(smtp_server: SmtpCapture) -> None:
    _send(smtp_server, "Przypomnienie", "treść")
    with pytest.raises(TimeoutError, match="Przypomnienie"):
        smtp_server.wait_for(lambda m: m["Subject"] == "Nigdy", timeout=0.2)
    smtp_server.clear()
    assert smtp_server.messages == []


# -- Browser ---------------------------------------------------------------------------

TINY_PAGE = """<!doctype html>
<html lang="pl"><head><meta charset="utf-8"><title>Próba</title></head>
<body>
  <p id="status">Nie kliknięto</p>
  <button id="go"
          onclick="document.getElementById('status').textContent='Kliknięto ✓'">Kliknij</button>
</body></html>
""".encode()


class _TinyPageHandler(BaseHTTPRequestHandler):
    def do_GET(self) -> None:
        self.send_response(200)
        self.send_header("Content-Type", "text/html; charset=utf-8")
        self.send_header("Content-Length", str(len(TINY_PAGE)))
        self.end_headers()
        self.wfile.write(TINY_PAGE)

    def log_message(self, format: str, *args: object) -> None:
        pass  # keep the test output clean


@pytest.fixture
def tiny_site() -> Iterator[str]:
    """URL of a one-page site served by http.server on a free loopback port."""
    server = ThreadingHTTPServer(("127.0.0.1", free_port()), _TinyPageHandler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/"
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=10)


@pytest.mark.browser
def test_browser_renders_page_and_click_changes_text(page: Page, tiny_site: str) -> None:
    page.goto(tiny_site)
    expect(page).to_have_title("Próba")
    status = page.locator("#status")
    expect(status).to_have_text("Nie kliknięto")

    page.get_by_role("button", name="Kliknij").click()

    expect(status).to_have_text("Kliknięto ✓")


MIXED_TESTS = """
import asyncio

from playwright.sync_api import Page


async def answer() -> int:
    await asyncio.sleep(0)
    return 42


def test_a_browser(page: Page) -> None:
    page.set_content("<p>pierwszy</p>")
    assert page.text_content("p") == "pierwszy"


def test_b_asyncio_after_browser() -> None:
    from tests.support.fixtures import playwright_running
    assert playwright_running()
    assert asyncio.run(answer()) == 42


def test_c_browser_again(page: Page) -> None:
    page.set_content("<p>drugi</p>")
    assert page.text_content("p") == "drugi"


def test_d_asyncio_last() -> None:
    assert asyncio.run(answer()) == 42
"""


@pytest.mark.browser
def test_playwright_and_asyncio_tests_share_a_worker(tmp_path: Path) -> None:
    """Browser tests and asyncio.run() tests alternate in one process, both ways.

    Run in a separate pytest so that the order is fixed: browser, asyncio, browser,
    asyncio -- the last one also makes the session teardown stop Playwright while a
    non-browser test is being torn down.
    """
    (tmp_path / "test_mixed.py").write_text(MIXED_TESTS)
    (tmp_path / "pytest.ini").write_text(
        textwrap.dedent("""\
            [pytest]
            filterwarnings = error
            """)
    )
    result = subprocess.run(
        [sys.executable, "-m", "pytest", "-p", "tests.support.fixtures", "-p", "no:cacheprovider",
         "-p", "no:xdist", "-q", "-c", str(tmp_path / "pytest.ini"), str(tmp_path)],
        cwd=REPO_ROOT, capture_output=True, text=True, timeout=120, check=False,
    )  # fmt: skip
    output = result.stdout + result.stderr
    assert result.returncode == 0, output
    assert "4 passed" in output, output
