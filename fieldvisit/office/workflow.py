"""The petition office's work on a matter (docs/architecture.md §3): register, decide, assign, extend, give
feedback, reply, record satisfaction, review, re-review, close.

Every step is a stamped write through `Editor.change`, so it syncs and merges like any edit; a
status change also adds a `transitions` entry (who, when, why). Which status may follow which is
one table, `NEXT`; a step out of order is refused with a message saying what the matter is waiting for.
Beyond the order of statuses, steps follow the process: satisfaction is recorded only once the
petitioner has had an answer (a reply, or feedback face to face, or an on-site follow-up from a
laptop), a review only after a reply, no date of feedback or reply is after today, and every
matter keeps a first owner (首问责任人). Each refusal is an `InputError` naming the field by its label.
"""

from __future__ import annotations

import datetime as dt
from typing import Any, Callable

from fieldvisit.core import clock
from fieldvisit.editing.editor import TRANSITIONS, Editor
from fieldvisit.core.errors import InputError
from fieldvisit.core.i18n import label
from fieldvisit.core.model import check_not_after, clean_text, parse_date
from fieldvisit.office.policy import DEFAULT_POLICY, Policy, check_extension
from fieldvisit.core.records import entries, get_value, values
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


class Workflow:
    """The office's steps on matters, each one stamped write through the given editor."""

    def __init__(self, editor: Editor, policy: Policy = DEFAULT_POLICY, today: Callable[[], dt.date] = clock.today):
        self.editor = editor
        self.policy = policy
        self.today = today

    def _issue(self, issue_id: str) -> dict[str, Any]:
        return values(self.editor.load(ISSUES, issue_id))

    def move(self, issue_id: str, status: str, reason: str = "", extra: dict[str, Any] | None = None) -> None:
        """Change status (checked against `NEXT`), stamping the date the step happened; saved
        on the very read it was checked on (`Editor.change`'s `record`)."""
        record = self.editor.load(ISSUES, issue_id)
        issue = values(record)
        current = issue.get("status", "recorded")
        if status not in NEXT.get(current, ()):
            raise InputError("status", "error.workflow.not_now", status=label("status", status), current=label("status", current))
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
        issue = self._issue(issue_id)
        if not issue.get("replied_at"):
            raise InputError("status", "honest_deadlines.review_needs_reply")
        level = "re_review" if issue.get("review_decided_at") else "review"
        self.move(issue_id, level, _required(reason))

    def decide_review(self, issue_id: str, decision: str) -> None:
        status = self._issue(issue_id).get("status")
        self.move(issue_id, "replied" if status == "review" else "closed", _required(decision, "reason"))

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
        if not answered(self.editor.load(ISSUES, issue_id)):
            raise InputError("satisfaction", "honest_deadlines.not_replied")
        self.editor.change(ISSUES, issue_id, {"satisfaction": level, "satisfaction_comment": clean_text(comment, "satisfaction_comment")})

    def link_repeat(self, issue_id: str, earlier_id: str) -> None:
        """Mark a matter as a repeat (重复访) of an earlier one; the link is kept both ways by id."""
        if get_value(self.editor.load(ISSUES, earlier_id), "status") is None:
            raise InputError("repeat_of", "error.not_found", record_id=earlier_id)
        self.editor.change(ISSUES, issue_id, {"repeat": True}, entries={LINKS: {"kind": "repeat_of", "target": earlier_id}})


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
