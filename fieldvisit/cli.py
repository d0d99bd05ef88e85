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
    for outer in _parents(ctx):
        data_dir, lang = data_dir or outer.params.get("data_dir"), lang or outer.params.get("lang")
    language = set_language(lang)
    return paths.data_dir(data_dir), language


def _parents(ctx: click.Context):
    """The enclosing contexts, innermost first (`office keys init` has two: office, then main)."""
    outer = ctx.parent
    while outer is not None:
        yield outer
        outer = outer.parent


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
        from fieldvisit.sync.exporter import export_bundle, seal_if_enrolled, sign_if_office_keys, write_bundle

        if not visit_ids and not export_all and not device_id:
            raise click.UsageError(t("cli.export_what"))
        store_dir = paths.office_store_dir(base) if office else paths.field_store_dir(base)
        with TinyDBStore.in_directory(store_dir) as store:
            bundle = export_bundle(store, list(visit_ids) or None, device_id)
            envelope = sign_if_office_keys(store, bundle) if office else seal_if_enrolled(store, bundle)
        target = write_bundle(bundle, out, envelope)
        summary = {"path": str(target), "bundle_id": bundle["bundle_id"], "visits": len(bundle["visits"]), "issues": len(bundle["issues"])}
        if as_json:
            summary["sealed"] = envelope is not None
        if as_json:
            click.echo(json.dumps(summary, ensure_ascii=False, indent=2))
        else:
            click.echo(t("cli.exported", **summary))

    _run(export)


@main.command("import")
@common_options
@click.argument("sources", nargs=-1)
@click.option("--field", is_flag=True, help="Import into the field store (an office export) instead of the office store.")
@click.option("--qr-text", "qr_text", type=click.Path(dir_okay=False, allow_dash=True), help="A text file of scanned QR frames, one per line (- for stdin).")
@click.option("--qr-images", "qr_images", is_flag=True, help="SOURCES are photos or screenshots of QR frames (PNG/JPG, or folders of them).")
@click.option("--allow-unsigned", is_flag=True, help="Accept plain (unsigned) bundles even though devices are enrolled (or, with --field, this laptop is).")
@click.option("--json", "as_json", is_flag=True, help="Print one JSON object per bundle.")
@click.pass_context
def import_command(ctx, data_dir, lang, sources, field, qr_text, qr_images, allow_unsigned, as_json) -> None:
    """Merge bundles (files, folders of .fvb files, or - for stdin) into the store.

    Each bundle is checked completely before anything is written; a bad one is reported with
    its reason and changes nothing. QR frames (--qr-text, --qr-images) are assembled first and
    end in the same import. Exit code 1 when any bundle was rejected or left incomplete.
    """
    base, _ = _settings(ctx, data_dir, lang)

    def run_import() -> None:
        from fieldvisit.devices import office_gate
        from fieldvisit.editor import Editor
        from fieldvisit.field_gate import field_gate
        from fieldvisit.splice_store import SplicingJSONStore
        from fieldvisit.store import TinyDBStore
        from fieldvisit.sync.importer import QUARANTINED, REJECTED, import_bundles

        payloads, problems = _gather_payloads(sources, qr_text, qr_images)
        for problem in problems:
            click.echo(problem, err=True)
        if not payloads:
            sys.exit(1)
        store_dir = paths.field_store_dir(base) if field else paths.office_store_dir(base)
        # the same file as TinyDBStore, but indexed instead of parsed: a fraction of the memory
        with SplicingJSONStore(store_dir / TinyDBStore.FILE_NAME) as store:
            Editor(store)  # an office store gets its own device identity on first use
            gate = field_gate(store, allow_unsigned) if field else office_gate(store, allow_unsigned)
            reports = import_bundles(store, payloads, gate=gate)
        for report in reports:
            if as_json:
                click.echo(json.dumps(report.as_json(), ensure_ascii=False))
            else:
                click.echo(report.describe(), err=report.status in (REJECTED, QUARANTINED))
        if problems or any(report.status == REJECTED for report in reports):
            sys.exit(1)

    _run(run_import)


