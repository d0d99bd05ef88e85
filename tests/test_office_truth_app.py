"""Issue 15 §1–§2 driven through the office app with Pilot: honest deadlines on the matter
screen, forms that keep what was typed, F4's date range, and officers by name."""

from __future__ import annotations

import datetime as dt

import pytest
from textual.widgets import Input, Static

from fieldvisit.apps.office import OfficeApp
from fieldvisit.core.records import entries, values
from fieldvisit.editing.editor import Editor
from fieldvisit.screens.form_modal import FormModal
from fieldvisit.screens.office_matter import OfficeMatterScreen
from fieldvisit.stores.store import ISSUES, MemoryStore

RAISED = dt.date(2026, 10, 20)
TODAY = RAISED + dt.timedelta(days=15 + 28)  # 28 days past the acceptance deadline
RAISED_MS = int(dt.datetime(2026, 10, 20, 4, tzinfo=dt.timezone.utc).timestamp() * 1000)


@pytest.fixture
def office():
    """An office store holding one matter raised on `RAISED` on a laptop, never registered."""
    store = MemoryStore()
    laptop = Editor(store, actor="赵敏", wall=lambda: RAISED_MS, device_name="下访笔记本")
    visit = laptop.create_visit({"title": "矿领导接访", "site": "三采区", "date": RAISED.isoformat(), "leaders": "王志刚（矿长）"})
    issue = laptop.record_issue(visit["id"], {"title": "井下津贴少发", "first_owner": "王志刚"})
    return store, issue["id"]


def app_for(store, **options) -> OfficeApp:
    return OfficeApp(store, Editor(store, actor="周敏"), today=TODAY, **options)


def text_of(app, selector: str) -> str:
    return str(app.screen.query_one(selector, Static).render())


async def open_matter(pilot, app, issue_id):
    app.push_screen(OfficeMatterScreen(issue_id))
    await pilot.pause()
    assert isinstance(app.screen, OfficeMatterScreen)


async def test_registering_a_matter_28_days_overdue_still_shows_it_28_days_overdue(office):
    store, issue_id = office
    app = app_for(store)
    async with app.run_test(size=(120, 40)) as pilot:
        await open_matter(pilot, app, issue_id)
        assert "超期 28 日" in text_of(app, "#om-deadlines") or "28" in text_of(app, "#om-deadlines")
        before = text_of(app, "#om-deadlines")
        await pilot.press("r")
        await pilot.pause()
        assert values(store.get(ISSUES, issue_id))["status"] == "registered"
        after = text_of(app, "#om-deadlines")
        assert "15" not in after.split("\n")[0].replace("2026-11-04", "")  # no fresh 15 days
        assert after.split("\n")[0] == before.split("\n")[0]
        assert app.register_index.rows[issue_id].days_left == -28


async def test_a_refused_form_keeps_what_was_typed_and_puts_the_cursor_on_the_field(office):
    store, issue_id = office
    app = app_for(store)
    async with app.run_test(size=(120, 40)) as pilot:
        await open_matter(pilot, app, issue_id)
        await pilot.press("f")
        await pilot.pause()
        form = app.screen
        assert isinstance(form, FormModal)
        assert "Ctrl+S 保存" in str(form.query_one("#form-keys", Static).render())
        form.query_one("#m-content", Input).value = "已电话告知正在核实"
        form.query_one("#m-when", Input).value = "2030-01-01"
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert app.screen is form  # still open
        assert form.query_one("#m-content", Input).value == "已电话告知正在核实"
        assert form.query_one("#m-when", Input).value == "2030-01-01"
        assert app.focused is form.query_one("#m-when", Input)
        assert "晚于今天" in str(form.query_one("#form-error", Static).render())
        assert "日期" in str(form.query_one("#form-error", Static).render())
        assert not entries(store.get(ISSUES, issue_id), "feedback")
        form.query_one("#m-when", Input).value = TODAY.isoformat()
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert isinstance(app.screen, OfficeMatterScreen)
        assert entries(store.get(ISSUES, issue_id), "feedback")[0]["content"] == "已电话告知正在核实"


async def test_satisfaction_before_a_reply_is_not_offered(office):
    """The workflow refuses it (`Workflow.refusal`), so the screen does not offer it (§3):
    no key in the footer, no command in the palette, and `s` opens no form."""
    store, issue_id = office
    app = app_for(store)
    async with app.run_test(size=(120, 40)) as pilot:
        await open_matter(pilot, app, issue_id)
        assert "s" not in app.screen.active_bindings
        assert "满意度" not in [command.title for command in app.get_system_commands(app.screen)]
        await pilot.press("s")
        await pilot.pause()
        assert isinstance(app.screen, OfficeMatterScreen)
        assert "satisfaction" not in values(store.get(ISSUES, issue_id))


