"""The vocabulary of visits and matters (docs/architecture.md §3): field names, choices and input rules.

Labels shown to people live in the locale catalogues under the same keys
(`site_kind.workshop`, `category.wages`, ...); this module only knows the codes.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from typing import Any

from fieldvisit.core import clock
from fieldvisit.core.errors import InputError
from fieldvisit.core.text import strip_controls

VISIT = "visit"
ISSUE = "issue"

SITE_KINDS = ("mine_district", "workshop", "team", "retirees", "office", "other")
DEFAULT_CATEGORIES = (
    "wages",
    "social_insurance",
    "work_safety",
    "working_conditions",
    "housing",
    "retirees_benefits",
    "legacy",
    "discipline",
    "land",
    "other",
)
URGENCIES = ("normal", "urgent", "critical")
SATISFACTION_LEVELS = ("satisfied", "basically_satisfied", "dissatisfied")
"""A petitioner's satisfaction, as the office records it and as a leader hears it on site (回访)."""
FLAGS = ("safety_hazard", "repeat", "skip_level", "collective", "vulnerable", "legacy", "latent_risk")
STATUSES = (
    "recorded",
    "registered",
    "accepted",
    "not_accepted",
    "transferred",
    "in_progress",
    "replied",
    "review",
    "re_review",
    "closed",
    "withdrawn",
)
VISIT_STATUSES = ("open", "closed")

COLLECTIVE_SIZE = 5
"""A matter raised by this many people or more is a collective visit (集体访)."""

VISIT_TEXT_FIELDS = ("title", "site", "recorder", "note")
ISSUE_TEXT_FIELDS = (
    "petitioner_name",
    "employee_no",
    "unit",
    "phone",
    "representatives",
    "title",
    "detail",
    "demand",
    "onsite_answer",
    "commitment",
    "first_owner",
    "department",
    "assignee",
)
MAX_LENGTHS: dict[str, int] = {
    "title": 200,
    "site": 200,
    "recorder": 100,
    "note": 4000,
    "petitioner_name": 100,
    "employee_no": 50,
    "unit": 200,
    "phone": 50,
    "representatives": 1000,
    "detail": 10000,
    "demand": 4000,
    "onsite_answer": 4000,
    "commitment": 2000,
    "first_owner": 100,
    "department": 200,
    "assignee": 100,
    "transfer_to": 200,
    "reply": 10000,
    "extension_reason": 2000,
    "satisfaction_comment": 2000,
    "leaders": 1000,  # as typed on one line; below, the text of office steps (map entries)
    "reason": 2000,
    "content": 4000,
    "by": 100,
}
"""Longest text, in characters, each field takes: forms refuse more with the limit named, and the
bundle validator (`sync.limits`) refuses a bundle with a longer value. A real matter's detail is a
few hundred Han characters; the limits only stop pastes gone wrong and hostile files."""
MULTI_LINE_FIELDS = frozenset({"detail", "onsite_answer", "note", "reply", "content"})
"""Text kept with its line breaks and tabs; every other field is one line."""
IDENTITY_FIELDS = ("petitioner_name", "employee_no", "phone")
"""What an anonymous petitioner does not give, and what `--redact` and masking hide."""
ISSUE_EDITABLE_FIELDS = (
    *ISSUE_TEXT_FIELDS,
    "anonymous",
    "people",
    "category",
    "urgency",
    "promised_date",
    *FLAGS,
)

_LEADER_PATTERN = re.compile(r"^(?P<name>[^(（]+?)\s*(?:[(（](?P<post>[^)）]*)[)）])?$")


@dataclass(frozen=True)
class Leader:
    name: str
    post: str = ""

    def as_text(self) -> str:
        return f"{self.name}（{self.post}）" if self.post else self.name


def parse_leaders(text: str) -> list[dict[str, str]]:
    """`张建国（矿长）、李明 (副矿长)` → [{"name": "张建国", "post": "矿长"}, ...].

    Separators are the ones a recorder types with either keyboard: , ， 、 ; ；
    """
    leaders = []
    for part in re.split(r"[,，、;；]", text):
        part = part.strip()
        if not part:
            continue
        match = _LEADER_PATTERN.match(part)
        if match is None:
            leaders.append({"name": part, "post": ""})
        else:
            leaders.append({"name": match["name"].strip(), "post": (match["post"] or "").strip()})
    return leaders


def leaders_text(leaders: list[dict[str, str]] | None) -> str:
    return "、".join(Leader(item["name"], item.get("post", "")).as_text() for item in leaders or [])


