"""Back to the site (回访): the matters raised at a visit's site on earlier visits that are still
open or answered since, as the office's last export brought them back, and the feedback the
leader gives there face to face.

Opened from a visit (Ctrl+R) it shows the earlier visits' matters and records feedback on that
visit; opened from the visits list (r) it shows every visit's matters at the selected visit's
site, feedback going on the selected visit. Which matters appear and what is still owed is
`fieldvisit.office.followups`; the words are `fieldvisit.reports.followups`, shared with the
printed list (Ctrl+O).
"""

from __future__ import annotations

from rich.table import Table
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.screen import Screen
from textual.widgets import DataTable, Header, Static

from fieldvisit.core import clock
from fieldvisit.core.errors import FieldVisitError
from fieldvisit.core.i18n import label, t
from fieldvisit.core.model import SATISFACTION_LEVELS
from fieldvisit.core.records import get_value, values
from fieldvisit.office.followups import FOLLOW_UP_DEVICES, FollowUpMatter, followup_entry, record_followup, site_matters
from fieldvisit.reports.followups import matter_heading, matter_pairs, promise_text
from fieldvisit.screens.widgets.fitting_footer import FittingFooter
from fieldvisit.screens.faults import tell_not_saved
from fieldvisit.screens.form_modal import FormField, FormModal
from fieldvisit.screens.literal import literal, literal_line
from fieldvisit.stores.store import ISSUES, VISITS
from fieldvisit.sync.rights import origin_device

COLUMNS = {"ref": None, "title": 22, "status": None, "promise": None, "followed": None}


