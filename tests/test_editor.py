import pytest

from fieldvisit.core.errors import InputError, NotFoundError
from fieldvisit.editing.editor import Editor
from fieldvisit.core.records import entries, values
from fieldvisit.core.references import device_short
from fieldvisit.stores.store import ISSUES, VISITS, TinyDBStore
from fieldvisit.editing.views import visit_issues, visit_rows


def test_a_new_store_gets_a_device_identity(store, editor):
    meta = store.meta()
    assert meta["device_id"] == editor.device_id
    assert meta["device_name"] == "测试笔记本"
    assert Editor(store).device_id == editor.device_id  # made once, on first run


def test_recording_matters_numbers_them_per_visit_date(editor, visit, store):
    first = editor.record_issue(visit["id"], {"title": "井下津贴少发", "people": "2"})
    second = editor.record_issue(visit["id"], {"demand": "要求更换澡堂热水器"})
    short = device_short(editor.device_id)
    assert values(first)["ref"] == f"20261120-{short}-001"
    assert values(second)["ref"] == f"20261120-{short}-002"
    assert values(second)["title"] == "要求更换澡堂热水器"
    assert values(first)["status"] == "recorded"
    assert entries(first, "transitions") == []  # recording is not a transition...
    assert values(first)["recorded_by"] == "赵敏"  # ...it is kept as who recorded it, and when
    assert [row.matters for row in visit_rows(store)] == [2]


def test_sequence_survives_a_restart_and_a_withdrawal(tmp_path, wall):
    path = tmp_path / "s.json"
    with TinyDBStore(path) as store:
        editor = Editor(store, wall=wall)
        visit = editor.create_visit({"title": "t", "site": "s", "date": "2026-11-20"})
        issue = editor.record_issue(visit["id"], {"title": "a"})
        editor.withdraw_issue(issue["id"], "现场已解决")
    with TinyDBStore(path) as store:
        again = Editor(store, wall=wall).record_issue(visit["id"], {"title": "b"})
    assert values(again)["ref"].endswith("-002")


def test_every_edit_is_stamped_and_keeps_its_base(editor, visit, store, wall):
    issue = editor.record_issue(visit["id"], {"title": "班车取消", "phone": ""})
    created = issue["fields"]["title"]["stamp"]
    wall.ms -= 50_000  # clock set back between the two edits
    assert set(editor.update_issue(issue["id"], {"title": "夜班班车取消", "phone": "13912345678"})) == {"title", "phone"}
    stored = store.get(ISSUES, issue["id"])
    assert stored["fields"]["title"]["base"] == created
    assert stored["fields"]["title"]["stamp"] > created
    assert editor.update_issue(issue["id"], {"title": "夜班班车取消"}) == []


def test_withdrawal_keeps_the_matter_and_the_reason(editor, visit, store):
    issue = editor.record_issue(visit["id"], {"title": "宿舍漏雨"})
    with pytest.raises(InputError):
        editor.withdraw_issue(issue["id"], "  ")
    editor.withdraw_issue(issue["id"], "已现场维修")
    stored = store.get(ISSUES, issue["id"])
    assert values(stored)["status"] == "withdrawn"
    assert entries(stored, "transitions")[-1]["reason"] == "已现场维修"
    assert visit_issues(store, visit["id"], include_withdrawn=False) == []
    editor.restore_issue(issue["id"])
    assert values(store.get(ISSUES, issue["id"]))["status"] == "recorded"
    assert [e["to"] for e in entries(store.get(ISSUES, issue["id"]), "transitions")] == ["withdrawn", "recorded"]


def test_visit_close_and_reopen(editor, visit, store):
    editor.set_visit_status(visit["id"], "closed")
    assert values(store.get(VISITS, visit["id"]))["status"] == "closed"
    editor.set_visit_status(visit["id"], "open")
    assert visit_rows(store)[0].status == "open"


def test_unknown_records_are_a_clear_error(editor):
    with pytest.raises(NotFoundError):
        editor.update_issue("01JD0000000000000000000000", {"title": "x"})


def test_search_finds_chinese_text_across_fields(editor, visit, store):
    editor.record_issue(visit["id"], {"title": "井下津贴少发", "unit": "综采一队", "petitioner_name": "李建军"})
    editor.record_issue(visit["id"], {"title": "澡堂热水不足", "unit": "掘进二队"})
    assert [i["title"] for i in visit_issues(store, visit["id"], "综采")] == ["井下津贴少发"]
    assert [i["title"] for i in visit_issues(store, visit["id"], "李建军 津贴")] == ["井下津贴少发"]
    assert visit_issues(store, visit["id"], "不存在") == []
