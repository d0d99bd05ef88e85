"""Text from outside (issue 13 §2), without a terminal: control characters never reach the command
line's output, file names made from data are safe, and forms and office steps strip control
characters and refuse text longer than `model.MAX_LENGTHS` with the limit named."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from homes import home_of
from fieldvisit.core import model
from fieldvisit.locations import paths
from fieldvisit.cli import main
from fieldvisit.editing.editor import Editor
from fieldvisit.core.errors import InputError
from fieldvisit.core.i18n import set_language
from fieldvisit.reports import write
from fieldvisit.reports.document import Document
from fieldvisit.stores.store import ISSUES, VISITS, TinyDBStore
from fieldvisit.sync.bundle import file_name
from fieldvisit.sync.exporter import export_bundle, write_bundle
from fieldvisit.core.text import CONTROL_CODES, one_line, printable, printable_json, safe_file_name, strip_controls
from fieldvisit.office.workflow import FEEDBACK, Workflow

HOSTILE = "三采区\x1b[31m红\x07\x9b2J\x00\r末"
"""An escape sequence, a bell, a C1 CSI, a NUL and a carriage return inside a site name."""


def no_controls(text: str) -> bool:
    return not any(ord(char) in CONTROL_CODES for char in text)


# -- the functions ---------------------------------------------------------------------------


def test_printable_draws_every_control_as_a_space_and_keeps_lines_and_tabs():
    every = "".join(chr(code) for code in (*range(0x20), 0x7F, *range(0x80, 0xA0)))
    shown = printable(f"a{every}b")
    assert shown == "a" + "".join(char if char in "\t\n" else " " for char in every) + "b"
    assert one_line("a\nb\tc\x1bd") == "a b c d"
    assert printable("[/b] 张 Ünïcode ½") == "[/b] 张 Ünïcode ½"  # printable text is left alone


def test_strip_controls_keeps_line_breaks_only_where_asked():
    assert strip_controls("a\x1b[31mb\x07\r\nc\td") == "a[31mb c d"
    assert strip_controls("a\x1b[31mb\x07\r\nc\td", multi_line=True) == "a[31mb\nc\td"


def test_json_keeps_the_data_and_escapes_c1():
    value = {"name": HOSTILE}
    dumped = printable_json(json.dumps(value, ensure_ascii=False))
    assert no_controls(dumped) and json.loads(dumped) == value


@pytest.mark.parametrize(
    "given, expected",
    [
        ("../../etc/passwd", "etc_passwd"),
        (".hidden", "hidden"),
        ("..", "fieldvisit"),
        ("a\x1b[31mb\x07", "a[31mb"),
        ("C:\\Windows\\x", "C_Windows_x"),
        ("东风 煤矿", "东风_煤矿"),
        ("", "fieldvisit"),
    ],
)
def test_safe_file_name(given, expected):
    assert safe_file_name(given) == expected


def test_bundle_and_report_file_names_made_from_data_stay_in_their_folder(tmp_path):
    name = file_name("../..\x1b/.site", "2026-11-20/../../x", "01KXYZ7K3Q9A")
    assert "/" not in name and "\\" not in name and not name.startswith(".") and no_controls(name)
    assert name.endswith("-7K3Q9A.fvb")
    target = write.write(Document("t", "", "S", dt.datetime(2026, 11, 20)), "txt", tmp_path, default_name="visit-../../../x\x1b-1")
    assert target.parent == tmp_path and no_controls(target.name) and not target.name.startswith(".")


# -- forms and office steps ------------------------------------------------------------------


def test_every_limit_is_named_when_a_form_gives_too_much():
    set_language("en")
    try:
        with pytest.raises(InputError) as refused:
            model.normalise_issue({"title": "长" * (model.MAX_LENGTHS["title"] + 1)})
        assert refused.value.field == "title"
        assert f"at most {model.MAX_LENGTHS['title']} characters" in str(refused.value)
    finally:
        set_language("zh-CN")
    with pytest.raises(InputError) as refused:
        model.normalise_visit({"title": "t", "site": "场" * (model.MAX_LENGTHS["site"] + 1)})
    assert f"最多 {model.MAX_LENGTHS['site']} 个字" in str(refused.value)
    fits = model.normalise_issue({"detail": "长" * model.MAX_LENGTHS["detail"]})
    assert len(fits["detail"]) == model.MAX_LENGTHS["detail"]


def test_forms_strip_control_characters_and_keep_the_detail_s_lines():
    issue = model.normalise_issue({"title": "工资\x1b[31m拖欠\x07", "detail": "第一行\r\n第二行\t\x00完", "demand": "补发\n工资"})
    assert issue == {"title": "工资[31m拖欠", "detail": "第一行\n第二行\t完", "demand": "补发 工资"}
    visit = model.normalise_visit({"title": "下访\x9b", "site": HOSTILE, "leaders": "王\x1b志刚（矿长）"})
    assert visit["title"] == "下访" and no_controls(visit["site"])
    assert visit["leaders"] == [{"name": "王志刚", "post": "矿长"}]


def test_office_steps_clean_their_text_and_refuse_too_much(editor, visit):
    issue = editor.record_issue(visit["id"], {"title": "宿舍漏雨", "first_owner": "李明"})
    work = Workflow(editor)
    work.add_feedback(issue["id"], "phone", "已电话\x1b[2J告知\x07")
    [entry] = editor.store.get(ISSUES, issue["id"])["maps"][FEEDBACK].values()
    assert entry["value"]["content"] == "已电话[2J告知"
    with pytest.raises(InputError) as refused:
        work.not_accept(issue["id"], "理" * (model.MAX_LENGTHS["reason"] + 1))
    assert str(model.MAX_LENGTHS["reason"]) in str(refused.value)
    work.assign(issue["id"], first_owner="王志刚", department="后勤\x1b科")
    assert editor.store.get(ISSUES, issue["id"])["fields"]["department"]["value"] == "后勤科"


# -- the command line ------------------------------------------------------------------------


@pytest.fixture
def data(tmp_path: Path) -> Path:
    """A laptop's store whose visit site, device name and matter title hold control characters,
    as they would after importing a hostile bundle (written past the forms)."""
    with TinyDBStore.in_directory(paths.field_store_dir(tmp_path)) as store:
        editor = Editor(store, device_name=f"笔记本{HOSTILE}")
        visit = editor.create_visit({"title": "下访", "site": "s", "date": "2026-11-20"})
        editor.change(VISITS, visit["id"], {"site": HOSTILE, "title": f"标题{HOSTILE}"})
        write_bundle(export_bundle(store), tmp_path / "stick")
    return tmp_path


def test_the_command_line_prints_no_control_character_from_data(data):
    invoke = lambda *args: CliRunner().invoke(main, [str(arg) for arg in args], catch_exceptions=False)  # noqa: E731
    listed = invoke("visits", "--data-dir", data)
    assert listed.exit_code == 0 and "三采区 [31m红" in listed.output and no_controls(listed.output)
    as_json = invoke("visits", "--data-dir", data, "--json")
    assert no_controls(as_json.output) and json.loads(as_json.output)[0]["site"] == HOSTILE
    imported = invoke("import", "--data-dir", data, data / "stick")
    assert "笔记本三采区" in imported.output + (imported.stderr or "")
    assert no_controls(imported.output) and no_controls(imported.stderr or "")
    [bundle] = (data / "stick").glob("*.fvb")
    assert no_controls(bundle.name) and bundle.parent == data / "stick"


async def test_the_matter_form_names_the_limit_and_keeps_what_was_typed(store, editor, visit):
    from textual.widgets import Input

    from fieldvisit.apps.field import FieldApp
    from fieldvisit.screens.visit import VisitScreen

    app = FieldApp(store, editor, home=home_of(store))
    too_long = "长" * (model.MAX_LENGTHS["demand"] + 1)
    async with app.run_test(size=(120, 40), notifications=True) as pilot:
        await pilot.press("o")  # a visit without matters opens on the capture form
        await pilot.pause()
        assert isinstance(app.screen, VisitScreen)
        app.screen.query_one("#f-title", Input).value = "宿舍漏雨"
        app.screen.query_one("#f-demand", Input).value = too_long
        await pilot.press("ctrl+s")
        await pilot.pause()
        svg = app.export_screenshot()
        assert f"最多&#160;{model.MAX_LENGTHS['demand']}&#160;个字" in svg
        assert app.screen.query_one("#f-demand", Input).value == too_long
        assert app.screen.query_one("#f-demand", Input).has_focus
    assert store.all(ISSUES) == []
