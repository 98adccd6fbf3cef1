"""Running the ``hookbill`` command as a real process, on a SQLite file in a test's folder."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def run_hookbill(
    folder: Path, *args: str, check: bool = True, stdin: str | None = None, env: dict[str, str] | None = None
) -> subprocess.CompletedProcess[str]:
    """``hookbill ARGS`` in ``folder`` with the database ``folder/cli.sqlite3``; ``env`` adds variables."""
    environ = {
        **{k: v for k, v in os.environ.items() if not k.startswith("HOOKBILL_")},
        "HOOKBILL_DATABASE_URL": f"sqlite:///{folder}/cli.sqlite3",
        "HOOKBILL_APP_INSTANCE_PATH": str(folder),
        "HOOKBILL_MAIL_PORT": "1",
        "PYTHONPATH": str(ROOT),
        **(env or {}),
    }
    return subprocess.run(
        [sys.executable, "-m", "core.cli", *args],
        cwd=folder,
        env=environ,
        input=stdin,
        capture_output=True,
        text=True,
        check=check,
        timeout=120,
    )
