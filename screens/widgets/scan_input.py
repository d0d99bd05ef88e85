"""The line a USB barcode scanner types into: one frame per Enter, or many lines pasted at once."""

from __future__ import annotations

from textual import events
from textual.message import Message
from textual.widgets import Input


class ScanInput(Input):
    """Posts `Lines` for each scanned or pasted frame and clears itself for the next one."""

    class Lines(Message):
        def __init__(self, lines: list[str]):
            super().__init__()
            self.lines = lines

    async def action_submit(self) -> None:
        text = self.value.strip()
        self.value = ""
        if text:
            self.post_message(self.Lines([text]))

    def _on_paste(self, event: events.Paste) -> None:
        """A stock Input keeps only the first pasted line; frames come many to a paste."""
        lines = [line.strip() for line in event.text.splitlines() if line.strip()]
        event.stop()
        event.prevent_default()
        if len(lines) > 1:
            self.post_message(self.Lines(lines))
        elif lines:
            self.insert_text_at_cursor(lines[0])
