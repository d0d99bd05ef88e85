"""Text from outside is text (issue 13 §2): every string from a store, bundle, token or form is
shown as it is on every screen of both apps, never read as markup, and no control character
reaches the terminal.

Every text field of a field store and of an office store holds markup-like strings and escape
codes; each screen is opened by keys and its screenshot must show the literal text."""

from __future__ import annotations

import datetime as dt
import html
import re

import pytest
from textual.widgets import Input, OptionList

from homes import home_of
from fieldvisit.trust import devices
from fieldvisit.locations import paths
from fieldvisit.trust import keys as trust
from fieldvisit.editing.editor import TRANSITIONS, Editor
from fieldvisit.apps.field import FieldApp
from fieldvisit.core.ids import new_id
from fieldvisit.core.model import ISSUE_TEXT_FIELDS
from fieldvisit.apps.office import OfficeApp
from fieldvisit.core.records import derive_conflicts, values
from fieldvisit.screens.conflicts import ConflictsScreen
from fieldvisit.screens.confirm import ConfirmScreen
from fieldvisit.screens.enrollment import EnrollmentScreen
from fieldvisit.screens.form_modal import FormModal
from fieldvisit.screens.handover import HandoverScreen
from fieldvisit.screens.history import HistoryScreen
from fieldvisit.screens.matter import MatterScreen
from fieldvisit.screens.office_matter import OfficeMatterScreen
from fieldvisit.screens.qr_display import QrScreen
from fieldvisit.screens.reason import ReasonScreen
from fieldvisit.screens.visit import VisitScreen
from fieldvisit.screens.visit_form import VisitFormScreen
from fieldvisit.screens.widgets.register_table import RegisterTable
from fieldvisit.stores.store import IMPORTS, ISSUES, VISITS, TinyDBStore
from fieldvisit.sync.canonical import canonical_bytes
from fieldvisit.sync.exporter import export_bundle, write_bundle
from fieldvisit.office.workflow import FEEDBACK

ANCHOR = dt.date(2026, 11, 20)


def marked(name: str) -> str:
    """A value that Textual would read as markup (and crash on), with an escape code and a bell."""
    return f"[/b]{name}[link=x]y[/link][bold red]x\x1b[31mESC\x07"


def shown(name: str) -> str:
    """What must be on screen for `marked(name)`: its first part, as typed."""
    return f"[/b]{name}[link"


MARKS = ("[/b]", "[link=x]y[/link]", "[bold red]x", "[31mESC")
OFFICE_ONLY = ("transfer_to", "reply", "extension_reason", "satisfaction_comment")


@pytest.fixture(autouse=True)
def no_usb_sticks(monkeypatch):
    monkeypatch.setattr("fieldvisit.screens.widgets.folder_picker.removable_folders", lambda: [])


def screen_text(app) -> str:
    """The characters on screen (with any toast and the screens under a modal), from a screenshot."""
    svg = app.export_screenshot()
    assert "\x1b" not in svg and "\x07" not in svg, "a control character reached the terminal"
    return "".join(html.unescape(part) for part in re.findall(r"<text[^>]*>(.*?)</text>", svg, re.S)).replace("\xa0", " ")


def assert_shows(app, *names: str, marks: bool = True) -> None:
    text = screen_text(app)
    for name in names:
        assert shown(name) in text, f"{shown(name)!r} not on {type(app.screen).__name__}"
    if marks:
        for mark in MARKS:
            assert mark in text, f"{mark!r} not on {type(app.screen).__name__}"


def mark_issue(editor: Editor, issue_id: str, extra: tuple[str, ...] = (), keep: tuple[str, ...] = ()) -> None:
    """Every text field (but those to `keep`), a transition and a feedback entry of a matter hold marked text."""
    changes = {name: marked(name) for name in (*ISSUE_TEXT_FIELDS, *extra) if name not in keep}
    changes.update(recorded_by=marked("recorded_by"), anonymous=False)
    entries = {
        TRANSITIONS: {"from": "recorded", "to": "recorded", "by": marked("by"), "reason": marked("reason")},
        FEEDBACK: {"by": marked("feedback_by"), "date": "2026-11-19", "channel": "phone", "content": marked("content")},
    }
    editor.change(ISSUES, issue_id, changes, entries=entries)


def mark_visit(editor: Editor, visit_id: str) -> None:
    changes = {name: marked(name) for name in ("title", "site", "recorder", "note")}
    changes["leaders"] = [{"name": marked("leader"), "post": marked("post")}]
    editor.change(VISITS, visit_id, changes)


