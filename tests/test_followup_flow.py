"""Back to the site, end to end (issue 14 §5): a laptop records at a site and hands over; the
office replies; a second laptop that also goes there brings the office's view back with
`export --office --device` / `import --field`, sees the matters in the follow-up view, records
what the petitioner was told face to face and how satisfied they are, hands its visit over, and
the office takes it in: in the matter's history, its screen and the statistics, counted once."""

from __future__ import annotations

import datetime as dt
import io

from click.testing import CliRunner
from rich.console import Console
from textual import events
from textual.keys import _character_to_key
from textual.widgets import DataTable, Static

from homes import home_of
from fieldvisit.apps.field import FieldApp
from fieldvisit.apps.office import OfficeApp
from fieldvisit.cli import main
from fieldvisit.core.records import entries, get_value, values
from fieldvisit.editing.editor import Editor
from fieldvisit.office.followups import effective_rating
from fieldvisit.office.workflow import Workflow
from fieldvisit.reports.data import period_report
from fieldvisit.screens.followups import FollowUpScreen
from fieldvisit.screens.form_modal import FormModal
from fieldvisit.screens.history import history_lines
from fieldvisit.screens.office_matter import OfficeMatterScreen
from fieldvisit.screens.visit import VisitScreen
from fieldvisit.screens.visits import VisitsScreen
from fieldvisit.stores.store import ISSUES, VISITS, TinyDBStore

SITE = "东风煤矿三采区"
TODAY = dt.date(2026, 11, 20)


def invoke(*args):
    result = CliRunner().invoke(main, [str(arg) for arg in args], env={"FIELDVISIT_PASSPHRASE": ""}, catch_exceptions=False)
    assert result.exit_code == 0, result.output
    return result


async def type_text(pilot, text: str) -> None:
    for character in text:
        pilot.app.post_message(events.Key(_character_to_key(character), character))
    await pilot.pause()


def shown_text(widget: Static) -> str:
    """What a Static shows, as plain text (its content may be a Rich table)."""
    console = Console(width=200, record=True, file=io.StringIO())
    console.print(widget.content)
    return console.export_text()


def field_store(data):
    return TinyDBStore.in_directory(data / "field")


def record_visit(data, title: str, date: str, matters: list[dict]) -> tuple[str, list[str], str]:
    with field_store(data) as store:
        editor = Editor(store, actor="刘洋", device_name=title)
        visit = editor.create_visit({"title": title, "site": SITE, "date": date, "leaders": "张建国（矿长）", "recorder": "刘洋"})
        ids = [editor.record_issue(visit["id"], matter)["id"] for matter in matters]
        return visit["id"], ids, editor.device_id


