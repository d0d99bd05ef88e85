"""What goes into a spreadsheet: the period report's tables, and the register's matters.

The report's sheets come from the same `PeriodReport` (`reports.data`) the PDF prints, so the
figures sent upward are the ones on paper. The register's rows are the matters of the register's
own filter and search (`office.register`), in its order, read whole from the store and masked
by `reports.data.redacted` when asked: one definition of redaction for every copy.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from fieldvisit.core.errors import FieldVisitError
from fieldvisit.core.i18n import label, t
from fieldvisit.core.model import FLAGS
from fieldvisit.core.records import values
from fieldvisit.core.text import safe_file_name
from fieldvisit.office.register import RegisterFilter, RegisterIndex, RegisterRow
from fieldvisit.reports.data import PeriodReport, redacted
from fieldvisit.reports.sheets import (
    DATE,
    NUMBER,
    PERCENT,
    Column,
    Sheet,
    to_csv,
    to_xlsx,
)
from fieldvisit.stores.storage import write_atomically
from fieldvisit.stores.store import ISSUES, Store

SHEET_FORMATS = ("xlsx", "csv")


def report_sheets(report: PeriodReport) -> list[Sheet]:
    """Overview, by category, site, status and month, satisfaction, rising categories, overdue."""
    stats = report.stats
    count = Column(t("report.count"), NUMBER)

    def share(number: int, total: int) -> float | None:
        return number / total if total else None

    def counted(name: str, heading: str, items: list[tuple[str, int]]) -> Sheet:
        total = sum(number for _, number in items)
        rows: list[list[Any]] = [[item, number, share(number, total)] for item, number in items]
        rows.append([t("report.total"), total, 1.0 if total else None])
        return Sheet(name, [Column(heading), count, Column(t("export.col.share"), PERCENT)], rows)

    overview = Sheet(
        t("export.sheet.overview"),
        [Column(t("export.col.item")), Column(t("export.col.value"), NUMBER)],
        [
            [t("export.col.period_start"), stats.start],
            [t("export.col.period_end"), stats.end],
            [t("report.site"), report.site or t("report.all_sites")],
            [t("report.new"), stats.new],
            [t("report.closed"), stats.closed],
            [t("report.withdrawn"), stats.withdrawn],
            [t("report.repeat"), stats.repeat],
            [t("report.collective"), stats.collective],
            [t("report.skip_level"), stats.skip_level],
            [t("report.safety_hazard"), stats.safety_hazard],
            [t("report.overdue_count", day=report.as_of.isoformat()), stats.overdue],
        ],
    )
    rates = Sheet(
        t("export.sheet.rates"),
        [Column(t("export.col.item")), Column(t("export.col.rate"), PERCENT)],
        [[t("report.on_time_rate"), stats.on_time_rate], [t("report.satisfaction_rate"), stats.satisfaction_rate]],
    )
    sheets = [
        overview,
        rates,
        counted(t("export.sheet.category"), t("report.category"), [(label("category", code), n) for code, n in stats.by_category.items()]),
        counted(t("export.sheet.site"), t("report.site"), [(site or t("report.unknown_site"), n) for site, n in stats.by_site.items()]),
        counted(t("export.sheet.status"), t("report.status"), [(label("status", code), n) for code, n in stats.by_status.items()]),
        counted(t("export.sheet.month"), t("export.col.month"), list(stats.by_month.items())),
        counted(t("export.sheet.satisfaction"), t("report.rating"), [(label("satisfaction", code), n) for code, n in stats.satisfaction.items()]),
        Sheet(
            t("export.sheet.rising"),
            [Column(t("report.category")), Column(t("report.now"), NUMBER), Column(t("report.before"), NUMBER), Column(t("report.change"), PERCENT)],
            [[label("category", item.category), item.now, item.before, t("report.new_from_zero") if item.change is None else item.change] for item in stats.rising],
        ),
        Sheet(
            t("export.sheet.overdue"),
            [
                Column(t("report.ref")), Column(t("field.title")), Column(t("field.category")), Column(t("report.step")),
                Column(t("report.due"), DATE), Column(t("report.days_over"), NUMBER), Column(t("field.department")),
                Column(t("field.assignee")), Column(t("field.first_owner")),
            ],
            [
                [item.ref, item.title, label("category", item.category), label("deadline", item.step), item.due, item.days, item.department, item.assignee, item.first_owner]
                for item in report.overdue
            ],
        ),
    ]
    return sheets


REGISTER_COLUMNS = (
    ("ref", "text"), ("raised", DATE), ("site", "text"), ("petitioner_name", "text"), ("employee_no", "text"),
    ("phone", "text"), ("unit", "text"), ("people", NUMBER), ("category", "text"), ("urgency", "text"),
    ("title", "text"), ("demand", "text"), ("status", "text"), ("due", DATE), ("days_left", NUMBER),
    ("first_owner", "text"), ("assignee", "text"), ("department", "text"), ("flags", "text"), ("satisfaction", "text"),
)
"""The register export's columns, in order: `export.col.<key>` names each."""