# -- the field app ---------------------------------------------------------------------------


@pytest.fixture
def field_store(store):
    editor = Editor(store, actor=marked("actor"), device_name=marked("laptop"))
    visit = editor.create_visit({"title": "t", "site": "s", "date": "2026-11-20"})
    issue = editor.record_issue(visit["id"], {"title": "t"})
    mark_visit(editor, visit["id"])
    mark_issue(editor, issue["id"])
    office = trust.OfficeKeys.generate(marked("organisation"))
    trust.enroll_device(paths.Home.beside(store.path).device_keys_file, canonical_bytes(office.token()))
    return store


async def test_every_field_screen_shows_stored_text_as_it_is(field_store):
    store = field_store
    app = FieldApp(store, home=home_of(store))
    other_office = trust.OfficeKeys.generate(marked("other_office"))
    async with app.run_test(size=(200, 50), notifications=True) as pilot:
        await pilot.pause()
        assert_shows(app, "site", "title", "laptop")  # the visits list, and the device in its summary

        await pilot.press("e")
        assert isinstance(app.screen, VisitFormScreen)
        assert_shows(app, "title", "site", "recorder", "note", "leader")
        await pilot.press("escape")

        await pilot.press("o")
        await pilot.pause()
        assert isinstance(app.screen, VisitScreen)
        assert_shows(app, "site", "title", "leader", "petitioner_name")

        app.screen.query_one("#matters").focus()
        await pilot.press("enter")
        await pilot.pause()
        assert isinstance(app.screen, MatterScreen)
        assert_shows(app, "title", "demand", "petitioner_name", "unit", "recorded_by", "by", "reason")
        app.screen.query_one("#f-promised_date", Input).value = marked("date").replace("\x1b", "").replace("\x07", "")  # as typed
        await pilot.press("ctrl+s")  # refused: the toast quotes the date typed
        await pilot.pause()
        app.screen.query_one("#f-promised_date", Input).value = ""
        await pilot.pause()
        assert_shows(app, "date", marks=False)
        await pilot.press("ctrl+r")
        assert isinstance(app.screen, ReasonScreen)
        screen_text(app)
        await pilot.press("escape")
        await pilot.press("ctrl+s")
        await pilot.pause()
        await pilot.press("escape")

        assert isinstance(app.screen, VisitScreen)
        await pilot.press("ctrl+g")
        assert isinstance(app.screen, HandoverScreen)
        assert_shows(app, "title", "site")
        await pilot.press("ctrl+g")
        await pilot.pause()
        assert isinstance(app.screen, QrScreen)
        screen_text(app)
        await pilot.press("escape")
        await pilot.press("escape")
        await pilot.press("escape")

        await pilot.press("k")
        await pilot.pause()
        assert isinstance(app.screen, EnrollmentScreen)
        assert_shows(app, "organisation", "laptop")
        app.screen.enroll(canonical_bytes(other_office.token()))  # another office: asked first
        await pilot.pause()
        assert isinstance(app.screen, ConfirmScreen)
        assert_shows(app, "organisation", "other_office")
        await pilot.press("n")
        await pilot.pause()
        assert_shows(app, "organisation")
    assert app._exception is None


# -- the office app --------------------------------------------------------------------------


@pytest.fixture
def office(office_store_path, field_store, tmp_path):
    """The demo central store with one conflicted matter, its visit, a device, the office's
    organisation and an import log entry all holding marked text; and a stick whose folder name
    and bundle come from the marked field store."""
    with TinyDBStore(office_store_path) as store:
        editor = Editor(store, actor=marked("officer"))
        record = next(record for record in store.all(ISSUES) if record["conflicts"])
        in_conflict = tuple(conflict["field"] for conflict in record["conflicts"])  # a write would settle them
        mark_issue(editor, record["id"], OFFICE_ONLY, keep=in_conflict)
        editor.change(ISSUES, record["id"], {"satisfaction": "dissatisfied", "safety_hazard": True})
        mark_visit(editor, values(record)["visit_id"])
        record = store.get(ISSUES, record["id"])
        conflict = record["conflicts"][0]  # the edit that lost says "[/b]conflict…" as a laptop sent it
        record["history"][conflict["field"]][conflict["stamp"]]["value"] = marked("conflict")
        record["conflicts"] = derive_conflicts(record)
        store.put({ISSUES: [record]}, {})
        store.put({}, {devices.META_KEY: {"01M7F6AG30HQHXN5RDAR1S9GK4": {
            "key": "AAAA", "fingerprint": "ABCD-EFGH-JKMN-PQRS", "name": marked("device"), "state": "pending",
            "first_seen": "2026-11-20T08:00:00Z", "changed_at": "2026-11-20T08:00:00Z"}}})
        store.put({IMPORTS: [{
            "id": new_id(), "bundle_id": new_id(), "device_id": new_id(), "device_name": marked("sender"),
            "created_at": "2026-11-20T08:00:00+08:00", "imported_at": "2026-11-20T09:00:00+08:00",
            "source": "/media/usb/[bold red]stick\x1b[31mESC\x07.fvb", "status": "imported", "counts": {"issues_new": 1}}]}, {})
        trust.OfficeKeys.generate(marked("organisation")).save(paths.Home.beside(office_store_path).office_keys_file)
        stick = tmp_path / "[bold red]stick[link=x]y"  # typed into the picker, so no escape code
        stick.mkdir()
        write_bundle(export_bundle(field_store), stick)
        yield store, record["id"], stick


