"""A local Przelewy24 for the tests: a small real HTTP server on loopback.

It follows P24's documented REST API (``/api/v1``) and signature rules, written
here from the documentation and independently of the plugin's code:

* ``POST /api/v1/transaction/register``: basic auth (POS id, API key), the
  documented required fields, ``sign`` = SHA-384 of
  ``{"sessionId","merchantId","amount","currency","crc"}``; answers a token.
* ``GET /trnRequest/{token}``: a payment page; its button "pays" (P24 gives an
  ``orderId`` above 2**31 and a ``methodId``), POSTs the signed notification
  to ``urlStatus`` (as often as ``repeat_notifications`` says, after
  ``notify_delay`` seconds when set) and sends the browser to ``urlReturn``.
* ``PUT /api/v1/transaction/verify``: checks the sign and that the transaction
  was paid with that order id, amount and currency.
* ``POST /api/v1/transaction/refund``: refuses a ``requestId`` it has seen
  ("Request already exists") and a refund above what is left (409); the refund
  notification is sent when the test says so (:meth:`FakeP24.deliver_refund_notifications`).
* ``GET /api/v1/payment/methods/{lang}``: a fixed list of methods.

Any call can be made to fail (:meth:`FakeP24.fail`) or to wait (:attr:`FakeP24.delays`).
Every request is recorded in :attr:`FakeP24.calls`.
"""

from __future__ import annotations

import base64
import hashlib
import html
import json
import threading
import time
import urllib.error
import urllib.request
import uuid
from dataclasses import dataclass, field
from typing import Any

from werkzeug.serving import make_server
from werkzeug.wrappers import Request, Response

from tests.support.ports import free_port

MERCHANT_ID = 246810
CRC = "c0ffee-crc-key-0123456789"
API_KEY = "a1b2c3d4e5f60718293a4b5c6d7e8f90"

#: P24-style list of methods (ids and groups as P24 names them).
METHODS: list[dict[str, Any]] = [
    {"id": 25, "name": "mTransfer", "group": "FastTransfers", "status": True},
    {"id": 31, "name": "Płacę z iPKO", "group": "FastTransfers", "status": True},
    {"id": 112, "name": "Pekao24Przelew", "group": "FastTransfers", "status": False},
    {"id": 135, "name": "Bank Spółdzielczy", "group": "eTransfer", "status": True},
    {"id": 154, "name": "BLIK", "group": "Blik", "status": True},
    {"id": 218, "name": "Karta płatnicza", "group": "Credit Card", "status": True},
    {"id": 266, "name": "Google Pay", "group": "Wallet", "status": True},
    {"id": 178, "name": "Przelew tradycyjny", "group": "TraditionalTransfer", "status": True},
]
DEFAULT_METHOD_FOR_CHANNEL = {8192: 154, 1: 218, 4096: 218}


