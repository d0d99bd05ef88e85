"""Back to the site (回访, issue 14 §5): which matters go back to a site, promises kept or not,
what is still owed, face-to-face ratings against the office's, and what the office sends a laptop."""

from __future__ import annotations

import datetime as dt
import random

import pytest
from fieldvisit.sync import bundle as fmt
from fieldvisit.sync.exporter import export_bundle, select_records
from fieldvisit.sync.importer import import_bundles

from fieldvisit.core.errors import InputError
from fieldvisit.core.records import get_value
from fieldvisit.editing.editor import Editor
from fieldvisit.office import followups as fu
from fieldvisit.office.stats import period_stats
from fieldvisit.office.workflow import Workflow
from fieldvisit.stores.store import ISSUES, VISITS, MemoryStore

DAY = dt.date(2026, 11, 20)
MS = int(dt.datetime(2026, 11, 20, 9, tzinfo=dt.timezone.utc).timestamp() * 1000)


class Wall:
    """A clock the test moves: every write is later than the one before."""

    def __init__(self, ms: int = MS):
        self.ms = ms

    def __call__(self) -> int:
        self.ms += 1000
        return self.ms


def editor_on(store, name="笔记本", seed=1) -> Editor:
    return Editor(store, actor="唐芳", wall=Wall(), device_name=name, rng=random.Random(seed))


@pytest.fixture
def site():
    """One laptop: two earlier visits to 东风煤矿 (four matters), one to another site, and today's visit."""
    store = MemoryStore()
    editor = editor_on(store)
    first = editor.create_visit({"title": "十月下访", "site": "东风煤矿", "date": "2026-10-10"})
    second = editor.create_visit({"title": "十一月下访", "site": " 东风煤矿 ", "date": "2026-11-01"})
    elsewhere = editor.create_visit({"title": "别处", "site": "西山矿", "date": "2026-10-12"})
    today = editor.create_visit({"title": "回访", "site": "东风煤矿", "date": "2026-11-20"})
    matters = {
        "open": editor.record_issue(first["id"], {"title": "津贴少发", "commitment": "一周内答复", "promised_date": "2026-10-17"}),
        "withdrawn": editor.record_issue(first["id"], {"title": "已撤回"}),
        "replied": editor.record_issue(second["id"], {"title": "澡堂热水", "commitment": "三日内答复", "promised_date": "2026-11-04"}),
        "closed": editor.record_issue(second["id"], {"title": "宿舍漏雨"}),
        "elsewhere": editor.record_issue(elsewhere["id"], {"title": "别处的事"}),
        "today": editor.record_issue(today["id"], {"title": "今天的事"}),
    }
    ids = {name: record["id"] for name, record in matters.items()}
    editor.withdraw_issue(ids["withdrawn"], "现场解决")
    office = Workflow(editor, today=lambda: dt.date(2026, 11, 3))
    for name in ("replied", "closed"):
        office.accept(ids[name])
        office.reply(ids[name], "已安排维修")
    office.close(ids["closed"])
    return store, editor, ids, {"first": first["id"], "second": second["id"], "today": today["id"]}


def shown(store, context=None, today=DAY):
    return [item.issue["title"] for item in fu.site_matters(store, "东风煤矿", context, today)]


def test_a_site_shows_open_and_answered_matters_of_earlier_visits_only(site):
    store, _, _, visits = site
    assert shown(store, visits["today"]) == ["津贴少发", "澡堂热水", "宿舍漏雨"]
    assert shown(store) == ["津贴少发", "澡堂热水", "宿舍漏雨", "今天的事"]  # from the list: every visit there
    assert shown(store, visits["second"]) == ["津贴少发"]  # a visit sees only the ones before it


def test_a_concluded_matter_leaves_once_followed_up_and_an_open_one_stays(site):
    store, editor, ids, visits = site
    for name in ("closed", "open"):
        entry = fu.followup_entry("已当面告知", "satisfied", visit_id=visits["today"], today=DAY)
        fu.record_followup(editor, ids[name], entry)
    assert fu.is_due(store.get(ISSUES, ids["open"])) and not fu.is_due(store.get(ISSUES, ids["closed"]))
    assert shown(store, visits["today"]) == ["津贴少发", "澡堂热水", "宿舍漏雨"]  # still in view on this visit
    later = editor.create_visit({"title": "再回访", "site": "东风煤矿", "date": "2026-12-20"})
    assert shown(store, later["id"], dt.date(2026, 12, 20)) == ["津贴少发", "澡堂热水", "今天的事"]
    Workflow(editor, today=lambda: DAY).move(ids["closed"], "review", "信访人不服")
    assert fu.is_due(store.get(ISSUES, ids["closed"]))  # a new status after the follow-up: due again


def test_promises_kept_late_overdue_and_pending():
    facts = {"commitment": "一周内答复", "promised_date": "2026-11-10"}
    assert fu.promise(facts, DAY) == fu.Promise("overdue", dt.date(2026, 11, 10), 10)
    assert fu.promise(facts, dt.date(2026, 11, 7)) == fu.Promise("pending", dt.date(2026, 11, 10), 3)
    replied = {**facts, "status": "replied", "replied_at": "2026-11-09"}
    assert fu.promise(replied, DAY).state == "kept"
    late = {**facts, "status": "closed", "replied_at": "2026-11-13", "closed_at": "2026-11-15"}
    assert fu.promise(late, DAY) == fu.Promise("kept_late", dt.date(2026, 11, 10), 3)
    assert fu.promise({"status": "transferred", "decided_at": "2026-11-08", **facts}, DAY).state == "kept"
    assert fu.promise({"commitment": "尽快"}, DAY).state == "none"


