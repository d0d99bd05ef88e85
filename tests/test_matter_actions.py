"""Issue 15 §3, the actions: which steps can apply to a matter (`Workflow.possible_steps`, the
one source the steps and the screen share) and undoing the last step by a correcting step."""

from __future__ import annotations

import copy
import datetime as dt

import pytest
from fieldvisit.sync import bundle as fmt
from fieldvisit.sync.exporter import export_bundle
from fieldvisit.sync.importer import import_bundles
from fieldvisit.sync.merge import merge_records

from fieldvisit.core.errors import FieldVisitError, InputError
from fieldvisit.core.records import entries, values
from fieldvisit.editing.editor import Editor
from fieldvisit.office.audit import history_lines
from fieldvisit.office.corrections import UNDOES, undone_stamps
from fieldvisit.office.notices import available, decision, fitting
from fieldvisit.office.policy import (
    DEFAULT_POLICY,
    deadline_now,
    issue_facts,
    late_steps,
    step_on_time,
)
from fieldvisit.office.workflow import STEPS, Workflow, last_step
from fieldvisit.stores.store import ISSUES, MemoryStore

RAISED = dt.date(2026, 11, 20)
NOON_UTC = int(dt.datetime(2026, 11, 20, 4, tzinfo=dt.UTC).timestamp() * 1000)


class Day:
    def __init__(self, date: dt.date):
        self.date = date

    def __call__(self) -> dt.date:
        return self.date


@pytest.fixture
def matter(editor, visit, store, wall):
    """A matter raised on `RAISED`, and a workflow on it signing as the office app's does."""
    wall.ms = NOON_UTC
    record = editor.record_issue(visit["id"], {"title": "井下津贴少发", "first_owner": "王志刚"})
    editor.signs, editor.actor = True, "周敏"
    day = Day(RAISED)
    return Workflow(editor, today=day), record["id"], day


def possible(workflow, store, issue_id) -> set[str]:
    return set(workflow.possible_steps(store.get(ISSUES, issue_id)))


def test_what_can_apply_follows_the_matter_through_its_path(matter, store):
    workflow, issue_id, _ = matter
    assert possible(workflow, store, issue_id) == {"register", "accept", "not_accept", "transfer", "assign", "feedback"}
    workflow.register(issue_id)
    assert possible(workflow, store, issue_id) == {"accept", "not_accept", "transfer", "assign", "feedback", "undo"}
    workflow.accept(issue_id)
    assert possible(workflow, store, issue_id) == {"start", "reply", "transfer", "assign", "extend", "feedback", "undo"}
    workflow.extend(issue_id, 30, "需要调取档案")
    assert "extend" not in possible(workflow, store, issue_id)  # the one extension is used
    workflow.reply(issue_id, "已补发")
    assert possible(workflow, store, issue_id) == {"close", "review", "rate", "assign", "feedback", "undo"}
    workflow.request_review(issue_id, "对答复不服")
    assert possible(workflow, store, issue_id) == {"reply", "decide_review", "rate", "assign", "feedback", "undo"}
    workflow.decide_review(issue_id, "维持原答复")
    workflow.close(issue_id)
    assert possible(workflow, store, issue_id) == {"review", "rate", "assign", "feedback", "undo"}  # a re-review may follow


@pytest.mark.parametrize("stage", ["recorded", "accepted", "replied", "closed"])
def test_every_step_refuses_exactly_what_possible_steps_leaves_out(matter, store, stage):
    """One source of truth: each step the workflow does not list is refused when tried, and
    the refusal names the field (status, satisfaction) the form would mark."""
    workflow, issue_id, _ = matter
    path = ["accepted", "replied", "closed"]
    for reached in path[: path.index(stage) + 1] if stage != "recorded" else []:
        {"accepted": lambda: workflow.accept(issue_id), "replied": lambda: workflow.reply(issue_id, "已答复"), "closed": lambda: workflow.close(issue_id)}[reached]()
    record = store.get(ISSUES, issue_id)
    offered = workflow.possible_steps(record)
    tries = {
        "register": lambda: workflow.register(issue_id),
        "accept": lambda: workflow.accept(issue_id),
        "not_accept": lambda: workflow.not_accept(issue_id, "不属于受理范围"),
        "transfer": lambda: workflow.transfer(issue_id, "市信访局", "属地管理"),
        "start": lambda: workflow.start(issue_id),
        "reply": lambda: workflow.reply(issue_id, "再次答复"),
        "close": lambda: workflow.close(issue_id),
        "review": lambda: workflow.request_review(issue_id, "不服"),
        "decide_review": lambda: workflow.decide_review(issue_id, "维持"),
        "extend": lambda: workflow.extend(issue_id, 10, "情况复杂"),
        "rate": lambda: workflow.rate(issue_id, "satisfied"),
        "undo": lambda: workflow.undo(issue_id),
    }
    for step in set(STEPS) - offered:
        if step in tries:
            with pytest.raises(FieldVisitError) as refused:
                tries[step]()
            assert refused.value is not None, step
            assert workflow.refusal(step, record) is not None
    assert store.get(ISSUES, issue_id) == record  # nothing refused wrote anything


