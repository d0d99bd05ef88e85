"""Period statistics for the office: counts, flow, deadlines, satisfaction and early warnings.

Input is plain value dicts (`records.values(record)` for each matter and visit), so the same
code serves the statistics screen, `fieldvisit report` and scripts. Rules, so every figure can
be checked by hand:

- A matter belongs to a period by the *date written in its `raised_at`* (the recorder's local
  date, the first ten characters of the ISO time), both ends inclusive.
- Withdrawn matters (status `withdrawn`) are left out of every figure: totals, breakdowns, flags,
  closures, satisfaction, deadlines and warnings. Those raised in the period are counted apart,
  in `withdrawn`, so a report can still say how many were settled on the spot and dropped.
- `total` and `new` are the same count by that rule (matters raised in the period); `new`
  stands beside `closed` so a report reads as inflow / outflow. `closed` counts matters whose
  `closed_at` falls in the period, whenever they were raised.
- `on_time_rate`: of the *handling* deadlines (policy step `handling`: `handling_days` plus
  `extension_days` from `accepted_at`, done at `replied_at`) done in the period, the share done
  by their due date. None when none was done.
- `satisfaction` / `satisfaction_rate`: among rated matters *answered in the period* — their
  `closed_at`, or `replied_at` while not yet closed, falls in the period — the count per rating
  and (satisfied + basically satisfied) / rated. None when none was rated. A matter's rating
  is thus counted once, in the period it was concluded, as 办结满意率 is usually reported.
  Callers pass `office.followups.rated_values(record)`: `satisfaction` is then the latest rating
  by stamp, the office's or one heard face to face on a follow-up visit (回访), never both;
  `satisfaction_face_to_face` counts the ratings among them that were heard on site.
- `overdue`: matters that `policy.is_overdue` would have called overdue on `end` (or on `today`,
  when the period is still running), whenever they were raised: the step they waited on that
  day is one the office owes and its due date had passed. Dates after that day are ignored, so
  a matter replied or closed since still counts, and last month's report does not change when
  a matter is closed today. A not-accepted or transferred matter without `decided_at` (plain
  `values()`, not `policy.issue_facts`) is taken as decided in time. A matter whose dates the
  policy cannot read is left out of the deadline figures.
- `rising`: categories with at least 3 matters now and 50 % more than in the previous period
  of the same length (`previous_period`), or new from zero: the early warning (倾向性苗头).

Ordering is deterministic: categories follow `model.DEFAULT_CATEGORIES` (every default category
is listed, zeros included; unknown ones follow by count, then name); sites and statuses go by
count descending, then name; months are chronological and zero-filled; satisfaction follows
`SATISFACTION`.

Performance (measured, not tested): over a synthetic list of 100,000 matters raised across one
year (2 % withdrawn, a third still open or awaiting a review request at the period's end, two
thirds replied, half closed and rated, a fifth extended), `period_stats` takes about 0.31 s of
CPU for one month and 0.45 s for the whole year (median of 9 runs, Python 3.11, a shared
2-core Xeon). Counting is one pass of ISO-string comparisons (about 0.1 s); the rest is
`policy.deadlines` (about 7 µs a matter) for the matters open at the period's end. The
handling due date is asked once per (`accepted_at`, `extension_days`) pair (`_HandlingDue`).
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from dataclasses import asdict, dataclass
from typing import Any, Iterable

from fieldvisit.core import model
from fieldvisit.office.policy import CLOSED_STATUSES, DEFAULT_POLICY, Deadline, Policy, PolicyError, deadlines

SATISFACTION = ("satisfied", "basically_satisfied", "dissatisfied")
SATISFIED = ("satisfied", "basically_satisfied")
COUNTED_FLAGS = ("repeat", "collective", "skip_level", "safety_hazard")
HANDLING = "handling"
RISING_MIN_COUNT = 3
RISING_MIN_CHANGE = 0.5


@dataclass(frozen=True)
class Rising:
    """A category rising against the previous period; `change` is None when it is new from zero."""

    category: str
    now: int
    before: int
    change: float | None

    def as_json(self) -> dict[str, Any]:
        return asdict(self)


@dataclass(frozen=True)
class PeriodStats:
    start: dt.date
    end: dt.date
    total: int
    by_category: dict[str, int]
    by_site: dict[str, int]
    by_status: dict[str, int]
    by_month: dict[str, int]
    new: int
    closed: int
    withdrawn: int
    on_time_rate: float | None
    satisfaction_rate: float | None
    satisfaction: dict[str, int]
    repeat: int
    collective: int
    skip_level: int
    safety_hazard: int
    overdue: int
    rising: list[Rising]
    satisfaction_face_to_face: int = 0

    def as_json(self) -> dict[str, Any]:
        found = asdict(self)
        found.update(start=self.start.isoformat(), end=self.end.isoformat())
        return found


def period_stats(
    issues: Iterable[dict[str, Any]],
    visits: Iterable[dict[str, Any]],
    start: dt.date,
    end: dt.date,
    policy: Policy = DEFAULT_POLICY,
    today: dt.date | None = None,
) -> PeriodStats:
    """Every figure for one period in one pass over the matters (see the module docstring)."""
    if end < start:
        raise ValueError(f"period ends before it starts: {start} – {end}")
    lo, hi = start.isoformat(), end.isoformat()
    before_start, before_end = previous_period(start, end)
    before_lo, before_hi = before_start.isoformat(), before_end.isoformat()
    as_of = min(end, today) if today is not None else end
    as_of_text = as_of.isoformat()
    site_of = {visit.get("id"): visit.get("site") or "" for visit in visits}

    categories: Counter[str] = Counter()
    before: Counter[str] = Counter()
    sites: Counter[str] = Counter()
    statuses: Counter[str] = Counter()
    months: Counter[str] = Counter()
    flags: Counter[str] = Counter()
    ratings: Counter[str] = Counter()
    handling_due = _HandlingDue(policy)
    withdrawn = closed = overdue = done = done_on_time = face_to_face = 0

    for issue in issues:
        get = issue.get
        status = get("status") or "recorded"
        raised = _day(get("raised_at"))
        in_period = raised is not None and lo <= raised <= hi
        if status == "withdrawn":
            withdrawn += in_period
            continue
        if in_period:
            categories[get("category") or "other"] += 1
            sites[site_of.get(get("visit_id"), "")] += 1
            statuses[status] += 1
            months[raised[:7]] += 1
            for flag in COUNTED_FLAGS:
                if get(flag):
                    flags[flag] += 1
            people = get("people")
            if not get("collective") and isinstance(people, int) and people >= model.COLLECTIVE_SIZE:
                flags["collective"] += 1
        elif raised is not None and before_lo <= raised <= before_hi:
            before[get("category") or "other"] += 1

        closed_day = _day(get("closed_at"))
        replied_day = _day(get("replied_at"))
        if closed_day is not None and lo <= closed_day <= hi:
            closed += 1
        rating = get("satisfaction")
        if rating in SATISFACTION:
            answered = closed_day or replied_day
            if answered is not None and lo <= answered <= hi:
                ratings[rating] += 1
                face_to_face += bool(get("satisfaction_face_to_face"))

        if replied_day is not None and lo <= replied_day <= hi:
            due = handling_due(issue)
            if due is not None:
                done += 1
                done_on_time += replied_day <= due
        if raised is not None and raised <= as_of_text and not ended_by(issue, status, closed_day, as_of_text):
            try:
                overdue += late_at(deadlines(issue, policy), as_of)
            except PolicyError:  # a date the policy cannot read: no deadline to judge by
                pass

    by_category = _catalogue_order(categories)
    rated = sum(ratings.values())
    total = sum(by_category.values())
    return PeriodStats(
        start=start,
        end=end,
        total=total,
        by_category=by_category,
        by_site=_by_count(sites),
        by_status=_by_count(statuses),
        by_month={month: months[month] for month in _months(start, end)},
        new=total,
        closed=closed,
        withdrawn=withdrawn,
        on_time_rate=done_on_time / done if done else None,
        satisfaction_rate=sum(ratings[key] for key in SATISFIED) / rated if rated else None,
        satisfaction={key: ratings[key] for key in SATISFACTION},
        repeat=flags["repeat"],
        collective=flags["collective"],
        skip_level=flags["skip_level"],
        safety_hazard=flags["safety_hazard"],
        overdue=overdue,
        rising=rising_categories(by_category, _catalogue_order(before)),
        satisfaction_face_to_face=face_to_face,
    )


def previous_period(start: dt.date, end: dt.date) -> tuple[dt.date, dt.date]:
    """The period of the same length just before: whole months go back by whole months.

    November → October, a quarter → the quarter before, March 2028 → February 2028 (29 days);
    any other range goes back by its number of days (10–20 Nov → 30 Oct – 9 Nov).
    """
    if end < start:
        raise ValueError(f"period ends before it starts: {start} – {end}")
    if start.day == 1 and (end + dt.timedelta(days=1)).day == 1:
        count = (end.year - start.year) * 12 + end.month - start.month + 1
        index = start.year * 12 + start.month - 1 - count
        return dt.date(index // 12, index % 12 + 1, 1), start - dt.timedelta(days=1)
    length = (end - start).days + 1
    return start - dt.timedelta(days=length), start - dt.timedelta(days=1)


def rising_categories(
    now: dict[str, int],
    before: dict[str, int],
    min_count: int = RISING_MIN_COUNT,
    min_change: float = RISING_MIN_CHANGE,
) -> list[Rising]:
    """Categories with at least `min_count` matters now and up by `min_change` or new from zero.

    Sorted by change, largest first, new-from-zero before any finite change; ties by count now
    (largest first), then catalogue order.
    """
    found = []
    for category, count in now.items():
        was = before.get(category, 0)
        if count < min_count:
            continue
        change = (count - was) / was if was else None
        if change is None or change >= min_change:
            found.append(Rising(category, count, was, change))
    rank = _category_rank()
    return sorted(
        found,
        key=lambda item: (
            item.change is not None,
            -(item.change or 0.0),
            -item.now,
            rank.get(item.category, len(rank)),
            item.category,
        ),
    )


def _day(value: Any) -> str | None:
    """The ISO date at the head of a date or date-time string ("2026-11-15"), else None."""
    if isinstance(value, str) and len(value) >= 10 and value[4] == "-" and value[7] == "-":
        return value[:10]
    if isinstance(value, dt.date):
        return value.isoformat()[:10]
    return None


class _HandlingDue:
    """The handling step's due date (ISO) for a matter, as the policy computes it.

    The step runs from `accepted_at` for `handling_days + extension_days` and is done at
    `replied_at` (see `policy.deadlines`). Many matters share those two values, so the policy is
    asked once per pair, with a matter holding only them: that keeps a year of 100,000 matters
    from parsing every date of every replied matter again.
    """

    def __init__(self, policy: Policy):
        self.policy = policy
        self.known: dict[tuple[Any, Any], str | None] = {}

    def __call__(self, issue: dict[str, Any]) -> str | None:
        key = (issue.get("accepted_at"), issue.get("extension_days"))
        if key not in self.known:
            self.known[key] = self._ask(*key)
        return self.known[key]

    def _ask(self, accepted_at: Any, extension_days: Any) -> str | None:
        if not accepted_at:
            return None
        try:
            found = deadlines({"accepted_at": accepted_at, "extension_days": extension_days}, self.policy)
        except PolicyError:  # a date the policy cannot read: no deadline to judge by
            return None
        return next((deadline.due.isoformat() for deadline in found if deadline.step == HANDLING), None)


def ended_by(issue: dict[str, Any], status: str, closed_day: str | None, day: str) -> bool:
    """Whether the matter waited on no deadline any more on `day` (ISO date).

    Closed, not accepted or transferred, on that day or earlier; when the date it happened is
    not known (a not-accepted matter without `decided_at`), it is taken to have happened before.
    """
    if status not in CLOSED_STATUSES:
        return False
    ended = closed_day if status == "closed" else _day(issue.get("decided_at"))
    return ended is None or ended <= day


def late_at(found: list[Deadline], day: dt.date) -> bool:
    """`policy.is_overdue` as it would have answered on `day`: the latest step started by then
    is one the office owes, was not done by then, and its due date had passed."""
    started = [deadline for deadline in found if deadline.start is None or deadline.start <= day]
    if not started:
        return False
    current = started[-1]
    return current.owner == "office" and (current.done is None or current.done > day) and day > current.due


def _category_rank() -> dict[str, int]:
    return {category: index for index, category in enumerate(model.DEFAULT_CATEGORIES)}


def _catalogue_order(counts: Counter[str]) -> dict[str, int]:
    ordered = {category: counts[category] for category in model.DEFAULT_CATEGORIES}
    extra = {key: value for key, value in counts.items() if key not in ordered}
    ordered.update(_by_count(Counter(extra)))
    return ordered


def _by_count(counts: Counter[str]) -> dict[str, int]:
    return dict(sorted(((key, value) for key, value in counts.items() if value), key=lambda item: (-item[1], item[0])))


def _months(start: dt.date, end: dt.date) -> list[str]:
    first = start.year * 12 + start.month - 1
    last = end.year * 12 + end.month - 1
    return [f"{index // 12:04d}-{index % 12 + 1:02d}" for index in range(first, last + 1)]
