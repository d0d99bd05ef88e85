"""Which column of an HR export holds what: headers in Chinese or English, as exported.

HR systems name the same column many ways (工号, 员工编号, 职工号, Employee ID…). Headers are
compared after NFKC (full-width letters and brackets become plain), casefolding and dropping
spaces, brackets and punctuation, so `员工编号（必填）`-like decorations still count when the
name starts with a known alias. The header row is the first of the opening lines in which the
name column and at least one other column are recognised: exports often start with a title line.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

ALIASES: dict[str, tuple[str, ...]] = {
    "employee_no": (
        "工号", "员工编号", "职工号", "职工编号", "员工号", "人员编号", "人员编码", "员工代码", "编号", "工作证号",
        "employeeno", "employeenumber", "employeeid", "staffno", "staffid", "staffnumber", "empno", "empid", "badge", "badgeno", "id", "no",
    ),
    "petitioner_name": ("姓名", "员工姓名", "职工姓名", "人员姓名", "名字", "name", "fullname", "employeename", "staffname"),
    "unit": (
        "单位", "部门", "车间", "所在单位", "所在部门", "工作单位", "区队", "班组", "科室", "部门名称", "单位名称", "组织", "所属部门",
        "unit", "department", "dept", "team", "workshop", "organisation", "organization", "orgunit", "section",
    ),
    "phone": (
        "手机", "手机号", "手机号码", "电话", "联系电话", "电话号码", "联系方式", "移动电话",
        "phone", "mobile", "mobilephone", "cellphone", "tel", "telephone", "phonenumber", "contact",
    ),
}
"""Field → header names, most specific first; a header matches an alias exactly, or starts with
it when the alias is Chinese (`单位名称（全称）`)."""
SCAN_LINES = 10
"""The header row is looked for in this many opening lines."""
_NOISE = re.compile(r"[\s()（）\[\]【】<>《》:：*_\-./#·、,，;；'\"“”‘’]+")


@dataclass(frozen=True)
class Header:
    line: int
    """1-based line (csv) or row (xlsx) of the header."""
    columns: dict[str, int]
    """Field → 0-based column index."""
    titles: dict[str, str]
    """Field → the header text as written in the file."""
    ignored: tuple[str, ...]
    """Headers of columns no field took (shown in the preview)."""


def normalise(header: str) -> str:
    return _NOISE.sub("", unicodedata.normalize("NFKC", header).casefold())


def field_of(header: str) -> tuple[str, int] | None:
    """The field a header names and how sure (0 exact, 1 prefix), or None."""
    text = normalise(header)
    if not text:
        return None
    for field, aliases in ALIASES.items():
        if text in aliases:
            return field, 0
    for field, aliases in ALIASES.items():
        for alias in aliases:
            if not alias.isascii() and text.startswith(alias):
                return field, 1
    return None


def detect(rows: list[tuple[int, list[str]]]) -> Header | None:
    """The header among the first `SCAN_LINES` rows (line number, cells), or None."""
    for line, cells in rows[:SCAN_LINES]:
        found = _match(cells)
        if "petitioner_name" in found and len(found) >= 2:
            columns = {field: index for field, (index, _) in found.items()}
            taken = set(columns.values())
            ignored = tuple(cell.strip() for index, cell in enumerate(cells) if index not in taken and cell.strip())
            return Header(line, columns, {field: cells[index].strip() for field, index in columns.items()}, ignored)
    return None


def _match(cells: list[str]) -> dict[str, tuple[int, int]]:
    """Field → (column, how sure): per field the surest column, the leftmost on a tie."""
    found: dict[str, tuple[int, int]] = {}
    for index, cell in enumerate(cells):
        match = field_of(cell)
        if match is None:
            continue
        field, rank = match
        if field not in found or rank < found[field][1]:
            found[field] = (index, rank)
    return found
