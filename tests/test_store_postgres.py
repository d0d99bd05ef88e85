"""What only the shared PostgreSQL store has: officers racing on one matter, writes heard from
other processes, its schema and its register queries — on a real server (tests/pg_fixtures.py).

Races use real concurrent connections: one `PostgresStore` per officer, each on its own thread,
lined up with a barrier so both have read the matter before either saves."""

from __future__ import annotations

import datetime as dt
import subprocess
import sys
import textwrap
import threading
from pathlib import Path

import pytest
from fieldvisit.sync import bundle as fmt
from fieldvisit.sync.exporter import export_bundle
from fieldvisit.sync.importer import import_bundles

from fieldvisit.core.errors import InputError, StoreConflictError, StoreUnavailableError
from fieldvisit.core.i18n import set_language
from fieldvisit.core.records import entries, get_value
from fieldvisit.demo.laptop import build_demo
from fieldvisit.editing import views
from fieldvisit.editing.editor import Editor
from fieldvisit.office.workflow import FEEDBACK, Workflow
from fieldvisit.stores import postgres
from fieldvisit.stores.postgres import PostgresStore, create_schema, drop_schema
from fieldvisit.stores.queries import MatterQuery
from fieldvisit.stores.store import IMPORTS, ISSUES, VISITS

ANCHOR = dt.date(2026, 11, 20)
NOW = dt.datetime(2026, 11, 25, tzinfo=dt.UTC)
OFFICE_DEVICE = "01JD000000000000000000FF01"
HEARD_WITHIN = 30.0
"""Seconds a test waits for another process's write to be heard before it fails (it is heard
in well under one; the margin is for a loaded CI machine)."""


@pytest.fixture
def url(postgres_store_url: str) -> str:
    return postgres_store_url


@pytest.fixture
def office(url: str):
    """An office database holding laptop 1's demo visits and matters, imported."""
    with PostgresStore(url, actor="导入") as store:
        Editor(store, actor="信访办", device_id=OFFICE_DEVICE, device_name="信访办台式机")
        [report] = import_bundles(store, [("laptop1.fvb", fmt.encode(export_bundle(build_demo(1, ANCHOR))))], now=NOW)
        assert report.status == "imported"
        issue_ids = sorted(issue["id"] for issue in store.all(ISSUES))
    return issue_ids


def officer(url: str, name: str) -> tuple[PostgresStore, Workflow]:
    store = PostgresStore(url, actor=name)
    return store, Workflow(Editor(store, actor=name), today=lambda: ANCHOR)


# -- schema and opening -----------------------------------------------------------------------


def test_the_schema_is_made_once_and_again_changes_nothing(url: str) -> None:
    assert create_schema(url) == postgres.SCHEMA_VERSION
    with PostgresStore(url) as store:
        store.put({ISSUES: [{"id": "01JD0000000000000000000IA1", "fields": {}, "conflicts": []}]})
    assert create_schema(url) == postgres.SCHEMA_VERSION
    with PostgresStore(url) as store:
        assert store.record_count(ISSUES) == 1


def test_a_database_without_the_schema_says_which_command_makes_it(url: str) -> None:
    drop_schema(url)
    with pytest.raises(StoreUnavailableError) as refused:
        PostgresStore(url)
    assert "fieldvisit office init-db" in str(refused.value) and "数据表" in str(refused.value)


def test_an_unreachable_server_and_a_wrong_url_are_clear_errors(tmp_path: Path) -> None:
    with pytest.raises(StoreUnavailableError) as unreachable:
        PostgresStore(f"postgresql://nobody:secret@/fieldvisit?host={tmp_path}&port=1")
    assert "无法连接数据库" in str(unreachable.value) and "secret" not in str(unreachable.value)
    with pytest.raises(StoreUnavailableError) as wrong:
        PostgresStore(str(tmp_path / "fieldvisit.json"))
    assert "不是 PostgreSQL 地址" in str(wrong.value)


def test_the_store_names_its_database_without_the_password(url: str) -> None:
    secret = url.replace("postgresql://postgres@", "postgresql://postgres:s3cret@", 1)
    with PostgresStore(url) as store:
        assert store.location == url and store.state_token() is None
    if secret != url:  # the throwaway server trusts local users, so any password opens it
        with PostgresStore(secret) as store:
            assert "s3cret" not in store.location and "fieldvisit" in store.location


def test_the_search_column_holds_the_fields_the_register_searches() -> None:
    assert postgres.SEARCHED_FIELDS == views.SEARCHED_FIELDS


