"""The `fieldvisit` command line: the field app by default, plus commands for scripts.

Textual is imported only by the commands that open an app, so `fieldvisit visits --json` in a
script stays quick. Errors go to stderr with a non-zero exit code.
"""

from __future__ import annotations

import datetime as dt
import json
import sys
from pathlib import Path
from typing import Any, Callable

import click

from fieldvisit import paths
from fieldvisit.errors import FieldVisitError
from fieldvisit.i18n import LANGUAGES, set_language, t


def common_options(command: Callable) -> Callable:
    """--data-dir and --lang, accepted before or after the command name."""
    command = click.option(
        "--lang",
        type=click.Choice(LANGUAGES, case_sensitive=False),
        default=None,
        help="Interface language (default: from the locale, or FIELDVISIT_LANG).",
    )(command)
    return click.option(
        "--data-dir",
        type=click.Path(file_okay=False, path_type=Path),
        default=None,
        help="Folder holding the stores (default: FIELDVISIT_DATA, else the user data folder).",
    )(command)


def _settings(ctx: click.Context, data_dir: Path | None, lang: str | None) -> tuple[Path, str]:
    """Options given after the command win over the ones given before it."""
    parent = ctx.find_root().params
    language = set_language(lang or parent.get("lang"))
    return paths.data_dir(data_dir or parent.get("data_dir")), language


@click.group(invoke_without_command=True)
@common_options
@click.version_option(package_name="fieldvisit")
@click.pass_context
def main(ctx: click.Context, data_dir: Path | None, lang: str | None) -> None:
    """Record the matters raised on a site visit; with no command, open the field app."""
    if ctx.invoked_subcommand is None:
        base, _ = _settings(ctx, data_dir, lang)
        _run(lambda: _open_field_app(paths.field_store_dir(base)))


@main.command()
@common_options
@click.option("--seed", type=int, default=1, show_default=True, help="Which sample laptop: each seed is another device with other data.")
@click.option("--anchor", type=click.DateTime(["%Y-%m-%d"]), default=None, help="The demo's 'today' (default: today); with --seed it fixes the data exactly.")
@click.option("--no-open", is_flag=True, help="Write the demo store and exit without opening the app.")
@click.pass_context
def demo(ctx: click.Context, data_dir: Path | None, lang: str | None, seed: int, anchor: dt.datetime | None, no_open: bool) -> None:
    """Fill a store with realistic sample visits and matters, then open the field app on it.

    Without --data-dir the sample store lives apart from your own data and is made afresh.
    """
    given = data_dir or ctx.find_root().params.get("data_dir")
    base, _ = _settings(ctx, data_dir, lang)
    store_dir = paths.field_store_dir(base) if given else paths.demo_dir(seed)

    def write_and_open() -> None:
        from fieldvisit.demo import write_demo_store

        summary = write_demo_store(store_dir, seed=seed, anchor=(anchor or dt.datetime.now()).date())
        click.echo(t("cli.demo_written", visits=summary["visits"], issues=summary["issues"], path=str(store_dir)))
        if not no_open:
            _open_field_app(store_dir)

    _run(write_and_open)


@main.command()
@common_options
@click.option("--json", "as_json", is_flag=True, help="Print JSON for scripts.")
@click.pass_context
def visits(ctx: click.Context, data_dir: Path | None, lang: str | None, as_json: bool) -> None:
    """List the visits in the field store with their number of matters."""
    base, _ = _settings(ctx, data_dir, lang)

    def show() -> None:
        from fieldvisit.store import TinyDBStore
        from fieldvisit.views import visit_rows

        with TinyDBStore.in_directory(paths.field_store_dir(base)) as store:
            rows = visit_rows(store)
        if as_json:
            click.echo(json.dumps([row.as_json() for row in rows], ensure_ascii=False, indent=2))
            return
        for row in rows:
            click.echo(f"{row.id}  {row.date}  {row.site}  {row.title}  {t('cli.matters', count=row.matters)}")
        if not rows:
            click.echo(t("visits.empty"))

    _run(show)