def test_undo_restores_what_the_step_changed_and_keeps_both_in_the_history(matter, store):
    workflow, issue_id, day = matter
    workflow.register(issue_id)
    before = values(store.get(ISSUES, issue_id))
    day.date = RAISED + dt.timedelta(days=3)
    workflow.accept(issue_id)
    accepted = store.get(ISSUES, issue_id)
    step = workflow.undo(issue_id)
    assert step.name == "accept" and set(step.fields) == {"status", "accepted_at"}
    after = values(store.get(ISSUES, issue_id))
    assert after["status"] == "registered" and after["accepted_at"] is None
    assert {k: v for k, v in after.items() if v is not None} == {k: v for k, v in before.items() if v is not None}
    record = store.get(ISSUES, issue_id)
    steps = entries(record, "transitions")
    assert [(e["from"], e["to"]) for e in steps] == [("recorded", "registered"), ("registered", "accepted"), ("accepted", "registered")]
    assert steps[-1][UNDOES] == steps[1]["stamp"] and steps[-1]["by"] == "周敏" and steps[-1]["at"]
    assert undone_stamps(record) == {steps[1]["stamp"]}
    lines = history_lines(record)
    assert any("已登记 → 已受理" in line and line.endswith("（已撤销）") for line in lines)
    assert any("撤销上一步：受理" in line and "周敏" in line and "已受理 → 已登记" in line for line in lines)
    assert len(record["history"]["status"]) == len(accepted["history"]["status"]) + 1  # nothing removed


def test_undoing_again_undoes_the_step_before_never_the_undo(matter, store):
    workflow, issue_id, _ = matter
    workflow.register(issue_id)
    workflow.accept(issue_id)
    assert workflow.undo(issue_id).name == "accept"
    assert last_step(store.get(ISSUES, issue_id)).name == "register"
    assert workflow.undo(issue_id).name == "register"
    assert values(store.get(ISSUES, issue_id))["status"] == "recorded"
    assert "undo" not in possible(workflow, store, issue_id)
    with pytest.raises(InputError) as nothing:
        workflow.undo(issue_id)
    assert "没有可撤销" in str(nothing.value)
    workflow.accept(issue_id)  # a new step after the undos is the one undone next
    assert last_step(store.get(ISSUES, issue_id)).name == "accept"


def test_undo_of_an_assignment_and_a_satisfaction(matter, store):
    workflow, issue_id, _ = matter
    workflow.accept(issue_id)
    workflow.assign(issue_id, first_owner="李静", department="劳资科")
    workflow.reply(issue_id, "已补发")
    workflow.rate(issue_id, "dissatisfied", "太慢")
    assert workflow.undo(issue_id).name == "rate"
    assert (values(store.get(ISSUES, issue_id)).get("satisfaction"), values(store.get(ISSUES, issue_id)).get("satisfaction_comment")) == (None, None)
    assert workflow.undo(issue_id).name == "reply"
    assert values(store.get(ISSUES, issue_id))["status"] == "accepted"
    assert workflow.undo(issue_id).name == "assign"
    issue = values(store.get(ISSUES, issue_id))
    assert (issue["first_owner"], issue.get("department")) == ("王志刚", None)  # the first owner as it was: never cleared


def test_undo_is_refused_when_a_value_it_would_restore_was_changed_since(matter, store, editor):
    workflow, issue_id, _ = matter
    workflow.accept(issue_id)
    workflow.assign(issue_id, department="劳资科")
    editor.signs = False  # as a laptop's correction arrives: no office step of its own
    editor.update_issue(issue_id, {"department": "后勤服务中心"})
    assert "undo" not in possible(workflow, store, issue_id)
    with pytest.raises(InputError) as refused:
        workflow.undo(issue_id)
    assert "责任部门" in str(refused.value) or "department" in str(refused.value)
    assert values(store.get(ISSUES, issue_id))["department"] == "后勤服务中心"


