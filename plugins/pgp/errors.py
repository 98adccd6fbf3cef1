"""The errors the PGP keyring raises, each with a message fit to show a person.

Every failure of gpg ends in a :class:`PgpError` subclass; callers catch
:class:`PgpError` to refuse a ticket message or a key upload with a clear error.
Messages never contain plaintext, passphrases or key material.
"""

from __future__ import annotations


class PgpError(Exception):
    """Base of every error raised by :mod:`plugins.pgp`.

    The message is English marked with ``N_`` (with its values, a
    :class:`core.i18n.Message`); :attr:`message` gives it back for translation.
    """

    @property
    def message(self) -> str:
        """The message as raised: a msgid, or a :class:`core.i18n.Message` with its values."""
        return self.args[0] if self.args and isinstance(self.args[0], str) else str(self)


class PgpUnavailable(PgpError):
    """The gpg binary is missing, cannot run, is too old, or the keyring home is unusable."""


class KeyRejected(PgpError):
    """An uploaded key was refused; ``code`` says why, ``message`` says it in English.

    Stable codes (templates and translations key on them):

    - ``"broken"``: not an ASCII-armored OpenPGP public key, or the armour is damaged;
    - ``"secret_key"``: a secret (private) key was given where a public key belongs;
    - ``"public_key"``: a public key was given where a secret key belongs;
    - ``"multiple_keys"``: more than one key in the upload;
    - ``"expired"``: the key (or every encryption subkey) has expired;
    - ``"revoked"``: the key (or every encryption subkey) is revoked;
    - ``"invalid"``: gpg considers the key invalid (e.g. no valid self-signature);
    - ``"no_encryption_subkey"``: the key cannot encrypt (sign-only);
    - ``"too_big"``: the upload is larger than any sane public key;
    - ``"unknown"``: the fingerprint is not in the app's keyring.
    """

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code


class EncryptionFailed(PgpError):
    """gpg did not produce ciphertext; the message must be refused, never stored in clear."""


class DecryptionFailed(PgpError):
    """gpg could not decrypt: wrong passphrase, missing secret key, or damaged message."""
