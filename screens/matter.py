"""One matter in full: edit every field, withdraw or restore it, see what happened to it."""

from __future__ import annotations

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import Screen
from textual.widgets import Header, Static

from fieldvisit.core import model
from fieldvisit.core.clock import local_minute
from fieldvisit.core.errors import FieldVisitError, InputError
from fieldvisit.core.i18n import label, t
from fieldvisit.core.records import entries, values
from fieldvisit.screens.widgets.fitting_footer import FittingFooter
from fieldvisit.screens.faults import tell_not_saved
from fieldvisit.screens.literal import literal
from fieldvisit.screens.reason import ReasonScreen
from fieldvisit.screens.widgets import capture_aids
from fieldvisit.screens.widgets.matter_form import MatterForm
from fieldvisit.screens.widgets.person_picker import PersonPicker


class MatterScreen(Screen):
    CSS_PATH = "matter.tcss"
    BINDINGS = [
        Binding("ctrl+s", "save", t("action.save")),
        Binding("ctrl+r", "withdraw_or_restore", t("action.withdraw_restore")),
        Binding("escape", "back", t("action.back")),
    ]

    def __init__(self, issue_id: str):
        super().__init__()
        self.issue_id = issue_id
        self._leave_unsaved = False

    def _record(self) -> dict:
        return self.app.store.get("issues", self.issue_id)

    def compose(self) -> ComposeResult:
        yield Header()
        yield Static(id="matter-heading")
        with Vertical(id="matter-body"):
            yield MatterForm(values(self._record()), id="matter-form")
            yield Static(id="matter-history")
        yield PersonPicker(capture_aids.roster_of(self.app)[0], id="person-picker")
        yield FittingFooter()

    def on_mount(self) -> None:
        self.title = t("app.field_title")
        self.refresh_view()
        form = self.query_one(MatterForm)
        # the same aids as quick capture: completions from history, the roster's pick list
        capture_aids.suggest(form, capture_aids.history_of(self.app))
        capture_aids.watch_roster(form, self.query_one(PersonPicker))
        form.focus_first()

    @on(PersonPicker.Picked)
    def _picked(self, event: PersonPicker.Picked) -> None:
        capture_aids.fill_person(self.query_one(MatterForm), event.picker, event.person, event.chosen, event.field)

    def refresh_view(self) -> None:
        record = self._record()
        issue = values(record)
        status = label("status", issue.get("status"))
        heading = f"{issue.get('ref', '')} · {status} · {t('matter.raised_at')} {local_minute(issue.get('raised_at', ''))}"
        if self.issue_id in self.app.store.damaged_matters():
            heading += f" · {t('error.fault.unreadable')}"
        self.query_one("#matter-heading", Static).update(literal(heading))
        self.set_class(issue.get("status") == "withdrawn", "-withdrawn")
        lines = [t("matter.history")]
        recorded = t("matter.recorded_line", at=local_minute(issue.get("raised_at", "")), by=issue.get("recorded_by", ""))
        lines.append(f"  {recorded}")
        for entry in entries(record, "transitions"):
            line = f"  {local_minute(entry['at'])}  {label('status', entry['from']) or '—'} → {label('status', entry['to'])}"
            if entry.get("by"):
                line += f"  {entry['by']}"
            if entry.get("reason"):
                line += f"  「{entry['reason']}」"
            lines.append(line)
        self.query_one("#matter-history", Static).update(literal("\n".join(lines)))

    def action_save(self) -> None:
        self.query_one(MatterForm).submit()

    @on(MatterForm.Submitted)
    def _save(self, event: MatterForm.Submitted) -> None:
        try:
            changed = self.app.editor.update_issue(self.issue_id, event.values)
        except InputError as error:
            event.form.show_error(error.field, str(error))
            return
        except (FieldVisitError, OSError) as error:  # the form keeps what was typed
            tell_not_saved(self, error)
            return
        self.notify(t("matter.saved", count=len(changed)) if changed else t("matter.unchanged"))
        self._leave_unsaved = False
        self.refresh_view()

    def action_withdraw_or_restore(self) -> None:
        if values(self._record()).get("status") == "withdrawn":
            try:
                self.app.editor.restore_issue(self.issue_id)
            except (FieldVisitError, OSError) as error:
                tell_not_saved(self, error, kept_in_form=False)
                return
            self.notify(t("matter.restored"))
            self.refresh_view()
        else:
            self.app.push_screen(ReasonScreen(t("matter.withdraw_prompt")), self._withdraw)

    def _withdraw(self, reason: str | None) -> None:
        if reason:
            try:
                self.app.editor.withdraw_issue(self.issue_id, reason)
            except (FieldVisitError, OSError) as error:
                tell_not_saved(self, error, kept_in_form=False)
                return
            self.notify(t("matter.withdrawn"))
            self.refresh_view()

    def action_back(self) -> None:
        """Leaving with changes not saved asks first."""
        if self._has_unsaved_changes() and not self._leave_unsaved:
            from fieldvisit.screens.confirm import ConfirmScreen

            def leave(confirmed: bool | None) -> None:
                if confirmed:
                    self.app.pop_screen()

            self.app.push_screen(ConfirmScreen(t("matter_leave.title"), t("matter_leave.body"), t("matter_leave.leave")), leave)
            return
        self.app.pop_screen()

    def before_quit(self) -> tuple[str, str, str] | None:
        """Ctrl+Q asks first when changes are not saved (`BaseApp.action_quit`)."""
        if self._has_unsaved_changes():
            return (t("quit_guard.title"), t("matter_leave.body"), t("quit_guard.quit"))
        return None

    def _has_unsaved_changes(self) -> bool:
        try:
            typed = model.normalise_issue(self.query_one(MatterForm).read())
        except InputError:
            return True
        stored = values(self._record())
        return any(stored.get(name, _empty(value)) != value for name, value in typed.items())


def _empty(value: object) -> object:
    """What a field never written counts as, so an untouched form is not 'changed'."""
    return {bool: False, int: 1, str: ""}.get(type(value), None)