def parse_date(text: str | None, field: str) -> str | None:
    """Accept 2026-11-25, 2026/11/25, 20261125 or 2026.11.25; store ISO format. Empty is None."""
    text = (text or "").strip()
    if not text:
        return None
    digits = re.sub(r"[./年月-]", "-", text).rstrip("日").strip("-")
    for candidate in (digits, text):
        for fmt in ("%Y-%m-%d", "%Y%m%d"):
            try:
                return dt.datetime.strptime(candidate, fmt).date().isoformat()
            except ValueError:
                pass
    raise InputError(field, "error.bad_date", value=text)


def check_range(start: Any, end: Any, end_field: str = "date_to") -> None:
    """Refuse a date range that ends before it starts: every range (statistics, reports, the
    register's filter) says so in the officer's language, naming the end date's field.
    Dates or ISO strings; an open end (None or "") is no range to check."""
    if start and end and str(end)[:10] < str(start)[:10]:
        raise InputError(end_field, "honest_deadlines.range_backwards", start=str(start)[:10], end=str(end)[:10])


def check_not_after(day: str | None, today: dt.date, field: str) -> None:
    """Refuse a date (ISO) that has not come yet: what was done cannot be dated tomorrow."""
    if day and day > today.isoformat():
        raise InputError(field, "honest_deadlines.after_today", date=day, today=today.isoformat())


def clean_text(value: Any, field: str) -> str:
    """A form's or an office step's text as it is saved: control characters stripped (a
    multi-line field such as the detail keeps line breaks and tabs), spaces trimmed, and no longer
    than `MAX_LENGTHS[field]` (an InputError naming the limit otherwise)."""
    text = strip_controls(str(value if value is not None else ""), multi_line=field in MULTI_LINE_FIELDS).strip()
    limit = MAX_LENGTHS.get(field)
    if limit is not None and len(text) > limit:
        raise InputError(field, "error.text.too_long", limit=limit, length=len(text))
    return text


def normalise_visit(raw: dict[str, Any]) -> dict[str, Any]:
    """Clean a visit form's values; the title and site are required."""
    fields: dict[str, Any] = {name: clean_text(raw.get(name) or "", name) for name in VISIT_TEXT_FIELDS if name in raw}
    if "site_kind" in raw:
        fields["site_kind"] = _choice(raw, "site_kind", SITE_KINDS, "other")
    if "date" in raw:
        fields["date"] = parse_date(raw.get("date"), "date") or clock.today().isoformat()
    if "leaders" in raw:
        leaders = raw["leaders"]
        fields["leaders"] = parse_leaders(clean_text(leaders, "leaders")) if isinstance(leaders, str) else list(leaders or [])
    for required in ("title", "site"):
        if required in fields and not fields[required]:
            raise InputError(required, "error.required")
    return fields


def normalise_issue(raw: dict[str, Any], categories: tuple[str, ...] = DEFAULT_CATEGORIES) -> dict[str, Any]:
    """Clean a matter form's values and apply the rules a recorder expects.

    Only a title or a demand is required; a missing title is taken from the demand's first
    words. Five or more people make it a collective visit. Anonymous clears name, employee
    number and phone.
    """
    fields: dict[str, Any] = {}
    for name in ISSUE_TEXT_FIELDS:
        if name in raw:
            fields[name] = clean_text(raw.get(name) or "", name)
    if "anonymous" in raw:
        fields["anonymous"] = bool(raw["anonymous"])
        if fields["anonymous"]:
            fields.update(dict.fromkeys(IDENTITY_FIELDS, ""))
    if "people" in raw:
        fields["people"] = _parse_people(raw["people"])
        if fields["people"] >= COLLECTIVE_SIZE:
            fields["collective"] = True
    if "category" in raw:
        fields["category"] = _choice(raw, "category", categories, "other")
    if "urgency" in raw:
        fields["urgency"] = _choice(raw, "urgency", URGENCIES, "normal")
    if "promised_date" in raw:
        fields["promised_date"] = parse_date(raw.get("promised_date"), "promised_date")
    for flag in FLAGS:
        if flag in raw:
            fields[flag] = bool(raw[flag]) or fields.get(flag, False)
    if "title" in fields and not fields["title"]:
        if not fields.get("demand"):
            raise InputError("title", "error.title_or_demand")
        fields["title"] = _title_from(fields["demand"])
    return fields


def _choice(raw: dict[str, Any], field: str, allowed: tuple[str, ...], default: str) -> str:
    value = raw.get(field) or default
    if value not in allowed:
        raise InputError(field, "error.bad_choice", value=value)
    return value


def _parse_people(value: Any) -> int:
    text = str(value if value is not None else "").strip()
    if not text:
        return 1
    if not text.isdigit() or int(text) < 1 or int(text) > 100000:
        raise InputError("people", "error.bad_people", value=text)
    return int(text)


def _title_from(demand: str, limit: int = 24) -> str:
    first = re.split(r"[。！？!?；;\n]", demand, maxsplit=1)[0].strip()
    return first if len(first) <= limit else first[:limit] + "…"
