"""The ``[przelewy24]`` configuration, read once per use into a frozen value.

Where the provider finds each key in the Przelewy24 panel (sandbox and
production have separate panels and separate keys):

* ``merchant_id``: the merchant (seller) id, "ID sprzedawcy", in the
  confirmation e-mail and at the top of the panel.
* ``pos_id``: the shop (POS) id; 0 means the same as ``merchant_id``, which is
  what P24 gives a merchant with one shop.
* ``crc``: "Klucz do CRC" under Moje dane -> Dane API i konfiguracja; it keys
  every ``sign``.
* ``api_key``: "Klucz do raportów" (the API key, P24's secretId) in the same
  place; with the POS id it is the HTTP basic-auth login of every API call.

``sandbox`` picks ``https://sandbox.przelewy24.pl`` (true) or
``https://secure.przelewy24.pl`` (false); ``base_url`` overrides both (the
tests' local P24). ``methods`` lists what the customer is offered: ``blik``,
``transfer`` (pay-by-link with the bank list) and ``card``; ``["blik"]`` is the
BLIK-only mode. ``show_banks`` shows P24's list of banks on our payment step
(cached ``methods_cache_minutes``), so the customer picks the bank before
leaving. ``allowed_ips`` (optional) limits where notifications may come from.
"""

from __future__ import annotations

import ipaddress
from dataclasses import dataclass

from core import runtime
from core.config import Config

SANDBOX_URL = "https://sandbox.przelewy24.pl"
PRODUCTION_URL = "https://secure.przelewy24.pl"
KINDS = ("blik", "transfer", "card")

DEFAULTS: dict[str, object] = {
    "merchant_id": 0,
    "pos_id": 0,
    "crc": "",
    "api_key": "",
    "sandbox": True,
    "base_url": "",
    "methods": list(KINDS),
    "show_banks": True,
    "time_limit_minutes": 30,
    "wait_for_result": True,
    "methods_cache_minutes": 60,
    "timeout_seconds": 20,
    "allowed_ips": [],
}


def add_defaults(config: Config) -> None:
    """Fill the ``[przelewy24]`` section's missing keys with :data:`DEFAULTS`."""
    section = config.setdefault("przelewy24", {})
    for key, value in DEFAULTS.items():
        section.setdefault(key, list(value) if isinstance(value, list) else value)


@dataclass(frozen=True)
class P24Settings:
    """The provider's Przelewy24 account and choices (see the module docstring)."""

    merchant_id: int
    pos_id: int
    crc: str
    api_key: str
    base_url: str
    kinds: tuple[str, ...]
    show_banks: bool
    time_limit_minutes: int
    wait_for_result: bool
    methods_cache_minutes: int
    timeout_seconds: float
    allowed_ips: tuple[str, ...]

    @property
    def configured(self) -> bool:
        """True when the merchant id, CRC and API key are all set."""
        return self.merchant_id > 0 and bool(self.crc) and bool(self.api_key)

    def offers(self, kind: str) -> bool:
        """True when the customer is offered ``kind`` (blik, transfer, card)."""
        return self.configured and kind in self.kinds

    def ip_allowed(self, address: str) -> bool:
        """True when ``allowed_ips`` is empty or ``address`` lies in one of its networks."""
        if not self.allowed_ips:
            return True
        try:
            ip = ipaddress.ip_address(address)
        except ValueError:
            return False
        return any(ip in ipaddress.ip_network(net, strict=False) for net in self.allowed_ips)


def current() -> P24Settings:
    """The settings of the running configuration."""
    section = runtime.config().get("przelewy24", {})
    merchant = int(section.get("merchant_id") or 0)
    base = str(section.get("base_url") or "").rstrip("/")
    if not base:
        base = SANDBOX_URL if section.get("sandbox", True) else PRODUCTION_URL
    return P24Settings(
        merchant_id=merchant,
        pos_id=int(section.get("pos_id") or 0) or merchant,
        crc=str(section.get("crc") or ""),
        api_key=str(section.get("api_key") or ""),
        base_url=base,
        kinds=tuple(k for k in section.get("methods") or () if k in KINDS),
        show_banks=bool(section.get("show_banks", True)),
        time_limit_minutes=max(0, min(99, int(section.get("time_limit_minutes") or 0))),
        wait_for_result=bool(section.get("wait_for_result", True)),
        methods_cache_minutes=int(section.get("methods_cache_minutes") or 60),
        timeout_seconds=float(section.get("timeout_seconds") or 20),
        allowed_ips=tuple(str(x) for x in section.get("allowed_ips") or ()),
    )
