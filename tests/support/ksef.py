"""A local KSeF 2.0 for the tests: a small real HTTP server on loopback.

It follows the Ministry of Finance's published API (``/v2``, the OpenAPI
description vendored in ``tests/data/ksef/open-api.json``), written here from
the documentation and independently of the plugin's code:

* ``GET /v2/security/public-key-certificates``: its own RSA-2048 key in a
  self-signed certificate "Ministerstwo Finansów (test)", published for both
  usages (token encryption, symmetric key encryption).
* Authentication with a KSeF token: ``POST /v2/auth/challenge``,
  ``POST /v2/auth/ksef-token`` (the token and the challenge's timestamp,
  RSA-OAEP/SHA-256 decrypted and checked), ``GET /v2/auth/{ref}`` (100, then
  200), ``POST /v2/auth/token/redeem`` (once only), ``POST /v2/auth/token/refresh``.
  Access tokens live :attr:`FakeKsef.access_ttl` seconds, so refreshing is exercised.
* An online session: ``POST /v2/sessions/online`` (the AES key decrypted),
  ``POST /v2/sessions/online/{ref}/invoices`` (sizes and SHA-256 hashes
  checked, the invoice decrypted, validated against the FA(3) schema, checked
  for the seller's NIP, the issue date and duplicates, and given a KSeF number
  ``NIP-YYYYMMDD-12 hex-CRC-8``), ``GET /v2/sessions/{ref}/invoices/{inv}``
  (150 for :attr:`FakeKsef.processing_polls` polls, then the final status with
  the official codes), the invoice's UPO, ``POST /v2/sessions/online/{ref}/close``,
  ``GET /v2/sessions/{ref}``.
* Technical correction (``hashOfCorrectedInvoice``): accepted only for a
  rejected offline invoice, once (21167 / 21166 otherwise).
* The "Latarnia" availability API under ``/latarnia`` (``/status``, ``/messages``).

It can be told to be unavailable (503 on every API call), slow
(:attr:`FakeKsef.delay`), to reject the next invoices with a status code, to
answer 429 with ``Retry-After``. :meth:`FakeKsef.issue_offline_certificate`
issues a KSeF certificate of the Offline type (the fake acts as the Ministry's
CA). Every request is checked against the OpenAPI description (openapi-core);
a violation is answered 400 and kept in :attr:`FakeKsef.violations`.
"""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
import json
import secrets
import threading
import time
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any

import xmlschema
from cryptography import x509
from cryptography.hazmat.primitives import hashes, padding, serialization
from cryptography.hazmat.primitives.asymmetric import padding as asym_padding
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes
from cryptography.x509.oid import NameOID
from werkzeug.serving import make_server
from werkzeug.wrappers import Request, Response

from core import clock
from tests.support.ports import free_port

DATA = Path(__file__).resolve().parents[1] / "data" / "ksef"
OPENAPI_FILE = DATA / "open-api.json"
XSD_DIR = Path(__file__).resolve().parents[2] / "core" / "documents" / "ksef_schema"
SPEC_HOST = "https://api-test.ksef.mf.gov.pl"
FA_NS = "{http://crd.gov.pl/wzor/2025/06/25/13775/}"

SELLER_NIP = "5213017228"  # the test seller's NIP (tests.billing_doc_helpers.setup_seller)
TOKEN = "20251201-EC-0123456789-ABCDEF0123-45|nip-5213017228|0123456789abcdef0123456789abcdef"

#: Invoice status codes and their official descriptions (open-api.json, SessionInvoiceStatusResponse).
DESCRIPTIONS = {
    100: "Faktura przyjęta do dalszego przetwarzania",
    150: "Trwa przetwarzanie",
    200: "Sukces",
    405: "Przetwarzanie anulowane z powodu błędu sesji",
    410: "Nieprawidłowy zakres uprawnień",
    415: "Brak możliwości wysyłania faktury z załącznikiem",
    430: "Błąd weryfikacji pliku faktury",
    435: "Błąd odszyfrowania pliku",
    440: "Duplikat faktury",
    450: "Błąd weryfikacji semantyki dokumentu faktury",
    500: "Nieznany błąd",
    550: "Operacja została anulowana przez system",
}


