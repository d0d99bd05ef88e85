"""The officer's workflows driven by keys in the office app, asserting on the store."""

from __future__ import annotations

import datetime as dt

import pytest
from textual.widgets import Input, OptionList, Select

from homes import home_of
from fieldvisit.editing.editor import Editor
from fieldvisit.apps.office import OfficeApp
from fieldvisit.core.records import entries, values
from fieldvisit.screens.conflicts import ConflictsScreen
from fieldvisit.screens.form_modal import FormModal
from fieldvisit.screens.office_matter import OfficeMatterScreen
from fieldvisit.screens.widgets.register_table import RegisterTable
from fieldvisit.stores.store import ISSUES, TinyDBStore
from fieldvisit.office.workflow import FEEDBACK

ANCHOR = dt.date(2026, 11, 20)


@pytest.fixture
def office(office_store_path):
    with TinyDBStore(office_store_path) as store:
        yield store


def app_for(store) -> OfficeApp:
    return OfficeApp(store, Editor(store, actor="周敏"), today=ANCHOR, home=home_of(store))


async def open_first(pilot, app, search: str) -> str:
    box = app.screen.query_one("#register-search", Input)
    box.value = search
    await pilot.pause()
    table = app.screen.query_one("#register", RegisterTable)
    assert table.row_count >= 1
    table.focus()
    await pilot.press("enter")
    await pilot.pause()
    assert isinstance(app.screen, OfficeMatterScreen)
    return app.screen.issue_id


async def fill(pilot, app, **fields: str) -> None:
    assert isinstance(app.screen, FormModal)
    for name, value in fields.items():
        widget = app.screen.query_one(f"#m-{name}")
        widget.value = value
    await pilot.press("ctrl+s")
    await pilot.pause()


async def test_register_filters_search_and_counts(office):
    app = app_for(office)
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        table = app.screen.query_one("#register", RegisterTable)
        total = len(office.all(ISSUES))
        assert table.row_count == total  # every matter, not a first page
        assert f"符合 {total} 件" in str(app.screen.query_one("#register-count").render())
        app.screen.query_one("#register-saved", Select).value = "overdue"
        await pilot.pause()
        overdue = table.row_count
        assert 0 < overdue < total
        assert all("超期" in str(table.get_row_at(i)[1]) for i in range(overdue))
        app.screen.query_one("#register-saved", Select).value = "all"
        app.screen.query_one("#register-category", Select).value = "wages"
        await pilot.pause()
        wages = table.row_count
        assert 0 < wages < total
        await pilot.press("ctrl+l")
        await pilot.pause()
        assert table.row_count == total
        assert "共 144 件" in str(app.screen.query_one("#register-count").render())


async def test_accept_assign_feedback_reply_rate_close(office):
    app = app_for(office)
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        app.screen.query_one("#register-saved", Select).value = "overdue"
        await pilot.pause()
        issue_id = await open_first(pilot, app, "")
        status = values(office.get(ISSUES, issue_id))["status"]
        if status == "registered":
            await pilot.press("a", "y")  # accepting asks first
        await pilot.press("g")
        await fill(pilot, app, assignee="李静", department="劳资科")
        await pilot.press("f")
        await fill(pilot, app, channel="phone", content="已电话告知正在办理")
        await pilot.press("p")
        await fill(pilot, app, summary="已按规定补发")
        await pilot.press("s")
        await fill(pilot, app, level="satisfied", comment="")
        await pilot.press("c", "y")  # closing asks first
        await pilot.pause()
    record = office.get(ISSUES, issue_id)
    issue = values(record)
    assert (issue["status"], issue["assignee"], issue["satisfaction"], issue["reply"]) == ("closed", "李静", "satisfied", "已按规定补发")
    assert entries(record, FEEDBACK)[-1]["content"] == "已电话告知正在办理"


async def test_a_step_out_of_order_says_why_and_changes_nothing(office):
    app = app_for(office)
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        app.screen.query_one("#register-status", Select).value = "closed"
        await pilot.pause()
        issue_id = await open_first(pilot, app, "")
        before = office.get(ISSUES, issue_id)
        await pilot.press("a")  # a closed matter cannot be accepted
        await pilot.pause()
        assert office.get(ISSUES, issue_id) == before


