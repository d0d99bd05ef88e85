"""Excel and csv for upward reporting (信息上报, issue 15 §5): the period report's tables as
sheets, the register's matters of a filter, read back with openpyxl (and LibreOffice if present)."""

from __future__ import annotations

import csv
import datetime as dt
import io
import shutil
import subprocess

import openpyxl
import pytest
from click.testing import CliRunner

from fieldvisit.cli import main
from fieldvisit.core.i18n import label, set_language, t
from fieldvisit.core.records import values
from fieldvisit.demo.office import write_office_demo
from fieldvisit.editing.editor import Editor
from fieldvisit.office.register import SAVED_FILTERS, RegisterIndex
from fieldvisit.reports.data import period_report
from fieldvisit.reports.document import Bars, Table
from fieldvisit.reports.documents import report_document
from fieldvisit.reports.exports import register_export, register_rows, report_sheets
from fieldvisit.reports.sheets import (
    Column,
    Sheet,
    cell_width,
    column_widths,
    to_csv,
    to_xlsx,
)
from fieldvisit.stores.store import ISSUES, TinyDBStore

ANCHOR = dt.date(2026, 11, 25)
NOW = dt.datetime(2026, 11, 25, 10, 0)
START, END = dt.date(2026, 10, 1), dt.date(2026, 11, 30)


@pytest.fixture(scope="module")
def data_dir(tmp_path_factory):
    base = tmp_path_factory.mktemp("data")
    write_office_demo(base / "office", ANCHOR)
    return base


@pytest.fixture(scope="module")
def cli_dir(data_dir, tmp_path_factory):
    """A copy for the commands to open: the `office` fixture holds the first one's lock."""
    copy = tmp_path_factory.mktemp("cli") / "data"
    shutil.copytree(data_dir, copy)
    return copy


@pytest.fixture(scope="module")
def office(data_dir):
    with TinyDBStore.in_directory(data_dir / "office") as store:
        yield store


def _book(data: bytes):
    return openpyxl.load_workbook(io.BytesIO(data))


def _rows(sheet) -> list[list]:
    return [[cell.value for cell in row] for row in sheet.iter_rows(min_row=2)]


def test_report_sheets_hold_the_figures_the_pdf_prints(office):
    report = period_report(office, START, END, today=ANCHOR)
    book = _book(to_xlsx(report_sheets(report)))
    assert book.sheetnames == ["概况", "办结率与满意率", "按类别", "按地点", "按状态", "按月份", "满意度", "上升的类别", "超期事项"]
    blocks = report_document(report, NOW).blocks
    bars = {block.title: block.items for block in blocks if isinstance(block, Bars)}
    for sheet, title in (("按类别", "按类别统计"), ("按地点", "按地点统计"), ("按月份", "按月份统计")):
        rows = _rows(book[sheet])
        assert [(name, count) for name, count, _ in rows[:-1]] == bars[title]
        assert rows[-1][:2] == ["合计", sum(count for _, count in bars[title])]
        assert rows[0][2] == pytest.approx(rows[0][1] / rows[-1][1])
        assert book[sheet]["C2"].number_format == "0.0%"
    [status] = [block for block in blocks if isinstance(block, Table) and block.headers[0] == "状态"]
    assert [[name, str(count)] for name, count, _ in _rows(book["按状态"])[:-1]] == status.rows
    rates = dict((name, value) for name, value in _rows(book["办结率与满意率"]))
    assert rates["按期办结率"] == pytest.approx(report.stats.on_time_rate)
    assert rates["满意率"] == pytest.approx(report.stats.satisfaction_rate)
    overview = dict(_rows(book["概况"]))
    assert overview["新增事项"] == report.stats.new and isinstance(overview["统计起始日"], dt.datetime)
    overdue = _rows(book["超期事项"])
    assert report.overdue and len(overdue) == len(report.overdue)
    first = report.overdue[0]
    assert overdue[0][0] == first.ref and overdue[0][4].date() == first.due and overdue[0][5] == first.days
    assert overdue[0][8] == first.first_owner and book["超期事项"]["E2"].number_format == "yyyy-mm-dd"