def crc8(data: bytes) -> int:
    """CRC-8, polynomial 0x07, initial value 0 (the KSeF number's check, faktury/numer-ksef.md)."""
    crc = 0
    for byte in data:
        crc ^= byte
        for _ in range(8):
            crc = ((crc << 1) ^ 0x07) & 0xFF if crc & 0x80 else (crc << 1) & 0xFF
    return crc


def ksef_number(nip: str, day: dt.date) -> str:
    """A new KSeF number: NIP, date, 12 upper-case hex, CRC-8 of the first 32 characters."""
    body = f"{nip}-{day:%Y%m%d}-{secrets.token_hex(6).upper()}"
    return f"{body}-{crc8(body.encode('ascii')):02X}"


def reference(kind: str) -> str:
    """A 36-character reference number like ``20250625-SO-2C3E6C8000-B675CF5D68-07``."""
    middle = f"{secrets.token_hex(5).upper()}-{secrets.token_hex(5).upper()}"
    return f"{dt.date.today():%Y%m%d}-{kind}-{middle}-{secrets.randbelow(256):02X}"


def b64(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii")


def sha256_b64(data: bytes) -> str:
    return b64(hashlib.sha256(data).digest())


def iso(moment: dt.datetime) -> str:
    return moment.astimezone(dt.UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


@lru_cache(maxsize=1)
def openapi() -> Any:
    """The Ministry's OpenAPI description, loaded once per process (about a second)."""
    from openapi_core import OpenAPI

    return OpenAPI.from_file_path(str(OPENAPI_FILE))


@lru_cache(maxsize=1)
def fa3() -> xmlschema.XMLSchema:
    """The FA(3) schema, from the files shipped with hookbill, loaded without network."""
    base_ns = "http://crd.gov.pl/xml/schematy/dziedzinowe/mf/2022/01/05/eD/DefinicjeTypy/"
    base = XSD_DIR / "bazowe" / "StrukturyDanych_v10-0E.xsd"
    return xmlschema.XMLSchema(
        str(XSD_DIR / "schemat_FA(3)_v1-0E.xsd"),
        locations={base_ns: str(base)},
        uri_mapper=lambda uri: base.as_uri() if uri.endswith("StrukturyDanych_v10-0E.xsd") else uri,
        allow="sandbox",
    )


class SpecRequest:
    """A request as openapi-core reads it, presented at the spec's own server address."""

    def __init__(self, request: Request, body: bytes) -> None:
        from openapi_core.datatypes import RequestParameters

        self.host_url = SPEC_HOST
        self.path = request.path
        self.method = request.method.lower()
        self.parameters = RequestParameters(query=request.args, header=request.headers, cookie=request.cookies)
        self.content_type = request.mimetype or "application/json"
        self.body = body or None

    @property
    def full_url_pattern(self) -> str:
        return self.host_url + self.path


def self_signed(key: rsa.RSAPrivateKey, common_name: str) -> x509.Certificate:
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, common_name)])
    now = dt.datetime.now(dt.UTC)
    return (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(days=1))
        .not_valid_after(now + dt.timedelta(days=365))
        .sign(key, hashes.SHA256())
    )


@lru_cache(maxsize=1)
def ministry_key() -> rsa.RSAPrivateKey:
    """The fake Ministry's RSA key (one per process: generating one takes a moment)."""
    return rsa.generate_private_key(public_exponent=65537, key_size=2048)


@dataclass
class OfflineCertificate:
    """A KSeF certificate of the Offline type: PEM certificate, PEM key, serial (16 upper-case hex)."""

    certificate_pem: str
    private_key_pem: str
    serial: str
    certificate: x509.Certificate


