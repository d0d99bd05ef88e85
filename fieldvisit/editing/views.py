"""Read-only views of the store for screens and scripts: visit rows, a visit's matters, search."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from typing import Any

from fieldvisit.core.records import values
from fieldvisit.stores.store import ISSUES, VISITS, Store

SEARCHED_FIELDS = (
    "ref",
    "title",
    "detail",
    "demand",
    "onsite_answer",
    "commitment",
    "petitioner_name",
    "employee_no",
    "unit",
    "phone",
    "department",
    "first_owner",
)


@dataclass(frozen=True)
class VisitRow:
    id: str
    date: str
    site: str
    site_kind: str
    title: str
    status: str
    matters: int
    withdrawn: int

    def as_json(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "date": self.date,
            "site": self.site,
            "site_kind": self.site_kind,
            "title": self.title,
            "status": self.status,
            "matters": self.matters,
            "withdrawn": self.withdrawn,
        }


def visit_rows(store: Store, device_id: str | None = None) -> list[VisitRow]:
    """Every visit, newest date first, with how many matters it holds (withdrawn ones apart).

    With `device_id`, only the visits recorded on that laptop: the office also sends a laptop
    other laptops' earlier visits to the sites it goes to, for follow-up (回访) only; the office
    would refuse any edit of them, so the field app's list leaves them out."""
    counts: Counter[str] = Counter()
    withdrawn: Counter[str] = Counter()
    for record in store.all(ISSUES):
        fields = record["fields"]
        visit_id = fields["visit_id"]["value"]
        if fields.get("status", {}).get("value") == "withdrawn":
            withdrawn[visit_id] += 1
        else:
            counts[visit_id] += 1
    rows = []
    for record in store.all(VISITS):
        visit = values(record)
        if device_id and visit.get("device") != device_id:
            continue
        rows.append(
            VisitRow(
                id=visit["id"],
                date=visit.get("date") or "",
                site=visit.get("site", ""),
                site_kind=visit.get("site_kind", "other"),
                title=visit.get("title", ""),
                status=visit.get("status", "open"),
                matters=counts[visit["id"]],
                withdrawn=withdrawn[visit["id"]],
            )
        )
    return sorted(rows, key=lambda row: (row.date, row.id), reverse=True)


def visit_issues(store: Store, visit_id: str, search: str = "", include_withdrawn: bool = True) -> list[dict[str, Any]]:
    """A visit's matters as plain value dicts, in the order they were recorded."""
    found = []
    for record in store.all(ISSUES):
        issue = values(record)
        if issue.get("visit_id") != visit_id:
            continue
        if not include_withdrawn and issue.get("status") == "withdrawn":
            continue
        if search and not matches(issue, search):
            continue
        found.append(issue)
    return sorted(found, key=lambda issue: (issue.get("ref", ""), issue["id"]))


def matches(issue: dict[str, Any], search: str) -> bool:
    """Every space-separated term must appear in one of the searched fields (case-insensitive)."""
    haystack = "\n".join(str(issue.get(field) or "") for field in SEARCHED_FIELDS).casefold()
    return all(term in haystack for term in search.casefold().split())
