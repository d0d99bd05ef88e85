"""Power-cut safety: a process saving matters is killed with SIGKILL at random moments.

After every kill the store must open, be valid JSON, and hold every matter whose save had
returned (the child reports each id only after `record_issue` came back). Each kill comes after
the child has reported its first save, then after a random pause, so every round has something
to lose whatever the machine's speed: the test proves the same on a loaded machine as on an idle one.
"""

from __future__ import annotations

import json
import os
import random
import signal
import time

import pytest

from fieldvisit.editing.editor import Editor
from fieldvisit.stores import journal, span_index, storage
from fieldvisit.stores.splice_store import SplicingJSONStore, _index
from fieldvisit.stores.store import ISSUES, TinyDBStore

KILLS = 220

pytestmark = pytest.mark.skipif(not hasattr(os, "fork"), reason="needs fork() to start savers quickly")


def _saver(path, report_fd: int) -> None:
    """The child: save matters until killed, reporting each one that was saved."""
    try:
        with TinyDBStore(path) as store:
            editor = Editor(store)
            visits = store.all("visits")
            visit_id = visits[0]["id"] if visits else editor.create_visit({"title": "接访", "site": "三采区"})["id"]
            for number in range(10_000):
                issue = editor.record_issue(visit_id, {"title": f"第{number}件：井下津贴少发", "detail": "反映" * 40})
                os.write(report_fd, (issue["id"] + "\n").encode())
    finally:
        os._exit(0)


def test_sigkill_never_loses_a_saved_matter_or_corrupts_the_store(tmp_path):
    path = tmp_path / "field.json"
    rng = random.Random(20261125)
    saved: set[str] = set()
    for _ in range(KILLS):
        read_fd, write_fd = os.pipe()
        pid = os.fork()
        if pid == 0:
            os.close(read_fd)
            _saver(path, write_fd)
        os.close(write_fd)
        with os.fdopen(read_fd, "rb") as reports:
            first = reports.readline()  # blocks until the child has saved one matter (or died)
            time.sleep(rng.uniform(0.0, 0.04))
            os.kill(pid, signal.SIGKILL)
            os.waitpid(pid, 0)
            lines = [first, *reports.read().splitlines()]
        round_saved = {line.strip().decode() for line in lines if len(line.strip()) == 26}
        assert round_saved, "the saver died before saving anything"
        saved.update(round_saved)

        data = json.loads(path.read_bytes()) if path.exists() else {}
        assert isinstance(data, dict)
        with TinyDBStore(path) as store:  # opens: lock released, stale temp files cleared
            records = store.all(ISSUES)
        ids = {record["id"] for record in records}
        refs = [record["fields"]["ref"]["value"] for record in records]
        assert len(set(refs)) == len(refs), "a reference was handed out twice"
        missing = saved - ids
        assert not missing, f"saved matters lost after a kill: {sorted(missing)[:3]}"
    assert len(saved) >= KILLS  # at least one save before every kill, by construction


# -- the office's JSON store: steps in a journal, compacted in the background (issue 16 §3) ------

JOURNAL_KILLS = 120
SMALL_JOURNAL = 6_000
"""Compact every few steps, so kills land in appends and in compactions alike."""


def _journal_saver(path, report_fd: int, stop: str | None = None) -> None:
    """The child on the office store: save matters until killed, reporting each one saved; with
    `stop`, halt at that named point of the journal's life (after a few steps) and wait to be killed."""
    try:
        SplicingJSONStore.compact_bytes = SMALL_JOURNAL
        if stop is not None:
            _halt_at(stop, path, report_fd)
        with SplicingJSONStore(path) as store:
            editor = Editor(store)
            visits = store.all("visits")
            visit_id = visits[0]["id"] if visits else editor.create_visit({"title": "接访", "site": "三采区"})["id"]
            for number in range(10_000):
                issue = editor.record_issue(visit_id, {"title": f"第{number}件：井下津贴少发", "detail": "反映" * 40})
                os.write(report_fd, (issue["id"] + "\n").encode())
    finally:
        os._exit(0)


def _halt(report_fd: int) -> None:
    os.write(report_fd, b"!\n")
    while True:
        time.sleep(60)


