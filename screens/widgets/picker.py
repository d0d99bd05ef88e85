"""A one-line choice (category, urgency) that the arrows change in place.

Textual's `Select` opens its list on Enter and the arrows; in a form typed at speed that list
takes the focus away from the next field. Here the arrows step through the choices without
leaving the field, Space opens the list (for those who want to see them all), and Enter is left
to the form, which moves on.
"""

from __future__ import annotations

from textual.binding import Binding
from textual.widgets import Select


class Picker(Select, inherit_bindings=False):
    BINDINGS = [
        Binding("down,right", "step(1)", "Next choice", show=False),
        Binding("up,left", "step(-1)", "Previous choice", show=False),
        Binding("space", "show_overlay", "Show the choices", show=False),
    ]

    def action_step(self, offset: int) -> None:
        choices = [value for _prompt, value in self._options if value is not self.NULL]
        if not choices:
            return
        index = choices.index(self.value) if self.value in choices else -offset
        self.value = choices[(index + offset) % len(choices)]
