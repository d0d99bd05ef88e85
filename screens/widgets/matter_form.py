"""The matter form: quick capture on the visit screen and full edit on the matter screen.

Fields are ordered as a recorder hears them: what the matter is, who raised it, what was
answered and promised, who owns it, and the flags. Tab walks them top to bottom; only the title
or the demand is required. The form knows nothing about the store: it posts `Submitted` with the
raw values and the screen decides what to do with them.
"""

from __future__ import annotations

from typing import Any

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Grid, Horizontal, VerticalScroll
from textual.message import Message
from textual.widgets import Checkbox, Input, Label, Select, TextArea

from fieldvisit.core import model
from fieldvisit.core.i18n import field_label, label, t
from fieldvisit.core.text import one_line, printable
from fieldvisit.screens.widgets.field_area import FieldArea
from fieldvisit.screens.widgets.field_checkbox import FieldCheckbox
from fieldvisit.screens.widgets.picker import Picker

TEXT_INPUTS = (
    "title",
    "demand",
    "petitioner_name",
    "employee_no",
    "unit",
    "phone",
    "people",
    "representatives",
    "commitment",
    "promised_date",
    "first_owner",
    "department",
    "raised_on",
)
TEXT_AREAS = ("detail", "onsite_answer")
CHOICES = {"category": model.DEFAULT_CATEGORIES, "urgency": model.URGENCIES}
LAYOUT = (
    "title",
    "demand",
    "category",
    "urgency",
    "petitioner_name",
    "anonymous",
    "employee_no",
    "unit",
    "phone",
    "people",
    "representatives",
    "detail",
    "onsite_answer",
    "commitment",
    "promised_date",
    "first_owner",
    "department",
    "raised_on",
)
PLACEHOLDERS = {"promised_date": "YYYY-MM-DD", "raised_on": "YYYY-MM-DD", "people": "1", "phone": "138…"}


