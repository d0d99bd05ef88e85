import datetime as dt
from datetime import date

import chinese_calendar
import pytest

from fieldvisit.core import i18n
from fieldvisit.core.errors import FieldVisitError
from fieldvisit.office.policy import (
    DEFAULT_POLICY,
    Deadline,
    Policy,
    PolicyError,
    add_days,
    check_extension,
    current_deadline,
    days_between,
    days_left,
    deadlines,
    fallback_years,
    has_holiday_data,
    is_overdue,
    is_working_day,
    issue_facts,
    load_policy,
    policy_toml,
)
from fieldvisit.core.records import add_entry, new_record, set_fields

WORKING = Policy(working_days=True)


def _steps(issue, policy=DEFAULT_POLICY):
    return {d.step: d for d in deadlines(issue, policy)}


def _first_year_without_data() -> int:
    year = 2004
    while has_holiday_data(year):
        year += 1
    return year


# --- the policy and its file ---------------------------------------------------------------


def test_defaults_follow_the_regulation():
    assert DEFAULT_POLICY == Policy()
    assert (DEFAULT_POLICY.acceptance_days, DEFAULT_POLICY.handling_days) == (15, 60)
    assert (DEFAULT_POLICY.max_extension_days, DEFAULT_POLICY.max_extensions) == (30, 1)
    assert DEFAULT_POLICY.review_request_days == DEFAULT_POLICY.review_decision_days == 30
    assert DEFAULT_POLICY.re_review_request_days == DEFAULT_POLICY.re_review_decision_days == 30
    assert DEFAULT_POLICY.working_days is False


def test_missing_file_or_no_path_gives_the_defaults(tmp_path):
    assert load_policy(None) == DEFAULT_POLICY
    assert load_policy(tmp_path / "policy.toml") == DEFAULT_POLICY


def test_a_good_file_is_read(tmp_path):
    path = tmp_path / "policy.toml"
    path.write_text("# 本单位规定\nacceptance_days = 10\nworking_days = true\n", encoding="utf-8")
    assert load_policy(path) == Policy(acceptance_days=10, working_days=True)


def test_the_starter_text_reads_back_as_the_same_policy(tmp_path):
    custom = Policy(handling_days=45, max_extensions=2, working_days=True)
    path = tmp_path / "policy.toml"
    for policy in (DEFAULT_POLICY, custom):
        path.write_text(policy_toml(policy), encoding="utf-8")
        assert load_policy(path) == policy
    assert "信访工作条例" in policy_toml(DEFAULT_POLICY)
    assert "acceptance_days = 15" in policy_toml(DEFAULT_POLICY)


@pytest.mark.parametrize(
    ("text", "key", "message_key"),
    [
        ("acceptance_day = 15\n", "acceptance_day", "error.policy.unknown_key"),
        ('handling_days = "60"\n', "handling_days", "error.policy.expect_int"),
        ("handling_days = 60.5\n", "handling_days", "error.policy.expect_int"),
        ("handling_days = true\n", "handling_days", "error.policy.expect_int"),
        ("working_days = 1\n", "working_days", "error.policy.expect_bool"),
        ("max_extension_days = -5\n", "max_extension_days", "error.policy.negative"),
        ("handling_days = 60000\n", "handling_days", "error.policy.too_large"),
    ],
)
def test_a_bad_file_is_refused_naming_the_key_and_the_file(tmp_path, text, key, message_key):
    path = tmp_path / "policy.toml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(PolicyError) as caught:
        load_policy(path)
    assert isinstance(caught.value, FieldVisitError)
    assert caught.value.message_key == message_key
    assert caught.value.params["setting"] == key
    message = str(caught.value)
    assert key in message and str(path) in message


def test_a_file_that_is_not_toml_is_refused(tmp_path):
    path = tmp_path / "policy.toml"
    path.write_text("acceptance_days = = 3\n", encoding="utf-8")
    with pytest.raises(PolicyError) as caught:
        load_policy(path)
    assert caught.value.message_key == "error.policy.unreadable"
    assert str(path) in str(caught.value)


def test_messages_exist_in_both_languages():
    keys = [key for key in i18n.catalogue("en") if key.startswith("error.policy.")]
    assert len(keys) >= 10
    assert set(keys) == {key for key in i18n.catalogue("zh-CN") if key.startswith("error.policy.")}


# --- calendar days -------------------------------------------------------------------------


def test_within_n_days_means_the_nth_day_after_the_start_is_the_last():
    steps = _steps({"status": "registered", "registered_at": "2026-03-01"})
    assert steps["acceptance"].due == date(2026, 3, 16)
    assert Deadline("acceptance", date(2026, 3, 16), date(2026, 3, 16)).on_time is True
    assert Deadline("acceptance", date(2026, 3, 16), date(2026, 3, 17)).on_time is False


