"""The office register's read side: every matter as a light row, filtered and searched fast.

Building a row means reading a record's registers, so rows are built once into a `RegisterIndex`
and refreshed one record at a time after each write; a filter or a keystroke then only scans
small tuples. Personal data is masked in rows (`fieldvisit.privacy`).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from fieldvisit.i18n import t
from fieldvisit.model import FLAGS
from fieldvisit.policy import DEFAULT_POLICY, Policy, PolicyError, current_deadline, days_left
from fieldvisit.privacy import mask_name
from fieldvisit.records import Record
from fieldvisit.storage import collector_paused
from fieldvisit.store import ISSUES, VISITS, Store
from fieldvisit.views import SEARCHED_FIELDS

OPEN_STATUSES = ("recorded", "registered", "accepted", "in_progress", "replied", "review", "re_review")


@dataclass(slots=True)
class RegisterRow:
    id: str
    ref: str
    date: str
    site: str
    visit_id: str
    petitioner: str
    category: str
    title: str
    status: str
    owner: str
    department: str
    due: dt.date | None
    days_left: int | None
    flags: tuple[str, ...]
    urgency: str
    conflicts: int
    satisfaction: str
    haystack: str

    @property
    def overdue(self) -> bool:
        return self.days_left is not None and self.days_left < 0


@dataclass(frozen=True)
class RegisterFilter:
    text: str = ""
    status: str | None = None
    category: str | None = None
    site: str | None = None
    visit_id: str | None = None
    owner: str | None = None
    flags: tuple[str, ...] = ()
    date_from: str | None = None
    date_to: str | None = None
    overdue: bool = False
    due_within: int | None = None
    needs_review: bool = False
    unassigned: bool = False
    dissatisfied: bool = False

    def matches(self, row: RegisterRow) -> bool:
        if self.status and row.status != self.status:
            return False
        if self.category and row.category != self.category:
            return False
        if self.site and row.site != self.site:
            return False
        if self.visit_id and row.visit_id != self.visit_id:
            return False
        if self.owner and self.owner not in (row.owner, row.department):
            return False
        if any(flag not in row.flags for flag in self.flags):
            return False
        if (self.date_from and row.date < self.date_from) or (self.date_to and row.date > self.date_to):
            return False
        if self.overdue and not row.overdue:
            return False
        if self.due_within is not None and (row.days_left is None or not 0 <= row.days_left <= self.due_within):
            return False
        if self.needs_review and not row.conflicts:
            return False
        if self.unassigned and (row.owner or row.status not in OPEN_STATUSES):
            return False
        if self.dissatisfied and row.satisfaction != "dissatisfied":
            return False
        return not self.text or all(term in row.haystack for term in self.text.casefold().split())


SAVED_FILTERS: dict[str, RegisterFilter] = {
    "all": RegisterFilter(),
    "overdue": RegisterFilter(overdue=True),
    "due_soon": RegisterFilter(due_within=7),
    "needs_review": RegisterFilter(needs_review=True),
    "unassigned": RegisterFilter(unassigned=True),
    "collective": RegisterFilter(flags=("collective",)),
    "dissatisfied": RegisterFilter(dissatisfied=True),
}


ROW_FIELDS = (
    "ref", "raised_at", "visit_id", "petitioner_name", "anonymous", "category", "title", "status",
    "assignee", "first_owner", "department", "urgency", "satisfaction",
    "registered_at", "accepted_at", "decided_at", "replied_at", "closed_at", "extension_days",
    "review_requested_at", "review_decided_at", "re_review_requested_at", "re_review_decided_at",
    *FLAGS, *SEARCHED_FIELDS,
)
"""The fields a row or its deadline needs: read straight from the registers, nothing else."""
DEADLINE_FIELDS = (
    "status", "registered_at", "accepted_at", "decided_at", "replied_at", "extension_days",
    "review_requested_at", "review_decided_at", "re_review_requested_at", "re_review_decided_at", "extensions",
)
"""What `policy.current_deadline` reads, besides `raised_at`, of which only the local date counts."""


@dataclass
class RegisterIndex:
    """Rows for every matter, kept in step with the store by `refresh(ids)` after writes."""

    store: Store
    policy: Policy = DEFAULT_POLICY
    today: dt.date = field(default_factory=dt.date.today)
    rows: dict[str, RegisterRow] = field(default_factory=dict)
    sites: dict[str, str] = field(default_factory=dict)
    version: int = 0
    _deadlines: dict[tuple, tuple] = field(default_factory=dict, repr=False)

    def build(self) -> "RegisterIndex":
        """All rows at once. The garbage collector is held off meanwhile and the result frozen:
        on 100,000 matters it would otherwise rescan the young objects over and over."""
        with collector_paused():
            self.sites = {visit["id"]: (visit["fields"].get("site") or {}).get("value", "") for visit in self.store.records(VISITS)}
            self.rows = {record["id"]: self._row(record) for record in self.store.records(ISSUES)}
        self.version += 1
        return self

    def refresh(self, *issue_ids: str) -> None:
        for issue_id in issue_ids:
            record = self.store.get(ISSUES, issue_id)
            if record is not None:
                self.rows[issue_id] = self._row(record)
        self.version += 1

    def _deadline(self, issue: dict[str, Any]) -> tuple[Any, int | None]:
        """The open deadline and days left, computed once per distinct set of dates: matters
        raised the same day and at the same step share it (a few thousand sets in 100,000)."""
        key = tuple(str(issue.get(name) or "") for name in DEADLINE_FIELDS) + ((issue.get("raised_at") or "")[:10],)
        found = self._deadlines.get(key)
        if found is None:
            try:
                deadline = current_deadline(issue, self.policy)
            except PolicyError:  # one unreadable date must not hide the whole register
                deadline = None
            found = self._deadlines[key] = (deadline, days_left(deadline, self.today, self.policy) if deadline else None)
        return found

    def select(self, chosen: RegisterFilter, within: list[RegisterRow] | None = None) -> list[RegisterRow]:
        """Matching rows; `within` narrows a previous result (typing more of a search term)."""
        pool = self.rows.values() if within is None else within
        if chosen == RegisterFilter(text=chosen.text):  # text only: the common, fast case
            terms = chosen.text.casefold().split()
            return [row for row in pool if all(term in row.haystack for term in terms)]
        return [row for row in pool if chosen.matches(row)]

    def _row(self, record: Record) -> RegisterRow:
        registers = record["fields"]
        issue: dict[str, Any] = {name: registers[name]["value"] for name in ROW_FIELDS if name in registers}
        deadline, left = self._deadline(issue)
        site = self.sites.get(issue.get("visit_id", ""), "")
        haystack = "\n".join([site, *(str(issue[key]) for key in SEARCHED_FIELDS if key in issue)]).casefold()
        return RegisterRow(
            id=record["id"],
            ref=issue.get("ref", ""),
            date=(issue.get("raised_at") or "")[:10],
            site=site,
            visit_id=issue.get("visit_id", ""),
            petitioner="匿名" if issue.get("anonymous") else mask_name(issue.get("petitioner_name", "")),
            category=issue.get("category", "other"),
            title=issue.get("title", ""),
            status=issue.get("status", "recorded"),
            owner=issue.get("assignee") or issue.get("first_owner") or "",
            department=issue.get("department", ""),
            due=deadline.due if deadline else None,
            days_left=left,
            flags=tuple(flag for flag in FLAGS if issue.get(flag)),
            urgency=issue.get("urgency", "normal"),
            conflicts=len(record.get("conflicts", ())),
            satisfaction=issue.get("satisfaction", ""),
            haystack=haystack,
        )


def due_label(days: int | None, none: str = "—") -> str:
    """"3 d left" / "5 d overdue", as the register and the attention list show time left."""
    if days is None:
        return none
    return t("register.overdue_by", days=-days) if days < 0 else t("register.days_left", days=days)
