"""An SMTP server that keeps the mail it receives: the testing kit's (:mod:`core.testing.smtp`)."""

from core.testing.smtp import CapturedMessage, SmtpCapture

__all__ = ["CapturedMessage", "SmtpCapture"]