class MatterForm(VerticalScroll):
    """Every editable field of a matter, keyboard-first, as label/input rows. Enter moves on from
    every field (a one-line field, a picker, a checkbox, a multi-line field), as Tab does."""

    BINDINGS = [Binding("enter", "move_on", show=False)]

    DEFAULT_CSS = """
    MatterForm {
        height: 1fr;
        padding: 0 1;
        scrollbar-size-vertical: 1;
    }
    MatterForm .form-row {
        height: auto;
    }
    MatterForm .form-label {
        width: 16;
        margin-right: 1;
        text-align: right;
        color: $text-muted;
    }
    MatterForm TextArea.form-area {
        height: 4;
        border: none;
        padding: 0;
    }
    MatterForm .flag-grid {
        grid-size: 2;
        grid-columns: 1fr 1fr;
        grid-rows: 1;
        height: auto;
        margin-top: 1;
    }
    """

    class Submitted(Message):
        """The recorder asked to save; `values` are the raw form values."""

        def __init__(self, form: "MatterForm", values: dict[str, Any]):
            super().__init__()
            self.form = form
            self.values = values

        @property
        def control(self) -> "MatterForm":
            """Lets `@on(MatterForm.Submitted, "#id")` tell two forms apart."""
            return self.form

    class Edited(Message):
        """A field's value changed (typed, or loaded): the screen keeps a draft of the form."""

        def __init__(self, form: "MatterForm"):
            super().__init__()
            self.form = form

        @property
        def control(self) -> "MatterForm":
            return self.form

    def __init__(self, defaults: dict[str, Any] | None = None, **kwargs: Any):
        super().__init__(**kwargs)
        self._defaults = dict(defaults or {})

    def compose(self) -> ComposeResult:
        for name in LAYOUT:
            with Horizontal(classes="form-row"):
                yield Label(field_label(name), classes="form-label")
                yield self._make_input(name)
        with Grid(classes="flag-grid"):
            for flag in model.FLAGS:
                yield FieldCheckbox(label("flag", flag), id=f"f-{flag}", compact=True)

    def on_mount(self) -> None:
        self.load(self._defaults)
        self._shown_defaults = self.read()

    @property
    def defaults(self) -> dict[str, Any]:
        """What an untouched form shows (what the recorder did not type), as shown: a default
        from an imported visit is shown, and read back, without its control characters."""
        return dict(getattr(self, "_shown_defaults", None) or self._defaults)

    @on(Input.Changed)
    @on(TextArea.Changed)
    @on(Checkbox.Changed)
    @on(Select.Changed)
    def _edited(self, event: Message) -> None:
        self.post_message(self.Edited(self))

    def _make_input(self, name: str):
        if name in CHOICES:
            options = [(label(name, code), code) for code in CHOICES[name]]
            return Picker(options, id=f"f-{name}", allow_blank=False, compact=True)
        if name == "anonymous":
            return FieldCheckbox(t("field.anonymous_box"), id="f-anonymous", compact=True)
        if name in TEXT_AREAS:
            return FieldArea(id=f"f-{name}", soft_wrap=True, classes="form-area")
        return Input(placeholder=PLACEHOLDERS.get(name, ""), id=f"f-{name}", compact=True)

    # -- values in and out --------------------------------------------------------------

    def load(self, values: dict[str, Any]) -> None:
        """Show `values` (a matter's or the defaults); fields not given are cleared. Control
        characters from an imported matter are shown as spaces (and saved so)."""
        for name in (*TEXT_INPUTS, *TEXT_AREAS):
            value = values.get(name)
            if name == "raised_on" and not value:
                value = (values.get("raised_at") or "")[:10]  # a saved matter: the day it was raised
            text = "" if value is None else str(value)
            if name in TEXT_AREAS:
                self.query_one(f"#f-{name}", TextArea).text = printable(text)
            else:
                self.query_one(f"#f-{name}", Input).value = one_line(text)
        for name, codes in CHOICES.items():
            self.query_one(f"#f-{name}", Select).value = values.get(name) or codes[-1 if name == "category" else 0]
        for flag in ("anonymous", *model.FLAGS):
            self.query_one(f"#f-{flag}", Checkbox).value = bool(values.get(flag))

    def read(self) -> dict[str, Any]:
        values: dict[str, Any] = {}
        for name in TEXT_INPUTS:
            values[name] = self.query_one(f"#f-{name}", Input).value
        for name in TEXT_AREAS:
            values[name] = self.query_one(f"#f-{name}", TextArea).text
        for name in CHOICES:
            values[name] = self.query_one(f"#f-{name}", Select).value
        for flag in ("anonymous", *model.FLAGS):
            values[flag] = self.query_one(f"#f-{flag}", Checkbox).value
        return values

    def submit(self) -> None:
        self.post_message(self.Submitted(self, self.read()))

    def reset(self) -> None:
        """Back to the defaults, cursor on the first field, ready for the next matter."""
        self.load(self._defaults)
        self.focus_first()

    def focus_first(self) -> None:
        self.query_one("#f-title", Input).focus()
        self.scroll_home(animate=False)

    def show_error(self, field: str, message: str) -> None:
        """Put the cursor on the field that needs fixing."""
        self.app.notify(message, severity="error")
        target = self.query(f"#f-{field}")
        if target:
            target.first().focus()

    def action_move_on(self) -> None:
        self.screen.focus_next()

    @on(Input.Submitted)
    def _enter_moves_on(self, event: Input.Submitted) -> None:
        """Enter in a one-line field moves to the next field, as Tab does."""
        event.stop()
        self.screen.focus_next()

    @on(Input.Changed, "#f-people")
    def _collective_from_people(self, event: Input.Changed) -> None:
        text = event.value.strip()
        if text.isdigit() and int(text) >= model.COLLECTIVE_SIZE:
            self.query_one("#f-collective", Checkbox).value = True

    @on(Checkbox.Changed, "#f-anonymous")
    def _anonymous_clears_identity(self, event: Checkbox.Changed) -> None:
        for name in model.IDENTITY_FIELDS:
            field = self.query_one(f"#f-{name}", Input)
            field.disabled = event.value
            if event.value:
                field.value = ""
