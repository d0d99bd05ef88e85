"""One matter in the office: everything about it, its deadlines, and every step of the work.

Each key opens a small form; the step is a stamped write through `Workflow`, so it syncs back to
the laptop and survives re-importing older bundles. Personal data is shown whole here, and only here.

Only the steps that can apply to the matter now are offered, in the footer and the palette
(`check_action`, from `Workflow.possible_steps`); the footer shows the keys used most, the
palette has them all. Accepting, closing and undoing the last step ask first, naming the matter.
"""

from __future__ import annotations

from collections.abc import Callable

from fieldvisit.screens.widgets.fitting_footer import FittingFooter
from fieldvisit.screens.confirm import ConfirmScreen
from fieldvisit.screens.form_modal import FormField, FormModal
from fieldvisit.screens.literal import literal
from rich.cells import cell_len
from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.screen import Screen
from textual.widgets import Footer, Header, Static

from fieldvisit.core import model
from fieldvisit.core.clock import local_minute
from fieldvisit.core.errors import FieldVisitError
from fieldvisit.core.i18n import field_label, label, t
from fieldvisit.core.records import entries, get_value, values
from fieldvisit.office.audit import office_followup_line
from fieldvisit.office.followups import FOLLOWUPS
from fieldvisit.office.notices import NOTICES, fitting
from fieldvisit.office.policy import (
    days_between,
    days_left,
    deadline_now,
    deadlines,
    issue_facts,
    step_on_time,
)
from fieldvisit.office.workflow import (
    CHANNELS,
    FEEDBACK,
    SATISFACTION,
    STEPS,
    last_step,
    restored_values,
)
from fieldvisit.stores.store import ISSUES, VISITS

DETAIL_FIELDS = (
    "petitioner_name", "employee_no", "unit", "phone", "people", "representatives", "category", "urgency",
    "demand", "detail", "onsite_answer", "commitment", "promised_date", "first_owner", "department", "assignee",
    "transfer_to", "reply", "extension_days", "extension_reason", "satisfaction", "satisfaction_comment",
)

COMPACT_BELOW = 100
"""Terminal width under which the footer is drawn compact (80 columns: a laptop's console)."""
LABELLED_FIELDS = ("category", "urgency", "satisfaction")
"""Fields holding a code that is shown by its translated label."""