def _gather_payloads(sources, qr_text, qr_images) -> tuple[list[tuple[str, bytes]], list[str]]:
    """Bundles as (name, bytes) from files, a QR text file, or QR images; plus problems to report."""
    if qr_text:
        from fieldvisit.sync.qr_transfer import payloads_from_lines

        text = sys.stdin.read() if qr_text == "-" else Path(qr_text).read_text("utf-8", errors="replace")
        return payloads_from_lines(text.splitlines(), "stdin" if qr_text == "-" else qr_text)
    if qr_images:
        from fieldvisit.sync.qr_images import decode_image, image_files
        from fieldvisit.sync.qr_transfer import payloads_from_lines

        lines = [line for image in image_files(list(sources)) for line in decode_image(image)]
        return payloads_from_lines(lines, "images")
    if not sources:
        raise click.UsageError(t("cli.import_what"))
    from fieldvisit.sync.sources import read_sources

    return read_sources(sources, stdin=sys.stdin.buffer), []


@main.command("qr")
@common_options
@click.option("--visit", "visit_ids", multiple=True, help="The visit to show (repeat for several; default: all).")
@click.option("--office", is_flag=True, help="From the office store instead of the field store.")
@click.option("--out", type=click.Path(file_okay=False, path_type=Path), default=None, help="Write the frames as files into this folder instead of showing them.")
@click.option("--svg", is_flag=True, help="With --out: SVG files instead of PNG.")
@click.option("--max-version", type=click.IntRange(1, 40), default=20, show_default=True, help="Largest QR version (size) per frame.")
@click.option("--ec", type=click.Choice(["L", "M", "Q", "H"], case_sensitive=False), default="M", show_default=True, help="QR error correction level.")
@click.option("--json", "as_json", is_flag=True, help="With --out: print what was written as JSON.")
@click.pass_context
def qr_command(ctx, data_dir, lang, visit_ids, office, out, svg, max_version, ec, as_json) -> None:
    """Show a visit as QR codes in the terminal, or write them as numbered PNG/SVG files and a
    printable A4 sheet (sheet.html) for sites where the office scans a printout."""
    base, _ = _settings(ctx, data_dir, lang)
    ec = ec.upper()

    def show_or_write() -> None:
        from fieldvisit.store import TinyDBStore
        from fieldvisit.sync.exporter import export_bundle, qr_payload_if_enrolled

        store_dir = paths.office_store_dir(base) if office else paths.field_store_dir(base)
        with TinyDBStore.in_directory(store_dir) as store:
            bundle = export_bundle(store, list(visit_ids) or None)
            sealed_payload = None if office else qr_payload_if_enrolled(store, bundle)
            if out is None:
                from fieldvisit.qr_app import QrApp

                QrApp(store, bundle, ec=ec, max_version=max_version, sealed_payload=sealed_payload).run()
                return
        written = _write_frames(bundle, out, svg, max_version, ec, sealed_payload)
        if as_json:
            click.echo(json.dumps(written, ensure_ascii=False, indent=2))
        else:
            click.echo(t("cli.qr_written", count=len(written["frames"]), folder=str(out), sheet=written["sheet"]))

    _run(show_or_write)


def _write_frames(bundle: dict, out: Path, svg: bool, max_version: int, ec: str, sealed_payload: bytes | None = None) -> dict:
    from fieldvisit.sync.qr_render import write_png, write_sheet, write_svg
    from fieldvisit.sync.qr_transfer import bundle_frames

    out.mkdir(parents=True, exist_ok=True)
    texts = [frame.text() for frame in bundle_frames(bundle, max_version, ec, sealed_payload=sealed_payload)]
    short = bundle["bundle_id"][-6:]
    files = []
    for number, text in enumerate(texts, 1):
        target = out / f"fieldvisit-{short}-{number:03d}-of-{len(texts):03d}.{'svg' if svg else 'png'}"
        (write_svg if svg else write_png)(text, target, ec)
        files.append(str(target))
    sheet = write_sheet(texts, out / f"fieldvisit-{short}-sheet.html", t("cli.qr_sheet_title", bundle=short), ec)
    return {"bundle_id": bundle["bundle_id"], "frames": files, "sheet": str(sheet)}


