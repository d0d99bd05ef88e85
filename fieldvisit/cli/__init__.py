"""The `fieldvisit` command line: the field app by default, plus commands for scripts.

Textual is imported only by the commands that open an app, so `fieldvisit visits --json` in a
script stays quick. Errors go to stderr with a non-zero exit code.
"""

from __future__ import annotations

from pathlib import Path

import click

from fieldvisit.locations import paths
from fieldvisit.cli import field, notices, office, passphrase, reports, roster, transfer
from fieldvisit.cli.common import common_options, open_field_app, run, settings


@click.group(invoke_without_command=True)
@common_options
@click.version_option(package_name="fieldvisit")
@click.pass_context
def main(ctx: click.Context, data_dir: Path | None, lang: str | None) -> None:
    """Record the matters raised on a site visit; with no command, open the field app."""
    if ctx.invoked_subcommand is None:
        base, _ = settings(ctx, data_dir, lang)
        run(lambda: open_field_app(paths.field_store_dir(base)))


COMMANDS = (
    field.demo, field.visits, field.config, field.enroll,
    transfer.export_command, transfer.import_command, transfer.qr_command,
    office.office, reports.summary, reports.report, reports.register,
    passphrase.passphrase, roster.roster,
    notices.notice,
)
for command in COMMANDS:
    main.add_command(command)