class OfficeMatterScreen(Screen):
    CSS_PATH = "office_matter.tcss"
    # The footer shows the keys used most (it has room for them at 80 columns, with the steps
    # that cannot apply hidden); every other key is in the command palette.
    BINDINGS = [
        Binding("r", "register", t("office.register")),
        Binding("a", "accept", t("office.accept")),
        Binding("n", "not_accept", t("office.not_accept"), show=False),
        Binding("t", "transfer", t("office.transfer"), show=False),
        Binding("g", "assign", t("office.assign")),
        Binding("x", "extend", t("office.extend"), show=False),
        Binding("f", "feedback", t("office.feedback")),
        Binding("p", "reply", t("office.reply")),
        Binding("s", "rate", t("office.rate")),
        Binding("v", "review", t("office.review"), show=False),
        Binding("d", "decide_review", t("office.decide_review"), show=False),
        Binding("c", "close", t("office.close")),
        Binding("u", "undo", t("matter_actions.undo"), show=False),
        Binding("k", "conflicts", t("office.conflicts"), show=False),  # the heading names it when there are conflicts
        Binding("h", "history", t("office.history")),
        Binding("w", "notice", t("notices.print"), show=False),  # the notices part says when one fits
        Binding("o", "print_summary", t("action.print_summary"), show=False),
        Binding("escape", "back", t("action.back")),
    ]

    def __init__(self, issue_id: str):
        super().__init__()
        self.issue_id = issue_id
        self._possible: frozenset[str] = frozenset()
        self._conflicts = False
        self._notices = False

    def compose(self) -> ComposeResult:
        yield Header()
        yield Static(id="om-heading")
        with VerticalScroll(id="om-body"):
            yield Static(id="om-conflicts")  # on a line of its own: the heading is cut at 80 columns
            yield Static(id="om-title")
            yield Static(id="om-deadlines")
            yield Static(id="om-details")
            yield Static(id="om-feedback")
            yield Static(id="om-notices")
        yield FittingFooter()

    def on_mount(self) -> None:
        self.title = t("app.office_title")
        self.refresh_view()

    def on_screen_resume(self) -> None:
        """Back from a form, the history or a notice: show (and offer) the matter as it is now."""
        self.refresh_view()

    def on_resize(self) -> None:
        """Below `COMPACT_BELOW` columns the footer drops its padding: the keys used most fit."""
        self.query_one(Footer).compact = self.size.width < COMPACT_BELOW

    @property
    def workflow(self):
        return self.app.workflow

    def refresh_view(self) -> None:
        record = self.app.store.get(ISSUES, self.issue_id)
        self._offer(record)
        issue = issue_facts(record)  # the dates its history fixes: the clock never restarts
        visit = values(self.app.store.get(VISITS, issue.get("visit_id", "")) or {"id": "", "fields": {}})
        heading = f"{issue.get('ref', '')} · {label('status', issue.get('status'))} · {visit.get('site', '')} · {local_minute(issue.get('raised_at', ''))}"
        self.query_one("#om-heading", Static).update(literal(heading))
        conflicts = self.query_one("#om-conflicts", Static)
        conflicts.update(t("office.has_conflicts", count=len(record.get("conflicts") or ())))
        conflicts.display = bool(record.get("conflicts"))
        flags = "  ".join(label("flag", flag) for flag in model.FLAGS if issue.get(flag))
        self.query_one("#om-title", Static).update(Text.assemble(literal(issue.get("title", ""), "bold"), "  ", (flags, "italic")))
        self.query_one("#om-deadlines", Static).update(literal(self._deadlines_text(issue)))
        lines = []
        for name in DETAIL_FIELDS:
            value = issue.get(name)
            if value in (None, "", 0, False):
                continue
            shown = label(name, value) if name in LABELLED_FIELDS else value
            name_text = t(f"field.{name}")
            lines.append(f"{' ' * max(0, 10 - cell_len(name_text))}{name_text}  {shown}")
        self.query_one("#om-details", Static).update(literal("\n".join(lines)))
        feedback = [
            t("office.feedback_line", date=entry["date"], by=entry["by"], channel=label("channel", entry["channel"]), content=entry["content"])
            for entry in entries(record, FEEDBACK)
        ]
        text = "\n".join([t("office.feedback_heading"), *feedback]) if feedback else t("office.no_feedback")
        heard = [office_followup_line(entry) for entry in entries(record, FOLLOWUPS)]  # on a follow-up visit (回访)
        if heard:
            text += "\n" + "\n".join([t("report.followup.office_followup_heading"), *heard])
        self.query_one("#om-feedback", Static).update(literal(text))
        printed = notices_text(record)
        if self._notices:
            printed = "\n".join(line for line in (printed, t("matter_actions.notice_hint", kinds="、".join(t(f"notices.kind.{kind}") for kind in fitting(record)))) if line)
        self.query_one("#om-notices", Static).update(literal(printed))
        self.query_one("#om-notices", Static).display = bool(printed)

    def _offer(self, record: dict) -> None:
        """What the keys offer for the matter as it is now (`check_action`), the footer redrawn."""
        # A read-only app (beside another officer's) still offers them: the store refuses the
        # write with words saying why, which a hidden key could not.
        self._possible = self.workflow.possible_steps(record)
        self._conflicts = bool(record.get("conflicts"))
        self._notices = bool(fitting(record))
        self.refresh_bindings()

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        """Hide, from the footer and the palette, the steps that cannot apply to the matter now
        (the workflow says which: `Workflow.possible_steps`), the conflicts key when it has none,
        the notice key when no notice fits."""
        if action in STEPS:
            return action in self._possible
        if action == "conflicts":
            return self._conflicts
        if action == "notice":
            return self._notices
        return True

    def _deadlines_text(self, issue: dict) -> str:
        """What the matter waits on now (as the register shows it: `policy.deadline_now`), then
        every step so far with its verdict (`policy.step_on_time`): a late step stays late."""
        policy = self.app.workflow.policy
        today = self.app.register_index.today
        now = deadline_now(issue, policy, today)
        if now.deadline is not None:
            left = now.days_left or 0
            state = t("deadline.left", days=left) if left >= 0 else t("deadline.overdue", days=-left)
            head = t("honest_deadlines.now", step=t(f"deadline.{now.deadline.step}"), due=now.deadline.due.isoformat(), state=state)
        else:
            head = t(now.reason, target=issue.get("transfer_to") or "—", date=issue.get("transferred_at") or issue.get("decided_at") or "—")
        parts = []
        found = deadlines(issue, policy)
        for deadline in found:
            if deadline == now.deadline:
                continue  # shown above
            name = t(f"deadline.{deadline.step}")
            verdict = step_on_time(deadline, today)
            if deadline.done:
                late = days_between(deadline.due, deadline.done, policy)
                state = t("deadline.done_on_time", date=deadline.done.isoformat()) if verdict else t("honest_deadlines.done_late", date=deadline.done.isoformat(), days=late)
            elif verdict is False and deadline.owner == "office":
                state = t("deadline.overdue", days=-(days_left(deadline, today, policy)))
            else:
                state = t("honest_deadlines.open")
            parts.append(f"{name} {deadline.due.isoformat()} {state}")
        # Working days counted Monday to Friday for a year without holiday data: say so.
        note = policy.calendar_note(*(day for deadline in found if deadline.approximate for day in (deadline.start, deadline.due)))
        return "\n".join([head, *([" · ".join(parts)] if parts else []), *([note] if note else [])])

    # -- steps ----------------------------------------------------------------------------

    def _step(self, action: Callable[[], object], done_key: str) -> None:
        try:
            action()
        except FieldVisitError as error:
            self.notify(str(error), severity="error")
            return
        self.notify(t(done_key))
        self.refresh_view()

    def _ask(self, title_key: str, fields: list[FormField], then: Callable[[dict], object], done_key: str) -> None:
        """A form whose step runs on Ctrl+S: refused, the form stays open with what was typed."""

        def answered(found: dict | None) -> None:
            if found is not None:
                self.notify(t(done_key))
                self.refresh_view()

        self.app.push_screen(FormModal(t(title_key), fields, save=then), answered)

    def _reason(self, key: str = "field.reason") -> FormField:
        return FormField("reason", t(key), errors_for=("status",))

    def action_register(self) -> None:
        self._step(lambda: self.workflow.register(self.issue_id), "office.done")

    def _confirmed(self, title: str, key: str, then: Callable[[], None], body: str = "") -> None:
        """Ask first, naming the matter by its reference and title (shown literally); only a
        yes runs `then`: Esc, n or Cancel leave the matter as it is."""
        issue = values(self.app.store.get(ISSUES, self.issue_id))
        named = f"{issue.get('ref', '')}  {issue.get('title', '')}"
        self.app.push_screen(
            ConfirmScreen(title, "\n".join(part for part in (named, body) if part), key),
            lambda yes: then() if yes else None,
        )

    def action_accept(self) -> None:
        self._confirmed(t("matter_actions.confirm_accept"), t("matter_actions.confirm_accept_key"), lambda: self._step(lambda: self.workflow.accept(self.issue_id), "office.done"))

    def action_not_accept(self) -> None:
        self._ask("office.not_accept", [self._reason()], lambda v: self.workflow.not_accept(self.issue_id, v["reason"]), "office.done")

    def action_transfer(self) -> None:
        fields = [FormField("target", t("field.transfer_to"), errors_for=("transfer_to",)), self._reason()]
        self._ask("office.transfer", fields, lambda v: self.workflow.transfer(self.issue_id, v["target"], v["reason"]), "office.done")

    def action_assign(self) -> None:
        issue = values(self.app.store.get(ISSUES, self.issue_id))
        fields = [FormField(name, t(f"field.{name}"), value=issue.get(name, "")) for name in ("first_owner", "department", "assignee")]
        fields[0] = FormField("first_owner", t("field.first_owner"), value=issue.get("first_owner", ""), errors_for=("status",))
        self._ask("office.assign", fields, lambda v: self.workflow.assign(self.issue_id, **v), "office.done")

    def action_extend(self) -> None:
        fields = [FormField("days", t("office.extend_days"), value="30", errors_for=("status", "extension_days")), FormField("reason", t("field.reason"), errors_for=("extension_reason",))]
        self._ask("office.extend", fields, lambda v: self.workflow.extend(self.issue_id, _int(v["days"]), v["reason"]), "office.done")

    def action_feedback(self) -> None:
        fields = [
            FormField("channel", t("office.channel"), tuple((label("channel", code), code) for code in CHANNELS)),
            FormField("content", t("office.content"), errors_for=("status",)),
            FormField("when", t("office.when"), value=self.workflow.today().isoformat(), errors_for=("date",)),
        ]
        self._ask("office.feedback", fields, lambda v: self.workflow.add_feedback(self.issue_id, v["channel"], v["content"], v["when"]), "office.done")

    def action_reply(self) -> None:
        fields = [
            FormField("summary", t("office.reply_summary"), errors_for=("reply", "status")),
            FormField("when", field_label("replied_at"), value=self.workflow.today().isoformat(), errors_for=("replied_at",)),
        ]
        self._ask("office.reply", fields, lambda v: self.workflow.reply(self.issue_id, v["summary"], v["when"]), "office.done")

    def action_rate(self) -> None:
        fields = [
            FormField("level", t("field.satisfaction"), tuple((label("satisfaction", code), code) for code in SATISFACTION), errors_for=("satisfaction",)),
            FormField("comment", t("field.satisfaction_comment"), errors_for=("satisfaction_comment",)),
        ]
        self._ask("office.rate", fields, lambda v: self.workflow.rate(self.issue_id, v["level"], v["comment"]), "office.done")

    def action_review(self) -> None:
        self._ask("office.review", [self._reason()], lambda v: self.workflow.request_review(self.issue_id, v["reason"]), "office.done")

    def action_decide_review(self) -> None:
        self._ask("office.decide_review", [self._reason("office.decision")], lambda v: self.workflow.decide_review(self.issue_id, v["reason"]), "office.done")

    def action_close(self) -> None:
        self._confirmed(t("matter_actions.confirm_close"), t("matter_actions.confirm_close_key"), lambda: self._step(lambda: self.workflow.close(self.issue_id), "office.done"))

    def action_undo(self) -> None:
        """Undo the last step by a correcting step (`Workflow.undo`), once the officer said yes
        to what it undoes and the status it leaves."""
        record = self.app.store.get(ISSUES, self.issue_id)
        step = last_step(record)
        if step is None:
            return
        name = t(f"matter_actions.step.{step.name}")
        status = restored_values(record, step).get("status") or get_value(record, "status")
        body = t("matter_actions.undo_body", status=label("status", status))

        def undo() -> None:
            try:
                self.workflow.undo(self.issue_id)
            except FieldVisitError as error:
                self.notify(str(error), severity="error")
                return
            self.notify(t("matter_actions.undone", step=name))
            self.refresh_view()

        self._confirmed(t("matter_actions.confirm_undo", step=name), t("matter_actions.confirm_undo_key"), undo, body)

    def action_conflicts(self) -> None:
        # imported when first needed: the app starts without it
        from fieldvisit.screens.conflicts import ConflictsScreen

        self.app.push_screen(ConflictsScreen(self.issue_id), lambda _: self.refresh_view())

    def action_history(self) -> None:
        # imported when first needed: the app starts without it
        from fieldvisit.screens.history import HistoryScreen

        self.app.push_screen(HistoryScreen(self.issue_id))

    def action_print_summary(self) -> None:
        # imported when first needed: the app starts without it
        from fieldvisit.screens.print_key import print_summary

        print_summary(self, values(self.app.store.get(ISSUES, self.issue_id)).get("visit_id", ""))

    def action_notice(self) -> None:
        # imported when first needed: the app starts without it
        from fieldvisit.screens.notice_key import offer_notice

        offer_notice(self, self.issue_id, self.refresh_view)

    def action_back(self) -> None:
        self.app.pop_screen()


def notices_text(record: dict) -> str:
    """The written notices printed for the matter, one line each; "" when none was."""
    lines = [
        t("notices.printed_line", kind=t(f"notices.kind.{entry.get('kind')}"), lang=t(f"notices.lang.{entry.get('lang')}"), at=local_minute(entry.get("at", "")), by=entry.get("by", ""))
        for entry in entries(record, NOTICES)
    ]
    return "\n".join([t("notices.printed_heading"), *lines]) if lines else ""


def _int(text: str) -> int:
    try:
        return int(str(text).strip())
    except ValueError:
        return 0
