"""Period statistics for the office: counts, flow, deadlines, satisfaction and early warnings.

Input is each matter's facts (`office.facts.MatterFacts`: what these figures read, once per
matter, kept by the office app and beside the store) and each visit's site: `period_figures`,
which the statistics screen and `fieldvisit report` call; `period_stats` takes plain value dicts
(scripts, tests) and reads them into facts first, so every caller counts by the same code. Rules,
so every figure can be checked by hand:

- A matter belongs to a period by the *date written in its `raised_at`* (the recorder's local
  date, the first ten characters of the ISO time), both ends inclusive.
- Withdrawn matters (status `withdrawn`) are left out of every figure: totals, breakdowns, flags,
  closures, satisfaction, deadlines and warnings. Those raised in the period are counted apart,
  in `withdrawn`, so a report can still say how many were settled on the spot and dropped.
- `total` and `new` are the same count by that rule (matters raised in the period); `new`
  stands beside `closed` so a report reads as inflow / outflow. `closed` counts matters whose
  `closed_at` falls in the period, whenever they were raised.
- `on_time_rate`: of the steps the office owes (acceptance, handling, review and re-review
  decisions: `policy.OFFICE_STEPS`) whose due date falls in the period, the share done by it, as
  `policy.step_on_time` judges them on `today` (or `end` without one): a step done late, or not
  done and past its due date, is late for good. Steps still open and not yet due are left out.
  Each step is counted once, in the period of its due date, so last month's rate does not
  change when a late matter is registered, accepted or replied to today. Pass `issue_facts`
  (dates from the matter's history) so that a later registration cannot move the clock. None
  when no step was due.
- `due_soon`: matters whose open office step is due within the policy's `due_soon_days` on the
  day the figures are for (`policy.is_due_soon`, as the register's filter and the attention list).
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

Performance (measured, not tested: `benchmarks/office_views.py`): over the 100,000 matters of the
generated central store, counting from their facts takes about 0.1 s of CPU for a month and 0.3 s
for three years on the shared 2-core machine. A matter's facts carry what it adds to the
breakdowns (`tally`) and what its deadline figures depend on (`deadline_key`); both are counted
once per distinct value (matters share them by the thousand), the deadlines through
`policy.deadlines`, asked once per distinct set of dates (`_Verdicts`). Reading the facts from
whole records is what costs: seconds at 100,000, which is why they are kept.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from dataclasses import asdict, dataclass
from typing import Any, Iterable

from fieldvisit.core import model
from fieldvisit.office.policy import (
    DEFAULT_POLICY,
    Deadline,
    Policy,
    PolicyError,
    add_days,
    days_left,
    deadlines,
    is_due_soon,
    step_on_time,
)
from fieldvisit.office.facts import (
    DEADLINE_FIELDS,
    SATISFACTION,
    MatterFacts,
    Shared,
    facts_of,
    visit_sites,
)
from fieldvisit.stores.queries import FactsWindow

SATISFIED = ("satisfied", "basically_satisfied")
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
    due_soon: int = 0
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
    """Every figure for one period from plain value dicts (see the module docstring): each
    matter is read into its `facts.MatterFacts`, then `period_figures` counts."""
    shared = Shared()
    return period_figures((facts_of(issue, shared) for issue in issues), visit_sites(visits), start, end, policy, today)


def period_figures(
    matters: Iterable[MatterFacts],
    sites: dict[str, str],
    start: dt.date,
    end: dt.date,
    policy: Policy = DEFAULT_POLICY,
    today: dt.date | None = None,
    late: list[tuple[MatterFacts, Deadline]] | None = None,
    waiting: Iterable[tuple[MatterFacts, int]] = (),
    late_waiting: list[tuple[MatterFacts, Deadline]] | None = None,
) -> PeriodStats:
    """Every figure for one period in one pass over the matters' facts; `sites`: each visit's
    site by id. With `late`, each matter counted overdue is added to it with the step it was
    late on (the period report's overdue list). `waiting`: matters that add to the deadline
    figures only (not raised in this period or the one before, nor closed or replied to in it,
    nor withdrawn), as (facts, how many matters share them): a database counts them by group
    (`facts_db.DatabaseFacts.figures`); with `late_waiting`, each such group counted overdue is
    added to it with its step (the caller names its members)."""
    check_period(start, end)
    lo, hi = start.isoformat(), end.isoformat()
    before_start, before_end = previous_period(start, end)
    before_lo, before_hi = before_start.isoformat(), before_end.isoformat()
    as_of = min(end, today) if today is not None else end
    as_of_text = as_of.isoformat()
    judged_on = today if today is not None else end
    verdicts = _Verdicts(policy, start, end, judged_on, as_of)
    horizon = _horizon(start, policy)
    adds: dict[tuple, tuple[int, int, Deadline | None, bool]] = {}
    known = adds.get

    def add_of(matter: MatterFacts) -> tuple[int, int, Deadline | None, bool]:
        """What a matter adds to the deadline figures, the same for every matter with its dates
        and end (`MatterFacts.deadline_key`): (steps judged, on time, the late step, due soon)."""
        may_fall_due = any(horizon <= day <= hi for day in matter.starts)
        raised, ended = matter.raised, matter.ended
        waiting = raised is not None and raised <= as_of_text and (ended is None or ended > as_of_text)
        if not (may_fall_due or waiting):
            found = (0, 0, None, False)
        else:
            judged, on_time, current, soon = verdicts(matter.dates)
            if not may_fall_due:  # no step of it falls due in the period: none judged
                judged = on_time = 0
            if not waiting:  # concluded, or not raised yet, on the day: neither late nor due soon
                current, soon = None, False
            found = (judged, on_time, current, soon)
        adds[matter.deadline_key] = found
        return found

    tallies: Counter[tuple] = Counter()
    before: Counter[str] = Counter()
    ratings: Counter[str] = Counter()
    withdrawn = closed = overdue = due_soon = done = done_on_time = face_to_face = 0

    for matter in matters:
        raised = matter.raised
        in_period = raised is not None and lo <= raised <= hi
        if matter.status == "withdrawn":
            withdrawn += in_period
            continue
        if in_period:
            tallies[matter.tally] += 1  # category, visit, status, month and flags, split below
        elif raised is not None and before_lo <= raised <= before_hi:
            before[matter.category] += 1

        closed_day = matter.closed
        if closed_day is not None and lo <= closed_day <= hi:
            closed += 1
        rating = matter.rating
        if rating is not None:
            answered = closed_day or matter.replied
            if answered is not None and lo <= answered <= hi:
                ratings[rating] += 1
                face_to_face += matter.face_to_face

        found = known(matter.deadline_key) or add_of(matter)
        done += found[0]
        done_on_time += found[1]
        if found[2] is not None:
            overdue += 1
            if late is not None:
                late.append((matter, found[2]))
        due_soon += found[3]
    for matter, count in waiting:
        found = known(matter.deadline_key) or add_of(matter)
        done += found[0] * count
        done_on_time += found[1] * count
        if found[2] is not None:
            overdue += count
            if late_waiting is not None:
                late_waiting.append((matter, found[2]))
        due_soon += found[3] * count

    categories: Counter[str] = Counter()
    by_site: Counter[str] = Counter()
    statuses: Counter[str] = Counter()
    months: Counter[str] = Counter()
    flags: Counter[str] = Counter()
    site_of = sites.get
    for (category, visit_id, status, month, counted), count in tallies.items():
        categories[category] += count
        by_site[site_of(visit_id, "")] += count
        statuses[status] += count
        months[month] += count
        for flag in counted:
            flags[flag] += count

    by_category = _catalogue_order(categories)
    rated = sum(ratings.values())
    total = sum(by_category.values())
    return PeriodStats(
        start=start,
        end=end,
        total=total,
        by_category=by_category,
        by_site=_by_count(by_site),
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
        due_soon=due_soon,
        satisfaction_face_to_face=face_to_face,
    )


def at_site(matters: Iterable[MatterFacts], sites: dict[str, str], site: str | None) -> tuple[Iterable[MatterFacts], dict[str, str]]:
    """The matters of the visits at `site` and those visits' sites (all of them without one):
    what a report for one site counts."""
    if not site:
        return matters, sites
    sites = {visit_id: name for visit_id, name in sites.items() if name == site}
    return (matter for matter in matters if matter.visit_id in sites), sites


def facts_window(start: dt.date, end: dt.date, policy: Policy = DEFAULT_POLICY, today: dt.date | None = None) -> FactsWindow:
    """The matters `period_figures` may count for this period, as dates (every other matter adds
    nothing to any figure): raised in it or in the previous period, closed or replied to in it,
    or with a deadline that could fall due in it or run on the day it is judged. A database
    reads only those (`PostgresStore.period_facts` the first ones one by one, `period_groups`
    the others in groups), not a million matters for one month."""
    check_period(start, end)
    before_start, _before_end = previous_period(start, end)
    as_of = min(end, today) if today is not None else end
    lo, hi = start.isoformat(), end.isoformat()
    return FactsWindow(
        raised_from=before_start.isoformat(), raised_to=hi, answered_from=lo, answered_to=hi,
        active_from=min(_horizon(start, policy), as_of.isoformat()), active_to=hi,
    )


def check_period(start: dt.date, end: dt.date) -> None:
    """Refuse a period that ends before it starts (`model.check_range`: a translated InputError)."""
    model.check_range(start.isoformat(), end.isoformat())


def previous_period(start: dt.date, end: dt.date) -> tuple[dt.date, dt.date]:
    """The period of the same length just before: whole months go back by whole months.

    November → October, a quarter → the quarter before, March 2028 → February 2028 (29 days);
    any other range goes back by its number of days (10–20 Nov → 30 Oct – 9 Nov).
    """
    check_period(start, end)
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


class _Verdicts:
    """What one matter adds to the deadline figures, worked out once per distinct set of the
    dates `policy.deadlines` reads (`MatterFacts.dates`: many matters share them): (steps due in
    the period and judged, of which on time, the step late on `as_of` or None, due soon on
    `as_of`). A matter whose dates the policy cannot read has no steps to judge by."""

    def __init__(self, policy: Policy, start: dt.date, end: dt.date, judged_on: dt.date, as_of: dt.date):
        self.policy, self.start, self.end, self.judged_on, self.as_of = policy, start, end, judged_on, as_of
        self.known: dict[tuple, tuple[int, int, Deadline | None, bool]] = {}

    def __call__(self, dates: tuple) -> tuple[int, int, Deadline | None, bool]:
        found = self.known.get(dates)
        if found is None:
            found = self.known[dates] = self._work_out(dict(zip(("raised_at", *DEADLINE_FIELDS), dates)))
        return found

    def _work_out(self, dates: dict[str, Any]) -> tuple[int, int, Deadline | None, bool]:
        try:
            steps = deadlines(dates, self.policy)
        except PolicyError:  # a date the policy cannot read: no deadline to judge by
            return (0, 0, None, False)
        judged = on_time = 0
        for deadline in steps:
            if deadline.owner == "office" and self.start <= deadline.due <= self.end:
                verdict = step_on_time(deadline, self.judged_on)
                if verdict is not None:
                    judged += 1
                    on_time += verdict
        current = open_at(steps, self.as_of)
        if current is None or current.owner != "office":
            return (judged, on_time, None, False)
        late = current if step_on_time(current, self.as_of) is False else None
        soon = is_due_soon(days_left(current, self.as_of, self.policy), self.policy.due_soon_days)
        return (judged, on_time, late, soon)


def _horizon(start: dt.date, policy: Policy) -> str:
    """A step that starts before this day (ISO) is due before `start`: the longest step of the
    policy, counted generously (working days, holidays), before it."""
    longest = max(
        policy.acceptance_days,
        policy.handling_days + policy.max_extensions * policy.max_extension_days,
        policy.review_decision_days,
        policy.re_review_decision_days,
    )
    try:
        return (add_days(start, -longest, policy) - dt.timedelta(days=14)).isoformat()
    except OverflowError:
        return dt.date.min.isoformat()


def open_at(found: list[Deadline], day: dt.date) -> Deadline | None:
    """The step the matter waited on on `day`: the latest started by then, if not done by then."""
    started = [deadline for deadline in found if deadline.start is None or deadline.start <= day]
    if not started or (started[-1].done is not None and started[-1].done <= day):
        return None
    return started[-1]


def late_at(found: list[Deadline], day: dt.date) -> bool:
    """`policy.is_overdue` as it would have answered on `day`: the step the matter waited on then
    is one the office owes, and `policy.step_on_time` calls it late."""
    current = open_at(found, day)
    return current is not None and current.owner == "office" and step_on_time(current, day) is False


def soon_at(found: list[Deadline], day: dt.date, policy: Policy) -> bool:
    """Whether the step the office owed on `day` was due soon then (`policy.is_due_soon`)."""
    current = open_at(found, day)
    return current is not None and current.owner == "office" and is_due_soon(days_left(current, day, policy), policy.due_soon_days)


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
