"""The register index: pages, remembered selections, following writes, and the cache beside the store."""

from __future__ import annotations

import datetime as dt
from dataclasses import replace

import pytest
from homes import home_of

from fieldvisit.editing.editor import Editor
from fieldvisit.locations.paths import Home
from fieldvisit.office import register
from fieldvisit.office.policy import DEFAULT_POLICY, Policy
from fieldvisit.office.register import (
    SAVED_FILTERS,
    SORT_KEYS,
    RegisterFilter,
    RegisterIndex,
)
from fieldvisit.office.register_cache import RegisterCache
from fieldvisit.office.workflow import Workflow
from fieldvisit.stores.splice_store import SplicingJSONStore
from fieldvisit.stores.store import ISSUES, TinyDBStore

ANCHOR = dt.date(2026, 11, 20)


@pytest.fixture
def store_path(office_store_path):
    return office_store_path


def built(store) -> RegisterIndex:
    return RegisterIndex(store, DEFAULT_POLICY, ANCHOR).build()


def as_tuples(index: RegisterIndex) -> dict[str, tuple]:
    return {row_id: tuple(getattr(row, name) for name in row.__slots__) for row_id, row in index.rows.items()}


FILTERS = [
    *SAVED_FILTERS.values(),
    RegisterFilter(status="registered"),
    RegisterFilter(category="wages", text="工资"),
    RegisterFilter(text="井区 补"),
    RegisterFilter(flags=("collective",), overdue=True),
    RegisterFilter(date_from="2026-10-20", date_to="2026-11-05"),
]


def test_pages_are_the_first_rows_of_a_full_sort_in_every_order(store_path):
    with TinyDBStore(store_path) as store:
        index = built(store)
        for chosen in FILTERS:
            matching = [row for row in index.rows.values() if chosen.matches(row)]
            for key, order in SORT_KEYS.items():
                for reverse in (False, True):
                    page, count = index.page(chosen, key, reverse, 7)
                    assert count == len(matching)
                    assert [row.id for row in page] == [row.id for row in sorted(matching, key=order, reverse=reverse)[:7]], (chosen, key, reverse)


