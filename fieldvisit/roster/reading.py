"""An HR department's employee list (xlsx or csv) read into people, with what was recognised.

CSV comes as UTF-8 (with or without the BOM Excel writes) or, from Chinese Excel, in GBK; it is
decoded as UTF-8 first and as GB18030 (a superset of GBK) otherwise, and the delimiter (comma,
semicolon, tab) is sniffed. XLSX is read with openpyxl, the first sheet, values not formulas.
Numbers Excel stored as numbers (phones, numeric employee numbers) become their digits.

A row without a name is skipped and said why, as is a second row with an employee number
already seen; blank rows are left out silently. A file that cannot be read at all is a
RosterError naming the line (or column) at fault, and nothing is written.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from fieldvisit.core import model
from fieldvisit.core.errors import RosterError
from fieldvisit.core.text import one_line
from fieldvisit.roster import columns
from fieldvisit.roster.people import FIELDS, Person

ENCODINGS = ("utf-8-sig", "gb18030")
MAX_PEOPLE = 200_000
"""More rows than any one company's list: a wrong file, refused before it fills the laptop."""


@dataclass
class Skipped:
    line: int
    reason: str
    """A message key under `roster.skip`."""
    params: dict[str, Any] = field(default_factory=dict)


@dataclass
class RosterFile:
    """What `read_roster` recognised in a file: the header, the people and the rows left out."""

    path: str
    kind: str
    """"xlsx" or "csv"."""
    encoding: str
    header: columns.Header
    people: list[Person]
    skipped: list[Skipped]
    rows: int
    """Data rows after the header, blank ones included."""


def read_roster(path: Path | str) -> RosterFile:
    path = Path(path)
    suffix = path.suffix.lower()
    if suffix in (".xlsx", ".xlsm"):
        rows, encoding, kind = _xlsx_rows(path), "", "xlsx"
    elif suffix in (".csv", ".txt"):
        (rows, encoding), kind = _csv_rows(path), "csv"
    elif suffix == ".xls":
        raise RosterError("error.roster.xls", path=str(path))
    else:
        raise RosterError("error.roster.kind", path=str(path))
    header = columns.detect(rows)
    if header is None:
        raise RosterError("error.roster.no_header", path=str(path), lines=columns.SCAN_LINES)
    people, skipped = _people(rows, header)
    data_rows = sum(1 for line, _ in rows if line > header.line)
    return RosterFile(str(path), kind, encoding, header, people, skipped, data_rows)


def _csv_rows(path: Path) -> tuple[list[tuple[int, list[str]]], str]:
    data = path.read_bytes()
    text, encoding = _decode(data, path)
    sample = text[:8192]
    try:
        dialect: Any = csv.Sniffer().sniff(sample, delimiters=",;\t")
    except csv.Error:
        dialect = csv.excel
    rows = []
    reader = csv.reader(io.StringIO(text, newline=""), dialect)
    try:
        for cells in reader:
            if len(rows) > MAX_PEOPLE:
                raise RosterError("error.roster.too_many", path=str(path), limit=MAX_PEOPLE)
            rows.append((reader.line_num, cells))
    except csv.Error as error:
        raise RosterError("error.roster.csv", path=str(path), line=reader.line_num, reason=str(error)) from None
    return rows, encoding


def _decode(data: bytes, path: Path) -> tuple[str, str]:
    """UTF-8 (BOM or not), else GB18030; neither: the first line that is neither, named."""
    for encoding in ENCODINGS:
        try:
            return data.decode(encoding), "utf-8" if encoding == "utf-8-sig" else "gbk"
        except UnicodeDecodeError:
            continue
    for number, line in enumerate(data.splitlines(), start=1):
        try:
            line.decode("utf-8")
        except UnicodeDecodeError:
            try:
                line.decode("gb18030")
            except UnicodeDecodeError:
                raise RosterError("error.roster.encoding", path=str(path), line=number) from None
    raise RosterError("error.roster.encoding", path=str(path), line=1)


def _xlsx_rows(path: Path) -> list[tuple[int, list[str]]]:
    # imported when an xlsx is read: the field app starts without openpyxl
    from zipfile import BadZipFile

    from openpyxl import load_workbook
    from openpyxl.utils.exceptions import InvalidFileException

    try:
        book = load_workbook(path, read_only=True, data_only=True)
    except (BadZipFile, InvalidFileException, KeyError, ValueError, OSError) as error:
        if isinstance(error, (FileNotFoundError, PermissionError, IsADirectoryError)):
            raise
        raise RosterError("error.roster.xlsx", path=str(path)) from None
    try:
        sheet = book.worksheets[0]
        rows = []
        for number, values in enumerate(sheet.iter_rows(values_only=True), start=1):
            if len(rows) > MAX_PEOPLE:
                raise RosterError("error.roster.too_many", path=str(path), limit=MAX_PEOPLE)
            rows.append((number, [_cell_text(value) for value in values]))
        return rows
    finally:
        book.close()


def _cell_text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return str(value)
    if isinstance(value, float) and value.is_integer():
        return str(int(value))  # 13900000000.0 → 13900000000
    if isinstance(value, dt.datetime):
        return value.date().isoformat()
    return str(value)


def _people(rows: list[tuple[int, list[str]]], header: columns.Header) -> tuple[list[Person], list[Skipped]]:
    people: list[Person] = []
    skipped: list[Skipped] = []
    numbers: dict[str, int] = {}
    for line, cells in rows:
        if line <= header.line or not any(cell.strip() for cell in cells):
            continue
        values = {name: _value(cells, header.columns.get(name)) for name in FIELDS}
        if not values["petitioner_name"]:
            skipped.append(Skipped(line, "no_name"))
            continue
        too_long = next((name for name in FIELDS if len(values[name]) > model.MAX_LENGTHS[name]), None)
        if too_long:
            skipped.append(Skipped(line, "too_long", {"column": header.titles.get(too_long, too_long), "limit": model.MAX_LENGTHS[too_long]}))
            continue
        number = values["employee_no"]
        if number and number.casefold() in numbers:
            skipped.append(Skipped(line, "duplicate", {"number": number, "first": numbers[number.casefold()]}))
            continue
        if number:
            numbers[number.casefold()] = line
        people.append(Person(number, values["petitioner_name"], values["unit"], values["phone"]))
    return people, skipped


def _value(cells: list[str], index: int | None) -> str:
    if index is None or index >= len(cells):
        return ""
    return one_line(cells[index]).strip()
