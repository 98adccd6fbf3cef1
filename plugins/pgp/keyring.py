"""The app's own gpg keyring: validate and import keys, encrypt and decrypt.

Choices, and why:

- The keyring lives in a folder of the app's own (created 0700), never the user's
  ``~/.gnupg``. Its path must be short: gpg-agent puts its sockets there and a Unix
  socket path is limited to 107 bytes. ``close()`` stops that agent.
- ``always_trust`` is used only for keys this class imported itself after checking
  them, and every recipient is re-checked (present, not expired, not revoked, can
  encrypt) at the moment of encryption, because a key can expire after upload.
- Plaintext only travels through pipes: python-gnupg feeds gpg's stdin from memory
  and reads its stdout; no ``output=`` file is ever used, and python-gnupg does not
  log data chunks unless its test-only ``log_everything`` flag is set. Key listings,
  validation and imports run gpg directly through :mod:`subprocess` so that no key
  material reaches python-gnupg's debug log.
- gpg-agent is configured not to cache passphrases, so each decryption needs the
  right passphrase (given through ``--pinentry-mode loopback``).
- Text is UTF-8 both ways (Polish letters survive byte for byte).
"""

from __future__ import annotations

import contextlib
import os
import re
import shutil
import subprocess
import tempfile
from pathlib import Path
from types import TracebackType

import gnupg  # no stubs (see pyproject.toml); results are checked by hand

from core.i18n import N_, as_message
from plugins.pgp.colons import KeyInfo, ListedKey, judge_for_encryption, parse_listing
from plugins.pgp.errors import DecryptionFailed, EncryptionFailed, KeyRejected, PgpError, PgpUnavailable

__all__ = ["DecryptionFailed", "EncryptionFailed", "KeyInfo", "KeyRejected", "Keyring", "PgpError", "PgpUnavailable"]

MAX_KEY_CHARS = 256 * 1024  # far above any real public key, far below a DoS
_SOCKET_MAX = 107  # sun_path minus the terminating NUL
_LONGEST_SOCKET = "/S.gpg-agent.browser"
_MIN_VERSION = (2, 2, 8)  # --show-keys appeared in GnuPG 2.2.8
_TIMEOUT = 60
_FPR = re.compile(r"^[0-9A-F]{40}$|^[0-9A-F]{64}$")
_AGENT_CONF = (
    "# written by hookbill: never cache passphrases\ndefault-cache-ttl 0\nmax-cache-ttl 0\nallow-loopback-pinentry\n"
)
_PUBLIC_ARMOR = "-----BEGIN PGP PUBLIC KEY BLOCK-----"
_SECRET_ARMOR = "-----BEGIN PGP PRIVATE KEY BLOCK-----"

_GPG_ERR_BAD_PASSPHRASE = 11


def _why_not_decrypted(stderr: str) -> str:
    """Explain a failed decryption from gpg's status lines (not its localised text)."""
    status = [line[9:].split() for line in stderr.splitlines() if line.startswith("[GNUPG:] ")]
    for words in status:
        if (
            words[:2] == ["ERROR", "pkdecrypt_failed"]
            and len(words) > 2
            and words[2].isdigit()
            and int(words[2]) & 0xFFFF == _GPG_ERR_BAD_PASSPHRASE
        ):
            return N_("Wrong passphrase for the secret key.")
    if any(words[:1] == ["NO_SECKEY"] for words in status):
        return N_("The secret key for this message is not in the keyring.")
    if any(words[:1] == ["NODATA"] for words in status):
        return N_("This is not an OpenPGP encrypted message.")
    return N_("gpg could not decrypt the message: it is damaged or was tampered with.")


