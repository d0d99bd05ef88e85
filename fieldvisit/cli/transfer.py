"""Moving visits between stores: export bundles, import them, show or write QR frames."""

from __future__ import annotations

import json
import sys
from contextlib import nullcontext
from pathlib import Path

import click

from fieldvisit.locations import paths
from fieldvisit.cli.common import common_options, open_central, open_store, run, settings
from fieldvisit.core.i18n import t
from fieldvisit.core.text import printable, printable_json


@click.command("export")
@common_options
@click.option("--visit", "visit_ids", multiple=True, help="A visit id to export (repeat for several).")
@click.option("--all", "export_all", is_flag=True, help="Export every visit in the store.")
@click.option("--office", is_flag=True, help="Export from the office store instead of the field store.")
@click.option("--device", "device_id", default=None, help="Only visits recorded on this device: its id, the short code in references, or its name (office exports for one laptop, which any other laptop refuses).")
@click.option("--out", type=click.Path(path_type=Path), required=True, help="A folder (e.g. a USB stick) or a file name ending .fvb or .json.")
@click.option("--json", "as_json", is_flag=True, help="Print the result as JSON.")
@click.pass_context
def export_command(ctx, data_dir, lang, visit_ids, export_all, office, device_id, out, as_json) -> None:
    """Write visits and their matters as a bundle to hand over by USB stick."""
    base, _ = settings(ctx, data_dir, lang)

    def export() -> None:
        # imported when this runs: `fieldvisit --help` and the other commands start without it
        from fieldvisit.sync.exporter import export_bundle, write_bundle
        from fieldvisit.trust.handover import seal_if_enrolled, sign_if_office_keys

        if not visit_ids and not export_all and not device_id:
            raise click.UsageError(t("cli.export_what"))
        # imported when this runs: `fieldvisit --help` and the other commands start without it
        from fieldvisit.trust.devices import resolve_device

        # for one laptop the office marks the matters due at its sites (a write); otherwise an
        # office export only reads, beside an open office app
        opened, home = open_central(ctx, base, read_only=not device_id) if office else (open_store(paths.field_store_dir(base)), paths.field_home(base))
        with opened as store:
            target_device = resolve_device(store, device_id) if device_id and office else device_id
            if office and target_device:  # the matters due at its sites go along to follow up (回访)
                from fieldvisit.editing.editor import Editor
                from fieldvisit.office.followups import mark_for_device

                mark_for_device(Editor(store), target_device)
            bundle = export_bundle(store, list(visit_ids) or None, target_device)
            envelope = sign_if_office_keys(home, bundle, target_device) if office else seal_if_enrolled(home, bundle)
        target = write_bundle(bundle, out, envelope)
        summary = {"path": str(target), "bundle_id": bundle["bundle_id"], "visits": len(bundle["visits"]), "issues": len(bundle["issues"])}
        if as_json:
            summary["sealed"] = envelope is not None
        if as_json:
            click.echo(json.dumps(summary, ensure_ascii=False, indent=2))
        else:
            click.echo(t("cli.exported", **summary))

    run(export)


@click.command("import")
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
    base, _ = settings(ctx, data_dir, lang)

    def run_import() -> None:
        # imported when this runs: `fieldvisit --help` and the other commands start without it
        from fieldvisit.cli.office import office_cache_kept_in_step
        from fieldvisit.trust.devices import office_gate
        from fieldvisit.editing.editor import Editor
        from fieldvisit.trust.field_gate import field_gate
        from fieldvisit.sync.importer import QUARANTINED, REJECTED, import_bundles

        payloads, problems = _gather_payloads(sources, qr_text, qr_images)
        for problem in problems:
            click.echo(printable(problem), err=True)
        if not payloads:
            sys.exit(1)
        shown = len(problems)  # bundles are read one by one during the import: more may follow
        # The office's store: a JSON one indexed instead of parsed, a fraction of the memory. A
        # laptop's store is small and may have a passphrase: it is opened like every field
        # command (unlocked TinyDBStore), so the merge reads plain values and the save seals
        # them, and the splicing store never meets a sealed file.
        opened, home = (open_store(paths.field_store_dir(base)), paths.field_home(base)) if field else open_central(ctx, base)
        with opened as store, (nullcontext() if field else office_cache_kept_in_step(store, home)):
            Editor(store)  # an office store gets its own device identity on first use
            gate = field_gate(store, home, allow_unsigned) if field else office_gate(store, home, allow_unsigned)
            reports = import_bundles(store, payloads, gate=gate)
        for problem in problems[shown:]:
            click.echo(printable(problem), err=True)
        for report in reports:
            if as_json:
                click.echo(printable_json(json.dumps(report.as_json(), ensure_ascii=False)))
            else:
                click.echo(printable(report.describe()), err=report.status in (REJECTED, QUARANTINED))  # names from laptops
        if problems or any(report.status == REJECTED for report in reports):
            sys.exit(1)

    run(run_import)


