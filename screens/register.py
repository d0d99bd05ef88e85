"""The office register: every matter from every visit in one table, filtered, searched and sorted.

Rows come from the app's `RegisterIndex`: a keystroke in the search box only scans small rows,
and the table draws only the rows on screen from the index's `Ordering` of the matching ones,
so every one of 100,000 matters can be paged to while a keystroke stays quick. The line under
the table says where the cursor is among how many. Any column sorts, from the keyboard, the
command palette (`register_commands`) or a click on its header.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import replace
from operator import attrgetter

from fieldvisit.screens.widgets.fitting_footer import FittingFooter
from fieldvisit.screens.register_commands import SortCommands
from fieldvisit.screens.widgets.register_table import Column, RegisterTable
from rich.cells import cell_len
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal
from textual.message import Message
from textual.screen import Screen
from textual.timer import Timer
from textual.widgets import Header, Input, Select, Static

from fieldvisit.core.i18n import label, t
from fieldvisit.core.model import DEFAULT_CATEGORIES, STATUSES
from fieldvisit.office.register import (
    SAVED_FILTERS,
    Ordering,
    RegisterFilter,
    RegisterRow,
    due_label,
)

COLUMNS = ("ref", "due", "status", "title", "petitioner", "owner", "category", "site", "date", "flags")
"""The register's columns, left to right: the names come before what may be cut or scrolled to."""
CUT_TO = {"category": 8, "site": 8}
"""Columns cut (ending in "…") down to this many cells when the terminal is narrow; the title
takes what is left. Names (petitioner, owner) and the short columns are never cut for room."""
NAME_MOST = {"petitioner": 24, "owner": 24}
"""The widest the name columns are made: twelve Han characters, more than any person's or
department's name; a longer text (damaged or hostile data) is cut rather than crowding the rest."""


COUNT_AFTER = 0.3
"""Seconds without a new filter before a count the back-end makes in a thread (a database's) starts."""

MEASURED_AT_ONCE = 20_000
"""Up to this many matters the columns are measured over every row before the first paint (a few
milliseconds); a larger register measures them once its first rows are shown."""