def test_report_sheets_in_english(office):
    set_language("en")
    try:
        book = _book(to_xlsx(report_sheets(period_report(office, START, END, today=ANCHOR))))
    finally:
        set_language("zh-CN")
    assert book.sheetnames[:3] == ["Overview", "Rates", "By category"]
    assert [cell.value for cell in book["Overdue"][1]][:2] == ["Reference", "Title"]


def test_cli_report_xlsx(cli_dir, tmp_path):
    out = tmp_path / "report.xlsx"
    result = CliRunner().invoke(main, ["--data-dir", str(cli_dir), "report", "--from", "2026-10-01", "--to", "2026-11-30", "--format", "xlsx", "--out", str(out)])
    assert result.exit_code == 0, result.output
    assert "按类别" in _book(out.read_bytes()).sheetnames


def _whole(office, rows):
    return {row[0]: values(record) for record in office.all(ISSUES) for row in rows if values(record).get("ref") == row[0]}


def test_register_export_of_a_filter_whole_or_masked(office):
    index = RegisterIndex(office, today=ANCHOR).build()
    chosen = SAVED_FILTERS["overdue"]
    expected = index.select(chosen)
    assert 0 < len(expected) < len(index.rows)
    whole = _book(to_xlsx([register_export(office, register_rows(index, chosen)).sheet]))["事项清单"]
    header = [cell.value for cell in whole[1]]
    assert header[:6] == ["编号", "反映日期", "地点", "反映人", "工号", "电话"]
    rows = _rows(whole)
    assert sorted(row[0] for row in rows) == sorted(row.ref for row in expected)
    days = [row[header.index("剩余天数")] for row in rows]
    assert days == sorted(days) and all(day < 0 for day in days)  # the register's order: most overdue first
    matters = _whole(office, rows)
    named = [row for row in rows if matters[row[0]].get("phone") and not matters[row[0]].get("anonymous")]
    assert named
    for row in named:
        matter = matters[row[0]]
        assert row[3] == matter["petitioner_name"] and row[5] == matter["phone"]
        assert row[1].date().isoformat() == matter["raised_at"][:10]
    assert whole["B2"].number_format == "yyyy-mm-dd"
    masked = _rows(_book(to_xlsx([register_export(office, register_rows(index, chosen), redact=True).sheet]))["事项清单"])
    for row in masked:
        matter = matters[row[0]]
        if matter.get("anonymous"):
            continue
        assert matter["petitioner_name"] not in str(row)
        assert not matter.get("phone") or (matter["phone"] not in str(row) and row[5].count("*") == 6)
        assert not matter.get("employee_no") or sum(char.isdigit() for char in row[4]) <= 2


def test_column_widths_count_chinese_double():
    sheet = Sheet("表", [Column("编号"), Column("事项标题"), Column("日期", "date")], [["20261120-3WER-001", "井下津贴少发九月份", dt.date(2026, 11, 20)]])
    assert cell_width("井下津贴少发九月份") == 18 and cell_width("ab井") == 4
    assert column_widths(sheet) == [19, 20, 12]
    page = _book(to_xlsx([sheet]))["表"]
    assert page.column_dimensions["A"].width == 19 and page.column_dimensions["B"].width == 20
    assert page.freeze_panes == "A2"


def test_text_that_looks_like_a_formula_stays_text():
    sheet = Sheet("s", [Column("a"), Column("b", "number")], [['=HYPERLINK("http://x","点")', -3], ["+1", 2]])
    page = _book(to_xlsx([sheet]))["s"]
    assert page["A2"].data_type == "s" and page["A2"].value == '=HYPERLINK("http://x","点")'
    assert page["B2"].value == -3
    rows = list(csv.reader(io.StringIO(to_csv(sheet).decode("utf-8-sig"))))
    assert rows[1:] == [["'=HYPERLINK(\"http://x\",\"点\")", "-3"], ["'+1", "2"]]