@pytest.mark.parametrize("head", [10, 256], ids=["sorted-past-the-head", "within-the-head"])
def test_an_ordering_reads_like_a_full_sort_anywhere(store_path, monkeypatch, head):
    """Windows from the top, across the end of the heap-picked head, at the end; positions."""
    monkeypatch.setattr(register, "HEAD", head)
    with TinyDBStore(store_path) as store:
        index = built(store)
        for chosen in FILTERS:
            matching = [row for row in index.rows.values() if chosen.matches(row)]
            outside = next((row.id for row in index.rows.values() if not chosen.matches(row)), None)
            for key, order in SORT_KEYS.items():
                for reverse in (False, True):
                    full = [row.id for row in sorted(matching, key=order, reverse=reverse)]
                    ordering = RegisterIndex(store, DEFAULT_POLICY, ANCHOR).build().ordered(chosen, key, reverse)
                    assert len(ordering) == len(full)
                    assert [row.id for row in ordering.window(0, 7)] == full[:7], (chosen, key, reverse)
                    assert [row.id for row in ordering.window(head - 3, head + 4)] == full[head - 3:head + 4]
                    assert [row.id for row in ordering.window(len(full) - 5, len(full) + 5)] == full[-5:]
                    assert ordering.window(len(full), len(full) + 3) == []
                    assert [row.id for row in ordering.all()] == full
                    if full:
                        assert ordering.position(full[-1]) == len(full) - 1
                        assert ordering.position(full[len(full) // 2]) == len(full) // 2
                    if outside is not None:
                        assert ordering.position(outside) is None
            assert index.page(chosen, "due", False, 7)[1] == len(matching)


def test_a_position_is_found_before_anything_past_the_head_is_sorted(store_path, monkeypatch):
    monkeypatch.setattr(register, "HEAD", 10)
    with TinyDBStore(store_path) as store:
        ordering = built(store).ordered(RegisterFilter(), "ref", False)
        first = ordering.window(0, 3)
        assert ordering.position(first[2].id) == 2 and ordering._all is None  # found in the head
        last = ordering.window(len(ordering) - 1, len(ordering))[0]
        assert ordering.position(last.id) == len(ordering) - 1 and ordering._all is not None


def test_orders_are_remembered_until_the_next_write_and_watchers_hear_of_it(store_path):
    with TinyDBStore(store_path) as store:
        index = built(store).follow()
        heard: list[int] = []
        stop = index.watch(lambda: heard.append(index.version))
        ordering = index.ordered(RegisterFilter(), "owner", False)
        assert index.ordered(RegisterFilter(), "owner", False) is ordering
        target = ordering.window(5, 6)[0].id
        Workflow(Editor(store, actor="周敏"), DEFAULT_POLICY).assign(target, assignee="丁一")  # 丁 sorts before the demo's names
        assert heard == [index.version]
        again = index.ordered(RegisterFilter(), "owner", False)
        assert again is not ordering and again.position(target) == 0
        stop()
        Workflow(Editor(store, actor="周敏"), DEFAULT_POLICY).assign(target, assignee="丁二")
        assert len(heard) == 1


def test_typing_narrows_and_erasing_gives_back_the_same_rows(store_path):
    with TinyDBStore(store_path) as store:
        index = built(store)
        typed = ["补", "补贴", "补贴 井", "补贴 井区"]
        steps = [index.select(RegisterFilter(text=text)) for text in typed]
        fresh = built(store)
        for text, rows in zip(typed, steps):
            assert [row.id for row in rows] == [row.id for row in fresh.select(RegisterFilter(text=text))]
        assert index.select(RegisterFilter(text="补")) is steps[0]  # remembered: erasing costs nothing


def test_every_write_reaches_the_index_and_forgets_remembered_pages(store_path):
    with TinyDBStore(store_path) as store:
        editor = Editor(store, actor="周敏")
        index = built(store).follow()
        owned = RegisterFilter(owner="测试科")
        assert index.select(owned) == []
        target = next(iter(index.rows))
        Workflow(editor, DEFAULT_POLICY).assign(target, department="测试科")
        assert index.rows[target].department == "测试科"
        assert [row.id for row in index.select(owned)] == [target]
        assert as_tuples(index) == as_tuples(built(store))


def test_the_cache_gives_the_rows_the_store_gives(store_path):
    cache = RegisterCache.of(Home.beside(store_path), DEFAULT_POLICY)
    with SplicingJSONStore(store_path, deferred=True) as store:
        first = RegisterIndex(store, DEFAULT_POLICY, ANCHOR)
        assert first.open(cache) is False  # nothing cached yet: built from the store
        first.save(cache)
    with SplicingJSONStore(store_path, deferred=True) as store:
        second = RegisterIndex(store, DEFAULT_POLICY, ANCHOR)
        assert second.open(cache) is True
        assert not store._loaded  # the store is not read to show the register
        second.load_search()
        assert as_tuples(second) == as_tuples(first)
        assert [row.id for row in second.select(RegisterFilter(text="井区"))] == [row.id for row in first.select(RegisterFilter(text="井区"))]


def test_days_left_from_the_cache_are_counted_on_the_day_it_is_read(store_path):
    cache = RegisterCache.of(Home.beside(store_path), DEFAULT_POLICY)
    with TinyDBStore(store_path) as store:
        built(store).save(cache)
        later = RegisterIndex(store, DEFAULT_POLICY, ANCHOR + dt.timedelta(days=9))
        assert later.open(cache) is True
        later.load_search()
        assert as_tuples(later) == as_tuples(RegisterIndex(store, DEFAULT_POLICY, ANCHOR + dt.timedelta(days=9)).build())


@pytest.mark.parametrize("change", ["store written", "other policy", "damaged rows", "damaged search", "no search file"])
def test_a_cache_that_does_not_fit_is_not_used(store_path, change):
    cache = RegisterCache.of(Home.beside(store_path), DEFAULT_POLICY)
    policy = DEFAULT_POLICY
    with TinyDBStore(store_path) as store:
        index = built(store)
        index.save(cache)
        if change == "store written":
            Workflow(Editor(store, actor="周敏"), DEFAULT_POLICY).assign(next(iter(index.rows)), department="测试科")
        elif change == "other policy":
            policy = Policy(acceptance_days=10)
        elif change == "damaged rows":
            cache.path.write_bytes(cache.path.read_bytes()[:-40])
        elif change == "damaged search":
            cache.search_path.write_bytes(cache.search_path.read_bytes().replace(b'"texts":[', b'"texts":["x",'))
        else:
            cache.search_path.unlink()
        expected = as_tuples(RegisterIndex(store, policy, ANCHOR).build())
        reopened = RegisterIndex(store, policy, ANCHOR)
        served = reopened.open(replace(cache, policy=policy))
        reopened.load_search()
        assert served is (change in ("damaged search", "no search file"))  # rows fit; their search text is rebuilt
        assert as_tuples(reopened) == expected


def test_a_deferred_store_reads_its_file_on_first_use_or_in_the_background(store_path):
    with SplicingJSONStore(store_path, deferred=True) as store:
        assert not store._loaded
        store.load_in_background()
        issues = list(store.records(ISSUES))
        assert store._loaded and len(issues) == store.record_count(ISSUES) > 0
    with TinyDBStore(store_path) as plain:
        meta = plain.meta()
    with SplicingJSONStore(store_path, deferred=True) as lazy:
        assert lazy.meta() == meta


async def test_the_office_app_shows_the_cached_register_then_reads_the_store(store_path):
    from fieldvisit.apps.office import OfficeApp

    cache = RegisterCache.of(Home.beside(store_path), DEFAULT_POLICY)
    with SplicingJSONStore(store_path, deferred=True) as store:
        app = OfficeApp(store, Editor(store, actor="周敏"), today=ANCHOR, cache=cache, home=home_of(store))
        async with app.run_test() as pilot:
            await pilot.pause()
        app.wait_for_register_cache()  # written in a thread once shown
        assert cache.load(store, ("id",)) is not None  # built from the store, cached once shown
        shown = app.register_index.page(RegisterFilter(), "due", False, 10)[0]

    with SplicingJSONStore(store_path, deferred=True) as store:
        app = OfficeApp(store, today=ANCHOR, cache=cache, home=home_of(store))
        assert not store._loaded
        async with app.run_test() as pilot:
            table = app.screen.query_one("#register")
            assert [table.row_key_at(n) for n in range(10)] == [row.id for row in shown]
            await pilot.pause()
            target = shown[0].id
            app.workflow.assign(target, department="测试科")  # the store catches up, then is written
            assert app.register_index.rows[target].department == "测试科"
        assert cache.load(store, ("id",)) is None  # the write left the cache behind ...
        app.save_register_cache()  # ... until the app writes it on the way out (`fieldvisit office`)
        reopened = RegisterIndex(store, DEFAULT_POLICY, ANCHOR)
        assert reopened.open(cache) is True and reopened.rows[target].department == "测试科"


def test_an_import_from_the_command_line_keeps_the_cache_valid(tmp_path, office_demo_bytes):
    from click.testing import CliRunner
    from fieldvisit.sync import bundle as fmt
    from fieldvisit.sync.exporter import export_bundle

    from fieldvisit.cli import main
    from fieldvisit.demo.laptop import build_demo

    store_path = tmp_path / "data" / "office" / TinyDBStore.FILE_NAME
    store_path.parent.mkdir(parents=True)
    store_path.write_bytes(office_demo_bytes)
    cache = RegisterCache.of(Home.beside(store_path), DEFAULT_POLICY)
    with TinyDBStore(store_path) as store:
        built(store).save(cache)
    laptop = build_demo(9, ANCHOR)  # a laptop the office has not heard from: new matters
    bundle = tmp_path / "laptop9.fvb"
    bundle.write_bytes(fmt.encode(export_bundle(laptop)))

    result = CliRunner().invoke(main, ["--data-dir", str(tmp_path / "data"), "import", str(bundle)])
    assert result.exit_code == 0, result.output
    with TinyDBStore(store_path) as store:
        expected = as_tuples(built(store))
        reopened = RegisterIndex(store, DEFAULT_POLICY, ANCHOR)
        assert reopened.open(cache) is True  # the next start is a quick one
        reopened.load_search()
        assert as_tuples(reopened) == expected and len(expected) > 144
