"""Officers by name (issue 15 §2): remembered per OS account, signing every write, and a history
in the officer's language."""

from __future__ import annotations

import pytest

from fieldvisit.core.errors import InputError
from fieldvisit.core.records import entries
from fieldvisit.editing.editor import EDITS, Editor
from fieldvisit.locations import paths
from fieldvisit.office.audit import history_lines, shown_value
from fieldvisit.office.officer import load_officer, save_officer
from fieldvisit.office.workflow import Workflow
from fieldvisit.stores.store import ISSUES


def test_the_name_is_remembered_in_the_user_config_dir(tmp_path, monkeypatch):
    monkeypatch.setenv(paths.CONFIG_ENV, str(tmp_path / "cfg"))
    where = paths.officer_file()
    assert where == tmp_path / "cfg" / "officer.json"
    assert load_officer(where) == ""
    assert save_officer(where, "  周敏\t") == "周敏"
    assert load_officer(where) == "周敏"
    monkeypatch.delenv(paths.CONFIG_ENV)
    assert paths.officer_file().name == "officer.json" and "fieldvisit" in str(paths.officer_file())


def test_an_empty_or_unreadable_name_is_no_name(tmp_path):
    where = tmp_path / "officer.json"
    with pytest.raises(InputError) as raised:
        save_officer(where, "   ")
    assert str(raised.value) == "您的姓名: 请填写您的姓名：每个环节都将署此姓名"
    assert not where.exists()
    where.write_text("{not json", "utf-8")
    assert load_officer(where) == ""
    where.write_text('{"name": 3}', "utf-8")
    assert load_officer(where) == ""
    assert load_officer(None) == ""


def test_a_signing_editor_names_the_officer_on_every_write(store, editor, visit):
    issue_id = editor.record_issue(visit["id"], {"title": "班车取消", "first_owner": "王志刚"})["id"]
    office = Editor(store, actor="周敏")
    office.signs = True
    workflow = Workflow(office)
    workflow.assign(issue_id, assignee="李静")
    workflow.register(issue_id)
    record = store.get(ISSUES, issue_id)
    signed = entries(record, EDITS)
    assert [(entry["by"], entry["fields"]) for entry in signed] == [("周敏", "assignee")]  # the step has its own `by`
    assert entries(record, "transitions")[-1]["by"] == "周敏"
    lines = history_lines(record)
    assert any(line.endswith("周敏  经办人 = 李静") for line in lines)
    assert any("赵敏  事项标题 = 班车取消" in line for line in lines)  # the recorder, not a device


def test_conflict_resolutions_are_signed(store, editor, visit):
    issue_id = editor.record_issue(visit["id"], {"title": "班车取消", "first_owner": "王志刚"})["id"]
    office = Editor(store, actor="周敏")
    office.signs = True
    office.resolve_conflict(ISSUES, issue_id, "department", "后勤服务中心")
    record = store.get(ISSUES, issue_id)
    assert entries(record, EDITS)[-1]["by"] == "周敏"
    assert any("周敏  责任部门 = 后勤服务中心" in line for line in history_lines(record))


def test_a_laptop_editor_does_not_sign(store, editor, visit):
    record = editor.record_issue(visit["id"], {"title": "班车取消"})
    editor.update_issue(record["id"], {"department": "后勤"})
    assert EDITS not in store.get(ISSUES, record["id"])["maps"]


@pytest.mark.parametrize(
    ("field", "value", "shown"),
    [
        ("status", "recorded", "已记录"),
        ("category", "wages", "工资奖金"),
        ("urgency", "critical", "特急"),
        ("satisfaction", "satisfied", "满意"),
        ("raised_at", "2026-11-15T08:59:12+08:00", "2026-11-15 08:59"),
        ("anonymous", True, "是"),
        ("repeat", False, "否"),
        ("department", "", "—"),
        ("detail", "第一行\n第二行", "第一行 第二行"),
    ],
)
def test_values_are_shown_in_the_officer_s_language(field, value, shown):
    assert shown_value(field, value) == shown


def test_every_field_a_matter_can_hold_has_a_label():
    from fieldvisit.core.i18n import field_label, label
    from fieldvisit.core.model import FLAGS
    from fieldvisit.office.register import ROW_FIELDS

    for field in (*ROW_FIELDS, "raised_at", "recorded_by", "ref", "visit_id", "transferred_at", "arrived_at", "follow_up_devices"):
        shown = label("flag", field) if field in FLAGS else field_label(field)
        assert shown != field, field


def test_the_printed_summary_names_the_officer_of_each_step(store, editor, visit):
    import datetime as dt

    from fieldvisit.reports.data import visit_summary
    from fieldvisit.reports.documents import summary_document
    from fieldvisit.reports.write import render

    issue_id = editor.record_issue(visit["id"], {"title": "班车取消", "first_owner": "王志刚"})["id"]
    office = Editor(store, actor="周敏")
    office.signs = True
    Workflow(office).register(issue_id)
    text = render(summary_document(visit_summary(store, visit["id"]), dt.datetime(2026, 11, 25, 10)), "txt").decode("utf-8")
    assert "办理经过" in text and "已登记（周敏）" in text