@main.group(invoke_without_command=True)
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
    base, _ = _settings(ctx, data_dir, lang)

    def open_office() -> None:
        from fieldvisit.policy import load_policy
        from fieldvisit.store import TinyDBStore

        store_dir = paths.office_store_dir(base) if (given or not demo) else paths.demo_dir(0) / "office"
        if demo:
            from fieldvisit.office_demo import write_office_demo

            summary = write_office_demo(store_dir, (anchor or dt.datetime.now()).date())
            click.echo(t("cli.office_demo_written", path=str(store_dir), **summary))
            if no_open:
                return
        from fieldvisit.office_app import OfficeApp

        with TinyDBStore.in_directory(store_dir) as store:
            OfficeApp(store, policy=load_policy(paths.policy_file(store.path))).run()

    _run(open_office)


def _office_store_path(base: Path) -> Path:
    from fieldvisit.store import TinyDBStore

    return paths.office_store_dir(base) / TinyDBStore.FILE_NAME


@office.group("keys")
def office_keys() -> None:
    """The office's key pair: make it once, back it up, restore it on a new PC."""


@office_keys.command("init")
@common_options
@click.option("--organisation", default="", help="The organisation's name, shown to laptops that enroll.")
@click.pass_context
def keys_init(ctx, data_dir, lang, organisation) -> None:
    """Create the office's keys (sealing and signing), readable only by you. Back them up next."""
    base, _ = _settings(ctx, data_dir, lang)

    def init() -> None:
        from fieldvisit.trust import init_office_keys

        target = paths.office_keys_file(_office_store_path(base))
        keys = init_office_keys(target, organisation)
        click.echo(t("trust.keys_created", path=str(target), fingerprint=keys.fingerprint))

    _run(init)


@office_keys.command("backup")
@common_options
@click.option("--out", type=click.Path(dir_okay=False, path_type=Path), required=True, help="The backup file to write.")
@click.option("--fast-kdf", is_flag=True, hidden=True, help="Lighter Argon2id settings (tests only).")
@click.pass_context
def keys_backup(ctx, data_dir, lang, out, fast_kdf) -> None:
    """Write the office's keys encrypted with a passphrase (Argon2id), to keep somewhere safe."""
    base, _ = _settings(ctx, data_dir, lang)

    def backup() -> None:
        from fieldvisit.trust import OfficeKeys, backup_office_keys, write_private

        keys = OfficeKeys.load(paths.office_keys_file(_office_store_path(base)))
        passphrase = click.prompt(t("trust.passphrase"), hide_input=True, confirmation_prompt=True)
        write_private(out, backup_office_keys(keys, passphrase, "interactive" if fast_kdf else "moderate"))
        click.echo(t("trust.backup_written", path=str(out), fingerprint=keys.fingerprint))

    _run(backup)


@office_keys.command("restore")
@common_options
@click.argument("backup_file", type=click.Path(dir_okay=False, exists=True, path_type=Path))
@click.pass_context
def keys_restore(ctx, data_dir, lang, backup_file) -> None:
    """Put the office's keys back from a backup (asks for its passphrase)."""
    base, _ = _settings(ctx, data_dir, lang)

    def restore() -> None:
        from fieldvisit.trust import OfficeKeys, TrustError, read_backup, restore_office_keys

        target = paths.office_keys_file(_office_store_path(base))
        backup = read_backup(backup_file)
        keys = restore_office_keys(backup, click.prompt(t("trust.passphrase"), hide_input=True))
        if target.exists() and OfficeKeys.load(target).fingerprint != keys.fingerprint:
            raise TrustError("error.trust.keys_exist", path=str(target))
        keys.save(target)
        click.echo(t("trust.keys_restored", path=str(target), fingerprint=keys.fingerprint))

    _run(restore)


