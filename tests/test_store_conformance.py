"""The `Store` contract (docs/architecture.md §5), held against every back-end alike.

Get, list and stream records; put a batch over several tables, replacing by id; merge the meta;
keep the import log; tell listeners about each write; and a batch that fails leaves the store
exactly as it was, meta and listeners included. The PostgreSQL back-end runs on a real server
(tests/pg_fixtures.py); what only a shared store has (conflicts, other processes' writes) is in
tests/test_store_postgres.py.
"""

from __future__ import annotations

import copy
import datetime as dt
from collections.abc import Callable
from pathlib import Path
from typing import Any

import orjson
import pytest
from fieldvisit.sync import bundle as fmt
from fieldvisit.sync.exporter import export_bundle
from fieldvisit.sync.importer import import_bundles

from fieldvisit.demo.laptop import build_demo
from fieldvisit.editing.editor import Editor
from fieldvisit.stores.splice_store import SplicingJSONStore
from fieldvisit.stores.store import (
    IMPORTS,
    ISSUES,
    META,
    META_KEY,
    VISITS,
    MemoryStore,
    Store,
    TinyDBStore,
)

ANCHOR = dt.date(2026, 11, 20)
NOW = dt.datetime(2026, 11, 25, tzinfo=dt.UTC)
BACKENDS = ("memory", "tinydb", "splicing", "postgres")
SERIALISING = ("tinydb", "splicing", "postgres")
"""Back-ends that encode every record as JSON on `put` (the memory store keeps the objects)."""

VISIT_ID = "01JD0000000000000000000V01"
ISSUE_A = "01JD0000000000000000000IA1"
ISSUE_B = "01JD0000000000000000000IB2"


def record(record_id: str, kind: str = "issue", **values: Any) -> dict[str, Any]:
    """A record in the store's shape, with field registers of the given values."""
    fields = {name: {"value": value, "stamp": f"0001790000000000-0000-{record_id[-4:]}", "base": None} for name, value in values.items()}
    return {"id": record_id, "type": kind, "fields": fields, "history": {}, "maps": {}, "conflicts": []}


def canonical(value: Any) -> bytes:
    return orjson.dumps(value, option=orjson.OPT_SORT_KEYS)


def snapshot(store: Store) -> dict[str, Any]:
    """Everything a store holds, comparable across back-ends and key orders."""
    return {
        "meta": canonical(store.meta()),
        **{table: sorted(canonical(item) for item in store.all(table)) for table in (VISITS, ISSUES, IMPORTS)},
    }


@pytest.fixture(params=BACKENDS)
def backend(request) -> str:
    return request.param


@pytest.fixture
def open_store(backend: str, tmp_path: Path, request) -> Callable[[], Store]:
    """Opens the back-end's store on the same data each call (the memory store: the same object)."""
    opened: list[Store] = []
    if backend == "memory":
        shared = MemoryStore()
        make: Callable[[], Store] = lambda: shared
    elif backend == "tinydb":
        make = lambda: TinyDBStore(tmp_path / TinyDBStore.FILE_NAME)
    elif backend == "splicing":
        make = lambda: SplicingJSONStore(tmp_path / SplicingJSONStore.FILE_NAME)
    else:
        from fieldvisit.stores.postgres import PostgresStore

        url = request.getfixturevalue("postgres_store_url")
        make = lambda: PostgresStore(url, actor="赵敏")

    def tracked() -> Store:
        store = make()
        opened.append(store)
        return store

    yield tracked
    for store in opened:
        store.close()


@pytest.fixture
def store(open_store) -> Store:
    return open_store()


@pytest.fixture(scope="module")
def laptop_bundle() -> dict[str, Any]:
    return export_bundle(build_demo(1, ANCHOR))


# -- reading and writing ----------------------------------------------------------------------


def test_an_empty_store_has_nothing(store: Store) -> None:
    assert store.get(ISSUES, ISSUE_A) is None
    assert store.all(ISSUES) == []
    assert list(store.records(VISITS)) == []
    assert store.meta() == {}


def test_a_record_comes_back_as_it_was_put(store: Store) -> None:
    issue = record(ISSUE_A, title="井下巷道渗水，\"安全\"隐患\n第二行", people=12, anonymous=False, amount=3.5, note=None, tags=["安全", "生产"])
    store.put({ISSUES: [issue]})
    assert store.get(ISSUES, ISSUE_A) == issue
    assert store.all(ISSUES) == [issue]
    assert list(store.records(ISSUES)) == [issue]
    assert store.get(VISITS, ISSUE_A) is None, "tables are separate"


def test_a_batch_writes_several_tables_and_replaces_by_id(store: Store) -> None:
    store.put({VISITS: [record(VISIT_ID, "visit", site="东风煤矿")], ISSUES: [record(ISSUE_A, title="一"), record(ISSUE_B, title="二")]})
    store.put({ISSUES: [record(ISSUE_A, title="旧"), record(ISSUE_A, title="新")]})  # the last of one id wins
    assert store.get(ISSUES, ISSUE_A)["fields"]["title"]["value"] == "新"
    assert store.get(ISSUES, ISSUE_B)["fields"]["title"]["value"] == "二"
    assert sorted(item["id"] for item in store.all(ISSUES)) == [ISSUE_A, ISSUE_B]
    assert sorted(canonical(item) for item in store.records(ISSUES)) == sorted(canonical(item) for item in store.all(ISSUES))
    assert [item["id"] for item in store.all(VISITS)] == [VISIT_ID]


