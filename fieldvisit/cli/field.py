"""Field-laptop commands: the demo store, the list of visits, enrolling with an office."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import click
from fieldvisit.i18n import t

from fieldvisit import paths
from fieldvisit.cli.common import common_options, open_field_app, run, settings


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
        from fieldvisit.demo import write_demo_store

        summary = write_demo_store(store_dir, seed=seed, anchor=(anchor or dt.datetime.now()).date())
        click.echo(t("cli.demo_written", visits=summary["visits"], issues=summary["issues"], path=str(store_dir)))
        if not no_open:
            open_field_app(store_dir)

    run(write_and_open)


@click.command()
@common_options
@click.option("--json", "as_json", is_flag=True, help="Print JSON for scripts.")
@click.pass_context
def visits(ctx: click.Context, data_dir: Path | None, lang: str | None, as_json: bool) -> None:
    """List the visits in the field store with their number of matters."""
    base, _ = settings(ctx, data_dir, lang)

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

    run(show)


@click.command("enroll")
@common_options
@click.argument("token_file", type=click.Path(dir_okay=False, exists=True, path_type=Path))
@click.pass_context
def enroll(ctx, data_dir, lang, token_file) -> None:
    """Enroll this laptop with the office named in TOKEN_FILE (the .json, or a photo / PNG of its
    QR code): from now on exports are sealed to it and signed by this laptop. Read the
    fingerprint shown to the officer, who approves it."""
    base, _ = settings(ctx, data_dir, lang)

    def run_enroll() -> None:
        from fieldvisit.editor import Editor
        from fieldvisit.store import TinyDBStore
        from fieldvisit.trust import enroll_device

        with TinyDBStore.in_directory(paths.field_store_dir(base)) as store:
            editor = Editor(store)  # the laptop needs its device id before it can sign anything
            keys = enroll_device(paths.device_keys_file(store.path), _token_bytes(token_file))
        organisation = keys.office.get("organisation") or "—"
        click.echo(t("trust.enrolled", organisation=organisation, office=keys.office["fingerprint"], device=editor.device_name, fingerprint=keys.fingerprint))

    run(run_enroll)




def _token_bytes(token_file: Path) -> bytes:
    """The token JSON from a .json file, or from the QR code in an image."""
    if token_file.suffix.lower() in (".png", ".jpg", ".jpeg", ".gif", ".bmp", ".webp"):
        from fieldvisit.sync.qr_images import decode_image
        from fieldvisit.trust import token_from_qr_texts

        return token_from_qr_texts(decode_image(token_file))
    return token_file.read_bytes()


