"""Field-laptop commands: the demo store, the list of visits, enrolling with an office."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import click

from fieldvisit.locations import paths
from fieldvisit.cli.common import ask_passphrase, common_options, open_field_app, open_store, run, settings
from fieldvisit.core.i18n import t
from fieldvisit.core.text import printable, printable_json


@click.command()
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
    base, _ = settings(ctx, data_dir, lang)
    store_dir = paths.field_store_dir(base) if given else paths.demo_dir(seed)

    def write_and_open() -> None:
        # imported when this runs: `fieldvisit --help` and the other commands start without it
        from fieldvisit.demo.laptop import write_demo_store
        from fieldvisit.demo.roster import write_demo_roster
        from fieldvisit.stores.store import TinyDBStore

        cipher = _demo_cipher(store_dir)
        summary = write_demo_store(store_dir, seed=seed, anchor=(anchor or dt.datetime.now()).date())
        with TinyDBStore.in_directory(store_dir) as store:
            if cipher is not None:
                store.reseal(cipher)
            people = write_demo_roster(store, store_dir, seed, cipher)
        click.echo(t("cli.demo_written", visits=summary["visits"], issues=summary["issues"], path=str(store_dir)))
        click.echo(t("roster.demo", count=people))
        if not no_open:
            open_field_app(store_dir, cipher)

    run(write_and_open)


def _demo_cipher(store_dir: Path):
    """A demo store someone protected with a passphrase stays protected when it is made afresh:
    its passphrase is asked (and checked) before anything is replaced, and the new sample data
    is sealed with it. (Between the two writes the file holds only sample data, in plain.)"""
    # imported when this runs: `fieldvisit --help` and the other commands start without it
    from fieldvisit.stores import at_rest
    from fieldvisit.stores.store import TinyDBStore

    with TinyDBStore.in_directory(store_dir) as existing:
        found = existing.at_rest_settings()
        if found is None or not existing.meta().get("demo"):
            return None  # plain, or real data that write_demo_store refuses to touch
        return at_rest.cipher_for(found, ask_passphrase(), existing.location)


@click.command()
@common_options
@click.option("--json", "as_json", is_flag=True, help="Print JSON for scripts.")
@click.pass_context
def visits(ctx: click.Context, data_dir: Path | None, lang: str | None, as_json: bool) -> None:
    """List the visits in the field store with their number of matters."""
    base, _ = settings(ctx, data_dir, lang)

    def show() -> None:
        # imported when this runs: `fieldvisit --help` and the other commands start without it
        from fieldvisit.editing.views import visit_rows

        with open_store(paths.field_store_dir(base), read_only=True) as store:  # while the field app is open, too
            rows = visit_rows(store)
        if as_json:
            click.echo(printable_json(json.dumps([row.as_json() for row in rows], ensure_ascii=False, indent=2)))
            return
        for row in rows:
            click.echo(printable(f"{row.id}  {row.date}  {row.site}  {row.title}  {t('cli.matters', count=row.matters)}"))
        if not rows:
            click.echo(t("visits.empty"))

    run(show)


@click.command("config")
@common_options
@click.option("--recorder", default=None, help="The name written as recorder on this laptop's matters and changes when a visit names no recorder (set once per laptop; never the login name).")
@click.pass_context
def config(ctx: click.Context, data_dir: Path | None, lang: str | None, recorder: str | None) -> None:
    """Show or set this laptop's settings kept in its store."""
    base, _ = settings(ctx, data_dir, lang)

    def change() -> None:
        # imported when this runs: `fieldvisit --help` and the other commands start without it
        from fieldvisit.editing.editor import RECORDER_META, Editor

        with open_store(paths.field_store_dir(base)) as store:
            if recorder is not None:
                Editor(store).set_recorder(recorder)
            click.echo(printable(t("config.recorder", name=store.meta().get(RECORDER_META) or t("config.unset"))))

    run(change)


@click.command("enroll")
@common_options
@click.argument("token_file", type=click.Path(exists=True, path_type=Path))
@click.option("--switch-office", is_flag=True, help="Enroll with the office in TOKEN_FILE although this laptop is enrolled with another one: later hand-overs go to the new office only.")
@click.pass_context
def enroll(ctx, data_dir, lang, token_file, switch_office) -> None:
    """Enroll this laptop with the office named in TOKEN_FILE (the .json, a photo / PNG of its
    QR code, or a folder such as a USB stick holding one): from now on exports are sealed to it
    and signed by this laptop. Read the fingerprint shown to the officer, who approves it."""
    base, _ = settings(ctx, data_dir, lang)

    def run_enroll() -> None:
        # imported when this runs: `fieldvisit --help` and the other commands start without it
        from fieldvisit.editing.editor import Editor
        from fieldvisit.stores.store import TinyDBStore
        from fieldvisit.trust.keys import OfficeChange, enroll_device, read_token_file

        with TinyDBStore.in_directory(paths.field_store_dir(base)) as store:
            editor = Editor(store)  # the laptop needs its device id before it can sign anything
            try:
                keys = enroll_device(paths.Home(paths.field_store_dir(base)).device_keys_file, read_token_file(token_file), switch_office)
            except OfficeChange as change:
                click.echo(printable(f"fieldvisit: {change}"), err=True)
                click.echo(t("trust.switch_hint"), err=True)
                raise SystemExit(1) from None
        organisation = keys.office.get("organisation") or "—"
        click.echo(printable(t("trust.enrolled", organisation=organisation, office=keys.office["fingerprint"], device=editor.device_name, fingerprint=keys.fingerprint)))

    run(run_enroll)
