"""Period statistics: every figure on small hand-built matters, then the demo store adds up."""

from __future__ import annotations

import datetime as dt
import itertools

import pytest

from fieldvisit.core import model
from fieldvisit.core.errors import InputError
from fieldvisit.demo.laptop import build_demo
from fieldvisit.office.policy import DEFAULT_POLICY, Policy, is_overdue
from fieldvisit.core.records import values
from fieldvisit.office.stats import PeriodStats, Rising, period_stats, previous_period, rising_categories
from fieldvisit.stores.store import ISSUES, VISITS

D = dt.date
NOV = (D(2026, 11, 1), D(2026, 11, 30))
_ids = itertools.count(1)


def matter(raised: str = "2026-11-15T09:00:00+08:00", **fields) -> dict:
    """A matter's values as `records.values` gives them; only what a test names is set."""
    return {"id": f"M{next(_ids):04d}", "raised_at": raised, "status": "recorded", "category": "wages", **fields}


def nov(issues: list[dict], visits: list[dict] | None = None, **options) -> PeriodStats:
    return period_stats(issues, visits or [], *NOV, **options)


# --- belonging to a period -------------------------------------------------------------------


def test_period_boundaries_are_inclusive_by_the_date_written_in_raised_at():
    issues = [
        matter("2026-10-31T23:59:59+08:00"),
        matter("2026-11-01T00:00:00+08:00"),
        matter("2026-11-30T23:59:00+08:00"),
        matter("2026-11-30T20:00:00-05:00"),  # already 1 December in UTC: the local date counts
        matter("2026-12-01T00:00:00+08:00"),
    ]
    stats = nov(issues)
    assert stats.total == stats.new == 3
    assert stats.by_month == {"2026-11": 3}


def test_month_bucketing_across_a_year_end_is_zero_filled_and_clipped_to_the_range():
    issues = [
        matter("2026-12-14T10:00:00+08:00"),
        matter("2026-12-15T08:00:00+08:00"),
        matter("2026-12-31T23:30:00+08:00"),
        matter("2027-02-10T17:00:00+08:00"),
        matter("2027-02-11T09:00:00+08:00"),
        matter("2027-01-05T09:00:00+08:00", status="withdrawn"),
    ]
    stats = period_stats(issues, [], D(2026, 12, 15), D(2027, 2, 10))
    assert list(stats.by_month.items()) == [("2026-12", 2), ("2027-01", 0), ("2027-02", 1)]
    assert stats.total == 3 and stats.withdrawn == 1


def test_months_of_one_day_and_of_no_matters():
    assert period_stats(iter([matter("2026-01-01T00:00:00+08:00")]), [], D(2026, 1, 1), D(2026, 1, 1)).by_month == {"2026-01": 1}
    assert period_stats(iter([]), [], D(2026, 11, 20), D(2027, 1, 3)).by_month == {"2026-11": 0, "2026-12": 0, "2027-01": 0}


def test_closed_counts_closures_in_the_period_whenever_the_matter_was_raised():
    issues = [
        matter("2026-09-10T09:00:00+08:00", status="closed", closed_at="2026-11-03"),  # closed, not new
        matter("2026-11-02T09:00:00+08:00", status="closed", closed_at="2026-11-30"),  # new and closed
        matter("2026-11-05T09:00:00+08:00", status="closed", closed_at="2026-12-01"),  # new, closed later
        matter("2026-11-06T09:00:00+08:00", status="in_progress"),  # new, open
        matter("2026-10-01T09:00:00+08:00", status="closed", closed_at="2026-10-31"),  # neither
        matter("2026-09-01T09:00:00+08:00", status="withdrawn", closed_at="2026-11-10"),  # withdrawn: neither
    ]
    stats = nov(issues)
    assert (stats.new, stats.closed, stats.total, stats.withdrawn) == (3, 2, 3, 0)
    assert stats.by_status == {"closed": 2, "in_progress": 1}


