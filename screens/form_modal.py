"""A small modal form for one office step: a few labelled fields, Ctrl+S to save, Esc to cancel.

The caller names the fields; the modal returns their raw values and knows nothing about what
they mean, so registering, transferring, extending, feedback and satisfaction share it.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.screen import ModalScreen
from textual.widgets import Input, Label, Select, Static

from fieldvisit.core.i18n import t
from fieldvisit.screens.literal import literal
from fieldvisit.core.text import one_line


@dataclass(frozen=True)
class FormField:
    name: str
    label: str
    choices: tuple[tuple[str, str], ...] = ()
    value: str = ""
    placeholder: str = ""


class FormModal(ModalScreen[dict[str, Any] | None]):
    CSS_PATH = "form_modal.tcss"
    BINDINGS = [
        Binding("ctrl+s", "save", t("action.save")),
        Binding("escape", "cancel", t("action.cancel")),
    ]

    def __init__(self, title: str, fields: list[FormField], hint: str = ""):
        super().__init__()
        self._title = title
        self._fields = fields
        self._hint = hint

    def compose(self) -> ComposeResult:
        with Vertical(id="form-box"):
            yield Static(literal(self._title), id="form-title")
            for spec in self._fields:
                with Horizontal(classes="form-row"):
                    yield Label(literal(spec.label), classes="form-label")
                    if spec.choices:
                        yield Select(spec.choices, value=spec.value or spec.choices[0][1], allow_blank=False, id=f"m-{spec.name}", compact=True)
                    else:
                        yield Input(value=one_line(spec.value), placeholder=spec.placeholder, id=f"m-{spec.name}", compact=True)
            if self._hint:
                yield Static(literal(self._hint), id="form-hint")

    def on_mount(self) -> None:
        self.query_one(f"#m-{self._fields[0].name}").focus()

    def values(self) -> dict[str, Any]:
        found: dict[str, Any] = {}
        for spec in self._fields:
            widget = self.query_one(f"#m-{spec.name}")
            found[spec.name] = widget.value
        return found

    @on(Input.Submitted)
    def _enter(self, event: Input.Submitted) -> None:
        event.stop()
        if event.input.id == f"m-{self._fields[-1].name}":
            self.action_save()
        else:
            self.focus_next()

    def action_save(self) -> None:
        self.dismiss(self.values())

    def action_cancel(self) -> None:
        self.dismiss(None)
