"""PGP ticket encryption: a built-in plugin.

Customers may tick "encrypt this message" on a ticket; the message body and its
attachments are then encrypted to the department's public key before anything is
stored, so the plaintext is never written to the database, logs, mail, error pages
or temporary files. Staff replies are encrypted to the customer's own public key when
one was uploaded. Staff decrypt on demand with the department's secret key, whose
passphrase comes from the environment.

:mod:`plugins.pgp.keyring` holds the building blocks (key validation, import,
encryption, decryption) on top of the real ``gpg`` binary; the hook implementations
that wire them to ``on_ticket_create`` and friends live in this package too.
"""
