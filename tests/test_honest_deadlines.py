"""Deadlines that tell the truth (issue 15 §1): the acceptance clock never restarts, lateness
stays, a transferred matter says why no deadline runs, and every figure agrees."""

from __future__ import annotations

import datetime as dt

import pytest

from fieldvisit.core.errors import InputError

from fieldvisit.core.records import entries, values
from fieldvisit.office.policy import (
    DEFAULT_POLICY,
    Policy,
    deadline_now,
    issue_facts,
    late_steps,
    load_policy,
    policy_toml,
    step_on_time,
)
from fieldvisit.office.register import SAVED_FILTERS, RegisterIndex
from fieldvisit.office.stats import period_stats
from fieldvisit.office.workflow import Workflow
from fieldvisit.reports.data import period_report
from fieldvisit.editing.editor import Editor
from fieldvisit.stores.store import ISSUES, MemoryStore
from fieldvisit.sync import bundle as fmt
from fieldvisit.sync.exporter import export_bundle
from fieldvisit.sync.importer import import_bundles

RAISED = dt.date(2026, 11, 20)  # the conftest visit's date; the matter is raised "now" by the wall clock


class Day:
    def __init__(self, date: dt.date):
        self.date = date

    def __call__(self) -> dt.date:
        return self.date


NOON_UTC = int(dt.datetime(2026, 11, 20, 4, tzinfo=dt.timezone.utc).timestamp() * 1000)
"""`RAISED` in every time zone from UTC−4 to UTC+19."""


@pytest.fixture
def matter(editor, visit, store, wall):
    """A matter raised on the visit on `RAISED`, and a workflow on it."""
    wall.ms = NOON_UTC
    record = editor.record_issue(visit["id"], {"title": "井下津贴少发"})
    assert values(record)["raised_at"][:10] == RAISED.isoformat()
    day = Day(RAISED)
    return Workflow(editor, today=day), record["id"], day


def facts(store, issue_id):
    return issue_facts(store.get(ISSUES, issue_id))


def test_registering_a_matter_28_days_overdue_leaves_it_28_days_overdue(matter, store):
    workflow, issue_id, day = matter
    due = RAISED + dt.timedelta(days=15)
    day.date = due + dt.timedelta(days=28)
    before = deadline_now(facts(store, issue_id), DEFAULT_POLICY, day.date)
    assert (before.deadline.step, before.deadline.due, before.days_left) == ("acceptance", due, -28)
    workflow.register(issue_id)
    after = deadline_now(facts(store, issue_id), DEFAULT_POLICY, day.date)
    assert (after.deadline.step, after.deadline.due, after.days_left) == ("acceptance", due, -28)


def test_lateness_once_incurred_stays_after_acceptance_reply_and_close(matter, store):
    workflow, issue_id, day = matter
    day.date = RAISED + dt.timedelta(days=43)
    workflow.register(issue_id)
    workflow.accept(issue_id)
    day.date += dt.timedelta(days=10)
    workflow.reply(issue_id, "已补发")
    workflow.close(issue_id)
    found = facts(store, issue_id)
    late = late_steps(found, DEFAULT_POLICY, day.date)
    assert [(step.step, step.done) for step in late] == [("acceptance", RAISED + dt.timedelta(days=43))]
    assert deadline_now(found, DEFAULT_POLICY, day.date).reason == "honest_deadlines.none_closed"
    # and in every on-time figure: statistics over the month it fell due, and the period report
    december = (dt.date(2026, 12, 1), dt.date(2026, 12, 31))
    stats = period_stats([found], [], *december, today=day.date)
    assert stats.on_time_rate == 0.0
    assert period_report(store, *december, today=day.date).stats.on_time_rate == 0.0


def test_not_accepting_and_registering_again_keeps_the_first_decision_and_arrival(matter, store):
    workflow, issue_id, day = matter
    day.date = RAISED + dt.timedelta(days=3)
    workflow.register(issue_id)
    day.date = RAISED + dt.timedelta(days=10)
    workflow.not_accept(issue_id, "不属于受理范围")
    day.date = RAISED + dt.timedelta(days=40)
    workflow.move(issue_id, "registered", "补充材料后重新登记")
    found = facts(store, issue_id)
    assert found["registered_at"] == (RAISED + dt.timedelta(days=40)).isoformat()
    assert found["arrived_at"] == (RAISED + dt.timedelta(days=3)).isoformat()
    assert found["decided_at"] == (RAISED + dt.timedelta(days=10)).isoformat()
    arrival = Policy(acceptance_from="arrival")
    acceptance = deadline_now(found, arrival, day.date)
    assert acceptance.deadline is None or acceptance.deadline.step != "acceptance"
    assert step_on_time(next(step for step in _steps(found, arrival) if step.step == "acceptance"), day.date) is True