async def test_f4_refuses_an_end_before_the_start_with_a_message(office):
    store, _ = office
    app = app_for(store)
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.press("f4")
        await pilot.pause()
        await app.workers.wait_for_complete()
        await pilot.pause()
        app.screen.query_one("#stats-from", Input).value = "2026-11-30"
        box = app.screen.query_one("#stats-to", Input)
        box.value = "2026-11-01"
        box.focus()
        await pilot.press("enter")
        await pilot.pause()
        await app.workers.wait_for_complete()
        summary = text_of(app, "#stats-summary")
        assert "结束日期 2026-11-01 早于开始日期 2026-11-30" in summary
        assert "截止日期" in summary
        assert app.focused is box
        app.screen.query_one("#stats-from", Input).value = ""
        await pilot.press("enter")
        await pilot.pause()
        assert "不是日期" in text_of(app, "#stats-summary") or "日期" in text_of(app, "#stats-summary")
        assert app.is_running


# --- officers by name ---------------------------------------------------------------------------


async def test_the_officer_is_asked_once_and_signs_every_step_shown_in_history(office, tmp_path):
    from fieldvisit.office.officer import load_officer
    from fieldvisit.screens.history import HistoryScreen

    store, issue_id = office
    remembered = tmp_path / "config" / "officer.json"
    app = OfficeApp(store, today=TODAY, officer_file=remembered)
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        form = app.screen
        assert isinstance(form, FormModal)  # asked on first open
        await pilot.press("ctrl+s")  # an empty name is refused, the form stays
        await pilot.pause()
        assert app.screen is form
        assert "您的姓名" in str(form.query_one("#form-error", Static).render())
        form.query_one("#m-officer", Input).value = " 周敏 "
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert load_officer(remembered) == "周敏"
        await open_matter(pilot, app, issue_id)
        await pilot.press("r")
        await pilot.press("g")
        await pilot.pause()
        app.screen.query_one("#m-assignee", Input).value = "李静"
        await pilot.press("ctrl+s")
        await pilot.press("f")
        await pilot.pause()
        app.screen.query_one("#m-content", Input).value = "已电话告知"
        await pilot.press("ctrl+s")
        await pilot.pause()
        record = store.get(ISSUES, issue_id)
        assert entries(record, "transitions")[-1]["by"] == "周敏"
        assert entries(record, "feedback")[-1]["by"] == "周敏"
        assert entries(record, "edits")[-1] | {"by": "周敏"} == entries(record, "edits")[-1]
        await pilot.press("h")
        await pilot.pause()
        assert isinstance(app.screen, HistoryScreen)
        shown = str(app.screen.query_one("#history-lines", Static).render())
        assert "周敏  经办人 = 李静" in shown
        assert "周敏  状态: 已记录 → 已登记" in shown
        assert "赵敏  提出时间 = 2026-10-20" in shown  # the recorder, and the time as a person reads it
        assert "raised_at" not in shown and "recorded" not in shown and "status" not in shown
    again = OfficeApp(store, today=TODAY, officer_file=remembered)
    async with again.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        assert not isinstance(again.screen, FormModal)  # said once: not asked again
        assert again.editor.actor == "周敏"


async def test_the_officer_s_name_can_be_changed_from_the_palette(office, tmp_path):
    from fieldvisit.office.officer import load_officer, save_officer

    store, issue_id = office
    remembered = tmp_path / "officer.json"
    save_officer(remembered, "周敏")
    app = OfficeApp(store, today=TODAY, officer_file=remembered)
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        commands = [command.title for command in app.get_system_commands(app.screen)]
        assert "我是谁（经办人姓名）" in commands
        await pilot.press("ctrl+p")
        await pilot.pause()
        await pilot.press(*"我是谁")
        await pilot.pause()
        await pilot.press("enter")
        await pilot.pause()
        form = app.screen
        assert isinstance(form, FormModal)
        assert form.query_one("#m-officer", Input).value == "周敏"
        form.query_one("#m-officer", Input).value = "李静"
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert load_officer(remembered) == "李静"
        app.workflow.register(issue_id)
        assert entries(store.get(ISSUES, issue_id), "transitions")[-1]["by"] == "李静"
