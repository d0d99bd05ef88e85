"""Back to the site (回访): which matters a leader takes back to a site, whether what was promised
was kept, what is still owed, and the feedback given there face to face.

The rules, so a person can check every line of the follow-up view and list by hand:

- **Site.** Matters belong to the site of the visit they were raised on; site names are compared
  with surrounding spaces dropped, inner runs of spaces as one, and case folded (`site_key`).
- **Due for follow-up.** A matter is due when it is not withdrawn and either still open (any
  status but closed, not accepted or transferred), or concluded (one of those three) and not yet
  followed up face to face since: no `followups` entry stamped after its current `status`.
  A matter followed up on the visit being shown stays in view, so the leader sees what was said.
- **Promise.** `promised_date` against the office's answer (`replied_at`, else `closed_at`, else
  the date a not-accepted / transferred decision was made): kept when answered by that day, kept
  late after it, overdue when unanswered past it, pending before it; none without a date.
- **Satisfaction.** One rating per matter: the latest by stamp of the office's `satisfaction`
  register and the follow-ups that carry a rating (`effective_rating`). A rating heard face to
  face replaces an older office rating and an office rating replaces an older face-to-face one,
  so statistics never count a matter twice.
- **Which laptop may write them.** `export --office --device X` first lists X in
  `follow_up_devices` of every matter due at a site X has visits to (`mark_for_device`); the
  office's rights table then lets X add `followups` entries to those matters.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from fieldvisit.core import clock
from fieldvisit.core.errors import InputError
from fieldvisit.core.model import clean_text, parse_date
from fieldvisit.core.records import Record, entries, get_value, values
from fieldvisit.editing.editor import Editor
from fieldvisit.office.policy import DEFAULT_POLICY, Deadline, Policy, PolicyError, current_deadline, days_left, deadlines, issue_facts
from fieldvisit.office.workflow import FOLLOWUPS, SATISFACTION
from fieldvisit.stores.store import ISSUES, VISITS, Store

FOLLOW_UP_DEVICES = "follow_up_devices"
CONCLUDED = ("closed", "not_accepted", "transferred")
ANSWERED = ("replied", "review", "re_review", *CONCLUDED)
"""Statuses in which the office has told the petitioner something to take back to the site."""


@dataclass(frozen=True)
class Promise:
    """What became of a commitment's date: `state` is none, kept, kept_late, pending or overdue;
    `days` is the days left (pending), overdue (overdue) or late (kept_late)."""

    state: str
    due: dt.date | None = None
    days: int = 0


@dataclass(frozen=True)
class Rating:
    level: str
    reason: str
    source: str  # "face_to_face" or "office"
    stamp: str


@dataclass(frozen=True)
class FollowUpMatter:
    """One matter as the follow-up view and list show it."""

    issue: dict[str, Any]
    """The matter's values plus `decided_at` (`policy.issue_facts`)."""
    visit: dict[str, Any]
    promise: Promise
    deadlines: list[Deadline]
    owed: list[tuple[str, dict[str, Any]]]
    """What is still owed, as (`followup.owed.<key>`, parameters) to put into words."""
    followups: list[dict[str, Any]] = field(default_factory=list)
    rating: Rating | None = None
    days_left: tuple[int | None, ...] = ()
    """Per deadline, the days left (negative once overdue, by the policy's count); None when done."""


def site_key(site: str | None) -> str:
    return " ".join(str(site or "").split()).casefold()


def is_due(record: Record) -> bool:
    status = get_value(record, "status") or "recorded"
    if status == "withdrawn":
        return False
    if status not in CONCLUDED:
        return True
    status_stamp = record["fields"].get("status", {}).get("stamp", "")
    return not any(entry["stamp"] > status_stamp for entry in entries(record, FOLLOWUPS))


def answered_on(facts: dict[str, Any]) -> dt.date | None:
    for name in ("replied_at", "closed_at", "decided_at"):
        text = str(facts.get(name) or "")[:10]
        if text:
            try:
                return dt.date.fromisoformat(text)
            except ValueError:
                continue
    return None


