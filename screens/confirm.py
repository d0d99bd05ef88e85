"""Ask before a step that cannot be taken back: approving, rejecting or revoking a laptop,
switching a laptop to another office. Shows the fingerprint to compare aloud, when there is one."""

from __future__ import annotations

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.screen import ModalScreen
from textual.widgets import Button, Static

from fieldvisit.core.i18n import t
from fieldvisit.screens.literal import literal
from fieldvisit.screens.widgets.fingerprint import Fingerprint


class ConfirmScreen(ModalScreen[bool]):
    """Returns True only for the confirm button or `y`; Esc, `n` and the focused Cancel give False.
    The title and body are shown as they are (they name devices and offices): never markup."""

    CSS_PATH = "confirm.tcss"
    BINDINGS = [
        Binding("y", "confirm", t("confirm.yes_key")),
        Binding("n,escape", "cancel", t("action.cancel")),
    ]

    def __init__(self, title: str, body: str, confirm: str, fingerprint: str = "", fingerprint_label: str = "", danger: bool = False, id: str | None = None):
        super().__init__(id=id)
        self._title, self._body, self._confirm = title, body, confirm
        self._fingerprint, self._fingerprint_label, self._danger = fingerprint, fingerprint_label, danger

    def compose(self) -> ComposeResult:
        with Vertical(id="confirm-box", classes="-danger" if self._danger else ""):
            yield Static(literal(self._title), id="confirm-title")
            yield Static(literal(self._body), id="confirm-body")
            if self._fingerprint:
                yield Static(self._fingerprint_label, id="confirm-fingerprint-label")
                yield Fingerprint(self._fingerprint, id="confirm-fingerprint")
            with Horizontal(id="confirm-buttons"):
                yield Button(self._confirm, variant="error" if self._danger else "primary", id="confirm-yes")
                yield Button(t("action.cancel"), id="confirm-no")
            yield Static(literal(t("confirm.hint", confirm=self._confirm)), id="confirm-hint")

    def on_mount(self) -> None:
        self.query_one("#confirm-no", Button).focus()  # Enter pressed by habit does nothing harmful

    @on(Button.Pressed, "#confirm-yes")
    def action_confirm(self) -> None:
        self.dismiss(True)

    @on(Button.Pressed, "#confirm-no")
    def action_cancel(self) -> None:
        self.dismiss(False)
