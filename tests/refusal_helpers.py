"""Helpers for the refusal and plugin-fault tests: drop-in plugins written per test, and the whole database.

A test module that uses them overrides the ``app_overrides`` fixture so the app
is built with ``plugins.folder`` pointing at the test's own folder, into which
:func:`write_refuser` or :func:`write_plugin` wrote the plugin before the app
was created. The refusing plugin refuses only while armed
(:func:`arm`), so a test can build its situation through the same hooks first.
"""

from __future__ import annotations

import inspect
import sys
from pathlib import Path
from typing import Any

from core import db, hookspecs
from core.models import RateEvent, WebSession

REFUSER = "refuser"
#: What the refusing plugin says, with the hook's name; non-ASCII on purpose (escaping).
MESSAGE = "Wtyczka odmówiła ({hook}): spróbuj później."
#: Tables an action may write even when its event was refused: the browser's
#: session (CSRF token, flash message) and login attempt counters.
NOT_THE_EVENT = {WebSession._meta.table_name, RateEvent._meta.table_name}


def refuser_source(*hooks: str) -> str:
    """A drop-in plugin implementing ``hooks`` with their spec's arguments; each refuses while armed."""
    lines = [
        "from core.hookspecs import HookRefused, hookimpl",
        "",
        "ARMED: set[str] = set()",
        f"MESSAGE = {MESSAGE!r}",
    ]
    for hook in hooks:
        params = ", ".join(inspect.signature(getattr(hookspecs, hook)).parameters)
        lines += [
            "",
            "",
            "@hookimpl",
            f"def {hook}({params}):",
            f"    if {hook!r} in ARMED:",
            f"        raise HookRefused(MESSAGE.format(hook={hook!r}))",
        ]
    return "\n".join(lines) + "\n"


def write_plugin(folder: Path, name: str, source: str) -> None:
    """Put ``name.py`` with ``source`` into the drop-in folder."""
    folder.mkdir(parents=True, exist_ok=True)
    (folder / f"{name}.py").write_text(source, encoding="utf-8")


def write_refuser(folder: Path, *hooks: str) -> None:
    """The refusing drop-in plugin for ``hooks``."""
    write_plugin(folder, REFUSER, refuser_source(*hooks))


def dropin(name: str) -> Any:
    """The loaded module of drop-in plugin ``name``."""
    return sys.modules[f"hookbill_dropin_{name}"]


def arm(*hooks: str) -> None:
    """From now on the refusing plugin refuses ``hooks``."""
    dropin(REFUSER).ARMED.update(hooks)


def message(hook: str) -> str:
    """What the refusing plugin says when it refuses ``hook``."""
    return MESSAGE.format(hook=hook)


def database_state() -> dict[str, list[tuple[Any, ...]]]:
    """Every row of every table but :data:`NOT_THE_EVENT`, to compare before and after an action."""
    with db.connection() as database:
        state = {}
        for table in sorted(database.get_tables()):
            if table in NOT_THE_EVENT:
                continue
            cursor = database.execute_sql(f'SELECT * FROM "{table}" ORDER BY 1')
            state[table] = [tuple(row) for row in cursor.fetchall()]
        return state


def changed_tables(before: dict[str, list[tuple[Any, ...]]], after: dict[str, list[tuple[Any, ...]]]) -> list[str]:
    """The tables whose rows differ between two :func:`database_state` snapshots."""
    return sorted(name for name in before.keys() | after.keys() if before.get(name) != after.get(name))