def test_the_grams_written_are_the_characters_and_pairs_a_search_looks_up() -> None:
    matter = {"id": "01JD0000000000000000000GR1", "fields": {
        "title": {"value": "退休职工 养老金核定\t偏低 Ab", "stamp": "s", "base": None},
        "phone": {"value": "159 2403", "stamp": "s", "base": None},
        "detail": {"value": "𠀀字 医药费\n报销", "stamp": "s", "base": None},
    }}
    as_set = lambda literal: set(literal.strip("{}").split(","))
    assert as_set(postgres.search_codes(matter)) == as_set(postgres.gram_codes(postgres.search_grams(matter)))
    assert {"养老", "老金", "ab", "𠀀字", "药", "59"} <= set(postgres.search_grams(matter))
    assert "低 " not in postgres.search_grams(matter) and "费\n" not in postgres.search_grams(matter)


# -- officers on the same matter --------------------------------------------------------------


def test_two_officers_saving_the_same_matter_at_once_one_wins_the_other_is_told_who(url: str, office: list[str]) -> None:
    matter = office[0]
    stores = {name: PostgresStore(url, actor=name) for name in ("王敏", "李强")}
    both_read = threading.Barrier(2)
    outcome: dict[str, object] = {}

    def step(name: str) -> None:
        store = stores[name]
        record = store.get(ISSUES, matter)
        record["fields"]["assignee"] = {"value": name, "stamp": f"0001790000000001-0000-{name}", "base": None}
        both_read.wait()
        try:
            store.put({ISSUES: [record]})
            outcome[name] = "saved"
        except StoreConflictError as conflict:
            outcome[name] = conflict

    threads = [threading.Thread(target=step, args=(name,)) for name in stores]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    try:
        winners = [name for name, result in outcome.items() if result == "saved"]
        losers = [result for result in outcome.values() if isinstance(result, StoreConflictError)]
        assert len(winners) == 1 and len(losers) == 1, outcome
        [winner], [conflict] = winners, losers
        saved = stores[winner].get(ISSUES, matter)
        assert get_value(saved, "assignee") == winner, "the loser's write must not have landed"
        message = str(conflict)
        assert winner in message and get_value(saved, "ref") in message and "重新打开" in message
        set_language("en")
        try:
            assert f"was changed by {winner}" in str(conflict)
        finally:
            set_language("zh-CN")
    finally:
        for store in stores.values():
            store.close()


def test_no_step_is_lost_when_officers_work_the_same_matter_over_many_rounds(url: str, office: list[str]) -> None:
    """Four officers add feedback to one matter as fast as they can; a conflict is retried after
    reading the matter again, as the officer would. Every saved entry is there at the end."""
    matter, rounds, names = office[1], 15, ("王敏", "李强", "张华", "刘洋")
    saved: dict[str, int] = dict.fromkeys(names, 0)
    conflicts: dict[str, int] = dict.fromkeys(names, 0)
    start = threading.Barrier(len(names))
    failures: list[BaseException] = []

    def work(name: str) -> None:
        store, workflow = officer(url, name)
        try:
            start.wait()
            for number in range(rounds):
                while True:
                    try:
                        workflow.add_feedback(matter, "phone", f"{name} 第{number}次电话回访")
                        saved[name] += 1
                        break
                    except StoreConflictError:
                        conflicts[name] += 1
        except BaseException as error:  # noqa: BLE001  reported by the test below
            failures.append(error)
        finally:
            store.close()

    threads = [threading.Thread(target=work, args=(name,)) for name in names]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert not failures, failures
    with PostgresStore(url) as store:
        contents = sorted(entry["content"] for entry in entries(store.get(ISSUES, matter), FEEDBACK))
    assert contents == sorted(f"{name} 第{number}次电话回访" for name in names for number in range(rounds))
    assert sum(saved.values()) == len(names) * rounds


def test_two_officers_stepping_a_matter_through_the_workflow_race_cleanly(url: str, office: list[str]) -> None:
    """The real step (`Workflow.register`) from two officers on the same moment: one registers
    the matter, the other is refused — by the conflict, or, had it read after the winner, by the
    workflow saying the matter is registered already. Never two transitions."""
    matter = office[2]
    officers = [officer(url, name) for name in ("王敏", "李强")]
    start = threading.Barrier(2)
    errors: list[BaseException] = []

    def step(workflow: Workflow) -> None:
        start.wait()
        try:
            workflow.register(matter)
        except Exception as error:  # noqa: BLE001  counted below
            errors.append(error)

    threads = [threading.Thread(target=step, args=(workflow,)) for _, workflow in officers]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    try:
        record = officers[0][0].get(ISSUES, matter)
        assert get_value(record, "status") == "registered"
        assert len([entry for entry in entries(record, "transitions") if entry["to"] == "registered"]) == 1
        [error] = errors
        assert isinstance(error, StoreConflictError) or (isinstance(error, InputError) and error.field == "status"), error
    finally:
        for store, _ in officers:
            store.close()


