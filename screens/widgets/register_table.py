"""The register's table: every matching row, drawn line by line, only those on screen.

Textual's `DataTable` renders each cell through Rich whenever its rows change: about 60 ms for a
page of 50 rows × 10 columns, most of every keystroke in the register's search box on a modest
PC, and a table of 100,000 rows would hold them all. The register's cells are plain text, so this
table draws them itself on the Line API like Textual's own log and table widgets: it holds a
`RowSource` (how many rows, and the rows of a range, in order) and asks it only for the rows
it draws, each cell cut or padded to its column's width in terminal cells (a Han character is two
cells wide; a cut cell ends in "…"), one segment per cell. It offers what the register uses: a
row cursor moved with the keys, the mouse and the wheel through every row, Enter (or a click on
the cursor row) to open a row, a click on a column header to sort, and the sort shown with ▲/▼.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from typing import Protocol

from rich.cells import cell_len, set_cell_size
from rich.segment import Segment
from rich.style import Style
from textual.binding import Binding
from textual.events import Click, Resize
from textual.geometry import Size
from textual.message import Message
from textual.reactive import reactive
from textual.scroll_view import ScrollView
from textual.strip import Strip

from fieldvisit.core.text import one_line

PADDING = 1
"""Blank cells before each column (and after the last)."""
FLEX_WIDTH = 20
FLEX_LEAST = 12
"""The column that takes the width left over has at least `FLEX_WIDTH` cells while others can be
cut to make room, then down to `FLEX_LEAST` (or its own `least`)."""
KEPT_LINES = 2_000
"""Rows kept drawn-ready; beyond that they are asked of the source again."""
ARROWS = {False: "▲", True: "▼"}
"""Beside the sorting column's header: ascending, descending."""

Row = tuple[str, tuple[str, ...]]
"""A row's key and its cells' text."""


class RowSource(Protocol):
    """The rows a table shows, in order: how many, and those of a range."""

    def __len__(self) -> int: ...

    def window(self, start: int, stop: int) -> Sequence[Row]: ...


class RowList:
    """A `RowSource` over rows in a list."""

    def __init__(self, rows: Sequence[Row]) -> None:
        self.rows = rows

    def __len__(self) -> int:
        return len(self.rows)

    def window(self, start: int, stop: int) -> Sequence[Row]:
        return self.rows[start:stop]


@dataclass(frozen=True)
class Column:
    key: str
    label: str
    width: int = 0
    """The widest text of the column in cells (the header with its sort arrow is counted too)."""
    least: int | None = None
    """How narrow the column may be cut (its text ending in "…") when the table is short of
    room; None: never cut (names)."""
    flex: bool = False
    """The column takes the width the others leave (at least `least`, or `FLEX_LEAST`)."""
    most: int | None = None
    """The widest the column is ever made: a longer text is cut (a "name" of 50 characters is
    not one); None: as wide as its widest text."""


