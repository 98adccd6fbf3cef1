"""An SMTP server that keeps every message it receives, for asserting on mail.

:class:`SmtpCapture` runs aiosmtpd in its own thread (with its own event loop) on a
free loopback port. Each message arrives as a :class:`CapturedMessage`: a parsed
:class:`email.message.EmailMessage` (``policy.default``) that also carries its SMTP
envelope sender and recipients.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from email import policy
from email.message import EmailMessage
from email.parser import BytesParser
from types import TracebackType
from typing import Self

from aiosmtpd.controller import Controller
from aiosmtpd.smtp import SMTP, Envelope, Session

from core.testing.ports import free_port


class CapturedMessage(EmailMessage):
    """A received message: headers and body as parsed, plus its SMTP envelope."""

    #: ``MAIL FROM`` address of the envelope ("" for the parts of a multipart message).
    mail_from: str = ""
    #: ``RCPT TO`` addresses of the envelope.
    rcpt_tos: tuple[str, ...] = ()

    def text(self) -> str:
        """Return the ``text/plain`` body (preferred over HTML), decoded; "" if none.

        Line ends are LF: SMTP carries 8-bit bodies with CRLF, which is wire
        format, not content.
        """
        part = self.get_body(preferencelist=("plain", "html"))
        if part is None:
            return ""
        content = part.get_content()
        return content.replace("\r\n", "\n") if isinstance(content, str) else ""


class _Handler:
    """aiosmtpd handler: parses each message and hands it to the capture."""

    def __init__(self, capture: SmtpCapture) -> None:
        self._capture = capture

    async def handle_DATA(self, server: SMTP, session: Session, envelope: Envelope) -> str:
        raw = envelope.original_content or b""
        parsed = BytesParser(_class=CapturedMessage, policy=policy.default).parsebytes(raw)
        assert isinstance(parsed, CapturedMessage)
        parsed.mail_from = envelope.mail_from or ""
        parsed.rcpt_tos = tuple(envelope.rcpt_tos)
        self._capture._add(parsed)
        return "250 Message accepted for delivery"


class SmtpCapture:
    """SMTP server on 127.0.0.1 collecting mail; use as a context manager or start/stop.

    ``host`` and ``port`` are what the application's SMTP settings should point at.
    No TLS and no authentication: it is only for loopback tests.
    """

    def __init__(self, port: int | None = None) -> None:
        """Prepare, but do not start, a capture; ``port`` defaults to a free one."""
        self.host: str = "127.0.0.1"
        self.port: int = port if port is not None else free_port()
        self._messages: list[CapturedMessage] = []
        self._cond = threading.Condition()
        self._controller: Controller | None = None

    def start(self) -> None:
        """Start listening; returns once the server answers.

        aiosmtpd's own debug log (logger ``mail.log``) would repeat every line of
        every message; it is kept to INFO, so a test that raises the log level to
        look for secrets in the app's logs finds the app's lines only.
        """
        if self._controller is not None:
            raise RuntimeError("SmtpCapture is already started")
        logging.getLogger("mail.log").setLevel(logging.INFO)
        controller = Controller(_Handler(self), hostname=self.host, port=self.port, ready_timeout=10)
        controller.start()
        self._controller = controller

    def stop(self) -> None:
        """Stop the server thread (idempotent)."""
        if self._controller is not None:
            self._controller.stop()
            self._controller = None

    def __enter__(self) -> Self:
        """Start the server and return the capture."""
        self.start()
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        """Stop the server."""
        self.stop()

    def _add(self, message: CapturedMessage) -> None:
        with self._cond:
            self._messages.append(message)
            self._cond.notify_all()

    @property
    def messages(self) -> list[CapturedMessage]:
        """The messages received so far, oldest first (a copy)."""
        with self._cond:
            return list(self._messages)

    def clear(self) -> None:
        """Forget all messages received so far."""
        with self._cond:
            self._messages.clear()

    def wait_for(
        self,
        predicate: Callable[[CapturedMessage], bool] = lambda message: True,
        timeout: float = 10,
    ) -> CapturedMessage:
        """Return the first received message matching ``predicate``, waiting if needed.

        Messages already received count too. Raises :class:`TimeoutError`, listing
        the subjects that did arrive, when none matches within ``timeout`` seconds.
        """
        deadline = time.monotonic() + timeout
        with self._cond:
            while True:
                for message in self._messages:
                    if predicate(message):
                        return message
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    subjects = [str(m.get("Subject", "")) for m in self._messages]
                    raise TimeoutError(f"no matching mail within {timeout} s; received {len(subjects)}: {subjects}")
                self._cond.wait(remaining)
