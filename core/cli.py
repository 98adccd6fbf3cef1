"""The ``hookbill`` command: serve, migrate, demo-data, create-staff, plugins, cron, outbox, new-plugin."""

from __future__ import annotations

import copy
import sys
import traceback
from pathlib import Path
from typing import Any

import click

from core import runtime
from core.config import ConfigError, load_config
from core.errors import DomainError
from core.plugins import PluginError, describe_failure, failed_in


class HookbillGroup(click.Group):
    """The ``hookbill`` group: what a person or a plugin refused, or a plugin broke, ends in one line.

    A :class:`core.errors.DomainError` (bad input, a rule, a plugin's
    ``HookRefused``) prints its message; an exception raised in a plugin's hook
    prints its traceback and then the plugin and hook at fault. Both exit with
    status 1, after the command's transaction rolled back. Any other exception is
    a bug of hookbill and propagates with its traceback.
    """

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except DomainError as exc:
            raise click.ClickException(exc.message) from exc
        except Exception as exc:
            if failed_in(exc) is None:
                raise
            traceback.print_exception(exc, file=sys.stderr)
            raise click.ClickException(describe_failure(exc)) from exc


def _setup(config_path: str | None) -> runtime.Runtime:
    try:
        return runtime.setup(load_config(config_path))
    except (ConfigError, PluginError) as exc:
        raise click.ClickException(str(exc)) from exc


@click.group(cls=HookbillGroup)
@click.option(
    "--config",
    "config_path",
    envvar="HOOKBILL_CONFIG",
    default=None,
    help="Path to config.toml (default: $HOOKBILL_CONFIG or ./config.toml).",
)
@click.pass_context
def cli(ctx: click.Context, config_path: str | None) -> None:
    """hookbill: a billing panel for hosting providers."""
    # A caller may hand in a runtime that is set up already (the testing kit's
    # CLI runner does, so commands see the test's database and plugins).
    ctx.ensure_object(dict)
    ctx.obj.setdefault("config_path", config_path)


def _rt(ctx: click.Context) -> runtime.Runtime:
    if "runtime" not in ctx.obj:
        ctx.obj["runtime"] = _setup(ctx.obj.get("config_path"))
    return ctx.obj["runtime"]


@cli.command()
@click.pass_context
def migrate(ctx: click.Context) -> None:
    """Apply pending schema migrations (safe to run twice, and from two processes).

    With work to do, a progress bar on a terminal (standard error), else one
    summary line there; then the migrations applied, one a line.
    """
    from core.i18n import N_
    from core.migrate import migrate as run
    from core.migrate import pending
    from core.progress import Progress

    rt = _rt(ctx)
    waiting = len(pending(rt))
    if not waiting:
        run(rt)  # records the new names of renumbered migrations applied under their old ones
        click.echo("nothing to migrate")
        return
    with Progress(N_("Migrations"), total=waiting) as progress:
        applied = run(rt, progress)
    click.echo("\n".join(f"applied {name}" for name in applied) or "nothing to migrate")


@cli.command("demo-data")
@click.pass_context
def demo_data(ctx: click.Context) -> None:
    """Load the demo provider, catalogue and customers, and print the logins."""
    from core import db
    from core.demo import (
        COMPANY_EMAIL,
        CUSTOMER_PASSWORD,
        PRIVATE_EMAIL,
        STAFF_EMAIL,
        STAFF_PASSWORD,
        load_demo_data,
        load_plugin_demo_data,
    )

    rt = _rt(ctx)
    with db.connection():
        created = load_demo_data()
        extra = load_plugin_demo_data()
    base = str(rt.config.get_value("app.base_url")).rstrip("/")
    click.echo("demo data loaded" if created else "demo data already present")
    click.echo(f"  client area: {base}/login")
    click.echo(f"    company customer: {COMPANY_EMAIL} / {CUSTOMER_PASSWORD}")
    click.echo(f"    private customer: {PRIVATE_EMAIL} / {CUSTOMER_PASSWORD}")
    click.echo(f"  admin area:  {base}/admin/login")
    click.echo(f"    staff admin:      {STAFF_EMAIL} / {STAFF_PASSWORD}")
    for line in extra:
        click.echo(f"  {line}")


@cli.command("create-staff")
@click.option("--email", prompt=True)
@click.option("--name", prompt=True)
@click.option("--role", type=click.Choice(["admin", "billing", "support"]), default="admin", show_default=True)
@click.password_option()
@click.pass_context
def create_staff(ctx: click.Context, email: str, name: str, role: str, password: str) -> None:
    """Create a staff account (the same rules as the admin area's Staff page)."""
    from core import db
    from core.staff.service import create_staff as create

    _rt(ctx)
    with db.connection():
        member = create(email, name, role, password, via="cli")
    click.echo(f"created staff {member.email} ({role})")


