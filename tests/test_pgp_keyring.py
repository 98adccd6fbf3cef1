"""The PGP keyring against the real gpg: round trips, key refusals, no plaintext left."""

from __future__ import annotations

import logging
import os
import stat
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

import pytest

from plugins.pgp.keyring import DecryptionFailed, EncryptionFailed, KeyRejected, Keyring, PgpUnavailable
from tests.support.pgpkeys import GeneratedKey, short_lived_key

pytest_plugins = ("tests.support.pgp_fixtures",)

POLISH = "Zażółć gęślą jaźń. Dzień dobry, serwer nie działa – proszę o pomoc! ŁÓŚĆ €"


def _files_containing(roots: list[Path], needle: bytes, since: float) -> list[Path]:
    """Files under ``roots`` changed since ``since`` whose bytes contain ``needle``."""
    found = []
    for root in roots:
        for folder, _dirs, names in os.walk(root):
            for name in names:
                path = Path(folder) / name
                try:
                    info = path.lstat()
                    if not stat.S_ISREG(info.st_mode) or info.st_mtime < since or info.st_size > 50_000_000:
                        continue
                    if needle in path.read_bytes():
                        found.append(path)
                except OSError:
                    continue  # vanished or not ours to read
    return found


# -- round trips ------------------------------------------------------------------


def test_polish_text_round_trips_byte_for_byte(department_keyring: Keyring, department_key: GeneratedKey) -> None:
    ciphertext = department_keyring.encrypt_text(POLISH, [department_key.fingerprint])
    assert ciphertext.startswith("-----BEGIN PGP MESSAGE-----")
    plain = department_keyring.decrypt(ciphertext.encode("ascii"), department_key.passphrase)
    assert plain == POLISH.encode("utf-8")
    assert department_keyring.decrypt_text(ciphertext, department_key.passphrase) == POLISH


def test_binary_attachment_round_trips(department_keyring: Keyring, department_key: GeneratedKey) -> None:
    data = b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 64 + os.urandom(4096) + b"\x00" * 10
    ciphertext = department_keyring.encrypt(data, [department_key.fingerprint])
    assert department_keyring.decrypt(ciphertext, department_key.passphrase) == data


def test_ciphertext_does_not_contain_the_plaintext(department_keyring: Keyring, department_key: GeneratedKey) -> None:
    marker = "tajne-hasło-root-" + os.urandom(8).hex()
    ciphertext = department_keyring.encrypt_text(marker * 20, [department_key.fingerprint])
    assert marker not in ciphertext
    assert "tajne" not in ciphertext


def test_reply_to_customer_and_department_both_can_read(
    department_keyring: Keyring, department_key: GeneratedKey, customer_key: GeneratedKey, keyring_home: Path
) -> None:
    department_keyring.import_public_key(customer_key.public)
    ciphertext = department_keyring.encrypt(
        "Odpowiedź".encode(), [customer_key.fingerprint, department_key.fingerprint]
    )
    assert department_keyring.decrypt(ciphertext, department_key.passphrase) == "Odpowiedź".encode()
    with Keyring(keyring_home.with_name("customer")) as customer_side:
        customer_side.import_secret_key(customer_key.secret)
        assert customer_side.decrypt(ciphertext, customer_key.passphrase) == "Odpowiedź".encode()


# -- key validation ---------------------------------------------------------------


def test_inspect_shows_fingerprint_and_does_not_import(keyring: Keyring, customer_key: GeneratedKey) -> None:
    info = keyring.inspect_public_key(customer_key.public)
    assert info.fingerprint == customer_key.fingerprint
    assert info.user_ids == ("Łukasz Klient <lukasz@example.test>",)
    assert info.expires is None and info.algorithm == "ed25519"
    assert info.created <= datetime.now(UTC)
    assert not keyring.has_key(customer_key.fingerprint)
    assert keyring.import_public_key(customer_key.public) == info
    assert keyring.import_public_key(customer_key.public) == info  # re-upload is harmless
    assert keyring.has_key(customer_key.fingerprint)
    assert keyring.has_key(customer_key.fingerprint.lower())
    assert not keyring.has_key("not a fingerprint")


@pytest.mark.parametrize(
    ("fixture", "code"),
    [
        ("expired_key", "expired"),
        ("revoked_key", "revoked"),
        ("sign_only_key", "no_encryption_subkey"),
    ],
)
def test_unusable_keys_are_refused(keyring: Keyring, request: pytest.FixtureRequest, fixture: str, code: str) -> None:
    key: GeneratedKey = request.getfixturevalue(fixture)
    for method in (keyring.inspect_public_key, keyring.import_public_key):
        with pytest.raises(KeyRejected) as caught:
            method(key.public)
        assert caught.value.code == code
        assert key.fingerprint in str(caught.value)
    assert not keyring.has_key(key.fingerprint)


@pytest.mark.parametrize(
    "garbage",
    [
        "",
        "garbage",
        "-----BEGIN PGP PUBLIC KEY BLOCK-----\n\nmDMEZabc\n-----END PGP PUBLIC KEY BLOCK-----\n",
    ],
)
def test_garbage_is_refused_as_broken(keyring: Keyring, garbage: str) -> None:
    with pytest.raises(KeyRejected) as caught:
        keyring.import_public_key(garbage)
    assert caught.value.code == "broken"


def test_truncated_armour_is_refused_as_broken(keyring: Keyring, customer_key: GeneratedKey) -> None:
    lines = customer_key.public.splitlines()
    damaged = "\n".join(lines[:4] + lines[-1:]) + "\n"
    with pytest.raises(KeyRejected) as caught:
        keyring.inspect_public_key(damaged)
    assert caught.value.code == "broken"