@dataclass
class Invoice:
    """One invoice received in a session, and what the fake decided about it."""

    session: str
    reference: str
    ordinal: int
    xml: bytes
    invoice_hash: str
    offline: bool
    corrected_hash: str | None
    received_at: dt.datetime
    code: int = 150
    details: list[str] = field(default_factory=list)
    extensions: dict[str, Any] | None = None
    ksef_number: str | None = None
    invoice_number: str | None = None
    polls: int = 0


@dataclass
class FakeKsef:
    """The server and its state; see the module docstring."""

    nip: str = SELLER_NIP
    token: str = TOKEN
    access_ttl: int = 900
    processing_polls: int = 1
    delay: float = 0.0
    unavailable: bool = False
    lighthouse_status: str = "AVAILABLE"
    lighthouse_messages: list[dict[str, Any]] = field(default_factory=list)
    reject_next: list[tuple[int, str]] = field(default_factory=list)
    rate_limited: int = 0
    violations: list[str] = field(default_factory=list)
    calls: list[tuple[str, str]] = field(default_factory=list)
    invoices: list[Invoice] = field(default_factory=list)
    sessions: dict[str, dict[str, Any]] = field(default_factory=dict)

    def __post_init__(self) -> None:
        self.lock = threading.Lock()
        self.key = ministry_key()
        self.certificate = self_signed(self.key, "Ministerstwo Finansów (test)")
        spki = self.key.public_key().public_bytes(
            serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo
        )
        self.public_key_id = sha256_b64(spki)
        self.challenges: dict[str, int] = {}
        self.auth_ops: dict[str, dict[str, Any]] = {}
        self.access_tokens: dict[str, float] = {}
        self.refresh_tokens: set[str] = set()
        self.accepted: dict[tuple[str, str, str], Invoice] = {}
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.lighthouse_url = f"{self.url}/latarnia"
        self._server = make_server("127.0.0.1", self.port, self._wsgi, threaded=True)
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    # -- control ---------------------------------------------------------------------------
    def start(self) -> FakeKsef:
        openapi()
        fa3()
        self._thread.start()
        return self

    def stop(self) -> None:
        self._server.shutdown()
        self._thread.join(timeout=5)

    def reject(self, code: int = 450, detail: str = "Data wystawienia faktury jest nieprawidłowa") -> None:
        """Reject the next invoice with ``code`` and ``detail`` (after it was received)."""
        self.reject_next.append((code, detail))

    def sent(self, nip: str | None = None) -> list[Invoice]:
        """Every invoice received (decrypted), oldest first."""
        return list(self.invoices)

    def numbers(self) -> list[str]:
        """The invoice numbers (P_2) of every invoice received, in order."""
        return [_p2(i.xml) for i in self.invoices]

    def issue_offline_certificate(self, nip: str | None = None) -> OfflineCertificate:
        """A KSeF certificate of the Offline type (keyUsage nonRepudiation) for ``nip``, signed by the fake."""
        key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
        serial = secrets.randbits(63) | (1 << 62)
        now = dt.datetime.now(dt.UTC)
        subject = x509.Name(
            [
                x509.NameAttribute(NameOID.COMMON_NAME, "hookbill offline"),
                x509.NameAttribute(NameOID.SERIAL_NUMBER, f"VATPL-{nip or self.nip}"),
                x509.NameAttribute(NameOID.COUNTRY_NAME, "PL"),
            ]
        )
        cert = (
            x509.CertificateBuilder()
            .subject_name(subject)
            .issuer_name(self.certificate.subject)
            .public_key(key.public_key())
            .serial_number(serial)
            .not_valid_before(now - dt.timedelta(days=1))
            .not_valid_after(now + dt.timedelta(days=365))
            .add_extension(
                x509.KeyUsage(
                    digital_signature=False,
                    content_commitment=True,
                    key_encipherment=False,
                    data_encipherment=False,
                    key_agreement=False,
                    key_cert_sign=False,
                    crl_sign=False,
                    encipher_only=False,
                    decipher_only=False,
                ),
                critical=True,
            )
            .sign(self.key, hashes.SHA256())
        )
        return OfflineCertificate(
            certificate_pem=cert.public_bytes(serialization.Encoding.PEM).decode("ascii"),
            private_key_pem=key.private_bytes(
                serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
            ).decode("ascii"),
            serial=f"{serial:016X}",
            certificate=cert,
        )

    def announce_failure(self, start: dt.datetime, end: dt.datetime | None) -> None:
        """Latarnia: a failure ("awaria") from ``start`` to ``end`` (None: still going on)."""
        self.lighthouse_status = "FAILURE" if end is None else "AVAILABLE"
        event = len(self.lighthouse_messages) + 1
        for kind, moment in (("FAILURE_START", start), ("FAILURE_END", end)):
            if moment is None:
                continue
            self.lighthouse_messages.append(
                {
                    "id": f"m-{event}-{kind}",
                    "eventId": event,
                    "category": "FAILURE",
                    "type": kind,
                    "title": "Awaria KSeF",
                    "text": "Awaria systemu KSeF",
                    "start": iso(start),
                    "end": iso(end) if end else None,
                    "version": 1,
                    "published": iso(moment),
                }
            )

    # -- HTTP ------------------------------------------------------------------------------
    def _wsgi(self, environ: dict[str, Any], start_response: Any) -> Any:
        request = Request(environ)
        response = self._handle(request)
        return response(environ, start_response)

    def _handle(self, request: Request) -> Response:
        body = request.get_data()
        with self.lock:
            self.calls.append((request.method, request.path))
        if request.path.startswith("/latarnia/"):
            return self._lighthouse(request.path.removeprefix("/latarnia"))
        if self.delay:
            time.sleep(self.delay)
        if self.unavailable:
            return Response("Service Unavailable", status=503)
        if not request.path.startswith("/v2/"):
            return _error(404, 21405, "Not found")
        try:
            openapi().validate_request(SpecRequest(request, body))
        except Exception as exc:
            cause = exc.__cause__
            detail = "; ".join(str(e.message) for e in getattr(cause, "schema_errors", ())) or str(exc)
            with self.lock:
                self.violations.append(f"{request.method} {request.path}: {detail}")
            return _error(400, 21405, f"Błąd walidacji danych wejściowych: {detail}")
        if self.rate_limited > 0 and "/invoices" in request.path and request.method == "POST":
            self.rate_limited -= 1
            resp = _json({"status": {"code": 429, "description": "Too Many Requests", "details": ["Limit"]}}, 429)
            resp.headers["Retry-After"] = "7"
            return resp
        data = json.loads(body) if body and request.mimetype == "application/json" else {}
        parts = request.path.removeprefix("/v2/").split("/")
        with self.lock:
            return self._route(request, parts, data)

    def _route(self, request: Request, parts: list[str], data: dict[str, Any]) -> Response:
        method = request.method
        if parts == ["security", "public-key-certificates"]:
            return self._public_keys()
        if parts == ["auth", "challenge"] and method == "POST":
            return self._challenge(request)
        if parts == ["auth", "ksef-token"] and method == "POST":
            return self._ksef_token(data)
        if parts == ["auth", "token", "redeem"]:
            return self._redeem(request)
        if parts == ["auth", "token", "refresh"]:
            return self._refresh(request)
        if len(parts) == 2 and parts[0] == "auth" and method == "GET":
            return self._auth_status(request, parts[1])
        if not self._authorised(request):
            return _json({"title": "Unauthorized", "status": 401, "detail": "Brak lub nieważny token dostępu"}, 401)
        if parts == ["sessions", "online"] and method == "POST":
            return self._open_session(data)
        if len(parts) == 4 and parts[:2] == ["sessions", "online"] and parts[3] == "invoices":
            return self._send(parts[2], data)
        if len(parts) == 4 and parts[:2] == ["sessions", "online"] and parts[3] == "close":
            return self._close(parts[2])
        if len(parts) == 2 and parts[0] == "sessions":
            return self._session_status(parts[1])
        if len(parts) == 4 and parts[0] == "sessions" and parts[2] == "invoices":
            return self._invoice_status(parts[1], parts[3])
        if len(parts) == 5 and parts[0] == "sessions" and parts[2] == "invoices" and parts[4] == "upo":
            return self._upo(parts[1], parts[3])
        return _error(404, 21405, "Nie znaleziono zasobu")

    # -- security and authentication -------------------------------------------------------
    def _public_keys(self) -> Response:
        der = self.certificate.public_bytes(serialization.Encoding.DER)
        entry = {
            "certificate": b64(der),
            "certificateId": sha256_b64(der),
            "publicKeyId": self.public_key_id,
            "validFrom": iso(self.certificate.not_valid_before_utc),
            "validTo": iso(self.certificate.not_valid_after_utc),
        }
        return _json([{**entry, "usage": ["KsefTokenEncryption"]}, {**entry, "usage": ["SymmetricKeyEncryption"]}])

    def _challenge(self, request: Request) -> Response:
        now = dt.datetime.now(dt.UTC)
        challenge = reference("CR")
        stamp = int(now.timestamp() * 1000)
        self.challenges[challenge] = stamp
        return _json({"challenge": challenge, "timestamp": iso(now), "timestampMs": stamp, "clientIp": "127.0.0.1"})

    def _decrypt_rsa(self, value: str) -> bytes:
        oaep = asym_padding.OAEP(
            mgf=asym_padding.MGF1(algorithm=hashes.SHA256()), algorithm=hashes.SHA256(), label=None
        )
        return self.key.decrypt(base64.b64decode(value), oaep)

    def _ksef_token(self, data: dict[str, Any]) -> Response:
        stamp = self.challenges.pop(data["challenge"], None)
        if stamp is None:
            return _error(400, 21111, "Nieprawidłowe wyzwanie autoryzacyjne")
        if data.get("publicKeyId") not in (None, self.public_key_id):
            return _error(400, 21470, "Nieznany identyfikator klucza publicznego")
        try:
            plain = self._decrypt_rsa(data["encryptedToken"]).decode("utf-8")
        except ValueError:
            plain = ""
        context = data["contextIdentifier"]
        good = plain == f"{self.token}|{stamp}" and context == {"type": "Nip", "value": self.nip}
        ref = reference("AU")
        auth_token = "auth." + secrets.token_urlsafe(24)
        self.auth_ops[ref] = {"token": auth_token, "code": 200 if good else 450, "polls": 0, "redeemed": False}
        valid = iso(dt.datetime.now(dt.UTC) + dt.timedelta(minutes=10))
        return _json({"referenceNumber": ref, "authenticationToken": {"token": auth_token, "validUntil": valid}}, 202)

    def _bearer(self, request: Request) -> str:
        return request.headers.get("Authorization", "").removeprefix("Bearer ").strip()

    def _auth_status(self, request: Request, ref: str) -> Response:
        op = self.auth_ops.get(ref)
        if op is None or op["token"] != self._bearer(request):
            return _json({"title": "Unauthorized", "status": 401, "detail": "Nieprawidłowy token"}, 401)
        op["polls"] += 1
        code = 100 if op["polls"] == 1 else op["code"]
        description = {100: "Uwierzytelnianie w toku", 200: "Uwierzytelnianie zakończone sukcesem"}.get(
            code, "Nieważny token"
        )
        return _json(
            {
                "startDate": iso(dt.datetime.now(dt.UTC)),
                "authenticationMethod": "Token",
                "authenticationMethodInfo": {"category": "Token", "code": "token.ksef", "displayName": "Token KSeF"},
                "status": {"code": code, "description": description},
            }
        )

    def _new_access(self) -> dict[str, str]:
        token = "access." + secrets.token_urlsafe(24)
        until = time.time() + self.access_ttl
        self.access_tokens[token] = until
        return {"token": token, "validUntil": iso(dt.datetime.fromtimestamp(until, dt.UTC))}

    def _redeem(self, request: Request) -> Response:
        op = next((o for o in self.auth_ops.values() if o["token"] == self._bearer(request)), None)
        if op is None or op["code"] != 200:
            return _json({"title": "Unauthorized", "status": 401, "detail": "Nieprawidłowy token"}, 401)
        if op["redeemed"]:
            return _error(400, 21301, "Tokeny dla tej operacji uwierzytelnienia zostały już pobrane")
        op["redeemed"] = True
        refresh = "refresh." + secrets.token_urlsafe(24)
        self.refresh_tokens.add(refresh)
        until = iso(dt.datetime.now(dt.UTC) + dt.timedelta(days=7))
        return _json({"accessToken": self._new_access(), "refreshToken": {"token": refresh, "validUntil": until}})

    def _refresh(self, request: Request) -> Response:
        if self._bearer(request) not in self.refresh_tokens:
            return _json({"title": "Unauthorized", "status": 401, "detail": "Nieprawidłowy token"}, 401)
        return _json({"accessToken": self._new_access()})

    def _authorised(self, request: Request) -> bool:
        until = self.access_tokens.get(self._bearer(request))
        return until is not None and until > time.time()

    def expire_access_tokens(self) -> None:
        """Every access token handed out expires now (the client must refresh)."""
        with self.lock:
            self.access_tokens.clear()

    # -- sessions and invoices -------------------------------------------------------------
    def _open_session(self, data: dict[str, Any]) -> Response:
        form = data["formCode"]
        if form != {"systemCode": "FA (3)", "schemaVersion": "1-0E", "value": "FA"}:
            return _error(400, 21405, "Nieobsługiwany kod formularza")
        encryption = data["encryption"]
        try:
            key = self._decrypt_rsa(encryption["encryptedSymmetricKey"])
        except ValueError:
            return _error(400, 21405, "Nie można odszyfrować klucza symetrycznego")
        ref = reference("SO")
        until = dt.datetime.now(dt.UTC) + dt.timedelta(hours=12)
        self.sessions[ref] = {
            "key": key,
            "iv": base64.b64decode(encryption["initializationVector"]),
            "open": True,
            "created": dt.datetime.now(dt.UTC),
            "until": until,
        }
        return _json({"referenceNumber": ref, "validUntil": iso(until)}, 201)

    def _send(self, session_ref: str, data: dict[str, Any]) -> Response:
        session = self.sessions.get(session_ref)
        if session is None:
            return _error(400, 21173, "Brak sesji o wskazanym numerze referencyjnym")
        if not session["open"]:
            return _error(400, 21180, "Status sesji nie pozwala na wykonanie operacji")
        encrypted = base64.b64decode(data["encryptedInvoiceContent"])
        if len(encrypted) != data["encryptedInvoiceSize"]:
            return _error(400, 21402, "Nieprawidłowy rozmiar pliku")
        if sha256_b64(encrypted) != data["encryptedInvoiceHash"]:
            return _error(400, 21403, "Nieprawidłowy skrót pliku")
        decryptor = Cipher(algorithms.AES(session["key"]), modes.CBC(session["iv"])).decryptor()
        try:
            padded = decryptor.update(encrypted) + decryptor.finalize()
            unpadder = padding.PKCS7(128).unpadder()
            xml = unpadder.update(padded) + unpadder.finalize()
        except ValueError:
            xml = b""
        corrected = data.get("hashOfCorrectedInvoice")
        if corrected:
            original = next((i for i in self.invoices if i.invoice_hash == corrected), None)
            if original is None or not original.offline or original.code in (100, 150, 200):
                return _error(400, 21167, "Status faktury nie pozwala na korektę techniczną")
            if any(i.corrected_hash == corrected and i.code == 200 for i in self.invoices):
                return _error(400, 21166, "Korekta techniczna już przyjęta")
        invoice = Invoice(
            session=session_ref,
            reference=reference("EE"),
            ordinal=sum(1 for i in self.invoices if i.session == session_ref) + 1,
            xml=xml,
            invoice_hash=data["invoiceHash"],
            offline=bool(data.get("offlineMode")),
            corrected_hash=corrected,
            received_at=dt.datetime.now(dt.UTC),
        )
        self.invoices.append(invoice)
        self._process(invoice, data)
        return _json({"referenceNumber": invoice.reference}, 202)

    def _process(self, invoice: Invoice, data: dict[str, Any]) -> None:
        """Decide the invoice's final status now (revealed after ``processing_polls`` polls)."""
        if not invoice.xml:
            invoice.code = 435
            return
        if len(invoice.xml) != data["invoiceSize"] or sha256_b64(invoice.xml) != invoice.invoice_hash:
            invoice.code, invoice.details = 430, ["Skrót lub rozmiar faktury nie zgadza się z treścią"]
            return
        try:
            resource = xmlschema.XMLResource(invoice.xml, allow="none", defuse="always")
            errors = list(fa3().iter_errors(resource, use_location_hints=False))
        except (xmlschema.XMLSchemaException, SyntaxError, UnicodeDecodeError) as exc:
            invoice.code, invoice.details = 430, [f"Nieprawidłowy XML: {exc}"]
            return
        if errors:
            invoice.code = 430
            invoice.details = [f"{getattr(e, 'path', '')}: {getattr(e, 'reason', e)}" for e in errors[:3]]
            return
        if self.reject_next:
            invoice.code, detail = self.reject_next.pop(0)
            invoice.details = [detail]
            return
        root = _root(invoice.xml)
        seller = root.findtext(f"{FA_NS}Podmiot1/{FA_NS}DaneIdentyfikacyjne/{FA_NS}NIP")
        issued = dt.date.fromisoformat(root.findtext(f"{FA_NS}Fa/{FA_NS}P_1") or "")
        kind = root.findtext(f"{FA_NS}Fa/{FA_NS}RodzajFaktury") or ""
        number = root.findtext(f"{FA_NS}Fa/{FA_NS}P_2") or ""
        invoice.invoice_number = number
        if seller != self.nip:
            invoice.code, invoice.details = 450, ["Brak uprawnień do wystawienia faktury w imieniu sprzedawcy"]
            return
        if issued > clock.today():
            invoice.code, invoice.details = 450, ["Data wystawienia faktury jest późniejsza niż data przyjęcia"]
            return
        if issued < clock.today():
            invoice.offline = True  # sent after the day of issue: KSeF classifies it as offline
        duplicate = self.accepted.get((self.nip, kind, number))
        if duplicate is not None:
            invoice.code = 440
            invoice.details = ["Faktura o tym numerze została już przyjęta"]
            invoice.extensions = {
                "originalSessionReferenceNumber": duplicate.session,
                "originalKsefNumber": duplicate.ksef_number,
            }
            return
        invoice.code = 200
        invoice.ksef_number = ksef_number(self.nip, clock.today())
        self.accepted[(self.nip, kind, number)] = invoice

    def _find(self, session_ref: str, invoice_ref: str) -> Invoice | None:
        return next((i for i in self.invoices if i.session == session_ref and i.reference == invoice_ref), None)

    def _invoice_status(self, session_ref: str, invoice_ref: str) -> Response:
        invoice = self._find(session_ref, invoice_ref)
        if invoice is None:
            return _error(400, 21405, "Nie znaleziono faktury")
        invoice.polls += 1
        code = 150 if invoice.polls <= self.processing_polls else invoice.code
        status: dict[str, Any] = {"code": code, "description": DESCRIPTIONS[code]}
        if code != 150 and invoice.details:
            status["details"] = invoice.details
        if code != 150 and invoice.extensions:
            status["extensions"] = invoice.extensions
        answer: dict[str, Any] = {
            "ordinalNumber": invoice.ordinal,
            "referenceNumber": invoice.reference,
            "invoicingDate": iso(invoice.received_at),
            "invoiceHash": invoice.invoice_hash,
            "status": status,
        }
        if invoice.invoice_number:
            answer["invoiceNumber"] = invoice.invoice_number
        if code == 200:
            answer["ksefNumber"] = invoice.ksef_number
            answer["acquisitionDate"] = iso(invoice.received_at)
            answer["invoicingMode"] = "Offline" if invoice.offline else "Online"
        return _json(answer)

    def _upo(self, session_ref: str, invoice_ref: str) -> Response:
        invoice = self._find(session_ref, invoice_ref)
        if invoice is None or invoice.code != 200:
            return _error(400, 21178, "Nie znaleziono UPO")
        mode = "Offline" if invoice.offline else "Online"
        xml = (
            '<?xml version="1.0" encoding="UTF-8"?>\n'
            '<Potwierdzenie xmlns="http://upo.schematy.mf.gov.pl/KSeF/v4-3">'
            "<NazwaPodmiotuPrzyjmujacego>Ministerstwo Finansów</NazwaPodmiotuPrzyjmujacego>"
            f"<NumerReferencyjnySesji>{session_ref}</NumerReferencyjnySesji>"
            f"<Dokument><NipSprzedawcy>{self.nip}</NipSprzedawcy>"
            f"<NumerKSeFDokumentu>{invoice.ksef_number}</NumerKSeFDokumentu>"
            f"<NumerFaktury>{invoice.invoice_number}</NumerFaktury>"
            f"<SkrotDokumentu>{invoice.invoice_hash}</SkrotDokumentu>"
            f"<TrybWysylki>{mode}</TrybWysylki></Dokument></Potwierdzenie>"
        )
        return Response(xml, status=200, content_type="application/xml")

    def _close(self, session_ref: str) -> Response:
        session = self.sessions.get(session_ref)
        if session is None:
            return _error(400, 21173, "Brak sesji o wskazanym numerze referencyjnym")
        session["open"] = False
        return Response(status=204)

    def _session_status(self, session_ref: str) -> Response:
        session = self.sessions.get(session_ref)
        if session is None:
            return _error(400, 21173, "Brak sesji o wskazanym numerze referencyjnym")
        mine = [i for i in self.invoices if i.session == session_ref]
        code, description = (100, "Sesja interaktywna otwarta") if session["open"] else (170, "Sesja zamknięta")
        return _json(
            {
                "status": {"code": code, "description": description},
                "dateCreated": iso(session["created"]),
                "dateUpdated": iso(dt.datetime.now(dt.UTC)),
                "validUntil": iso(session["until"]),
                "invoiceCount": len(mine),
                "successfulInvoiceCount": sum(1 for i in mine if i.code == 200),
                "failedInvoiceCount": sum(1 for i in mine if i.code >= 400),
            }
        )

    def _lighthouse(self, path: str) -> Response:
        if path == "/status":
            return _json({"status": self.lighthouse_status, "messages": self.lighthouse_messages})
        if path == "/messages":
            return _json(self.lighthouse_messages)
        return Response(status=404)


def _root(xml: bytes) -> Any:
    from defusedxml import ElementTree

    return ElementTree.fromstring(xml)


def _p2(xml: bytes) -> str:
    return _root(xml).findtext(f"{FA_NS}Fa/{FA_NS}P_2") or ""


def _json(data: Any, status: int = 200) -> Response:
    return Response(json.dumps(data), status=status, content_type="application/json")


def _error(status: int, code: int, description: str) -> Response:
    """An ExceptionResponse as KSeF answers a 4xx."""
    body = {
        "exception": {
            "exceptionDetailList": [{"exceptionCode": code, "exceptionDescription": description, "details": []}],
            "referenceNumber": reference("EX"),
            "serviceCode": "00-" + secrets.token_hex(8),
            "serviceCtx": "srvTEMFA",
            "serviceName": "fake-ksef",
            "timestamp": iso(dt.datetime.now(dt.UTC)),
        }
    }
    return _json(body, status)