@cli.command()
@click.pass_context
def plugins(ctx: click.Context) -> None:
    """List plugins: name, version, where it came from, and the hooks it implements."""
    from core.plugins import describe_plugins

    for info in describe_plugins(_rt(ctx).pm):
        click.echo(f"{info.name}  {info.version}  [{info.source}]")
        click.echo(f"    hooks: {', '.join(info.hooks) or '-'}")


@cli.command()
@click.option("--job", default=None, help="Run only this job.")
@click.pass_context
def cron(ctx: click.Context, job: str | None) -> None:
    """Run due periodic jobs once (call every minute from cron or a systemd timer)."""
    from core import db
    from core.cron import run_due

    _rt(ctx)
    with db.connection():
        results = run_due(job)
    for name, state in results.items():
        click.echo(f"{name}: {state}")
    if "failed" in results.values():
        sys.exit(1)


@cli.command()
@click.option("--limit", type=int, default=None, help="At most this many messages [default: outbox.per_minute].")
@click.pass_context
def outbox(ctx: click.Context, limit: int | None) -> None:
    """Send what is due in the outbox (mail, provisioning, document PDFs...)."""
    from core import db
    from core import outbox as box

    rt = _rt(ctx)
    with db.connection():
        done = box.process(limit=limit or box.per_minute(), max_attempts=int(rt.config.get_value("mail.max_attempts")))
        left = box.pending_count()
    click.echo(f"sent {done}, waiting {left}")


@cli.command("hooks-doc")
def hooks_doc() -> None:
    """Print the hook reference (Markdown) generated from the hookspecs."""
    from core.hookdoc import render

    click.echo(render(), nl=False)


@cli.command("new-plugin")
@click.argument("name")
@click.option(
    "--directory",
    type=click.Path(file_okay=False, path_type=Path),
    default=None,
    help="Where to write it (default: ./hookbill-NAME).",
)
def new_plugin(name: str, directory: Path | None) -> None:
    """Write a new plugin package NAME: entry point, a hook, a setting, a table, a translation, tests."""
    from core.scaffold import PluginNames, ScaffoldError
    from core.scaffold import new_plugin as write

    try:
        target = write(name, directory)
    except ScaffoldError as exc:
        raise click.ClickException(str(exc)) from exc
    names = PluginNames.of(name)
    click.echo(f"wrote {names.dist} (package {names.package}, plugin name {names.name!r}) in {target}")
    click.echo("next:")
    click.echo(f"  cd {target}")
    click.echo("  pip install -e '.[test]'")
    click.echo(f"  hookbill compile-catalogs {names.package}")
    click.echo("  pytest")


@cli.command("compile-catalogs")
@click.argument("folders", nargs=-1, type=click.Path(exists=True, file_okay=False, path_type=Path))
def compile_catalogs(folders: tuple[Path, ...]) -> None:
    """Compile the gettext catalogs (.po to .mo) under FOLDERS that changed (for editable installs)."""
    from core.catalogs import compile_tree

    written = compile_tree(list(folders) or [Path(".")])
    click.echo(f"compiled {len(written)} catalog(s)" if written else "catalogs are up to date")


@cli.command()
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=5000, show_default=True)
@click.pass_context
def serve(ctx: click.Context, host: str, port: int) -> None:
    """Serve the panel with the built-in server (for trying out; use gunicorn in production)."""
    from werkzeug.serving import run_simple

    from core.app import create_app

    _rt(ctx)
    app = create_app(ctx.obj["runtime"].config)
    click.echo(f"hookbill is serving on http://{host}:{port}/ (Ctrl+C stops it)")
    run_simple(host, port, app, threaded=True, use_reloader=False)


def with_plugin_commands(pm: Any) -> click.Group:
    """The ``hookbill`` group with the commands of ``pm``'s plugins added (a copy: ``cli`` stays as it is)."""
    group = copy.copy(cli)
    group.commands = dict(cli.commands)
    for commands in pm.hook.hookbill_cli_commands():
        for command in commands:
            group.add_command(command)
    return group


def _with_plugin_commands() -> click.Group:
    try:
        rt = runtime.setup(load_config())
    except Exception:
        return cli
    return with_plugin_commands(rt.pm)


#: Commands that need no configuration, database or plugins (they work in any folder).
STANDALONE_COMMANDS = frozenset({"new-plugin", "compile-catalogs", "hooks-doc"})


def main(argv: list[str] | None = None) -> Any:
    """Entry point of the ``hookbill`` console script."""
    args = list(sys.argv[1:] if argv is None else argv)
    standalone = bool(args) and args[0] in STANDALONE_COMMANDS
    group = _with_plugin_commands() if "--config" not in args and not standalone else cli
    return group.main(args=argv, prog_name="hookbill")


if __name__ == "__main__":
    main()