def test_cli_register_csv_is_utf8_with_bom_and_filtered(cli_dir, tmp_path):
    out = tmp_path / "register.csv"
    result = CliRunner().invoke(main, ["--data-dir", str(cli_dir), "register", "--format", "csv", "--filter", "collective", "--redact", "--out", str(out)])
    assert result.exit_code == 0, result.output
    raw = out.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")
    rows = list(csv.reader(io.StringIO(raw.decode("utf-8-sig"))))
    assert rows[0][:4] == ["编号", "反映日期", "地点", "反映人"]
    with TinyDBStore.in_directory(cli_dir / "office") as store:
        collective = [values(r) for r in store.all(ISSUES) if values(r).get("collective")]
    assert len(rows) - 1 == len(collective) > 0
    assert t("export.written", count=len(collective), path=str(out)) in result.output
    assert all(row[2] for row in rows[1:]) and all("-" in row[1] for row in rows[1:])


def test_cli_register_search_and_bad_input(cli_dir, tmp_path):
    runner = CliRunner()
    out = tmp_path / "r.xlsx"
    result = runner.invoke(main, ["--data-dir", str(cli_dir), "register", "--search", "津贴", "--status", "accepted", "--out", str(out)])
    assert result.exit_code == 0, result.output
    rows = _rows(_book(out.read_bytes())["事项清单"])
    assert rows and all(row[12] == label("status", "accepted") for row in rows)
    bad = runner.invoke(main, ["--data-dir", str(cli_dir), "register", "--filter", "nope"])
    assert bad.exit_code == 1 and "常用筛选" in bad.output
    unknown = runner.invoke(main, ["--data-dir", str(cli_dir), "register", "--status", "done"])
    assert unknown.exit_code == 1 and "没有“done”这个状态" in unknown.output
    backwards = runner.invoke(main, ["--data-dir", str(cli_dir), "register", "--from", "2026-11-30", "--to", "2026-10-01"])
    assert backwards.exit_code == 1 and "早于" in backwards.output


def test_register_export_of_a_matter_with_control_characters(tmp_path):
    with TinyDBStore.in_directory(tmp_path / "office") as store:
        editor = Editor(store, actor="信访办 周敏")
        visit = editor.create_visit({"title": "接访", "site": "东风煤矿三采区", "date": "2026-11-20"})
        editor.record_issue(visit["id"], {"title": "津贴\x1b[31m少发", "demand": "=1+1", "petitioner_name": "张建国"})
        index = RegisterIndex(store, today=ANCHOR).build()
        sheet = register_export(store, register_rows(index, SAVED_FILTERS["all"])).sheet
    row = _rows(_book(to_xlsx([sheet]))["事项清单"])[0]
    assert row[10] == "津贴[31m少发" and row[11] == "=1+1" and row[3] == "张建国"
    # a value that reached the store with a control character (an old or hand-edited store)
    raw = Sheet("s", [Column("a")], [["津贴\x1b[31m\x07少发"]])
    assert _rows(_book(to_xlsx([raw]))["s"]) == [["津贴 [31m 少发"]]
    assert "\x1b" not in to_csv(raw).decode("utf-8-sig")


@pytest.mark.skipif(shutil.which("soffice") is None, reason="LibreOffice (soffice) is not installed")
def test_libreoffice_reads_the_chinese(office, tmp_path):
    index = RegisterIndex(office, today=ANCHOR).build()
    source = tmp_path / "register.xlsx"
    source.write_bytes(to_xlsx([register_export(office, register_rows(index, SAVED_FILTERS["overdue"])).sheet]))
    profile = tmp_path / "lo-profile"
    subprocess.run(
        ["soffice", f"-env:UserInstallation=file://{profile}", "--headless", "--convert-to", "csv:Text - txt - csv (StarCalc):44,34,76", "--outdir", str(tmp_path), str(source)],
        check=True, capture_output=True, timeout=180,
    )
    text = (tmp_path / "register.csv").read_text("utf-8")
    assert "编号" in text and "反映日期" in text
    for row in index.select(SAVED_FILTERS["overdue"])[:5]:
        assert row.ref in text and row.title in text
    first_day = _rows(_book(source.read_bytes())["事项清单"])[0][1].date().isoformat()
    assert first_day in text  # a date LibreOffice reads as a date, shown as yyyy-mm-dd