def test_secret_key_uploaded_as_public_is_refused(keyring: Keyring, customer_key: GeneratedKey) -> None:
    with pytest.raises(KeyRejected) as caught:
        keyring.import_public_key(customer_key.secret)
    assert caught.value.code == "secret_key"
    assert "PUBLIC" in caught.value.message
    assert not keyring.has_key(customer_key.fingerprint)


def test_two_keys_in_one_upload_are_refused(
    keyring: Keyring, customer_key: GeneratedKey, department_key: GeneratedKey
) -> None:
    with pytest.raises(KeyRejected) as caught:
        keyring.import_public_key(customer_key.public + department_key.public)
    assert caught.value.code == "multiple_keys"


def test_public_key_given_as_department_secret_is_refused(keyring: Keyring, department_key: GeneratedKey) -> None:
    with pytest.raises(KeyRejected) as caught:
        keyring.import_secret_key(department_key.public)
    assert caught.value.code == "public_key"


# -- encryption refusals ----------------------------------------------------------


def test_encrypting_to_an_unknown_or_no_key_fails(keyring: Keyring, customer_key: GeneratedKey) -> None:
    with pytest.raises(EncryptionFailed):
        keyring.encrypt(b"x", [customer_key.fingerprint])
    with pytest.raises(EncryptionFailed):
        keyring.encrypt(b"x", [])


def test_key_revoked_after_import_is_refused_at_encryption(keyring: Keyring, customer_key: GeneratedKey) -> None:
    keyring.import_public_key(customer_key.public)
    keyring._run(["--import"], customer_key.revocation.encode())  # the owner's refresh
    with pytest.raises(EncryptionFailed, match="revoked"):
        keyring.encrypt(b"x", [customer_key.fingerprint])


def test_key_expired_after_import_is_refused_at_encryption(keyring: Keyring) -> None:
    key = short_lived_key(seconds=3)
    info = keyring.import_public_key(key.public)
    assert info.expires is not None
    keyring.encrypt(b"still fine", [key.fingerprint])
    time.sleep(max(0.0, info.expires.timestamp() - time.time()) + 1.1)
    with pytest.raises(EncryptionFailed, match="expired"):
        keyring.encrypt(b"too late", [key.fingerprint])


# -- decryption refusals ----------------------------------------------------------


def test_wrong_passphrase_fails_every_time(department_keyring: Keyring, department_key: GeneratedKey) -> None:
    ciphertext = department_keyring.encrypt(b"sekret", [department_key.fingerprint])
    with pytest.raises(DecryptionFailed, match="Wrong passphrase"):
        department_keyring.decrypt(ciphertext, "zla fraza")
    assert department_keyring.decrypt(ciphertext, department_key.passphrase) == b"sekret"
    # the agent caches nothing: a right passphrase does not unlock the next wrong one
    with pytest.raises(DecryptionFailed, match="Wrong passphrase"):
        department_keyring.decrypt(ciphertext, "zla fraza")
    with pytest.raises(DecryptionFailed):
        department_keyring.decrypt(ciphertext, "")


def test_missing_secret_key_and_garbage_fail(department_keyring: Keyring, customer_key: GeneratedKey) -> None:
    department_keyring.import_public_key(customer_key.public)
    for_customer = department_keyring.encrypt(b"x", [customer_key.fingerprint])
    with pytest.raises(DecryptionFailed, match="not in the keyring"):
        department_keyring.decrypt(for_customer, customer_key.passphrase)
    with pytest.raises(DecryptionFailed):
        department_keyring.decrypt(b"not a message", "whatever")


# -- the environment --------------------------------------------------------------


def test_missing_gpg_binary_is_reported(keyring_home: Path) -> None:
    with pytest.raises(PgpUnavailable, match="cannot be run"):
        Keyring(keyring_home, gpg_binary="/nonexistent/gpg")
    with pytest.raises(PgpUnavailable, match="does not look like"):
        Keyring(keyring_home, gpg_binary="/bin/true")


def test_home_is_private_and_must_be_short(keyring: Keyring, keyring_home: Path) -> None:
    assert stat.S_IMODE(keyring.home.stat().st_mode) == 0o700
    with pytest.raises(PgpUnavailable, match="too long"):
        Keyring(keyring_home / ("x" * 90))


def test_no_plaintext_in_temp_files_keyring_or_logs(
    department_keyring: Keyring, department_key: GeneratedKey, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    marker = f"PLAINTEXT-{os.urandom(12).hex()}-źdźbło"
    since = time.time() - 1
    ciphertext = department_keyring.encrypt_text(marker, [department_key.fingerprint])
    assert department_keyring.decrypt_text(ciphertext, department_key.passphrase) == marker
    roots = [department_keyring.home, Path(tempfile.gettempdir()), Path("/tmp")]
    assert _files_containing(roots, marker.encode("utf-8"), since) == []
    assert marker not in caplog.text
    assert department_key.passphrase not in caplog.text


def test_the_leftover_scanner_does_find_a_planted_file(keyring_home: Path) -> None:
    """Guards the test above: an empty result must mean "nothing there", not "not looked"."""
    keyring_home.mkdir(parents=True)
    marker = f"PLANTED-{os.urandom(8).hex()}".encode()
    (keyring_home / "leftover.tmp").write_bytes(b"head " + marker + b" tail")
    assert _files_containing([keyring_home.parent], marker, time.time() - 5) == [keyring_home / "leftover.tmp"]
