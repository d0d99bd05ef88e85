"""Printed output: a visit's summary and a period report."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import click

from fieldvisit.locations import paths
from fieldvisit.cli.common import common_options, open_central, open_store, run, settings
from fieldvisit.core.errors import FieldVisitError
from fieldvisit.core.i18n import t


@click.command()
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
    base, _ = settings(ctx, data_dir, lang)

    def write_summary() -> None:
        # imported when this runs: `fieldvisit --help` and the other commands start without it
        from fieldvisit.reports import write
        from fieldvisit.reports.data import visit_summary
        from fieldvisit.reports.documents import summary_document

        opened = open_central(ctx, base, parsed=True)[0] if office else open_store(paths.field_store_dir(base))
        with opened as store:
            found = visit_summary(store, visit_id, redact=redact)
        document = summary_document(found, write.now())
        name = f"visit-{found.visit.get('date') or ''}-{found.visit['id'][-6:]}"
        target = write.write(document, fmt, out, name, font)
        click.echo(t("report.written", path=str(target)))

    run(write_summary)


@click.command()
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
    base, _ = settings(ctx, data_dir, lang)

    def write_report() -> None:
        # imported when this runs: `fieldvisit --help` and the other commands start without it
        from fieldvisit.office.policy import load_policy
        from fieldvisit.reports import write
        from fieldvisit.reports.data import period_report
        from fieldvisit.reports.documents import report_document
        first, last = start.date(), end.date()
        if last < first:
            raise FieldVisitError("error.report.bad_period", start=first.isoformat(), end=last.isoformat())
        opened, home = open_central(ctx, base, parsed=True)
        with opened as store:
            found = period_report(store, first, last, site, load_policy(home.policy_file), dt.date.today())
        document = report_document(found, write.now())
        target = write.write(document, fmt, out, f"report-{first.isoformat()}-{last.isoformat()}", font)
        click.echo(t("report.written", path=str(target)))

    run(write_report)

