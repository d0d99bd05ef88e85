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
