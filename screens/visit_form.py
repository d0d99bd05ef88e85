"""A modal form to start a new visit or correct one: title, site, kind, date, leaders, recorder."""

from __future__ import annotations

from typing import Any

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Grid, Vertical
from textual.screen import ModalScreen
from textual.widgets import Input, Label, Select, Static

from fieldvisit.core import clock
from fieldvisit.core import model
from fieldvisit.core.errors import InputError
from fieldvisit.core.i18n import label, t
from fieldvisit.core.records import Record, values
from fieldvisit.core.text import one_line

FIELDS = ("title", "site", "site_kind", "date", "leaders", "recorder", "note")


class VisitFormScreen(ModalScreen[dict[str, Any] | None]):
    """Returns the raw form values when saved, None when cancelled."""

    CSS_PATH = "visit_form.tcss"
    BINDINGS = [
        Binding("ctrl+s", "save", t("action.save")),
        Binding("escape", "cancel", t("action.cancel")),
    ]

    def __init__(self, visit: Record | None = None, typed: dict[str, Any] | None = None):
        """`typed`: the raw values of a form whose save failed, shown again as they were."""
        super().__init__()
        self._initial = values(visit) if visit else {"date": clock.today().isoformat(), "site_kind": "mine_district"}
        self._typed = typed or {}

    def compose(self) -> ComposeResult:
        heading = "visit_form.edit" if "id" in self._initial else "visit_form.new"
        with Vertical(id="visit-form"):
            yield Static(t(heading), id="visit-form-title")
            with Grid(id="visit-form-grid"):
                for name in FIELDS:
                    yield Label(t(f"visit.{name}"), classes="form-label")
                    yield self._make_input(name)
            yield Static(t("visit_form.hint"), id="visit-form-hint")

    def _make_input(self, name: str):
        value = self._initial.get(name)
        if name == "leaders":
            value = model.leaders_text(value)
        value = self._typed.get(name, value)
        if name == "site_kind":
            options = [(label("site_kind", code), code) for code in model.SITE_KINDS]
            return Select(options, value=value or "other", allow_blank=False, id="v-site_kind", compact=True)
        placeholder = t(f"visit_form.placeholder.{name}") if name in ("leaders", "date") else ""
        return Input(value=one_line(value or ""), placeholder=placeholder, id=f"v-{name}", compact=True)

    def on_mount(self) -> None:
        # imported here: the visit form's only use of the capture aids
        from fieldvisit.screens.widgets import capture_aids

        capture_aids.suggest(self, capture_aids.history_of(self.app), capture_aids.VISIT_SUGGESTED, prefix="v")
        self.query_one("#v-title", Input).focus()

    def read(self) -> dict[str, Any]:
        raw: dict[str, Any] = {name: self.query_one(f"#v-{name}", Input).value for name in FIELDS if name != "site_kind"}
        raw["site_kind"] = self.query_one("#v-site_kind", Select).value
        return raw

    @on(Input.Submitted)
    def _enter(self, event: Input.Submitted) -> None:
        """Enter moves on; on the last field it saves."""
        event.stop()
        if event.input.id == f"v-{FIELDS[-1]}":
            self.action_save()
        else:
            self.focus_next()

    def action_save(self) -> None:
        raw = self.read()
        try:
            model.normalise_visit(raw)
        except InputError as error:
            self.notify(str(error), severity="error")
            self.query_one(f"#v-{error.field}").focus()
            return
        self.dismiss(raw)

    def action_cancel(self) -> None:
        self.dismiss(None)
