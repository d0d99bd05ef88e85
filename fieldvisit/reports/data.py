"""What a visit summary or a period report needs, gathered from a store: values, no formatting.

Redaction happens here, once, so no renderer can leak what `--redact` hides: phone numbers and
employee numbers are masked, and petitioners' and representatives' names too, wherever the
name also appears in the matter's own text.
"""

from __future__ import annotations

import re
import datetime as dt
from collections import Counter
from dataclasses import dataclass
from dataclasses import field as dataclass_field
from typing import Any, Iterable

from fieldvisit.core import model
from fieldvisit.core.errors import NotFoundError
from fieldvisit.office.policy import DEFAULT_POLICY, Policy, PolicyError, deadlines
from fieldvisit.core.privacy import mask_digits, mask_employee_no, mask_name
from fieldvisit.core.records import entries, values
from fieldvisit.core.references import device_short
from fieldvisit.office.followups import rated_values
from fieldvisit.office.stats import PeriodStats, ended_by, late_at, period_stats
from fieldvisit.stores.store import ISSUES, VISITS, Store

MATTER_TEXT = ("title", "demand", "detail", "onsite_answer", "commitment", "representatives")
OVERDUE_LISTED = 200
"""The longest overdue list a report prints; the rest are counted in one line."""


@dataclass(frozen=True)
class VisitSummary:
    visit: dict[str, Any]
    device: str
    matters: list[dict[str, Any]]
    """Every matter of the visit (withdrawn ones too, marked by status), by reference."""
    by_category: dict[str, int]
    """Matters per category, withdrawn ones left out, catalogue order, zeros dropped."""
    withdrawn: int
    steps: dict[str, list[tuple[str, str, str]]] = dataclass_field(default_factory=dict)
    """Per matter id, its office steps in order: (date, status it moved to, the officer who did it)."""


@dataclass(frozen=True)
class OverdueMatter:
    ref: str
    title: str
    category: str
    step: str
    due: dt.date
    days: int
    department: str
    assignee: str
    first_owner: str


@dataclass(frozen=True)
class PeriodReport:
    stats: PeriodStats
    site: str | None
    as_of: dt.date
    overdue: list[OverdueMatter]
    """The longest overdue first, at most `OVERDUE_LISTED`; `stats.overdue` is the full count."""
    due_soon_days: int = DEFAULT_POLICY.due_soon_days
    """The policy's "due soon" (`stats.due_soon` counts by it), for the report to name."""


def visit_summary(store: Store, visit_id: str, redact: bool = False) -> VisitSummary:
    record = store.get(VISITS, visit_id) or _by_prefix(store, visit_id)
    visit = values(record)
    records = [issue for issue in store.records(ISSUES) if issue["fields"].get("visit_id", {}).get("value") == visit["id"]]
    steps = {issue["id"]: [(str(e.get("at") or "")[:10], str(e.get("to") or ""), str(e.get("by") or "")) for e in entries(issue, "transitions")] for issue in records}
    matters = sorted((values(issue) for issue in records), key=lambda issue: (issue.get("ref") or "", issue["id"]))
    if redact:
        matters = [redacted(issue) for issue in matters]
    counts = Counter(issue.get("category") or "other" for issue in matters if issue.get("status") != "withdrawn")
    by_category = {category: counts[category] for category in (*model.DEFAULT_CATEGORIES, *sorted(set(counts) - set(model.DEFAULT_CATEGORIES))) if counts[category]}
    meta = store.meta()
    device_id = visit.get("device") or ""
    device = meta.get("device_name") if meta.get("device_id") == device_id and meta.get("device_name") else device_short(device_id)
    withdrawn = sum(issue.get("status") == "withdrawn" for issue in matters)
    return VisitSummary(visit, device or "", matters, by_category, withdrawn, {key: found for key, found in steps.items() if found})


