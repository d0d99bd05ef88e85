"""Show a bundle as QR codes in the terminal, sized to the window, paged by key or cycling.

After the last plain frame the cycle goes on with fountain frames, so the office scanner
completes even if it missed some. Resizing the window re-cuts the frames to the new size.
"""

from __future__ import annotations

from typing import Any

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.events import Resize
from textual.screen import Screen
from textual.widgets import Static

from fieldvisit.core.errors import BundleError
from fieldvisit.core.i18n import t
from fieldvisit.screens.widgets.fitting_footer import FittingFooter
from fieldvisit.screens.literal import literal
from fieldvisit.sync.frames import Frame, fountain
from fieldvisit.sync.qr_render import half_block_lines, largest_version, matrix, symbol_modules
from fieldvisit.sync.qr_transfer import DEFAULT_EC, DEFAULT_VERSION, bundle_frames

CHROME_ROWS = 2
"""Rows the screen needs besides the code: the caption line and the footer."""
SPEEDS = (0.4, 0.7, 1.0, 1.5, 2.5)
"""Seconds per frame when cycling."""


class QrScreen(Screen):
    CSS_PATH = "qr_display.tcss"
    BINDINGS = [
        Binding("right,n,space", "next", t("action.qr_next")),
        Binding("left,p", "previous", t("action.qr_previous")),
        Binding("a", "toggle_cycle", t("action.qr_cycle")),
        Binding("plus,equals_sign", "faster", t("action.qr_faster")),
        Binding("minus", "slower", t("action.qr_slower")),
        Binding("escape", "back", t("action.back")),
    ]

    def __init__(self, bundle: dict[str, Any], ec: str = DEFAULT_EC, max_version: int = DEFAULT_VERSION, sealed_payload: bytes | None = None):
        super().__init__()
        self.bundle = bundle
        self.sealed_payload = sealed_payload
        self.ec = ec
        self.max_version = max_version
        self.frames: list[Frame] = []
        self.position = 0
        self.speed = 2
        self._timer = None

    def compose(self) -> ComposeResult:
        yield Static(id="qr-code")
        yield Static(id="qr-caption")
        yield FittingFooter()

    def on_resize(self, event: Resize) -> None:
        self._fit(event.size.width, event.size.height - CHROME_ROWS)

    def _fit(self, columns: int, rows: int) -> None:
        version = min(self.max_version, largest_version(columns, rows))
        if version == 0:
            need = symbol_modules(1)
            self.frames = []
            self.query_one("#qr-code", Static).update(t("qr.too_small", columns=need, rows=(need + 1) // 2 + CHROME_ROWS))
            self.query_one("#qr-caption", Static).update("")
            return
        try:
            fresh = bundle_frames(self.bundle, version, self.ec, sealed_payload=self.sealed_payload)
        except BundleError as error:  # more frames than a scanner takes, at this size
            self.frames = []
            self.query_one("#qr-code", Static).update(Text(str(error)))
            self.query_one("#qr-caption", Static).update("")
            return
        if [f.text() for f in fresh] != [f.text() for f in self.frames]:
            self.frames, self.position = fresh, 0
        self._show()

    def _current(self) -> Frame:
        count = len(self.frames)
        return self.frames[self.position] if self.position < count else fountain(self.frames, self.position + 1)

    def _show(self) -> None:
        if not self.frames:
            return
        frame = self._current()
        self.query_one("#qr-code", Static).update(_drawing(half_block_lines(matrix(frame.text(), self.ec))))
        key = "qr.caption_extra" if frame.is_fountain else "qr.caption"
        cycling = t("qr.cycling", seconds=SPEEDS[self.speed]) if self._timer else t("qr.paused")
        caption = t(key, index=frame.index, count=frame.count, bundle=self.bundle["bundle_id"][-6:], state=cycling)
        self.query_one("#qr-caption", Static).update(literal(caption))

    def action_next(self) -> None:
        if self.frames:
            self.position += 1
            self._show()

    def action_previous(self) -> None:
        if self.frames:
            self.position = max(0, self.position - 1)
            self._show()

    def action_toggle_cycle(self) -> None:
        if self._timer:
            self._timer.stop()
            self._timer = None
        else:
            self._timer = self.set_interval(SPEEDS[self.speed], self.action_next)
        self._show()

    def _restart_cycle(self) -> None:
        if self._timer:
            self._timer.stop()
            self._timer = self.set_interval(SPEEDS[self.speed], self.action_next)
        self._show()

    def action_faster(self) -> None:
        self.speed = max(0, self.speed - 1)
        self._restart_cycle()

    def action_slower(self) -> None:
        self.speed = min(len(SPEEDS) - 1, self.speed + 1)
        self._restart_cycle()

    def action_back(self) -> None:
        self.app.pop_screen()


DARK, LIGHT = "#000000 on #ffffff", "#ffffff on #ffffff"


def _drawing(lines: list[str]) -> Text:
    """Black on white, with light cells drawn as white blocks rather than spaces: a terminal or a
    layout that trims or recolours blank space would otherwise eat the quiet zone."""
    text = Text(no_wrap=True, end="")
    for number, line in enumerate(lines):
        if number:
            text.append("\n")
        for run in _runs(line):
            text.append("█" * len(run) if run[0] == " " else run, LIGHT if run[0] == " " else DARK)
    return text


def _runs(line: str) -> list[str]:
    """Split a line into runs of blanks and runs of block characters."""
    runs: list[str] = []
    for char in line:
        if runs and (runs[-1][0] == " ") == (char == " "):
            runs[-1] += char
        else:
            runs.append(char)
    return runs
