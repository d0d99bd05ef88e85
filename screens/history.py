"""A matter's audit trail: every field change, status step, feedback and face-to-face follow-up, with when and which device."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Static

from fieldvisit.core.clock import Stamp, stamp_time
from fieldvisit.core.i18n import field_label, label, t
from fieldvisit.core.records import Record, entries, registers
from fieldvisit.screens.literal import literal
from fieldvisit.stores.store import ISSUES
from fieldvisit.office.followups import FOLLOWUPS
from fieldvisit.office.workflow import FEEDBACK
from fieldvisit.reports.followups import office_followup_line


class HistoryScreen(ModalScreen[None]):
    CSS_PATH = "history.tcss"
    BINDINGS = [Binding("escape,h", "close", t("action.back"))]

    def __init__(self, issue_id: str):
        super().__init__()
        self.issue_id = issue_id

    def compose(self) -> ComposeResult:
        with VerticalScroll(id="history-box"):
            yield Static(t("office.history"), id="history-heading")
            yield Static(literal("\n".join(history_lines(self.app.store.get(ISSUES, self.issue_id)))), id="history-lines")

    def action_close(self) -> None:
        self.dismiss(None)


def history_lines(record: Record) -> list[str]:
    """Oldest first: `time  device  what`."""
    found: list[tuple[str, str]] = []
    for field in record["fields"]:
        for register in registers(record, field):
            found.append((register["stamp"], f"{field_label(field)} = {register['value']}"))
    for entry in entries(record, "transitions"):
        step = f"{label('status', entry['from']) or '—'} → {label('status', entry['to'])}"
        found.append((entry["stamp"], f"{step} {entry.get('by', '')} {entry.get('reason', '')}".rstrip()))
    for entry in entries(record, FEEDBACK):
        found.append((entry["stamp"], t("office.feedback_line", date=entry["date"], by=entry["by"], channel=label("channel", entry["channel"]), content=entry["content"])))
    for entry in entries(record, FOLLOWUPS):  # heard face to face on a follow-up visit (回访)
        found.append((entry["stamp"], office_followup_line(entry)))
    lines = []
    for stamp, what in sorted(found):
        lines.append(f"{stamp_time(stamp)}  {Stamp.parse(stamp).device[-4:]}  {what}")
    return lines
