"""The petition office's work on a matter (docs/architecture.md §3): register, decide, assign, extend, give
feedback, reply, record satisfaction, review, re-review, close.

Every step is a stamped write through `Editor.change`, so it syncs and merges like any edit; a
status change also adds a `transitions` entry (who, when, why). Which status may follow which is
one table, `NEXT`; a step out of order is refused with a message saying what the matter is waiting for.
Beyond the order of statuses, steps follow the process: satisfaction is recorded only once the
petitioner has had an answer (a reply, or feedback face to face, or an on-site follow-up from a
laptop), a review only after a reply, no date of feedback or reply is after today, and every
matter keeps a first owner (首问责任人). Each refusal is an `InputError` naming the field by its label.

Which steps can apply to a matter now is said once, by `Workflow.refusal` (and `possible_steps`,
what the matter screen offers): every step checks it before it writes. The last step on a matter
can be undone (`undo`) by a correcting step that restores the values it wrote and keeps both in
the history (`office.corrections`).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from fieldvisit.core import clock
from fieldvisit.core.errors import FieldVisitError, InputError
from fieldvisit.core.i18n import field_label, label
from fieldvisit.core.model import check_not_after, clean_text, parse_date
from fieldvisit.core.records import Record, entries, get_value, registers, values
from fieldvisit.editing.editor import EDITS, TRANSITIONS, Editor
from fieldvisit.office.corrections import UNDOES, is_correction, undone_stamps
from fieldvisit.office.policy import DEFAULT_POLICY, Policy, check_extension
from fieldvisit.stores.store import ISSUES

FEEDBACK = "feedback"
FOLLOWUPS = "followups"
"""On-site follow-ups added by laptops (`sync.rights.FOLLOW_UP_MAPS`): face-to-face feedback."""
LINKS = "links"
CHANNELS = ("face_to_face", "phone", "letter", "wechat")
SATISFACTION = ("satisfied", "basically_satisfied", "dissatisfied")

NEXT: dict[str, tuple[str, ...]] = {
    "recorded": ("registered", "accepted", "not_accepted", "transferred", "withdrawn"),
    "registered": ("accepted", "not_accepted", "transferred", "withdrawn"),
    "accepted": ("in_progress", "replied", "transferred"),
    "in_progress": ("replied", "transferred"),
    "replied": ("closed", "review", "re_review"),
    "review": ("replied",),
    "re_review": ("closed",),
    "not_accepted": ("closed", "registered"),
    "transferred": ("closed",),
    "withdrawn": (),
    "closed": ("review", "re_review"),
}
"""Status → the statuses that may follow it."""

DATE_OF = {
    "registered": "registered_at",
    "accepted": "accepted_at",
    "replied": "replied_at",
    "closed": "closed_at",
}

MOVES = {
    "register": "registered",
    "accept": "accepted",
    "not_accept": "not_accepted",
    "transfer": "transferred",
    "start": "in_progress",
    "reply": "replied",
    "close": "closed",
}
"""Step → the status it moves the matter to."""
STEPS = (*MOVES, "review", "decide_review", "assign", "extend", "feedback", "rate", "undo")
"""Every office step on a matter, by the name the matter screen's actions carry."""
ASSIGN_FIELDS = ("first_owner", "department", "assignee")
RATE_FIELDS = ("satisfaction", "satisfaction_comment")


@dataclass(frozen=True)
class Step:
    """An office step as its matter's history holds it: its stamp, its name (one of `STEPS`) and
    the fields it wrote."""

    stamp: str
    name: str
    fields: tuple[str, ...]


