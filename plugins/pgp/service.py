"""PGP for tickets: encrypt pending messages, manage keys, decrypt on demand.

- Encryption happens inside ``on_ticket_create``/``on_ticket_reply``, before
  anything is stored. Every failure (gpg missing, key expired or revoked since
  upload, no department key) becomes :class:`HookRefused` with a clear message,
  so the core stores nothing. Body and attachments are all encrypted first and
  only then swapped in, so a failure never leaves a half-encrypted message.
- A customer's message goes to the department's key and, when the customer
  uploaded one, to their own key (so they can read it back). A staff reply in an
  encrypted ticket goes to the customer's key and the department's key; without
  a customer key it stays clear text (the admin view says so).
- Keys in the database are re-imported into the keyring when missing, so a new
  app node with an empty keyring folder can still encrypt.
- Decryption is for staff members of the ticket's department only, with the
  passphrase from ``HOOKBILL_PGP_PASSPHRASE_<SLUG>`` or ``[pgp] passphrase_<slug>``
  (never the database); the result is returned, never stored, and the event is
  logged (without content).
"""

from __future__ import annotations

import os
import re
from pathlib import Path

from core import activity, db, runtime
from core.hookspecs import HookRefused
from core.i18n import N_, as_message
from core.models import Customer, Staff
from core.tickets.models import Department, DepartmentMember, Ticket, TicketAttachment, TicketMessage
from core.tickets.pending import PendingAttachment
from plugins.pgp.errors import DecryptionFailed, EncryptionFailed, KeyRejected, PgpError, PgpUnavailable
from plugins.pgp.keyring import KeyInfo, Keyring
from plugins.pgp.models import CustomerKey

_rings: dict[tuple[str, str], Keyring] = {}
ARMORED_MIME = "application/pgp-encrypted"


def keyring_home() -> Path:
    """The keyring folder: ``[pgp] keyring_folder`` or ``<instance>/gnupg``."""
    config = runtime.config()
    folder = str(config.get_value("pgp.keyring_folder") or "")
    return Path(folder) if folder else Path(str(config.get_value("app.instance_path"))) / "gnupg"


def keyring() -> Keyring:
    """The app's keyring (one per folder and binary per process); raises PgpUnavailable."""
    binary = str(runtime.config().get_value("pgp.gpg_binary") or "gpg")
    key = (str(keyring_home()), binary)
    if key not in _rings:
        _rings[key] = Keyring(keyring_home(), binary)
    return _rings[key]


def close_keyrings() -> None:
    """Stop the gpg-agents of every keyring this process opened (tests, shutdown)."""
    while _rings:
        _rings.popitem()[1].close()


def passphrase_key(department: Department) -> str:
    """The configuration key of ``department``'s secret key passphrase, in ``[pgp]``: ``passphrase_<slug>``."""
    return "passphrase_" + re.sub(r"[^a-z0-9]", "_", department.slug.lower())


def passphrase_variable(department: Department) -> str:
    """The environment variable that overrides :func:`passphrase_key`: ``HOOKBILL_PGP_PASSPHRASE_<SLUG>``."""
    return "HOOKBILL_PGP_" + passphrase_key(department).upper()


def passphrase(department: Department) -> str:
    """``department``'s secret key passphrase, or "" when none is configured.

    The environment variable wins over ``[pgp] passphrase_<slug>``, as for every
    key; it is read here, when needed, and never copied into the configuration.
    """
    from_environment = os.environ.get(passphrase_variable(department))
    if from_environment:
        return from_environment
    return str(runtime.config().get_value("pgp." + passphrase_key(department)) or "")


def _ensure(ring: Keyring, fingerprint: str, armored: str) -> str:
    if not ring.has_key(fingerprint):
        try:
            ring.import_public_key(armored)
        except KeyRejected as exc:
            raise EncryptionFailed(N_("Cannot encrypt: %(reason)s", reason=as_message(exc.message))) from exc
    return fingerprint


def _encrypt(message: TicketMessage, attachments: list[PendingAttachment], keys: list[tuple[str, str]]) -> None:
    try:
        ring = keyring()
        fingerprints = [_ensure(ring, fpr, armored) for fpr, armored in keys]
        body = ring.encrypt_text(str(message.body), fingerprints)
        files = [ring.encrypt(item.data, fingerprints) for item in attachments]
    except PgpUnavailable as exc:
        runtime.log.warning("pgp: encryption unavailable: %s", exc)
        raise HookRefused(
            N_("Encryption is not available right now, so the message was not sent. Please try again later.")
        ) from None
    except PgpError as exc:
        raise HookRefused(
            N_("The message could not be encrypted, so it was not sent: %(reason)s", reason=as_message(exc.message))
        ) from None
    message.body, message.encrypted, message.encrypted_to = body, True, " ".join(fingerprints)
    for item, data in zip(attachments, files, strict=True):
        item.data, item.filename, item.mime, item.encrypted = data, f"{item.filename}.asc", ARMORED_MIME, True