def test_month_ends_and_leap_years():
    assert _steps({"accepted_at": "2026-01-31"})["handling"].due == date(2026, 4, 1)
    assert _steps({"accepted_at": "2028-02-29"})["handling"].due == date(2028, 4, 29)
    assert add_days(date(2026, 1, 31), 30, DEFAULT_POLICY) == date(2026, 3, 2)
    assert days_between(date(2028, 2, 28), date(2028, 3, 1), DEFAULT_POLICY) == 2


def test_acceptance_runs_from_the_raised_day_and_registering_does_not_move_it():
    issue = {"status": "recorded", "raised_at": "2026-05-01T23:30:00+08:00"}
    assert _steps(issue)["acceptance"].start == date(2026, 5, 1)
    assert _steps(issue)["acceptance"].due == date(2026, 5, 16)
    issue["registered_at"] = "2026-05-06"
    assert _steps(issue)["acceptance"].due == date(2026, 5, 16)
    arrival = Policy(acceptance_from="arrival")
    assert _steps(issue, arrival)["acceptance"].due == date(2026, 5, 21)


def test_the_review_chain():
    issue = {
        "status": "re_review",
        "registered_at": "2026-01-05",
        "accepted_at": "2026-01-10",
        "replied_at": "2026-03-01",
        "review_requested_at": "2026-03-20",
        "review_decided_at": "2026-04-25",
        "re_review_requested_at": "2026-05-20",
    }
    found = deadlines(issue, DEFAULT_POLICY)
    assert [d.step for d in found] == [
        "acceptance", "handling", "review_request", "review_decision", "re_review_request", "re_review_decision",
    ]
    due = {d.step: d.due for d in found}
    assert due == {
        "acceptance": date(2026, 1, 20),
        "handling": date(2026, 3, 11),
        "review_request": date(2026, 3, 31),
        "review_decision": date(2026, 4, 19),
        "re_review_request": date(2026, 5, 25),
        "re_review_decision": date(2026, 6, 19),
    }
    on_time = {d.step: d.on_time for d in found}
    assert on_time == {
        "acceptance": True,
        "handling": True,
        "review_request": True,
        "review_decision": False,  # decided 6 days late
        "re_review_request": True,
        "re_review_decision": None,  # still open
    }
    assert current_deadline(issue, DEFAULT_POLICY).step == "re_review_decision"
    issue["re_review_decided_at"] = "2026-06-10"
    assert current_deadline(issue, DEFAULT_POLICY) is None


def test_only_the_steps_that_have_begun_apply():
    assert deadlines({}, DEFAULT_POLICY) == []
    assert [d.step for d in deadlines({"registered_at": "2026-02-01"}, DEFAULT_POLICY)] == ["acceptance"]
    issue = {"registered_at": "2026-02-01", "accepted_at": "2026-02-03", "replied_at": "2026-03-01"}
    assert [d.step for d in deadlines(issue, DEFAULT_POLICY)] == ["acceptance", "handling", "review_request"]


# --- extension -----------------------------------------------------------------------------


def _being_handled(**more):
    return {"status": "in_progress", "registered_at": "2026-01-02", "accepted_at": "2026-01-05", **more}


def test_one_extension_is_allowed_and_moves_the_handling_deadline():
    issue = _being_handled()
    assert _steps(issue)["handling"].due == date(2026, 3, 6)
    check_extension(issue, 30, DEFAULT_POLICY)
    check_extension(issue, 1, DEFAULT_POLICY)
    issue["extension_days"] = 30
    assert _steps(issue)["handling"].due == date(2026, 4, 5)
    assert is_overdue(issue, DEFAULT_POLICY, date(2026, 3, 20)) is False
    assert is_overdue(issue, DEFAULT_POLICY, date(2026, 4, 6)) is True


def test_a_second_extension_is_refused():
    with pytest.raises(PolicyError) as caught:
        check_extension(_being_handled(extension_days=10), 5, DEFAULT_POLICY)
    assert caught.value.message_key == "error.policy.extension_used"
    allows_two = Policy(max_extensions=2)
    check_extension(_being_handled(extension_days=10, extensions=1), 5, allows_two)
    with pytest.raises(PolicyError):
        check_extension(_being_handled(extension_days=15, extensions=2), 5, allows_two)


@pytest.mark.parametrize("days", [0, -3, 31])
def test_extension_days_must_be_from_one_to_the_maximum(days):
    with pytest.raises(PolicyError) as caught:
        check_extension(_being_handled(), days, DEFAULT_POLICY)
    assert caught.value.message_key == "error.policy.extension_days"
    assert "30" in str(caught.value)