def _steps(found, policy):
    from fieldvisit.office.policy import deadlines

    return deadlines(found, policy)


def test_the_policy_may_start_the_clock_on_arrival_in_the_office(matter, store, tmp_path):
    workflow, issue_id, day = matter
    day.date = RAISED + dt.timedelta(days=5)
    workflow.register(issue_id)
    day.date = RAISED + dt.timedelta(days=30)
    workflow.accept(issue_id)
    path = tmp_path / "policy.toml"
    path.write_text('acceptance_from = "arrival"\n', "utf-8")
    arrival = load_policy(path)
    assert arrival.acceptance_from == "arrival"
    found = facts(store, issue_id)
    acceptance = next(step for step in _steps(found, arrival) if step.step == "acceptance")
    assert (acceptance.start, acceptance.due) == (RAISED + dt.timedelta(days=5), RAISED + dt.timedelta(days=20))
    assert step_on_time(acceptance, day.date) is False
    raised = next(step for step in _steps(found, DEFAULT_POLICY) if step.step == "acceptance")
    assert raised.start == RAISED
    assert load_policy(_written(tmp_path, policy_toml(arrival))) == arrival


def _written(tmp_path, text):
    path = tmp_path / "starter.toml"
    path.write_text(text, "utf-8")
    return path


def test_an_unknown_clock_start_is_refused_naming_the_choices(tmp_path):
    path = tmp_path / "policy.toml"
    path.write_text('acceptance_from = "registration"\n', "utf-8")
    with pytest.raises(Exception) as raised:
        load_policy(path)
    assert "raised, arrival" in str(raised.value) and "acceptance_from" in str(raised.value)


def test_a_transferred_matter_shows_no_deadline_and_why_and_the_register_agrees(matter, store):
    workflow, issue_id, day = matter
    day.date = RAISED + dt.timedelta(days=2)
    workflow.register(issue_id)
    workflow.accept(issue_id)
    day.date = RAISED + dt.timedelta(days=100)  # handling would be long overdue
    workflow.transfer(issue_id, "市信访局", "属地管理")
    found = facts(store, issue_id)
    now = deadline_now(found, DEFAULT_POLICY, day.date)
    assert (now.deadline, now.reason) == (None, "honest_deadlines.none_transferred")
    assert found["transferred_at"] == day.date.isoformat()
    index = RegisterIndex(store, DEFAULT_POLICY, day.date).build()
    row = index.rows[issue_id]
    assert (row.due, row.days_left) == (None, None)
    assert row not in index.select(SAVED_FILTERS["overdue"])
    # the handling step ended with the transfer, 40 days after its due date: that lateness stays
    assert [step.step for step in late_steps(found, DEFAULT_POLICY, day.date)] == ["handling"]


def test_re_importing_an_old_laptop_bundle_does_not_restart_the_clock(wall):
    laptop, office = MemoryStore(), MemoryStore()
    wall.ms = NOON_UTC
    laptop_editor = Editor(laptop, wall=wall)
    visit = laptop_editor.create_visit({"title": "接访", "site": "三采区", "date": "2026-11-20"})
    issue_id = laptop_editor.record_issue(visit["id"], {"title": "班车取消"})["id"]
    old_bundle = fmt.encode(export_bundle(laptop))
    import_bundles(office, [("usb", old_bundle)])
    later = RAISED + dt.timedelta(days=30)
    workflow = Workflow(Editor(office, wall=lambda: wall.ms + 30 * 86_400_000), today=lambda: later)
    workflow.register(issue_id)
    import_bundles(office, [("usb again", old_bundle)])
    now = deadline_now(facts(office, issue_id), DEFAULT_POLICY, later)
    assert (now.deadline.due, now.days_left) == (RAISED + dt.timedelta(days=15), -15)
    assert values(office.get(ISSUES, issue_id))["status"] == "registered"


def test_due_soon_is_the_policy_s_one_definition(matter, store):
    workflow, issue_id, day = matter
    due = RAISED + dt.timedelta(days=15)
    for days_before, policy, expected in ((5, DEFAULT_POLICY, True), (5, Policy(due_soon_days=3), False), (3, Policy(due_soon_days=3), True)):
        index = RegisterIndex(store, policy, due - dt.timedelta(days=days_before)).build()
        assert (issue_id in {row.id for row in index.select(SAVED_FILTERS["due_soon"])}) is expected
        stats = period_stats([facts(store, issue_id)], [], RAISED, due, policy, today=due - dt.timedelta(days=days_before))
        assert stats.due_soon == int(expected)