def customer_key(customer_id: int) -> CustomerKey | None:
    """The customer's uploaded public key, if any."""
    return CustomerKey.get_or_none(CustomerKey.customer == customer_id)


def encrypt_customer_message(ticket: Ticket, message: TicketMessage, attachments: list[PendingAttachment]) -> None:
    """Encrypt a customer's message to the department (and the customer's own key)."""
    department = ticket.department
    if not department.pgp_fingerprint:
        raise HookRefused(
            N_(
                "This department does not accept encrypted messages yet. "
                "Choose another department or send the message without encryption."
            )
        )
    keys = [(department.pgp_fingerprint, department.pgp_public_key)]
    own = customer_key(ticket.customer_id)
    if own is not None:
        keys.append((own.fingerprint, own.armored))
    _encrypt(message, attachments, keys)


def encrypt_staff_reply(ticket: Ticket, message: TicketMessage, attachments: list[PendingAttachment]) -> None:
    """In an encrypted ticket, encrypt a staff reply to the customer's key (and the department's)."""
    own = customer_key(ticket.customer_id)
    if own is None:
        return
    keys = [(own.fingerprint, own.armored)]
    if ticket.department.pgp_fingerprint:
        keys.append((ticket.department.pgp_fingerprint, ticket.department.pgp_public_key))
    _encrypt(message, attachments, keys)


def set_customer_key(customer: Customer, armored: str, ip: str = "") -> KeyInfo:
    """Validate and import ``armored``, then keep it as the customer's key; raises KeyRejected/PgpError."""
    info = keyring().import_public_key(armored.strip() + "\n")
    with db.write_transaction():
        CustomerKey.delete().where(CustomerKey.customer == customer).execute()
        CustomerKey.create(
            customer=customer,
            fingerprint=info.fingerprint,
            armored=armored.strip() + "\n",
            user_id=(info.user_ids[0] if info.user_ids else "")[:255],
        )
        activity.record("pgp.customer_key_set", actor=customer, subject=customer, ip=ip, fingerprint=info.fingerprint)
    return info


def remove_customer_key(customer: Customer, ip: str = "") -> None:
    """Forget the customer's key (later staff replies are no longer encrypted to it)."""
    with db.write_transaction():
        CustomerKey.delete().where(CustomerKey.customer == customer).execute()
        activity.record("pgp.customer_key_removed", actor=customer, subject=customer, ip=ip)


def set_department_key(department: Department, armored: str, staff: Staff, ip: str = "") -> KeyInfo:
    """Validate and import the department's public key and store it with its fingerprint."""
    info = keyring().import_public_key(armored.strip() + "\n")
    with db.write_transaction():
        department.pgp_fingerprint = info.fingerprint
        department.pgp_public_key = armored.strip() + "\n"
        department.save()
        activity.record("pgp.department_key_set", actor=staff, subject=department, ip=ip, fingerprint=info.fingerprint)
    return info


def may_decrypt(staff: Staff, department: Department) -> bool:
    """True for a staff member of ``department`` when its passphrase is configured."""
    if not passphrase(department):
        return False
    return (
        DepartmentMember.select()
        .where((DepartmentMember.department == department) & (DepartmentMember.staff == staff))
        .exists()
    )


def _passphrase(staff: Staff, department: Department) -> str:
    if not may_decrypt(staff, department):
        raise DecryptionFailed(
            N_(
                "You cannot decrypt messages of this department "
                "(not a member, or no passphrase is configured for its key)."
            )
        )
    return passphrase(department)


def decrypt_message(message: TicketMessage, staff: Staff, ip: str = "") -> str:
    """Decrypt ``message`` for ``staff``; the text is returned, never stored."""
    ticket = message.ticket
    text = keyring().decrypt_text(str(message.body), _passphrase(staff, ticket.department))
    with db.write_transaction():
        activity.record("pgp.message_decrypted", actor=staff, subject=ticket, ip=ip, message_id=message.id)
    return text


def decrypt_attachment(attachment: TicketAttachment, staff: Staff, ip: str = "") -> bytes:
    """Decrypt an attachment file for ``staff``; the bytes are returned, never stored."""
    from core.tickets.storage import path_of

    ticket = attachment.ticket
    passphrase = _passphrase(staff, ticket.department)
    data = keyring().decrypt(path_of(attachment.storage_name).read_bytes(), passphrase)
    with db.write_transaction():
        activity.record("pgp.attachment_decrypted", actor=staff, subject=ticket, ip=ip, attachment_id=attachment.id)
    return data