@pytest.mark.parametrize(
    "issue",
    [
        {"status": "registered", "registered_at": "2026-01-02"},
        _being_handled(status="replied", replied_at="2026-02-01"),
        _being_handled(status="closed"),
        _being_handled(status="withdrawn"),
    ],
)
def test_only_a_matter_being_handled_can_be_extended(issue):
    with pytest.raises(PolicyError) as caught:
        check_extension(issue, 10, DEFAULT_POLICY)
    assert caught.value.message_key == "error.policy.extension_not_handling"


# --- working days --------------------------------------------------------------------------


def test_working_days_across_national_day_2026():
    start = date(2026, 9, 28)  # a Monday; 1–7 October are holidays, Saturday 10 October is worked
    due = add_days(start, 15, WORKING)
    assert due == date(2026, 10, 23)
    assert due == chinese_calendar.find_workday(15, start)
    assert len(chinese_calendar.get_workdays(start + dt.timedelta(days=1), due)) == 15
    issue = {"status": "registered", "registered_at": "2026-09-28"}
    deadline = current_deadline(issue, WORKING)
    assert (deadline.due, deadline.approximate) == (date(2026, 10, 23), False)
    assert WORKING.calendar_note(start, due) is None


def test_working_days_across_the_spring_festival_2026():
    start = date(2026, 2, 10)
    due = add_days(start, 10, WORKING)
    assert due == date(2026, 3, 2) == chinese_calendar.find_workday(10, start)
    assert days_between(start, due, WORKING) == 10
    for day in chinese_calendar.get_dates(date(2026, 2, 15), date(2026, 2, 23)):
        assert not is_working_day(day)


def test_make_up_saturdays_count_as_working_days():
    for saturday in (date(2026, 2, 14), date(2026, 2, 28), date(2026, 10, 10)):
        assert saturday.weekday() == 5 and chinese_calendar.is_workday(saturday)
        assert is_working_day(saturday)
    assert add_days(date(2026, 2, 13), 1, WORKING) == date(2026, 2, 14)
    assert add_days(date(2026, 10, 9), 1, WORKING) == date(2026, 10, 10)


def test_working_days_agree_with_the_library_over_a_whole_year():
    start = date(2026, 1, 1)
    for offset in range(0, 330, 7):
        day = start + dt.timedelta(days=offset)
        assert is_working_day(day) == chinese_calendar.is_workday(day)
        if chinese_calendar.is_workday(day):
            assert add_days(day, 20, WORKING) == chinese_calendar.find_workday(20, day)


def test_a_start_on_a_rest_day_is_not_counted():
    saturday = date(2026, 3, 7)
    assert add_days(saturday, 1, WORKING) == date(2026, 3, 9)
    assert add_days(saturday, 0, WORKING) == saturday


def test_days_between_and_add_days_are_inverse():
    start = date(2026, 9, 25)
    for days in range(-40, 41):
        assert days_between(start, add_days(start, days, WORKING), WORKING) == days
        assert days_between(start, add_days(start, days, DEFAULT_POLICY), DEFAULT_POLICY) == days


def test_a_year_without_holiday_data_falls_back_to_monday_to_friday_and_says_so():
    assert not has_holiday_data(2003)
    national_day_2003 = date(2003, 10, 1)  # a Wednesday: a holiday in fact, a working day here
    assert is_working_day(national_day_2003)
    assert add_days(date(2003, 9, 26), 5, WORKING) == date(2003, 10, 3)
    assert fallback_years(date(2003, 9, 26), date(2003, 10, 3)) == [2003]
    note = WORKING.calendar_note(date(2003, 9, 26), date(2003, 10, 3))
    assert note is not None and "2003" in note
    assert DEFAULT_POLICY.calendar_note(date(2003, 9, 26)) is None

    year = _first_year_without_data()  # the first year after the library's data ends
    start = date(year, 6, 1)
    while start.weekday() != 0:
        start += dt.timedelta(days=1)
    assert add_days(start, 5, WORKING) == start + dt.timedelta(days=7)
    deadline = _steps({"registered_at": start.isoformat()}, WORKING)["acceptance"]
    assert deadline.due == start + dt.timedelta(days=21)
    assert deadline.approximate is True
    assert str(year) in WORKING.calendar_note(deadline.start, deadline.due)
    assert _steps({"registered_at": start.isoformat()})["acceptance"].approximate is False

    seam = _steps({"registered_at": f"{year - 1}-12-28"}, WORKING)["acceptance"]
    assert seam.approximate is True


# --- the open step ---------------------------------------------------------------------------


FULL = {
    "raised_at": "2026-04-01T10:00:00+08:00",
    "registered_at": "2026-04-02",
    "accepted_at": "2026-04-07",
    "replied_at": "2026-05-20",
    "review_requested_at": "2026-06-01",
    "review_decided_at": "2026-06-20",
    "re_review_requested_at": "2026-07-01",
}


