"""Quick capture with the roster and the laptop's history (issue 14 §4), driven by keys."""

from __future__ import annotations

from textual.widgets import Input

from fieldvisit.apps.field import FieldApp
from fieldvisit.core.records import values
from fieldvisit.roster.keeping import save_roster
from fieldvisit.roster.people import Person, Roster
from fieldvisit.screens.visit import VisitScreen
from fieldvisit.screens.visit_form import VisitFormScreen
from fieldvisit.screens.widgets import capture_aids
from fieldvisit.screens.widgets.person_picker import PersonPicker
from fieldvisit.stores import at_rest
from fieldvisit.stores.store import ISSUES

from homes import home_of

PEOPLE = [
    Person("DF100001", "王建军", "综采一队", "13900000001"),
    Person("DF100002", "王建军", "掘进二队", "13900000002"),
    Person("DF100003", "王建国", "通风队", "13900000003"),
    Person("DF100004", "李秀英", "机电队", "13900000004"),
]


async def type_text(pilot, text: str) -> None:
    for character in text:
        await pilot.press(character)


async def open_capture(app, pilot, visit_id: str) -> None:
    await pilot.pause()
    app.push_screen(VisitScreen(visit_id))
    await pilot.pause()
    if app.focused.id != "f-title":  # a visit with matters opens on its list
        await pilot.press("ctrl+n")
        await pilot.pause()
    assert app.focused.id == "f-title"


async def to_field(pilot, name: str) -> None:
    for _ in range(20):
        if pilot.app.focused.id == f"f-{name}":
            return
        await pilot.press("tab")
    raise AssertionError(f"never reached {name}")


def form_values(app, *names: str) -> dict[str, str]:
    return {name: app.screen.query_one(f"#f-{name}", Input).value for name in names}


def picker(app) -> PersonPicker:
    return app.screen.query_one(PersonPicker)


async def test_a_name_offers_the_people_and_down_enter_fills_the_form(store, editor, visit):
    app = FieldApp(store, editor, home=home_of(store))
    capture_aids.set_roster(app, Roster(PEOPLE))
    async with app.run_test(size=(120, 40)) as pilot:
        await open_capture(app, pilot, visit["id"])
        await type_text(pilot, "井下津贴少发")
        await to_field(pilot, "petitioner_name")
        await type_text(pilot, "王建")
        assert picker(app).display
        assert [(person.name, person.unit) for person in picker(app).people] == [("王建军", "掘进二队"), ("王建军", "综采一队"), ("王建国", "通风队")]
        await pilot.press("down", "down", "enter")
        await pilot.pause()
        assert not picker(app).display
        assert form_values(app, "petitioner_name", "employee_no", "unit", "phone") == {
            "petitioner_name": "王建军", "employee_no": "DF100001", "unit": "综采一队", "phone": "13900000001"}
        assert app.focused.id == "f-people"  # past what the pick filled
        await pilot.press("ctrl+s")
        await pilot.pause()
    saved = values(store.all(ISSUES)[0])
    assert (saved["petitioner_name"], saved["employee_no"], saved["unit"], saved["phone"]) == ("王建军", "DF100001", "综采一队", "13900000001")


async def test_up_wraps_and_the_whole_employee_number_picks_with_enter(store, editor, visit):
    app = FieldApp(store, editor, home=home_of(store))
    capture_aids.set_roster(app, Roster(PEOPLE))
    async with app.run_test(size=(80, 24)) as pilot:
        await open_capture(app, pilot, visit["id"])
        await to_field(pilot, "employee_no")
        await type_text(pilot, "100004")  # the digits, without the letters HR puts in front
        assert [person.name for person in picker(app).people] == ["李秀英"]
        await pilot.press("enter")
        await pilot.pause()
        assert form_values(app, "petitioner_name", "employee_no", "unit") == {"petitioner_name": "李秀英", "employee_no": "DF100004", "unit": "机电队"}
        assert app.focused.id == "f-unit"  # Enter alone moves on as Enter does: keys typed blind land as without a roster
        await pilot.press(*["shift+tab"] * 3)  # employee no., anonymous, name
        assert app.focused.id == "f-petitioner_name"
        assert not picker(app).display  # the value a pick put there does not open the list again
        app.focused.value = ""
        await type_text(pilot, "王")
        await pilot.press("up", "enter")  # Up from no highlight: the last one
        await pilot.pause()
        assert form_values(app, "petitioner_name", "unit") == {"petitioner_name": "王建国", "unit": "通风队"}


async def test_enter_without_a_choice_moves_on_with_what_was_typed_and_esc_closes(store, editor, visit):
    app = FieldApp(store, editor, home=home_of(store))
    capture_aids.set_roster(app, Roster(PEOPLE))
    async with app.run_test(size=(120, 40)) as pilot:
        await open_capture(app, pilot, visit["id"])
        await to_field(pilot, "petitioner_name")
        await type_text(pilot, "王建军")  # two of that name: Enter cannot know which
        assert len(picker(app).people) == 2
        await pilot.press("enter")
        await pilot.pause()
        assert app.focused.id == "f-anonymous" and not picker(app).display
        assert form_values(app, "petitioner_name", "unit", "employee_no") == {"petitioner_name": "王建军", "unit": "", "employee_no": ""}
        await pilot.press("shift+tab")
        app.focused.value = ""
        await type_text(pilot, "李")
        assert picker(app).display
        await pilot.press("escape")
        await pilot.pause()
        assert not picker(app).display
        assert isinstance(app.screen, VisitScreen) and app.focused.id == "f-petitioner_name"  # Esc only closed the list
        await type_text(pilot, "四")  # not on the roster: nothing offered, nothing filled
        assert not picker(app).display and form_values(app, "petitioner_name", "unit") == {"petitioner_name": "李四", "unit": ""}