def redacted(issue: dict[str, Any]) -> dict[str, Any]:
    """The matter with phone and employee number masked and names hidden, in fields and text."""
    found = dict(issue)
    masks = {"phone": mask_digits, "employee_no": mask_employee_no}
    for field, mask in masks.items():
        if found.get(field):
            found[field] = mask(found[field])
    names = [name for name in [found.get("petitioner_name") or ""] + _split_names(found.get("representatives") or "") if len(name) > 1]
    for field in ("petitioner_name", *MATTER_TEXT):
        text = found.get(field)
        if isinstance(text, str):
            for name in sorted(names, key=len, reverse=True):
                text = text.replace(name, mask_name(name))
            found[field] = text
    for field, mask in masks.items():  # a phone or employee number repeated in the matter's text
        number = (issue.get(field) or "").strip()
        if len(number) < 3:
            continue
        for name in MATTER_TEXT:
            if isinstance(found.get(name), str):
                found[name] = found[name].replace(number, mask(number))
    return found


def period_report(
    store: Store,
    start: dt.date,
    end: dt.date,
    site: str | None = None,
    policy: Policy = DEFAULT_POLICY,
    today: dt.date | None = None,
) -> PeriodReport:
    visits = [values(record) for record in store.records(VISITS)]
    issues = [rated_values(record) for record in store.records(ISSUES)]  # dates fixed by history; face-to-face ratings count once
    return period_report_from(issues, visits, start, end, site, policy, today)


def period_report_from(
    issues: Iterable[dict[str, Any]],
    visits: list[dict[str, Any]],
    start: dt.date,
    end: dt.date,
    site: str | None = None,
    policy: Policy = DEFAULT_POLICY,
    today: dt.date | None = None,
) -> PeriodReport:
    """The same from plain value dicts (scripts and the benchmark): `policy.issue_facts` of each
    matter, so the dates its history fixes (first registration, first decision) count."""
    if site:
        visits = [visit for visit in visits if (visit.get("site") or "") == site]
        kept = {visit.get("id") for visit in visits}
        issues = [issue for issue in issues if issue.get("visit_id") in kept]
    else:
        issues = list(issues)
    stats = period_stats(issues, visits, start, end, policy, today)
    as_of = min(end, today) if today is not None else end
    return PeriodReport(stats, site or None, as_of, overdue_matters(issues, as_of, policy), policy.due_soon_days)


def overdue_matters(issues: Iterable[dict[str, Any]], as_of: dt.date, policy: Policy = DEFAULT_POLICY) -> list[OverdueMatter]:
    """The matters `period_stats` counts as overdue on `as_of`, longest overdue first."""
    day = as_of.isoformat()
    found = []
    for issue in issues:
        status = issue.get("status") or "recorded"
        raised = (issue.get("raised_at") or "")[:10]
        if status == "withdrawn" or not raised or raised > day:
            continue
        if ended_by(issue, status, (issue.get("closed_at") or "")[:10] or None, day):
            continue
        try:
            steps = deadlines(issue, policy)
        except PolicyError:
            continue
        if not late_at(steps, as_of):
            continue
        step = [deadline for deadline in steps if deadline.start is None or deadline.start <= as_of][-1]
        found.append(
            OverdueMatter(
                ref=issue.get("ref") or issue["id"],
                title=issue.get("title") or "",
                category=issue.get("category") or "other",
                step=step.step,
                due=step.due,
                days=(as_of - step.due).days,
                department=issue.get("department") or "",
                assignee=issue.get("assignee") or "",
                first_owner=issue.get("first_owner") or "",
            )
        )
    found.sort(key=lambda item: (-item.days, item.ref))
    return found[:OVERDUE_LISTED] if len(found) > OVERDUE_LISTED else found


def _by_prefix(store: Store, visit_id: str) -> dict[str, Any]:
    """A visit by its full id, or by a unique start or end of it (as `fieldvisit visits` shows)."""
    wanted = visit_id.strip().upper()
    found = [record for record in store.records(VISITS) if wanted and (record["id"].startswith(wanted) or record["id"].endswith(wanted))]
    if len(found) != 1:
        raise NotFoundError(record_id=visit_id)
    return found[0]


def _split_names(text: str) -> list[str]:
    return [part.strip() for part in re.split(r"[,，、;；\s]+", text) if part.strip()]
