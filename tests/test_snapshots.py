"""Layout snapshots of the field app's screens in zh-CN, at 80×24 (usable) and 120×40 (comfortable).

Update after a deliberate layout change with `pytest tests/test_snapshots.py --snapshot-update`
and look at the SVGs in `tests/__snapshots__/` before committing them.
"""

from __future__ import annotations

import datetime as dt

import pytest

from fieldvisit.demo import build_demo
from fieldvisit.editor import Editor
from fieldvisit.field_app import FieldApp

SMALL = (80, 24)
ANCHOR = dt.date(2026, 11, 20)
LARGE = (120, 40)


def demo_app() -> FieldApp:
    store = build_demo(seed=1, anchor=ANCHOR)
    return FieldApp(store, Editor(store, actor="赵敏"))


@pytest.mark.parametrize("size", [SMALL, LARGE], ids=["80x24", "120x40"])
def test_visits_list(snap_compare, size):
    assert snap_compare(demo_app(), terminal_size=size)


@pytest.mark.parametrize("size", [SMALL, LARGE], ids=["80x24", "120x40"])
def test_visit_with_matters(snap_compare, size):
    assert snap_compare(demo_app(), press=["o"], terminal_size=size)


@pytest.mark.parametrize("size", [SMALL, LARGE], ids=["80x24", "120x40"])
def test_quick_capture(snap_compare, size):
    assert snap_compare(demo_app(), press=["o", "ctrl+n"], terminal_size=size)


def test_matter_detail(snap_compare):
    assert snap_compare(demo_app(), press=["o", "down", "enter"], terminal_size=LARGE)


def test_new_visit_form(snap_compare, monkeypatch):
    monkeypatch.setattr("fieldvisit.clock.today", lambda: ANCHOR)
    assert snap_compare(demo_app(), press=["n"], terminal_size=SMALL)


@pytest.fixture
def office_app(tmp_path, monkeypatch):
    from fieldvisit.office_app import OfficeApp
    from fieldvisit.office_demo import write_office_demo
    from fieldvisit.store import TinyDBStore

    monkeypatch.setattr("fieldvisit.clock.today", lambda: ANCHOR)
    write_office_demo(tmp_path, ANCHOR)
    store = TinyDBStore(tmp_path / TinyDBStore.FILE_NAME)
    yield OfficeApp(store, Editor(store, actor="周敏"), today=ANCHOR)
    store.close()


@pytest.mark.parametrize("size", [SMALL, LARGE], ids=["80x24", "120x40"])
def test_office_register(snap_compare, office_app, size):
    assert snap_compare(office_app, terminal_size=size)


def test_office_matter(snap_compare, office_app):
    assert snap_compare(office_app, press=["enter"], terminal_size=LARGE)


def test_office_attention(snap_compare, office_app):
    assert snap_compare(office_app, press=["f3"], terminal_size=LARGE)


def test_office_statistics(snap_compare, office_app):
    assert snap_compare(office_app, press=["f4"], terminal_size=LARGE)
