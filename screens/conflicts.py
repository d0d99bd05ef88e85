"""Concurrent edits of one matter, side by side: keep the current value, take the other, or write one."""

from __future__ import annotations

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Input, OptionList, Static
from textual.widgets.option_list import Option

from fieldvisit.core.clock import stamp_time
from fieldvisit.core.i18n import field_label, t
from fieldvisit.office.audit import writer
from fieldvisit.screens.literal import literal_line
from fieldvisit.stores.store import ISSUES


class ConflictsScreen(ModalScreen[bool]):
    """Enter on a value settles that field with it; a typed value settles it with that."""

    CSS_PATH = "conflicts.tcss"
    BINDINGS = [Binding("escape", "close", t("action.back"))]

    def __init__(self, issue_id: str):
        super().__init__()
        self.issue_id = issue_id

    def compose(self) -> ComposeResult:
        with Vertical(id="conflicts-box"):
            yield Static(t("conflicts.heading"), id="conflicts-heading")
            yield OptionList(id="conflicts-options")
            yield Input(placeholder=t("conflicts.own_value"), id="conflicts-own", compact=True)

    def on_mount(self) -> None:
        self._fill()

    def _fill(self) -> None:
        record = self.app.store.get(ISSUES, self.issue_id)
        who = writer(record)
        options = self.query_one(OptionList)
        options.clear_options()
        for conflict in record.get("conflicts", []):
            field = conflict["field"]
            current = record["fields"][field]
            options.add_option(Option(literal_line(field_label(field)), disabled=True))
            options.add_option(Option(literal_line(f"  {t('conflicts.keep')}: {current['value']}  ({_who(current['stamp'], who)})"), id=f"{field}|keep"))
            options.add_option(Option(literal_line(f"  {t('conflicts.take')}: {conflict['value']}  ({_who(conflict['stamp'], who)})"), id=f"{field}|{conflict['stamp']}"))
        if not record.get("conflicts"):
            options.add_option(Option(t("conflicts.none"), disabled=True))
        options.focus()

    @on(OptionList.OptionSelected)
    def _chosen(self, event: OptionList.OptionSelected) -> None:
        field, which = event.option.id.split("|", 1)
        record = self.app.store.get(ISSUES, self.issue_id)
        if which == "keep":
            value = record["fields"][field]["value"]
        else:
            value = next(c["value"] for c in record["conflicts"] if c["field"] == field and c["stamp"] == which)
        self._settle(field, value)

    @on(Input.Submitted, "#conflicts-own")
    def _own(self, event: Input.Submitted) -> None:
        options = self.query_one(OptionList)
        highlighted = options.get_option_at_index(options.highlighted) if options.highlighted is not None else None
        if highlighted is None or not highlighted.id or not event.value.strip():
            return
        self._settle(highlighted.id.split("|", 1)[0], event.value.strip())

    def _settle(self, field: str, value: object) -> None:
        self.app.editor.resolve_conflict(ISSUES, self.issue_id, field, value)
        self.notify(t("conflicts.settled", field=field_label(field)))
        self._fill()

    def action_close(self) -> None:
        self.dismiss(True)


def _who(stamp: str, who) -> str:
    """When and by whom (the officer's or recorder's name, else the device): `office.audit.writer`."""
    return f"{stamp_time(stamp)} · {who(stamp)}"
