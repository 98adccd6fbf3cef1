"""``hookbill statements import FILE [--bank NAME]``: import a statement from a scheduled job.

Prints the import's summary (in the provider's language, ``app.language``)
and exits with 0; a file that cannot be read, or an unknown bank, prints why
and exits with 1, having booked nothing. While it works, standard error shows
a progress bar in a terminal, else one line (how many lines, how long).
"""

from __future__ import annotations

from pathlib import Path

import click

from core import db, runtime
from core.i18n import N_, document_text, number
from core.progress import Progress
from plugins.bankstatements.parsers import FORMAT_LABELS, StatementError


@click.group("statements")
def statements() -> None:
    """Bank statements: import them and match the transfers to documents."""


@statements.command("import")
@click.option("--bank", "bank_slug", default=None, help="The bank's short name (admin → Bank statements → Banks).")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
def import_file(bank_slug: str | None, file: Path) -> None:
    """Import the statement in FILE, book what matches and queue the rest for staff."""
    from plugins.bankstatements.importing import import_statement
    from plugins.bankstatements.models import Bank
    from plugins.bankstatements.summary import summary_rows

    lang = str(runtime.config().get_value("app.language"))
    with db.connection():
        bank = None
        if bank_slug:
            bank = Bank.get_or_none(Bank.slug == bank_slug.strip().lower())
            if bank is None:
                raise click.ClickException(
                    document_text(N_("There is no bank with the short name %(name)s."), name=bank_slug)
                )
        try:
            data = file.read_bytes()
            with Progress(N_("Statement lines")) as progress:
                record = import_statement(data, bank=bank, filename=file.name, via="cli", progress=progress)
        except StatementError as exc:
            raise click.ClickException(document_text(exc.message, **exc.values)) from None
        rows = summary_rows(record)
    fmt = document_text(FORMAT_LABELS.get(record.format, record.format))
    click.echo(document_text(N_("Statement %(file)s imported (%(format)s)."), file=record.filename, format=fmt))
    for row in rows:
        label = document_text(row.label)
        click.echo(f"  {label + ':':<40} {row.count:>6}  {number(row.total, lang):>16}")
