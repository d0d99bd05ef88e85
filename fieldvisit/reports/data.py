"""What a visit summary or a period report needs, gathered from a store: values, no formatting.

Redaction happens here, once, so no renderer can leak what `--redact` hides: phone numbers and
employee numbers are masked, and petitioners' and representatives' names too, wherever the
name also appears in the matter's own text.
"""

from __future__ import annotations

import heapq
import re
import datetime as dt
from collections import Counter
from dataclasses import dataclass
from dataclasses import field as dataclass_field
from typing import Any, Iterable

from fieldvisit.core import model
from fieldvisit.core.errors import NotFoundError
from fieldvisit.office.policy import DEFAULT_POLICY, Deadline, Policy
from fieldvisit.core.privacy import mask_digits, mask_employee_no, mask_name
from fieldvisit.core.records import entries, values
from fieldvisit.core.references import device_short
from fieldvisit.stores.queries import MatterQuery
from fieldvisit.office.facts import FactsIndex, MatterFacts, Shared, facts_of, store_facts, store_sites, visit_sites
from fieldvisit.office.stats import PeriodStats, at_site, period_figures
from fieldvisit.stores.store import ISSUES, VISITS, Store

MATTER_TEXT = ("title", "demand", "detail", "onsite_answer", "commitment", "representatives")
OVERDUE_LISTED = 200
VISIT_PAGE = 500
"""A visit's matters asked of a database at once (a summary of a visit of any size)."""
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


def visit_summary(store: Store, visit_id: str, redact: bool = False, facts: FactsIndex | None = None) -> VisitSummary:
    """`facts`, when built (`FactsIndex.open_cached`), name the visit's matters, so only those
    are read: an office store of 100,000 is then never read whole for a summary of 20."""
    record = store.get(VISITS, visit_id) or _by_prefix(store, visit_id)
    visit = values(record)
    records = _visit_records(store, visit["id"], facts)
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
    facts: FactsIndex | None = None,
) -> PeriodReport:
    """The report from a store: each matter's facts (`office.facts`: the dates its history
    fixes, the rating that counts), from `facts` (taken from its file when that fits the store as
    it is now; the caller may `save` them for the next report once the report is written), else
    read record by record, each parsed, read and let go: the store is never held as records."""
    if facts is None:
        return period_report_of(store_facts(store), store_sites(store), start, end, site, policy, today)
    late = Longest(OVERDUE_LISTED)
    stats = facts.figures(start, end, policy, today, site, late)
    as_of = min(end, today) if today is not None else end
    return PeriodReport(stats, site or None, as_of, overdue_list(late, as_of), policy.due_soon_days)


def period_report_from(
    issues: Iterable[dict[str, Any]],
    visits: list[dict[str, Any]],
    start: dt.date,
    end: dt.date,
    site: str | None = None,
    policy: Policy = DEFAULT_POLICY,
    today: dt.date | None = None,
) -> PeriodReport:
    """The same from plain value dicts (scripts and the benchmark): `followups.rated_values` of
    each matter, so the dates its history fixes (first registration, first decision) count."""
    shared = Shared()
    return period_report_of((facts_of(issue, shared) for issue in issues), visit_sites(visits), start, end, site, policy, today)


def period_report_of(
    matters: Iterable[MatterFacts],
    sites: dict[str, str],
    start: dt.date,
    end: dt.date,
    site: str | None = None,
    policy: Policy = DEFAULT_POLICY,
    today: dt.date | None = None,
) -> PeriodReport:
    """The report from the matters' facts and each visit's site (`office.facts`), in one pass."""
    matters, sites = at_site(matters, sites, site)
    late = Longest(OVERDUE_LISTED)
    stats = period_figures(matters, sites, start, end, policy, today, late=late)
    as_of = min(end, today) if today is not None else end
    return PeriodReport(stats, site or None, as_of, overdue_list(late, as_of), policy.due_soon_days)


def _longest_first(pair: tuple[MatterFacts, Deadline]) -> tuple:
    return (pair[1].due, pair[0].ref or pair[0].id)


class Longest(list):
    """What `period_figures` adds to its `late` list, holding only the `size` longest overdue
    (by due date, then reference) as they come: not every overdue matter of a million."""

    def __init__(self, size: int) -> None:
        super().__init__()
        self.size = size

    def append(self, pair: tuple[MatterFacts, Deadline]) -> None:
        super().append(pair)
        if len(self) >= 4 * self.size:
            self[:] = heapq.nsmallest(self.size, self, key=_longest_first)


def overdue_list(late: Iterable[tuple[MatterFacts, Deadline]], as_of: dt.date) -> list[OverdueMatter]:
    """The matters `period_figures` counted overdue on `as_of` with the step each was late on,
    longest overdue first, at most `OVERDUE_LISTED`."""
    first = heapq.nsmallest(OVERDUE_LISTED, late, key=_longest_first)
    return [
        OverdueMatter(
            ref=matter.ref or matter.id,
            title=matter.title,
            category=matter.category,
            step=step.step,
            due=step.due,
            days=(as_of - step.due).days,
            department=matter.department,
            assignee=matter.assignee,
            first_owner=matter.first_owner,
        )
        for matter, step in first
    ]


def _visit_records(store: Store, visit_id: str, facts: FactsIndex | None) -> list[dict[str, Any]]:
    if store.pages_matters:  # a database finds a visit's matters by its index: a million are not read for twenty
        query, found = MatterQuery(visit_ids=(visit_id,)), []
        while page := store.register_page(query, "ref", False, VISIT_PAGE, len(found)):
            found += [record for record, _due in page]
        return found
    if facts is None or not facts.built:
        return [issue for issue in store.records(ISSUES) if issue["fields"].get("visit_id", {}).get("value") == visit_id]
    matters, _sites = facts.ready()
    found = (store.get(ISSUES, matter.id) for matter in matters if matter.visit_id == visit_id)
    return [issue for issue in found if issue is not None]


def _by_prefix(store: Store, visit_id: str) -> dict[str, Any]:
    """A visit by its full id, or by a unique start or end of it (as `fieldvisit visits` shows)."""
    wanted = visit_id.strip().upper()
    found = [record for record in store.records(VISITS) if wanted and (record["id"].startswith(wanted) or record["id"].endswith(wanted))]
    if len(found) != 1:
        raise NotFoundError(record_id=visit_id)
    return found[0]


def _split_names(text: str) -> list[str]:
    return [part.strip() for part in re.split(r"[,，、;；\s]+", text) if part.strip()]
