"""One visit: its matters on the left, the quick-capture form on the right.

Below 100 columns the two share the screen in turns: the list shows until the recorder starts
a new matter (Ctrl+N), then the form takes the whole width until the matter is saved or Esc.
"""

from __future__ import annotations

from rich.cells import cell_len, set_cell_size
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.events import Resize
from textual.screen import Screen
from textual.widgets import DataTable, Header, Input, Static

from fieldvisit.core import model
from fieldvisit.core.clock import local_minute
from fieldvisit.core.errors import FieldVisitError, InputError
from fieldvisit.core.i18n import label, t
from fieldvisit.screens.widgets.fitting_footer import FittingFooter
from fieldvisit.screens.literal import literal, literal_line
from fieldvisit.core.records import values
from fieldvisit.editing import drafts
from fieldvisit.editing.views import visit_issues
from fieldvisit.screens.confirm import ConfirmScreen
from fieldvisit.screens.faults import tell_not_saved
from fieldvisit.screens.matter import MatterScreen
from fieldvisit.screens.widgets import capture_aids
from fieldvisit.screens.widgets.matter_form import MatterForm
from fieldvisit.screens.widgets.person_picker import PersonPicker

NARROW_WIDTH = 100
COLUMNS = ("ref", "title", "petitioner", "status", "category")
CATEGORY_WIDTH = 16
"""English category names run to 27 cells: longer ones are cut with an ellipsis."""
TITLE_WIDTH = (10, 40)
"""The title column takes the room the other columns leave, within these bounds, so the status
and category stay in view at 120 columns in English as in Chinese (the title is cut, not them)."""
URGENCY_MARKS = {"urgent": "！", "critical": "！！"}