def test_withdrawn_matters_are_counted_apart_and_left_out_of_everything_else():
    issues = [
        matter(status="withdrawn", category="housing", repeat=True, satisfaction="dissatisfied", closed_at="2026-11-20"),
        matter(status="withdrawn", category="housing"),
        matter(category="housing"),
        matter("2026-10-15T09:00:00+08:00", status="withdrawn"),  # another period's withdrawal
    ]
    stats = nov(issues)
    assert stats.total == 1 and stats.withdrawn == 2
    assert stats.by_category["housing"] == 1
    assert "withdrawn" not in stats.by_status
    assert (stats.repeat, stats.closed, stats.satisfaction_rate) == (0, 0, None)


# --- breakdowns and flags ------------------------------------------------------------------------


def test_breakdowns_are_in_a_stable_order():
    visits = [{"id": "V1", "site": "东风煤矿三采区"}, {"id": "V2", "site": "机修厂"}, {"id": "V3", "site": "离退休办"}]
    issues = [
        matter(visit_id="V2", category="housing", status="registered"),
        matter(visit_id="V2", category="wages", status="registered"),
        matter(visit_id="V3", category="wages", status="accepted"),
        matter(visit_id="V3", category="canteen"),  # a category from a customised catalogue
        matter(visit_id="V1", category="bus"),
        matter(visit_id="V1", category="bus"),
        matter(visit_id="V9"),  # its visit is not in the store (yet)
        matter(category=None),
    ]
    stats = nov(issues, visits)
    assert list(stats.by_category) == [*model.DEFAULT_CATEGORIES, "bus", "canteen"]
    assert stats.by_category["wages"] == 3 and stats.by_category["other"] == 1 and stats.by_category["land"] == 0
    assert list(stats.by_site.items()) == [("", 2), ("东风煤矿三采区", 2), ("机修厂", 2), ("离退休办", 2)]
    assert list(stats.by_status.items()) == [("recorded", 5), ("registered", 2), ("accepted", 1)]
    assert sum(stats.by_category.values()) == sum(stats.by_site.values()) == stats.total == 8


def test_flags_count_matters_raised_in_the_period_and_five_people_make_a_collective_visit():
    issues = [
        matter(repeat=True, skip_level=True),
        matter(people=model.COLLECTIVE_SIZE),  # collective by size, flag never set
        matter(people=model.COLLECTIVE_SIZE - 1),
        matter(collective=True, people=12, safety_hazard=True),
        matter(safety_hazard=True, repeat=False),
        matter("2026-10-20T09:00:00+08:00", repeat=True, collective=True),  # another period
    ]
    stats = nov(issues)
    assert (stats.repeat, stats.collective, stats.skip_level, stats.safety_hazard) == (1, 2, 1, 2)


# --- deadlines -----------------------------------------------------------------------------------


def test_on_time_rate_judges_every_office_step_due_in_the_period():
    raised = "2026-08-28T09:00:00+08:00"
    issues = [
        # accepted 1 Sep: handling due 31 Oct, not in November: not counted here
        matter(raised, status="replied", accepted_at="2026-09-01", replied_at="2026-11-05"),
        # the same, with a 30-day extension → due 30 Nov, replied 5 Nov: on time
        matter(raised, status="replied", accepted_at="2026-09-01", extension_days=30, replied_at="2026-11-05"),
        # accepted 1 Oct → due 30 Nov, replied on the due date itself: on time
        matter(raised, status="closed", accepted_at="2026-10-01", replied_at="2026-11-30", closed_at="2026-11-30"),
        # due 30 Nov, replied 1 Dec: late, and it stays late
        matter(raised, status="replied", accepted_at="2026-10-01", replied_at="2026-12-01"),
        # raised 1 Nov, acceptance due 16 Nov, never decided: late
        matter("2026-11-01T09:00:00+08:00"),
        # raised 1 Nov, registered (and accepted) only on 25 Nov: the clock ran from 1 Nov: late
        matter("2026-11-01T09:00:00+08:00", status="accepted", registered_at="2026-11-25", accepted_at="2026-11-25"),
        # raised 20 Nov, acceptance due 5 Dec: not due in November
        matter("2026-11-20T09:00:00+08:00"),
        # late, but withdrawn since
        matter(raised, status="withdrawn", accepted_at="2026-10-01", replied_at="2026-12-20"),
    ]
    stats = nov(issues, today=dt.date(2026, 12, 10))
    assert stats.on_time_rate == pytest.approx(2 / 5)


