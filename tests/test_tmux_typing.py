"""§1 of issue 14 in a real terminal: the field app under tmux, every key of three matters sent
by one `tmux send-keys` call (as fast as tmux writes them), then every stored field checked."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest

from fieldvisit.core.records import values
from fieldvisit.editing.editor import Editor
from fieldvisit.stores.store import ISSUES, TinyDBStore
from tests.keys_burst import Text
from tests.test_key_order import (
    ANONYMOUS_MATTER,
    DEMAND_ONLY,
    EXPECTED_FIRST,
    EXPECTED_SECOND,
    FULL_MATTER,
)

pytestmark = pytest.mark.skipif(shutil.which("tmux") is None, reason="tmux is not installed")

TMUX_KEYS = {"enter": "Enter", "tab": "Tab", "up": "Up", "down": "Down", "space": "Space", "backspace": "BSpace", "ctrl+s": "C-s", "ctrl+j": "C-j", "ctrl+q": "C-q", "ctrl+u": "C-u"}
STARTED_WITHIN = 120.0
"""Seconds to wait for the app to draw and, at the end, to exit: a bound on a loaded machine,
not a measurement (the test waits for what it sees, never for a fixed time)."""


def tmux_words(steps) -> list[str]:
    """`send-keys` arguments: text as literal UTF-8 (`-l` is per call, so each text goes as a
    word tmux cannot mistake for a key name: it is not one), keys by tmux's names."""
    return [str(step) if isinstance(step, Text) else TMUX_KEYS[step] for step in steps]


def wait_for(predicate, what: str) -> None:
    deadline = time.monotonic() + STARTED_WITHIN
    while not predicate():
        if time.monotonic() > deadline:
            raise AssertionError(f"gave up waiting for {what}")
        time.sleep(0.1)


def test_three_matters_sent_by_one_tmux_call(tmp_path: Path):
    data = tmp_path / "data"
    with TinyDBStore.in_directory(data / "field") as store:
        visit = Editor(store, actor="赵敏", device_name="测试笔记本").create_visit(
            {"title": "矿领导深入三采区接访", "site": "东风煤矿三采区", "date": "2026-11-20", "leaders": "王志刚（矿长）", "recorder": "赵敏"}
        )
    tmux = ["tmux", "-u", "-L", f"fieldvisit-test-{os.getpid()}"]
    env = {**os.environ, "LANG": "C.UTF-8", "LC_ALL": "C.UTF-8", "FIELDVISIT_LANG": "zh-CN", "TERM": "xterm-256color"}
    command = f"{sys.executable} -m fieldvisit --data-dir {data}"
    subprocess.run([*tmux, "new-session", "-d", "-s", "fv", "-x", "120", "-y", "40", command], env=env, check=True)

    def screen() -> str:
        return subprocess.run([*tmux, "capture-pane", "-p", "-t", "fv"], check=False, env=env, capture_output=True, text=True).stdout

    def running() -> bool:
        return subprocess.run([*tmux, "has-session", "-t", "fv"], check=False, env=env, capture_output=True).returncode == 0

    try:
        wait_for(lambda: "矿领导深入三采区接访" in screen(), "the visits list")
        keys = tmux_words(["enter", *FULL_MATTER, *ANONYMOUS_MATTER, *DEMAND_ONLY, "ctrl+q"])
        subprocess.run([*tmux, "send-keys", "-t", "fv", *keys], env=env, check=True)
        wait_for(lambda: not running(), "the app to save the three matters and quit")
    finally:
        subprocess.run([*tmux, "kill-server"], check=False, env=env, capture_output=True)

    with TinyDBStore.in_directory(data / "field") as store:
        issues = sorted((values(record) for record in store.all(ISSUES)), key=lambda issue: issue["ref"])
    assert all(issue["visit_id"] == visit["id"] for issue in issues)
    assert len(issues) == 3
    first, second, third = issues
    assert {name: first.get(name) for name in EXPECTED_FIRST} == EXPECTED_FIRST
    assert first["detail"] == "九月起津贴按新标准核算，\n少发约1200元。"
    assert {name: second.get(name) for name in EXPECTED_SECOND} == EXPECTED_SECOND
    assert third["title"] == third["demand"] == "要求恢复夜班班车"
