"""`fieldvisit office`: the office app, and the office's keys and enrolled laptops."""

from __future__ import annotations

import datetime as dt
import json
from contextlib import contextmanager
from pathlib import Path

import click

from fieldvisit.locations import paths
from fieldvisit.cli.common import central, common_options, keep_derived_columns, open_central, run, settings
from fieldvisit.core.errors import FieldVisitError
from fieldvisit.core.i18n import t
from fieldvisit.core.text import printable, printable_json


@click.group(invoke_without_command=True)
@common_options
@click.option("--demo", is_flag=True, help="Open a demo central store merged from several sample laptops (kept apart from real data).")
@click.option("--anchor", type=click.DateTime(["%Y-%m-%d"]), default=None, help="With --demo: the demo's 'today' (default: today).")
@click.option("--no-open", is_flag=True, help="With --demo: write the demo store and exit.")
@click.pass_context
def office(ctx: click.Context, data_dir: Path | None, lang: str | None, demo: bool, anchor, no_open: bool) -> None:
    """Open the office app on the central store: register, deadlines, feedback, statistics, imports.

    The subcommands manage the office's keys and the laptops enrolled with it."""
    if ctx.invoked_subcommand is not None:
        return
    given = data_dir or ctx.find_root().params.get("data_dir")
    base, _ = settings(ctx, data_dir, lang)

    def open_office() -> None:
        # imported when this runs: `fieldvisit --help` and the other commands start without it
        from fieldvisit.office.policy import load_policy
        from fieldvisit.stores.store import TinyDBStore

        store_dir = paths.office_store_dir(base) if (given or not demo) else paths.demo_dir(0) / "office"
        if demo:
            from fieldvisit.demo.office import write_office_demo

            summary = write_office_demo(store_dir, (anchor or dt.datetime.now()).date())
            click.echo(t("cli.office_demo_written", path=str(store_dir), **summary))
            if no_open:
                return
        # imported when this runs: `fieldvisit --help` and the other commands start without it
        from fieldvisit.apps.office import OfficeApp
        from fieldvisit.office.register_cache import RegisterCache
        from fieldvisit.stores.factory import StoreSpec

        spec, home = (StoreSpec(file=store_dir / TinyDBStore.FILE_NAME), paths.Home(store_dir)) if demo else central(ctx, base)
        # a JSON file indexed, not parsed, and only once the register is on screen (from its cache)
        with open_office_app_store(spec) as store:
            policy = load_policy(home.policy_file)
            app = OfficeApp(store, policy=policy, cache=RegisterCache.of(home, policy), home=home, officer_file=paths.officer_file())
            app.run()
            try:
                store.compact()  # the journal into the file first: the cache is kept for the store as it closes
            except OSError:
                pass  # every step is kept in the journal; the next start compacts it and rebuilds the cache
            else:
                app.save_caches()

    run(open_office)


def open_office_app_store(spec):
    """The office app's store: the writer's, or, when another office app on the same JSON
    store holds it, a read-only one that follows that app's changes."""
    # imported when this runs: `fieldvisit --help` and the other commands start without it
    from fieldvisit.core.errors import StoreLockedError
    from fieldvisit.stores.factory import open_office_store

    try:
        return open_office_store(spec, deferred=True)
    except StoreLockedError:
        if spec.file is None:
            raise
        return open_office_store(spec, deferred=True, read_only=True)


@contextmanager
def office_cache_kept_in_step(store, home: paths.Home):
    """The office app's register cache and the matters' facts (`office.facts_cache`) kept valid
    across this command's writes to the store."""
    # imported when this runs: `fieldvisit --help` and the other commands start without it
    from fieldvisit.office.facts import facts_kept_in_step
    from fieldvisit.office.facts_cache import FactsCache
    from fieldvisit.office.policy import load_policy
    from fieldvisit.office.register import cache_kept_in_step

    with cache_kept_in_step(store, home, load_policy(home.policy_file)), facts_kept_in_step(store, FactsCache.of(home)):
        yield