async def test_feedback_heard_on_site_reaches_the_offices_history_and_statistics(tmp_path, monkeypatch):
    monkeypatch.setattr("fieldvisit.core.clock.today", lambda: TODAY)
    first, second, office, stick = tmp_path / "first", tmp_path / "second", tmp_path / "office", tmp_path / "stick"
    _, (wages, bath), _ = record_visit(first, "十一月初下访", "2026-11-02", [
        {"title": "井下津贴少发", "petitioner_name": "李建军", "unit": "采一队", "demand": "补发九月井下津贴", "commitment": "一周内答复", "promised_date": "2026-11-09", "first_owner": "张建国"},
        {"title": "澡堂热水不足", "petitioner_name": "王桂兰", "demand": "增加热水供应时间"},
    ])
    _, (lamp,), second_device = record_visit(second, "十一月中下访", "2026-11-12", [{"title": "矿灯充电架损坏", "demand": "更换充电架"}])
    invoke("export", "--data-dir", first, "--all", "--out", stick / "first.fvb")
    invoke("export", "--data-dir", second, "--all", "--out", stick / "second.fvb")
    invoke("import", "--data-dir", office, stick / "first.fvb", stick / "second.fvb")

    with TinyDBStore.in_directory(office / "office") as central:
        work = Workflow(Editor(central, actor="王敏"), today=lambda: dt.date(2026, 11, 6))
        work.accept(wages)
        work.assign(wages, department="劳资科", assignee="李静")
        work.reply(wages, "已核实考勤，九月津贴11月15日随工资补发")
    invoke("export", "--data-dir", office, "--office", "--device", second_device, "--out", stick / "down.fvb")
    invoke("import", "--data-dir", second, "--field", stick / "down.fvb")
    with field_store(second) as store:
        assert get_value(store.get(ISSUES, wages), "follow_up_devices") == [second_device]
        editor = Editor(store, actor="刘洋")
        today = editor.create_visit({"title": "回访三采区", "site": SITE, "date": "2026-11-20", "leaders": "张建国（矿长）"})

    with field_store(second) as store:
        app = FieldApp(store, Editor(store, actor="刘洋"), home=home_of(store))
        async with app.run_test(size=(120, 40)) as pilot:
            await pilot.pause()
            assert isinstance(app.screen, VisitsScreen)
            rows = app.screen.query_one("#visits", DataTable)
            assert rows.row_count == 2  # the first laptop's visit came for follow-up only: not listed
            await pilot.press("r")  # from the list: every visit at the site
            assert isinstance(app.screen, FollowUpScreen)
            assert app.screen.query_one("#fu-matters", DataTable).row_count == 3
            await pilot.press("escape")
            await pilot.press("enter")  # the newest visit: today's, empty, opens on the capture form
            assert isinstance(app.screen, VisitScreen)
            await pilot.press("ctrl+r")  # a binding that works with the cursor in the form
            screen = app.screen
            assert isinstance(screen, FollowUpScreen)
            table = screen.query_one("#fu-matters", DataTable)
            assert [table.get_row_at(row)[1].plain for row in range(table.row_count)] == ["井下津贴少发", "澡堂热水不足", "矿灯充电架损坏"]
            detail = shown_text(screen.query_one("#fu-pairs", Static))
            assert "已核实考勤，九月津贴11月15日随工资补发" in detail and "劳资科 / 李静" in detail
            assert "已兑现" in detail and "当面向信访人告知" in detail  # replied by the promised day; still to be told

            await pilot.press("f")
            assert isinstance(app.screen, FormModal)
            await type_text(pilot, "已当面告知补发安排")
            await pilot.press("tab", "enter", "down", "down", "down", "enter")  # dissatisfied
            await pilot.press("ctrl+s")
            await pilot.pause()
            assert isinstance(app.screen, FormModal), "a dissatisfied rating without a reason is asked again"
            assert app.screen.values()["content"] == "已当面告知补发安排"  # nothing typed is lost
            assert app.screen.values()["satisfaction"] == "dissatisfied"
            await pilot.press("tab", "tab")
            await type_text(pilot, "补发金额少算两天")
            await pilot.press("ctrl+s")
            await pilot.pause()
            assert app.screen is screen
            assert "不满意" in table.get_row_at(0)[4].plain
            await pilot.press("ctrl+o")  # the follow-up list, printed (or written beside the store)
            await app.workers.wait_for_complete()
            await pilot.pause()
            printed = list((second / "summaries").glob("followup-2026-11-20-*.pdf"))
            assert len(printed) == 1 and printed[0].read_bytes().startswith(b"%PDF")
    with field_store(second) as store:
        [heard] = entries(store.get(ISSUES, wages), "followups")
        assert heard["by"] == "张建国" and heard["visit_id"] == today["id"] and heard["reason"] == "补发金额少算两天"

    listed = tmp_path / "followup.txt"
    invoke("--lang", "zh-CN", "summary", "--data-dir", second, today["id"], "--follow-up", "--format", "txt", "--out", listed)
    text = listed.read_text(encoding="utf-8")
    for expected in ("回访清单", "李建军  采一队", "补发九月井下津贴", "已核实考勤，九月津贴11月15日随工资补发", "信访办的受理期限", "矿灯充电架损坏", "补发金额少算两天"):
        assert expected in text, expected

    invoke("export", "--data-dir", second, "--visit", today["id"], "--out", stick / "back.fvb")
    result = invoke("import", "--data-dir", office, stick / "back.fvb")
    assert "rejected" not in result.output.lower()
    with TinyDBStore.in_directory(office / "office") as central:
        record = central.get(ISSUES, wages)
        assert entries(record, "followups")[0]["content"] == "已当面告知补发安排"
        assert any("已当面告知补发安排" in line and "不满意" in line for line in history_lines(record))
        assert effective_rating(record).source == "face_to_face"
        stats = period_report(central, dt.date(2026, 11, 1), dt.date(2026, 11, 30), today=TODAY).stats
        assert stats.satisfaction == {"satisfied": 0, "basically_satisfied": 0, "dissatisfied": 1}
        assert stats.satisfaction_face_to_face == 1
        assert values(central.get(VISITS, today["id"]))["site"] == SITE
        assert get_value(central.get(ISSUES, lamp), "status") == "recorded"

        office_app = OfficeApp(central, Editor(central, actor="王敏"), today=TODAY, home=home_of(central))
        async with office_app.run_test(size=(120, 40)) as pilot:
            await pilot.pause()
            office_app.push_screen(OfficeMatterScreen(wages))
            await pilot.pause()
            shown = shown_text(office_app.screen.query_one("#om-feedback", Static))
            assert "张建国 回访：已当面告知补发安排 · 不满意（补发金额少算两天）" in shown, shown


async def test_a_matter_not_sent_to_this_laptop_is_shown_but_takes_no_feedback(tmp_path, monkeypatch):
    """Relayed from a colleague's stick, not sent by the office: the office would refuse the
    whole hand-over, so the view says so instead of saving."""
    monkeypatch.setattr("fieldvisit.core.clock.today", lambda: TODAY)
    first, second, stick = tmp_path / "first", tmp_path / "second", tmp_path / "stick"
    _, (wages,), _ = record_visit(first, "十一月初下访", "2026-11-02", [{"title": "井下津贴少发", "demand": "补发九月井下津贴"}])
    own, _, _ = record_visit(second, "回访三采区", "2026-11-20", [])
    invoke("export", "--data-dir", first, "--all", "--out", stick / "first.fvb")
    invoke("import", "--data-dir", second, "--field", stick / "first.fvb")
    with field_store(second) as store:
        app = FieldApp(store, Editor(store, actor="刘洋"), home=home_of(store))
        async with app.run_test(size=(80, 24)) as pilot:
            await pilot.pause()
            assert app.screen.query_one("#visits", DataTable).row_count == 1
            await pilot.press("r")
            assert isinstance(app.screen, FollowUpScreen)
            assert app.screen.query_one("#fu-matters", DataTable).row_count == 1
            await pilot.press("f")
            await pilot.pause()
            assert isinstance(app.screen, FollowUpScreen)
            assert any("尚未把它交本机回访" in str(note.message) for note in app._notifications)
        assert entries(store.get(ISSUES, wages), "followups") == []
        assert own in {record["id"] for record in store.all(VISITS)}
