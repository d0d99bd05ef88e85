"""The register's table: one page of rows, drawn line by line.

Textual's `DataTable` renders each cell through Rich whenever its rows change: about 60 ms for a
page of 50 rows × 10 columns, most of every keystroke in the register's search box on a modest
PC. The register replaces its whole page on each keystroke and its cells are plain text, so this
table draws them itself: each cell cut or padded to its column's width in terminal cells (a Han
character is two cells wide), one segment per cell, on the Line API like Textual's own log and
table widgets. It offers what the register uses: a row cursor moved with the keys or the mouse,
Enter (or a click on the cursor row) to open a row, and a click on a column header to sort.
"""

from __future__ import annotations

from dataclasses import dataclass

from rich.cells import cell_len, set_cell_size
from rich.segment import Segment
from rich.style import Style
from textual.binding import Binding
from textual.events import Click
from textual.geometry import Size
from textual.message import Message
from textual.reactive import reactive
from textual.scroll_view import ScrollView
from textual.strip import Strip

from fieldvisit.core.text import one_line

PADDING = 1
"""Blank cells on each side of a cell's text."""


@dataclass(frozen=True)
class Column:
    key: str
    label: str
    width: int | None = None  # fixed width in cells; None: as wide as its widest text


class RegisterTable(ScrollView, can_focus=True):
    """A header line and a page of rows of plain text, with a row cursor."""

    COMPONENT_CLASSES = {"register-table--header", "register-table--cursor", "register-table--even-row"}
    DEFAULT_CSS = """
    RegisterTable {
        background: $surface;
        color: $foreground;
        & > .register-table--header {
            text-style: bold;
            background: $panel;
            color: $foreground;
        }
        & > .register-table--even-row {
            background: $surface-lighten-1 50%;
        }
        & > .register-table--cursor {
            background: $block-cursor-blurred-background;
            color: $block-cursor-blurred-foreground;
        }
        &:focus {
            background-tint: $foreground 5%;
            & > .register-table--cursor {
                background: $block-cursor-background;
                color: $block-cursor-foreground;
                text-style: $block-cursor-text-style;
            }
        }
        &:dark > .register-table--even-row {
            background: $surface-darken-1 40%;
        }
    }
    """
    BINDINGS = [
        Binding("up", "cursor(-1)", show=False),
        Binding("down", "cursor(1)", show=False),
        Binding("pageup", "page(-1)", show=False),
        Binding("pagedown", "page(1)", show=False),
        Binding("home", "cursor(-1000000)", show=False),
        Binding("end", "cursor(1000000)", show=False),
        Binding("left", "scroll_left", show=False),
        Binding("right", "scroll_right", show=False),
        Binding("enter", "select", show=False),
    ]

    cursor_row: reactive[int] = reactive(0)

    class RowSelected(Message):
        """A row was opened (Enter, or a click on the cursor row)."""

        def __init__(self, table: "RegisterTable", row_key: str) -> None:
            super().__init__()
            self.table, self.row_key = table, row_key

        @property
        def control(self) -> "RegisterTable":
            return self.table

    class HeaderSelected(Message):
        """A column header was clicked: the register sorts by it."""

        def __init__(self, table: "RegisterTable", column_key: str) -> None:
            super().__init__()
            self.table, self.column_key = table, column_key

        @property
        def control(self) -> "RegisterTable":
            return self.table

    def __init__(self, columns: list[Column], *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.columns = columns
        self._keys: list[str] = []
        self._rows: list[tuple[str, ...]] = []
        self._widths = [cell_len(column.label) for column in columns]
        self._column_meta = [Style.from_meta({"column": number}) for number in range(len(columns))]

    # -- data -----------------------------------------------------------------------------

    @property
    def row_count(self) -> int:
        return len(self._rows)

    def get_row_at(self, index: int) -> tuple[str, ...]:
        return self._rows[index]

    def row_key_at(self, index: int) -> str:
        return self._keys[index]

    @property
    def cursor_key(self) -> str | None:
        return self._keys[self.cursor_row] if self._rows else None

    def set_rows(self, rows: list[tuple[str, tuple[str, ...]]]) -> None:
        """Show these (key, cells) rows instead of the ones shown, the cursor back on the first."""
        self._keys = [key for key, _ in rows]
        self._rows = [tuple(one_line(cell) for cell in cells) for _, cells in rows]  # an escape code or line break as a space
        self._widths = [
            column.width if column.width is not None else max([cell_len(column.label), *(cell_len(cells[number]) for cells in self._rows)])
            for number, column in enumerate(self.columns)
        ]
        self.virtual_size = Size(sum(width + 2 * PADDING for width in self._widths), len(self._rows) + 1)
        self.cursor_row = 0
        self.scroll_to(0, 0, animate=False)
        self.refresh()

    # -- drawing --------------------------------------------------------------------------

    def render_line(self, y: int) -> Strip:
        scroll_x, scroll_y = self.scroll_offset
        if y == 0:
            return self._line(self.columns_labels, self.get_component_rich_style("register-table--header"), scroll_x)
        index = y - 1 + scroll_y
        if index >= len(self._rows):
            return Strip.blank(self.size.width, self.rich_style)
        style = self.rich_style
        if index == self.cursor_row:
            style += self.get_component_rich_style("register-table--cursor")
        elif index % 2:
            style += self.get_component_rich_style("register-table--even-row")
        return self._line(self._rows[index], style, scroll_x)

    @property
    def columns_labels(self) -> tuple[str, ...]:
        return tuple(column.label for column in self.columns)

    def _line(self, cells: tuple[str, ...], style: Style, scroll_x: int) -> Strip:
        """One segment per cell, each styled with its column number: segments of one style would
        be joined, and a screenshot would then place the cells where a font's Han characters end
        (a little short of two cells) rather than at their columns."""
        pad = " " * PADDING
        segments = [
            Segment(f"{pad}{set_cell_size(cell, width)}{pad}", style + meta)
            for cell, width, meta in zip(cells, self._widths, self._column_meta)
        ]
        width = self.size.width
        return Strip(segments).crop(scroll_x, scroll_x + width).extend_cell_length(width, style)

    def watch_cursor_row(self, before: int, after: int) -> None:
        for row in (before, after):
            self.refresh_line(row + 1)  # a line of the whole table: ScrollView takes the scroll off
        self._keep_cursor_visible()

    @property
    def _rows_shown(self) -> int:
        """Row lines on screen: below the header, above a horizontal scrollbar if there is one."""
        return max(1, self.scrollable_content_region.height - 1)

    def _keep_cursor_visible(self) -> None:
        shown = self._rows_shown
        top = self.scroll_offset.y
        if self.cursor_row < top:
            self.scroll_to(y=self.cursor_row, animate=False)
        elif self.cursor_row >= top + shown:
            self.scroll_to(y=self.cursor_row - shown + 1, animate=False)

    # -- keys and mouse -------------------------------------------------------------------

    def action_cursor(self, step: int) -> None:
        if self._rows:
            self.cursor_row = min(max(self.cursor_row + step, 0), len(self._rows) - 1)

    def action_page(self, direction: int) -> None:
        self.action_cursor(direction * self._rows_shown)

    def action_select(self) -> None:
        if self._rows:
            self.post_message(self.RowSelected(self, self._keys[self.cursor_row]))

    def on_click(self, event: Click) -> None:
        if event.y == 0:
            column = self._column_at(event.x + self.scroll_offset.x)
            if column is not None:
                self.post_message(self.HeaderSelected(self, column.key))
            return
        index = event.y - 1 + self.scroll_offset.y
        if 0 <= index < len(self._rows):
            if index == self.cursor_row:
                self.action_select()
            self.cursor_row = index

    def _column_at(self, x: int) -> Column | None:
        for column, width in zip(self.columns, self._widths):
            x -= width + 2 * PADDING
            if x < 0:
                return column
        return None