async def test_units_departments_and_commitments_complete_and_a_commitment_fills_the_date(store, editor, visit):
    editor.record_issue(visit["id"], {"title": "澡堂热水不足", "unit": "综采一队", "department": "后勤服务中心"})
    editor.record_issue(visit["id"], {"title": "班车取消", "unit": "综采一队", "department": "劳资科"})
    editor.record_issue(visit["id"], {"title": "夜班补助", "unit": "综合办公室", "department": "劳资科"})
    app = FieldApp(store, editor, home=home_of(store))
    async with app.run_test(size=(120, 40)) as pilot:
        await open_capture(app, pilot, visit["id"])
        await type_text(pilot, "井下津贴少发")
        await to_field(pilot, "unit")
        await type_text(pilot, "综")
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert app.focused._suggestion == "综采一队"  # the most frequent first
        await pilot.press("right", "enter")
        await to_field(pilot, "commitment")
        await type_text(pilot, "三")
        await app.workers.wait_for_complete()
        await pilot.pause()
        await pilot.press("right")
        await pilot.pause()
        assert form_values(app, "unit", "commitment", "promised_date") == {"unit": "综采一队", "commitment": "三日内答复", "promised_date": "2026-11-23"}
        await to_field(pilot, "department")
        await type_text(pilot, "劳")
        await app.workers.wait_for_complete()
        await pilot.pause()
        await pilot.press("right")
        await pilot.press("ctrl+s")
        await pilot.pause()
    saved = max((values(record) for record in store.all(ISSUES)), key=lambda issue: issue["ref"])
    assert (saved["unit"], saved["department"], saved["commitment"], saved["promised_date"]) == ("综采一队", "劳资科", "三日内答复", "2026-11-23")
    assert saved["first_owner"] == "王志刚"


async def test_a_new_unit_completes_in_the_next_matter_and_sites_in_the_visit_form(store, editor, visit):
    app = FieldApp(store, editor, home=home_of(store))
    async with app.run_test(size=(120, 40)) as pilot:
        await open_capture(app, pilot, visit["id"])
        await type_text(pilot, "井下津贴少发")
        await to_field(pilot, "unit")
        await type_text(pilot, "运输队")
        await pilot.press("ctrl+s")
        await pilot.pause()
        await to_field(pilot, "unit")
        await type_text(pilot, "运")
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert app.focused._suggestion == "运输队"
        await pilot.press("backspace")  # the form empty again: leaving it asks nothing
        await pilot.press("escape", "escape")
        await pilot.pause()
        await pilot.press("n")
        await pilot.pause()
        assert isinstance(app.screen, VisitFormScreen)
        await pilot.press("tab")
        await type_text(pilot, "东")
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert app.focused.id == "v-site" and app.focused._suggestion == "东风煤矿三采区"


async def test_a_sealed_roster_opens_with_the_store_and_a_damaged_one_is_said(store, editor, visit):
    at_rest.set_passphrase(store, "口令", at_rest.FAST_STRENGTH)
    target = home_of(store).roster_file
    save_roster(target, PEOPLE, store.cipher)
    assert "李秀英".encode() not in target.read_bytes()
    app = FieldApp(store, editor, home=home_of(store))
    async with app.run_test(size=(120, 40)) as pilot:
        await open_capture(app, pilot, visit["id"])
        await to_field(pilot, "petitioner_name")
        await type_text(pilot, "李")
        assert [person.employee_no for person in picker(app).people] == ["DF100004"]
    target.write_bytes(b"{not json")
    app = FieldApp(store, editor, home=home_of(store))
    async with app.run_test(size=(120, 40)) as pilot:
        await open_capture(app, pilot, visit["id"])
        assert any("花名册" in notification.message for notification in app._notifications)
        await to_field(pilot, "petitioner_name")
        await type_text(pilot, "李")
        assert not picker(app).display and app.focused.value == "李"


async def test_the_full_matter_screen_offers_the_roster_too(store, editor, visit):
    """Correcting a matter later (its petitioner was taken down by name only) picks from the
    roster as quick capture does, and saves what was picked."""
    from fieldvisit.screens.matter import MatterScreen

    issue = editor.record_issue(visit["id"], {"title": "井口澡堂热水不足", "petitioner_name": "王"})
    app = FieldApp(store, editor, home=home_of(store))
    capture_aids.set_roster(app, Roster(PEOPLE))
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        app.push_screen(MatterScreen(issue["id"]))
        await pilot.pause()
        await to_field(pilot, "petitioner_name")
        app.focused.value = ""
        await type_text(pilot, "李秀")
        assert picker(app).display and [person.name for person in picker(app).people] == ["李秀英"]
        await pilot.press("down", "enter")
        await pilot.pause()
        assert form_values(app, "employee_no", "unit") == {"employee_no": "DF100004", "unit": "机电队"}
        await pilot.press("ctrl+s")
        await pilot.pause()
    saved = values(store.get(ISSUES, issue["id"]))
    assert (saved["petitioner_name"], saved["employee_no"], saved["phone"]) == ("李秀英", "DF100004", "13900000004")