@office.command("enroll")
@common_options
@click.option("--out", type=click.Path(dir_okay=False, path_type=Path), required=True, help="The enrollment file to give to laptops (.json; .png for a QR code to photograph or print).")
@click.pass_context
def office_enroll(ctx, data_dir, lang, out) -> None:
    """Write the enrollment token laptops import with `fieldvisit enroll FILE` (public keys only)."""
    base, _ = _settings(ctx, data_dir, lang)

    def write_token() -> None:
        from fieldvisit.sync.canonical import canonical_bytes
        from fieldvisit.storage import write_atomically
        from fieldvisit.trust import OfficeKeys

        keys = OfficeKeys.load(paths.office_keys_file(_office_store_path(base)))
        out.parent.mkdir(parents=True, exist_ok=True)
        if out.suffix.lower() == ".png":
            from fieldvisit.sync.qr_render import write_png
            from fieldvisit.trust import token_qr_text

            write_png(token_qr_text(keys.token()), out)
        else:
            write_atomically(out, canonical_bytes(keys.token()))
        click.echo(t("trust.token_written", path=str(out), fingerprint=keys.fingerprint))

    _run(write_token)


@office.command("devices")
@common_options
@click.option("--approve", "approve_fp", default=None, help="Approve the device with this fingerprint (merges what it sent while pending).")
@click.option("--reject", "reject_fp", default=None, help="Reject a pending device with this fingerprint.")
@click.option("--revoke", "revoke_fp", default=None, help="Revoke an approved device (a lost or stolen laptop).")
@click.option("--json", "as_json", is_flag=True, help="Print the register as JSON.")
@click.pass_context
def office_devices(ctx, data_dir, lang, approve_fp, reject_fp, revoke_fp, as_json) -> None:
    """List the laptops that have sent sealed bundles, with their state; approve, reject or revoke one."""
    base, _ = _settings(ctx, data_dir, lang)

    def manage() -> None:
        from fieldvisit import devices
        from fieldvisit.splice_store import SplicingJSONStore

        if sum(bool(fp) for fp in (approve_fp, reject_fp, revoke_fp)) > 1:
            raise click.UsageError(t("trust.one_action"))
        store_path = _office_store_path(base)
        with SplicingJSONStore(store_path) as store:
            if approve_fp:
                gate = devices.office_gate(store)
                _, entry, reports = devices.approve(store, gate.keys, gate.quarantine, approve_fp)
                click.echo(t("trust.device_state", name=entry["name"], fingerprint=entry["fingerprint"], state=t(f"trust.state.{entry['state']}")))
                for report in reports:
                    click.echo(report.describe())
            elif reject_fp or revoke_fp:
                state = devices.REJECTED if reject_fp else devices.REVOKED
                _, entry = devices.set_state(store, reject_fp or revoke_fp, state)
                click.echo(t("trust.device_state", name=entry["name"], fingerprint=entry["fingerprint"], state=t(f"trust.state.{entry['state']}")))
            register = devices.devices(store)
        if as_json:
            click.echo(json.dumps(register, ensure_ascii=False, indent=2))
        elif not (approve_fp or reject_fp or revoke_fp):
            for device_id, entry in sorted(register.items(), key=lambda item: item[1]["first_seen"]):
                click.echo(f"{entry['fingerprint']}  {t('trust.state.' + entry['state'])}  {entry['name']}  {device_id}")
            if not register:
                click.echo(t("trust.no_devices"))

    _run(manage)


@main.command("enroll")
@common_options
@click.argument("token_file", type=click.Path(dir_okay=False, exists=True, path_type=Path))
@click.pass_context
def enroll(ctx, data_dir, lang, token_file) -> None:
    """Enroll this laptop with the office named in TOKEN_FILE (the .json, or a photo / PNG of its
    QR code): from now on exports are sealed to it and signed by this laptop. Read the
    fingerprint shown to the officer, who approves it."""
    base, _ = _settings(ctx, data_dir, lang)

    def run_enroll() -> None:
        from fieldvisit.editor import Editor
        from fieldvisit.store import TinyDBStore
        from fieldvisit.trust import enroll_device

        with TinyDBStore.in_directory(paths.field_store_dir(base)) as store:
            editor = Editor(store)  # the laptop needs its device id before it can sign anything
            keys = enroll_device(paths.device_keys_file(store.path), _token_bytes(token_file))
        organisation = keys.office.get("organisation") or "—"
        click.echo(t("trust.enrolled", organisation=organisation, office=keys.office["fingerprint"], device=editor.device_name, fingerprint=keys.fingerprint))

    _run(run_enroll)