@office.command("init-db")
@common_options
@click.argument("url")
@click.pass_context
def init_db(ctx, data_dir, lang, url) -> None:
    """Create fieldvisit's tables in the PostgreSQL database at URL (postgresql://user@host/db).

    Run once per database, and after upgrading fieldvisit or changing policy.toml: it brings the
    tables up to date and computes the matters' deadlines again when the policy changed;
    otherwise it changes nothing. Then give the same URL to every office command and app with
    --store or FIELDVISIT_STORE."""
    base, _ = settings(ctx, data_dir, lang)

    def create() -> None:
        # imported when this runs: `fieldvisit --help` and the other commands start without it
        from fieldvisit.stores.factory import parse_spec, without_password

        spec = parse_spec(url, Path("."))
        if not spec.is_postgres:
            raise FieldVisitError("error.store_postgres.not_postgres", url=url)
        try:
            from fieldvisit.stores.postgres import create_schema
        except ImportError as error:
            raise FieldVisitError("error.store.postgres_missing", reason=str(error)) from None
        version = create_schema(url)
        click.echo(t("cli.store_postgres.schema_created", url=without_password(url), version=version))
        # the deadlines the register filters on, computed with the office's policy (again when it changed)
        from fieldvisit.office.policy import load_policy
        from fieldvisit.office.register_db import refresh_derived
        from fieldvisit.stores.postgres import PostgresStore

        office_dir = paths.office_store_dir(base)
        with PostgresStore(url) as store:
            done = refresh_derived(store, load_policy(spec.home(office_dir).policy_file))
        if done:
            click.echo(t("register_db.derived", count=done))

    run(create)


@office.command("migrate")
@common_options
@click.option("--to", "target", required=True, metavar="URL|PATH", help="Where the register goes: postgresql://… (tables made with init-db) or a folder / .json file for the JSON store.")
@click.pass_context
def migrate_command(ctx, data_dir, lang, target) -> None:
    """Move the office's register (--store, else FIELDVISIT_STORE, else the JSON store) into
    another back-end, all of it in one batch; the target must hold no records yet. The office's
    keys, policy, templates, roster and quarantine are copied into the target's folder when it is
    another one (never over a file already there)."""
    base, _ = settings(ctx, data_dir, lang)

    def move() -> None:
        # imported when this runs: `fieldvisit --help` and the other commands start without it
        from fieldvisit.stores.factory import open_office_store, parse_spec
        from fieldvisit.stores.migrate import copy_home, migrate

        destination = parse_spec(target, paths.office_store_dir(base))
        opened, home = open_central(ctx, base, parsed=True)
        with opened as source, open_office_store(destination) as into:
            keep_derived_columns(into, home)  # the policy the office's home holds, which goes with it
            if source.location == into.location:
                raise FieldVisitError("error.migrate.same", target=into.location)
            counts = migrate(source, into)
        click.echo(t("cli.migrate.done", target=destination.describe(), **counts))
        copied, kept = copy_home(home, destination.home(paths.office_store_dir(base)))
        for path in copied:
            click.echo(t("migrate_home.copied", path=printable(str(path))))
        for path in kept:
            click.echo(t("migrate_home.kept", path=printable(str(path))))

    run(move)


@office.group("keys")
def office_keys() -> None:
    """The office's key pair: make it once, back it up, restore it on a new PC."""


@office_keys.command("init")
@common_options
@click.option("--organisation", default="", help="The organisation's name, shown to laptops that enroll.")
@click.pass_context
def keys_init(ctx, data_dir, lang, organisation) -> None:
    """Create the office's keys (sealing and signing), readable only by you. Back them up next."""
    base, _ = settings(ctx, data_dir, lang)

    def init() -> None:
        # imported when this runs: `fieldvisit --help` and the other commands start without it
        from fieldvisit.trust.keys import init_office_keys

        target = central(ctx, base)[1].office_keys_file
        keys = init_office_keys(target, organisation)
        click.echo(t("trust.keys_created", path=str(target), fingerprint=keys.fingerprint))

    run(init)


@office_keys.command("backup")
@common_options
@click.option("--out", type=click.Path(dir_okay=False, path_type=Path), required=True, help="The backup file to write.")
@click.option("--fast-kdf", is_flag=True, hidden=True, help="Lighter Argon2id settings (tests only).")
@click.pass_context
def keys_backup(ctx, data_dir, lang, out, fast_kdf) -> None:
    """Write the office's keys encrypted with a passphrase (Argon2id), to keep somewhere safe."""
    base, _ = settings(ctx, data_dir, lang)

    def backup() -> None:
        # imported when this runs: `fieldvisit --help` and the other commands start without it
        from fieldvisit.trust.keys import OfficeKeys, backup_office_keys, write_private

        keys = OfficeKeys.load(central(ctx, base)[1].office_keys_file)
        passphrase = click.prompt(t("trust.passphrase"), hide_input=True, confirmation_prompt=True)
        write_private(out, backup_office_keys(keys, passphrase, "interactive" if fast_kdf else "moderate"))
        click.echo(t("trust.backup_written", path=str(out), fingerprint=keys.fingerprint))

    run(backup)