class VisitScreen(Screen):
    CSS_PATH = "visit.tcss"
    BINDINGS = [
        Binding("ctrl+s", "save_matter", t("action.save_matter")),
        Binding("ctrl+n", "new_matter", t("action.new_matter")),
        Binding("ctrl+f", "search", t("action.search")),
        Binding("ctrl+g", "handover", t("action.handover")),
        Binding("ctrl+o", "print_summary", t("action.print_summary")),
        Binding("ctrl+r", "follow_ups", t("followup.action")),
        Binding("escape", "back", t("action.back")),
    ]

    def __init__(self, visit_id: str):
        super().__init__()
        self.visit_id = visit_id
        self._draft_timer = None
        self._draft_failing = False

    @property
    def visit(self) -> dict:
        return values(self.app.store.get("visits", self.visit_id))

    def compose(self) -> ComposeResult:
        visit = self.visit
        leaders = visit.get("leaders") or []
        defaults = {"first_owner": leaders[0]["name"] if leaders else "", "raised_on": visit.get("date") or ""}
        yield Header()
        yield Static(id="visit-heading")
        with Horizontal(id="visit-body"):
            with Vertical(id="matters-pane"):
                yield Input(placeholder=t("visit.search_placeholder"), id="matter-search", compact=True)
                yield DataTable(id="matters", cursor_type="row", zebra_stripes=True)
                yield Static(id="matters-count")
            yield MatterForm(defaults, id="capture")
        yield PersonPicker(capture_aids.roster_of(self.app)[0], id="person-picker")
        yield FittingFooter()

    def on_mount(self) -> None:
        self.title = t("app.field_title")
        self._title_width: int | None = None
        self.refresh_heading()
        self.refresh_matters()
        self._capture_aids()
        if self.visit.get("status") == "open" and not self.query_one("#matters", DataTable).row_count:
            self.action_new_matter()
        else:
            self.query_one("#matters", DataTable).focus()
            if self.visit.get("status") == "open" and self._draft():
                self._offer_draft()

    def on_screen_resume(self) -> None:
        self.refresh_heading()
        self.refresh_matters()

    def on_resize(self, event: Resize) -> None:
        self.query_one("#visit-body").set_class(event.size.width < NARROW_WIDTH, "-narrow")
        self.call_after_refresh(self.refresh_matters)  # the list's width changed: fit its title

    def refresh_heading(self) -> None:
        visit = self.visit
        closed = visit.get("status") == "closed"
        self.query_one("#visit-body").set_class(closed, "-closed")
        parts = [visit.get("date") or "", visit.get("site", ""), visit.get("title", ""), model.leaders_text(visit.get("leaders"))]
        if closed:
            parts.append(t("visit.closed_hint"))
        self.query_one("#visit-heading", Static).update(literal(" · ".join(part for part in parts if part)))

    def refresh_matters(self, select: str | None = None) -> None:
        search = self.query_one("#matter-search", Input).value
        issues = visit_issues(self.app.store, self.visit_id, search)
        table = self.query_one("#matters", DataTable)
        damaged = self.app.store.damaged_matters()
        rows = [(issue["id"], _cells(issue, issue["id"] in damaged)) for issue in issues]
        rows = [(issue_id, (*cells[:-1], _cut(cells[-1], CATEGORY_WIDTH))) for issue_id, cells in rows]
        self._fit_columns(table, [cells for _, cells in rows])
        table.clear()
        for issue_id, cells in rows:
            table.add_row(*(literal_line(cell) for cell in cells), key=issue_id)
        if select and table.row_count:
            table.move_cursor(row=table.get_row_index(select))
        total = len(visit_issues(self.app.store, self.visit_id)) if search else len(issues)
        count = t("visit.count", shown=len(issues), total=total)
        if issues:  # the list shows each matter's number; its reference begins with this
            count += f" · {issues[0].get('ref', '').rpartition('-')[0]}-…"
        self.query_one("#matters-count", Static).update(literal(count))

    def _fit_columns(self, table: DataTable, rows: list[tuple[str, ...]]) -> None:
        """(Re)make the columns when the title's share of the list's width changes."""
        headers = [t(f"matters.col.{key}") for key in COLUMNS]
        widths = [max([cell_len(header), *(cell_len(row[n]) for row in rows)]) for n, header in enumerate(headers)]
        room = (table.size.width or self.query_one("#matters-pane").size.width or 60) - 2 * len(COLUMNS) - 3  # padding, scroll bar
        title = min(widths[1], max(TITLE_WIDTH[0], min(TITLE_WIDTH[1], room - sum(widths) + widths[1])))
        if title == self._title_width:
            return
        self._title_width = title
        table.clear(columns=True)
        for key, header, width in zip(COLUMNS, headers, widths):
            table.add_column(header, key=key, width=title if key == "title" else width)

    # -- capture --------------------------------------------------------------------------

    def _capture_aids(self) -> None:
        """Completions from history, the roster's pick list, promised dates (`capture_aids`)."""
        form = self.query_one(MatterForm)
        capture_aids.suggest(form, capture_aids.history_of(self.app))
        capture_aids.watch_roster(form, self.query_one(PersonPicker))
        problem = capture_aids.roster_of(self.app)[1]
        if problem:
            self.notify(t("roster.not_loaded", reason=problem), severity="warning", timeout=10)

    @on(PersonPicker.Picked)
    def _picked(self, event: PersonPicker.Picked) -> None:
        capture_aids.fill_person(self.query_one(MatterForm), event.picker, event.person, event.chosen, event.field)

    @on(Input.Changed, "#f-commitment")
    def _commitment(self, event: Input.Changed) -> None:
        capture_aids.fill_promised_date(self.query_one(MatterForm), event.value, self.visit.get("date"))

    def action_new_matter(self) -> None:
        """A new matter; one being typed is kept as it is, and one kept as a draft (a crash,
        Esc) is offered back."""
        if self.visit.get("status") == "closed":
            self.notify(t("visit.closed_hint"), severity="warning")
            return
        self.query_one("#visit-body").add_class("-capturing")
        form = self.query_one(MatterForm)
        if self._typed():
            form.focus_first()
            return
        form.reset()
        if self._draft():
            self._offer_draft()

    # -- the draft of the matter being typed (fieldvisit.editing.drafts) ----------------------

    def _typed(self) -> bool:
        form = self.query_one(MatterForm)
        return drafts.typed(form.read(), form.defaults)

    def before_quit(self) -> tuple[str, str, str] | None:
        """Ctrl+Q with a matter being typed: it is kept as a draft now, and the question says
        whether that worked (`BaseApp.action_quit`)."""
        if not self._typed():
            return None
        self.keep_draft()
        body = t("quit_guard.draft_failed_body") if self._draft_failing else t("quit_guard.draft_body")
        return (t("quit_guard.title"), body, t("quit_guard.quit"))

    def _draft(self) -> dict | None:
        return drafts.load(self.app.store, drafts.capture_key(self.visit_id))

    def _offer_draft(self) -> None:
        found = self._draft() or {}
        when = local_minute(drafts.kept_at(self.app.store, drafts.capture_key(self.visit_id)))
        what = found.get("title") or found.get("demand") or found.get("petitioner_name") or ""
        body = t("draft.restore_body", at=when, what=what)

        def answered(restore: bool | None) -> None:
            if restore:
                form = self.query_one(MatterForm)
                self.query_one("#visit-body").add_class("-capturing")
                form.load({**form.defaults, **found})
                form.focus_first()
            # declined: the draft stays until a new matter is typed over it or saved

        self.app.push_screen(ConfirmScreen(t("draft.restore_title"), body, t("draft.restore")), answered)

    @on(MatterForm.Edited, "#capture")
    def _edited(self) -> None:
        if self._draft_timer is not None:
            self._draft_timer.stop()
        self._draft_timer = self.set_timer(drafts.DELAY_SECONDS, self.keep_draft)

    def keep_draft(self) -> None:
        """Write the form as the visit's draft now. An untouched form writes nothing: it does not
        replace a draft not yet taken back."""
        if self._draft_timer is not None:
            self._draft_timer.stop()
            self._draft_timer = None
        form = self.query_one(MatterForm)
        key = drafts.capture_key(self.visit_id)
        try:
            if drafts.typed(form.read(), form.defaults):
                drafts.keep(self.app.store, key, form.read())
        except (FieldVisitError, OSError) as error:
            if not self._draft_failing:  # said once, not at every key
                tell_not_saved(self, error)
            self._draft_failing = True
            return
        self._draft_failing = False

    def on_screen_suspend(self) -> None:
        if self._draft_timer is not None:  # typed less than a moment ago, and a modal comes up
            self.keep_draft()

    def action_save_matter(self) -> None:
        form = self.query_one(MatterForm)
        if form.display:
            form.submit()

    @on(MatterForm.Submitted, "#capture")
    def _save(self, event: MatterForm.Submitted) -> None:
        try:
            issue = self.app.editor.record_issue(self.visit_id, event.values)
        except InputError as error:
            event.form.show_error(error.field, str(error))
            return
        except (FieldVisitError, OSError) as error:  # disk full, a damaged store: the form keeps it all
            tell_not_saved(self, error)
            return
        ref = issue["fields"]["ref"]["value"]
        self.notify(t("visit.saved", ref=ref), title=t("visit.saved_title"), timeout=8)
        self.refresh_matters(select=issue["id"])
        if self._draft_timer is not None:
            self._draft_timer.stop()
            self._draft_timer = None
        try:
            drafts.discard(self.app.store, drafts.capture_key(self.visit_id))
        except (FieldVisitError, OSError):
            pass  # the matter is saved; a draft left over is offered back and can be declined
        event.form.reset()

    # -- list -----------------------------------------------------------------------------

    def action_search(self) -> None:
        self.query_one("#visit-body").remove_class("-capturing")
        self.query_one("#matter-search", Input).focus()

    @on(Input.Changed, "#matter-search")
    def _filter(self) -> None:
        self.refresh_matters()

    @on(Input.Submitted, "#matter-search")
    def _to_list(self) -> None:
        self.query_one("#matters", DataTable).focus()

    @on(DataTable.RowSelected, "#matters")
    def _open(self, event: DataTable.RowSelected) -> None:
        self.app.push_screen(MatterScreen(event.row_key.value))

    def action_print_summary(self) -> None:
        # imported when first needed: the app starts without it
        from fieldvisit.screens.print_key import print_summary

        print_summary(self, self.visit_id)

    def action_follow_ups(self) -> None:
        # imported when first needed: the app starts without it
        from fieldvisit.screens.followups import FollowUpScreen

        self.app.push_screen(FollowUpScreen(self.visit_id))

    def action_handover(self) -> None:
        # imported when first needed: the app starts without it
        from fieldvisit.screens.handover import HandoverScreen

        self.app.push_screen(HandoverScreen(self.visit_id))

    def action_back(self) -> None:
        """Leave the form (or the visit); with a matter being typed, ask first: what was typed
        is kept as a draft and offered back by Ctrl+N or when the visit is opened again."""
        body = self.query_one("#visit-body")
        in_form = body.has_class("-capturing") or self.query_one(MatterForm).has_focus_within

        def leave(confirmed: bool | None = True) -> None:
            if not confirmed:
                return
            if self._typed():
                self.keep_draft()
                if self._draft_failing:
                    return  # not kept: the form keeps it, and the toast said why
                self.query_one(MatterForm).load(self.query_one(MatterForm).defaults)
            if in_form:
                body.remove_class("-capturing")
                self.query_one("#matters", DataTable).focus()
            else:
                self.app.pop_screen()

        if self._typed():
            self.app.push_screen(ConfirmScreen(t("draft.leave_title"), t("draft.leave_body"), t("draft.leave")), leave)
        else:
            leave()


def _cut(text: str, width: int) -> str:
    """`text` in at most `width` terminal cells, an ellipsis marking a cut."""
    if cell_len(text) <= width:
        return text
    return set_cell_size(text, width - 1).rstrip() + "…"


def _cells(issue: dict, unreadable: bool = False) -> tuple[str, ...]:
    """`unreadable`: a matter whose sealed values do not open (`Store.damaged_matters`)."""
    who = t("matter.anonymous") if issue.get("anonymous") else issue.get("petitioner_name") or "—"
    if unreadable:
        who = t("error.fault.unreadable")
    people = issue.get("people") or 1
    if people > 1:
        who += f" ×{people}"
    title = URGENCY_MARKS.get(issue.get("urgency"), "") + issue.get("title", "")
    number = issue.get("ref", "").rpartition("-")[2]  # the reference's visit part is under the list
    return (number, title, who, label("status", issue.get("status")), label("category", issue.get("category")))