def promise(facts: dict[str, Any], today: dt.date) -> Promise:
    try:
        due = dt.date.fromisoformat(str(facts.get("promised_date") or ""))
    except ValueError:
        return Promise("none")
    answered = answered_on(facts) if facts.get("status") in ANSWERED else None
    if answered is not None:
        return Promise("kept", due) if answered <= due else Promise("kept_late", due, (answered - due).days)
    if today > due:
        return Promise("overdue", due, (today - due).days)
    return Promise("pending", due, (due - today).days)


def owed(facts: dict[str, Any], kept: Promise, followed_since: bool, policy: Policy = DEFAULT_POLICY) -> list[tuple[str, dict[str, Any]]]:
    """What the office or the leader still owes the petitioner, most pressing first."""
    found: list[tuple[str, dict[str, Any]]] = []
    if kept.state in ("pending", "overdue"):
        found.append((f"promise_{kept.state}", {"commitment": facts.get("commitment") or "—", "due": kept.due.isoformat(), "days": kept.days}))
    status = facts.get("status") or "recorded"
    try:
        waiting = current_deadline(facts, policy)
    except PolicyError:
        waiting = None
    if waiting is not None and waiting.owner == "office":
        found.append(("step", {"step": waiting.step, "due": waiting.due.isoformat()}))
    elif status not in ANSWERED and status != "withdrawn":
        found.append(("answer", {}))
    if status in ANSWERED and not followed_since:
        found.append(("tell", {}))
    return found


def effective_rating(record: Record) -> Rating | None:
    """The latest rating by stamp: the office's `satisfaction` or a face-to-face one."""
    found: list[Rating] = []
    register = record["fields"].get("satisfaction")
    if register and register["value"] in SATISFACTION:
        comment = get_value(record, "satisfaction_comment") or ""
        found.append(Rating(register["value"], comment, "office", register["stamp"]))
    for entry in entries(record, FOLLOWUPS):
        if entry.get("satisfaction") in SATISFACTION:
            found.append(Rating(entry["satisfaction"], str(entry.get("reason") or ""), "face_to_face", entry["stamp"]))
    return max(found, key=lambda rating: rating.stamp, default=None)


def rating_level(record: Record) -> str:
    """The level of the rating that counts (`effective_rating`), "" when not rated: one rule
    for the register's "dissatisfied" filter, the statistics and the period report."""
    rating = effective_rating(record)
    return "" if rating is None else rating.level


def rated_values(record: Record) -> dict[str, Any]:
    """A matter's facts (`policy.issue_facts`: its values and the dates its history fixes) with
    `satisfaction` the effective rating and `satisfaction_face_to_face` True when it was heard
    on site: what statistics count (`stats.period_stats`)."""
    found = issue_facts(record)
    rating = effective_rating(record)
    if rating is None:
        found.pop("satisfaction", None)
    else:
        found["satisfaction"] = rating.level
        found["satisfaction_face_to_face"] = rating.source == "face_to_face"
    return found


def site_matters(
    store: Store,
    site: str,
    context_visit_id: str | None = None,
    today: dt.date | None = None,
    policy: Policy = DEFAULT_POLICY,
) -> list[FollowUpMatter]:
    """The matters due for follow-up at `site`, oldest visit first. With `context_visit_id` (the
    visit being made), that visit's own matters and those of later visits are left out, and the
    matters followed up on it are kept in view."""
    today = today or clock.today()
    key = site_key(site)
    visits = {record["id"]: values(record) for record in store.records(VISITS) if site_key(get_value(record, "site")) == key}
    context = visits.pop(context_visit_id, None) if context_visit_id else None
    if context is not None:
        visits = {vid: visit for vid, visit in visits.items() if (visit.get("date") or "") <= (context.get("date") or "9999")}
    found = []
    for record in store.records(ISSUES):
        visit = visits.get(get_value(record, "visit_id"))
        if visit is None:
            continue
        here = context_visit_id is not None and any(entry.get("visit_id") == context_visit_id for entry in entries(record, FOLLOWUPS))
        if not (is_due(record) or (here and get_value(record, "status") != "withdrawn")):
            continue
        found.append(follow_up_matter(record, visit, today, policy))
    return sorted(found, key=lambda item: (item.visit.get("date") or "", item.issue.get("ref") or "", item.issue["id"]))


