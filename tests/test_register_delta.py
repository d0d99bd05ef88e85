"""The register cache's delta (`register-delta.json`): the office app's exit writes only the rows
changed since the cache's rows file, the next open folds them in, and a delta that does not fit
exactly (torn, stale, or for another rows file) is never believed."""

from __future__ import annotations

import datetime as dt

import orjson
import pytest

from fieldvisit.editing.editor import Editor
from fieldvisit.locations.paths import Home
from fieldvisit.office import register_cache
from fieldvisit.office.policy import DEFAULT_POLICY
from fieldvisit.office.register import RegisterFilter, RegisterIndex
from fieldvisit.office.register_cache import RegisterCache
from fieldvisit.office.workflow import Workflow
from fieldvisit.stores.splice_store import SplicingJSONStore
from fieldvisit.stores.store import ISSUES

ANCHOR = dt.date(2026, 11, 20)


def as_tuples(index: RegisterIndex) -> dict[str, tuple]:
    return {row_id: tuple(getattr(row, name) for name in row.__slots__) for row_id, row in index.rows.items()}


def fresh(store) -> dict[str, tuple]:
    return as_tuples(RegisterIndex(store, DEFAULT_POLICY, ANCHOR).build())


@pytest.fixture
def cached(office_store_path) -> tuple:
    """The office store with a full cache beside it, as the office app's first open leaves it."""
    cache = RegisterCache.of(Home.beside(office_store_path), DEFAULT_POLICY)
    with SplicingJSONStore(office_store_path) as store:
        index = RegisterIndex(store, DEFAULT_POLICY, ANCHOR)
        assert index.open(cache) is False
        index.save(cache)
        store.compact()
    with SplicingJSONStore(office_store_path) as store:
        assert RegisterIndex(store, DEFAULT_POLICY, ANCHOR).open(cache) is True
    return office_store_path, cache


def session(path, cache, change) -> RegisterIndex:
    """Open as the office app does, `change(store, index)`, and close as `fieldvisit office`
    does: the journal compacted, then the cache written for the store as it closes."""
    with SplicingJSONStore(path, deferred=True) as store:
        index = RegisterIndex(store, DEFAULT_POLICY, ANCHOR).follow()
        assert index.open(cache) is True
        change(store, index)
        store.compact()
        index.save(cache)
    return index


def assign(number: int, department: str):
    def change(store, index) -> None:
        target = list(index.rows)[number]
        Workflow(Editor(store, actor="周敏"), DEFAULT_POLICY).assign(target, department=department)

    return change


def retitle(number: int, title: str):
    def change(store, index) -> None:
        Editor(store, actor="周敏").update_issue(list(index.rows)[number], {"title": title})

    return change


def reopened(path, cache) -> tuple[RegisterIndex | None, dict[str, tuple]]:
    with SplicingJSONStore(path) as store:
        index = RegisterIndex(store, DEFAULT_POLICY, ANCHOR)
        served = index.open(cache)
        index.load_search()
        return (index if served else None), fresh(store)


def test_an_exit_writes_only_the_changed_rows_and_the_next_open_has_them(cached):
    path, cache = cached
    rows_file, search_file = cache.path.read_bytes(), cache.search_path.read_bytes()
    session(path, cache, assign(3, "测试科"))
    session(path, cache, retitle(7, "井下津贴少发 改名"))  # a second session: the delta holds both
    assert cache.path.read_bytes() == rows_file and cache.search_path.read_bytes() == search_file  # not rewritten
    delta = orjson.loads(cache.delta_path.read_bytes())
    assert delta["count"] == 2
    index, expected = reopened(path, cache)
    assert index is not None and as_tuples(index) == expected
    assert [row.title for row in index.select(RegisterFilter(text="津贴少发 改名"))] == ["井下津贴少发 改名"]
    assert index.cache_delta_rows == 2


def test_new_matters_go_into_the_delta(cached, tmp_path):
    path, cache = cached

    def record(store, index) -> None:
        editor = Editor(store, actor="周敏")
        visit = editor.create_visit({"title": "新的接访", "site": "新井区"})
        editor.record_issue(visit["id"], {"title": "新登记的事项"})

    session(path, cache, record)
    index, expected = reopened(path, cache)
    assert index is not None and as_tuples(index) == expected
    assert [row.site for row in index.select(RegisterFilter(text="新登记"))] == ["新井区"]


@pytest.mark.parametrize("damage", ["torn", "store_written_after", "rows_file_rewritten", "other_base"])
def test_a_delta_that_does_not_fit_is_not_believed(cached, damage):
    path, cache = cached
    session(path, cache, assign(3, "测试科"))
    if damage == "torn":
        cache.delta_path.write_bytes(cache.delta_path.read_bytes()[:-30])
    elif damage == "store_written_after":  # another program wrote the store and kept no cache
        with SplicingJSONStore(path) as store:
            Workflow(Editor(store, actor="周敏"), DEFAULT_POLICY).assign(next(r["id"] for r in store.records(ISSUES)), department="别的科")
    elif damage == "rows_file_rewritten":  # the rows file from another moment, the delta left
        rows = orjson.loads(cache.path.read_bytes())
        rows["key"]["mtime_ns"] += 1
        cache.path.write_bytes(orjson.dumps(rows))
    else:
        delta = orjson.loads(cache.delta_path.read_bytes())
        delta["base"]["size"] += 1
        cache.delta_path.write_bytes(orjson.dumps(delta))
    index, expected = reopened(path, cache)
    assert index is None  # rebuilt from the store, not served from the cache
    with SplicingJSONStore(path) as store:
        rebuilt = RegisterIndex(store, DEFAULT_POLICY, ANCHOR)
        rebuilt.open(cache)
        assert as_tuples(rebuilt) == expected


async def test_a_large_delta_is_folded_into_the_rows_file_in_the_background(cached, monkeypatch):
    from fieldvisit.apps.office import OfficeApp

    path, cache = cached
    monkeypatch.setattr(register_cache, "FOLD_ROWS", 1)
    monkeypatch.setattr("fieldvisit.apps.office.FOLD_ROWS", 1)
    session(path, cache, assign(3, "测试科"))
    session(path, cache, assign(5, "测试科"))
    assert cache.delta_path.exists()
    rows_file = cache.path.read_bytes()
    with SplicingJSONStore(path, deferred=True) as store:
        app = OfficeApp(store, today=ANCHOR, cache=cache, home=Home.beside(path))
        async with app.run_test() as pilot:
            await pilot.pause()
            app.wait_for_register_cache()  # the rows file rewritten in a thread once shown
        assert not cache.delta_path.exists()
        assert cache.path.read_bytes() != rows_file
        store.compact()
        app.save_register_cache()  # nothing changed since: nothing written
    assert not cache.delta_path.exists()
    index, expected = reopened(path, cache)
    assert index is not None and as_tuples(index) == expected and index.cache_delta_rows == 0