class RegisterScreen(Screen):
    CSS_PATH = "register.tcss"
    AUTO_FOCUS = "#register"
    """The table has the focus from the start (not the search box first, then the table: the
    footer's keys would be composed for each)."""
    COMMANDS = {SortCommands}
    BINDINGS = [
        Binding("ctrl+f", "search", t("action.search")),
        Binding("o", "open", t("action.open_visit")),
        Binding("s", "sort_column(1)", t("register_view.sort_next"), tooltip=t("register_view.sort_keys")),
        Binding("S", "sort_column(-1)", t("register_view.sort_previous"), show=False),
        Binding("r", "sort_reverse", t("register_view.sort_reverse"), show=False),
        Binding("ctrl+s", "export", t("export.screen.key")),
        Binding("ctrl+l", "clear_filters", t("action.clear_filters"), show=False),
        # the app's keys the footer need not show here, so that the most-used (the other modes
        # among them) fit in 80 columns: the register is the mode F2 switches to, and the palette
        # has the theme and quitting (as it has both ways of sorting)
        Binding("f2", "app.switch_mode('register')", t("mode.register"), show=False),
        Binding("ctrl+t", "app.toggle_theme", t("action.toggle_theme"), show=False),
        Binding("ctrl+q", "app.quit", t("action.quit"), show=False, priority=True),
    ]

    class Shown(Message):
        """The register's first rows are on screen: slower work may start (reading the store)."""

    def __init__(self) -> None:
        super().__init__()
        self.sort_key = "due"
        self.sort_reverse = False
        self.saved = "all"
        self._shown_for: tuple | None = None
        self._unwatch = lambda: None
        self._measured = False
        self._rows_behind = False
        self._ordering: Ordering | None = None
        self._count_timer: Timer | None = None

    def compose(self) -> ComposeResult:
        yield Header()
        with Horizontal(id="register-filters"):
            yield Input(placeholder=t("register.search"), id="register-search", compact=True)
            yield Select([(t(f"register.saved.{name}"), name) for name in SAVED_FILTERS], value="all", allow_blank=False, id="register-saved", compact=True)
            yield Select([(label("status", code), code) for code in STATUSES], prompt=t("register.any_status"), id="register-status", compact=True)
            yield Select([(label("category", code), code) for code in DEFAULT_CATEGORIES], prompt=t("register.any_category"), id="register-category", compact=True)
        yield RegisterTable(_columns(), id="register")
        yield Static(id="register-count")
        yield FittingFooter(compact=True)

    def on_mount(self) -> None:
        self.title = t("app.office_title")
        self._unwatch = self.app.register_index.watch(self._rows_changed)
        self.refresh_rows()
        self.call_after_refresh(self.post_message, self.Shown())

    def on_unmount(self) -> None:
        self._unwatch()

    def on_register_screen_shown(self) -> None:
        """Once the first rows are on screen (columns as wide as the texts drawn), a large
        register measures the widest texts of every row, so that paging on does not widen them
        (each row drawn still would)."""
        self.call_after_refresh(self._measure_columns)

    def _measure_columns(self) -> None:
        rows = self.app.register_index.held_rows()
        if not self._measured and rows is not None:  # a database register holds none: the columns widen as rows are drawn
            self._measured = True
            self.query_one("#register", RegisterTable).widen(widest_texts(rows))

    def on_screen_resume(self) -> None:
        self.refresh_rows()

    def _rows_changed(self) -> None:
        """The index took in a write (another officer's, an import): show the rows again once the
        write's other messages are handled, if the register is in front (else on resume)."""
        if self.is_current and not self._rows_behind:
            self._rows_behind = True
            self.call_later(self._catch_up)

    def _catch_up(self) -> None:
        self._rows_behind = False
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
        selects' first Changed events all ask at once). When only the rows changed (a write, by
        this officer or another), the cursor stays on its matter if it still matches, on the same
        line of the screen; a new filter or order starts again at the first row."""
        index = self.app.register_index
        chosen = self.current_filter()
        signature = (chosen, self.sort_key, self.sort_reverse, index.version)
        if signature == self._shown_for:
            return
        same_rows = self._shown_for is not None and self._shown_for[:3] == signature[:3]
        self._shown_for = signature
        table = self.query_one("#register", RegisterTable)
        held = index.held_rows()
        if held is not None and len(held) <= MEASURED_AT_ONCE:
            self._measure_columns()
        ordering = index.ordered(chosen, self.sort_key, self.sort_reverse)
        table.show_sort(self.sort_key, self.sort_reverse)
        kept, line = table.cursor_key if same_rows else None, None
        cursor = 0
        if kept is not None:
            line = table.cursor_row - int(table.scroll_offset.y)
            found = ordering.position(kept)
            cursor = found if found is not None else table.cursor_row
        self._ordering = ordering
        table.show(_Rows(ordering), cursor, line)
        self._say_where(table.cursor_row, len(ordering))
        if not ordering.counted or index.total_stale():
            self._count_soon(ordering)

    def _count_soon(self, ordering: Ordering) -> None:
        """Count once the officer pauses (`COUNT_AFTER`): a count typed over is never started,
        so it does not compete with the next keystroke's rows."""
        if self._count_timer is not None:
            self._count_timer.stop()
            self._count_timer = None

        def start() -> None:
            self._count_timer = None
            self.run_worker(lambda: self._count(ordering), thread=True, exclusive=True, group="register-count", exit_on_error=False)

        if COUNT_AFTER:
            self._count_timer = self.set_timer(COUNT_AFTER, start)
        else:
            start()

    def _count(self, ordering: Ordering) -> None:
        """In a thread: how many match, and how many there are in all, as the back-end counts
        them (a database: exactly up to a limit); then the table and the line under it say so."""
        ordering.count_now()
        self.app.register_index.count_total()
        self.app.call_from_thread(self._counted, ordering)

    def _counted(self, ordering: Ordering) -> None:
        if ordering is not self._ordering or not self.is_attached:
            return  # another filter, order or write since: its own count follows
        table = self.query_one("#register", RegisterTable)
        if table.row_count != len(ordering):
            table.show(_Rows(ordering), table.cursor_row, table.cursor_row - int(table.scroll_offset.y))
        self._say_where(table.cursor_row, len(ordering))

    @on(RegisterTable.CursorMoved, "#register")
    def _cursor_moved(self, event: RegisterTable.CursorMoved) -> None:
        self._say_where(event.table.cursor_row, event.table.row_count)  # as it is now: rows may have changed since

    def _say_where(self, row: int, count: int) -> None:
        """"Row 1,234 of 61,000 matching (100,000 in all)" under the table; a number not (yet)
        counted says so: "about 61,000", "10,000+"."""
        total, total_exact = self.app.register_index.total()
        ordering = self._ordering
        if not total_exact or (ordering is not None and not ordering.exact):
            exact = ordering is None or ordering.exact
            matching = _number(count, exact, ordering is not None and ordering.at_least)
            key = "register_db.position" if count else "register_db.none"
            text = t(key, row=row + 1, matching=matching, total=_number(total, total_exact))
        elif count:
            text = t("register_view.position", row=row + 1, matching=count, total=total)
        else:
            text = t("register_view.none", total=total)
        self.query_one("#register-count", Static).update(text)

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
        self.sort_by(key, not self.sort_reverse if key == self.sort_key else False)

    def sort_by(self, key: str, reverse: bool = False) -> None:
        """Order the rows by the column `key`, ascending (▲) or, `reverse`, descending (▼)."""
        self.sort_key, self.sort_reverse = key, reverse
        self.refresh_rows()

    def action_sort_column(self, step: int) -> None:
        """Sort by the next column to the right (`step` 1) or left (-1), ascending."""
        self.sort_by(COLUMNS[(COLUMNS.index(self.sort_key) + step) % len(COLUMNS)])

    def action_sort_reverse(self) -> None:
        self.sort_by(self.sort_key, not self.sort_reverse)

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
        """Write the matters of the current filter, in the current order, to a spreadsheet. The
        choice is asked at once, with the number the line under the table shows; the rows are
        read in the thread that writes them (a database register reads them page by page)."""
        # imported when first needed: the app starts without it
        from fieldvisit.screens.export import ExportScreen

        ordering = self.app.register_index.ordered(self.current_filter(), self.sort_key, self.sort_reverse)
        shown = _number(len(ordering), ordering.exact, ordering.at_least)
        self.app.push_screen(ExportScreen(shown), lambda chosen: self._export(ordering, shown, chosen))

    def _export(self, ordering: Ordering, shown: str, chosen: tuple[str, bool] | None) -> None:
        if chosen is not None:
            # imported when first needed: the app starts without it
            from fieldvisit.screens.register_export import write_in_background

            write_in_background(self, ordering, shown, *chosen)

    def action_search(self) -> None:
        self.query_one("#register-search", Input).focus()

    def action_clear_filters(self) -> None:
        self.query_one("#register-search", Input).value = ""
        self.query_one("#register-status", Select).clear()
        self.query_one("#register-category", Select).clear()
        self.query_one("#register-saved", Select).value = "all"
        self.saved = "all"
        self.refresh_rows()


