"""Export the register's matters in view to a spreadsheet: choose Excel or csv, and whether
petitioners' personal data is masked (the default, as the register shows it) or whole.

Dismisses with the choice, `(fmt, redact)`, or None on Esc; the register writes the file.
"""

from __future__ import annotations

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.screen import ModalScreen
from textual.widgets import Button, Checkbox, RadioButton, RadioSet, Static

from fieldvisit.core.i18n import t


class ExportScreen(ModalScreen[tuple[str, bool] | None]):
    CSS_PATH = "export.tcss"
    BINDINGS = [
        Binding("ctrl+s", "export", t("export.screen.write")),
        Binding("escape", "cancel", t("action.cancel")),
    ]

    def __init__(self, count: str) -> None:
        """`count`: how many matters, as the register's line shows the number ("约 61,000")."""
        super().__init__()
        self.count = count

    def compose(self) -> ComposeResult:
        with Vertical(id="export-box"):
            yield Static(t("export.screen.title", count=self.count), id="export-title")
            with RadioSet(id="export-format", compact=True):
                yield RadioButton(t("export.screen.xlsx"), value=True, id="export-xlsx")
                yield RadioButton(t("export.screen.csv"), id="export-csv")
            yield Checkbox(t("export.screen.redact"), value=True, id="export-redact", compact=True)
            with Horizontal(id="export-buttons"):
                yield Button(t("export.screen.write"), variant="primary", id="export-yes", compact=True)
                yield Button(t("action.cancel"), id="export-no", compact=True)
            yield Static(t("export.screen.hint"), id="export-hint")

    def on_mount(self) -> None:
        self.query_one("#export-yes", Button).focus()

    @on(Button.Pressed, "#export-yes")
    def action_export(self) -> None:
        fmt = "csv" if self.query_one("#export-csv", RadioButton).value else "xlsx"
        self.dismiss((fmt, self.query_one("#export-redact", Checkbox).value))

    @on(Button.Pressed, "#export-no")
    def action_cancel(self) -> None:
        self.dismiss(None)
