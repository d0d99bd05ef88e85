"""Faults in the field app and in the sealed store (issue 13 §4).

A save that fails (disk full, a damaged matter) keeps every typed value in the form and says
why; once the fault is gone Ctrl+S saves it. A crash report shows no values. One damaged sealed
value does not lock the store, and a store whose passphrase settings were removed is refused
with a clear message.
"""

from __future__ import annotations

import errno
import os

import orjson
import pytest
from click.testing import CliRunner
from textual.widgets import DataTable

from homes import home_of
from fieldvisit.stores import at_rest
from fieldvisit.cli import main
from fieldvisit.core.errors import FieldVisitError, StoreCorruptError
from fieldvisit.apps.field import FieldApp
from fieldvisit.core.i18n import t
from fieldvisit.core.records import values
from fieldvisit.screens.matter import MatterScreen
from fieldvisit.screens.visit import VisitScreen
from fieldvisit.screens.visits import VisitsScreen
from fieldvisit.screens.widgets.matter_form import MatterForm
from fieldvisit.stores.store import ISSUES, TinyDBStore

PASS = "煤矿 下访 2026"
NAME = "郑春东"
TYPED = {
    "title": "井下津贴连续两月少发",
    "demand": "要求补发九月、十月井下津贴",
    "petitioner_name": NAME,
    "employee_no": "DF-20931",
    "phone": "13812345678",
    "detail": "来访人郑春东反映九月起津贴少发",
    "commitment": "三日内答复",
}


def full_disk(monkeypatch) -> None:
    def refuse(*args, **kwargs):
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))

    monkeypatch.setattr(os, "fsync", refuse)


def told(app) -> list[str]:
    """Every notification the app shows, as text."""
    messages: list[str] = []
    shown = app.notify

    def record(message, **kwargs):
        messages.append(str(message))
        shown(message, **kwargs)

    app.notify = record
    return messages


def fill(form: MatterForm) -> None:
    for name, value in TYPED.items():
        widget = form.query_one(f"#f-{name}")
        if name in ("detail",):
            widget.text = value
        else:
            widget.value = value


@pytest.mark.parametrize("sealed", [False, True], ids=["plain", "passphrase"])
async def test_a_full_disk_keeps_the_typed_matter_and_says_why(store, editor, visit, monkeypatch, capsys, sealed):
    if sealed:
        at_rest.set_passphrase(store, PASS, at_rest.FAST_STRENGTH)
    before = store.path.read_bytes()
    app = FieldApp(store, editor, home=home_of(store))
    messages = told(app)
    async with app.run_test(size=(120, 40)) as pilot:
        app.push_screen(VisitScreen(visit["id"]))
        await pilot.pause()
        form = app.screen.query_one(MatterForm)
        fill(form)
        full_disk(monkeypatch)
        await pilot.press("ctrl+s")
        await pilot.pause()

        assert isinstance(app.screen, VisitScreen)
        typed = form.read()
        assert {name: typed[name] for name in TYPED} == TYPED
        assert store.all(ISSUES) == [] and store.path.read_bytes() == before
        assert any(t("error.fault.reason.enospc") in message and str(store.path) in message for message in messages), messages
        assert not [message for message in messages if NAME in message]

        monkeypatch.undo()  # the recorder freed some space
        await pilot.press("ctrl+s")
        await pilot.pause()
        saved = [values(record) for record in store.all(ISSUES)]
        assert len(saved) == 1 and {name: saved[0][name] for name in TYPED} == TYPED
        assert saved[0]["ref"].endswith("-001")
    captured = capsys.readouterr()
    assert NAME not in captured.out + captured.err


async def test_a_full_disk_on_a_correction_keeps_the_form(store, editor, visit, monkeypatch):
    issue = editor.record_issue(visit["id"], {"title": "浴室没有热水"})
    app = FieldApp(store, editor, home=home_of(store))
    messages = told(app)
    async with app.run_test(size=(120, 40)) as pilot:
        app.push_screen(MatterScreen(issue["id"]))
        await pilot.pause()
        form = app.screen.query_one(MatterForm)
        fill(form)
        full_disk(monkeypatch)
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert isinstance(app.screen, MatterScreen)
        assert {name: form.read()[name] for name in TYPED} == TYPED
        assert values(store.get(ISSUES, issue["id"]))["title"] == "浴室没有热水"
        assert any(t("error.fault.reason.enospc") in message for message in messages)
        monkeypatch.undo()
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert values(store.get(ISSUES, issue["id"]))["petitioner_name"] == NAME


async def test_a_crash_report_shows_no_values(store, editor, visit, monkeypatch, capsys):
    """A bug nobody handled: the app ends with a traceback that says where, without locals."""
    editor.record_issue(visit["id"], {"title": "井下津贴少发", "petitioner_name": NAME})

    def bug(self):
        holding = values(self.app.store.all(ISSUES)[0])  # a local with the petitioner's name
        raise RuntimeError(f"a bug while holding {len(holding)} values")

    monkeypatch.setattr(VisitsScreen, "action_toggle_closed", bug)
    app = FieldApp(store, editor, home=home_of(store))
    with pytest.raises(RuntimeError):
        async with app.run_test(size=(120, 40)) as pilot:
            await pilot.pause()
            await pilot.press("c")
            await pilot.pause()
    shown = capsys.readouterr()
    assert "RuntimeError" in shown.err and "action_toggle_closed" in shown.err  # where it happened
    assert NAME not in shown.out + shown.err