@pytest.mark.parametrize(
    ("status", "known", "step"),
    [
        ("recorded", ("raised_at",), "acceptance"),
        ("registered", ("raised_at", "registered_at"), "acceptance"),
        ("accepted", ("raised_at", "registered_at", "accepted_at"), "handling"),
        ("in_progress", ("raised_at", "registered_at", "accepted_at"), "handling"),
        ("replied", ("raised_at", "registered_at", "accepted_at", "replied_at"), "review_request"),
        ("review", ("raised_at", "registered_at", "accepted_at", "replied_at", "review_requested_at"), "review_decision"),
        ("replied", tuple(FULL)[:6], "re_review_request"),
        ("re_review", tuple(FULL), "re_review_decision"),
        ("closed", tuple(FULL), None),
        ("withdrawn", ("raised_at", "registered_at"), None),
        ("not_accepted", ("raised_at", "registered_at"), None),
        ("transferred", ("raised_at", "registered_at"), None),
    ],
)
def test_current_deadline_for_each_status(status, known, step):
    issue = {"status": status, **{key: FULL[key] for key in known}}
    deadline = current_deadline(issue, DEFAULT_POLICY)
    assert (deadline.step if deadline else None) == step
    if deadline:
        assert deadline.done is None and deadline.on_time is None


def test_days_left_counts_down_and_goes_negative_when_overdue():
    issue = {"status": "registered", "registered_at": "2026-03-01"}
    deadline = current_deadline(issue, DEFAULT_POLICY)
    assert days_left(deadline, date(2026, 3, 10), DEFAULT_POLICY) == 6
    assert days_left(deadline, date(2026, 3, 16), DEFAULT_POLICY) == 0
    assert days_left(deadline, date(2026, 3, 19), DEFAULT_POLICY) == -3
    assert not is_overdue(issue, DEFAULT_POLICY, date(2026, 3, 16))
    assert is_overdue(issue, DEFAULT_POLICY, date(2026, 3, 17))


def test_working_days_left_is_negative_even_on_a_weekend_after_the_due_date():
    friday = Deadline("handling", date(2026, 3, 13), None)
    assert days_left(friday, date(2026, 3, 12), WORKING) == 1
    assert days_left(friday, date(2026, 3, 13), WORKING) == 0
    assert days_left(friday, date(2026, 3, 14), WORKING) == -1
    assert days_left(friday, date(2026, 3, 16), WORKING) == -1
    assert days_left(friday, date(2026, 3, 17), WORKING) == -2


def test_a_lapsed_review_window_is_not_the_office_being_late():
    issue = {"status": "replied", "accepted_at": "2026-04-07", "replied_at": "2026-05-20"}
    deadline = current_deadline(issue, DEFAULT_POLICY)
    assert deadline.owner == "petitioner"
    assert days_left(deadline, date(2026, 7, 1), DEFAULT_POLICY) < 0
    assert not is_overdue(issue, DEFAULT_POLICY, date(2026, 7, 1))


def test_on_time_for_done_steps():
    issue = {"registered_at": "2026-04-02", "accepted_at": "2026-04-20", "replied_at": "2026-06-01"}
    steps = _steps(issue)
    assert steps["acceptance"].on_time is False  # due 17 April
    assert steps["handling"].on_time is True  # due 19 June
    assert steps["review_request"].on_time is None


def test_a_date_that_cannot_be_read_is_named():
    with pytest.raises(PolicyError) as caught:
        deadlines({"registered_at": "2026-13-40"}, DEFAULT_POLICY)
    assert caught.value.params == {"field": "registered_at", "value": "2026-13-40"}


def test_the_decision_date_of_a_matter_not_accepted_comes_from_its_history():
    record = new_record("issue", "01J0000000000000000000000A")
    set_fields(record, {"status": "not_accepted", "registered_at": "2026-04-02"}, "1790000000000-0000-01J0000000000000000000000D")
    add_entry(record, "transitions", "01J0000000000000000000000B", {"from": "recorded", "to": "registered", "at": "2026-04-02T09:00:00+08:00"}, "1790000000000-0001-01J0000000000000000000000D")
    add_entry(record, "transitions", "01J0000000000000000000000C", {"from": "registered", "to": "not_accepted", "at": "2026-04-10T15:00:00+08:00"}, "1790000000000-0002-01J0000000000000000000000D")
    facts = issue_facts(record)
    assert facts["decided_at"] == "2026-04-10"
    acceptance = _steps(facts)["acceptance"]
    assert (acceptance.done, acceptance.on_time) == (date(2026, 4, 10), True)
    assert "handling" not in _steps(facts)
    assert current_deadline(facts, DEFAULT_POLICY) is None
