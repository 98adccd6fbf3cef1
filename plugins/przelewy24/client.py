"""The few Przelewy24 REST calls hookbill makes, over the standard library's urllib.

Every call is JSON with HTTP basic auth (login: the POS id, password: the API
key) against ``{base_url}/api/v1``. Four calls, each one request and one JSON
answer, do not justify an HTTP client dependency; urllib verifies TLS
certificates by default. These calls are network I/O: callers make them outside
any database transaction.

Failures raise :class:`P24Error`: ``status`` is the HTTP status (0 when P24 could
not be reached or answered something that is not JSON), ``message`` P24's
``error`` text, or one of ours (an English msgid, marked for translation: staff
read it on the document's Przelewy24 card in their language; the details go to
the log), ``data`` the parsed answer.
"""

from __future__ import annotations

import base64
import json
import logging
import urllib.error
import urllib.request
from typing import Any

from core.i18n import N_
from plugins.przelewy24 import signing
from plugins.przelewy24.settings import P24Settings

log = logging.getLogger("hookbill.przelewy24")

#: Our words for a failure P24 did not put into words (shown to staff, translated there).
NO_REASON = N_("Przelewy24 answered with an error but gave no reason.")
UNREACHABLE = N_("Przelewy24 could not be reached.")
UNREADABLE = N_("Przelewy24's answer could not be read.")
NO_TOKEN = N_("Przelewy24 did not give the payment a token.")
NOT_CONFIRMED = N_("Przelewy24 did not confirm the payment.")


class P24Error(Exception):
    """A call to Przelewy24 failed; see the module docstring."""

    def __init__(self, status: int, message: str, data: Any = None) -> None:
        super().__init__(f"Przelewy24 answered {status}: {message}")
        self.status, self.message, self.data = status, message, data

    @property
    def transient(self) -> bool:
        """True when trying again later may work (unreachable, timeout, a 5xx)."""
        return self.status == 0 or self.status >= 500


class P24Client:
    """Calls P24 on behalf of the account in ``settings``."""

    def __init__(self, settings: P24Settings) -> None:
        self.settings = settings

    def _call(self, method: str, path: str, body: dict[str, Any] | None = None) -> Any:
        url = f"{self.settings.base_url}/api/v1{path}"
        login = f"{self.settings.pos_id}:{self.settings.api_key}".encode()
        headers = {
            "Authorization": "Basic " + base64.b64encode(login).decode("ascii"),
            "Accept": "application/json",
        }
        data = None
        if body is not None:
            data = json.dumps(body, ensure_ascii=False, separators=(",", ":")).encode("utf-8")
            headers["Content-Type"] = "application/json"
        request = urllib.request.Request(url, data=data, method=method, headers=headers)
        try:
            with urllib.request.urlopen(request, timeout=self.settings.timeout_seconds) as response:
                raw = response.read()
        except urllib.error.HTTPError as exc:
            raw = exc.read()
            try:
                answer = json.loads(raw)
            except ValueError:
                answer = None
            error = answer.get("error") if isinstance(answer, dict) else None
            log.warning("Przelewy24 %s %s answered %s: %s", method, path, exc.code, error or raw[:200])
            raise P24Error(exc.code, _text(error) or NO_REASON, answer) from None
        except (OSError, ValueError) as exc:  # unreachable, timeout, TLS, a bad URL
            log.warning("Przelewy24 %s %s failed: %s", method, path, exc)
            raise P24Error(0, UNREACHABLE) from None
        try:
            return json.loads(raw)
        except ValueError:
            raise P24Error(0, UNREADABLE) from None

    def register(self, fields: dict[str, Any]) -> str:
        """``POST /transaction/register`` with ``fields`` (signed here); return the token."""
        body = {"merchantId": self.settings.merchant_id, "posId": self.settings.pos_id, **fields}
        body["sign"] = signing.sign(signing.REGISTER_FIELDS, body, self.settings.crc)
        answer = self._call("POST", "/transaction/register", body)
        token = (answer.get("data") or {}).get("token") if isinstance(answer, dict) else None
        if not isinstance(token, str) or not token:
            raise P24Error(0, NO_TOKEN, answer)
        return token

    def verify(self, session_id: str, order_id: int, amount: int, currency: str) -> None:
        """``PUT /transaction/verify``: confirm a notified payment; raises P24Error unless P24 says success."""
        body: dict[str, Any] = {
            "merchantId": self.settings.merchant_id,
            "posId": self.settings.pos_id,
            "sessionId": session_id,
            "amount": amount,
            "currency": currency,
            "orderId": order_id,
        }
        body["sign"] = signing.sign(signing.VERIFY_FIELDS, body, self.settings.crc)
        answer = self._call("PUT", "/transaction/verify", body)
        status = (answer.get("data") or {}).get("status") if isinstance(answer, dict) else None
        if status != "success":
            log.warning("Przelewy24 verification of %s answered status %r", session_id, status)
            raise P24Error(0, NOT_CONFIRMED, answer)

    def refund(self, body: dict[str, Any]) -> list[dict[str, Any]]:
        """``POST /transaction/refund`` with ``body``; return the per-refund results of the answer."""
        answer = self._call("POST", "/transaction/refund", body)
        items = answer.get("data") if isinstance(answer, dict) else None
        return [item for item in items or [] if isinstance(item, dict)]

    def payment_methods(self, lang: str) -> list[dict[str, Any]]:
        """``GET /payment/methods/{lang}``: the methods of this account (banks, BLIK, cards...)."""
        answer = self._call("GET", f"/payment/methods/{lang}")
        items = answer.get("data") if isinstance(answer, dict) else None
        return [item for item in items or [] if isinstance(item, dict)]


def _text(value: Any) -> str:
    if isinstance(value, str):
        return value
    if isinstance(value, list):  # 409 on refunds: a list of per-refund errors
        return "; ".join(str(item.get("message", "")) for item in value if isinstance(item, dict))
    return ""