def test_get_many_finds_the_records_that_exist(store: Store) -> None:
    store.put({ISSUES: [record(ISSUE_A, title="一"), record(ISSUE_B, title="二")]})
    found = store.get_many(ISSUES, [ISSUE_B, "01JD0000000000000000000NO1", ISSUE_A])
    assert found == {ISSUE_A: record(ISSUE_A, title="一"), ISSUE_B: record(ISSUE_B, title="二")}
    assert store.get_many(VISITS, [ISSUE_A]) == {} and store.get_many(ISSUES, []) == {}


def test_meta_is_merged_key_by_key_in_the_same_write(store: Store) -> None:
    store.put({}, {"device_id": "01JD00000000000000000DEV01", "seq": {"a": 1}})
    store.put({ISSUES: [record(ISSUE_A)]}, {"device_name": "信访办台式机"})
    store.put({}, {"seq": {"a": 2}})
    assert store.meta() == {"device_id": "01JD00000000000000000DEV01", "device_name": "信访办台式机", "seq": {"a": 2}}
    assert store.get(ISSUES, ISSUE_A) is not None
    assert store.get(META, META_KEY) == store.meta(), "the meta is also the one record of its table"


def test_what_was_put_is_there_when_opened_again(open_store) -> None:
    first = open_store()
    first.put({VISITS: [record(VISIT_ID, "visit", site="三采区")]}, {"device_name": "笔记本"})
    first.close()
    again = open_store()
    assert again.get(VISITS, VISIT_ID) == record(VISIT_ID, "visit", site="三采区")
    assert again.meta() == {"device_name": "笔记本"}


# -- listeners --------------------------------------------------------------------------------


def test_listeners_hear_every_write_with_the_records_by_table(store: Store) -> None:
    heard: list[dict[str, list[dict]]] = []
    store.subscribe(heard.append)
    visit, issue = record(VISIT_ID, "visit", site="东风煤矿"), record(ISSUE_A, title="工资拖欠")
    store.put({VISITS: [visit], ISSUES: [issue]})
    store.put({}, {"clock": "x"})
    assert heard == [{VISITS: [visit], ISSUES: [issue]}, {}]


# -- a batch is all or nothing ----------------------------------------------------------------


def test_a_batch_with_a_bad_record_changes_nothing(store: Store) -> None:
    store.put({ISSUES: [record(ISSUE_A, title="原样")]}, {"device_name": "原样"})
    before = snapshot(store)
    heard: list[Any] = []
    store.subscribe(heard.append)
    no_id = record(ISSUE_B)
    del no_id["id"]
    with pytest.raises(KeyError):
        store.put({VISITS: [record(VISIT_ID, "visit")], ISSUES: [record(ISSUE_A, title="改了"), no_id]}, {"device_name": "改了"})
    assert snapshot(store) == before
    assert store.get(VISITS, VISIT_ID) is None
    assert heard == []


def test_a_batch_that_cannot_be_encoded_changes_nothing(backend: str, store: Store) -> None:
    if backend not in SERIALISING:
        pytest.skip("the memory store keeps objects and encodes nothing")
    store.put({ISSUES: [record(ISSUE_A, title="原样")]})
    before = snapshot(store)
    with pytest.raises(TypeError):  # orjson's JSONEncodeError is a TypeError
        store.put({VISITS: [record(VISIT_ID, "visit")], ISSUES: [record(ISSUE_B, title={1, 2})]}, {"device_name": "改了"})
    assert snapshot(store) == before


# -- the import log, through a real import ----------------------------------------------------


def test_an_import_is_logged_once_and_a_refused_bundle_changes_nothing(store: Store, laptop_bundle: dict[str, Any]) -> None:
    Editor(store, actor="信访办", device_name="信访办台式机")
    [report] = import_bundles(store, [("laptop1.fvb", fmt.encode(laptop_bundle))], now=NOW)
    assert report.status == "imported", report.reason
    [entry] = store.all(IMPORTS)
    assert entry["bundle_id"] == laptop_bundle["bundle_id"] and entry["counts"] == report.counts
    assert len(store.all(ISSUES)) == len(laptop_bundle["issues"]) and len(store.all(VISITS)) == len(laptop_bundle["visits"])

    before = snapshot(store)
    [again] = import_bundles(store, [("laptop1-again.fvb", fmt.encode(laptop_bundle))], now=NOW)
    assert again.status == "already_imported"
    damaged = copy.deepcopy(laptop_bundle)
    damaged["issues"][0]["id"] = damaged["issues"][1]["id"]  # a duplicate id; digest no longer fits either
    [refused] = import_bundles(store, [("damaged.fvb", fmt.encode(damaged))], now=NOW)
    assert refused.status == "rejected" and refused.reason
    assert snapshot(store) == before


def test_every_back_end_holds_the_same_records_after_the_same_imports(store: Store, laptop_bundle: dict[str, Any]) -> None:
    reference = MemoryStore()
    other = export_bundle(build_demo(2, ANCHOR))
    for target in (reference, store):
        Editor(target, actor="信访办", wall=lambda: 1_790_000_000_000, device_id="01JD000000000000000000FF01", device_name="信访办台式机")
        reports = import_bundles(target, [("1.fvb", fmt.encode(laptop_bundle)), ("2.fvb", fmt.encode(other))], now=NOW)
        assert [report.status for report in reports] == ["imported", "imported"]
    mine, theirs = snapshot(store), snapshot(reference)
    assert mine["meta"] == theirs["meta"] and mine[VISITS] == theirs[VISITS] and mine[ISSUES] == theirs[ISSUES]
    assert sorted(orjson.loads(item)["bundle_id"] for item in mine[IMPORTS]) == sorted(orjson.loads(item)["bundle_id"] for item in theirs[IMPORTS])
