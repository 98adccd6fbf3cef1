"""A local server that answers as VIES's REST interface does: valid, invalid, or unavailable.

``POST /check-vat-number`` with ``{"countryCode", "vatNumber", "requesterMemberStateCode",
"requesterNumber"}``. The answer depends on the number: listed in ``valid`` it is
valid (with a consultation number when a requester was sent), while
``unavailable`` is set VIES answers ``MS_UNAVAILABLE``; anything else is invalid.
Every request is kept in ``requests``.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any


class FakeVies:
    """The server's state: which numbers are valid, whether it is down, what it was asked."""

    def __init__(self) -> None:
        self.valid = {"DE136695976"}
        self.unavailable = False
        self.requests: list[dict[str, Any]] = []
        self.url = ""


@contextmanager
def fake_vies() -> Iterator[FakeVies]:
    """Run the fake VIES on a free loopback port; ``state.url`` is its base URL."""
    state = FakeVies()

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            body = json.loads(self.rfile.read(int(self.headers.get("Content-Length") or 0)) or b"{}")
            state.requests.append(body)
            number = f"{body.get('countryCode')}{body.get('vatNumber')}"
            if state.unavailable:
                answer: dict[str, Any] = {
                    "valid": False,
                    "userError": "MS_UNAVAILABLE",
                    "vatNumber": body.get("vatNumber"),
                }
            else:
                valid = number in state.valid
                answer = {
                    "countryCode": body.get("countryCode"),
                    "vatNumber": body.get("vatNumber"),
                    "valid": valid,
                    "userError": "VALID" if valid else "INVALID",
                    "name": "Müller Webhosting GmbH" if valid else "---",
                    "address": "Friedrichstraße 10, 10117 Berlin" if valid else "---",
                    "requestIdentifier": f"WAPI{len(state.requests):08d}" if body.get("requesterNumber") else "",
                }
            data = json.dumps(answer).encode()
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def log_message(self, *args: Any) -> None:
            return

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    state.url = f"http://127.0.0.1:{server.server_address[1]}"
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield state
    finally:
        server.shutdown()
        server.server_close()
