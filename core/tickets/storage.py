"""Attachment files: written atomically under random names, outside any served folder.

The folder is ``[tickets] attachments_folder`` (default ``<instance>/attachments``),
created 0700; files are 0600. A file is first written to a hidden ``.part`` name
in the same folder and renamed into place, so a reader never sees half a file;
:class:`PendingFiles` removes what it wrote when the surrounding transaction fails.
"""

from __future__ import annotations

import os
from pathlib import Path
from types import TracebackType
from typing import Self

from core import runtime
from core.tickets.filetypes import random_storage_name


def attachments_folder() -> Path:
    """The attachment folder from the configuration, created if missing (mode 0700)."""
    config = runtime.config()
    folder = str(config.get_value("tickets.attachments_folder") or "")
    path = Path(folder) if folder else Path(str(config.get_value("app.instance_path"))) / "attachments"
    path.mkdir(mode=0o700, parents=True, exist_ok=True)
    return path


def path_of(storage_name: str) -> Path:
    """Where the file ``storage_name`` lives; refuses anything but a plain random name."""
    if not storage_name.isalnum():
        raise ValueError("bad storage name")
    return attachments_folder() / storage_name


def write_file(data: bytes) -> str:
    """Write ``data`` under a fresh random name (temp name, fsync, rename); return the name."""
    folder = attachments_folder()
    name = random_storage_name()
    partial = folder / f".{name}.part"
    fd = os.open(partial, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(partial, folder / name)
    except BaseException:
        partial.unlink(missing_ok=True)
        raise
    return name


def delete_file(storage_name: str) -> None:
    """Remove a stored file (no error when it is already gone)."""
    path_of(storage_name).unlink(missing_ok=True)


class PendingFiles:
    """Files written during a transaction; deleted again if the block raises.

    Use as ``with PendingFiles() as files, db.write_transaction(): files.write(data)``
    so the files go away when the transaction rolls back.
    """

    def __init__(self) -> None:
        self.names: list[str] = []

    def write(self, data: bytes) -> str:
        """Store ``data``; return its storage name."""
        name = write_file(data)
        self.names.append(name)
        return name

    def __enter__(self) -> Self:
        return self

    def __exit__(self, kind: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None) -> None:
        if kind is not None:
            for name in self.names:
                delete_file(name)
