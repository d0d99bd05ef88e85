"""The roster's pick list under the employee-number and name fields of the matter form.

Typing in a watched field lists the people whose employee number or name starts with what was
typed (at most `people.LIMIT`), each with unit and number, so two people of one name are told
apart. The cursor stays in the field: Down and Up move through the list, Enter picks (the
highlighted person, or the only one whose whole number or name was typed), Esc closes it; Tab
leaves it closed. A person chosen in the list moves the cursor past the fields the pick filled;
one taken by Enter alone moves it on as Enter always does, so a sequence of keys typed without
looking at the list lands in the same fields with a roster as without. Without a highlight and without a single exact match, Enter is the field's
own (it moves on), so typing a name that is not on the roster at full speed loses nothing.

The keys are seen through the field's `message_signal` after the field has handled them and
before they bubble: a key the list uses is stopped there (`prevent_default` + `stop`), so the
form, the screen and the app never see it. The list posts `Picked`; the screen fills the form.
"""

from __future__ import annotations

from textual import events
from textual.app import ComposeResult
from textual.geometry import Offset
from textual.message import Message
from textual.widget import Widget
from textual.widgets import Input, OptionList
from textual.widgets.option_list import Option

from fieldvisit.roster.people import Person, Roster
from fieldvisit.screens.literal import literal_line


class PersonPicker(Widget):
    DEFAULT_CSS = """
    PersonPicker {
        overlay: screen;
        display: none;
        width: 36;
        height: auto;
        max-height: 10;
        background: $panel;
        border: round $primary;
        padding: 0;
    }
    PersonPicker OptionList {
        height: auto;
        max-height: 8;
        border: none;
        padding: 0;
        background: transparent;
    }
    """

    class Picked(Message):
        """The recorder picked `person` in the list under `field`."""

        def __init__(self, picker: PersonPicker, field: Input, person: Person, chosen: bool):
            super().__init__()
            self.picker = picker
            self.field = field
            self.person = person
            self.chosen = chosen
            """True when the recorder moved to the person in the list (Down/Up), False when
            Enter took the only one whose whole number or name was typed."""

        @property
        def control(self) -> PersonPicker:
            return self.picker

    def __init__(self, roster: Roster, **kwargs):
        super().__init__(**kwargs)
        self.roster = roster
        self._fields: list[Input] = []
        self._field: Input | None = None
        """The field the list is open under."""
        self._people: list[Person] = []
        self._picked: dict[int, str] = {}
        """id(field) → the value a pick put there: it does not open the list again."""

    def compose(self) -> ComposeResult:
        options = OptionList()
        options.can_focus = False
        yield options

    def watch_fields(self, *fields: Input) -> None:
        """Offer people under each of `fields` as the recorder types in it."""
        for field in fields:
            self._fields.append(field)
            field.message_signal.subscribe(self, lambda message, field=field: self._seen(field, message))

    @property
    def is_open(self) -> bool:
        return bool(self.display and self._people)

    @property
    def people(self) -> list[Person]:
        """Who the list offers now."""
        return list(self._people) if self.display else []

    def close(self) -> None:
        self.display = False
        self._field = None

    # -- the field's messages -------------------------------------------------------------

    def _seen(self, field: Input, message: Message) -> None:
        if isinstance(message, Input.Changed):
            self._typed(field, message.value)
        elif isinstance(message, events.Key) and self.is_open and self._field is field:
            self._key(field, message)
        elif isinstance(message, events.Blur) and self._field is field:
            self.close()

    def _typed(self, field: Input, value: str) -> None:
        if not field.has_focus or not self.roster or value == self._picked.get(id(field)):
            if self._field is field:
                self.close()
            return
        self._picked.pop(id(field), None)
        self._people = self.roster.find(value)
        if not self._people:
            self.close()
            return
        options = self.query_one(OptionList)
        options.clear_options()
        options.add_options([Option(_prompt(person)) for person in self._people])
        options.highlighted = None
        self._field = field
        self._align(field)
        self.display = True

    def _align(self, field: Input) -> None:
        """Under the field, exactly as wide as its visible part. Not wider, not shifted: where the
        list's edges cross the widgets below it, Textual's compositor cuts each line, and a Han
        character straddling such a cut is drawn as two blanks (the rows below the field have
        their label on the left and their field from the same column on)."""
        region, screen = field.region, self.screen.size
        width = max(1, min(region.width, screen.width - region.x))
        self.styles.width = width
        self.absolute_offset = Offset(region.x, region.bottom)

    def _key(self, field: Input, event: events.Key) -> None:
        options = self.query_one(OptionList)
        if event.key in ("down", "up"):
            count = len(self._people)
            current = options.highlighted
            if current is None:
                options.highlighted = 0 if event.key == "down" else count - 1
            else:
                options.highlighted = (current + (1 if event.key == "down" else -1)) % count
        elif event.key == "enter":
            chosen = self._chosen(field, options.highlighted)
            if chosen is None:
                self.close()
                return  # the field's own Enter: moves on with what was typed
            self._pick(field, chosen, options.highlighted is not None)
        elif event.key == "escape":
            self.close()
        else:
            if event.key in ("tab", "shift+tab"):
                self.close()
            return
        event.prevent_default()
        event.stop()

    def _chosen(self, field: Input, highlighted: int | None) -> Person | None:
        if highlighted is not None:
            return self._people[highlighted]
        exact = self.roster.exact(field.value)
        return exact[0] if len(exact) == 1 else None

    def _pick(self, field: Input, person: Person, chosen: bool) -> None:
        self.close()
        self.post_message(self.Picked(self, field, person, chosen))

    def remember_pick(self, field: Input, value: str) -> None:
        """The screen put `value` in `field` from a pick: the list stays closed for it."""
        self._picked[id(field)] = value


def _prompt(person: Person):
    """Name, unit and number on one line: two people of one name differ by unit."""
    parts = [person.name, person.unit or "—", person.employee_no or "—"]
    return literal_line("  ".join(parts))