async def test_every_office_screen_shows_stored_text_as_it_is(office):
    store, issue_id, stick = office
    app = OfficeApp(store, Editor(store, actor=marked("officer")), today=ANCHOR, home=home_of(store))
    async with app.run_test(size=(200, 50), notifications=True) as pilot:
        await pilot.pause()
        app.screen.query_one("#register-search", Input).value = "title[link"
        await pilot.pause()
        table = app.screen.query_one("#register", RegisterTable)
        assert table.row_count == 1
        assert_shows(app, "title", "site")
        app.notify(marked("toast"))
        await pilot.pause()
        assert_shows(app, "toast")

        table.focus()
        await pilot.press("enter")
        await pilot.pause()
        assert isinstance(app.screen, OfficeMatterScreen) and app.screen.issue_id == issue_id
        marked_fields = [name for name in (*ISSUE_TEXT_FIELDS, *OFFICE_ONLY) if name not in {c["field"] for c in store.get(ISSUES, issue_id)["conflicts"]}]
        assert_shows(app, "site", "title", "content", "feedback_by", *marked_fields)

        await pilot.press("h")
        assert isinstance(app.screen, HistoryScreen)
        app.screen.query_one("#history-box").scroll_end(animate=False)  # the newest lines are ours
        await pilot.pause()
        assert_shows(app, "title", "reason", "by", "content", "detail")
        await pilot.press("escape")
        await pilot.press("k")
        await pilot.pause()
        assert isinstance(app.screen, ConflictsScreen)
        assert_shows(app, "conflict")
        await pilot.press("escape")
        await pilot.press("g")
        assert isinstance(app.screen, FormModal)
        screen_text(app)
        name = next(name for name in ("first_owner", "department", "assignee") if name in marked_fields)
        assert app.screen.query_one(f"#m-{name}", Input).value == marked(name).replace("\x1b", " ").replace("\x07", " ")
        await pilot.press("escape")
        await pilot.press("escape")

        await pilot.press("f3")
        await app.workers.wait_for_complete()
        await pilot.pause()
        options = app.screen.query_one(OptionList)
        ours = [n for n in range(options.option_count) if (options.get_option_at_index(n).id or "").endswith(issue_id)]
        assert ours
        options.highlighted = ours[0]
        await pilot.pause()
        assert_shows(app, "title", "site")

        await pilot.press("f4")
        app.screen.query_one("#stats-from", Input).value = "2000-01-01"
        app.screen.query_one("#stats-to", Input).value = "2030-12-31"
        await pilot.press("ctrl+r")
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert_shows(app, "site", marks=False)
        assert "[link=x]y[/link]" in screen_text(app)

        await pilot.press("f5")
        await pilot.pause()
        assert_shows(app, "sender", marks=False)
        assert "[bold red]stick" in screen_text(app)
        app.screen.query_one("#picker-path", Input).value = str(stick)
        app.screen.query_one("#picker-path", Input).focus()
        await pilot.press("enter")
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert "[bold red]stick[link=x]y" in screen_text(app)  # the import's report names the stick

        await pilot.press("f6")
        await pilot.pause()
        assert_shows(app, "device", "organisation")
        await pilot.press("r")
        await pilot.pause()
        assert isinstance(app.screen, ConfirmScreen)
        assert_shows(app, "device")
        await pilot.press("n")
    assert app._exception is None