@dataclass(frozen=True)
class RegisterExport:
    sheet: Sheet
    count: int


def register_rows(index: RegisterIndex, chosen: RegisterFilter, sort_key: str = "due", reverse: bool = False) -> list[RegisterRow]:
    """Every matter of `chosen` in the register's order, as the register screen lists them."""
    return list(index.ordered(chosen, sort_key, reverse).all())


def register_export(store: Store, rows: list[RegisterRow], redact: bool = False) -> RegisterExport:
    """The matters of these register rows as one sheet, each read whole from the store (a row
    holds only what the register shows) and masked when `redact`."""
    sheet = Sheet(t("export.sheet.register"), [Column(t(f"export.col.{key}"), kind) for key, kind in REGISTER_COLUMNS])
    for row in rows:
        record = store.get(ISSUES, row.id)
        if record is not None:
            issue = values(record)
            sheet.rows.append(_register_row(row, redacted(issue) if redact else issue))
    return RegisterExport(sheet, len(sheet.rows))


def _register_row(row: RegisterRow, issue: dict[str, Any]) -> list[Any]:
    anonymous = bool(issue.get("anonymous"))
    return [
        row.ref,
        row.date or None,
        row.site,
        t("report.anonymous") if anonymous else issue.get("petitioner_name") or "",
        "" if anonymous else issue.get("employee_no") or "",
        "" if anonymous else issue.get("phone") or "",
        issue.get("unit") or "",
        issue.get("people") or 1,
        label("category", row.category),
        label("urgency", row.urgency),
        issue.get("title") or "",
        issue.get("demand") or "",
        label("status", row.status),
        row.due,
        row.days_left,
        issue.get("first_owner") or "",
        issue.get("assignee") or "",
        issue.get("department") or "",
        "、".join(label("flag", flag) for flag in FLAGS if flag in row.flags),
        label("satisfaction", row.satisfaction) if row.satisfaction else "",
    ]


def render_sheets(sheets: list[Sheet], fmt: str) -> bytes:
    """A workbook of every sheet, or the first sheet as csv (csv has no sheets)."""
    if fmt == "xlsx":
        return to_xlsx(sheets)
    if fmt == "csv":
        return to_csv(sheets[0])
    raise FieldVisitError("error.export.bad_format", format=fmt)


def write_sheets(sheets: list[Sheet], fmt: str, out: Path | None, default_name: str) -> Path:
    """Like `reports.write.write`: to `out` (a file, or a folder for the default name), whole or not at all."""
    if fmt not in SHEET_FORMATS:
        raise FieldVisitError("error.export.bad_format", format=fmt)
    name = f"{safe_file_name(default_name, fallback='export')}.{fmt}"
    target = Path(out) if out else Path.cwd() / name
    if target.is_dir():
        target = target / name
    data = render_sheets(sheets, fmt)
    target.parent.mkdir(parents=True, exist_ok=True)
    write_atomically(target, data)
    return target
