"""The employee roster (issue 14 §4): HR exports read in Chinese or English, csv in UTF-8 or GBK
or xlsx, bad files refused naming the line, the roster sealed with the store's passphrase and
never in a bundle, and the search the form runs on every key."""

from __future__ import annotations

import gzip
import json

import orjson
import pytest
from click.testing import CliRunner

from fieldvisit.cli import main
from fieldvisit.core.errors import RosterError
from fieldvisit.core.i18n import set_language
from fieldvisit.locations import paths
from fieldvisit.roster.columns import detect
from fieldvisit.roster.keeping import load_roster, read_document, reseal, save_roster
from fieldvisit.roster.people import Person, Roster
from fieldvisit.roster.preview import preview_lines
from fieldvisit.roster.reading import read_roster
from fieldvisit.stores import at_rest
from fieldvisit.stores.store import TinyDBStore

ZH_ROWS = [
    ["东风煤矿职工花名册（2026年11月导出）"],
    ["序号", "工号", "姓名", "所在单位", "联系电话", "备注"],
    ["1", "DF102345", "王建军", "综采一队", "13912345678", ""],
    ["2", "DF102346", "李秀英", "掘进二队", "13812345679", "调入"],
    ["3", "DF102347", "王建军", "通风队", "13712345670", ""],
]


def invoke(*args, passphrase: str = ""):
    return CliRunner().invoke(main, [str(arg) for arg in args], env={"FIELDVISIT_PASSPHRASE": passphrase}, catch_exceptions=False)


def write_csv(path, rows, encoding="utf-8", delimiter=","):
    path.write_bytes("\r\n".join(delimiter.join(row) for row in rows).encode(encoding))
    return path


def write_xlsx(path, rows):
    from openpyxl import Workbook

    book = Workbook()
    sheet = book.active
    for row in rows:
        sheet.append(row)
    book.save(path)
    return path


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "gbk", "gb18030"])
def test_a_chinese_csv_in_any_encoding_excel_writes(tmp_path, encoding):
    found = read_roster(write_csv(tmp_path / "hr.csv", ZH_ROWS, encoding))
    assert found.header.line == 2  # the title line above the headers is passed over
    assert found.header.columns == {"employee_no": 1, "petitioner_name": 2, "unit": 3, "phone": 4}
    assert found.header.ignored == ("序号", "备注")
    assert [person.as_row() for person in found.people] == [row[1:5] for row in ZH_ROWS[2:]]
    assert found.encoding == ("gbk" if encoding.startswith("gb") else "utf-8")


def test_english_headers_in_another_order_and_a_semicolon_csv(tmp_path):
    rows = [["Name", "Mobile", "Department", "Employee ID"], ["Zhang Wei", "13900000001", "Workshop 2", "E-0042"]]
    found = read_roster(write_csv(tmp_path / "hr.csv", rows, delimiter=";"))
    assert found.header.titles == {"petitioner_name": "Name", "phone": "Mobile", "unit": "Department", "employee_no": "Employee ID"}
    assert found.people == [Person("E-0042", "Zhang Wei", "Workshop 2", "13900000001")]


@pytest.mark.parametrize("headers", [
    ["员工编号", "员工姓名", "部门", "手机号码"],
    ["职工号", "姓名", "车间", "电话"],
    ["工号（必填）", "姓　名", "单位名称", "联系方式"],
    ["EmpNo", "Full Name", "Unit", "Tel"],
])
def test_the_many_names_hr_systems_give_the_columns(headers):
    header = detect([(1, headers)])
    assert header is not None and header.columns == {"employee_no": 0, "petitioner_name": 1, "unit": 2, "phone": 3}


def test_an_xlsx_with_numbers_stored_as_numbers(tmp_path):
    rows = [["工号", "姓名", "单位", "手机"], [102345, "王建军", "综采一队", 13912345678], [None, None, None, None], [102346, "李秀英", None, None]]
    found = read_roster(write_xlsx(tmp_path / "hr.xlsx", rows))
    assert found.kind == "xlsx"
    assert [person.as_row() for person in found.people] == [["102345", "王建军", "综采一队", "13912345678"], ["102346", "李秀英", "", ""]]
    assert found.skipped == []  # the blank row is left out silently