def p24_sign(order: tuple[str, ...], values: dict[str, Any], crc: str = CRC) -> str:
    """SHA-384 over the JSON of ``order``'s fields then ``crc``, as PHP's json_encode with
    JSON_UNESCAPED_UNICODE | JSON_UNESCAPED_SLASHES writes it."""
    text = json.dumps({**{k: values[k] for k in order}, "crc": crc}, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha384(text.encode("utf-8")).hexdigest()


REGISTER = ("sessionId", "merchantId", "amount", "currency")
VERIFY = ("sessionId", "orderId", "amount", "currency")
NOTIFY = ("merchantId", "posId", "sessionId", "amount", "originAmount", "currency", "orderId", "methodId", "statement")
REFUND_NOTIFY = ("orderId", "sessionId", "refundsUuid", "merchantId", "amount", "currency", "status")
REQUIRED = ("merchantId", "posId", "sessionId", "amount", "currency", "description", "email", "country")
REQUIRED += ("language", "urlReturn", "sign")


@dataclass
class Txn:
    """A registered transaction."""

    token: str
    body: dict[str, Any]
    status: str = "registered"  # registered | paid | verified
    order_id: int | None = None
    method_id: int | None = None
    refunded: int = 0

    @property
    def session_id(self) -> str:
        return str(self.body["sessionId"])


@dataclass
class Delivery:
    """A notification the fake sent: where, what, and what came back."""

    url: str
    body: dict[str, Any]
    status: int = 0
    answer: str = ""


@dataclass
class FakeP24:
    """The server and its state; see the module docstring."""

    merchant_id: int = MERCHANT_ID
    pos_id: int = MERCHANT_ID
    crc: str = CRC
    api_key: str = API_KEY
    notify_delay: float = 0.0
    repeat_notifications: int = 1
    delays: dict[str, float] = field(default_factory=dict)
    calls: list[tuple[str, str]] = field(default_factory=list)
    txns: dict[str, Txn] = field(default_factory=dict)
    refunds: list[dict[str, Any]] = field(default_factory=list)
    deliveries: list[Delivery] = field(default_factory=list)
    failures: dict[str, list[tuple[int, Any]]] = field(default_factory=dict)
    request_ids: set[str] = field(default_factory=set)
    next_order_id: int = 4_294_967_296 + 17  # above 2**32: our column must hold it

    def __post_init__(self) -> None:
        self.lock = threading.Lock()
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self._server = make_server("127.0.0.1", self.port, self._wsgi, threaded=True)
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)
        self._threads: list[threading.Thread] = []

    # -- control ------------------------------------------------------------------------
    def start(self) -> FakeP24:
        self._thread.start()
        return self

    def stop(self) -> None:
        for thread in self._threads:
            thread.join(timeout=10)
        self._server.shutdown()
        self._thread.join(timeout=5)

    def fail(self, call: str, status: int, body: Any = None, times: int = 1) -> None:
        """Answer the next ``times`` calls of ``call`` (register, verify, refund, methods) with ``status``."""
        self.failures.setdefault(call, []).extend([(status, body)] * times)

    def wait_for_notifications(self) -> None:
        """Wait until delayed notifications were delivered (a join, not a timed assertion)."""
        for thread in list(self._threads):
            thread.join(timeout=30)

    def txn_for_session(self, session_id: str) -> Txn:
        return next(t for t in self.txns.values() if t.session_id == session_id)

    def notification(self, txn: Txn, **changes: Any) -> dict[str, Any]:
        """The notification P24 sends for a paid ``txn``, signed (after ``changes``, unless ``sign`` is given)."""
        body = {
            "merchantId": self.merchant_id,
            "posId": self.pos_id,
            "sessionId": txn.session_id,
            "amount": txn.body["amount"],
            "originAmount": txn.body["amount"],
            "currency": txn.body["currency"],
            "orderId": txn.order_id,
            "methodId": txn.method_id,
            "statement": f"p24-{txn.order_id}",
        }
        body.update({k: v for k, v in changes.items() if k != "sign"})
        body["sign"] = changes.get("sign") or p24_sign(NOTIFY, body, self.crc)
        return body

    def pay(self, token: str, method_id: int | None = None) -> dict[str, Any]:
        """The customer pays ``token`` (as on the payment page); return the notification, not sent."""
        with self.lock:
            txn = self.txns[token]
            if txn.order_id is None:
                txn.order_id = self.next_order_id
                self.next_order_id += 1
            chosen = txn.body.get("method") or DEFAULT_METHOD_FOR_CHANNEL.get(txn.body.get("channel") or 0, 25)
            txn.method_id = method_id or chosen
            txn.status = "paid" if txn.status == "registered" else txn.status
        return self.notification(txn)

    def deliver(self, url: str, body: dict[str, Any]) -> Delivery:
        """POST ``body`` as JSON to ``url`` (what P24's server does) and record the answer."""
        request = urllib.request.Request(
            url, data=json.dumps(body).encode(), method="POST", headers={"Content-Type": "application/json"}
        )
        delivery = Delivery(url, body)
        try:
            with urllib.request.urlopen(request, timeout=30) as response:
                delivery.status, delivery.answer = response.status, response.read().decode()
        except urllib.error.HTTPError as exc:
            delivery.status, delivery.answer = exc.code, exc.read().decode()
        self.deliveries.append(delivery)
        return delivery

    def refund_notifications(self, status: int = 0) -> list[tuple[str, dict[str, Any]]]:
        """(urlStatus, signed body) of every refund P24 accepted, with ``status`` (0 done, 1 refused)."""
        found = []
        for item in self.refunds:
            body = {
                "orderId": item["orderId"],
                "sessionId": item["sessionId"],
                "merchantId": self.merchant_id,
                "requestId": item["requestId"],
                "refundsUuid": item["refundsUuid"],
                "amount": item["amount"],
                "currency": "PLN",
                "timestamp": int(time.time()),
                "status": status,
            }
            body["sign"] = p24_sign(REFUND_NOTIFY, body, self.crc)
            found.append((item["urlStatus"], body))
        return found

    def deliver_refund_notifications(self, status: int = 0) -> list[Delivery]:
        """Send every refund notification to its ``urlStatus``."""
        return [self.deliver(url, body) for url, body in self.refund_notifications(status)]

    # -- HTTP ---------------------------------------------------------------------------
    def _wsgi(self, environ: dict[str, Any], start_response: Any) -> Any:
        request = Request(environ)
        self.calls.append((request.method, request.path))
        response = self._route(request)
        return response(environ, start_response)

    def _json(self, data: Any, status: int = 200) -> Response:
        return Response(json.dumps(data), status=status, mimetype="application/json")

    def _authorised(self, request: Request) -> bool:
        expected = base64.b64encode(f"{self.pos_id}:{self.api_key}".encode()).decode()
        return request.headers.get("Authorization", "") == f"Basic {expected}"

    def _route(self, request: Request) -> Response:
        path, method = request.path, request.method
        if path.startswith("/trnRequest/"):
            return self._payment_page(request)
        call = {
            ("POST", "/api/v1/transaction/register"): "register",
            ("PUT", "/api/v1/transaction/verify"): "verify",
            ("POST", "/api/v1/transaction/refund"): "refund",
        }.get((method, path))
        if call is None and method == "GET" and path.startswith("/api/v1/payment/methods/"):
            call = "methods"
        if call is None:
            return self._json({"error": "Not found", "code": 404}, 404)
        if self.delays.get(call):
            time.sleep(self.delays[call])
        if not self._authorised(request):
            return self._json({"error": "Incorrect authentication", "code": 401}, 401)
        queued = self.failures.get(call)
        if queued:
            status, body = queued.pop(0)
            return self._json(body if body is not None else {"error": "Internal error", "code": status}, status)
        if call == "methods":
            return self._json({"data": METHODS, "agreements": [], "responseCode": 0})
        try:
            data = json.loads(request.get_data())
        except ValueError:
            return self._json({"error": "Invalid input data", "code": 400}, 400)
        return {"register": self._register, "verify": self._verify, "refund": self._refund}[call](data)

    def _register(self, data: dict[str, Any]) -> Response:
        if any(name not in data for name in REQUIRED):
            return self._json({"error": "Invalid input data", "code": 400}, 400)
        if data["merchantId"] != self.merchant_id or data["posId"] != self.pos_id:
            return self._json({"error": "Invalid input data", "code": 400}, 400)
        if data["sign"] != p24_sign(REGISTER, data, self.crc):
            return self._json({"error": "Incorrect CRC value", "code": 400}, 400)
        with self.lock:
            if any(t.session_id == data["sessionId"] for t in self.txns.values()):
                return self._json({"error": "sessionId already used", "code": 400}, 400)
            token = uuid.uuid4().hex[:35].upper()
            self.txns[token] = Txn(token, data)
        return self._json({"data": {"token": token}, "responseCode": 0})

    def _verify(self, data: dict[str, Any]) -> Response:
        txn = next((t for t in self.txns.values() if t.session_id == data.get("sessionId")), None)
        ok = (
            txn is not None
            and data.get("merchantId") == self.merchant_id
            and data.get("posId") == self.pos_id
            and data.get("sign") == p24_sign(VERIFY, data, self.crc)
            and data["orderId"] == txn.order_id
            and data["amount"] == txn.body["amount"]
            and data["currency"] == txn.body["currency"]
            and txn.status in ("paid", "verified")
        )
        if not ok or txn is None:
            return self._json({"error": "Invalid input data", "code": 400}, 400)
        txn.status = "verified"
        return self._json({"data": {"status": "success"}, "responseCode": 0})

    def _refund(self, data: dict[str, Any]) -> Response:
        if not {"requestId", "refunds", "refundsUuid"} <= set(data):
            return self._json({"error": "Invalid input parameters", "code": 400}, 400)
        with self.lock:
            if data["requestId"] in self.request_ids:
                return self._json({"error": "Request already exists", "code": 400}, 400)
            results, errors = [], []
            for item in data["refunds"]:
                txn = next((t for t in self.txns.values() if t.order_id == item.get("orderId")), None)
                row = {**item, "status": True, "message": "success"}
                if txn is None or txn.session_id != item.get("sessionId") or txn.status != "verified":
                    errors.append({**row, "status": False, "message": "Transaction not found"})
                elif txn.refunded + item["amount"] > txn.body["amount"]:
                    errors.append(
                        {
                            **row,
                            "status": False,
                            "message": "The amount of refund exceeds available amount for the transaction",
                        }
                    )
                else:
                    results.append(row)
            if errors:
                return self._json({"error": errors, "code": 409}, 409)
            self.request_ids.add(data["requestId"])
            for item in data["refunds"]:
                txn = next(t for t in self.txns.values() if t.order_id == item["orderId"])
                txn.refunded += item["amount"]
                self.refunds.append(
                    {
                        **item,
                        "requestId": data["requestId"],
                        "refundsUuid": data["refundsUuid"],
                        "urlStatus": data.get("urlStatus", ""),
                    }
                )
        return self._json({"data": results, "responseCode": 0}, 201)

    def _payment_page(self, request: Request) -> Response:
        parts = request.path.strip("/").split("/")
        txn = self.txns.get(parts[1]) if len(parts) > 1 else None
        if txn is None:
            return Response("unknown token", status=404)
        if request.method == "POST" and len(parts) == 3 and parts[2] == "pay":
            raw = request.form.get("method", "")
            body = self.pay(txn.token, int(raw) if raw.isdigit() else None)
            url = str(txn.body.get("urlStatus", ""))
            if url:
                self._notify(url, body)
            return Response(status=303, headers={"Location": str(txn.body["urlReturn"])})
        amount = f"{txn.body['amount'] // 100},{txn.body['amount'] % 100:02d} {txn.body['currency']}"
        page = (
            "<!doctype html><html lang='pl'><head><meta charset='utf-8'><title>Przelewy24 (test)</title></head>"
            f"<body><h1>Przelewy24 (test)</h1><p data-testid='p24-amount'>{html.escape(amount)}</p>"
            f"<p>{html.escape(str(txn.body.get('description', '')))}</p>"
            f"<form method='post' action='/trnRequest/{txn.token}/pay'>"
            "<button type='submit' data-testid='p24-pay'>Zapłać</button></form></body></html>"
        )
        return Response(page, mimetype="text/html")

    def _notify(self, url: str, body: dict[str, Any]) -> None:
        def send() -> None:
            if self.notify_delay:
                time.sleep(self.notify_delay)
            for _ in range(self.repeat_notifications):
                self.deliver(url, body)

        if self.notify_delay:
            thread = threading.Thread(target=send, daemon=True)
            self._threads.append(thread)
            thread.start()
        else:
            send()


def p24_config(fake: FakeP24, **extra: Any) -> dict[str, Any]:
    """The ``[przelewy24]`` section that points the app at ``fake``."""
    return {
        "merchant_id": fake.merchant_id,
        "crc": fake.crc,
        "api_key": fake.api_key,
        "base_url": fake.url,
        **extra,
    }
