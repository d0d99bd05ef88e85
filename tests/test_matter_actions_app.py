"""Issue 15 §3 driven through the office app with Pilot: the palette lists every action that can
apply to the matter (footer or not), accepting, closing and undoing ask first, and an undo
restores the status with both steps in the history."""

from __future__ import annotations

import datetime as dt

import pytest
from textual.command import CommandInput, CommandPalette
from textual.widgets import Footer, OptionList, Static

from fieldvisit.apps.field import FieldApp
from fieldvisit.apps.office import OfficeApp
from fieldvisit.core.i18n import t
from fieldvisit.core.records import entries, values
from fieldvisit.editing.editor import Editor
from fieldvisit.office.workflow import Workflow
from fieldvisit.screens.confirm import ConfirmScreen
from fieldvisit.screens.form_modal import FormModal
from fieldvisit.screens.history import HistoryScreen
from fieldvisit.screens.office_matter import OfficeMatterScreen
from fieldvisit.screens.widgets.field_area import FieldArea
from fieldvisit.stores.store import ISSUES, MemoryStore

RAISED = dt.date(2026, 11, 2)
TODAY = dt.date(2026, 11, 10)
RAISED_MS = int(dt.datetime(2026, 11, 2, 4, tzinfo=dt.UTC).timestamp() * 1000)
TITLE = "班车[red]取消[/red]后上下班无车"
"""Square brackets in a title: shown as typed, never read as markup."""


@pytest.fixture
def office():
    """An office store with one matter from a laptop, registered by the office."""
    store = MemoryStore()
    laptop = Editor(store, actor="赵敏", wall=lambda: RAISED_MS, device_name="下访笔记本")
    visit = laptop.create_visit({"title": "矿领导接访", "site": "三采区", "date": RAISED.isoformat()})
    issue = laptop.record_issue(visit["id"], {"title": TITLE, "first_owner": "王志刚"})
    return store, issue["id"]


def app_for(store) -> OfficeApp:
    return OfficeApp(store, Editor(store, actor="周敏"), today=TODAY)


def status(store, issue_id) -> str:
    return values(store.get(ISSUES, issue_id))["status"]


async def open_matter(pilot, app, issue_id) -> OfficeMatterScreen:
    await pilot.pause()
    app.push_screen(OfficeMatterScreen(issue_id))
    await pilot.pause()
    assert isinstance(app.screen, OfficeMatterScreen)
    return app.screen


def commands(app) -> dict[str, str]:
    """Palette title → its help (the key)."""
    return {command.title: command.help for command in app.get_system_commands(app.screen)}


async def test_the_palette_lists_actions_the_footer_leaves_out_and_hides_what_cannot_apply(office):
    store, issue_id = office
    app = app_for(store)
    async with app.run_test(size=(80, 24)) as pilot:
        await open_matter(pilot, app, issue_id)
        await pilot.press("r")  # registered: to accept, not accept or transfer
        await pilot.pause()
        listed = commands(app)
        footer = {binding.key for binding in (b.binding for b in app.screen.active_bindings.values()) if binding.show}
        for hidden_in_footer, key in (("office.not_accept", "n"), ("office.transfer", "t"), ("matter_actions.undo", "u")):
            assert key not in footer
            assert listed[t(hidden_in_footer)] == key, hidden_in_footer
        for mode, key in (("mode.register", "f2"), ("mode.attention", "f3"), ("mode.statistics", "f4"), ("mode.imports", "f5"), ("mode.devices", "f6")):
            assert listed[t(mode)] == key
        assert t("office.accept") in listed and t("office.history") in listed and t("action.quit") in listed
        for cannot in ("office.rate", "office.reply", "office.close", "office.review", "office.decide_review", "office.extend", "office.register", "office.conflicts", "notices.print"):
            assert t(cannot) not in listed, cannot
        assert "s" not in app.screen.active_bindings and "c" not in app.screen.active_bindings
        assert len(listed) == len(set(listed))  # each action once: no second "quit" or theme switch


