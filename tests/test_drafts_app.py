"""§2 of issue 14 on screen: leaving a matter being typed asks first, and what was typed comes
back after Esc, Ctrl+N or a crash."""

from __future__ import annotations

from fieldvisit.screens.confirm import ConfirmScreen
from fieldvisit.screens.visit import VisitScreen
from textual.widgets import Input

from fieldvisit.apps.field import FieldApp
from fieldvisit.editing import drafts
from fieldvisit.stores.store import ISSUES
from tests.keys_burst import Text as T
from tests.keys_burst import burst

TYPED = [T("井下津贴连续两月少发"), "enter", T("要求补发九月、十月井下津贴"), "tab", "enter", "enter", T("郑春东")]


def form_value(app, name: str) -> str:
    return app.screen.query_one(f"#f-{name}", Input).value


async def open_visit(app, pilot, visit_id: str) -> None:
    app.push_screen(VisitScreen(visit_id))
    await pilot.pause()
    await pilot.pause()


async def test_esc_asks_keeps_a_draft_and_ctrl_n_offers_it_back(store, editor, visit):
    app = FieldApp(store, editor)
    key = drafts.capture_key(visit["id"])
    async with app.run_test(size=(120, 40)) as pilot:
        await open_visit(app, pilot, visit["id"])
        await burst(pilot, TYPED)
        await pilot.press("escape")
        assert isinstance(app.screen, ConfirmScreen)
        await pilot.press("n")  # stay: nothing changes
        assert isinstance(app.screen, VisitScreen) and form_value(app, "petitioner_name") == "郑春东"
        await pilot.press("escape")
        await pilot.press("y")
        await pilot.pause()
        assert isinstance(app.screen, VisitScreen)
        assert form_value(app, "title") == ""  # left: the form is clear …
        assert drafts.load(store, key)["petitioner_name"] == "郑春东"  # … and the draft holds it
        await pilot.press("ctrl+n")
        await pilot.pause()
        assert isinstance(app.screen, ConfirmScreen)
        await pilot.press("y")
        await pilot.pause()
        assert form_value(app, "title") == "井下津贴连续两月少发"
        assert form_value(app, "demand") == "要求补发九月、十月井下津贴"
        assert form_value(app, "petitioner_name") == "郑春东"
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert [issue["fields"]["petitioner_name"]["value"] for issue in store.all(ISSUES)] == ["郑春东"]
        assert drafts.load(store, key) is None  # saved: the draft is gone


async def test_a_draft_is_written_as_it_is_typed_and_offered_after_a_crash(store, editor, visit):
    key = drafts.capture_key(visit["id"])
    app = FieldApp(store, editor)
    async with app.run_test(size=(120, 40)) as pilot:
        await open_visit(app, pilot, visit["id"])
        await burst(pilot, TYPED)
        for _ in range(1000):  # the draft is written a moment after the last key, by a timer
            if (drafts.load(store, key) or {}).get("petitioner_name") == "郑春东":
                break
            await pilot.pause(0.05)
        assert drafts.load(store, key)["title"] == "井下津贴连续两月少发"
        assert drafts.load(store, key)["petitioner_name"] == "郑春东"
        # the power goes: nothing more is written (no exit, no unmount flush)
        kept = store.get(drafts.DRAFTS, key)

    store.put({drafts.DRAFTS: [kept]})  # the file as the power cut left it
    again = FieldApp(store, editor)
    async with again.run_test(size=(120, 40)) as pilot:
        await open_visit(again, pilot, visit["id"])
        assert isinstance(again.screen, ConfirmScreen)  # asked on reopening the visit
        await pilot.press("y")
        await pilot.pause()
        assert form_value(again, "petitioner_name") == "郑春东"
        assert form_value(again, "demand") == "要求补发九月、十月井下津贴"


async def test_an_untouched_form_leaves_without_asking(store, editor, visit):
    app = FieldApp(store, editor)
    async with app.run_test(size=(120, 40)) as pilot:
        await open_visit(app, pilot, visit["id"])
        await pilot.press("escape")
        assert isinstance(app.screen, VisitScreen)
        await pilot.press("escape")
        assert not isinstance(app.screen, (VisitScreen, ConfirmScreen))
    assert drafts.load(store, drafts.capture_key(visit["id"])) is None