class Workflow:
    """The office's steps on matters, each one stamped write through the given editor."""

    def __init__(self, editor: Editor, policy: Policy = DEFAULT_POLICY, today: Callable[[], dt.date] = clock.today):
        self.editor = editor
        self.policy = policy
        self.today = today

    def _issue(self, issue_id: str) -> dict[str, Any]:
        return values(self.editor.load(ISSUES, issue_id))

    # -- what can apply now --------------------------------------------------------------

    def refusal(self, step: str, record: Record) -> FieldVisitError | None:
        """Why `step` cannot apply to the matter now, or None when it can: the one statement of
        the steps' preconditions, checked by every step and shown by the matter screen."""
        issue = values(record)
        current = issue.get("status") or "recorded"
        if step in MOVES:
            return _not_now(MOVES[step], current)
        if step == "review":
            if not issue.get("replied_at"):
                return InputError("status", "honest_deadlines.review_needs_reply")
            return _not_now(review_level(issue), current)
        if step == "decide_review":
            return None if current in ("review", "re_review") else InputError("status", "matter_actions.no_review", current=label("status", current))
        if step == "extend":
            try:
                check_extension(issue, 1, self.policy)
            except FieldVisitError as error:
                return error
            return None
        if step == "rate":
            return None if answered(record) else InputError("satisfaction", "honest_deadlines.not_replied")
        if step == "undo":
            return undo_refusal(record)
        if step in ("assign", "feedback"):
            return None
        raise ValueError(f"no such step: {step}")

    def possible_steps(self, record: Record) -> frozenset[str]:
        """The steps that can apply to the matter now (`refusal` says why the others cannot)."""
        return frozenset(step for step in STEPS if self.refusal(step, record) is None)

    def _require(self, step: str, record: Record) -> None:
        found = self.refusal(step, record)
        if found is not None:
            raise found

    # -- the steps -----------------------------------------------------------------------

    def move(self, issue_id: str, status: str, reason: str = "", extra: dict[str, Any] | None = None) -> None:
        """Change status (checked against `NEXT`), stamping the date the step happened; saved
        on the very read it was checked on (`Editor.change`'s `record`)."""
        record = self.editor.load(ISSUES, issue_id)
        issue = values(record)
        current = issue.get("status", "recorded")
        refused = _not_now(status, current)
        if refused is not None:
            raise refused
        today = self.today().isoformat()
        changes = {**(extra or {})}
        if status in DATE_OF and not (status == "replied" and issue.get("replied_at")):
            changes.setdefault(DATE_OF[status], today)  # a reply confirmed after review keeps its first date
        if status == "accepted" and not issue.get("registered_at"):
            changes["registered_at"] = today
        if status in ("not_accepted", "transferred"):  # the acceptance decision, kept for good in history
            changes["decided_at"] = today
        if status == "transferred":
            changes["transferred_at"] = today
        if status == "review" or (status == "re_review"):
            changes[f"{status}_requested_at"] = today
        if current in ("review", "re_review") and status in ("replied", "closed"):
            changes[f"{current}_decided_at"] = today
        transition = {"from": current, "to": status, "by": self.editor.actor, "reason": clean_text(reason, "reason")}
        self.editor.change(ISSUES, issue_id, {"status": status, **changes}, entries={TRANSITIONS: transition}, record=record)

    def register(self, issue_id: str) -> None:
        self.move(issue_id, "registered")

    def accept(self, issue_id: str, reason: str = "") -> None:
        self.move(issue_id, "accepted", reason)

    def not_accept(self, issue_id: str, reason: str) -> None:
        self.move(issue_id, "not_accepted", _required(reason))

    def transfer(self, issue_id: str, target: str, reason: str) -> None:
        self.move(issue_id, "transferred", _required(reason), {"transfer_to": _required(target, "transfer_to")})

    def start(self, issue_id: str) -> None:
        self.move(issue_id, "in_progress")

    def reply(self, issue_id: str, summary: str, when: str = "") -> None:
        """The reply to the petitioner, dated `when` (default today): not after today, and not
        before the matter was accepted."""
        summary = _required(summary, "reply")
        day = parse_date(when, "replied_at")
        extra = {"reply": summary}
        issue = self._issue(issue_id)
        if day and not issue.get("replied_at"):  # a reply confirmed after review keeps its first date
            check_not_after(day, self.today(), "replied_at")
            accepted = issue.get("accepted_at")
            if accepted and day < str(accepted)[:10]:
                raise InputError("replied_at", "honest_deadlines.before_acceptance", date=day, accepted=str(accepted)[:10])
            extra["replied_at"] = day
        self.move(issue_id, "replied", summary, extra)

    def close(self, issue_id: str, reason: str = "") -> None:
        self.move(issue_id, "closed", reason)

    def request_review(self, issue_id: str, reason: str) -> None:
        record = self.editor.load(ISSUES, issue_id)
        self._require("review", record)
        self.move(issue_id, review_level(values(record)), _required(reason))

    def decide_review(self, issue_id: str, decision: str) -> None:
        """The review's decision: the matter is replied to again; a re-review's closes it."""
        record = self.editor.load(ISSUES, issue_id)
        self._require("decide_review", record)
        self.move(issue_id, "replied" if get_value(record, "status") == "review" else "closed", _required(decision, "reason"))

    def assign(self, issue_id: str, first_owner: str | None = None, department: str | None = None, assignee: str | None = None) -> list[str]:
        """Set who answers for the matter; the first owner (首问责任人) can be changed, never cleared."""
        given = {"first_owner": first_owner, "department": department, "assignee": assignee}
        changes = {key: clean_text(value, key) for key, value in given.items() if value is not None}
        if not changes.get("first_owner", self._issue(issue_id).get("first_owner")):
            raise InputError("first_owner", "honest_deadlines.first_owner_required")
        return self.editor.change(ISSUES, issue_id, changes)

    def extend(self, issue_id: str, days: int, reason: str) -> None:
        """The one extension the policy allows, with its reason."""
        record = self.editor.load(ISSUES, issue_id)
        issue = values(record)
        check_extension(issue, days, self.policy)
        reason = _required(reason, "extension_reason")
        self.editor.change(
            ISSUES,
            issue_id,
            {"extension_days": int(issue.get("extension_days") or 0) + days, "extension_reason": reason},
            entries={TRANSITIONS: {"from": issue.get("status"), "to": issue.get("status"), "by": self.editor.actor, "reason": f"+{days}: {reason}"}},
            record=record,
        )

    def add_feedback(self, issue_id: str, channel: str, content: str, when: str = "", by: str = "") -> None:
        """Tell the petitioner something: who, when, by which channel, what."""
        if channel not in CHANNELS:
            raise InputError("channel", "error.bad_choice", value=channel)
        day = parse_date(when, "date") or self.today().isoformat()
        check_not_after(day, self.today(), "date")
        entry = {
            "by": clean_text(by or self.editor.actor, "by"),
            "date": day,
            "channel": channel,
            "content": _required(content, "content"),
        }
        self.editor.change(ISSUES, issue_id, {}, entries={FEEDBACK: entry})

    def rate(self, issue_id: str, level: str, comment: str = "") -> None:
        """The petitioner's satisfaction, once they have had an answer (`answered`)."""
        if level not in SATISFACTION:
            raise InputError("satisfaction", "error.bad_choice", value=level)
        self._require("rate", self.editor.load(ISSUES, issue_id))
        self.editor.change(ISSUES, issue_id, {"satisfaction": level, "satisfaction_comment": clean_text(comment, "satisfaction_comment")})

    def link_repeat(self, issue_id: str, earlier_id: str) -> None:
        """Mark a matter as a repeat (重复访) of an earlier one; the link is kept both ways by id."""
        if get_value(self.editor.load(ISSUES, earlier_id), "status") is None:
            raise InputError("repeat_of", "error.not_found", record_id=earlier_id)
        self.editor.change(ISSUES, issue_id, {"repeat": True}, entries={LINKS: {"kind": "repeat_of", "target": earlier_id}})

    def undo(self, issue_id: str) -> Step:
        """Undo the last step on the matter (`last_step`) by a correcting step: the values it
        wrote go back to what they were before it (status, dates, owner, …), and a `transitions`
        entry names the step it undid (`corrections.UNDOES`), who and when. Both stay in the
        history; the correction is not a step that can be undone itself, so undoing again takes
        back the step before. Saved on the read it was checked on, like every step."""
        record = self.editor.load(ISSUES, issue_id)
        self._require("undo", record)
        step = last_step(record)
        if step is None:  # `undo_refusal` has said so already; this keeps type checkers sure
            raise InputError("status", "matter_actions.nothing_to_undo")
        restored = restored_values(record, step)
        current = get_value(record, "status") or "recorded"
        transition = {"from": current, "to": restored.get("status", current), "by": self.editor.actor, "reason": "", UNDOES: step.stamp, "step": step.name}
        self.editor.change(ISSUES, issue_id, restored, entries={TRANSITIONS: transition}, record=record)
        return step


