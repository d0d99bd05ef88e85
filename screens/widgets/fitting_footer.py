"""A footer that shows only the keys it can show whole.

Textual's footer cuts the row at the terminal's edge, so on an 80-column laptop in English the
last key reads "f5 Impo" and the ones after it are not there at all. This one keeps the keys in
their order while they fit and leaves out the rest, whole: every key is in the command palette
(its key stays at the right), and the order of `BINDINGS` already puts the most-used first.
"""

from __future__ import annotations

from textual import events
from textual.app import ComposeResult
from textual.screen import Screen
from textual.widget import Widget
from textual.widgets import Footer
from rich.cells import cell_len

PALETTE_CLASS = "-command-palette"


class FittingFooter(Footer):
    """`Footer`, with the keys past its width left out rather than cut."""

    def __init__(self, *children: Widget, **how) -> None:
        super().__init__(*children, **how)
        self._fitted_width = 0
        self._recompose_due = False
        self._composed_for: tuple | None = None

    def compose(self) -> ComposeResult:
        self._recompose_due = False  # what changed until now is composed here
        self._composed_for = self._keys_shown()
        items = list(super().compose())
        room = self.size.width
        self._fitted_width = room
        if room <= 0:  # not laid out yet: the first resize composes again
            yield from items
            return
        palette = [item for item in items if is_key(item) and item.has_class(PALETTE_CLASS)]
        room -= sum(key_width(item, self.compact) for item in palette)
        fitting = True
        for item in items:
            if is_key(item) and item not in palette:  # groups of keys (none here) are kept as they are
                needed = key_width(item, self.compact)
                fitting = fitting and needed - 1 <= room  # the blank cell after the last may go
                if not fitting:
                    continue
                room -= needed
            yield item

    def watch_compact(self, _compact: bool) -> None:
        if self.is_mounted:
            self.recompose_once()  # the keys' widths changed

    def on_resize(self, event: events.Resize) -> None:
        if event.size.width != self._fitted_width:
            self.recompose_once()

    def bindings_changed(self, screen: Screen) -> None:
        """As Textual's footer, through `recompose_once`."""
        self._bindings_ready = True
        if screen.app.app_focus and self.is_attached and screen is self.screen:
            self.recompose_once()

    def recompose_once(self) -> None:
        """Compose the keys again after the next refresh, once, and only if they changed: a
        screen's opening resizes the footer, focuses a widget and updates its bindings several
        times, and each would mount and style its twenty keys again (15 ms each) before the
        screen's first paint (issue 16 §4)."""
        if not self._recompose_due:
            self._recompose_due = True
            self.call_after_refresh(self._recompose_due_now)

    async def _recompose_due_now(self) -> None:
        if not self.is_attached or self._keys_shown() != self._composed_for:
            await self.recompose()
        self._recompose_due = False  # also when nothing was composed

    def _keys_shown(self) -> tuple:
        """What `compose` draws the keys from: the width, the style, the screen's bindings."""
        if not self._bindings_ready:
            return (self.size.width, self.compact)
        bindings = tuple(
            (binding.key, self.app.get_key_display(binding), binding.description, binding.action, binding.show, binding.group, enabled, tooltip)
            for _node, binding, enabled, tooltip in self.screen.active_bindings.values()
        )
        return (self.size.width, self.compact, self.show_command_palette, bindings)


def is_key(item: Widget) -> bool:
    """A key of the footer (Textual does not export its class): it has a key to display."""
    return isinstance(getattr(item, "key_display", None), str)


def key_width(key, compact: bool) -> int:
    """The cells a key takes in the footer, by Textual's footer styles: compact, the key, a space,
    the description and a cell's margin; else a cell of padding around the key and after the
    description. The palette's key is drawn without the padding, after a border."""
    description = cell_len(key.description) + 1 if key.description else 0
    width = cell_len(key.key_display) + description + (1 if compact else 2)
    if key.has_class(PALETTE_CLASS) and compact:
        width += 1
    return width