def test_a_step_due_and_still_open_is_not_judged_before_its_due_date():
    open_step = matter("2026-11-20T09:00:00+08:00", status="accepted", accepted_at="2026-10-01")  # due 30 Nov
    assert nov([open_step], today=dt.date(2026, 11, 30)).on_time_rate is None
    assert nov([open_step], today=dt.date(2026, 12, 1)).on_time_rate == 0.0


def test_on_time_rate_follows_the_policy_given():
    late = matter("2026-08-28T09:00:00+08:00", status="replied", accepted_at="2026-10-01", replied_at="2026-12-05")
    assert nov([late]).on_time_rate is None  # on 30 Nov, the due date itself, it was not late yet
    assert nov([late], today=dt.date(2026, 12, 10)).on_time_rate == 0.0
    assert nov([late], policy=Policy(handling_days=58), today=dt.date(2026, 12, 10)).on_time_rate == 0.0
    assert nov([late], policy=Policy(handling_days=45), today=dt.date(2026, 12, 10)).on_time_rate == 0.0  # due 15 Nov
    early = matter("2026-08-28T09:00:00+08:00", status="replied", accepted_at="2026-10-01", replied_at="2026-11-10")
    assert nov([early], policy=Policy(handling_days=45)).on_time_rate == 1.0


def test_on_time_rate_is_none_without_replies():
    assert nov([matter()]).on_time_rate is None


def overdue_cases() -> list[dict]:
    return [
        # recorded 1 Nov, never registered: acceptance due 16 Nov → overdue by 30 Nov, not on 10 Nov
        matter("2026-11-01T09:00:00+08:00"),
        # registered 20 Nov: due 5 Dec
        matter("2026-11-19T09:00:00+08:00", status="registered", registered_at="2026-11-20"),
        # handling due 31 Oct, replied only on 3 Dec: it was overdue on 10 and 30 Nov
        matter("2026-08-28T09:00:00+08:00", status="replied", accepted_at="2026-09-01", replied_at="2026-12-03"),
        # replied 5 Nov: then waits on the petitioner, who may ask for a review (not the office's delay)
        matter("2026-08-28T09:00:00+08:00", status="replied", accepted_at="2026-09-01", replied_at="2026-11-05"),
        # closed without ever being accepted: waits on nothing
        matter("2026-09-01T09:00:00+08:00", status="closed", closed_at="2026-11-10"),
        # not accepted, the decision date unknown: taken as decided
        matter("2026-09-01T09:00:00+08:00", status="not_accepted"),
        # withdrawn: left out
        matter("2026-10-01T09:00:00+08:00", status="withdrawn"),
    ]


def test_overdue_at_the_end_of_the_period_ignores_later_dates():
    assert nov(overdue_cases()).overdue == 2


def test_overdue_while_the_period_runs_is_judged_on_today():
    assert nov(overdue_cases(), today=D(2026, 11, 10)).overdue == 1
    assert nov(overdue_cases(), today=D(2027, 1, 1)).overdue == 2  # a later today never passes the end


def test_overdue_agrees_with_the_policy_when_nothing_lies_after_the_day():
    issues = [issue for issue in overdue_cases() if "2026-12" not in str(issue.get("replied_at"))]
    day = D(2026, 11, 30)
    expected = sum(is_overdue(issue, DEFAULT_POLICY, day) for issue in issues if issue["status"] != "withdrawn")
    assert nov(issues).overdue == expected == 1


