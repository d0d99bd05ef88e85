"""Printed output and spreadsheets: a visit's summary, the period report, the register's matters."""

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
@click.option("--follow-up", "follow_up", is_flag=True, help="Write the follow-up list (回访清单) to take to the visit's site instead: every matter raised there on any visit that is open or answered and not yet told face to face, with the petitioner, what was asked, the office's reply and what is still owed.")
@click.pass_context
def summary(ctx, data_dir, lang, visit_id, fmt, out, redact, office, font, follow_up) -> None:
    """Write a visit's record (下访活动记录) for the leader and recorder to sign: every matter, totals by category.

    VISIT_ID is the visit's id as `fieldvisit visits` shows it (or its unique last characters).
    """
    base, _ = settings(ctx, data_dir, lang)

    def write_follow_up_list() -> None:
        # imported when this runs: `fieldvisit --help` and the other commands start without it
        from fieldvisit.reports import write
        from fieldvisit.reports.followups import follow_up_document, follow_up_list

        opened = open_central(ctx, base, parsed=True)[0] if office else open_store(paths.field_store_dir(base))
        with opened as store:
            found = follow_up_list(store, visit_id, redact=redact)
        document = follow_up_document(found, write.now())
        target = write.write(document, fmt, out, f"followup-{found.as_of.isoformat()}-{visit_id[-6:]}", font)
        click.echo(t("report.written", path=str(target)))

    def write_summary() -> None:
        # imported when this runs: `fieldvisit --help` and the other commands start without it
        from fieldvisit.reports import write
        from fieldvisit.reports.data import visit_summary
        from fieldvisit.reports.documents import summary_document

        if office:
            # deferred: a store whose matters' facts fit it is read only for the visit's matters
            from fieldvisit.office.facts_db import facts_for
            from fieldvisit.office.facts_cache import FactsCache

            opened, home = open_central(ctx, base, read_only=True, deferred=True)
        else:
            opened = open_store(paths.field_store_dir(base))
        with opened as store:
            facts = facts_for(store, FactsCache.of(home)) if office else None
            found = visit_summary(store, visit_id, redact=redact, facts=facts if facts and facts.open_cached() else None)
        document = summary_document(found, write.now())
        name = f"visit-{found.visit.get('date') or ''}-{found.visit['id'][-6:]}"
        target = write.write(document, fmt, out, name, font)
        click.echo(t("report.written", path=str(target)))

    run(write_follow_up_list if follow_up else write_summary)


@click.command()
@common_options
@click.option("--from", "start", type=click.DateTime(["%Y-%m-%d"]), required=True, help="First day of the period.")
@click.option("--to", "end", type=click.DateTime(["%Y-%m-%d"]), required=True, help="Last day of the period (inclusive).")
@click.option("--site", default=None, help="Only matters raised on visits to this site (exact name).")
@click.option("--format", "fmt", type=click.Choice(["pdf", "html", "md", "txt", "xlsx"]), default="pdf", show_default=True, help="What to write; xlsx gives one sheet per table, for Excel or WPS (信息上报).")
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
        from fieldvisit.office.facts_db import facts_for
        from fieldvisit.office.facts_cache import FactsCache
        from fieldvisit.office.policy import load_policy
        from fieldvisit.reports import write
        from fieldvisit.reports.data import period_report
        from fieldvisit.reports.documents import report_document
        first, last = start.date(), end.date()
        if last < first:
            raise FieldVisitError("error.report.bad_period", start=first.isoformat(), end=last.isoformat())
        # deferred: read only when the matters' facts beside it do not fit it (a few seconds at 100,000)
        opened, home = open_central(ctx, base, read_only=True, deferred=True)
        with opened as store:
            facts = facts_for(store, FactsCache.of(home))
            found = period_report(store, first, last, site, load_policy(home.policy_file), dt.date.today(), facts)
            name = f"report-{first.isoformat()}-{last.isoformat()}"
            if fmt == "xlsx":
                from fieldvisit.reports.exports import report_sheets, write_sheets

                target = write_sheets(report_sheets(found), fmt, out, name)
            else:
                target = write.write(report_document(found, write.now()), fmt, out, name, font)
            facts.save()  # for the next report, once this one is written: a refused one leaves the office's folder as it was
        click.echo(t("report.written", path=str(target)))

    run(write_report)