def _halt_at(point: str, path, report_fd: int) -> None:
    """Patch this (child) process to stop at `point`: a torn append, an append not yet fsync'd,
    a compaction before its rename, after it (the journal not restarted), or the journal's own rename."""
    if point in ("append_torn", "append_unsynced"):
        original = SplicingJSONStore._append
        calls = [0]

        def append(self, text, at):
            calls[0] += 1
            if calls[0] < 4:
                return original(self, text, at)
            if self._appender is None:
                self._open_appender()
            self._appender.write(text[: len(text) // 2] if point == "append_torn" else text)
            self._appender.flush()
            if point == "append_torn":
                os.fsync(self._appender.fileno())
            _halt(report_fd)

        SplicingJSONStore._append = append
        return
    if point == "compaction_after_rename":
        SplicingJSONStore._restart_journal = lambda self, compacted, in_file: _halt(report_fd)
        return
    if point == "index_not_written":  # the store file replaced, its index not yet: the old one stays
        original_save, calls = span_index.save, [0]

        def save(*args):
            calls[0] += 1
            if calls[0] > 1:
                _halt(report_fd)
            original_save(*args)

        span_index.save = save
        return
    target = {"compaction_before_rename": str(path), "index_before_rename": str(span_index.path_of(path))}.get(point, str(journal.path_of(path)))
    original_replace = storage.os.replace

    def replace(source, destination):
        if str(destination) == target:
            _halt(report_fd)
        original_replace(source, destination)

    storage.os.replace = replace


def _index_believed(path) -> list[tuple] | None:
    """The spans the store would take from the index beside the file, checked against a scan
    of the file: a kill must never leave an index that is believed and wrong."""
    if not path.exists():
        return None
    raw = path.read_bytes()
    found = os.stat(path)
    kept = span_index.load(path, {"size": found.st_size, "mtime_ns": found.st_mtime_ns, "inode": found.st_ino}, raw)
    if kept is not None:
        scanned = [(t.name, t.start, t.value, t.end, t.ids, t.starts, t.values, t.ends) for t in _index(raw).values()]
        assert kept == scanned, "the index kept beside the store disagrees with the store"
    return kept


def _check_office_store(path, saved: set[str]) -> None:
    data = json.loads(path.read_bytes()) if path.exists() else {}
    assert isinstance(data, dict)
    _index_believed(path)
    with SplicingJSONStore(path, read_only=True) as reader:  # what a report would see
        seen = {record["id"] for record in reader.records(ISSUES)}
    with SplicingJSONStore(path) as store:  # opens: lock released, torn line cut, temp files cleared
        records = store.all(ISSUES)
    assert not path.exists() or _index_believed(path) is not None, "the writer left no index fitting the store"
    ids = {record["id"] for record in records}
    assert seen == ids
    refs = [record["fields"]["ref"]["value"] for record in records]
    assert len(set(refs)) == len(refs), "a reference was handed out twice"
    missing = saved - ids
    assert not missing, f"saved matters lost after a kill: {sorted(missing)[:3]}"


def _run_journal_saver(path, stop: str | None, pause: float) -> set[str]:
    read_fd, write_fd = os.pipe()
    pid = os.fork()
    if pid == 0:
        os.close(read_fd)
        _journal_saver(path, write_fd, stop)
    os.close(write_fd)
    with os.fdopen(read_fd, "rb") as reports:
        if stop is not None:
            lines = []
            while (line := reports.readline()) and line.strip() != b"!":
                lines.append(line)
            assert line.strip() == b"!", f"the saver never reached {stop}"
        else:
            lines = [reports.readline()]  # blocks until the child has saved one matter (or died)
            time.sleep(pause)
        os.kill(pid, signal.SIGKILL)
        os.waitpid(pid, 0)
        lines += reports.read().splitlines()
    return {line.strip().decode() for line in lines if len(line.strip()) == 26}


def test_sigkill_of_the_office_store_loses_no_step_in_the_journal_or_a_compaction(tmp_path):
    path = tmp_path / "office" / "fieldvisit.json"
    rng = random.Random(20261201)
    saved: set[str] = set()
    for _ in range(JOURNAL_KILLS):
        round_saved = _run_journal_saver(path, None, rng.uniform(0.0, 0.06))
        assert round_saved, "the saver died before saving anything"
        saved.update(round_saved)
        _check_office_store(path, saved)
    assert len(saved) >= JOURNAL_KILLS
    assert path.exists(), "no compaction ever ran"


@pytest.mark.parametrize("point", ["append_torn", "append_unsynced", "compaction_before_rename", "compaction_after_rename", "journal_restart",
                                   "index_not_written", "index_before_rename"])
def test_sigkill_at_each_point_of_the_journal_loses_no_saved_step(tmp_path, point):
    path = tmp_path / "office" / "fieldvisit.json"
    saved = _run_journal_saver(path, None, 0.05)  # a store with steps in it, some compacted
    for _ in range(3):
        saved |= _run_journal_saver(path, point, 0.0)
        _check_office_store(path, saved)
    with SplicingJSONStore(path) as store:
        store.put({}, {"after": point})  # the store works on after the kills
    with SplicingJSONStore(path, read_only=True) as store:
        assert store.meta()["after"] == point