async def test_a_palette_command_runs_as_its_key_would(office):
    store, issue_id = office
    app = app_for(store)
    async with app.run_test(size=(120, 30)) as pilot:
        await open_matter(pilot, app, issue_id)
        await pilot.press("ctrl+p")
        await pilot.pause()
        assert CommandPalette.is_open(app)
        app.screen.query_one(CommandInput).value = t("office.transfer")
        await app.workers.wait_for_complete()
        await pilot.pause()
        await pilot.press("down", "enter")
        await pilot.pause()
        assert isinstance(app.screen, FormModal)  # the transfer form, as `t` opens it
        assert app.screen.query_one("#m-target")


async def test_accept_asks_naming_the_matter_and_no_leaves_it_unchanged(office):
    store, issue_id = office
    app = app_for(store)
    async with app.run_test(size=(120, 30)) as pilot:
        screen = await open_matter(pilot, app, issue_id)
        before = store.get(ISSUES, issue_id)
        await pilot.press("a")
        await pilot.pause()
        assert isinstance(app.screen, ConfirmScreen)
        body = str(app.screen.query_one("#confirm-body", Static).render())
        assert values(before)["ref"] in body and TITLE in body  # the matter by reference and title, literally
        assert str(app.screen.query_one("#confirm-title", Static).render()) == "受理这件事项？"
        await pilot.press("escape")
        await pilot.pause()
        assert app.screen is screen and store.get(ISSUES, issue_id) == before
        await pilot.press("a", "n")
        await pilot.pause()
        assert app.screen is screen and store.get(ISSUES, issue_id) == before
        await pilot.press("a", "y")
        await pilot.pause()
        assert status(store, issue_id) == "accepted"
        # the keys follow the matter: nothing to accept now, a reply to give
        assert "a" not in app.screen.active_bindings and "p" in app.screen.active_bindings


async def test_close_asks_first(office):
    store, issue_id = office
    workflow = Workflow(Editor(store, actor="周敏"), today=lambda: TODAY)
    workflow.accept(issue_id)
    workflow.reply(issue_id, "已恢复班车")
    app = app_for(store)
    async with app.run_test(size=(120, 30)) as pilot:
        await open_matter(pilot, app, issue_id)
        await pilot.press("c")
        await pilot.pause()
        assert isinstance(app.screen, ConfirmScreen)
        assert str(app.screen.query_one("#confirm-title", Static).render()) == "办结这件事项？"
        await pilot.press("escape")
        await pilot.pause()
        assert status(store, issue_id) == "replied"
        await pilot.press("c", "y")
        await pilot.pause()
        assert status(store, issue_id) == "closed"
        assert values(store.get(ISSUES, issue_id))["closed_at"] == TODAY.isoformat()


async def test_undo_asks_then_restores_the_status_and_the_history_shows_both(office):
    store, issue_id = office
    app = app_for(store)
    async with app.run_test(size=(120, 30)) as pilot:
        screen = await open_matter(pilot, app, issue_id)
        assert "u" not in app.screen.active_bindings  # nothing done yet: nothing to undo
        assert t("matter_actions.undo") not in commands(app)
        await pilot.press("r")
        await pilot.press("a", "y")
        await pilot.pause()
        assert status(store, issue_id) == "accepted"
        await pilot.press("u")
        await pilot.pause()
        assert isinstance(app.screen, ConfirmScreen)
        assert str(app.screen.query_one("#confirm-title", Static).render()) == "撤销上一步：受理？"
        assert "已登记" in str(app.screen.query_one("#confirm-body", Static).render())  # where it leaves the matter
        await pilot.press("n")
        await pilot.pause()
        assert app.screen is screen and status(store, issue_id) == "accepted"
        await pilot.press("u", "y")
        await pilot.pause()
        assert status(store, issue_id) == "registered"
        assert values(store.get(ISSUES, issue_id)).get("accepted_at") is None
        assert any("已撤销：受理" in str(note.message) for note in app._notifications)
        assert "a" in app.screen.active_bindings  # to accept again
        steps = entries(store.get(ISSUES, issue_id), "transitions")
        assert [(step["from"], step["to"]) for step in steps] == [("recorded", "registered"), ("registered", "accepted"), ("accepted", "registered")]
        await pilot.press("h")
        await pilot.pause()
        assert isinstance(app.screen, HistoryScreen)
        lines = str(app.screen.query_one("#history-lines", Static).render()).splitlines()
        assert any("已登记 → 已受理" in line and "（已撤销）" in line for line in lines)
        assert any("周敏" in line and "撤销上一步：受理" in line for line in lines)


