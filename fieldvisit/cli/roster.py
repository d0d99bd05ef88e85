"""`fieldvisit roster import|show|remove`: the employee list that fills a petitioner's name,
unit and phone in the quick-capture form (see `fieldvisit.roster`)."""

from __future__ import annotations

from pathlib import Path

import click

from fieldvisit.cli.common import common_options, open_store, run, settings
from fieldvisit.core.errors import RosterError
from fieldvisit.core.i18n import t
from fieldvisit.core.text import printable
from fieldvisit.locations import paths


@click.group("roster")
def roster() -> None:
    """The laptop's employee roster: typing an employee number or the first characters of a
    name in the matter form then offers the person, and picking fills name, unit and phone.
    It stays on this laptop (sealed with the store's passphrase when one is set) and never
    goes into a hand-over bundle."""


@roster.command("import")
@common_options
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--dry-run", is_flag=True, help="Show what would be imported and write nothing.")
@click.pass_context
def import_command(ctx: click.Context, data_dir: Path | None, lang: str | None, file: Path, dry_run: bool) -> None:
    """Replace the roster with FILE, an employee list exported by HR: .xlsx, or .csv in UTF-8 or
    GBK, with columns for employee number, name, unit and phone named in Chinese or English
    (工号/员工编号, 姓名, 单位/部门/车间, 手机/电话…). Prints which column became which field, the
    first rows, the counts and every row skipped with why."""
    base, _ = settings(ctx, data_dir, lang)

    def read_and_save() -> None:
        # imported when this runs: `fieldvisit --help` and the other commands start without it
        from fieldvisit.roster.keeping import save_roster
        from fieldvisit.roster.preview import preview_lines
        from fieldvisit.roster.reading import read_roster

        found = read_roster(file)
        for line in preview_lines(found):
            click.echo(printable(line))
        if dry_run:
            click.echo(t("roster.dry_run"))
            return
        if not found.people:
            raise RosterError("error.roster.empty", path=str(file))
        with open_store(paths.field_store_dir(base)) as store:
            target = paths.field_home(base).roster_file
            count = save_roster(target, found.people, store.cipher, source=str(file))
            sealed = store.cipher is not None
        click.echo(printable(t("roster.saved" if sealed else "roster.saved_plain", count=count, path=str(target))))

    run(read_and_save)


@roster.command("show")
@common_options
@click.pass_context
def show_command(ctx: click.Context, data_dir: Path | None, lang: str | None) -> None:
    """Say how many people the roster holds, where it came from and whether it is sealed."""
    base, _ = settings(ctx, data_dir, lang)

    def show() -> None:
        # imported when this runs: `fieldvisit --help` and the other commands start without it
        from fieldvisit.roster.keeping import load_roster, read_document

        with open_store(paths.field_store_dir(base)) as store:
            target = paths.field_home(base).roster_file
            document = read_document(target)
            if document is None:
                click.echo(t("roster.none"))
                return
            count = len(load_roster(target, store.cipher))  # opens it: a wrong key is said here
        sealed = t("roster.status_sealed" if "sealed" in document else "roster.status_plain")
        click.echo(printable(t("roster.status", count=count, source=document.get("source") or "—", imported_at=document.get("imported_at") or "—", path=str(target), sealed=sealed)))

    run(show)


@roster.command("remove")
@common_options
@click.pass_context
def remove_command(ctx: click.Context, data_dir: Path | None, lang: str | None) -> None:
    """Delete the roster from this laptop (the store is untouched)."""
    base, _ = settings(ctx, data_dir, lang)

    def remove() -> None:
        # imported when this runs: `fieldvisit --help` and the other commands start without it
        from fieldvisit.roster.keeping import remove_roster

        target = paths.field_home(base).roster_file
        click.echo(printable(t("roster.removed", path=str(target)) if remove_roster(target) else t("roster.none")))

    run(remove)
