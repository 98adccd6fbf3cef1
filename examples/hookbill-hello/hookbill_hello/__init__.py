"""hookbill-hello: the smallest useful third-party plugin.

Installed with ``pip install ./examples/hookbill-hello``, it is found through the
``hookbill`` entry-point group. It adds a note to every page footer, a CLI
command, and counts logins in the activity log details.
"""

from __future__ import annotations

from typing import Any

import click
import pluggy

__version__ = "1.2.0"

# Plugins mark their hooks with the project's marker; importing it from hookbill
# works too (``from core.hookspecs import hookimpl``).
hookimpl = pluggy.HookimplMarker("hookbill")


@hookimpl
def hookbill_template_snippet(name: str, context: Any) -> str | None:
    """Say hello in the footer of every page."""
    if name == "footer":
        return "Hello from hookbill-hello"
    return None


@click.command("hello")
def hello_command() -> None:
    """Print a greeting (shows that plugins add CLI commands)."""
    click.echo("hello from hookbill-hello")


@hookimpl
def hookbill_cli_commands() -> list[click.Command]:
    """Add ``hookbill hello``."""
    return [hello_command]
