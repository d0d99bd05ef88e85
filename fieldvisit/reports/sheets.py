"""Tables for Excel and WPS (信息上报): a neutral `Sheet`, written as .xlsx (openpyxl) or .csv.

Offices send figures upward in Excel, so cells keep their types: a date is an Excel date, a
count a number, a rate a number shown as a percentage. Column widths follow the widest cell,
a Chinese character counting two (as Excel and WPS draw it). The csv is UTF-8 with a byte-order
mark, which Excel and WPS need to read Chinese rather than mojibake. Text that starts like a
formula (`=`, `+`, `-`, `@`) is written as text, never as a formula a spreadsheet would run.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import unicodedata
from dataclasses import dataclass, field
from typing import Any

from fieldvisit.core.text import printable

TEXT, DATE, NUMBER, PERCENT = "text", "date", "number", "percent"
MAX_WIDTH = 60
"""The widest a column gets, in Excel's character units; longer text wraps inside the cell."""
DATE_FORMAT = "yyyy-mm-dd"
PERCENT_FORMAT = "0.0%"
SHEET_NAME_LIMIT = 31
"""Excel's limit on a sheet's name; `[]:*?/\\` are not allowed in it either."""
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


@dataclass(frozen=True)
class Column:
    header: str
    kind: str = TEXT


@dataclass(frozen=True)
class Sheet:
    name: str
    columns: list[Column]
    rows: list[list[Any]] = field(default_factory=list)
    """One value per column: str, int, float, `datetime.date` or None (an empty cell)."""


def cell_width(value: Any) -> int:
    """How many character widths a value takes in a spreadsheet cell: CJK counts two."""
    if value is None:
        return 0
    if isinstance(value, dt.date):
        return 10
    if isinstance(value, float):
        return 7
    text = str(value)
    longest = max(text.splitlines() or [""], key=len)
    return sum(2 if unicodedata.east_asian_width(char) in "WF" else 1 for char in longest)


def column_widths(sheet: Sheet) -> list[float]:
    """Each column as wide as its widest cell or header, plus a little room, up to `MAX_WIDTH`."""
    widths = []
    for index, column in enumerate(sheet.columns):
        widest = max([cell_width(column.header), *(cell_width(row[index]) for row in sheet.rows)])
        widths.append(min(MAX_WIDTH, widest + 2))
    return widths


def to_xlsx(sheets: list[Sheet]) -> bytes:
    """A workbook with one worksheet per sheet: bold frozen header row, filters, typed cells."""
    # imported when this runs: openpyxl takes a while to load, and only exports need it
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.styles import Alignment, Font, PatternFill
    from openpyxl.utils import get_column_letter

    book = Workbook(write_only=True)
    bold, fill = Font(bold=True), PatternFill("solid", fgColor="E8ECF2")
    wrap = Alignment(wrap_text=True, vertical="top")
    used: set[str] = set()
    for sheet in sheets:
        page = book.create_sheet(_sheet_name(sheet.name, used))
        widths = column_widths(sheet)
        for index, width in enumerate(widths, 1):
            page.column_dimensions[get_column_letter(index)].width = width
        page.freeze_panes = "A2"
        if sheet.rows:
            page.auto_filter.ref = f"A1:{get_column_letter(len(sheet.columns))}{len(sheet.rows) + 1}"
        header = []
        for column in sheet.columns:
            cell = WriteOnlyCell(page, value=column.header)
            cell.font, cell.fill = bold, fill
            header.append(cell)
        page.append(header)
        for row in sheet.rows:
            cells = []
            for column, width, value in zip(sheet.columns, widths, row):
                value = _typed(value, column.kind)
                cell = WriteOnlyCell(page, value=value)
                if value is None:
                    pass
                elif isinstance(value, dt.date):
                    cell.number_format = DATE_FORMAT
                elif column.kind == PERCENT and isinstance(value, (int, float)):
                    cell.number_format = PERCENT_FORMAT
                elif isinstance(value, str):
                    cell.data_type = "s"  # never a formula, whatever the text starts with
                    if cell_width(value) > width or "\n" in value:
                        cell.alignment = wrap
                cells.append(cell)
            page.append(cells)
    if not sheets:
        book.create_sheet("Sheet1")
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def to_csv(sheet: Sheet) -> bytes:
    """One sheet as csv: UTF-8 with BOM, CRLF line ends, dates as YYYY-MM-DD, rates as 12.5%."""
    out = io.StringIO(newline="")
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow([column.header for column in sheet.columns])
    for row in sheet.rows:
        writer.writerow([_csv_text(value, column.kind) for column, value in zip(sheet.columns, row)])
    return ("\ufeff" + out.getvalue()).encode("utf-8")


def _typed(value: Any, kind: str) -> Any:
    if value is None or value == "":
        return None
    if kind == DATE and isinstance(value, str):
        try:
            return dt.date.fromisoformat(value[:10])
        except ValueError:
            pass  # not a date after all (a hand-edited store): kept as the text it is
    if isinstance(value, str):
        return printable(value).replace("\t", " ")  # a control character is not allowed in a cell
    return value


def _csv_text(value: Any, kind: str) -> str:
    if value is None:
        return ""
    if kind == PERCENT and isinstance(value, (int, float)):
        return f"{value:.1%}"
    if isinstance(value, dt.date):
        return value.isoformat()
    text = printable(value)
    if isinstance(value, str) and text.startswith(_FORMULA_START):
        return "'" + text  # a spreadsheet would run it as a formula (csv injection)
    return text


def _sheet_name(name: str, used: set[str]) -> str:
    """A name Excel accepts, unique in the workbook."""
    clean = "".join("_" if char in "[]:*?/\\" else char for char in name).strip("'") or "Sheet"
    clean = clean[:SHEET_NAME_LIMIT]
    found, number = clean, 2
    while found.casefold() in used:
        suffix = f" ({number})"
        found, number = clean[: SHEET_NAME_LIMIT - len(suffix)] + suffix, number + 1
    used.add(found.casefold())
    return found
