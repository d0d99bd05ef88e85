"""The baselines `reports.py` times against `fieldvisit report` / `fieldvisit summary`.

Not a benchmark on its own: what a user might do instead of our reports, each a fresh
interpreter reading the same store file with the standard library's `json` (no fieldvisit import):

    python benchmarks/report_baselines.py csv STORE.json FIRST LAST OUT.csv
        the matters raised from FIRST to LAST (ISO dates, inclusive) written as a CSV file (`csv`)
        of reference, raised at, category, status, department, assignee, title: the export one
        opens in a spreadsheet to count by hand;
    python benchmarks/report_baselines.py table STORE.json VISIT_ID FONT OUT.pdf
        the visit's matters as a plain fpdf2 table (reference, petitioner, title, demand, on-site
        answer; one row each, the same CJK font), with none of our layout: no header block,
        totals, signatures or wrapping rules of our own.

Each prints the number of matters written.
"""

from __future__ import annotations

import csv
import json
import sys
from pathlib import Path


def value(record: dict, name: str) -> str:
    register = record["fields"].get(name) or {}
    found = register.get("value")
    return "" if found is None else str(found)


def write_csv(store: Path, first: str, last: str, out: Path) -> int:
    with store.open(encoding="utf-8") as handle:
        data = json.load(handle)
    columns = ("ref", "raised_at", "category", "status", "department", "assignee", "title")
    count = 0
    with out.open("w", encoding="utf-8-sig", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(columns)
        for record in data["issues"].values():
            if first <= value(record, "raised_at")[:10] <= last:
                writer.writerow([value(record, name) for name in columns])
                count += 1
    return count


def write_table(store: Path, visit_id: str, font: Path, out: Path) -> int:
    from fpdf import FPDF

    with store.open(encoding="utf-8") as handle:
        data = json.load(handle)
    matters = sorted((r for r in data["issues"].values() if value(r, "visit_id") == visit_id), key=lambda r: value(r, "ref"))
    pdf = FPDF(orientation="landscape")
    pdf.add_font("cjk", "", str(font))
    pdf.set_font("cjk", size=9)
    pdf.add_page()
    with pdf.table(col_widths=(30, 25, 60, 80, 80), first_row_as_headings=False) as table:
        table.row(("编号", "信访人", "事项", "诉求", "现场答复"))
        for record in matters:
            table.row(tuple(value(record, name) for name in ("ref", "petitioner_name", "title", "demand", "onsite_answer")))
    pdf.output(str(out))
    return len(matters)


if __name__ == "__main__":
    if len(sys.argv) == 6 and sys.argv[1] == "csv":
        print(write_csv(Path(sys.argv[2]), sys.argv[3], sys.argv[4], Path(sys.argv[5])))
    elif len(sys.argv) == 6 and sys.argv[1] == "table":
        print(write_table(Path(sys.argv[2]), sys.argv[3], Path(sys.argv[4]), Path(sys.argv[5])))
    else:
        raise SystemExit(__doc__)