class FollowUpScreen(Screen):
    CSS_PATH = "followups.tcss"
    BINDINGS = [
        Binding("f", "record", t("followup.record")),
        Binding("ctrl+o", "print_list", t("followup.print")),
        Binding("escape", "back", t("action.back")),
    ]

    def __init__(self, visit_id: str, on_visit: bool = True):
        """`on_visit`: opened from that visit (only earlier visits' matters), else from the list."""
        super().__init__()
        self.visit_id = visit_id
        self.on_visit = on_visit
        self.items: dict[str, FollowUpMatter] = {}

    @property
    def visit(self) -> dict:
        return values(self.app.store.get(VISITS, self.visit_id))

    def compose(self) -> ComposeResult:
        yield Header()
        yield Static(id="fu-heading")
        yield DataTable(id="fu-matters", cursor_type="row", zebra_stripes=True)
        yield Static(t("followup.empty"), id="fu-empty")
        with VerticalScroll(id="fu-detail"):
            yield Static(id="fu-title")
            yield Static(id="fu-pairs")
        yield FittingFooter()

    def on_mount(self) -> None:
        self.title = t("followup.title", site=self.visit.get("site") or "")
        table = self.query_one("#fu-matters", DataTable)
        for key, width in COLUMNS.items():
            table.add_column(t(f"followup.col_{key}"), key=key, width=width)
        self.refresh_matters()
        table.focus()

    def refresh_matters(self, select: str | None = None) -> None:
        site = self.visit.get("site") or ""
        found = site_matters(self.app.store, site, self.visit_id if self.on_visit else None, clock.today())
        self.items = {item.issue["id"]: item for item in found}
        table = self.query_one("#fu-matters", DataTable)
        current = select or self._selected_id()
        table.clear()
        for item in found:
            table.add_row(*(literal_line(cell) for cell in _cells(item, self.visit_id)), key=item.issue["id"])
        self.query_one("#fu-heading", Static).update(literal(t("followup.heading", site=site, count=len(found))))
        self.query_one("#fu-empty").display = not found
        self.query_one("#fu-detail").display = bool(found)
        self.refresh_bindings()  # `f` only when there is a matter to record feedback on
        if current in self.items:
            table.move_cursor(row=table.get_row_index(current))
        self._show(self._selected_id())

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        """No `f` (footer and palette) while no matter is listed."""
        if action == "record":
            return bool(self.items)
        return True

    def _selected_id(self) -> str | None:
        table = self.query_one("#fu-matters", DataTable)
        if table.row_count == 0:
            return None
        return table.coordinate_to_cell_key(table.cursor_coordinate).row_key.value

    @on(DataTable.RowHighlighted, "#fu-matters")
    def _highlighted(self, event: DataTable.RowHighlighted) -> None:
        self._show(event.row_key.value if event.row_key else None)

    @on(DataTable.RowSelected, "#fu-matters")
    def _chosen(self, event: DataTable.RowSelected) -> None:
        self.action_record()

    def _show(self, issue_id: str | None) -> None:
        item = self.items.get(issue_id or "")
        if item is None:
            self.query_one("#fu-title", Static).update("")
            self.query_one("#fu-pairs", Static).update("")
            return
        self.query_one("#fu-title", Static).update(literal(matter_heading(item), "bold"))
        grid = Table.grid(padding=(0, 2))
        grid.add_column(justify="right", no_wrap=True)
        grid.add_column(ratio=1, overflow="fold")
        for name, text in matter_pairs(item):  # values wrap in their own column, under each other
            grid.add_row(literal(name, "bold"), literal(text))
        self.query_one("#fu-pairs", Static).update(grid)

    # -- actions --------------------------------------------------------------------------

    def action_record(self, typed: dict | None = None) -> None:
        """Feedback given face to face on the highlighted matter, and the petitioner's satisfaction."""
        issue_id = self._selected_id()
        if issue_id is None:
            return
        record = self.app.store.get(ISSUES, issue_id)
        device = self.app.editor.device_id
        if origin_device(record) != device and device not in (get_value(record, FOLLOW_UP_DEVICES) or []):
            self.notify(t("followup.not_for_this_laptop", ref=get_value(record, "ref") or issue_id), severity="warning", timeout=12)
            return
        typed = typed or {}
        choices = ((t("followup.not_rated"), ""), *((label("satisfaction", code), code) for code in SATISFACTION_LEVELS))
        fields = [
            FormField("content", t("followup.content"), value=typed.get("content", "")),
            FormField("satisfaction", t("followup.satisfaction"), choices, value=typed.get("satisfaction", "")),
            FormField("reason", t("followup.reason"), value=typed.get("reason", "")),
        ]
        ref = get_value(record, "ref") or issue_id
        self.app.push_screen(FormModal(t("followup.form_title", ref=ref), fields), lambda found: self._save(issue_id, ref, found))

    def _save(self, issue_id: str, ref: str, found: dict | None) -> None:
        if found is None:
            return
        try:
            entry = followup_entry(found["content"], found["satisfaction"] or "", found["reason"], by=self._teller(), visit_id=self.visit_id)
            record_followup(self.app.editor, issue_id, entry)
        except (FieldVisitError, OSError) as error:  # the form comes back as it was typed
            tell_not_saved(self, error)
            self.call_after_refresh(self.action_record, found)
            return
        self.notify(t("followup.saved", ref=ref))
        self.refresh_matters(select=issue_id)

    def _teller(self) -> str:
        """Who told the petitioner: the visit's first leader, else its recorder, else the laptop's user."""
        visit = self.visit
        leaders = visit.get("leaders") or []
        return (leaders[0].get("name") if leaders else "") or visit.get("recorder") or self.app.editor.actor

    def action_print_list(self) -> None:
        # imported when first needed: the app starts without it
        from fieldvisit.screens.print_key import print_follow_ups

        print_follow_ups(self, self.visit_id, self.on_visit)

    def action_back(self) -> None:
        self.app.pop_screen()


def _cells(item: FollowUpMatter, visit_id: str) -> tuple[str, ...]:
    issue = item.issue
    told = [entry for entry in item.followups if entry.get("visit_id") == visit_id]
    followed = (label("satisfaction", told[-1].get("satisfaction")) or "✓") if told else ""
    promise = promise_text(item) if item.promise.state != "none" else ""
    return (issue.get("ref") or "", issue.get("title") or "", label("status", issue.get("status") or "recorded"), promise, followed)