async def test_the_footer_at_80_columns_holds_the_keys_used_most(office):
    store, issue_id = office
    app = app_for(store)
    async with app.run_test(size=(80, 24)) as pilot:
        await open_matter(pilot, app, issue_id)
        shown = [b.binding.key for b in app.screen.active_bindings.values() if b.binding.show and b.node is app.screen]
        assert shown == ["r", "a", "g", "f", "h", "escape"]
        footer = app.screen.query_one(Footer)
        keys = [key for key in footer.query("FooterKey") if key.region.width]
        screen_keys = [key for key in keys if key.key in shown]
        assert [key.key for key in screen_keys] == shown
        assert all(key.region.right <= 80 for key in screen_keys)  # on screen, none cut off


# -- what it looks like: the footer at 80 and 120 columns, the confirmation --------------------

SNAPSHOT_DAY = dt.date(2026, 11, 20)


@pytest.fixture
def demo_office(tmp_path, monkeypatch):
    """The office demo (as tests/test_snapshots.py makes it), and its matters by status."""
    from fieldvisit.demo.office import write_office_demo
    from fieldvisit.locations.paths import Home
    from fieldvisit.stores.store import TinyDBStore

    monkeypatch.setattr("fieldvisit.core.clock.today", lambda: SNAPSHOT_DAY)
    write_office_demo(tmp_path, SNAPSHOT_DAY)
    store = TinyDBStore(tmp_path / TinyDBStore.FILE_NAME)
    app = OfficeApp(store, Editor(store, actor="周敏"), today=SNAPSHOT_DAY, home=Home(tmp_path))
    matters = sorted(store.all(ISSUES), key=lambda record: values(record)["ref"])
    yield app, matters
    store.close()


def opened(issue_id: str, *keys: str):
    async def run_before(pilot) -> None:
        await pilot.pause()
        pilot.app.push_screen(OfficeMatterScreen(issue_id))
        await pilot.pause()
        if keys:
            await pilot.press(*keys)
            await pilot.pause()

    return run_before


@pytest.mark.parametrize("size", [(80, 24), (120, 30)], ids=["80x24", "120x30"])
def test_snapshot_of_a_matter_with_the_most_keys(snap_compare, demo_office, size):
    """An accepted matter with a conflict and a notice to print: the widest footer it can have."""
    app, matters = demo_office
    busiest = next(record for record in matters if record["conflicts"] and values(record)["status"] == "accepted")
    assert snap_compare(app, run_before=opened(busiest["id"]), terminal_size=size)


def test_snapshot_of_the_accept_confirmation(snap_compare, demo_office):
    app, matters = demo_office
    registered = next(record for record in matters if values(record)["status"] == "registered")
    assert snap_compare(app, run_before=opened(registered["id"], "a"), terminal_size=(80, 24))


async def test_the_attention_list_offers_linking_only_on_a_suggested_repeat(demo_office):
    app, _ = demo_office
    async with app.run_test(size=(120, 30)) as pilot:
        await pilot.press("f3")
        await pilot.pause()
        await app.workers.wait_for_complete()
        await pilot.pause()
        options = app.screen.query_one(OptionList)
        ids = [options.get_option_at_index(n).id or "" for n in range(options.option_count)]
        options.highlighted = next(n for n, found in enumerate(ids) if found.startswith("open|"))
        await pilot.pause()
        assert "l" not in app.screen.active_bindings
        assert t("attention.link") not in commands(app)
        options.highlighted = next(n for n, found in enumerate(ids) if found.startswith("repeat|"))
        await pilot.pause()
        assert "l" in app.screen.active_bindings and commands(app)[t("attention.link")] == "l"


async def test_a_focused_widget_s_hidden_editing_keys_are_not_palette_commands(store, editor, visit):
    """A multi-line field's own keys (new line) are editing, not actions: not in the palette;
    the screen's actions are, hidden from the footer or not."""
    app = FieldApp(store, editor)
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.press("o", "ctrl+n")
        await pilot.pause()
        area = app.screen.query(FieldArea).first()
        area.focus()
        await pilot.pause()
        assert any(active.node is area for active in app.screen.active_bindings.values())
        listed = commands(app)
        assert "New line" not in listed and t("action.save_matter") in listed