def test_a_step_checked_on_one_read_is_saved_on_that_read(url: str, office: list[str]) -> None:
    """Another officer registers the matter just after this one's step has read and checked
    it: the step is refused by the conflict, and not saved on a later read (a second
    transition from a status the matter no longer has)."""
    matter = office[6]
    mine, workflow = officer(url, "王敏")
    theirs, other = officer(url, "李强")
    reads = 0
    plain_get = mine.get

    def get_then_the_other_officer_steps(table: str, record_id: str):
        nonlocal reads
        found = plain_get(table, record_id)
        reads += 1
        if table == ISSUES and record_id == matter and reads == 1:
            other.register(matter)
        return found

    mine.get = get_then_the_other_officer_steps
    try:
        with pytest.raises(StoreConflictError) as conflict:
            workflow.register(matter)
        assert "李强" in str(conflict.value)
        record = theirs.get(ISSUES, matter)
        assert [entry["by"] for entry in entries(record, "transitions") if entry["to"] == "registered"] == ["李强"]
    finally:
        mine.close()
        theirs.close()


def test_the_office_app_signs_its_store_with_the_officer_so_a_conflict_names_them(url: str, office: list[str], tmp_path: Path) -> None:
    """The office app opens its store without a name; the officer said once at this PC signs
    it, and the officer whose change then conflicts is told who changed the matter."""
    from fieldvisit.apps.office import OfficeApp
    from fieldvisit.office.officer import save_officer

    matter = office[1]
    remembered = tmp_path / "officer.json"
    save_officer(remembered, "王敏")
    with PostgresStore(url) as hers, PostgresStore(url, actor="李强") as his:
        stale = his.get(ISSUES, matter)
        app = OfficeApp(hers, today=ANCHOR, officer_file=remembered)
        app.workflow.assign(matter, assignee="王敏")
        stale["fields"]["assignee"] = {"value": "李强", "stamp": "0001790000000001-0000-X", "base": None}
        with pytest.raises(StoreConflictError) as conflict:
            his.put({ISSUES: [stale]})
        assert "王敏" in str(conflict.value) and conflict.value.params["by"] == "王敏"
        assert get_value(his.get(ISSUES, matter), "assignee") == "王敏"


def test_a_batch_that_meets_a_conflict_writes_none_of_its_tables(url: str, office: list[str]) -> None:
    matter = office[3]
    with PostgresStore(url, actor="王敏") as mine, PostgresStore(url, actor="李强") as theirs:
        record = mine.get(ISSUES, matter)
        visit_id = "01JD0000000000000000000VNW"
        assert mine.get(VISITS, visit_id) is None
        changed = theirs.get(ISSUES, matter)
        changed["fields"]["department"] = {"value": "工会", "stamp": "0001790000000002-0000-X", "base": None}
        theirs.put({ISSUES: [changed]})
        meta_before = mine.meta()
        record["fields"]["department"] = {"value": "人事科", "stamp": "0001790000000003-0000-Y", "base": None}
        with pytest.raises(StoreConflictError) as conflict:
            mine.put({VISITS: [{"id": visit_id, "fields": {}, "conflicts": []}], ISSUES: [record]}, {"device_name": "改了"})
        assert "李强" in str(conflict.value)
        assert mine.get(VISITS, visit_id) is None and mine.meta() == meta_before
        assert get_value(mine.get(ISSUES, matter), "department") == "工会"


def test_two_imports_of_a_new_matter_at_once_do_not_overwrite_each_other(url: str) -> None:
    """Both read the matter as absent; the second insert finds the row and is refused."""
    issue = {"id": "01JD0000000000000000000IN1", "fields": {}, "conflicts": []}
    with PostgresStore(url, actor="甲") as first, PostgresStore(url, actor="乙") as second:
        assert first.get(ISSUES, issue["id"]) is None and second.get(ISSUES, issue["id"]) is None
        first.put({ISSUES: [issue]})
        with pytest.raises(StoreConflictError):
            second.put({ISSUES: [{**issue, "type": "issue"}]})
        assert "type" not in second.get(ISSUES, issue["id"])


