"""The capture flow driven by keys, as a recorder at a site would, asserting on the store."""

from __future__ import annotations

from textual import events
from textual.keys import _character_to_key
from textual.widgets import DataTable, Input

from homes import home_of
from fieldvisit.apps.field import FieldApp
from fieldvisit.core.records import entries, values
from fieldvisit.screens.matter import MatterScreen
from fieldvisit.screens.reason import ReasonScreen
from fieldvisit.screens.visit import VisitScreen
from fieldvisit.screens.visit_form import VisitFormScreen
from fieldvisit.screens.visits import VisitsScreen
from fieldvisit.stores.store import ISSUES, VISITS


async def type_text(pilot, text: str) -> None:
    """Type text as a terminal delivers an IME's commits: one key event per character.

    (`pilot.press` cannot type full-width punctuation such as （ 、 ）, so the events are
    made the way the terminal driver makes them.)
    """
    for character in text:
        pilot.app.post_message(events.Key(_character_to_key(character), character))
    await pilot.pause()


async def test_new_visit_three_matters_edit_and_withdraw(store, editor):
    app = FieldApp(store, editor, home=home_of(store))
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        assert isinstance(app.screen, VisitsScreen)

        await pilot.press("n")
        assert isinstance(app.screen, VisitFormScreen)
        await type_text(pilot, "矿领导深入三采区接访")
        await pilot.press("enter")
        await type_text(pilot, "东风煤矿三采区")
        await pilot.press("enter", "enter")  # site kind keeps its default
        await pilot.press("tab", "tab")  # the date keeps today
        await type_text(pilot, "王志刚（矿长）、刘海燕（工会主席）")
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert isinstance(app.screen, VisitScreen)
        visit = values(store.all(VISITS)[0])
        assert visit["site"] == "东风煤矿三采区"
        assert visit["leaders"][0] == {"name": "王志刚", "post": "矿长"}

        # Matter 1: title, demand, then straight to save.
        await type_text(pilot, "井下津贴连续两月少发")
        await pilot.press("tab")
        await type_text(pilot, "要求补发九月、十月井下津贴")
        await pilot.press("ctrl+s")
        await pilot.pause()
        # Matter 2: only a demand, six people: a collective visit.
        await pilot.press("tab")
        await type_text(pilot, "要求恢复夜班班车")
        for _ in range(8):  # category, urgency, name, anonymous, employee no., unit, phone, people
            await pilot.press("tab")
        assert app.focused.id == "f-people"
        await type_text(pilot, "6")
        await pilot.press("ctrl+s")
        await pilot.pause()
        # Matter 3: typed in English.
        await type_text(pilot, "Bathhouse has no hot water")
        await pilot.press("ctrl+s")
        await pilot.pause()

        issues = sorted((values(r) for r in store.all(ISSUES)), key=lambda i: i["ref"])
        assert [i["title"] for i in issues] == ["井下津贴连续两月少发", "要求恢复夜班班车", "Bathhouse has no hot water"]
        assert issues[0]["demand"] == "要求补发九月、十月井下津贴"
        assert issues[0]["first_owner"] == "王志刚"
        assert issues[1]["people"] == 6 and issues[1]["collective"] is True
        assert [i["ref"][-3:] for i in issues] == ["001", "002", "003"]
        table = app.screen.query_one("#matters", DataTable)
        assert table.row_count == 3

        # Open the second matter from the list and correct it.
        await pilot.press("escape")
        table.move_cursor(row=1)
        await pilot.press("enter")
        await pilot.pause()
        assert isinstance(app.screen, MatterScreen)
        title = app.screen.query_one("#f-title", Input)
        title.value = ""
        await type_text(pilot, "夜班班车取消后职工无法通勤")
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert values(store.get(ISSUES, issues[1]["id"]))["title"] == "夜班班车取消后职工无法通勤"

        # Withdraw it, with a reason; it stays in the store.
        await pilot.press("ctrl+r")
        assert isinstance(app.screen, ReasonScreen)
        await type_text(pilot, "已协调恢复班车")
        await pilot.press("enter")
        await pilot.pause()
        record = store.get(ISSUES, issues[1]["id"])
        assert values(record)["status"] == "withdrawn"
        assert entries(record, "transitions")[-1]["reason"] == "已协调恢复班车"
        assert len(store.all(ISSUES)) == 3

        await pilot.press("escape")
        await pilot.pause()
        assert isinstance(app.screen, VisitScreen)


async def test_search_filters_the_matters_list(store, editor, visit):
    editor.record_issue(visit["id"], {"title": "井下津贴少发", "unit": "综采一队"})
    editor.record_issue(visit["id"], {"title": "澡堂热水不足", "unit": "掘进二队"})
    app = FieldApp(store, editor, home=home_of(store))
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.press("enter")
        await pilot.pause()
        await pilot.press("ctrl+f")
        await type_text(pilot, "掘进")
        await pilot.pause()
        table = app.screen.query_one("#matters", DataTable)
        assert table.row_count == 1


async def test_empty_matter_is_refused_and_nothing_saved(store, editor, visit):
    app = FieldApp(store, editor, home=home_of(store))
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("enter")
        await pilot.pause()
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert store.all(ISSUES) == []
        assert app.focused.id == "f-title"


async def test_command_palette_lists_screen_actions(store, editor):
    app = FieldApp(store, editor, home=home_of(store))
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        names = [command.title for command in app.get_system_commands(app.screen)]
        assert "新建下访" in names and "退出" in names


async def test_close_and_reopen_a_visit_from_the_list(store, editor, visit):
    app = FieldApp(store, editor, home=home_of(store))
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("c")
        assert values(store.get(VISITS, visit["id"]))["status"] == "closed"
        await pilot.press("o")
        await pilot.pause()
        await pilot.press("ctrl+n")  # a closed visit takes no new matters
        await pilot.press("ctrl+s")
        assert store.all(ISSUES) == []
        await pilot.press("escape", "c")
        assert values(store.get(VISITS, visit["id"]))["status"] == "open"


async def test_theme_switches_between_light_and_dark(store, editor):
    app = FieldApp(store, editor, home=home_of(store))
    async with app.run_test() as pilot:
        before = app.theme
        await pilot.press("ctrl+t")
        assert app.theme != before
        await pilot.press("ctrl+t")
        assert app.theme == before


async def test_narrow_screen_takes_turns_between_list_and_form(store, editor, visit):
    editor.record_issue(visit["id"], {"title": "井下津贴少发"})
    app = FieldApp(store, editor, home=home_of(store))
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("o")
        await pilot.pause()
        form = app.screen.query_one("#capture")
        assert not form.display
        await pilot.press("ctrl+n")
        await pilot.pause()
        assert form.display and not app.screen.query_one("#matters-pane").display
        await type_text(pilot, "澡堂热水不足")
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert len(store.all(ISSUES)) == 2
        await pilot.press("escape")
        await pilot.pause()
        assert app.screen.query_one("#matters-pane").display
