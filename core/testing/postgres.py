"""A throwaway PostgreSQL server for tests.

:class:`PostgresServer` runs ``initdb`` into a temporary directory and starts a
``postgres`` on a free loopback port with durability switched off (fsync, full page
writes, synchronous commit): fast, and its data is gone when it stops.

``initdb`` refuses to run as root. When the tests run as root the directory is given
to the ``postgres`` system user and the server programs run as that user through
``runuser``; otherwise they run as the current user.
"""

from __future__ import annotations

import glob
import os
import pwd
import re
import shutil
import subprocess
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from types import TracebackType
from typing import Self

import psycopg
from psycopg import sql

from core.testing.ports import free_port

_SERVER_PROGRAMS = ("initdb", "pg_ctl", "postgres")
_TIMEOUT_S = 120


class PostgresUnavailable(RuntimeError):
    """The PostgreSQL server programs (or the user to run them as) are missing."""


def _has_server_programs(bindir: str) -> bool:
    return all(os.access(os.path.join(bindir, prog), os.X_OK) for prog in _SERVER_PROGRAMS)


def find_bindir() -> Path:
    """Return the directory holding ``initdb``, ``pg_ctl`` and ``postgres``.

    Looked for, in this order: ``$HOOKBILL_PG_BINDIR``, ``pg_config --bindir``, the
    newest ``/usr/lib/postgresql/*/bin`` (Debian), then ``PATH``. Raises
    :class:`PostgresUnavailable` naming the places searched when none has them.
    """
    candidates: list[str] = []
    override = os.environ.get("HOOKBILL_PG_BINDIR")
    if override:
        candidates.append(override)
    pg_config = shutil.which("pg_config")
    if pg_config:
        try:
            out = subprocess.run(
                [pg_config, "--bindir"], capture_output=True, text=True, check=True, timeout=30
            ).stdout.strip()
        except (OSError, subprocess.SubprocessError):
            out = ""
        if out:
            candidates.append(out)

    def version_key(path: str) -> tuple[int, ...]:
        version = Path(path).parent.name
        return tuple(int(part) for part in version.split(".") if part.isdigit())

    candidates.extend(sorted(glob.glob("/usr/lib/postgresql/*/bin"), key=version_key, reverse=True))
    initdb = shutil.which("initdb")
    if initdb:
        candidates.append(str(Path(initdb).resolve().parent))
    for bindir in candidates:
        if _has_server_programs(bindir):
            return Path(bindir)
    searched = ", ".join(candidates) or "nothing found to search"
    raise PostgresUnavailable(
        "PostgreSQL server programs (initdb, pg_ctl, postgres) not found; searched: "
        f"{searched} (also $HOOKBILL_PG_BINDIR, `pg_config --bindir`, /usr/lib/postgresql/*/bin, "
        "PATH). Install the Debian package `postgresql`, e.g. with `bash scripts/system-deps.sh`."
    )


