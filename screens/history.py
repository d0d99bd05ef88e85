"""A matter's audit trail: every field change, status step and feedback, with when and who
(`fieldvisit.office.audit`), in the officer's language."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Static

from fieldvisit.core.i18n import t
from fieldvisit.core.records import values
from fieldvisit.office.audit import history_lines
from fieldvisit.screens.literal import literal
from fieldvisit.stores.store import ISSUES, VISITS

__all__ = ["HistoryScreen", "history_lines"]


class HistoryScreen(ModalScreen[None]):
    CSS_PATH = "history.tcss"
    BINDINGS = [Binding("escape,h", "close", t("action.back"))]

    def __init__(self, issue_id: str):
        super().__init__()
        self.issue_id = issue_id

    def compose(self) -> ComposeResult:
        lines = history_lines(self.app.store.get(ISSUES, self.issue_id), self._visit_title)
        with VerticalScroll(id="history-box"):
            yield Static(t("office.history"), id="history-heading")
            yield Static(literal("\n".join(lines)), id="history-lines")

    def _visit_title(self, visit_id: str) -> str:
        visit = self.app.store.get(VISITS, visit_id)
        if visit is None:
            return visit_id
        found = values(visit)
        return f"{found.get('date', '')} {found.get('title', '')}".strip() or visit_id

    def action_close(self) -> None:
        self.dismiss(None)
