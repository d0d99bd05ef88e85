"""Which written notice to print, when more than one fits the matter's status (a closed matter
may owe the petitioner its handling, review and re-review opinions)."""

from __future__ import annotations

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import OptionList, Static
from textual.widgets.option_list import Option

from fieldvisit.core.i18n import t


class NoticeChoiceScreen(ModalScreen[str | None]):
    """Returns the kind chosen (Enter or a click), or None when cancelled (Esc)."""

    CSS_PATH = "notice_choice.tcss"
    BINDINGS = [Binding("escape", "cancel", t("action.cancel"))]

    def __init__(self, kinds: list[str]):
        super().__init__()
        self._kinds = kinds

    def compose(self) -> ComposeResult:
        with Vertical(id="notice-choice-box"):
            yield Static(t("notices.print_title"), id="notice-choice-title")
            yield OptionList(*(Option(t(f"notices.kind.{kind}"), id=kind) for kind in self._kinds), id="notice-choice-list")
            yield Static(t("notices.choose_hint"), id="notice-choice-hint")

    @on(OptionList.OptionSelected, "#notice-choice-list")
    def _chosen(self, event: OptionList.OptionSelected) -> None:
        self.dismiss(event.option.id)

    def action_cancel(self) -> None:
        self.dismiss(None)
