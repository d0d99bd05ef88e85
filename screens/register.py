"""The office register: every matter from every visit in one table, filtered, searched and sorted.

Rows come from the app's `RegisterIndex`, so a keystroke in the search box only scans small rows;
at most `SHOWN` rows are put in the table (the count says how many match), sorted by a column.
"""

from __future__ import annotations

from dataclasses import replace

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal
from textual.message import Message
from textual.screen import Screen
from textual.widgets import Footer, Header, Input, Select, Static

from fieldvisit.core.i18n import label, t
from fieldvisit.core.model import DEFAULT_CATEGORIES, STATUSES
from fieldvisit.office.register import SAVED_FILTERS, RegisterFilter, RegisterRow, due_label
from fieldvisit.screens.widgets.register_table import Column, RegisterTable

SHOWN = 50
"""Rows put in the table: a page, not the lot (the count says how many match)."""
COLUMNS = ("ref", "due", "status", "title", "petitioner", "category", "owner", "site", "date", "flags")


class RegisterScreen(Screen):
    CSS_PATH = "register.tcss"
    BINDINGS = [
        Binding("ctrl+f", "search", t("action.search")),
        Binding("ctrl+l", "clear_filters", t("action.clear_filters")),
        Binding("o", "open", t("action.open_visit")),
        Binding("ctrl+s", "export", t("export.screen.key")),
    ]

    class Shown(Message):
        """The register's first rows are on screen: slower work may start (reading the store)."""

    def __init__(self) -> None:
        super().__init__()
        self.sort_key = "due"
        self.sort_reverse = False
        self.saved = "all"
        self._shown_for: tuple | None = None

    def compose(self) -> ComposeResult:
        yield Header()
        with Horizontal(id="register-filters"):
            yield Input(placeholder=t("register.search"), id="register-search", compact=True)
            yield Select([(t(f"register.saved.{name}"), name) for name in SAVED_FILTERS], value="all", allow_blank=False, id="register-saved", compact=True)
            yield Select([(label("status", code), code) for code in STATUSES], prompt=t("register.any_status"), id="register-status", compact=True)
            yield Select([(label("category", code), code) for code in DEFAULT_CATEGORIES], prompt=t("register.any_category"), id="register-category", compact=True)
        yield RegisterTable([Column(key, t(f"register.col.{key}"), 24 if key == "title" else None) for key in COLUMNS], id="register")
        yield Static(id="register-count")
        yield Footer()

    def on_mount(self) -> None:
        self.title = t("app.office_title")
        self.refresh_rows()
        self.query_one("#register", RegisterTable).focus()
        self.call_after_refresh(self.post_message, self.Shown())

    def on_screen_resume(self) -> None:
        self.refresh_rows()

    def current_filter(self) -> RegisterFilter:
        status = self.query_one("#register-status", Select).value
        category = self.query_one("#register-category", Select).value
        return replace(
            SAVED_FILTERS[self.saved],
            text=self.query_one("#register-search", Input).value,
            status=status if isinstance(status, str) else None,
            category=category if isinstance(category, str) else None,
        )

    def refresh_rows(self) -> None:
        """Re-select and redraw, unless nothing changed since the last time (mount, resume and the
        selects' first Changed events all ask at once)."""
        index = self.app.register_index
        chosen = self.current_filter()
        signature = (chosen, self.sort_key, self.sort_reverse, index.version)
        if signature == self._shown_for:
            return
        ordered, matching = index.page(chosen, self.sort_key, self.sort_reverse, SHOWN)
        self._shown_for = signature
        self.query_one("#register", RegisterTable).set_rows([(row.id, _cells(row)) for row in ordered])
        total = len(self.app.register_index.rows)
        key = "register.count_capped" if matching > SHOWN else "register.count"
        self.query_one("#register-count", Static).update(t(key, shown=min(matching, SHOWN), matching=matching, total=total))

    @on(Input.Changed, "#register-search")
    @on(Select.Changed)
    def _filter_changed(self, event) -> None:
        if isinstance(event, Select.Changed) and event.select.id == "register-saved":
            self.saved = str(event.value)
        self.refresh_rows()

    @on(Input.Submitted, "#register-search")
    def _to_table(self) -> None:
        self.query_one("#register", RegisterTable).focus()

    @on(RegisterTable.HeaderSelected, "#register")
    def _sort(self, event: RegisterTable.HeaderSelected) -> None:
        key = event.column_key
        self.sort_reverse = not self.sort_reverse if key == self.sort_key else False
        self.sort_key = key
        self.refresh_rows()

    @on(RegisterTable.RowSelected, "#register")
    def _open_row(self, event: RegisterTable.RowSelected) -> None:
        self._open(event.row_key)

    def action_open(self) -> None:
        key = self.query_one("#register", RegisterTable).cursor_key
        if key is not None:
            self._open(key)

    def _open(self, issue_id: str) -> None:
        # imported when first needed: the app starts without it
        from fieldvisit.screens.office_matter import OfficeMatterScreen

        self.app.push_screen(OfficeMatterScreen(issue_id))

    def action_export(self) -> None:
        """Write the matters of the current filter, in the current order, to a spreadsheet."""
        # imported when first needed: the app starts without it
        from fieldvisit.screens.export import ExportScreen
        from fieldvisit.screens.register_export import export_rows

        rows = export_rows(self.app.register_index, self.current_filter(), self.sort_key, self.sort_reverse)
        self.app.push_screen(ExportScreen(len(rows)), lambda chosen: self._export(rows, chosen))

    def _export(self, rows: list[RegisterRow], chosen: tuple[str, bool] | None) -> None:
        if chosen is not None:
            # imported when first needed: the app starts without it
            from fieldvisit.screens.register_export import write_in_background

            write_in_background(self, rows, *chosen)

    def action_search(self) -> None:
        self.query_one("#register-search", Input).focus()

    def action_clear_filters(self) -> None:
        self.query_one("#register-search", Input).value = ""
        self.query_one("#register-status", Select).clear()
        self.query_one("#register-category", Select).clear()
        self.query_one("#register-saved", Select).value = "all"
        self.saved = "all"
        self.refresh_rows()


def _cells(row: RegisterRow) -> tuple[str, ...]:
    due = due_label(row.days_left)
    flags = "".join(t(f"flag_short.{flag}") for flag in row.flags) + ("⚠" if row.conflicts else "")
    owner = row.owner or row.department or "—"
    return (row.ref, due, label("status", row.status), row.title, row.petitioner, label("category", row.category), owner, row.site, row.date, flags)
