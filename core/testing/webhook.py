"""A loopback HTTP server that records every request: the other end of a plugin's webhook.

:class:`WebhookReceiver` listens on a free port of 127.0.0.1 in a thread and
answers every request with the next status of its script (``respond(500, 200)``
makes the first call fail and the next ones succeed, so a test can see an
outbox handler retry) and records it as a :class:`ReceivedRequest`.
"""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from types import TracebackType
from typing import Any, Self
from urllib.parse import parse_qs, urlsplit

from core.testing.ports import free_port


@dataclass(frozen=True)
class ReceivedRequest:
    """One request as it arrived: method, path (without the query), query, headers, body."""

    method: str
    path: str
    query: dict[str, list[str]]
    headers: dict[str, str]
    body: bytes
    status: int = 200  # what the receiver answered

    def header(self, name: str) -> str | None:
        """The value of header ``name`` (any case), or None."""
        wanted = name.lower()
        return next((value for key, value in self.headers.items() if key.lower() == wanted), None)

    def json(self) -> Any:
        """The body parsed as JSON (raises ValueError when it is not JSON)."""
        return json.loads(self.body.decode("utf-8"))

    def text(self) -> str:
        """The body as UTF-8 text."""
        return self.body.decode("utf-8")


class WebhookReceiver:
    """An HTTP server on 127.0.0.1 recording requests; a context manager, or start/stop."""

    def __init__(self, port: int | None = None) -> None:
        """Prepare, but do not start, a receiver; ``port`` defaults to a free one."""
        self.host = "127.0.0.1"
        self.port = port if port is not None else free_port()
        self._requests: list[ReceivedRequest] = []
        self._script: list[int] = []
        self._default_status = 200
        self._cond = threading.Condition()
        self._server: ThreadingHTTPServer | None = None
        self._thread: threading.Thread | None = None

    @property
    def url(self) -> str:
        """The base URL, e.g. ``http://127.0.0.1:PORT``; any path under it is recorded."""
        return f"http://{self.host}:{self.port}"

    def start(self) -> None:
        """Start listening; returns once the socket is bound."""
        if self._server is not None:
            raise RuntimeError("WebhookReceiver is already started")
        server = ThreadingHTTPServer((self.host, self.port), _handler_for(self))
        server.daemon_threads = True
        self._server = server
        self._thread = threading.Thread(target=server.serve_forever, name="hookbill-webhook", daemon=True)
        self._thread.start()

    def stop(self) -> None:
        """Stop the server (idempotent)."""
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._server = None
        if self._thread is not None:
            self._thread.join(timeout=5)
            self._thread = None

    def __enter__(self) -> Self:
        """Start the receiver and return it."""
        self.start()
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        """Stop the receiver."""
        self.stop()

    def respond(self, *statuses: int, then: int = 200) -> None:
        """Answer the next requests with ``statuses`` in order, and every later one with ``then``."""
        with self._cond:
            self._script = list(statuses)
            self._default_status = then

    def _next_status(self) -> int:
        with self._cond:
            return self._script.pop(0) if self._script else self._default_status

    def _add(self, request: ReceivedRequest) -> None:
        with self._cond:
            self._requests.append(request)
            self._cond.notify_all()

    @property
    def requests(self) -> list[ReceivedRequest]:
        """The requests received so far, oldest first (a copy)."""
        with self._cond:
            return list(self._requests)

    def clear(self) -> None:
        """Forget the requests received so far and the answer script."""
        with self._cond:
            self._requests.clear()
            self._script = []
            self._default_status = 200

    def wait_for(
        self, predicate: Callable[[ReceivedRequest], bool] = lambda request: True, timeout: float = 10
    ) -> ReceivedRequest:
        """The first received request matching ``predicate``, waiting up to ``timeout`` seconds.

        Raises :class:`TimeoutError` listing what did arrive when none matches.
        """
        deadline = time.monotonic() + timeout
        with self._cond:
            while True:
                for request in self._requests:
                    if predicate(request):
                        return request
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    seen = [f"{r.method} {r.path}" for r in self._requests]
                    raise TimeoutError(f"no matching request within {timeout} s; received {len(seen)}: {seen}")
                self._cond.wait(remaining)


def _handler_for(receiver: WebhookReceiver) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def _record(self) -> None:
            length = int(self.headers.get("Content-Length") or 0)
            body = self.rfile.read(length) if length else b""
            status = receiver._next_status()
            parts = urlsplit(self.path)
            receiver._add(
                ReceivedRequest(
                    method=self.command,
                    path=parts.path,
                    query=parse_qs(parts.query),
                    headers=dict(self.headers.items()),
                    body=body,
                    status=status,
                )
            )
            payload = b'{"ok": true}' if status < 400 else b'{"ok": false}'
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(payload)))
            self.end_headers()
            self.wfile.write(payload)

        do_GET = do_POST = do_PUT = do_PATCH = do_DELETE = _record

        def log_message(self, format: str, *args: Any) -> None:
            """Keep the test output quiet."""

    return Handler