@main.command()
@common_options
@click.argument("visit_id")
@click.option("--format", "fmt", type=click.Choice(["pdf", "html", "md", "txt"]), default="pdf", show_default=True, help="What to write.")
@click.option("--out", type=click.Path(path_type=Path), default=None, help="A file, or a folder for the default name (default: the current folder).")
@click.option("--redact", is_flag=True, help="Mask phone and employee numbers and petitioners' names (for copies that leave the office).")
@click.option("--office", is_flag=True, help="From the office store instead of the field store.")
@click.option("--font", type=click.Path(dir_okay=False, path_type=Path), default=None, help="A CJK .ttf/.otf/.ttc font for the PDF (default: a system CJK font, else the bundled Noto Sans SC).")
@click.pass_context
def summary(ctx, data_dir, lang, visit_id, fmt, out, redact, office, font) -> None:
    """Write a visit's record (下访活动记录) for the leader and recorder to sign: every matter, totals by category.

    VISIT_ID is the visit's id as `fieldvisit visits` shows it (or its unique last characters).
    """
    base, _ = _settings(ctx, data_dir, lang)

    def write_summary() -> None:
        from fieldvisit.reports import write
        from fieldvisit.reports.data import visit_summary
        from fieldvisit.reports.documents import summary_document
        from fieldvisit.store import TinyDBStore

        store_dir = paths.office_store_dir(base) if office else paths.field_store_dir(base)
        with TinyDBStore.in_directory(store_dir) as store:
            found = visit_summary(store, visit_id, redact=redact)
        document = summary_document(found, write.now())
        name = f"visit-{found.visit.get('date') or ''}-{found.visit['id'][-6:]}"
        target = write.write(document, fmt, out, name, font)
        click.echo(t("report.written", path=str(target)))

    _run(write_summary)


@main.command()
@common_options
@click.option("--from", "start", type=click.DateTime(["%Y-%m-%d"]), required=True, help="First day of the period.")
@click.option("--to", "end", type=click.DateTime(["%Y-%m-%d"]), required=True, help="Last day of the period (inclusive).")
@click.option("--site", default=None, help="Only matters raised on visits to this site (exact name).")
@click.option("--format", "fmt", type=click.Choice(["pdf", "html", "md", "txt"]), default="pdf", show_default=True, help="What to write.")
@click.option("--out", type=click.Path(path_type=Path), default=None, help="A file, or a folder for the default name (default: the current folder).")
@click.option("--redact", is_flag=True, help="Accepted for symmetry with summary: a period report names no petitioner.")
@click.option("--font", type=click.Path(dir_okay=False, path_type=Path), default=None, help="A CJK .ttf/.otf/.ttc font for the PDF.")
@click.pass_context
def report(ctx, data_dir, lang, start, end, site, fmt, out, redact, font) -> None:
    """Write the period report (信访工作情况报告) from the office store: counts, flow, deadlines,
    satisfaction, repeat / collective / skip-level visits, rising categories, overdue matters."""
    base, _ = _settings(ctx, data_dir, lang)

    def write_report() -> None:
        from fieldvisit.policy import load_policy
        from fieldvisit.reports import write
        from fieldvisit.reports.data import period_report
        from fieldvisit.reports.documents import report_document
        from fieldvisit.store import TinyDBStore

        first, last = start.date(), end.date()
        if last < first:
            raise FieldVisitError("error.report.bad_period", start=first.isoformat(), end=last.isoformat())
        with TinyDBStore.in_directory(paths.office_store_dir(base)) as store:
            found = period_report(store, first, last, site, load_policy(paths.policy_file(store.path)), dt.date.today())
        document = report_document(found, write.now())
        target = write.write(document, fmt, out, f"report-{first.isoformat()}-{last.isoformat()}", font)
        click.echo(t("report.written", path=str(target)))

    _run(write_report)

def _token_bytes(token_file: Path) -> bytes:
    """The token JSON from a .json file, or from the QR code in an image."""
    if token_file.suffix.lower() in (".png", ".jpg", ".jpeg", ".gif", ".bmp", ".webp"):
        from fieldvisit.sync.qr_images import decode_image
        from fieldvisit.trust import token_from_qr_texts

        return token_from_qr_texts(decode_image(token_file))
    return token_file.read_bytes()


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