async def test_conflicts_are_settled_side_by_side(office):
    app = app_for(office)
    conflicted = [record for record in office.all(ISSUES) if record["conflicts"]]
    assert conflicted, "the office demo should hold a conflict"
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        app.screen.query_one("#register-saved", Select).value = "needs_review"
        await pilot.pause()
        issue_id = await open_first(pilot, app, "")
        await pilot.press("k")
        await pilot.pause()
        assert isinstance(app.screen, ConflictsScreen)
        options = app.screen.query_one(OptionList)
        conflict = office.get(ISSUES, issue_id)["conflicts"][0]
        other = conflict["value"]
        wanted = f"{conflict['field']}|{conflict['stamp']}"
        take = next(i for i in range(options.option_count) if options.get_option_at_index(i).id == wanted)
        options.highlighted = take
        await pilot.press("enter")
        await pilot.pause()
    record = office.get(ISSUES, issue_id)
    assert record["conflicts"] == []
    assert values(record)[conflict["field"]] == other


async def test_attention_and_statistics_modes(office):
    app = app_for(office)
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.press("f3")
        await pilot.pause()
        summary = str(app.screen.query_one("#attention-summary").render())
        assert "已超期" in summary and "疑似重复访" not in summary
        options = app.screen.query_one(OptionList)
        await app.workers.wait_for_complete()  # repeat suggestions are looked for on a thread
        await pilot.pause()
        prompts = [str(options.get_option_at_index(n).prompt) for n in range(options.option_count)]
        assert not any("正在查找" in prompt for prompt in prompts)
        assert any(prompt.startswith("疑似重复访 (") for prompt in prompts)
        await pilot.press("f4")
        await pilot.pause()
        app.screen.query_one("#stats-from", Input).value = "2026-10-01"
        app.screen.query_one("#stats-to", Input).value = "2026-11-20"
        await pilot.press("ctrl+r")
        await app.workers.wait_for_complete()  # the count runs on a thread of its own
        await pilot.pause()
        text = str(app.screen.query_one("#stats-summary").render())
        assert "共 144 件" in text or "共 14" in text
        assert "按类别" in str(app.screen.query_one("#stats-tables").render())


async def test_typing_a_search_narrows_step_by_step(office):
    app = app_for(office)
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        box = app.screen.query_one("#register-search", Input)
        counts = []
        for text in ("津", "津贴", "津贴少"):
            box.value = text
            await pilot.pause()
            counts.append(str(app.screen.query_one("#register-count").render()))
        expected = [len([r for r in office.all(ISSUES) if text in _searchable(r)]) for text in ("津", "津贴", "津贴少")]
        assert [(f"符合 {n} 件" if n else "没有符合的事项") in c for n, c in zip(expected, counts)] == [True] * 3
        assert expected[0] >= expected[1] >= expected[2]


def _searchable(record) -> str:
    from fieldvisit.editing.views import SEARCHED_FIELDS

    issue = values(record)
    return "\n".join(str(issue.get(key) or "") for key in SEARCHED_FIELDS)


async def test_register_table_keys_mouse_and_sorting(office):
    app = app_for(office)
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        table = app.screen.query_one("#register", RegisterTable)
        assert app.focused is table and table.cursor_row == 0
        await pilot.press("down", "down", "end")
        assert table.cursor_row == table.row_count - 1
        await pilot.press("home", "pagedown")
        assert 0 < table.cursor_row < table.row_count - 1
        refs = [table.get_row_at(n)[0] for n in range(table.row_count)]
        await pilot.click(table, offset=(2, 0))  # the "编号" header: sort by reference
        await pilot.pause()
        every_ref = sorted(row.ref for row in app.register_index.rows.values())
        by_ref = [table.get_row_at(n)[0] for n in range(table.row_count)]
        assert by_ref == every_ref and by_ref != refs
        await pilot.click(table, offset=(2, 0))  # again: the other way round
        await pilot.pause()
        assert [table.get_row_at(n)[0] for n in range(table.row_count)] == every_ref[::-1]
        await pilot.click(table, offset=(4, 3))  # third row: the cursor moves there
        assert table.cursor_row == 2
        wanted = table.row_key_at(2)
        await pilot.click(table, offset=(4, 3))  # clicked again: it opens
        await pilot.pause()
        assert isinstance(app.screen, OfficeMatterScreen) and app.screen.issue_id == wanted