def test_records_read_together_are_checked_like_records_read_one_by_one(url: str, office: list[str]) -> None:
    """An import reads a bundle's records with `get_many`; a matter changed after that read
    refuses the import's write, and one absent then but present now does too."""
    matter, new_id = office[7], "01JD0000000000000000000NW2"
    with PostgresStore(url, actor="导入") as importing, PostgresStore(url, actor="王敏") as officer_store:
        found = importing.get_many(ISSUES, [matter, new_id])
        assert list(found) == [matter]
        Workflow(Editor(officer_store, actor="王敏")).assign(matter, assignee="王敏")
        with pytest.raises(StoreConflictError):
            importing.put({ISSUES: [found[matter]]})
        importing.get_many(ISSUES, [new_id])
        officer_store.put({ISSUES: [{"id": new_id, "fields": {}, "conflicts": []}]})
        with pytest.raises(StoreConflictError):
            importing.put({ISSUES: [{"id": new_id, "fields": {}, "conflicts": [], "type": "issue"}]})


def test_the_shared_clock_never_moves_back(url: str) -> None:
    with PostgresStore(url) as store:
        store.put({}, {"clock": "0001790000000009-0000-A"})
        store.put({}, {"clock": "0001790000000001-0000-B", "device_name": "台式机"})
        assert store.meta() == {"clock": "0001790000000009-0000-A", "device_name": "台式机"}


def test_a_big_batch_into_an_empty_store_is_filled_whole_with_its_indexes_and_checked_after(url: str, monkeypatch: pytest.MonkeyPatch) -> None:
    """A migration's batch: COPY with the indexes dropped and built again, in one transaction.
    (The threshold is lowered so a test-sized batch takes that way.)"""
    import psycopg

    from fieldvisit.core.errors import FieldVisitError

    monkeypatch.setattr(postgres, "BULK_ROWS", 10)
    stamp = "0001790000000001-0000-A"
    matters = [{"id": f"01JD00000000000000000B{number:04d}", "fields": {"title": {"value": f"养老金核定 {number}", "stamp": stamp, "base": None},
                "raised_at": {"value": f"2026-11-{number + 1:02d}", "stamp": stamp, "base": None}}, "conflicts": []} for number in range(30)]
    visit = {"id": "01JD0000000000000000000BV1", "fields": {}, "conflicts": []}
    heard: list[dict] = []
    with PostgresStore(url, actor="迁移") as store:
        store.subscribe(heard.append)
        store.put({ISSUES: matters, VISITS: [visit]}, {"clock": "0001790000000009-0000-A", "device_name": "台式机"})
        assert heard == [{ISSUES: matters, VISITS: [visit]}]
        assert store.record_count(ISSUES) == 30 and store.get(VISITS, visit["id"]) == visit
        assert store.meta() == {"clock": "0001790000000009-0000-A", "device_name": "台式机"}
        with psycopg.connect(url) as connection:
            indexes = {row[0] for row in connection.execute("SELECT indexname FROM pg_indexes WHERE tablename = 'fv_records'")}
        assert set(postgres._indexes()) <= indexes
        page, total = matters_found(store, text="金核", limit=5)
        assert total == 30 and [record["id"] for record in page] == [record["id"] for record in matters[::-1][:5]]

        with PostgresStore(url, actor="王敏") as officer_store:  # the fill remembered what it wrote: a stale copy conflicts
            changed = officer_store.get(ISSUES, matters[0]["id"])
            changed["fields"]["department"] = {"value": "工会", "stamp": "0001790000000002-0000-B", "base": None}
            officer_store.put({ISSUES: [changed]})
        with pytest.raises(StoreConflictError) as conflict:
            store.put({ISSUES: [matters[0], *matters[1:12]]})
        assert "王敏" in str(conflict.value) and store.get(ISSUES, matters[1]["id"]) == matters[1]

        more = [{**matter, "id": matter["id"].replace("B", "C", 1)} for matter in matters[:12]]
        with pytest.raises(FieldVisitError):
            store.fill((ISSUES, matter) for matter in more)
        store.put({ISSUES: more})  # not empty now: the checked way, every index kept up
        assert store.record_count(ISSUES) == 42 and matters_found(store, text="金核")[1] == 42


# -- other processes' writes ------------------------------------------------------------------