def test_a_matter_whose_dates_the_policy_cannot_read_is_left_out_of_deadline_figures():
    stats = nov([matter(status="accepted", accepted_at="sometime"), matter("2026-11-01T09:00:00+08:00")])
    assert stats.total == 2 and stats.overdue == 1


# --- satisfaction --------------------------------------------------------------------------------


def test_satisfaction_counts_matters_concluded_in_the_period():
    issues = [
        matter(status="closed", closed_at="2026-11-03", satisfaction="satisfied"),
        matter(status="replied", replied_at="2026-11-15", satisfaction="basically_satisfied"),
        matter(status="closed", closed_at="2026-11-20", satisfaction="dissatisfied"),
        matter(status="closed", replied_at="2026-10-28", closed_at="2026-10-30", satisfaction="satisfied"),
        matter(status="closed", replied_at="2026-10-25", closed_at="2026-11-02", satisfaction="dissatisfied"),
        matter(status="closed", replied_at="2026-11-10", closed_at="2026-12-01", satisfaction="satisfied"),
        matter(status="closed", closed_at="2026-11-05"),  # not rated
        matter(status="closed", closed_at="2026-11-05", satisfaction="so-so"),  # not a rating
        matter(status="withdrawn", closed_at="2026-11-06", satisfaction="satisfied"),
    ]
    stats = nov(issues)
    assert stats.satisfaction == {"satisfied": 1, "basically_satisfied": 1, "dissatisfied": 2}
    assert list(stats.satisfaction) == ["satisfied", "basically_satisfied", "dissatisfied"]
    assert stats.satisfaction_rate == pytest.approx(0.5)


def test_satisfaction_rate_is_none_when_nothing_was_rated():
    stats = nov([matter(status="closed", closed_at="2026-11-05")])
    assert stats.satisfaction_rate is None
    assert stats.satisfaction == {"satisfied": 0, "basically_satisfied": 0, "dissatisfied": 0}


# --- rising categories -----------------------------------------------------------------------------


def test_rising_categories_thresholds_and_order():
    now = {"wages": 6, "housing": 3, "work_safety": 2, "land": 4, "legacy": 3, "other": 5, "discipline": 1}
    before = {"wages": 4, "work_safety": 0, "land": 2, "legacy": 2, "other": 4, "discipline": 3}
    assert rising_categories(now, before) == [
        Rising("housing", 3, 0, None),  # new from zero (absent before)
        Rising("land", 4, 2, 1.0),
        Rising("wages", 6, 4, 0.5),  # exactly +50 %
        Rising("legacy", 3, 2, 0.5),  # same change, fewer matters
    ]
    # work_safety: new but below three; other: +25 %; discipline: falling


def test_rising_categories_thresholds_can_be_set():
    now, before = {"wages": 2, "housing": 5}, {"wages": 0, "housing": 4}
    assert rising_categories(now, before) == []
    assert rising_categories(now, before, min_count=2, min_change=0.25) == [
        Rising("wages", 2, 0, None),
        Rising("housing", 5, 4, 0.25),
    ]


def test_period_stats_compares_categories_with_the_previous_period():
    def many(count: int, category: str, raised: str = "2026-11-15T09:00:00+08:00") -> list[dict]:
        return [matter(raised, category=category) for _ in range(count)]

    october = many(2, "wages", "2026-10-10T09:00:00+08:00") + many(4, "housing", "2026-10-31T22:00:00+08:00")
    october += many(9, "land", "2026-09-30T09:00:00+08:00")  # before the previous period
    november = many(3, "wages") + many(4, "housing") + many(3, "land")
    stats = nov(october + november)
    assert stats.rising == [Rising("land", 3, 0, None), Rising("wages", 3, 2, 0.5)]