@office_keys.command("restore")
@common_options
@click.argument("backup_file", type=click.Path(dir_okay=False, exists=True, path_type=Path))
@click.pass_context
def keys_restore(ctx, data_dir, lang, backup_file) -> None:
    """Put the office's keys back from a backup (asks for its passphrase)."""
    base, _ = settings(ctx, data_dir, lang)

    def restore() -> None:
        # imported when this runs: `fieldvisit --help` and the other commands start without it
        from fieldvisit.trust.keys import (
            OfficeKeys,
            TrustError,
            read_backup,
            restore_office_keys,
        )

        target = central(ctx, base)[1].office_keys_file
        backup = read_backup(backup_file)
        keys = restore_office_keys(backup, click.prompt(t("trust.passphrase"), hide_input=True))
        if target.exists() and OfficeKeys.load(target).fingerprint != keys.fingerprint:
            raise TrustError("error.trust.keys_exist", path=str(target))
        keys.save(target)
        click.echo(t("trust.keys_restored", path=str(target), fingerprint=keys.fingerprint))

    run(restore)


@office.command("enroll")
@common_options
@click.option("--out", type=click.Path(dir_okay=False, path_type=Path), required=True, help="The enrollment file to give to laptops (.json; .png for a QR code to photograph or print).")
@click.pass_context
def office_enroll(ctx, data_dir, lang, out) -> None:
    """Write the enrollment token laptops import with `fieldvisit enroll FILE` (public keys only)."""
    base, _ = settings(ctx, data_dir, lang)

    def write_token() -> None:
        # imported when this runs: `fieldvisit --help` and the other commands start without it
        from fieldvisit.stores.storage import write_atomically
        from fieldvisit.sync.canonical import canonical_bytes
        from fieldvisit.trust.keys import OfficeKeys

        keys = OfficeKeys.load(central(ctx, base)[1].office_keys_file)
        out.parent.mkdir(parents=True, exist_ok=True)
        if out.suffix.lower() == ".png":
            from fieldvisit.sync.qr_render import write_png
            from fieldvisit.trust.keys import token_qr_text

            write_png(token_qr_text(keys.token()), out)
        else:
            write_atomically(out, canonical_bytes(keys.token()))
        click.echo(t("trust.token_written", path=str(out), fingerprint=keys.fingerprint))

    run(write_token)


@office.command("devices")
@common_options
@click.option("--approve", "approve_fp", default=None, help="Approve the device with this fingerprint (merges what it sent while pending).")
@click.option("--reject", "reject_fp", default=None, help="Reject a pending device with this fingerprint and delete the bundles it sent that wait in quarantine.")
@click.option("--revoke", "revoke_fp", default=None, help="Revoke an approved device (a lost or stolen laptop).")
@click.option("--json", "as_json", is_flag=True, help="Print the register as JSON.")
@click.pass_context
def office_devices(ctx, data_dir, lang, approve_fp, reject_fp, revoke_fp, as_json) -> None:
    """List the laptops that have sent sealed bundles, with their state; approve, reject or revoke one."""
    base, _ = settings(ctx, data_dir, lang)

    def manage() -> None:
        # imported when this runs: `fieldvisit --help` and the other commands start without it
        from fieldvisit.trust import devices

        if sum(bool(fp) for fp in (approve_fp, reject_fp, revoke_fp)) > 1:
            raise click.UsageError(t("trust.one_action"))
        opened, home = open_central(ctx, base)
        with opened as store, office_cache_kept_in_step(store, home):
            if approve_fp:
                gate = devices.office_gate(store, home)
                _, entry, reports = devices.approve(store, gate.keys, gate.quarantine, approve_fp, gate.refusals)
                click.echo(printable(t("trust.device_state", name=entry["name"], fingerprint=entry["fingerprint"], state=t(f"trust.state.{entry['state']}"))))
                for report in reports:
                    click.echo(printable(report.describe()))
            elif reject_fp:
                _, entry, deleted = devices.reject(store, home.quarantine_dir, reject_fp)
                click.echo(printable(t("trust.device_state", name=entry["name"], fingerprint=entry["fingerprint"], state=t(f"trust.state.{entry['state']}"))))
                click.echo(t("trust.quarantine_deleted", count=deleted))
            elif revoke_fp:
                _, entry = devices.set_state(store, revoke_fp, devices.REVOKED)
                click.echo(printable(t("trust.device_state", name=entry["name"], fingerprint=entry["fingerprint"], state=t(f"trust.state.{entry['state']}"))))
            register = devices.devices(store)
            rows = devices.device_rows(store, home.quarantine_dir)
        if as_json:
            click.echo(printable_json(json.dumps(register, ensure_ascii=False, indent=2)))
        elif not (approve_fp or reject_fp or revoke_fp):
            for row in rows:
                waiting = f"  {t('devices.waiting_count', count=row.waiting)}" if row.waiting else ""
                lookalike = f"  {t('devices.lookalike')}" if row.lookalike else ""
                click.echo(printable(f"{row.fingerprint}  {t('trust.state.' + row.state)}  {row.name}{lookalike}  {row.code}  {row.device_id}{waiting}"))
            if not rows:
                click.echo(t("trust.no_devices"))

    run(manage)