def test_an_undone_acceptance_on_time_leaves_the_matter_waiting_and_late_later(matter, store):
    """Accepted on time and undone: the acceptance step is open again, and it falls late on
    its own due date, as if the acceptance had never been (no on-time figure from it)."""
    workflow, issue_id, day = matter
    day.date = RAISED + dt.timedelta(days=5)
    workflow.accept(issue_id)
    workflow.undo(issue_id)
    facts = issue_facts(store.get(ISSUES, issue_id))
    assert "decided_at" not in facts
    now = deadline_now(facts, DEFAULT_POLICY, day.date)
    assert now.deadline is not None and now.deadline.step == "acceptance" and now.deadline.done is None
    later = RAISED + dt.timedelta(days=30)
    assert step_on_time(now.deadline, later) is False
    assert [step.step for step in late_steps(facts, DEFAULT_POLICY, later)] == ["acceptance"]


def test_an_undone_late_acceptance_stays_late(matter, store):
    workflow, issue_id, day = matter
    day.date = RAISED + dt.timedelta(days=20)  # five days after the acceptance deadline
    workflow.accept(issue_id)
    workflow.undo(issue_id)
    facts = issue_facts(store.get(ISSUES, issue_id))
    assert [step.step for step in late_steps(facts, DEFAULT_POLICY, day.date)] == ["acceptance"]
    day.date = RAISED + dt.timedelta(days=21)
    workflow.accept(issue_id)
    facts = issue_facts(store.get(ISSUES, issue_id))
    acceptance = next(step for step in late_steps(facts, DEFAULT_POLICY, day.date) if step.step == "acceptance")
    assert acceptance.done == day.date


def test_an_undone_registration_still_counts_as_the_arrival(matter, store):
    """The clock never starts later: an undone registration keeps its date as the arrival."""
    workflow, issue_id, day = matter
    day.date = RAISED + dt.timedelta(days=2)
    workflow.register(issue_id)
    workflow.undo(issue_id)
    day.date = RAISED + dt.timedelta(days=9)
    workflow.register(issue_id)
    assert issue_facts(store.get(ISSUES, issue_id))["arrived_at"] == (RAISED + dt.timedelta(days=2)).isoformat()


def test_an_undone_decision_is_no_notice_and_an_undo_is_no_decision(matter, store, wall):
    workflow, issue_id, day = matter
    day_ms = 24 * 3600 * 1000
    workflow.register(issue_id)
    workflow.not_accept(issue_id, "不属于受理范围")
    assert "non_acceptance" in fitting(store.get(ISSUES, issue_id))
    workflow.undo(issue_id)
    assert "non_acceptance" not in available(store.get(ISSUES, issue_id))
    day.date, wall.ms = RAISED + dt.timedelta(days=4), NOON_UTC + 4 * day_ms
    workflow.accept(issue_id)
    day.date, wall.ms = RAISED + dt.timedelta(days=9), NOON_UTC + 9 * day_ms
    workflow.reply(issue_id, "已补发")
    workflow.undo(issue_id)  # replied → accepted again: not a second acceptance
    assert decision(store.get(ISSUES, issue_id), "acceptance").date == (RAISED + dt.timedelta(days=4)).isoformat()
    assert "handling" not in available(store.get(ISSUES, issue_id))


def test_the_correction_syncs_and_merges_like_any_step(wall):
    """Re-importing the laptop's old bundle cannot bring the undone step back, and the matter
    before and after the undo merge to the same record in either order."""
    laptop, office = MemoryStore(), MemoryStore()
    wall.ms = NOON_UTC
    laptop_editor = Editor(laptop, wall=wall)
    visit = laptop_editor.create_visit({"title": "接访", "site": "三采区", "date": RAISED.isoformat()})
    issue_id = laptop_editor.record_issue(visit["id"], {"title": "班车取消"})["id"]
    old_bundle = fmt.encode(export_bundle(laptop))
    import_bundles(office, [("usb", old_bundle)])
    officer = Editor(office, actor="周敏", wall=lambda: wall.ms + 60_000)
    officer.signs = True
    workflow = Workflow(officer, today=lambda: RAISED)
    workflow.accept(issue_id)
    accepted = copy.deepcopy(office.get(ISSUES, issue_id))
    workflow.undo(issue_id)
    import_bundles(office, [("usb again", old_bundle)])
    undone = office.get(ISSUES, issue_id)
    assert values(undone)["status"] == "recorded"
    assert merge_records(accepted, undone) == merge_records(undone, accepted)
    assert values(merge_records(accepted, undone))["status"] == "recorded"