def _gather_payloads(sources, qr_text, qr_images):
    """Bundles as (name, bytes) from files, a QR text file, or QR images, read one at a time as
    the import asks (`sync.sources.Payloads`); plus the problems to report (a list that grows
    while the bundles are read)."""
    if qr_text:
        from fieldvisit.sync.qr_transfer import frame_lines, payloads_from_lines

        if qr_text == "-":
            return payloads_from_lines(frame_lines(sys.stdin), "stdin")
        with open(qr_text, encoding="utf-8", errors="replace") as handle:
            return payloads_from_lines(frame_lines(handle), qr_text)
    if qr_images:
        from fieldvisit.sync.qr_images import image_files, lines_from_images
        from fieldvisit.sync.qr_transfer import payloads_from_lines

        refused: list[str] = []
        payloads, problems = payloads_from_lines(lines_from_images(image_files(list(sources)), refused), "images")
        problems[:0] = refused
        return payloads, problems
    if not sources:
        raise click.UsageError(t("cli.import_what"))
    # imported when this runs: `fieldvisit --help` and the other commands start without it
    from fieldvisit.sync.sources import read_sources

    payloads = read_sources(sources, stdin=sys.stdin.buffer)
    return payloads, payloads.problems


@click.command("qr")
@common_options
@click.option("--visit", "visit_ids", multiple=True, help="The visit to show (repeat for several; default: all).")
@click.option("--office", is_flag=True, help="From the office store instead of the field store.")
@click.option("--out", type=click.Path(file_okay=False, path_type=Path), default=None, help="Write the frames as files into this folder instead of showing them.")
@click.option("--svg", is_flag=True, help="With --out: SVG files instead of PNG.")
@click.option("--max-version", type=click.IntRange(1, 40), default=20, show_default=True, help="Largest QR version (size) per frame.")
@click.option("--ec", type=click.Choice(["L", "M", "Q", "H"], case_sensitive=False), default="M", show_default=True, help="QR error correction level.")
@click.option("--text", "text_file", type=click.Path(dir_okay=False, allow_dash=True, path_type=Path), default=None, help="Write the frames as text instead of showing them, one per line (- for stdout): the plain frames, then --fountain fountain frames (docs/bundle-format.md §10).")
@click.option("--fountain", "fountain_count", type=click.IntRange(0), default=None, help="With --text: how many fountain frames follow the plain ones (default: as many as there are plain frames; at most 9 × that).")
@click.option("--json", "as_json", is_flag=True, help="With --out or --text: print what was written as JSON.")
@click.pass_context
def qr_command(ctx, data_dir, lang, visit_ids, office, out, svg, max_version, ec, text_file, fountain_count, as_json) -> None:
    """Show a visit as QR codes in the terminal, or write them as numbered PNG/SVG files and a
    printable A4 sheet (sheet.html) for sites where the office scans a printout, or (--text) as
    lines of text, the form a scanner types and `import --qr-text` reads."""
    base, _ = settings(ctx, data_dir, lang)
    ec = ec.upper()
    if fountain_count is not None and text_file is None:
        raise click.UsageError(t("cli.qr_text.fountain_needs_text"))

    def show_or_write() -> None:
        # imported when this runs: `fieldvisit --help` and the other commands start without it
        from fieldvisit.sync.exporter import export_bundle
        from fieldvisit.trust.handover import qr_payload_if_enrolled

        opened = open_central(ctx, base, read_only=True)[0] if office else open_store(paths.field_store_dir(base))
        with opened as store:
            bundle = export_bundle(store, list(visit_ids) or None)
            sealed_payload = None if office else qr_payload_if_enrolled(paths.field_home(base), bundle)
            if out is None and text_file is None:
                from fieldvisit.apps.qr import QrApp

                QrApp(store, bundle, ec=ec, max_version=max_version, sealed_payload=sealed_payload).run()
                return
        if text_file is not None:
            written = _write_frame_text(bundle, text_file, fountain_count, max_version, ec, sealed_payload)
            to_stdout = str(text_file) == "-"
            if as_json:
                click.echo(json.dumps(written, ensure_ascii=False, indent=2), err=to_stdout)
            else:
                click.echo(t("cli.qr_text.written", plain=written["plain"], fountain=written["fountain"], path=written["path"]), err=to_stdout)
        if out is None:
            return
        written = _write_frames(bundle, out, svg, max_version, ec, sealed_payload)
        if as_json:
            click.echo(json.dumps(written, ensure_ascii=False, indent=2))
        else:
            click.echo(t("cli.qr_written", count=len(written["frames"]), folder=str(out), sheet=written["sheet"]))

    run(show_or_write)


def _write_frame_text(bundle: dict, target: Path, fountain_count: int | None, max_version: int, ec: str, sealed_payload: bytes | None = None) -> dict:
    """The frames as lines of text: the plain ones, then `fountain_count` fountain frames (FV2)."""
    # imported when this runs: `fieldvisit --help` and the other commands start without it
    from fieldvisit.sync.frames import FOUNTAIN_REACH, fountain
    from fieldvisit.sync.qr_transfer import bundle_frames

    plain = bundle_frames(bundle, max_version, ec, sealed_payload=sealed_payload)
    count = len(plain)
    extra = count if fountain_count is None else fountain_count
    limit = (FOUNTAIN_REACH - 1) * count  # the header room `split` reserved for fountain indexes
    if extra > limit:
        raise click.UsageError(t("cli.qr_text.too_many", count=extra, limit=limit, plain=count))
    lines = [frame.text() for frame in plain] + [fountain(plain, index).text() for index in range(count + 1, count + extra + 1)]
    text = "".join(line + "\n" for line in lines)
    if str(target) == "-":
        click.echo(text, nl=False)
    else:
        target.write_text(text, encoding="ascii", newline="\n")
    return {"bundle_id": bundle["bundle_id"], "path": str(target), "plain": count, "fountain": extra}


def _write_frames(bundle: dict, out: Path, svg: bool, max_version: int, ec: str, sealed_payload: bytes | None = None) -> dict:
    # imported when this runs: `fieldvisit --help` and the other commands start without it
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