def test_what_is_still_owed(site):
    store, _, _, visits = site
    by_title = {item.issue["title"]: item for item in fu.site_matters(store, "东风煤矿", visits["today"], DAY)}
    open_owed = [key for key, _ in by_title["津贴少发"].owed]
    assert open_owed == ["promise_overdue", "step"]  # the promise, and the acceptance the office owes
    assert by_title["津贴少发"].owed[1][1]["step"] == "acceptance"
    assert [key for key, _ in by_title["澡堂热水"].owed] == ["tell"]  # replied on time: tell them face to face
    assert by_title["澡堂热水"].promise.state == "kept"
    assert by_title["澡堂热水"].issue["reply"] == "已安排维修"


def test_a_followup_needs_words_or_a_rating_and_a_reason_when_dissatisfied():
    with pytest.raises(InputError) as empty:
        fu.followup_entry("  ", "")
    assert empty.value.field == "content"
    with pytest.raises(InputError) as no_reason:
        fu.followup_entry("已告知", "dissatisfied")
    assert no_reason.value.field == "reason"
    with pytest.raises(InputError):
        fu.followup_entry("已告知", "very")
    entry = fu.followup_entry("已告知\x07答复", "dissatisfied", "补发金额不对", by="张建国", when="2026/11/20", visit_id="V1")
    assert entry == {"by": "张建国", "date": "2026-11-20", "channel": "face_to_face", "content": "已告知答复", "satisfaction": "dissatisfied", "reason": "补发金额不对", "visit_id": "V1"}


def test_the_latest_rating_counts_once_whether_heard_on_site_or_by_the_office(site):
    store, editor, ids, visits = site
    office = Workflow(editor, today=lambda: dt.date(2026, 11, 3))
    office.rate(ids["closed"], "satisfied")
    fu.record_followup(editor, ids["closed"], fu.followup_entry("当面回访", "dissatisfied", "漏雨未修好", visit_id=visits["today"]))
    record = store.get(ISSUES, ids["closed"])
    assert fu.effective_rating(record).level == "dissatisfied" and fu.effective_rating(record).source == "face_to_face"
    rated = [fu.rated_values(record) for record in store.all(ISSUES)]
    stats = period_stats(rated, [], dt.date(2026, 11, 1), dt.date(2026, 11, 30))
    assert stats.satisfaction == {"satisfied": 0, "basically_satisfied": 0, "dissatisfied": 1}
    assert stats.satisfaction_face_to_face == 1
    office.rate(ids["closed"], "basically_satisfied")  # the office calls later: its rating replaces the one heard on site
    stats = period_stats([fu.rated_values(store.get(ISSUES, ids["closed"]))], [], dt.date(2026, 11, 1), dt.date(2026, 11, 30))
    assert stats.satisfaction["basically_satisfied"] == 1 and sum(stats.satisfaction.values()) == 1
    assert stats.satisfaction_face_to_face == 0


def test_the_office_sends_a_laptop_the_due_matters_of_its_sites_from_any_laptop(site):
    laptop_store, _, ids, _ = site
    office = MemoryStore()
    office_editor = editor_on(office, "信访办", seed=2)
    import_bundles(office, [("laptop", fmt.encode(export_bundle(laptop_store)))])
    other = MemoryStore()
    other_editor = editor_on(other, "二号笔记本", seed=3)
    visit = other_editor.create_visit({"title": "第一次到东风", "site": "东风煤矿", "date": "2026-11-25"})
    far = other_editor.create_visit({"title": "别处", "site": "南山矿", "date": "2026-11-25"})
    assert select_records(office, device_id=other_editor.device_id)[ISSUES] == []
    import_bundles(office, [("other", fmt.encode(export_bundle(other)))])

    assert fu.mark_for_device(office_editor, other_editor.device_id) == 4  # open, replied, closed, today's
    assert fu.mark_for_device(office_editor, other_editor.device_id) == 0  # already listed
    chosen = select_records(office, device_id=other_editor.device_id)
    titles = sorted(get_value(record, "title") for record in chosen[ISSUES])
    assert titles == ["今天的事", "宿舍漏雨", "津贴少发", "澡堂热水"]
    assert {record["id"] for record in chosen[VISITS]} >= {visit["id"], far["id"]}
    assert ids["withdrawn"] not in {record["id"] for record in chosen[ISSUES]}
    assert all(get_value(record, "site") != "西山矿" for record in chosen[VISITS])


def test_a_handover_of_todays_visit_carries_the_followups_given_on_it(site):
    store, editor, ids, visits = site
    fu.record_followup(editor, ids["replied"], fu.followup_entry("已告知", "satisfied", visit_id=visits["today"]))
    chosen = select_records(store, [visits["today"]])
    assert {record["id"] for record in chosen[ISSUES]} == {ids["today"], ids["replied"]}
    assert {record["id"] for record in chosen[VISITS]} == {visits["today"], visits["second"]}