def review_level(issue: dict[str, Any]) -> str:
    """The review a petitioner may ask for now: a re-review once a review was decided."""
    return "re_review" if issue.get("review_decided_at") else "review"


def last_step(record: Record) -> Step | None:
    """The latest office step on the matter that no correction undid, or None: a status step or
    extension (`transitions`), an assignment or a satisfaction (`edits`). Feedback given and
    notices printed are things that happened, not steps to take back; a laptop's withdrawal
    is the recorder's, not the office's; a correction is not undone by another."""
    undone = undone_stamps(record)
    found: list[tuple[str, str]] = []
    for entry in entries(record, TRANSITIONS):
        if is_correction(entry) or "withdrawn" in (entry.get("from"), entry.get("to")) or entry["stamp"] in undone:
            continue
        found.append((entry["stamp"], _step_name(entry)))
    for entry in entries(record, EDITS):
        written = tuple(str(entry.get("fields") or "").split(","))
        if entry["stamp"] in undone or not written or not set(written) <= {*ASSIGN_FIELDS, *RATE_FIELDS}:
            continue
        found.append((entry["stamp"], "assign" if set(written) <= set(ASSIGN_FIELDS) else "rate"))
    if not found:
        return None
    stamp, name = max(found)
    fields = tuple(sorted(field for field in record["fields"] if any(register["stamp"] == stamp for register in registers(record, field))))
    return Step(stamp, name, fields)