class RegisterTable(ScrollView, can_focus=True):
    """A header line and rows of plain text from a `RowSource`, with a row cursor."""

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
        Binding("home,ctrl+home", "first", show=False),
        Binding("end,ctrl+end", "last", show=False),
        Binding("left", "scroll_left", show=False),
        Binding("right", "scroll_right", show=False),
        Binding("enter", "select", show=False),
    ]

    cursor_row: reactive[int] = reactive(0, init=False)

    class RowSelected(Message):
        """A row was opened (Enter, or a click on the cursor row)."""

        def __init__(self, table: RegisterTable, row_key: str) -> None:
            super().__init__()
            self.table, self.row_key = table, row_key

        @property
        def control(self) -> RegisterTable:
            return self.table

    class HeaderSelected(Message):
        """A column header was clicked: the register sorts by it."""

        def __init__(self, table: RegisterTable, column_key: str) -> None:
            super().__init__()
            self.table, self.column_key = table, column_key

        @property
        def control(self) -> RegisterTable:
            return self.table

    class CursorMoved(Message):
        """The cursor moved to another row (keys, mouse): the register says where it is. (After
        `show`, the caller knows where it put the cursor.)"""

        def __init__(self, table: RegisterTable, row: int, count: int) -> None:
            super().__init__()
            self.table, self.row, self.count = table, row, count

        @property
        def control(self) -> RegisterTable:
            return self.table

    def __init__(self, columns: list[Column], *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.columns = columns
        self.sort: tuple[str, bool] | None = None
        self._source: RowSource = RowList([])
        self._count = 0
        self._lines: dict[int, Row] = {}
        self._widths = [self._wanted(column) for column in columns]
        self._laid_out_for = -1
        self._column_meta = [Style.from_meta({"column": number}) for number in range(len(columns))]

    # -- data -----------------------------------------------------------------------------

    @property
    def row_count(self) -> int:
        return self._count

    def get_row_at(self, index: int) -> tuple[str, ...]:
        return self._row(index)[1]

    def row_key_at(self, index: int) -> str:
        return self._row(index)[0]

    @property
    def cursor_key(self) -> str | None:
        return self.row_key_at(self.cursor_row) if self._count else None

    @property
    def widths(self) -> list[int]:
        """Each column's width in cells, as laid out for the table's width now."""
        return list(self._widths)

    def set_rows(self, rows: Sequence[Row]) -> None:
        """Show these (key, cells) rows instead of the ones shown, the cursor on the first."""
        self.show(RowList(rows))

    def show(self, source: RowSource, cursor: int = 0, line: int | None = None) -> None:
        """Show the rows of `source`, the cursor on row `cursor`, drawn on screen line `line`
        below the header (None: the first row at the top)."""
        self._source, self._count = source, len(source)
        self._lines.clear()
        cursor = min(max(cursor, 0), max(self._count - 1, 0))
        top = 0 if line is None else max(0, cursor - line)
        if self._count:
            self._row(min(top, self._count - 1))  # the rows to draw, at hand: their widths count in the layout
        self._set_virtual_size()
        self._lay_out()
        self.scroll_to(0, top, animate=False, immediate=True)
        self.set_reactive(RegisterTable.cursor_row, cursor)
        self._keep_cursor_visible()
        self.refresh()

    def widen(self, widths: dict[str, int]) -> None:
        """Make columns at least as wide as these texts (the widest of all rows, measured by the
        caller) and lay them out again; a column never narrows, so nothing jumps back."""
        if self._grow({key: width for key, width in widths.items()}):
            self._lay_out()

    def _grow(self, widths: dict[str, int]) -> bool:
        columns = [replace(column, width=widths[column.key]) if widths.get(column.key, 0) > column.width and not column.flex else column for column in self.columns]
        if columns == self.columns:
            return False
        self.columns, self._laid_out_for = columns, -1
        return True

    def show_sort(self, key: str, reverse: bool) -> None:
        """Mark the column `key` as the one the rows are sorted by, ▲ ascending or ▼ descending."""
        self.sort = (key, reverse)
        self.refresh_line(0)

    def _row(self, index: int) -> Row:
        """Row `index`, asking the source for the screenful around it when it is not at hand."""
        found = self._lines.get(index)
        if found is None:
            if not 0 <= index < self._count:
                raise IndexError(index)
            shown = self._rows_shown
            top = int(self.scroll_offset.y)
            start = top if top <= index < top + shown else index
            if len(self._lines) > KEPT_LINES:
                self._lines.clear()
            fetched = [(key, tuple(one_line(cell) for cell in cells)) for key, cells in self._source.window(start, start + shown + 1)]  # an escape code or line break as a space
            self._lines.update(enumerate(fetched, start))
            widest = {column.key: max(cell_len(cells[number]) for _, cells in fetched) for number, column in enumerate(self.columns)} if fetched else {}
            if self._grow(widest):  # a row wider than its column (a longer name written): no name is cut
                self.call_later(self._lay_out)
            found = self._lines[index]
        return found

    # -- layout ---------------------------------------------------------------------------

    @staticmethod
    def _wanted(column: Column) -> int:
        """The width that shows all of a column, its header and sort arrow too (at most `most`)."""
        wanted = max(column.width, cell_len(column.label) + 1)
        return wanted if column.most is None else min(wanted, max(column.most, cell_len(column.label) + 1))

    def on_resize(self, _: Resize) -> None:
        self._lay_out()

    def _lay_out(self) -> None:
        """Widths for the room there is: every column as wide as its widest text, the flexible
        one taking what is left; when that is too little, the widest column that may be cut is
        cut first, a cell at a time, then the flexible one, down to their least widths. Names
        are never cut: a table still too wide for its room scrolls sideways."""
        room = self.size.width
        if self._count + 1 > self.size.height:  # rows below the bottom: a vertical scrollbar takes its cells
            room -= self.styles.scrollbar_size_vertical
        if room == self._laid_out_for:
            return
        self._laid_out_for = room
        least = [column.least if column.least is not None else (FLEX_LEAST if column.flex else self._wanted(column)) for column in self.columns]
        widths = [max(FLEX_WIDTH, least[n]) if column.flex else self._wanted(column) for n, column in enumerate(self.columns)]
        spare = room - sum(widths) - PADDING * (len(self.columns) + 1)
        for flex in (False, True):  # cut the others first, then the flexible column
            while spare < 0:
                cuttable = [n for n, column in enumerate(self.columns) if column.flex == flex and widths[n] > least[n]]
                if not cuttable:
                    break
                widths[max(cuttable, key=lambda n: widths[n])] -= 1
                spare += 1
        for number, column in enumerate(self.columns):
            if column.flex and spare > 0:
                widths[number] += spare
                spare = 0
        self._widths = widths
        self._set_virtual_size()
        self.refresh()

    def _set_virtual_size(self) -> None:
        self.virtual_size = Size(sum(self._widths) + PADDING * (len(self._widths) + 1), self._count + 1)

    # -- drawing --------------------------------------------------------------------------

    def render_line(self, y: int) -> Strip:
        scroll_x, scroll_y = self.scroll_offset
        if y == 0:
            return self._line(self._header(), self.get_component_rich_style("register-table--header"), scroll_x)
        index = y - 1 + scroll_y
        if index >= self._count:
            return Strip.blank(self.size.width, self.rich_style)
        style = self.rich_style
        if index == self.cursor_row:
            style += self.get_component_rich_style("register-table--cursor")
        elif index % 2:
            style += self.get_component_rich_style("register-table--even-row")
        return self._line(self._row(index)[1], style, scroll_x)

    def _header(self) -> tuple[str, ...]:
        key, reverse = self.sort or ("", False)
        return tuple(column.label + (ARROWS[reverse] if column.key == key else "") for column in self.columns)

    @property
    def columns_labels(self) -> tuple[str, ...]:
        return tuple(column.label for column in self.columns)

    def _line(self, cells: tuple[str, ...], style: Style, scroll_x: int) -> Strip:
        """One segment per cell, each styled with its column number: segments of one style would
        be joined, and a screenshot would then place the cells where a font's Han characters end
        (a little short of two cells) rather than at their columns."""
        pad = " " * PADDING
        segments = [Segment(f"{pad}{_fit(cell, width)}", style + meta) for cell, width, meta in zip(cells, self._widths, self._column_meta)]
        segments.append(Segment(pad, style))
        width = self.size.width
        return Strip(segments).crop(scroll_x, scroll_x + width).extend_cell_length(width, style)

    def watch_cursor_row(self, before: int, after: int) -> None:
        for row in (before, after):
            self.refresh_line(row + 1)  # a line of the whole table: ScrollView takes the scroll off
        self._keep_cursor_visible()
        self.post_message(self.CursorMoved(self, after, self._count))

    @property
    def _rows_shown(self) -> int:
        """Row lines on screen: below the header, above a horizontal scrollbar if there is one."""
        return max(1, self.scrollable_content_region.height - 1)

    def _keep_cursor_visible(self) -> None:
        shown = self._rows_shown
        top = self.scroll_offset.y
        if self.cursor_row < top:
            self.scroll_to(y=self.cursor_row, animate=False, immediate=True)
        elif self.cursor_row >= top + shown:
            self.scroll_to(y=self.cursor_row - shown + 1, animate=False, immediate=True)

    # -- keys and mouse -------------------------------------------------------------------

    def action_cursor(self, step: int) -> None:
        if self._count:
            self.cursor_row = min(max(self.cursor_row + step, 0), self._count - 1)

    def action_page(self, direction: int) -> None:
        self.action_cursor(direction * self._rows_shown)

    def action_first(self) -> None:
        self.action_cursor(-self._count)

    def action_last(self) -> None:
        self.action_cursor(self._count)

    def action_select(self) -> None:
        if self._count:
            self.post_message(self.RowSelected(self, self.row_key_at(self.cursor_row)))

    def on_click(self, event: Click) -> None:
        if event.y == 0:
            column = self._column_at(event.x + self.scroll_offset.x)
            if column is not None:
                self.post_message(self.HeaderSelected(self, column.key))
            return
        index = event.y - 1 + self.scroll_offset.y
        if 0 <= index < self._count:
            if index == self.cursor_row:
                self.action_select()
            self.cursor_row = index

    def _column_at(self, x: int) -> Column | None:
        for column, width in zip(self.columns, self._widths):
            x -= width + PADDING
            if x < 0:
                return column
        return None


def _fit(text: str, width: int) -> str:
    """`text` in exactly `width` cells: padded, or cut and ended with "…"."""
    if cell_len(text) <= width:
        return set_cell_size(text, width)
    return set_cell_size(set_cell_size(text, width - 1).rstrip() + "…", width)  # a Han character cut in two leaves a space