@click.command()
@common_options
@click.option("--format", "fmt", type=click.Choice(["xlsx", "csv"]), default="xlsx", show_default=True, help="xlsx for Excel or WPS; csv is UTF-8 with a byte-order mark, which they need for Chinese.")
@click.option("--filter", "saved", default="all", show_default=True, help="A saved filter of the register: all, overdue, due_soon, needs_review, unassigned, collective, dissatisfied.")
@click.option("--search", default="", help="Words every matter must contain (name, employee number, unit, title, demand…), as the register's search box.")
@click.option("--status", default=None, help="Only matters in this status (recorded, registered, accepted, in_progress, replied, closed…).")
@click.option("--category", default=None, help="Only matters of this category code (wages, social_insurance, work_safety…).")
@click.option("--site", default=None, help="Only matters raised on visits to this site (exact name).")
@click.option("--owner", default=None, help="Only matters whose owner or department is this.")
@click.option("--from", "date_from", type=click.DateTime(["%Y-%m-%d"]), default=None, help="Only matters raised on or after this day.")
@click.option("--to", "date_to", type=click.DateTime(["%Y-%m-%d"]), default=None, help="Only matters raised on or before this day.")
@click.option("--sort", "sort_key", default="due", show_default=True, help="Order by a register column: due, date, ref, site, petitioner, category, title, status, owner, flags.")
@click.option("--reverse", is_flag=True, help="Reverse the order.")
@click.option("--redact", is_flag=True, help="Mask petitioners' names, phone and employee numbers (for copies that leave the office).")
@click.option("--out", type=click.Path(path_type=Path), default=None, help="A file, or a folder for the default name (default: the current folder).")
@click.pass_context
def register(ctx, data_dir, lang, fmt, saved, search, status, category, site, owner, date_from, date_to, sort_key, reverse, redact, out) -> None:
    """Write the office register's matters (those of a filter) as a spreadsheet: one row each,
    dates as dates, column widths to fit Chinese."""
    base, _ = settings(ctx, data_dir, lang)

    def write_register() -> None:
        # imported when this runs: `fieldvisit --help` and the other commands start without it
        from dataclasses import replace

        from fieldvisit.core.model import STATUSES
        from fieldvisit.office.policy import load_policy
        from fieldvisit.office.register import SAVED_FILTERS, SORT_KEYS, RegisterIndex
        from fieldvisit.office.register_cache import RegisterCache
        from fieldvisit.reports.exports import register_export, register_rows, write_sheets

        if saved not in SAVED_FILTERS:
            raise FieldVisitError("error.export.bad_filter", name=saved, names=", ".join(SAVED_FILTERS))
        if status and status not in STATUSES:
            raise FieldVisitError("error.export.bad_status", name=status, names=", ".join(STATUSES))
        if sort_key not in SORT_KEYS:
            raise FieldVisitError("error.export.bad_sort", name=sort_key, names=", ".join(SORT_KEYS))
        first, last = (day.date().isoformat() if day else None for day in (date_from, date_to))
        if first and last and last < first:
            raise FieldVisitError("error.report.bad_period", start=first, end=last)
        chosen = replace(
            SAVED_FILTERS[saved], text=search, status=status or None, category=category or None, site=site or None,
            owner=owner or None, date_from=first, date_to=last,
        )
        opened, home = open_central(ctx, base, read_only=True)
        with opened as store:
            policy = load_policy(home.policy_file)
            index = RegisterIndex(store, policy)
            index.open(RegisterCache.of(home, policy))  # the office app's rows when still valid
            found = register_export(store, register_rows(index, chosen, sort_key, reverse), redact)
        stamp = dt.date.today().isoformat()
        target = write_sheets([found.sheet], fmt, out, f"register-{saved}-{stamp}")
        click.echo(t("export.written", count=found.count, path=str(target)))

    run(write_register)
