"""Shared fixtures. The UI language is fixed to zh-CN before any screen is imported."""

from __future__ import annotations

import os

os.environ["FIELDVISIT_LANG"] = "zh-CN"

from fieldvisit.core.i18n import set_language  # noqa: E402

set_language("zh-CN")

import datetime as dt  # noqa: E402
from pathlib import Path  # noqa: E402

import pytest  # noqa: E402

from fieldvisit.editing.editor import Editor  # noqa: E402
from fieldvisit.stores.store import TinyDBStore  # noqa: E402

ANCHOR = dt.date(2026, 11, 20)


@pytest.fixture(autouse=True)
def chinese_again():
    """Every test starts in zh-CN, whatever the one before switched to (`--lang en` on a command
    line sets the language for the process; a test checking English words sets it too)."""
    set_language("zh-CN")
    yield
    set_language("zh-CN")


@pytest.fixture(autouse=True)
def steady_cursors(monkeypatch):
    """Text cursors do not blink in tests: a snapshot taken while a busy machine is half a second
    late would otherwise catch the cursor on or off by chance."""
    from textual.widgets import Input, TextArea

    monkeypatch.setattr(Input, "_toggle_cursor", lambda self: None)
    monkeypatch.setattr(TextArea, "_toggle_cursor_blink_visible", lambda self: None)


class FakeWall:
    """A wall clock the test moves by hand, including backwards."""

    def __init__(self, ms: int = 1_790_000_000_000):
        self.ms = ms

    def __call__(self) -> int:
        return self.ms


@pytest.fixture
def wall() -> FakeWall:
    return FakeWall()


@pytest.fixture
def store(tmp_path: Path):
    with TinyDBStore.in_directory(tmp_path / "field") as opened:
        yield opened


@pytest.fixture
def editor(store, wall) -> Editor:
    return Editor(store, actor="赵敏", wall=wall, device_name="测试笔记本")


@pytest.fixture
def visit(editor) -> dict:
    return editor.create_visit(
        {
            "title": "矿领导深入三采区接访",
            "site": "东风煤矿三采区",
            "site_kind": "mine_district",
            "date": "2026-11-20",
            "leaders": "王志刚（矿长）、刘海燕（工会主席）",
            "recorder": "赵敏",
        }
    )


@pytest.fixture(scope="session")
def office_demo_bytes(tmp_path_factory) -> bytes:
    """The demo central store (three laptops merged, `ANCHOR` as today), made once per run."""
    from fieldvisit.demo.office import write_office_demo

    folder = tmp_path_factory.mktemp("office-demo")
    write_office_demo(folder, ANCHOR)
    return (folder / TinyDBStore.FILE_NAME).read_bytes()


@pytest.fixture
def office_store_path(tmp_path, office_demo_bytes) -> Path:
    """A fresh copy of the demo central store for one test."""
    path = tmp_path / "office" / TinyDBStore.FILE_NAME
    path.parent.mkdir()
    path.write_bytes(office_demo_bytes)
    return path


from pg_fixtures import postgres_store_url, postgres_url  # noqa: E402, F401  (a real PostgreSQL server)
