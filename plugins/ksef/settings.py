"""The ``[ksef]`` configuration, read once per use into a frozen value.

``environment`` picks the Ministry's hosts: ``test`` (the integrators'
environment, fictitious data, start here), ``demo`` (pre-production, real
permissions) or ``prod``. ``api_url`` / ``lighthouse_url`` override the API and
the "Latarnia" availability service (the tests' local KSeF); the verification
links of the QR codes always carry the environment's own QR host.

``token`` is the KSeF token made in the Ministry's application (keep it in
``HOOKBILL_KSEF_TOKEN``); ``nip`` is the context (the seller's NIP; empty: the
seller's tax id from the settings). ``offline_certificate`` /
``offline_private_key`` (+ ``offline_private_key_password``) are the files of
the KSeF certificate of the Offline type that signs KOD II.

``b2c`` sends invoices to consumers too (on by default: one channel for every
invoice); ``offline`` allows issuing in offline mode while KSeF is unavailable;
``mail_wait_minutes`` is how long the customer's mail waits for the KSeF number
(0: it never waits).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from core import runtime
from core.config import Config

ENVIRONMENTS = {
    "test": (
        "https://api-test.ksef.mf.gov.pl",
        "https://qr-test.ksef.mf.gov.pl",
        "https://api-latarnia-test.ksef.mf.gov.pl",
    ),
    "demo": (
        "https://api-demo.ksef.mf.gov.pl",
        "https://qr-demo.ksef.mf.gov.pl",
        "https://api-latarnia-test.ksef.mf.gov.pl",
    ),
    "prod": ("https://api.ksef.mf.gov.pl", "https://qr.ksef.mf.gov.pl", "https://api-latarnia.ksef.mf.gov.pl"),
}

DEFAULTS: dict[str, object] = {
    "enabled": False,
    "environment": "test",
    "api_url": "",
    "lighthouse_url": "",
    "token": "",
    "nip": "",
    "offline_certificate": "",
    "offline_private_key": "",
    "offline_private_key_password": "",
    "b2c": True,
    "offline": True,
    "mail_wait_minutes": 30,
    "timeout_seconds": 30,
    "status_polls": 5,
    "poll_seconds": 1.0,
    "max_attempts": 12,
    "session_idle_minutes": 30,
}


def add_defaults(config: Config) -> None:
    """The ``[ksef]`` section as it will run (file, environment, :data:`DEFAULTS`); refuse an unknown environment."""
    section = config.section("ksef", DEFAULTS)  # the environment applied, so the check sees what will run
    if section.get("environment") not in ENVIRONMENTS:
        from core.config import ConfigError

        raise ConfigError(f"ksef.environment must be one of {sorted(ENVIRONMENTS)}, not {section.get('environment')!r}")


@dataclass(frozen=True)
class KsefSettings:
    """The provider's KSeF account and choices (see the module docstring)."""

    enabled: bool
    environment: str
    api_url: str
    qr_url: str
    lighthouse_url: str
    token: str
    nip: str
    offline_certificate: str
    offline_private_key: str
    offline_private_key_password: str
    b2c: bool
    offline: bool
    mail_wait_minutes: int
    timeout_seconds: float
    status_polls: int
    poll_seconds: float
    max_attempts: int
    session_idle_minutes: int

    @property
    def signs_offline(self) -> bool:
        """True when a KSeF certificate of the Offline type is configured (KOD II can be signed)."""
        return bool(self.offline_certificate and self.offline_private_key)


def _file_or_text(value: str) -> str:
    """A PEM given inline, or read from the file it names."""
    if not value or "-----BEGIN" in value:
        return value
    return Path(value).read_text(encoding="ascii")


def current() -> KsefSettings:
    """The settings of the running configuration."""
    section = runtime.config().get("ksef", {})
    api, qr, lighthouse = ENVIRONMENTS[str(section.get("environment") or "test")]
    nip = str(section.get("nip") or "")
    if not nip:
        from core.settings import get_setting

        nip = str(get_setting("seller", "tax_id") or "")
    return KsefSettings(
        enabled=bool(section.get("enabled")),
        environment=str(section.get("environment") or "test"),
        api_url=str(section.get("api_url") or api).rstrip("/"),
        qr_url=qr,
        lighthouse_url=str(section.get("lighthouse_url") or lighthouse).rstrip("/"),
        token=str(section.get("token") or ""),
        nip="".join(ch for ch in nip if ch.isdigit()),
        offline_certificate=_file_or_text(str(section.get("offline_certificate") or "")),
        offline_private_key=_file_or_text(str(section.get("offline_private_key") or "")),
        offline_private_key_password=str(section.get("offline_private_key_password") or ""),
        b2c=bool(section.get("b2c", True)),
        offline=bool(section.get("offline", True)),
        mail_wait_minutes=int(section.get("mail_wait_minutes") or 0),
        timeout_seconds=float(section.get("timeout_seconds") or 30),
        status_polls=max(1, int(section.get("status_polls") or 1)),
        poll_seconds=float(section.get("poll_seconds") or 0),
        max_attempts=max(1, int(section.get("max_attempts") or 1)),
        session_idle_minutes=int(section.get("session_idle_minutes") or 30),
    )


def enabled() -> bool:
    """True when ``[ksef] enabled`` is set."""
    return bool(runtime.config().get_value("ksef.enabled"))
