"""A small modal that asks why (withdrawing a matter, later: rejecting, transferring)."""

from __future__ import annotations

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Input, Static

from fieldvisit.core.i18n import t
from fieldvisit.screens.literal import literal


class ReasonScreen(ModalScreen[str | None]):
    """Returns the reason typed, or None when cancelled; an empty reason is not accepted."""

    CSS_PATH = "reason.tcss"
    BINDINGS = [Binding("escape", "cancel", t("action.cancel"))]

    def __init__(self, prompt: str):
        super().__init__()
        self._prompt = prompt

    def compose(self) -> ComposeResult:
        with Vertical(id="reason-box"):
            yield Static(literal(self._prompt), id="reason-prompt")
            yield Input(placeholder=t("reason.placeholder"), id="reason-input")
            yield Static(t("reason.hint"), id="reason-hint")

    @on(Input.Submitted, "#reason-input")
    def _submit(self, event: Input.Submitted) -> None:
        reason = event.value.strip()
        if not reason:
            self.notify(t("error.reason_required"), severity="error")
            return
        self.dismiss(reason)

    def action_cancel(self) -> None:
        self.dismiss(None)