def follow_up_matter(record: Record, visit: dict[str, Any], today: dt.date, policy: Policy = DEFAULT_POLICY) -> FollowUpMatter:
    facts = issue_facts(record)
    kept = promise(facts, today)
    status_stamp = record["fields"].get("status", {}).get("stamp", "")
    notes = entries(record, FOLLOWUPS)
    followed_since = any(entry["stamp"] > status_stamp for entry in notes)
    try:
        steps = deadlines(facts, policy)
    except PolicyError:
        steps = []
    left = tuple(None if step.done is not None else days_left(step, today, policy) for step in steps)
    return FollowUpMatter(facts, visit, kept, steps, owed(facts, kept, followed_since, policy), notes, effective_rating(record), left)


def followup_entry(content: str, satisfaction: str = "", reason: str = "", by: str = "", when: str = "", visit_id: str = "", today: dt.date | None = None) -> dict[str, Any]:
    """A face-to-face follow-up as it is saved: what the petitioner was told, and how satisfied
    they are. Something must be said or rated; a dissatisfied rating needs its reason."""
    content = clean_text(content, "content")
    reason = clean_text(reason, "reason")
    satisfaction = satisfaction or ""
    if satisfaction not in ("", *SATISFACTION):
        raise InputError("satisfaction", "error.bad_choice", value=satisfaction)
    if not content and not satisfaction:
        raise InputError("content", "error.followup.empty")
    if satisfaction == "dissatisfied" and not reason:
        raise InputError("reason", "error.followup.reason_required")
    entry = {
        "by": clean_text(by, "by"),
        "date": parse_date(when, "date") or (today or clock.today()).isoformat(),
        "channel": "face_to_face",
        "content": content,
        "satisfaction": satisfaction,
        "reason": reason,
    }
    if visit_id:
        entry["visit_id"] = visit_id
    return entry


def record_followup(editor: Editor, issue_id: str, entry: dict[str, Any]) -> None:
    """Save one follow-up (from `followup_entry`): a stamped grow-only entry, synced like any edit."""
    editor.change(ISSUES, issue_id, {}, entries={FOLLOWUPS: entry})


def device_sites(store: Store, device_id: str) -> set[str]:
    """The sites (by `site_key`) of the visits recorded on one laptop."""
    return {site_key(get_value(visit, "site")) for visit in store.records(VISITS) if get_value(visit, "device") == device_id}


def due_for_device(store: Store, device_id: str) -> list[Record]:
    """The matters due for follow-up at the sites a laptop visits, whoever recorded them."""
    sites = device_sites(store, device_id)
    site_of = {visit["id"]: site_key(get_value(visit, "site")) for visit in store.records(VISITS)}
    return [record for record in store.records(ISSUES) if site_of.get(get_value(record, "visit_id")) in sites and is_due(record)]


def mark_for_device(editor: Editor, device_id: str) -> int:
    """List `device_id` in `follow_up_devices` of every matter due at its sites, in one store
    write; how many were newly listed. A laptop once listed stays listed (it may still bring back
    what it heard on site after the matter was concluded)."""
    changes = {}
    for record in due_for_device(editor.store, device_id):
        listed = list(get_value(record, FOLLOW_UP_DEVICES) or [])
        if device_id not in listed:
            changes[record["id"]] = {FOLLOW_UP_DEVICES: sorted([*listed, device_id])}
    return editor.change_many(ISSUES, changes)
