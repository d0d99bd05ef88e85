"""The office's steps on a matter, asserted on the store, and their survival through sync."""

from __future__ import annotations

import datetime as dt

import pytest

from fieldvisit.editing.editor import Editor
from fieldvisit.core.errors import FieldVisitError, InputError
from fieldvisit.core.records import entries, values
from fieldvisit.stores.store import ISSUES, MemoryStore
from fieldvisit.sync import bundle as fmt
from fieldvisit.sync.exporter import export_bundle
from fieldvisit.sync.importer import import_bundles
from fieldvisit.office.workflow import FEEDBACK, LINKS, Workflow


class Day:
    def __init__(self, date: dt.date):
        self.date = date

    def __call__(self) -> dt.date:
        return self.date


@pytest.fixture
def office(store, editor, visit):
    laptop_issue = editor.record_issue(visit["id"], {"title": "井下津贴少发", "demand": "补发九月津贴"})
    day = Day(dt.date(2026, 11, 21))
    return Workflow(editor, today=day), laptop_issue["id"], day


def test_the_whole_path_from_registration_to_closing(office, store):
    workflow, issue_id, day = office
    workflow.register(issue_id)
    day.date = dt.date(2026, 11, 25)
    workflow.accept(issue_id)
    workflow.assign(issue_id, first_owner="王志刚", department="劳资科", assignee="李静")
    day.date = dt.date(2026, 11, 28)
    workflow.add_feedback(issue_id, "phone", "已核对考勤，正在补算", when="2026-11-28")
    day.date = dt.date(2026, 12, 10)
    workflow.reply(issue_id, "九月津贴差额已随十二月工资补发")
    workflow.rate(issue_id, "basically_satisfied", "希望以后按时发")
    workflow.close(issue_id)
    issue = values(store.get(ISSUES, issue_id))
    assert issue["status"] == "closed"
    assert (issue["registered_at"], issue["accepted_at"], issue["replied_at"], issue["closed_at"]) == (
        "2026-11-21", "2026-11-25", "2026-12-10", "2026-12-10"
    )
    assert (issue["assignee"], issue["department"], issue["satisfaction"]) == ("李静", "劳资科", "basically_satisfied")
    record = store.get(ISSUES, issue_id)
    assert [e["to"] for e in entries(record, "transitions")] == ["registered", "accepted", "replied", "closed"]
    assert entries(record, FEEDBACK)[0]["channel"] == "phone"


def test_steps_out_of_order_are_refused_with_the_current_status(office, store):
    workflow, issue_id, _ = office
    with pytest.raises(InputError) as raised:
        workflow.close(issue_id)
    assert "已记录" in str(raised.value)
    with pytest.raises(InputError):
        workflow.not_accept(issue_id, "  ")  # a refusal needs its reason
    assert values(store.get(ISSUES, issue_id))["status"] == "recorded"


def test_one_extension_within_the_policy(office, store):
    workflow, issue_id, _ = office
    workflow.accept(issue_id)
    with pytest.raises(FieldVisitError):
        workflow.extend(issue_id, 31, "情况复杂")
    workflow.extend(issue_id, 30, "需要调取历年档案")
    assert values(store.get(ISSUES, issue_id))["extension_days"] == 30
    with pytest.raises(FieldVisitError):
        workflow.extend(issue_id, 10, "再延一次")


def test_review_and_re_review_keep_the_first_reply_date(office, store):
    workflow, issue_id, day = office
    workflow.accept(issue_id)
    day.date = dt.date(2026, 12, 1)
    workflow.reply(issue_id, "已答复")
    day.date = dt.date(2026, 12, 15)
    workflow.request_review(issue_id, "对答复不服")
    day.date = dt.date(2027, 1, 5)
    workflow.decide_review(issue_id, "维持原答复")
    issue = values(store.get(ISSUES, issue_id))
    assert (issue["status"], issue["replied_at"], issue["review_decided_at"]) == ("replied", "2026-12-01", "2027-01-05")
    workflow.request_review(issue_id, "申请复核")
    assert values(store.get(ISSUES, issue_id))["status"] == "re_review"
    workflow.decide_review(issue_id, "复核维持")
    assert values(store.get(ISSUES, issue_id))["status"] == "closed"


def test_repeat_links_and_flags(office, store, editor, visit):
    workflow, issue_id, _ = office
    later = editor.record_issue(visit["id"], {"title": "又来反映津贴"})
    workflow.link_repeat(later["id"], issue_id)
    record = store.get(ISSUES, later["id"])
    assert values(record)["repeat"] is True
    assert next(iter(record["maps"][LINKS].values()))["value"]["target"] == issue_id


def test_office_steps_survive_reimporting_older_laptop_bundles(wall):
    """Every officer edit is a stamped write: an old bundle from the laptop cannot undo it."""
    laptop, office_store = MemoryStore(), MemoryStore()
    laptop_editor = Editor(laptop, wall=wall)
    visit = laptop_editor.create_visit({"title": "接访", "site": "三采区", "date": "2026-11-20"})
    issue = laptop_editor.record_issue(visit["id"], {"title": "班车取消", "department": "后勤"})
    old_bundle = fmt.encode(export_bundle(laptop))
    import_bundles(office_store, [("usb", old_bundle)])
    office_editor = Editor(office_store, wall=lambda: wall.ms - 3_600_000)  # the office PC's clock is an hour behind
    workflow = Workflow(office_editor, today=lambda: dt.date(2026, 11, 22))
    workflow.accept(issue["id"])
    workflow.assign(issue["id"], first_owner="王志刚", department="后勤服务中心")
    import_bundles(office_store, [("usb again", old_bundle)])
    after = values(office_store.get(ISSUES, issue["id"]))
    assert (after["status"], after["department"]) == ("accepted", "后勤服务中心")
