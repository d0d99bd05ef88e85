"""A small modal form for one office step: a few labelled fields, Ctrl+S to save, Esc to cancel.

The caller names the fields and the step to run with their raw values (`save`); the modal knows
nothing about what they mean, so registering, transferring, extending, feedback and satisfaction
share it. A step refused on validation leaves the form open with everything typed, says why
under the fields, and puts the cursor on the field to correct (the `InputError`'s field, matched
to a form field by its name or one of its `errors_for` names); the modal closes, returning the
values, only once the step is done.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Callable

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.screen import ModalScreen
from textual.widgets import Input, Label, Select, Static

from fieldvisit.core.errors import FieldVisitError, InputError
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
    errors_for: tuple[str, ...] = ()
    """The names a refusal may give this field by (the step's own field names: `content`, `date`)."""


class FormModal(ModalScreen[dict[str, Any] | None]):
    CSS_PATH = "form_modal.tcss"
    BINDINGS = [
        Binding("ctrl+s", "save", t("action.save")),
        Binding("escape", "cancel", t("action.cancel")),
    ]

    def __init__(self, title: str, fields: list[FormField], hint: str = "", save: Callable[[dict[str, Any]], object] | None = None):
        """`save` runs the step with the values; an error it raises keeps the form open."""
        super().__init__()
        self._title = title
        self._fields = fields
        self._hint = hint
        self._save = save

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
            yield Static(id="form-error")
            yield Static(t("honest_deadlines.form_keys"), id="form-keys")

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
        found = self.values()
        if self._save is not None:
            try:
                self._save(found)
            except FieldVisitError as error:
                self._refused(error)
                return
        self.dismiss(found)

    def _refused(self, error: FieldVisitError) -> None:
        """Say why under the fields and on a toast; the cursor goes to the field to correct."""
        message = str(error)
        self.query_one("#form-error", Static).update(literal(message))
        self.app.notify(message, severity="error")
        wanted = error.field if isinstance(error, InputError) else None
        for spec in self._fields:
            if wanted in (spec.name, *spec.errors_for):
                self.query_one(f"#m-{spec.name}").focus()
                return

    def action_cancel(self) -> None:
        self.dismiss(None)

    def before_quit(self) -> tuple[str, str, str] | None:
        """Ctrl+Q asks first when something was typed into this form (`BaseApp.action_quit`)."""
        typed = any(str(found or "") != str(spec.value or "") for spec, found in zip(self._fields, self.values().values()) if not spec.choices)
        return (t("quit_guard.title"), t("quit_guard.form_body"), t("quit_guard.quit")) if typed else None