@main.command("export")
@common_options
@click.option("--visit", "visit_ids", multiple=True, help="A visit id to export (repeat for several).")
@click.option("--all", "export_all", is_flag=True, help="Export every visit in the store.")
@click.option("--office", is_flag=True, help="Export from the office store instead of the field store.")
@click.option("--device", "device_id", default=None, help="Only visits recorded on this device (office exports for one laptop).")
@click.option("--out", type=click.Path(path_type=Path), required=True, help="A folder (e.g. a USB stick) or a file name ending .fvb or .json.")
@click.option("--json", "as_json", is_flag=True, help="Print the result as JSON.")
@click.pass_context
def export_command(ctx, data_dir, lang, visit_ids, export_all, office, device_id, out, as_json) -> None:
    """Write visits and their matters as a bundle to hand over by USB stick."""
    base, _ = _settings(ctx, data_dir, lang)

    def export() -> None:
        from fieldvisit.store import TinyDBStore
        from fieldvisit.sync.exporter import export_bundle, write_bundle

        if not visit_ids and not export_all and not device_id:
            raise click.UsageError(t("cli.export_what"))
        store_dir = paths.office_store_dir(base) if office else paths.field_store_dir(base)
        with TinyDBStore.in_directory(store_dir) as store:
            bundle = export_bundle(store, list(visit_ids) or None, device_id)
        target = write_bundle(bundle, out)
        summary = {"path": str(target), "bundle_id": bundle["bundle_id"], "visits": len(bundle["visits"]), "issues": len(bundle["issues"])}
        if as_json:
            click.echo(json.dumps(summary, ensure_ascii=False, indent=2))
        else:
            click.echo(t("cli.exported", **summary))

    _run(export)


@main.command("import")
@common_options
@click.argument("sources", nargs=-1, required=True)
@click.option("--field", is_flag=True, help="Import into the field store (an office export) instead of the office store.")
@click.option("--json", "as_json", is_flag=True, help="Print one JSON object per bundle.")
@click.pass_context
def import_command(ctx, data_dir, lang, sources, field, as_json) -> None:
    """Merge bundles (files, folders of .fvb files, or - for stdin) into the store.

    Each bundle is checked completely before anything is written; a bad one is reported with
    its reason and changes nothing. Exit code 1 when any bundle was rejected.
    """
    base, _ = _settings(ctx, data_dir, lang)

    def run_import() -> None:
        from fieldvisit.editor import Editor
        from fieldvisit.store import TinyDBStore
        from fieldvisit.sync.importer import REJECTED, import_bundles
        from fieldvisit.sync.sources import read_sources

        payloads = read_sources(sources, stdin=sys.stdin.buffer)
        store_dir = paths.field_store_dir(base) if field else paths.office_store_dir(base)
        with TinyDBStore.in_directory(store_dir) as store:
            Editor(store)  # an office store gets its own device identity on first use
            reports = import_bundles(store, payloads)
        for report in reports:
            if as_json:
                click.echo(json.dumps(report.as_json(), ensure_ascii=False))
            else:
                click.echo(report.describe(), err=report.status == REJECTED)
        if any(report.status == REJECTED for report in reports):
            sys.exit(1)

    _run(run_import)


@main.command()
@common_options
@click.pass_context
def office(ctx: click.Context, data_dir: Path | None, lang: str | None) -> None:
    """Open the office app on the central store: import bundles and see the import log."""
    base, _ = _settings(ctx, data_dir, lang)

    def open_office() -> None:
        from fieldvisit.office_app import OfficeApp
        from fieldvisit.store import TinyDBStore

        with TinyDBStore.in_directory(paths.office_store_dir(base)) as store:
            OfficeApp(store).run()

    _run(open_office)


def _open_field_app(store_dir: Path) -> None:
    from fieldvisit.field_app import FieldApp
    from fieldvisit.store import TinyDBStore

    with TinyDBStore.in_directory(store_dir) as store:
        FieldApp(store).run()


def _run(action: Callable[[], Any]) -> None:
    """Run a command; a user-facing error becomes one line on stderr and exit code 1."""
    try:
        action()
    except FieldVisitError as error:
        click.echo(f"fieldvisit: {error}", err=True)
        sys.exit(1)