async def test_an_os_error_nobody_handled_ends_the_app_with_one_line(store, editor, visit, monkeypatch, capsys):
    def pulled(self):
        raise OSError(errno.EIO, os.strerror(errno.EIO), "/media/usb")

    monkeypatch.setattr(VisitsScreen, "action_toggle_closed", pulled)
    app = FieldApp(store, editor, home=home_of(store))
    with pytest.raises(OSError):
        async with app.run_test(size=(120, 40)) as pilot:
            await pilot.pause()
            await pilot.press("c")
            await pilot.pause()
    err = capsys.readouterr().err
    assert "Traceback" not in err
    assert "/media/usb" in err and t("error.fault.reason.eio").split("；")[0] in err


# -- a damaged sealed value --------------------------------------------------------------


def damage_one(path, issue_id: str) -> None:
    """Flip one character of the sealed name of one matter, as a bad sector would."""
    data = orjson.loads(path.read_bytes())
    register = data[ISSUES][issue_id]["fields"]["petitioner_name"]
    sealed = register["value"]["sealed"]
    register["value"]["sealed"] = ("B" if sealed[10] != "B" else "C").join((sealed[:10], sealed[11:]))
    path.write_bytes(orjson.dumps(data, option=orjson.OPT_SORT_KEYS))


@pytest.fixture
def damaged(store, editor, visit):
    good = editor.record_issue(visit["id"], {"title": "浴室没有热水", "petitioner_name": "李四", "unit": "综采一队"})
    bad = editor.record_issue(visit["id"], {"title": "井下津贴少发", "petitioner_name": NAME, "unit": "掘进二队"})
    at_rest.set_passphrase(store, PASS, at_rest.FAST_STRENGTH)
    settings = store.at_rest_settings()
    store.close()
    damage_one(store.path, bad["id"])
    return {"path": store.path, "good": good, "bad": bad, "settings": settings}


def test_one_damaged_value_does_not_lock_the_store(damaged):
    with TinyDBStore(damaged["path"]) as store:
        before = store.path.read_bytes()
        at_rest.unlock(store, PASS)
        assert store.damaged_matters() == {damaged["bad"]["id"]: values(damaged["bad"])["ref"]}
        good, bad = values(store.get(ISSUES, damaged["good"]["id"])), values(store.get(ISSUES, damaged["bad"]["id"]))
        assert good["petitioner_name"] == "李四"
        assert "petitioner_name" not in bad and bad["unit"] == "掘进二队"  # the rest of it reads

        from fieldvisit.editing.editor import Editor

        editor = Editor(store)
        editor.update_issue(damaged["good"]["id"], {"title": "浴室热水时有时无", "petitioner_name": "李四"})
        with pytest.raises(FieldVisitError) as refused:
            editor.update_issue(damaged["bad"]["id"], {"title": "改一下"})
        assert values(damaged["bad"])["ref"] in str(refused.value)
        with pytest.raises(FieldVisitError):
            at_rest.set_passphrase(store, "another one", at_rest.FAST_STRENGTH)
        with pytest.raises(FieldVisitError):
            at_rest.remove_passphrase(store)
        after = orjson.loads(store.path.read_bytes())
    assert orjson.loads(before)[ISSUES][damaged["bad"]["id"]] == after[ISSUES][damaged["bad"]["id"]]  # kept as it was
    with TinyDBStore(damaged["path"]) as store:
        at_rest.unlock(store, PASS)
        assert values(store.get(ISSUES, damaged["good"]["id"]))["title"] == "浴室热水时有时无"


def test_commands_name_the_damaged_matter_and_go_on(damaged, tmp_path):
    data_dir = damaged["path"].parent.parent  # the store fixture is <tmp>/field/fieldvisit.json
    result = CliRunner().invoke(main, ["visits", "--data-dir", str(data_dir)], env={"FIELDVISIT_PASSPHRASE": PASS})
    assert result.exit_code == 0, result.output
    ref = values(damaged["bad"])["ref"]
    assert ref in result.stderr and "备份" not in result.stderr
    assert "矿领导深入三采区接访" in result.stdout


async def test_the_app_opens_a_store_with_a_damaged_matter(damaged):
    with TinyDBStore(damaged["path"]) as store:
        at_rest.unlock(store, PASS)
        app = FieldApp(store, home=home_of(store))
        messages = told(app)
        async with app.run_test(size=(120, 40)) as pilot:
            await pilot.pause()
            assert isinstance(app.screen, VisitsScreen)
            ref = values(damaged["bad"])["ref"]
            assert any(ref in message for message in messages), messages
            app.push_screen(VisitScreen(damaged["bad"]["fields"]["visit_id"]["value"]))
            await pilot.pause()
            table = app.screen.query_one("#matters", DataTable)
            assert table.row_count == 2
            row = [str(cell) for cell in table.get_row(damaged["bad"]["id"])]
            assert t("error.fault.unreadable") in row


def test_passphrase_settings_removed_from_the_meta_is_refused_plainly(damaged, tmp_path):
    data = orjson.loads(damaged["path"].read_bytes())
    del data["meta"]["store"]["at_rest"]
    damaged["path"].write_bytes(orjson.dumps(data))
    before = damaged["path"].read_bytes()
    with TinyDBStore(damaged["path"]) as store:
        with pytest.raises(StoreCorruptError) as refused:
            store.all(ISSUES)
    message = str(refused.value)
    assert str(damaged["path"]) in message and "备份" not in message
    data_dir = damaged["path"].parent.parent
    for command in (["visits"], ["summary", damaged["bad"]["fields"]["visit_id"]["value"], "--format", "txt", "--out", str(tmp_path / "s.txt")]):
        result = CliRunner().invoke(main, [*command, "--data-dir", str(data_dir)], env={"FIELDVISIT_PASSPHRASE": PASS})
        assert result.exit_code == 1 and not isinstance(result.exception, AttributeError), result.exception
        assert result.stderr.strip().splitlines() == [f"fieldvisit: {message}"]
    assert damaged["path"].read_bytes() == before
