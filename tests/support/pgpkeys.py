"""Real OpenPGP keys for tests, made with the real gpg and cached per session.

Each helper generates a fresh ed25519/cv25519 key in a throwaway gpg home (short
path, agent stopped and folder removed afterwards) and returns it armored. Keys are
cached with :func:`functools.cache`, so a test session makes each kind once.

- :func:`department_key`: a department key with a Polish user id and a passphrase;
- :func:`customer_key`: a customer's key with a passphrase;
- :func:`expired_key`: made with gpg's clock set to 2020 and a one-day expiry;
- :func:`revoked_key`: revoked by importing its own revocation certificate;
- :func:`sign_only_key`: has no encryption subkey.

Every key also carries its revocation certificate, so a test can revoke a key
inside one keyring after it was imported.
"""

from __future__ import annotations

import functools
import shutil
import subprocess
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

GPG = "gpg"


@dataclass(frozen=True)
class GeneratedKey:
    """An armored key pair made for tests (the name avoids pytest's Test* collection)."""

    user_id: str
    fingerprint: str
    public: str
    secret: str
    passphrase: str
    revocation: str


@contextmanager
def _scratch_home() -> Iterator[Path]:
    home = Path(tempfile.mkdtemp(prefix="hbk-"))
    # The agent calibrates passphrase hashing to ~0.6 s per use here; tests need no
    # brute-force resistance, so the minimum count keeps key making fast.
    (home / "gpg-agent.conf").write_text("s2k-count 65536\n")
    try:
        yield home
    finally:
        subprocess.run(["gpgconf", "--homedir", str(home), "--kill", "all"], capture_output=True, check=False)
        shutil.rmtree(home, ignore_errors=True)


def _gpg(home: Path, *args: str, data: bytes = b"") -> bytes:
    done = subprocess.run(
        [GPG, "--homedir", str(home), "--batch", "--no-tty", *args], input=data, capture_output=True, check=False
    )
    if done.returncode != 0:
        raise RuntimeError(f"gpg {args[0]} failed: {done.stderr.decode('utf-8', 'replace')}")
    return done.stdout


def make_key(
    user_id: str,
    passphrase: str,
    *,
    algo: str = "future-default",
    usage: str = "default",
    expire: str = "never",
    faked_time: str | None = None,
    revoke: bool = False,
) -> GeneratedKey:
    """Generate a key with the real gpg and return it armored, public and secret.

    gpg-agent now and then answers "Corrupted protection" when it signs a key made
    with ``--faked-system-time`` (seen once in many full runs, never for a real-time
    key); the key is then made again in a fresh home, at most three times in all.
    """
    for attempt in range(3):
        try:
            return _make_key(user_id, passphrase, algo, usage, expire, faked_time, revoke)
        except RuntimeError as error:
            if "Corrupted protection" not in str(error) or attempt == 2:
                raise
    raise AssertionError("unreachable")


def _make_key(
    user_id: str, passphrase: str, algo: str, usage: str, expire: str, faked_time: str | None, revoke: bool
) -> GeneratedKey:
    with _scratch_home() as home:
        clock = ["--faked-system-time", faked_time] if faked_time else []
        _gpg(
            home,
            *clock,
            "--pinentry-mode",
            "loopback",
            "--passphrase",
            passphrase,
            "--quick-gen-key",
            user_id,
            algo,
            usage,
            expire,
        )
        listing = _gpg(home, "--with-colons", "--list-keys", user_id).decode()
        fpr = next(line.split(":")[9] for line in listing.splitlines() if line.startswith("fpr:"))
        # gpg stores the certificate with a leading ":" so it is not imported by accident.
        cert = (home / "openpgp-revocs.d" / f"{fpr}.rev").read_text()
        revocation = cert[cert.index(":-----BEGIN") + 1 :]
        if revoke:
            _gpg(home, "--import", data=revocation.encode())
        public = _gpg(home, "--armor", "--export", fpr).decode("ascii")
        secret = _gpg(
            home, "--armor", "--pinentry-mode", "loopback", "--passphrase", passphrase, "--export-secret-keys", fpr
        ).decode("ascii")
    return GeneratedKey(user_id, fpr, public, secret, passphrase, revocation)


@functools.cache
def department_key() -> GeneratedKey:
    """The technical department's key; the passphrase has Polish letters on purpose."""
    return make_key("Dział Techniczny <tech@example.test>", "zażółć gęślą jaźń 42")


@functools.cache
def customer_key() -> GeneratedKey:
    """A customer's key, as a customer would upload it."""
    return make_key("Łukasz Klient <lukasz@example.test>", "klient-haslo")


@functools.cache
def expired_key() -> GeneratedKey:
    """A key created on 2020-01-01 that expired a day later."""
    return make_key("Stary Klucz <old@example.test>", "old", expire="1d", faked_time="20200101T000000")


@functools.cache
def revoked_key() -> GeneratedKey:
    """A key whose owner published its revocation certificate."""
    return make_key("Odwołany <revoked@example.test>", "rev", revoke=True)


@functools.cache
def sign_only_key() -> GeneratedKey:
    """An ed25519 key that can sign but has no encryption subkey."""
    return make_key("Tylko Podpis <sign@example.test>", "sig", algo="ed25519", usage="sign")


def short_lived_key(seconds: int) -> GeneratedKey:
    """A valid key that expires ``seconds`` from now (not cached: its clock is ticking).

    gpg will not set an expiry in the past or in seconds, so the key is created with
    gpg's clock set back by one day minus ``seconds``, with a one-day lifetime.
    """
    created = int(time.time()) - 86400 + seconds
    return make_key("Krótki Klucz <short@example.test>", "short", expire="1d", faked_time=str(created))