def test_a_write_in_another_process_reaches_this_store_s_listeners(url: str, office: list[str]) -> None:
    matter = office[4]
    heard: list[dict] = []
    arrived = threading.Event()

    def listener(written: dict) -> None:
        heard.append(written)
        arrived.set()

    with PostgresStore(url, actor="王敏") as store:
        store.subscribe(listener)
        script = textwrap.dedent(
            f"""
            from fieldvisit.editing.editor import Editor
            from fieldvisit.office.workflow import Workflow
            from fieldvisit.stores.postgres import PostgresStore
            with PostgresStore({url!r}, actor="李强") as store:
                Workflow(Editor(store, actor="李强")).assign({matter!r}, assignee="李强")
            """
        )
        subprocess.run([sys.executable, "-c", script], check=True, timeout=120)
        assert arrived.wait(HEARD_WITHIN), "the other process's step was not heard"
    [written] = heard
    [record] = written[ISSUES]
    assert record["id"] == matter and get_value(record, "assignee") == "李强"


def test_an_import_of_a_thousand_records_is_heard_whole(url: str) -> None:
    """An import notifies its ids in chunks under PostgreSQL's payload limit; all are heard."""
    ids = [f"01JD00000000000000000{number:05d}" for number in range(1200)]
    heard: set[str] = set()
    complete = threading.Event()

    def listener(written: dict) -> None:
        heard.update(record["id"] for record in written.get(ISSUES, ()))
        if len(heard) == len(ids):
            complete.set()

    with PostgresStore(url) as listening, PostgresStore(url) as importing:
        listening.subscribe(listener)
        importing.put({ISSUES: [{"id": record_id, "fields": {}, "conflicts": []} for record_id in ids], IMPORTS: []})
        assert complete.wait(HEARD_WITHIN), f"heard {len(heard)} of {len(ids)}"
    assert heard == set(ids)


# -- the register's queries -------------------------------------------------------------------


def matters_found(store: PostgresStore, text: str = "", order: str = "date", descending: bool = True, limit: int = 500, offset: int = 0, **conditions) -> tuple[list[dict], int]:
    """A page of the matters the register asks the database for (`register_page`: whitespace-
    separated search terms, other conditions as `MatterQuery`'s) and how many match."""
    query = MatterQuery(terms=tuple((term, ()) for term in text.split()), **conditions)
    return [record for record, _due in store.register_page(query, order, descending, limit, offset)], store.register_count(query)


def test_matters_are_filtered_and_searched_in_the_database(url: str, office: list[str]) -> None:
    with PostgresStore(url) as store:
        records = {record["id"]: record for record in store.all(ISSUES)}
        sample = records[office[5]]
        title = get_value(sample, "title")
        for piece in (title[1], title[1:3], title[1:4], title[:6], f"{title[:2]} {title[-2:]}"):  # Chinese words of one, two, more characters
            page, total = matters_found(store, text=piece)
            expected = {
                record_id
                for record_id, record in records.items()
                if all(any(term in str(get_value(record, name) or "").lower() for name in postgres.SEARCHED_FIELDS) for term in piece.split())
            }
            assert {record["id"] for record in page} == expected and total == len(expected) and sample["id"] in expected, piece
            first, _total = matters_found(store, text=piece, limit=1)
            estimated = store.register_estimate(MatterQuery(terms=tuple((term, ()) for term in piece.split())))
            assert first[0]["id"] in expected and estimated >= 1, piece  # the planner's estimate, shown while counting

        category = get_value(sample, "category")
        page, total = matters_found(store, category=category, status="recorded")
        assert {record["id"] for record in page} == {
            record_id for record_id, record in records.items() if get_value(record, "category") == category and get_value(record, "status", "recorded") == "recorded"
        }
        first, _ = matters_found(store, order="date", descending=True, limit=5)
        assert [get_value(record, "raised_at") for record in first] == sorted((get_value(record, "raised_at") for record in records.values()), reverse=True)[:5]
        by_ref = [record["id"] for record in sorted(records.values(), key=lambda record: (get_value(record, "ref"), record["id"]))]
        pages = [matters_found(store, order="ref", descending=False, limit=4, offset=offset)[0] for offset in range(0, len(by_ref), 4)]
        assert [record["id"] for page in pages for record in page] == by_ref  # pages in index order, each row once
        assert [record["id"] for record in matters_found(store, order="ref", descending=True, limit=len(by_ref))[0]] == by_ref[::-1]
        flagged = {record_id for record_id, record in records.items() if get_value(record, "collective")}
        page, total = matters_found(store, flags=("collective",))
        assert {record["id"] for record in page} == flagged and total == len(flagged)
