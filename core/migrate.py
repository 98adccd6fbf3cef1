"""Versioned schema migrations for the core and for each plugin.

Each component (``core`` or a plugin) registers a package of migration modules
through the ``hookbill_migrations`` hook. A module ``mNNNN_name.py`` defines
``up(db, migrator)``. Applied migrations are recorded in ``schema_migration``
by (component, name), so running ``hookbill migrate`` twice does nothing the
second time. They run in the order of their names, so each number ``NNNN``
is used once per component (:func:`duplicate_numbers`; a test of the core's
and of every built-in plugin's sets says so).

**Renumbering.** A migration that was released under another name (two
branches both added an ``m0006``) is renamed to its place in the sequence and
declares the names it was applied under before: ``REPLACES = ("m0006_orders",)``.
On a database that recorded one of those names it is not run again: its new
name is recorded beside the old one (:func:`migrate`), and :func:`pending`
does not list it.

Two processes migrating at once: everything runs in one transaction that first
takes a database-wide lock (``pg_advisory_xact_lock`` on PostgreSQL, ``BEGIN
IMMEDIATE`` on SQLite). The second process waits, then finds nothing to do.
DDL is transactional on both engines, so a failing migration leaves nothing
half-applied. ``hookbill migrate`` shows its progress (:mod:`core.progress`):
a bar naming the migration at work in a terminal, a summary line otherwise.
"""

from __future__ import annotations

import importlib
import pkgutil
import re
from collections.abc import Iterable
from dataclasses import dataclass
from types import ModuleType

import peewee
from playhouse.migrate import PostgresqlMigrator, SchemaMigrator, SqliteMigrator

from core import clock, db
from core.extension import MigrationSet
from core.progress import Progress
from core.runtime import Runtime

LOCK_KEY = 0x686F6F6B  # "hook"


class MigrationTable(peewee.Model):
    """One applied migration."""

    component = peewee.CharField(max_length=64)
    name = peewee.CharField(max_length=128)
    applied_at = peewee.DateTimeField()

    class Meta:
        database = db.database
        table_name = "schema_migration"
        indexes = ((("component", "name"), True),)


#: A migration module's name: ``m``, its number, ``_``, what it does.
NAME = re.compile(r"m(\d+)_\w+")


@dataclass(frozen=True)
class PlannedMigration:
    """A migration module of a component, not necessarily applied yet."""

    component: str
    name: str
    module: ModuleType

    @property
    def replaces(self) -> tuple[str, ...]:
        """The names this migration was applied under before it was renumbered (the module's ``REPLACES``)."""
        return tuple(getattr(self.module, "REPLACES", ()))

    def applied_in(self, done: set[tuple[str, str]]) -> bool:
        """True when ``done`` (component, name) records this migration, by its name or one it replaces."""
        return any((self.component, name) in done for name in (self.name, *self.replaces))


def _check_replaces(package: str, name: str, module: ModuleType, names: list[str]) -> None:
    """Refuse a ``REPLACES`` that is not a tuple of names, or that names a migration still in the package."""
    replaces = getattr(module, "REPLACES", ())
    if not isinstance(replaces, tuple) or not all(isinstance(old, str) and NAME.fullmatch(old) for old in replaces):
        raise RuntimeError(f"migration {package}.{name}: REPLACES must be a tuple of migration names")
    clash = [old for old in replaces if old in names]
    if clash:
        raise RuntimeError(f"migration {package}.{name} replaces {clash[0]}, which is still a migration")


def duplicate_numbers(planned: Iterable[PlannedMigration]) -> list[str]:
    """``component:mNNNN`` for each number two migrations of one component share (none when in order)."""
    seen: dict[tuple[str, int], list[str]] = {}
    for item in planned:
        found = NAME.fullmatch(item.name)
        number = int(found.group(1)) if found else -1
        seen.setdefault((item.component, number), []).append(item.name)
    return [
        f"{component}:m{number:04d} ({', '.join(names)})"
        for (component, number), names in seen.items()
        if len(names) > 1
    ]


def collect(runtime: Runtime) -> list[PlannedMigration]:
    """All migrations of all components, core first, then in plugin order."""
    sets: list[MigrationSet] = [s for group in runtime.pm.hook.hookbill_migrations() for s in group]
    sets.sort(key=lambda s: (s.component != "core",))
    planned = []
    seen: set[str] = set()
    for mset in sets:
        if mset.component in seen:
            raise RuntimeError(f"two plugins register migrations for component {mset.component!r}")
        seen.add(mset.component)
        package = importlib.import_module(mset.package)
        names = sorted(info.name for info in pkgutil.iter_modules(package.__path__) if info.name.startswith("m"))
        for name in names:
            module = importlib.import_module(f"{mset.package}.{name}")
            if not callable(getattr(module, "up", None)):
                raise RuntimeError(f"migration {mset.package}.{name} has no up(db, migrator)")
            _check_replaces(mset.package, name, module, names)
            planned.append(PlannedMigration(mset.component, name, module))
    return planned


def _migrator(database: peewee.Database) -> SchemaMigrator:
    if isinstance(database, peewee.PostgresqlDatabase):
        return PostgresqlMigrator(database)
    return SqliteMigrator(database)


def migrate(runtime: Runtime, progress: Progress | None = None) -> list[str]:
    """Apply every pending migration; return ``component:name`` of those applied now.

    A renumbered migration applied before under a name it ``REPLACES`` is not
    run: its new name is recorded (module docstring). ``progress`` (its
    ``total`` the number of pending migrations) is advanced by one per
    migration applied, naming the one at work.
    """
    database = runtime.database
    planned = collect(runtime)
    applied_now: list[str] = []
    with db.connection(), db.write_transaction():
        if db.is_postgres():
            database.execute_sql("SELECT pg_advisory_xact_lock(%s)", (LOCK_KEY,))
        database.create_tables([MigrationTable], safe=True)
        done = {(row.component, row.name) for row in MigrationTable.select()}
        migrator = _migrator(database)
        for item in planned:
            if (item.component, item.name) in done:
                continue
            if item.applied_in(done):  # applied before it was renumbered: record its new name
                MigrationTable.create(component=item.component, name=item.name, applied_at=clock.utcnow())
                continue
            if progress is not None:
                progress.advance(0, note=f"{item.component}:{item.name}")
            item.module.up(database, migrator)
            MigrationTable.create(component=item.component, name=item.name, applied_at=clock.utcnow())
            applied_now.append(f"{item.component}:{item.name}")
            if progress is not None:
                progress.advance(1)
    return applied_now


def pending(runtime: Runtime) -> list[str]:
    """``component:name`` of migrations not applied yet (for status and start-up checks)."""
    with db.connection():
        if not runtime.database.table_exists("schema_migration"):
            return [f"{p.component}:{p.name}" for p in collect(runtime)]
        done = {(row.component, row.name) for row in MigrationTable.select()}
    return [f"{p.component}:{p.name}" for p in collect(runtime) if not p.applied_in(done)]
