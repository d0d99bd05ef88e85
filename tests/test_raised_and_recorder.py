"""§3 of issue 14: a matter is raised on its visit's date, and changes say who made them."""

from __future__ import annotations

import datetime as dt

from click.testing import CliRunner

from fieldvisit.cli import main
from fieldvisit.core.records import entries, values
from fieldvisit.editing.editor import RECORDER_META, Editor
from fieldvisit.locations import paths
from fieldvisit.stores.store import ISSUES, TinyDBStore

VISIT = {"title": "矿领导深入三采区接访", "site": "东风煤矿三采区", "date": "2026-11-20", "leaders": "王志刚（矿长）"}


def local_ms(day: dt.date, hour: int, minute: int) -> int:
    return int(dt.datetime.combine(day, dt.time(hour, minute)).astimezone().timestamp() * 1000)


def test_recorded_on_the_visit_day_keeps_the_entry_time(store, wall):
    wall.ms = local_ms(dt.date(2026, 11, 20), 15, 42)
    editor = Editor(store, wall=wall)
    visit = editor.create_visit(VISIT)
    issue = values(editor.record_issue(visit["id"], {"title": "井下津贴少发"}))
    assert dt.datetime.fromisoformat(issue["raised_at"]).replace(tzinfo=None) == dt.datetime(2026, 11, 20, 15, 42)


def test_recorded_the_next_morning_is_raised_on_the_visit_day_at_noon(store, wall):
    wall.ms = local_ms(dt.date(2026, 11, 21), 8, 5)
    editor = Editor(store, wall=wall)
    visit = editor.create_visit(VISIT)
    issue = values(editor.record_issue(visit["id"], {"title": "井下津贴少发"}))
    assert dt.datetime.fromisoformat(issue["raised_at"]).replace(tzinfo=None) == dt.datetime(2026, 11, 20, 12, 0)


def test_raised_on_can_be_corrected_and_keeps_its_time(store, wall):
    wall.ms = local_ms(dt.date(2026, 11, 20), 10, 30)
    editor = Editor(store, wall=wall)
    visit = editor.create_visit(VISIT)
    record = editor.record_issue(visit["id"], {"title": "井下津贴少发", "raised_on": "2026/11/19"})
    assert values(record)["raised_at"][:19] == "2026-11-19T12:00:00"
    editor.update_issue(record["id"], {"title": "井下津贴少发", "raised_on": "2026-11-18"})
    assert values(store.get(ISSUES, record["id"]))["raised_at"][:19] == "2026-11-18T12:00:00"
    assert editor.update_issue(record["id"], {"raised_on": "2026-11-18"}) == []  # the same day: nothing written


def test_the_recorder_is_the_visits_never_the_login_name(store, wall, monkeypatch):
    monkeypatch.setenv("USER", "root")
    monkeypatch.setenv("LOGNAME", "root")
    editor = Editor(store, wall=wall)
    assert editor.actor == ""
    visit = editor.create_visit({**VISIT, "recorder": "赵敏"})
    record = editor.record_issue(visit["id"], {"title": "井下津贴少发"})
    editor.withdraw_issue(record["id"], "重复登记")
    editor.restore_issue(record["id"])
    issue = store.get(ISSUES, record["id"])
    assert values(issue)["recorded_by"] == "赵敏"
    assert [entry["by"] for entry in entries(issue, "transitions")] == ["赵敏", "赵敏"]


def test_a_visit_without_recorder_takes_the_laptops_name(store, wall):
    editor = Editor(store, wall=wall)
    editor.set_recorder("刘洋")
    assert store.meta()[RECORDER_META] == "刘洋"
    again = Editor(store, wall=wall)  # set once: a later start reads it
    visit = again.create_visit(VISIT)
    assert values(again.record_issue(visit["id"], {"title": "井下津贴少发"}))["recorded_by"] == "刘洋"


def test_config_recorder_command(tmp_path):
    result = CliRunner().invoke(main, ["--data-dir", str(tmp_path), "--lang", "zh-CN", "config", "--recorder", "刘洋"])
    assert result.exit_code == 0, result.output
    assert "刘洋" in result.output
    with TinyDBStore.in_directory(paths.field_store_dir(tmp_path)) as store:
        assert store.meta()[RECORDER_META] == "刘洋"
