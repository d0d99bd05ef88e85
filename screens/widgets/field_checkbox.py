"""A form's checkbox: Space ticks it, Enter is left to the form, which moves on."""

from __future__ import annotations

from textual.binding import Binding
from textual.widgets import Checkbox


class FieldCheckbox(Checkbox, inherit_bindings=False):
    BINDINGS = [Binding("space", "toggle_button", "Toggle", show=False)]