def test_values_without_history_still_work(matter, store):
    workflow, issue_id, day = matter
    plain = values(store.get(ISSUES, issue_id))
    assert deadline_now(plain, DEFAULT_POLICY, RAISED).deadline.due == RAISED + dt.timedelta(days=15)


# --- steps follow the process ------------------------------------------------------------------


def refused(action) -> InputError:
    with pytest.raises(InputError) as raised:
        action()
    return raised.value


def test_satisfaction_only_after_a_reply_or_face_to_face_feedback(matter, store):
    workflow, issue_id, day = matter
    workflow.register(issue_id)
    workflow.accept(issue_id)
    workflow.add_feedback(issue_id, "phone", "正在办理")
    error = refused(lambda: workflow.rate(issue_id, "satisfied"))
    assert error.field == "satisfaction"
    assert str(error) == "满意度: 须在答复信访人（p）或当面反馈之后才能登记"
    assert "satisfaction" not in values(store.get(ISSUES, issue_id))
    workflow.add_feedback(issue_id, "face_to_face", "当面说明了补发安排")
    workflow.rate(issue_id, "basically_satisfied")
    assert values(store.get(ISSUES, issue_id))["satisfaction"] == "basically_satisfied"


def test_satisfaction_after_a_laptop_s_on_site_follow_up(matter, store, editor):
    workflow, issue_id, day = matter
    editor.change(ISSUES, issue_id, {}, entries={"followups": {"by": "赵敏", "date": RAISED.isoformat(), "content": "回访"}})
    workflow.rate(issue_id, "satisfied")
    assert values(store.get(ISSUES, issue_id))["satisfaction"] == "satisfied"


def test_satisfaction_after_a_reply(matter, store):
    workflow, issue_id, day = matter
    workflow.accept(issue_id)
    workflow.reply(issue_id, "已补发")
    workflow.rate(issue_id, "satisfied")


def test_review_only_after_a_reply(matter, store):
    workflow, issue_id, day = matter
    workflow.not_accept(issue_id, "不属于受理范围")
    workflow.close(issue_id)
    error = refused(lambda: workflow.request_review(issue_id, "不服"))
    assert str(error) == "状态: 事项答复之后才能申请复查"
    assert values(store.get(ISSUES, issue_id))["status"] == "closed"


def test_feedback_and_replies_cannot_be_dated_after_today(matter, store):
    workflow, issue_id, day = matter
    workflow.accept(issue_id)
    error = refused(lambda: workflow.add_feedback(issue_id, "phone", "已告知", when="2030-01-01"))
    assert (error.field, str(error)) == ("date", f"日期: 2030-01-01 晚于今天（{RAISED}）：不能登记尚未到来的日期")
    error = refused(lambda: workflow.reply(issue_id, "已补发", when="2030-01-01"))
    assert str(error).startswith("答复日期: 2030-01-01 晚于今天")
    error = refused(lambda: workflow.reply(issue_id, "已补发", when="2026-11-01"))
    assert str(error) == f"答复日期: 2026-11-01 早于事项受理日期（{RAISED}）"
    day.date = RAISED + dt.timedelta(days=3)
    workflow.reply(issue_id, "已补发", when=(RAISED + dt.timedelta(days=2)).isoformat())
    assert values(store.get(ISSUES, issue_id))["replied_at"] == (RAISED + dt.timedelta(days=2)).isoformat()
    assert not [entry for entry in entries(store.get(ISSUES, issue_id), "feedback")]


def test_assignment_needs_a_first_owner(matter, store):
    workflow, issue_id, day = matter
    error = refused(lambda: workflow.assign(issue_id, first_owner="  ", assignee="李静"))
    assert str(error) == "首问责任人: 每个事项都须有首问责任人：请填写姓名"
    error = refused(lambda: workflow.assign(issue_id, assignee="李静"))
    assert error.field == "first_owner"
    workflow.assign(issue_id, first_owner="王志刚", assignee="李静")
    workflow.assign(issue_id, department="劳资科")  # the first owner it has stays
    assert values(store.get(ISSUES, issue_id))["first_owner"] == "王志刚"


def test_every_refusal_names_its_field_by_a_label():
    from fieldvisit.core.i18n import catalogue, field_label

    for field in ("date", "date_from", "date_to", "replied_at", "status", "satisfaction", "first_owner", "content", "reason", "transfer_to", "channel", "by"):
        assert field_label(field) != field
        assert f"field.{field}" in catalogue("en") or f"visit.{field}" in catalogue("en") or f"honest_deadlines.field.{field}" in catalogue("en")
