"""What a database reads for a period's figures (`stats.facts_window`, `facts_db.active_span`) is
a superset: every matter it leaves out adds nothing to any figure. Held over random matters and
periods, with no server: the selection `PostgresStore.period_facts` makes is written here in
Python (`selected`, `counted`, `active`), and `tests/test_facts_postgres.py` holds the database to the same figures."""

from __future__ import annotations

import datetime as dt
from collections import Counter

import orjson

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from fieldvisit.core.model import STATUSES
from fieldvisit.office.facts import DEADLINE_FIELDS, Shared, facts_of
from fieldvisit.office.facts_db import active_span, deadline_part, from_deadline_part
from fieldvisit.office.policy import DEFAULT_POLICY
from fieldvisit.office.stats import facts_window, period_figures
from fieldvisit.office.workflow import SATISFACTION

FIRST = dt.date(2026, 1, 1)
DAYS = 420
DATE_FIELDS = ("raised_at", "closed_at", *(name for name in DEADLINE_FIELDS if name.endswith("_at")))


def day(number: int) -> dt.date:
    return FIRST + dt.timedelta(days=number)


written_date = st.one_of(
    st.integers(0, DAYS).map(lambda number: f"{day(number).isoformat()}T09:30:00+08:00"),
    st.integers(0, DAYS).map(lambda number: day(number).isoformat()),
    st.sampled_from(["2026-02-30", "不是日期", "2026-13-01T08:00:00", ""]),  # what an old import may hold
)


STAGES = (("registered_at", "registered"), ("accepted_at", "accepted"), ("replied_at", "replied"), ("closed_at", "closed"))
"""A matter's life in order: each date after the one before, the status that of the last reached."""


@st.composite
def matters(draw) -> dict:
    """A matter as the office handles it (its dates in order, a stage reached), or with dates
    and status at random (what a damaged or hand-edited store may hold)."""
    issue = {"id": f"M{draw(st.integers(0, 10**9)):010d}", "category": draw(st.sampled_from(["wages", "housing", "other"]))}
    if draw(st.booleans()):
        number = draw(st.integers(0, DAYS))
        issue["raised_at"], issue["status"] = f"{day(number).isoformat()}T09:30:00+08:00", "recorded"
        for name, status in STAGES[: draw(st.integers(0, len(STAGES)))]:
            number += draw(st.integers(0, 90))
            issue[name], issue["status"] = f"{day(number).isoformat()}T10:00:00+08:00", status
        if draw(st.integers(0, 4)) == 0:
            issue["status"] = draw(st.sampled_from(["withdrawn", "not_accepted", "transferred"]))
            issue["decided_at"] = f"{day(number + draw(st.integers(0, 9))).isoformat()}T11:00:00+08:00"
    else:
        issue["status"] = draw(st.sampled_from(STATUSES))
        for name in DATE_FIELDS:
            if draw(st.booleans()):
                issue[name] = draw(written_date)
    if draw(st.booleans()):
        issue["satisfaction"] = draw(st.sampled_from(SATISFACTION))
    if draw(st.booleans()):
        issue["extension_days"] = draw(st.integers(1, 30))
    issue["visit_id"] = draw(st.sampled_from(["V1", "V2"]))
    return issue


def _bounds(span: str) -> tuple[str | None, str | None] | None:
    """A date range as PostgreSQL reads it: None when empty, else (first, last) with None unbounded."""
    if span == "empty":
        return None
    low, high = span[1:-1].split(",")
    return low or None, high or None


def _between(value, low, high) -> bool:
    return value is not None and low <= value <= high


def counted(matter, window) -> bool:
    """`PostgresStore.period_facts`'s condition: counted one by one."""
    if _between(matter.raised, window.raised_from, window.raised_to):
        return True
    return _between(matter.closed, window.answered_from, window.answered_to) or _between(matter.replied, window.answered_from, window.answered_to)


def selected(matter, window) -> bool:
    """What the database reads at all: counted one by one (`period_facts`) or in groups (`period_groups`)."""
    return counted(matter, window) or active(matter, window)


def active(matter, window) -> bool:
    """Its deadlines ran in the period's window (`fact_span &&` it)."""
    bounds = _bounds(active_span(matter))
    if bounds is None:
        return False
    low, high = bounds
    return (low is None or low <= window.active_to) and (high is None or high >= window.active_from)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(matters(), min_size=1, max_size=40), st.integers(0, DAYS), st.integers(0, 120), st.one_of(st.none(), st.integers(0, DAYS + 60)))
def test_a_matter_left_out_of_a_period_adds_nothing_to_its_figures(issues, first, length, today_number):
    start, end = day(first), day(first) + dt.timedelta(days=length)
    today = None if today_number is None else day(today_number)
    every = [facts_of(issue) for issue in issues]
    window = facts_window(start, end, DEFAULT_POLICY, today)
    chosen = [matter for matter in every if selected(matter, window)]
    sites = {"V1": "1号井", "V2": "2号井"}
    late_every, late_chosen = [], []
    assert period_figures(chosen, sites, start, end, DEFAULT_POLICY, today, late_chosen) == period_figures(every, sites, start, end, DEFAULT_POLICY, today, late_every)
    assert [matter.id for matter, _step in late_chosen] == [matter.id for matter, _step in late_every]
    groups = Counter(orjson.dumps(deadline_part(matter)) for matter in every if matter.status != "withdrawn" and active(matter, window) and not counted(matter, window))
    waiting = [(from_deadline_part(orjson.loads(part), Shared()), count) for part, count in groups.items()]  # as `period_groups` gives them
    apart = [matter for matter in every if counted(matter, window)]
    assert period_figures(apart, sites, start, end, DEFAULT_POLICY, today, waiting=waiting) == period_figures(every, sites, start, end, DEFAULT_POLICY, today)


def test_a_month_leaves_out_the_matters_of_other_months():
    """Not a superset by reading everything: matters raised and concluded a year away are left out."""
    window = facts_window(dt.date(2026, 11, 1), dt.date(2026, 11, 30), DEFAULT_POLICY, dt.date(2026, 12, 1))
    old = facts_of({"id": "A", "status": "closed", "raised_at": "2025-10-02T09:00:00+08:00", "closed_at": "2025-10-20T09:00:00+08:00"})
    waiting = facts_of({"id": "B", "status": "accepted", "raised_at": "2025-10-02T09:00:00+08:00", "accepted_at": "2025-10-03T09:00:00+08:00"})
    assert not selected(old, window) and selected(waiting, window)