class PostgresServer:
    """A private PostgreSQL server on 127.0.0.1, for use as a context manager.

    >>> with PostgresServer() as server:          # doctest: +SKIP
    ...     url = server.create_database("app")   # postgresql://postgres@127.0.0.1:PORT/app

    Authentication is ``trust`` for the superuser ``postgres``; the server listens on
    loopback only and its Unix socket lives in its private temporary directory.
    """

    def __init__(self, port: int | None = None) -> None:
        """Prepare, but do not start, a server; ``port`` defaults to a free one."""
        self.port: int = port if port is not None else free_port()
        self.bindir: Path | None = None
        self._tmpdir: Path | None = None
        self._run_as: str | None = None

    # -- paths ---------------------------------------------------------------------

    @property
    def datadir(self) -> Path:
        """The cluster's data directory (inside the temporary directory)."""
        return self._require_tmpdir() / "data"

    @property
    def logfile(self) -> Path:
        """The server log, useful when start-up fails."""
        return self._require_tmpdir() / "postgres.log"

    @property
    def admin_url(self) -> str:
        """URL of the maintenance database ``postgres``."""
        return self.url_for("postgres")

    def url_for(self, dbname: str) -> str:
        """Return the URL of database ``dbname`` on this server."""
        return f"postgresql://postgres@127.0.0.1:{self.port}/{dbname}"

    def _require_tmpdir(self) -> Path:
        if self._tmpdir is None:
            raise RuntimeError("PostgresServer is not started")
        return self._tmpdir

    # -- life cycle ----------------------------------------------------------------

    def start(self) -> None:
        """Create the cluster and start the server; wait until it accepts connections."""
        if self._tmpdir is not None:
            raise RuntimeError("PostgresServer is already started")
        self.bindir = find_bindir()
        if os.geteuid() == 0:
            try:
                owner = pwd.getpwnam("postgres")
            except KeyError:
                raise PostgresUnavailable(
                    "running as root, and initdb refuses root, but there is no `postgres` "
                    "system user to run it as (it comes with the Debian package postgresql)"
                ) from None
            if not self._runuser():
                raise PostgresUnavailable("running as root, but `runuser` (util-linux) is missing")
            self._run_as = "postgres"
        self._tmpdir = Path(tempfile.mkdtemp(prefix="hookbill-pg-"))
        try:
            if self._run_as:
                os.chown(self._tmpdir, owner.pw_uid, owner.pw_gid)
            self._initdb()
            opts = (
                f"-p {self.port} -k {self._tmpdir} -c listen_addresses=127.0.0.1 "
                "-c fsync=off -c synchronous_commit=off -c full_page_writes=off "
                "-c max_connections=200"
            )
            result = self._run(
                "pg_ctl", "start", "-w", "-t", "60", "-D", str(self.datadir),
                "-l", str(self.logfile), "-o", opts,
            )  # fmt: skip
            if result.returncode != 0:
                raise RuntimeError(
                    f"pg_ctl start failed ({result.returncode}):\n{result.stdout}\n"
                    f"--- {self.logfile} ---\n{self._log_tail()}"
                )
        except BaseException:
            self._remove_tmpdir()
            raise

    def stop(self) -> None:
        """Stop the server at once (no checkpoint) and delete all its files."""
        if self._tmpdir is None:
            return
        try:
            if (self.datadir / "postmaster.pid").exists():
                self._run("pg_ctl", "stop", "-w", "-m", "immediate", "-D", str(self.datadir))
        finally:
            self._remove_tmpdir()

    def __enter__(self) -> Self:
        """Start the server and return it."""
        self.start()
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        """Stop the server and remove its directory."""
        self.stop()

    # -- databases -------------------------------------------------------------------

    def create_database(self, name: str) -> str:
        """Create database ``name`` (owned by ``postgres``) and return its URL."""
        with psycopg.connect(self.admin_url, autocommit=True) as conn:
            conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
        return self.url_for(name)

    @contextmanager
    def temporary_database(self, label: str) -> Iterator[str]:
        """A new empty database named after ``label`` (and this process); yields its URL, drops it afterwards."""
        slug = re.sub(r"[^a-z0-9]+", "_", label.lower()).strip("_")[:40]
        name = f"t_{os.getpid()}_{slug}"
        url = self.create_database(name)
        try:
            yield url
        finally:
            self.drop_database(name)

    def drop_database(self, name: str) -> None:
        """Drop database ``name`` if it exists, ending any sessions still connected."""
        with psycopg.connect(self.admin_url, autocommit=True) as conn:
            conn.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name)))

    # -- helpers -----------------------------------------------------------------------

    @staticmethod
    def _runuser() -> str | None:
        for candidate in (shutil.which("runuser"), "/usr/sbin/runuser", "/sbin/runuser"):
            if candidate and os.access(candidate, os.X_OK):
                return candidate
        return None

    def _initdb(self) -> None:
        attempts: list[str] = []
        for locale in ("C.UTF-8", "C"):
            shutil.rmtree(self.datadir, ignore_errors=True)  # initdb wants it absent or empty
            result = self._run(
                "initdb", "-D", str(self.datadir), "-A", "trust", "-U", "postgres",
                "--no-sync", "-E", "UTF8", f"--locale={locale}",
            )  # fmt: skip
            if result.returncode == 0:
                return
            attempts.append(f"--locale={locale} ({result.returncode}):\n{result.stdout}")
        raise RuntimeError("initdb failed:\n" + "\n".join(attempts))

    def _run(self, program: str, *args: str) -> subprocess.CompletedProcess[str]:
        assert self.bindir is not None and self._tmpdir is not None
        command = [str(self.bindir / program), *args]
        if self._run_as:
            runuser = self._runuser()
            assert runuser is not None
            command = [runuser, "-u", self._run_as, "--", *command]
        # PG* variables of the caller (PGDATA, PGPORT, ...) must not steer our cluster.
        env = {k: v for k, v in os.environ.items() if not k.startswith("PG")}
        return subprocess.run(
            command,
            cwd=self._tmpdir,  # the postgres user may not be able to enter the caller's cwd
            env=env,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
            timeout=_TIMEOUT_S,
            check=False,
        )

    def _log_tail(self, lines: int = 40) -> str:
        try:
            return "\n".join(self.logfile.read_text(errors="replace").splitlines()[-lines:])
        except OSError as exc:
            return f"(no log: {exc})"

    def _remove_tmpdir(self) -> None:
        if self._tmpdir is not None:
            shutil.rmtree(self._tmpdir, ignore_errors=True)
            self._tmpdir = None
