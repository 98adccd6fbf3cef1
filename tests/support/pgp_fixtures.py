"""Pytest fixtures for PGP tests: real keys (session-scoped) and a fresh keyring.

Load with ``pytest_plugins = ("tests.support.pgp_fixtures",)`` in a test module.
"""

from __future__ import annotations

import shutil
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest

from plugins.pgp.keyring import Keyring
from tests.support import pgpkeys
from tests.support.pgpkeys import GeneratedKey


@pytest.fixture(scope="session")
def department_key() -> GeneratedKey:
    """The department's key pair (passphrase with Polish letters)."""
    return pgpkeys.department_key()


@pytest.fixture(scope="session")
def customer_key() -> GeneratedKey:
    """A customer's key pair."""
    return pgpkeys.customer_key()


@pytest.fixture(scope="session")
def expired_key() -> GeneratedKey:
    """A key that expired in 2020."""
    return pgpkeys.expired_key()


@pytest.fixture(scope="session")
def revoked_key() -> GeneratedKey:
    """A revoked key."""
    return pgpkeys.revoked_key()


@pytest.fixture(scope="session")
def sign_only_key() -> GeneratedKey:
    """A key without an encryption subkey."""
    return pgpkeys.sign_only_key()


@pytest.fixture
def keyring_home() -> Iterator[Path]:
    """A short, fresh folder for a keyring (tmp_path can exceed socket path limits)."""
    home = Path(tempfile.mkdtemp(prefix="hbr-"))
    yield home / "gnupg"
    shutil.rmtree(home, ignore_errors=True)


@pytest.fixture
def keyring(keyring_home: Path) -> Iterator[Keyring]:
    """An empty app keyring whose gpg-agent is stopped after the test."""
    ring = Keyring(keyring_home)
    yield ring
    ring.close()


@pytest.fixture
def department_keyring(keyring: Keyring, department_key: GeneratedKey) -> Keyring:
    """A keyring holding the department's secret key, as the provider sets it up."""
    keyring.import_secret_key(department_key.secret)
    return keyring
