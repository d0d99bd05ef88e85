"""What makes quick capture quicker than typing everything (issue 14 §4), wired onto a form.

- completions from the laptop's history (`editing.suggestions`) on the unit, department, first
  owner and commitment fields, through Textual's `SuggestFromList` (Right accepts);
- the roster's pick list (`PersonPicker`) under the employee-number and name fields; a pick
  fills number, name, unit and phone and moves on to the field after them;
- a frequent commitment ("三日内答复") fills an empty promised date, counted from the visit's day.

The form's fields are found by their ids (`#f-<field>`), the form's public face; nothing here
changes how the form reads, saves or moves between fields.
"""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING

from textual.suggester import Suggester
from textual.widget import Widget
from textual.widgets import Input

from fieldvisit.core import clock
from fieldvisit.core.errors import FieldVisitError
from fieldvisit.editing import suggestions
from fieldvisit.roster.keeping import load_roster
from fieldvisit.roster.people import Person, Roster

if TYPE_CHECKING:
    from fieldvisit.screens.widgets.person_picker import PersonPicker

PICKED_FIELDS = ("employee_no", "petitioner_name", "unit", "phone")
AFTER_PICK = "people"
"""Where the cursor goes after a pick: the first field after the ones a pick fills."""
SUGGESTED = ("unit", "department", "first_owner", "commitment")
VISIT_SUGGESTED = ("site", "leaders")


class FromHistory(Suggester):
    """Completes a field with the first of its earlier values that starts with what was typed
    (most frequent first), read from `History` at each key so new values count at once."""

    def __init__(self, history: suggestions.History, name: str):
        super().__init__(use_cache=False, case_sensitive=False)
        self._history = history
        self._name = name

    async def get_suggestion(self, value: str) -> str | None:
        for known in self._history.values(self._name):
            if known.casefold().startswith(value) and len(known) > len(value):
                return known
        return None


def history_of(app) -> suggestions.History:
    """One `History` per app: it listens to the store for as long as the app runs."""
    found = getattr(app, "_fieldvisit_history", None)
    if found is None:
        found = app._fieldvisit_history = suggestions.History(app.store)
    return found


def roster_of(app) -> tuple[Roster, str | None]:
    """The app's roster, read once per app (`app.home.roster_file`, opened with the store's
    key), and why it could not be read (None when it could, or when there is none)."""
    cached = getattr(app, "_fieldvisit_roster", None)
    if cached is None:
        try:
            cached = (load_roster(app.home.roster_file, app.store.cipher), None)
        except (FieldVisitError, OSError) as error:
            cached = (Roster(), str(error))
        app._fieldvisit_roster = cached
    return cached


def set_roster(app, roster: Roster) -> None:
    """Use `roster` in `app` (tests and the demo's in-memory store)."""
    app._fieldvisit_roster = (roster, None)


def suggest(form: Widget, history: suggestions.History, names: tuple[str, ...] = SUGGESTED, prefix: str = "f") -> None:
    """Completions from the laptop's history on the form's fields `names` (ids `#<prefix>-<name>`):
    the matter form's unit, department, first owner and commitment, or the visit form's site
    and leaders (`VISIT_SUGGESTED`, prefix `v`)."""
    for name in names:
        field = form.query(f"#{prefix}-{name}")
        if field:
            field.first(Input).suggester = FromHistory(history, name)


def watch_roster(form: Widget, picker: PersonPicker) -> None:
    picker.watch_fields(*(form.query_one(f"#f-{name}", Input) for name in ("employee_no", "petitioner_name")))


def fill_person(form: Widget, picker: PersonPicker, person: Person, chosen: bool = True, source: Input | None = None) -> None:
    """Put a picked person in the form. Chosen in the list: the cursor goes past what the pick
    filled; taken by Enter alone (`chosen` False): it moves on from `source` as Enter does."""
    for name, value in person.as_fields().items():
        field = form.query_one(f"#f-{name}", Input)
        picker.remember_pick(field, value)
        field.value = value
    if chosen or source is None:
        form.query_one(f"#f-{AFTER_PICK}", Input).focus()
    else:
        form.screen.focus_next()


def fill_promised_date(form: Widget, commitment: str, visit_date: str | None) -> None:
    """A frequent commitment fills an empty promised date, from the visit's day (else today)."""
    try:
        start = dt.date.fromisoformat(visit_date) if visit_date else clock.today()
    except ValueError:
        return
    promised = suggestions.promised_date(commitment, start)
    field = form.query("#f-promised_date")
    if promised is not None and field and not field.first(Input).value.strip():
        field.first(Input).value = promised.isoformat()
