"""Uploads stay in memory: no temporary file ever holds an uploaded file's bytes.

Werkzeug spools uploads above 500 KB to a temporary file; a ticket attachment the
customer asked to encrypt must never touch the disk in clear, so every upload is
read into memory instead. ``MAX_CONTENT_LENGTH`` (``[tickets] max_request_bytes``)
bounds the memory one request can take.
"""

from __future__ import annotations

import io
from typing import IO

from flask import Request


class MemoryUploadRequest(Request):
    """A Flask request whose file parts are kept in :class:`io.BytesIO` buffers."""

    def _get_file_stream(
        self,
        total_content_length: int | None,
        content_type: str | None,
        filename: str | None = None,
        content_length: int | None = None,
    ) -> IO[bytes]:
        return io.BytesIO()
