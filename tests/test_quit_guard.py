"""Ctrl+Q with typing not saved asks first, in the words of the screen that would lose it; with
nothing typed it quits at once."""

from __future__ import annotations

from textual.widgets import Input

from fieldvisit.apps.base import QUIT_QUESTION
from fieldvisit.apps.field import FieldApp
from fieldvisit.core.i18n import t
from fieldvisit.editing import drafts
from fieldvisit.screens.confirm import ConfirmScreen
from fieldvisit.screens.form_modal import FormField, FormModal
from fieldvisit.screens.matter import MatterScreen
from fieldvisit.screens.visit import VisitScreen
from tests.keys_burst import Text as T
from tests.keys_burst import burst


async def open_visit(app, pilot, visit_id: str) -> None:
    app.push_screen(VisitScreen(visit_id))
    await pilot.pause()
    await pilot.pause()


def body_of(screen: ConfirmScreen) -> str:
    return str(screen.query_one("#confirm-body").render())


async def test_quit_with_nothing_typed_quits_at_once(store, editor, visit):
    app = FieldApp(store, editor)
    async with app.run_test(size=(120, 40)) as pilot:
        await open_visit(app, pilot, visit["id"])
        await pilot.press("ctrl+q")
        await pilot.pause()
        assert app._exit  # no question: nothing would be lost


async def test_quit_while_typing_a_matter_keeps_a_draft_and_asks(store, editor, visit):
    app = FieldApp(store, editor)
    async with app.run_test(size=(120, 40)) as pilot:
        await open_visit(app, pilot, visit["id"])
        await burst(pilot, [T("井下津贴连续两月少发")])
        await pilot.press("ctrl+q")
        await pilot.pause()
        assert isinstance(app.screen, ConfirmScreen) and app.screen.id == QUIT_QUESTION
        assert body_of(app.screen) == t("quit_guard.draft_body")
        # asked: the draft is already kept, whatever the answer
        assert drafts.load(store, drafts.capture_key(visit["id"]))["title"] == "井下津贴连续两月少发"
        await pilot.press("n")
        await pilot.pause()
        assert isinstance(app.screen, VisitScreen) and not app._exit
        assert app.screen.query_one("#f-title", Input).value == "井下津贴连续两月少发"
        await pilot.press("ctrl+q")
        await pilot.pause()
        await pilot.press("ctrl+q")  # Ctrl+Q on the question itself quits
        await pilot.pause()
        assert app._exit


async def test_quit_with_a_changed_matter_asks_and_yes_quits(store, editor, visit):
    issue = editor.record_issue(visit["id"], {"title": "井口澡堂热水不足", "category": "working_conditions"})
    app = FieldApp(store, editor)
    async with app.run_test(size=(120, 40)) as pilot:
        app.push_screen(MatterScreen(issue["id"]))
        await pilot.pause()
        app.screen.query_one("#f-demand", Input).value = "每天供热水到夜班结束"
        await pilot.press("ctrl+q")
        await pilot.pause()
        assert isinstance(app.screen, ConfirmScreen)
        assert body_of(app.screen) == t("matter_leave.body")
        await pilot.press("y")
        await pilot.pause()
        assert app._exit


async def test_quit_from_an_office_form_with_text_asks(store, editor):
    app = FieldApp(store, editor)
    async with app.run_test(size=(120, 40)) as pilot:
        app.push_screen(FormModal("答复", [FormField("content", "答复内容")]))
        await pilot.pause()
        await pilot.press("ctrl+q")  # nothing typed: quits
        await pilot.pause()
        assert app._exit
    app = FieldApp(store, editor)
    async with app.run_test(size=(120, 40)) as pilot:
        app.push_screen(FormModal("答复", [FormField("content", "答复内容")]))
        await pilot.pause()
        await burst(pilot, [T("已协调财务科补发")])
        await pilot.press("ctrl+q")
        await pilot.pause()
        assert isinstance(app.screen, ConfirmScreen) and body_of(app.screen) == t("quit_guard.form_body")
        await pilot.press("escape")
        await pilot.pause()
        assert isinstance(app.screen, FormModal) and app.screen.values()["content"] == "已协调财务科补发"
