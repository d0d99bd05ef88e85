"""The field app's first screen: every visit on this laptop, newest first."""

from __future__ import annotations

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.screen import Screen
from textual.widgets import DataTable, Header, Static

from fieldvisit.core.errors import FieldVisitError
from fieldvisit.core.i18n import label, t
from fieldvisit.screens.widgets.fitting_footer import FittingFooter
from fieldvisit.screens.literal import literal, literal_line
from fieldvisit.editing.views import VisitRow, visit_rows
from fieldvisit.screens.faults import tell_not_saved
from fieldvisit.screens.visit_form import VisitFormScreen


class VisitsScreen(Screen):
    CSS_PATH = "visits.tcss"
    BINDINGS = [
        Binding("n", "new_visit", t("action.new_visit")),
        Binding("o", "open_visit", t("action.open_visit")),
        Binding("e", "edit_visit", t("action.edit_visit")),
        Binding("c", "toggle_closed", t("action.close_reopen")),
        Binding("x", "handover", t("action.handover")),
        Binding("r", "follow_ups", t("followup.action")),
        Binding("k", "enroll", t("enroll.action")),
    ]

    def compose(self) -> ComposeResult:
        yield Header()
        yield Static(id="visits-summary")
        yield DataTable(id="visits", cursor_type="row", zebra_stripes=True)
        yield Static(t("visits.empty"), id="visits-empty")
        yield FittingFooter()

    def on_mount(self) -> None:
        self.title = t("app.field_title")
        table = self.query_one("#visits", DataTable)
        for key in ("date", "matters", "status", "site", "site_kind", "title"):
            table.add_column(t(f"visits.col.{key}"), key=key)
        self.refresh_rows()
        for ref in self.app.store.damaged_matters().values():  # the store opened without them
            self.notify(t("error.fault.damaged", ref=ref, path=self.app.store.location), severity="warning", timeout=20, markup=False)

    def on_screen_resume(self) -> None:
        self.refresh_rows()

    def refresh_rows(self, select: str | None = None) -> None:
        table = self.query_one("#visits", DataTable)
        current = select or self._selected_id()
        rows = visit_rows(self.app.store, self.app.editor.device_id)
        table.clear()
        for row in rows:
            table.add_row(*self._cells(row), key=row.id)
        open_count = sum(row.status == "open" for row in rows)
        matters = sum(row.matters for row in rows)
        self.query_one("#visits-summary", Static).update(
            literal(t("visits.summary", visits=len(rows), open=open_count, matters=matters, device=self.app.device_label))
        )
        self.query_one("#visits-empty").display = not rows
        if current and current in {row.id for row in rows}:
            table.move_cursor(row=table.get_row_index(current))
        table.focus()

    @staticmethod
    def _cells(row: VisitRow) -> tuple[Text, ...]:
        count = str(row.matters) + (f" (+{row.withdrawn})" if row.withdrawn else "")
        cells = (row.date, count, label("visit_status", row.status), row.site, label("site_kind", row.site_kind), row.title)
        return tuple(literal_line(cell) for cell in cells)

    def _selected_id(self) -> str | None:
        table = self.query_one("#visits", DataTable)
        if table.row_count == 0:
            return None
        return table.coordinate_to_cell_key(table.cursor_coordinate).row_key.value

    # -- actions --------------------------------------------------------------------------

    def _open(self, visit_id: str) -> None:
        """Import the visit screen when first needed: its form widgets cost start-up time."""
        # imported when first needed: the app starts without it
        from fieldvisit.screens.visit import VisitScreen

        self.app.push_screen(VisitScreen(visit_id))

    def action_new_visit(self) -> None:
        self.app.push_screen(VisitFormScreen(), self._create_visit)

    def _create_visit(self, values: dict | None) -> None:
        if values:
            try:
                visit = self.app.editor.create_visit(values)
            except (FieldVisitError, OSError) as error:  # the form comes back as it was typed
                tell_not_saved(self, error)
                self.app.push_screen(VisitFormScreen(typed=values), self._create_visit)
                return
            self.notify(t("visits.created", title=values["title"]))
            self.refresh_rows(select=visit["id"])
            self._open(visit["id"])

    def action_edit_visit(self) -> None:
        visit_id = self._selected_id()
        if visit_id:
            record = self.app.store.get("visits", visit_id)
            self.app.push_screen(VisitFormScreen(record), lambda values: self._update_visit(visit_id, values))

    def _update_visit(self, visit_id: str, values: dict | None) -> None:
        if values:
            try:
                self.app.editor.update_visit(visit_id, values)
            except (FieldVisitError, OSError) as error:
                tell_not_saved(self, error)
                record = self.app.store.get("visits", visit_id)
                self.app.push_screen(VisitFormScreen(record, typed=values), lambda again: self._update_visit(visit_id, again))
                return
            self.refresh_rows(select=visit_id)

    def action_open_visit(self) -> None:
        visit_id = self._selected_id()
        if visit_id:
            self._open(visit_id)

    @on(DataTable.RowSelected, "#visits")
    def _row_chosen(self, event: DataTable.RowSelected) -> None:
        self._open(event.row_key.value)

    def action_handover(self) -> None:
        visit_id = self._selected_id()
        if visit_id:
            from fieldvisit.screens.handover import HandoverScreen

            self.app.push_screen(HandoverScreen(visit_id))

    def action_follow_ups(self) -> None:
        """The matters to follow up at the selected visit's site, from every visit there."""
        visit_id = self._selected_id()
        if visit_id:
            # imported when first needed: the app starts without it
            from fieldvisit.screens.followups import FollowUpScreen

            self.app.push_screen(FollowUpScreen(visit_id, on_visit=False))

    def action_enroll(self) -> None:
        # imported when first needed: the app starts without it
        from fieldvisit.screens.enrollment import EnrollmentScreen

        self.app.push_screen(EnrollmentScreen())

    def action_toggle_closed(self) -> None:
        visit_id = self._selected_id()
        if not visit_id:
            return
        status = self.app.store.get("visits", visit_id)["fields"]["status"]["value"]
        new_status = "open" if status == "closed" else "closed"
        try:
            self.app.editor.set_visit_status(visit_id, new_status)
        except (FieldVisitError, OSError) as error:
            tell_not_saved(self, error, kept_in_form=False)
            return
        self.notify(t(f"visits.now_{new_status}"))
        self.refresh_rows(select=visit_id)