async def test_writes_from_worker_threads_reach_the_register_on_the_app_thread(office):
    """Imports and approvals write from thread workers; the register is read on the app's thread."""
    import threading

    app = app_for(office)
    async with app.run_test() as pilot:
        index = app.register_index
        seen: list[int] = []
        original = index._written
        index._written = lambda written: (seen.append(threading.get_ident()), original(written))
        target = next(iter(index.rows))
        worker = app.run_worker(lambda: app.workflow.assign(target, department="测试科"), thread=True)
        await worker.wait()
        await pilot.pause()
        assert seen == [threading.get_ident()]  # the test drives the app from the app's thread
        assert index.rows[target].department == "测试科"


async def test_the_cursor_stays_in_view_above_the_horizontal_scrollbar(office):
    app = app_for(office)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        table = app.screen.query_one("#register", RegisterTable)
        shown = table.scrollable_content_region.height - 1  # row lines under the header
        hidden = []
        for _ in range(table.row_count - 1):
            await pilot.press("down")
            top = int(table.scroll_offset.y)
            if not top <= table.cursor_row < top + shown:
                hidden.append((table.cursor_row, top))
        assert not hidden, hidden[:5]


async def test_moving_the_cursor_redraws_its_old_and_new_lines_when_scrolled(office):
    from textual.geometry import Region

    app = app_for(office)
    async with app.run_test(size=(120, 24)) as pilot:
        await pilot.pause()
        table = app.screen.query_one("#register", RegisterTable)
        await pilot.press(*["down"] * 30)
        top = int(table.scroll_offset.y)
        assert top > 5
        redrawn: list[Region] = []
        original = table.refresh
        table.refresh = lambda *regions, **options: (redrawn.extend(r for r in regions if isinstance(r, Region)), original(*regions, **options))[1]
        await pilot.press("up")
        assert int(table.scroll_offset.y) == top
        assert {table.cursor_row + 1 - top, table.cursor_row + 2 - top} <= {region.y for region in redrawn}


async def test_control_characters_from_imported_text_are_drawn_as_spaces(office):
    app = app_for(office)
    async with app.run_test(size=(120, 24)) as pilot:
        await pilot.pause()
        table = app.screen.query_one("#register", RegisterTable)
        table.set_rows([("01M0000000000000000000000A", ("a\nb", "\x1b[31mred", "ok", "", "", "", "", "", "", ""))])
        assert table.get_row_at(0)[:3] == ("a b", " [31mred", "ok")


async def test_a_deadline_counted_without_holiday_data_says_so_on_the_matter(tmp_path):
    """Working days into a year the installed calendar has no holidays for are counted Monday to
    Friday; the officer reading the deadline is told, with the year."""
    from fieldvisit.core.i18n import t
    from fieldvisit.core.records import values
    from fieldvisit.office.policy import Policy, fallback_years
    from fieldvisit.screens.office_matter import OfficeMatterScreen

    raised = dt.date(2026, 12, 28)
    policy = Policy(working_days=True)
    due_years = fallback_years(raised, raised + dt.timedelta(days=40))
    if not due_years:
        pytest.skip("the installed chinese-calendar already knows the next year's holidays")
    with TinyDBStore(tmp_path / "office.json") as store:
        editor = Editor(store, actor="周敏")
        visit = editor.create_visit({"title": "年底下访", "site": "二号井", "date": raised.isoformat()})
        issue = editor.record_issue(visit["id"], {"title": "年终奖未发"})
        editor.change("issues", issue["id"], {"raised_at": f"{raised.isoformat()}T10:00:00+08:00"})
        app = OfficeApp(store, Editor(store, actor="周敏"), policy=policy, today=raised, home=home_of(store))
        async with app.run_test(size=(120, 40)) as pilot:
            await pilot.pause()
            app.push_screen(OfficeMatterScreen(issue["id"]))
            await pilot.pause()
            shown = str(app.screen.query_one("#om-deadlines").render())
        assert values(store.get("issues", issue["id"]))["title"] == "年终奖未发"
    assert t("error.policy.no_holiday_data", years=str(due_years[0])) in shown, shown
