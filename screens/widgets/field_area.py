"""A form's multi-line field: Enter moves on as in every other field; Ctrl+J starts a new line.

A recorder (or a keyboard-wedge device, or a paste) ends each field with Enter; in Textual's
`TextArea` that Enter would start a new line and the next field's text would follow it.
"""

from __future__ import annotations

from textual import events
from textual.binding import Binding
from textual.widgets import TextArea

NEW_LINE_KEYS = ("ctrl+j", "shift+enter")


class FieldArea(TextArea):
    BINDINGS = [Binding(",".join(NEW_LINE_KEYS), "new_line", "New line", show=False)]

    async def _on_key(self, event: events.Key) -> None:
        if event.key == "enter":
            event.prevent_default()  # not inserted: the key bubbles to the form, which moves on

    def action_new_line(self) -> None:
        start, end = self.selection
        self._replace_via_keyboard("\n", start, end)