class _Rows:
    """The table's rows: the index's ordering of the matching rows, cells made only for the rows
    the table draws."""

    def __init__(self, ordering: Ordering) -> None:
        self.ordering = ordering

    def __len__(self) -> int:
        return len(self.ordering)

    def window(self, start: int, stop: int) -> list[tuple[str, tuple[str, ...]]]:
        return [(row.id, _cells(row)) for row in self.ordering.window(start, stop)]


def _columns() -> list[Column]:
    """The columns, as wide as their headers until rows are drawn in them (`RegisterTable.widen`)."""
    return [Column(key, t(f"register.col.{key}"), 0, CUT_TO.get(key), flex=key == "title", most=NAME_MOST.get(key)) for key in COLUMNS]


def _number(count: int, exact: bool, at_least: bool = False) -> str:
    """A count as the position line shows it: "61,000", "about 61,000" (the database's
    estimate, not yet counted), "10,000+" (counted up to a limit)."""
    if at_least:
        return t("register_db.at_least", count=count)
    return t("register_db.exact" if exact else "register_db.about", count=count)


def widest_texts(rows: Collection[RegisterRow]) -> dict[str, int]:
    """The widest text of each column over every row of the register (the title excepted: it
    takes the room left), so widths do not change as the officer types or pages. Measured on
    the distinct values (few, but for the references), gathered with C-level maps: this runs
    on opening and after each write, over 100,000 rows (`RegisterIndex.held_rows`)."""

    def distinct(name: str) -> set:
        return set(map(attrgetter(name), rows))

    conflicts = max(map(attrgetter("conflicts"), rows), default=0) > 0
    flags = max(map(cell_len, ("".join(t(f"flag_short.{flag}") for flag in found) for found in distinct("flags"))), default=0)
    return {
        "ref": _widest(distinct("ref")),
        "due": _widest({due_label(days) for days in distinct("days_left")}),
        "status": _widest({label("status", code) for code in distinct("status")}),
        "petitioner": _widest(distinct("petitioner")),
        "owner": _widest(distinct("owner") | {row.department or "—" for row in rows if not row.owner}),
        "category": _widest({label("category", code) for code in distinct("category")}),
        "site": _widest(distinct("site")),
        "date": _widest(distinct("date")),
        "flags": flags + (cell_len("⚠") if conflicts else 0),
    }


def _widest(texts: set[str]) -> int:
    """The most cells any of `texts` takes: one per character when all are ASCII (references),
    else as Rich counts them."""
    if all(map(str.isascii, texts)):
        return max(map(len, texts), default=0)
    return max(map(cell_len, texts), default=0)


def _owner(row: RegisterRow) -> str:
    return row.owner or row.department or "—"


def _flags(row: RegisterRow) -> str:
    return "".join(t(f"flag_short.{flag}") for flag in row.flags) + ("⚠" if row.conflicts else "")


def _cells(row: RegisterRow) -> tuple[str, ...]:
    cells = {
        "ref": row.ref,
        "due": due_label(row.days_left),
        "status": label("status", row.status),
        "title": row.title,
        "petitioner": row.petitioner,
        "owner": _owner(row),
        "category": label("category", row.category),
        "site": row.site,
        "date": row.date,
        "flags": _flags(row),
    }
    return tuple(cells[key] for key in COLUMNS)