def test_rows_skipped_are_said_with_their_line_and_why(tmp_path):
    rows = [*ZH_ROWS, ["4", "DF102348", "", "通风队", "", ""], ["5", "DF102345", "张伟", "机电队", "", ""], ["6", "DF9", "赵" * 101, "", "", ""]]
    found = read_roster(write_csv(tmp_path / "hr.csv", rows))
    assert [(skipped.line, skipped.reason) for skipped in found.skipped] == [(6, "no_name"), (7, "duplicate"), (8, "too_long")]
    set_language("zh-CN")
    text = "\n".join(preview_lines(found))
    assert "第 6 行：没有姓名" in text
    assert "第 7 行：工号 DF102345 已在第 3 行出现" in text
    assert "“姓名”超过 100 个字符" in text
    assert "工号 ← “工号”" in text and "单位" in text
    assert "共 6 行，识别 3 人，跳过 3 行。" in text


def test_bad_files_are_refused_naming_what_is_wrong(tmp_path):
    set_language("en")
    try:
        with pytest.raises(RosterError, match="no column for the name"):
            read_roster(write_csv(tmp_path / "a.csv", [["工号", "单位"], ["1", "综采一队"]]))
        with pytest.raises(RosterError, match=r"line 3: neither UTF-8 nor GBK"):
            (tmp_path / "b.csv").write_bytes("姓名,单位\n王建军,综采一队\n".encode() + b"\x81\x20\xff,x\n")
            read_roster(tmp_path / "b.csv")
        with pytest.raises(RosterError, match="not a readable .xlsx"):
            (tmp_path / "c.xlsx").write_bytes(b"PK\x03\x04 not really a workbook")
            read_roster(tmp_path / "c.xlsx")
        with pytest.raises(RosterError, match="save it as .xlsx or .csv"):
            (tmp_path / "d.xls").write_bytes(b"\xd0\xcf\x11\xe0")
            read_roster(tmp_path / "d.xls")
        with pytest.raises(RosterError, match="not an .xlsx or .csv"):
            (tmp_path / "e.pdf").write_bytes(b"%PDF")
            read_roster(tmp_path / "e.pdf")
    finally:
        set_language("zh-CN")


def test_search_by_number_digits_or_the_first_characters_of_a_name():
    people = [Person(f"DF{index:06d}", name, f"单位{index % 7}", "") for index, name in enumerate(["王建军", "王建国", "王建军", "李秀英"] * 5000)]
    roster = Roster(people)
    assert len(roster) == 20_000
    assert roster.find("DF000003") == [people[3]]
    assert roster.find("df000003") == [people[3]]
    assert roster.find("000003") == [people[3]]  # digits without the letters HR puts in front
    found = roster.find("王建")
    assert len(found) == 8 and {person.name for person in found} <= {"王建军", "王建国"}
    assert roster.find("王建国")[0].name == "王建国"
    assert [person.name for person in roster.find("王建军", limit=3)] == ["王建军"] * 3
    assert roster.find("") == [] and roster.find("赵") == []
    assert Roster([people[0], people[3]]).exact("王建军") == [people[0]]


def test_the_roster_is_sealed_with_the_store_key_and_follows_a_new_passphrase(tmp_path):
    people = [Person("DF102345", "王建军", "综采一队", "13912345678")]
    target = tmp_path / "roster.json"
    cipher = at_rest.new_cipher("口令一", at_rest.FAST_STRENGTH)
    save_roster(target, people, cipher, source="/x/hr.xlsx")
    raw = target.read_bytes()
    assert "王建军".encode() not in raw and b"13912345678" not in raw and b"DF102345" not in raw
    assert read_document(target)["count"] == 1 and read_document(target)["source"] == "hr.xlsx"
    assert load_roster(target, cipher).people == tuple(people)
    with pytest.raises(RosterError):
        load_roster(target, None)
    other = at_rest.new_cipher("口令二", at_rest.FAST_STRENGTH)
    with pytest.raises(RosterError):
        load_roster(target, other)
    assert reseal(target, cipher, other)
    assert load_roster(target, other).people == tuple(people)
    assert reseal(target, other, None)  # the passphrase removed: plain again
    assert "王建军".encode() in target.read_bytes() and load_roster(target).people == tuple(people)


def test_import_previews_and_dry_run_writes_nothing(tmp_path):
    source = write_xlsx(tmp_path / "花名册.xlsx", ZH_ROWS)
    data = tmp_path / "data"
    dry = invoke("--lang", "zh-CN", "roster", "import", source, "--dry-run", "--data-dir", data)
    assert dry.exit_code == 0, dry.output
    assert "第 2 行为列名" in dry.output and "DF102345 | 王建军 | 综采一队 | 13912345678" in dry.output
    assert "试运行" in dry.output
    assert not (data / "field" / "roster.json").exists()
    done = invoke("--lang", "zh-CN", "roster", "import", source, "--data-dir", data)
    assert done.exit_code == 0, done.output
    assert len(load_roster(data / "field" / "roster.json")) == 3