def undo_refusal(record: Record) -> InputError | None:
    """Why the last step cannot be undone, or None: there is none, or a value it wrote was
    changed since (by a laptop, a merge, a settled conflict), which an undo would overwrite."""
    step = last_step(record)
    if step is None or not step.fields:
        return InputError("status", "matter_actions.nothing_to_undo")
    for field in step.fields:
        written = next(register for register in registers(record, field) if register["stamp"] == step.stamp)
        if get_value(record, field) != written["value"]:
            return InputError("status", "matter_actions.changed_since", name=field_label(field))
    return None


def _step_name(entry: dict[str, Any]) -> str:
    """The step a status entry records, by its from and to."""
    start, end = entry.get("from"), entry.get("to")
    if start == end:
        return "extend"
    if end in ("review", "re_review"):
        return "review"
    if start in ("review", "re_review") and end in ("replied", "closed"):
        return "decide_review"
    return next((step for step, status in MOVES.items() if status == end), "register")


def restored_values(record: Record, step: Step) -> dict[str, Any]:
    """The values undoing `step` writes: each field it wrote, as it was before."""
    return {field: _value_before(record, field, step.stamp) for field in step.fields}


def _value_before(record: Record, field: str, stamp: str) -> Any:
    """The value `field` had before the write under `stamp`: the register it replaced (None when
    it replaced none)."""
    found = registers(record, field)
    written = next(register for register in found if register["stamp"] == stamp)
    base = written.get("base")
    return next((register["value"] for register in found if register["stamp"] == base), None)


def _not_now(status: str, current: str) -> InputError | None:
    """The refusal of a move to `status` from `current` (`NEXT`), or None when it may follow."""
    if status in NEXT.get(current, ()):
        return None
    return InputError("status", "error.workflow.not_now", status=label("status", status), current=label("status", current))


def answered(record: dict[str, Any]) -> bool:
    """Whether the petitioner has had an answer to rate: a reply, feedback given face to face,
    or an on-site follow-up recorded on a laptop."""
    if get_value(record, "replied_at"):
        return True
    if any(entry.get("channel") == "face_to_face" for entry in entries(record, FEEDBACK)):
        return True
    return bool(record.get("maps", {}).get(FOLLOWUPS))


def _required(text: str, field: str = "reason") -> str:
    """`text` cleaned as a form's (`model.clean_text`: no control characters, within its length); never empty."""
    text = clean_text(text, field)
    if not text:
        raise InputError(field, "error.reason_required")
    return text