# --- previous period -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("start", "end", "expected"),
    [
        (D(2026, 11, 1), D(2026, 11, 30), (D(2026, 10, 1), D(2026, 10, 31))),  # a month: the month before
        (D(2028, 3, 1), D(2028, 3, 31), (D(2028, 2, 1), D(2028, 2, 29))),  # leap-year February
        (D(2027, 3, 1), D(2027, 3, 31), (D(2027, 2, 1), D(2027, 2, 28))),
        (D(2028, 2, 1), D(2028, 2, 29), (D(2028, 1, 1), D(2028, 1, 31))),
        (D(2027, 1, 1), D(2027, 1, 31), (D(2026, 12, 1), D(2026, 12, 31))),  # across a year end
        (D(2026, 10, 1), D(2026, 12, 31), (D(2026, 7, 1), D(2026, 9, 30))),  # a quarter
        (D(2026, 1, 1), D(2026, 12, 31), (D(2025, 1, 1), D(2025, 12, 31))),  # a year
        (D(2026, 11, 10), D(2026, 11, 20), (D(2026, 10, 30), D(2026, 11, 9))),  # 11 days
        (D(2028, 3, 1), D(2028, 3, 10), (D(2028, 2, 20), D(2028, 2, 29))),  # 10 days over a leap day
        (D(2026, 11, 15), D(2026, 12, 14), (D(2026, 10, 16), D(2026, 11, 14))),  # 30 days, not whole months
        (D(2026, 11, 20), D(2026, 11, 20), (D(2026, 11, 19), D(2026, 11, 19))),  # one day
    ],
)
def test_previous_period(start, end, expected):
    assert previous_period(start, end) == expected
    before_start, before_end = expected
    assert before_end == start - dt.timedelta(days=1)
    if start.day != 1 or (end + dt.timedelta(days=1)).day != 1:
        assert (before_end - before_start).days == (end - start).days


def test_a_period_that_ends_before_it_starts_is_refused_naming_the_field():
    with pytest.raises(InputError) as raised:
        previous_period(D(2026, 11, 2), D(2026, 11, 1))
    assert raised.value.field == "date_to"
    with pytest.raises(InputError) as raised:
        period_stats([], [], D(2026, 11, 2), D(2026, 11, 1))
    assert str(raised.value) == "截止日期: 结束日期 2026-11-01 早于开始日期 2026-11-02：请改正其中一个"
    period_stats([], [], D(2026, 11, 2), D(2026, 11, 2))  # one day is a period


def test_an_empty_period():
    stats = nov([])
    assert stats.total == stats.closed == stats.overdue == 0
    assert stats.on_time_rate is None and stats.satisfaction_rate is None and stats.rising == []
    assert stats.by_category == dict.fromkeys(model.DEFAULT_CATEGORIES, 0)
    assert stats.as_json()["start"] == "2026-11-01"


# --- the demo store --------------------------------------------------------------------------------


def test_demo_store_figures_add_up():
    anchor = D(2026, 11, 20)
    store = build_demo(1, anchor)
    issues = [values(record) for record in store.all(ISSUES)]
    visits = [values(record) for record in store.all(VISITS)]
    stats = period_stats(issues, visits, D(2026, 9, 1), D(2026, 11, 30), today=anchor)
    assert stats.total + stats.withdrawn == len(issues)
    assert stats.withdrawn == 1
    assert stats.new == stats.total
    for breakdown in (stats.by_category, stats.by_site, stats.by_status, stats.by_month):
        assert sum(breakdown.values()) == stats.total
    assert set(stats.by_site) <= {visit["site"] for visit in visits}
    assert list(stats.by_month) == ["2026-09", "2026-10", "2026-11"]
    assert stats.collective == sum(
        1 for issue in issues if issue["status"] != "withdrawn" and (issue.get("collective") or issue.get("people", 1) >= 5)
    )
    live = [issue for issue in issues if issue["status"] != "withdrawn"]
    assert stats.overdue == sum(is_overdue(issue, DEFAULT_POLICY, anchor) for issue in live)
    assert period_stats(issues, visits, D(2026, 11, 1), D(2026, 11, 30)) == period_stats(
        list(reversed(issues)), list(reversed(visits)), D(2026, 11, 1), D(2026, 11, 30)
    )