def test_import_into_a_store_with_a_passphrase_seals_it_and_the_passphrase_carries_it(tmp_path):
    data = tmp_path / "data"
    assert invoke("demo", "--data-dir", data, "--anchor", "2026-11-20", "--no-open").exit_code == 0
    target = data / "field" / "roster.json"
    demo_people = load_roster(target)
    assert len(demo_people) > 5000
    set_done = CliRunner().invoke(main, ["passphrase", "set", "--data-dir", str(data), "--fast-kdf"], input="口令一\n口令一\n", env={"FIELDVISIT_PASSPHRASE": ""})
    assert set_done.exit_code == 0, set_done.output
    sealed = target.read_bytes()
    assert b'"sealed"' in sealed and not [person for person in demo_people.people if person.phone.encode() in sealed]
    source = write_csv(tmp_path / "hr.csv", ZH_ROWS, "gbk")
    done = invoke("--lang", "en", "roster", "import", source, "--data-dir", data, passphrase="口令一")
    assert done.exit_code == 0, done.output
    assert "sealed with the store's passphrase" in done.output
    assert "李秀英".encode() not in target.read_bytes()
    with TinyDBStore.in_directory(data / "field") as store:
        at_rest.unlock(store, "口令一")
        assert [person.name for person in load_roster(target, store.cipher).people] == ["王建军", "李秀英", "王建军"]
    shown = invoke("--lang", "en", "roster", "show", "--data-dir", data, passphrase="口令一")
    assert "3 people" in shown.output and "(sealed)" in shown.output
    wrong = invoke("roster", "import", source, "--data-dir", data, passphrase="不对")
    assert wrong.exit_code == 1
    changed = CliRunner().invoke(main, ["passphrase", "change", "--data-dir", str(data), "--fast-kdf"], input="口令二\n口令二\n", env={"FIELDVISIT_PASSPHRASE": "口令一"})
    assert changed.exit_code == 0, changed.output
    assert "3 people" in invoke("--lang", "en", "roster", "show", "--data-dir", data, passphrase="口令二").output
    removed = invoke("passphrase", "remove", "--data-dir", data, passphrase="口令二")
    assert removed.exit_code == 0, removed.output
    assert "李秀英".encode() in target.read_bytes() and len(load_roster(target)) == 3


def test_the_roster_never_travels_in_a_bundle(tmp_path):
    data, stick = tmp_path / "data", tmp_path / "stick"
    assert invoke("demo", "--data-dir", data, "--anchor", "2026-11-20", "--no-open").exit_code == 0
    with TinyDBStore.in_directory(data / "field") as store:
        in_matters = json.dumps([record["fields"] for record in store.all("issues")], ensure_ascii=False)
        roster = load_roster(paths.Home.beside(store.path).roster_file)
    colleagues = [person for person in roster.people if person.phone not in in_matters and person.employee_no not in in_matters]
    assert len(colleagues) > 5000
    assert invoke("export", "--data-dir", data, "--all", "--out", stick).exit_code == 0
    files = list(stick.iterdir())
    assert len(files) == 1 and files[0].suffix == ".fvb"
    bundle = gzip.decompress(files[0].read_bytes()).decode()
    assert orjson.loads(bundle)["format"] == "fieldvisit.bundle"
    assert not [person for person in colleagues if person.phone in bundle or person.employee_no in bundle]


def test_the_sample_hr_export_in_gbk(tmp_path):
    """tests/samples/hr_roster_gbk.csv: as Chinese Excel saves an HR system's export (GBK, a
    title line, more columns than the roster needs, a blank row, a row without a name, a
    number given twice)."""
    from pathlib import Path

    found = read_roster(Path(__file__).with_name("samples") / "hr_roster_gbk.csv")
    assert found.encoding == "gbk" and found.header.line == 2
    assert found.header.ignored == ("序号", "性别", "岗位", "入职日期")
    assert len(found.people) == 6 and found.rows == 9
    assert [(skipped.line, skipped.reason) for skipped in found.skipped] == [(9, "no_name"), (11, "duplicate")]
    assert found.people[4] == Person("DF102349", "孙桂兰", "运输队", "")
    roster = Roster(found.people)
    assert [person.unit for person in roster.find("王建军")] == ["综采一队", "通风队"]