class Keyring:
    """A gpg keyring in ``home`` that only this app writes to."""

    def __init__(self, home: Path, gpg_binary: str = "gpg") -> None:
        """Create ``home`` (mode 0700) and check that ``gpg_binary`` runs and is new enough.

        Raises :class:`PgpUnavailable` with a clear message when gpg is missing, is not
        runnable, is older than 2.2.8, or ``home`` is too long for gpg-agent's sockets.
        """
        self.home = Path(home).absolute()
        self.gpg_binary = gpg_binary
        if len(os.fsencode(str(self.home) + _LONGEST_SOCKET)) > _SOCKET_MAX:
            raise PgpUnavailable(
                N_(
                    "The keyring folder path %(path)s is too long for gpg-agent's sockets; "
                    "use a path of at most 87 bytes.",
                    path=str(self.home),
                )
            )
        self._check_binary()
        self.home.mkdir(mode=0o700, parents=True, exist_ok=True)
        self.home.chmod(0o700)
        self._write_agent_conf()
        try:
            self._gpg = gnupg.GPG(
                gpgbinary=gpg_binary, gnupghome=str(self.home), options=["--no-encrypt-to", "--no-auto-key-retrieve"]
            )
        except (OSError, ValueError) as exc:
            raise PgpUnavailable(
                N_("gpg (%(program)s) could not be started: %(error)s", program=gpg_binary, error=str(exc))
            ) from exc

    def _write_agent_conf(self) -> None:
        """Atomically (several app processes may start at once) set the agent's options."""
        conf = self.home / "gpg-agent.conf"
        if conf.exists() and conf.read_text(encoding="utf-8") == _AGENT_CONF:
            return
        partial = conf.with_name(f"gpg-agent.conf.{os.getpid()}")
        partial.write_text(_AGENT_CONF, encoding="utf-8")
        os.replace(partial, conf)

    def _check_binary(self) -> None:
        try:
            done = subprocess.run([self.gpg_binary, "--version"], capture_output=True, timeout=_TIMEOUT, check=False)
        except (OSError, subprocess.SubprocessError) as exc:
            raise PgpUnavailable(
                N_(
                    "The gpg program (%(program)s) cannot be run: %(error)s. "
                    "Install GnuPG 2.2 or later or fix the configured path.",
                    program=self.gpg_binary,
                    error=exc.__class__.__name__,
                )
            ) from exc
        found = re.search(rb"^gpg \(GnuPG[^)]*\) (\d+)\.(\d+)\.(\d+)", done.stdout, re.M)
        if done.returncode != 0 or found is None:
            raise PgpUnavailable(N_("%(program)s does not look like GnuPG's gpg.", program=self.gpg_binary))
        version = tuple(int(part) for part in found.groups())
        if version < _MIN_VERSION:
            raise PgpUnavailable(
                N_(
                    "GnuPG %(version)s is too old; hookbill needs 2.2.8 or later.",
                    version=".".join(map(str, version)),
                )
            )

    # -- running gpg directly (key management) -------------------------------------

    def _run(self, args: list[str], data: bytes = b"", home: Path | None = None) -> subprocess.CompletedProcess[bytes]:
        cmd = [
            self.gpg_binary,
            "--homedir",
            str(home or self.home),
            "--batch",
            "--no-tty",
            "--status-fd",
            "2",
            "--with-colons",
            "--fixed-list-mode",
            *args,
        ]
        try:
            return subprocess.run(cmd, input=data, capture_output=True, timeout=_TIMEOUT, check=False)
        except (OSError, subprocess.SubprocessError) as exc:
            raise PgpUnavailable(N_("gpg could not be run: %(error)s", error=exc.__class__.__name__)) from exc

    def _show(self, armored: str, *, secret: bool) -> ListedKey:
        """List the one key in ``armored`` without importing it anywhere that lasts."""
        if len(armored) > MAX_KEY_CHARS:
            raise KeyRejected(
                "too_big",
                N_("That is too large to be a secret key.") if secret else N_("That is too large to be a public key."),
            )
        if not secret and _SECRET_ARMOR in armored:
            raise KeyRejected(
                "secret_key",
                N_("This is a SECRET key. Never share it: upload only your PUBLIC key (gpg --armor --export YOUR-ID)."),
            )
        if secret and _SECRET_ARMOR not in armored:
            raise KeyRejected("public_key", N_("This is not an ASCII-armored secret key."))
        if not secret and _PUBLIC_ARMOR not in armored:
            raise KeyRejected(
                "broken",
                N_(
                    "This is not an ASCII-armored OpenPGP public key; it should start with %(header)s.",
                    header=_PUBLIC_ARMOR,
                ),
            )
        scratch = Path(tempfile.mkdtemp(prefix="hb-gpg-"))  # mkdtemp makes it 0700
        try:
            done = self._run(["--show-keys"], armored.encode("utf-8"), home=scratch)
        finally:
            shutil.rmtree(scratch, ignore_errors=True)
        keys = parse_listing(done.stdout.decode("utf-8", "replace"))
        if done.returncode != 0 or not keys or any(not key.fingerprint for key in keys):
            raise KeyRejected(
                "broken",
                N_(
                    "The secret key could not be read: the armour is damaged or incomplete. "
                    "Please copy the whole block again."
                )
                if secret
                else N_(
                    "The public key could not be read: the armour is damaged or incomplete. "
                    "Please copy the whole block again."
                ),
            )
        if len(keys) > 1:
            raise KeyRejected("multiple_keys", N_("Found %(count)s keys; upload exactly one.", count=len(keys)))
        if keys[0].secret != secret:
            raise KeyRejected(
                "secret_key" if keys[0].secret else "public_key",
                N_("Expected a public key, found a secret key.")
                if keys[0].secret
                else N_("Expected a secret key, found a public key."),
            )
        return keys[0]

    def _import(self, armored: str, fingerprint: str) -> None:
        done = self._run(["--import"], armored.encode("utf-8"))
        stderr = done.stderr.decode("utf-8", "replace")
        imported = set(re.findall(r"^\[GNUPG:\] IMPORT_OK \d+ ([0-9A-F]+)$", stderr, re.M))
        if done.returncode != 0 or imported != {fingerprint}:
            raise PgpError(N_("gpg did not import the key %(fingerprint)s cleanly.", fingerprint=fingerprint))

    def _listed(self, fingerprint: str) -> ListedKey | None:
        fingerprint = fingerprint.upper().replace(" ", "")
        if not _FPR.match(fingerprint):
            return None
        done = self._run(["--list-keys", fingerprint])
        keys = [k for k in parse_listing(done.stdout.decode("utf-8", "replace")) if k.fingerprint == fingerprint]
        return keys[0] if done.returncode == 0 and len(keys) == 1 else None

    # -- public API ----------------------------------------------------------------

    def inspect_public_key(self, armored: str) -> KeyInfo:
        """Validate one ASCII-armored public key without importing it; return its details.

        Raises :class:`KeyRejected` (codes: broken, secret_key, multiple_keys, expired,
        revoked, invalid, no_encryption_subkey, too_big). The app's keyring is untouched:
        gpg reads the key in a throwaway home that is removed before returning.
        """
        key = self._show(armored, secret=False)
        judge_for_encryption(key)
        return key.info()

    def import_public_key(self, armored: str) -> KeyInfo:
        """Validate like :meth:`inspect_public_key`, then import exactly that key."""
        key = self._show(armored, secret=False)
        judge_for_encryption(key)
        self._import(armored, key.fingerprint)
        return key.info()

    def import_secret_key(self, armored: str) -> KeyInfo:
        """Import a department's secret key (it stays passphrase-protected in gpg-agent).

        The key must be able to encrypt (it is also the department's public key).
        """
        key = self._show(armored, secret=True)
        judge_for_encryption(key)
        self._import(armored, key.fingerprint)
        return key.info()

    def generate_key(self, user_id: str, passphrase: str) -> KeyInfo:
        """Make a new key pair in this keyring (ed25519 with a cv25519 encryption subkey, no expiry).

        The secret key is created here, protected by ``passphrase``, and never leaves
        the keyring; export the public half with :meth:`export_public_key`. The
        passphrase reaches gpg on its stdin, never on its command line. Raises
        :class:`PgpError` when gpg fails.
        """
        if not passphrase or "\n" in passphrase or "\r" in passphrase:
            raise PgpError(N_("A non-empty, single-line passphrase is required."))
        done = self._run(
            [
                "--pinentry-mode",
                "loopback",
                "--passphrase-fd",
                "0",
                "--quick-gen-key",
                user_id,
                "future-default",
                "default",
                "never",
            ],
            passphrase.encode("utf-8") + b"\n",
        )
        created = re.search(r"^\[GNUPG:\] KEY_CREATED [BP] ([0-9A-F]+)", done.stderr.decode("utf-8", "replace"), re.M)
        if done.returncode != 0 or created is None:
            raise PgpError(N_("gpg could not generate the key pair."))
        return self.key_info(created.group(1))

    def export_public_key(self, fingerprint: str) -> str:
        """The ASCII-armored public key of ``fingerprint``; :class:`KeyRejected` ``unknown`` if absent."""
        key = self._listed(fingerprint)
        if key is None:
            raise KeyRejected("unknown", N_("The key %(fingerprint)s is not in the keyring.", fingerprint=fingerprint))
        done = self._run(["--armor", "--export", key.fingerprint])
        armored = done.stdout.decode("ascii", "replace")
        if done.returncode != 0 or _PUBLIC_ARMOR not in armored:
            raise PgpError(N_("gpg could not export the key %(fingerprint)s.", fingerprint=key.fingerprint))
        return armored

    def has_key(self, fingerprint: str) -> bool:
        """True when a key with exactly this full fingerprint is in the keyring."""
        return self._listed(fingerprint) is not None

    def key_info(self, fingerprint: str) -> KeyInfo:
        """Return details of an imported key; :class:`KeyRejected` ``unknown`` if absent."""
        key = self._listed(fingerprint)
        if key is None:
            raise KeyRejected("unknown", N_("The key %(fingerprint)s is not in the keyring.", fingerprint=fingerprint))
        return key.info()

    def encrypt(self, data: bytes, fingerprints: list[str]) -> bytes:
        """Encrypt ``data`` to every fingerprint; return ASCII-armored ciphertext.

        Each recipient is re-checked now (present, not expired or revoked, can encrypt);
        any problem, or any failure of gpg, raises :class:`EncryptionFailed`, so the
        caller refuses the message instead of storing it in clear.
        """
        if not fingerprints:
            raise EncryptionFailed(N_("No recipient key was given; refusing to continue."))
        recipients = []
        for fingerprint in fingerprints:
            key = self._listed(fingerprint)
            if key is None:
                raise EncryptionFailed(N_("The key %(fingerprint)s is not in the keyring.", fingerprint=fingerprint))
            try:
                judge_for_encryption(key)
            except KeyRejected as exc:
                raise EncryptionFailed(N_("Cannot encrypt: %(reason)s", reason=as_message(exc.message))) from exc
            recipients.append(key.fingerprint)
        result = self._gpg.encrypt(bytes(data), recipients, always_trust=True, armor=True)
        ciphertext = result.data if isinstance(result.data, bytes) else b""
        if not result.ok or result.returncode != 0 or not ciphertext.startswith(b"-----BEGIN PGP MESSAGE-----"):
            raise EncryptionFailed(N_("gpg could not encrypt the message (%(status)s).", status=str(result.status)))
        return ciphertext

    def encrypt_text(self, text: str, fingerprints: list[str]) -> str:
        """Encrypt ``text`` as UTF-8; return the armored ciphertext as a str."""
        return self.encrypt(text.encode("utf-8"), fingerprints).decode("ascii")

    def decrypt(self, armored: bytes, passphrase: str) -> bytes:
        """Decrypt with a secret key in the keyring, unlocked by ``passphrase``.

        Raises :class:`DecryptionFailed` on a wrong passphrase, a missing secret key,
        or a damaged or tampered message. The passphrase goes to gpg on a pipe
        (``--pinentry-mode loopback``) and is not cached by gpg-agent.
        """
        if not passphrase or "\n" in passphrase or "\r" in passphrase:
            raise DecryptionFailed(N_("A non-empty, single-line passphrase is required."))
        # python-gnupg encodes the passphrase with its ``encoding`` (latin-1, which never
        # fails to decode gpg's stderr); pre-encoding as UTF-8 makes gpg get UTF-8 bytes.
        wire = passphrase.encode("utf-8").decode("latin-1")
        result = self._gpg.decrypt(bytes(armored), passphrase=wire, extra_args=["--pinentry-mode", "loopback"])
        if not result.ok or result.returncode != 0:
            raise DecryptionFailed(_why_not_decrypted(str(result.stderr or "")))
        return result.data if isinstance(result.data, bytes) else b""

    def decrypt_text(self, armored: str, passphrase: str) -> str:
        """Decrypt and decode as UTF-8 (refusing bytes that are not valid UTF-8)."""
        try:
            return self.decrypt(armored.encode("utf-8"), passphrase).decode("utf-8")
        except UnicodeDecodeError as exc:
            raise DecryptionFailed(N_("The message is not valid UTF-8 text.")) from exc

    def close(self) -> None:
        """Stop the gpg-agent (and any other daemon) serving this keyring's home."""
        binary = Path(self.gpg_binary)
        gpgconf = str(binary.with_name("gpgconf")) if binary.parent != Path(".") else "gpgconf"
        # Nothing to stop if gpgconf is missing: gpg was never usable then.
        with contextlib.suppress(OSError, subprocess.SubprocessError):
            subprocess.run(
                [gpgconf, "--homedir", str(self.home), "--kill", "all"],
                capture_output=True,
                timeout=_TIMEOUT,
                check=False,
            )

    def __enter__(self) -> Keyring:
        return self

    def __exit__(self, kind: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None) -> None:
        self.close()
