"""Power-cut safety of an import: a process importing a batch of bundles is SIGKILLed at random.

The batch is seven bundles (~360 records: laptop 1's second hand-over, which updates matters the
office has, and six other laptops' first ones). The importer promises one atomic store write for
the whole batch, so after every kill the store file must be valid JSON and hold exactly the
state before the import or exactly the state after it: never some bundles, some records or a
half-advanced clock.

Most kill moments are uniform over the whole run (fork, open, validate, merge, write); the rest
aim at the measured window of the store write itself, where a non-atomic write would tear. Those
random kills prove nothing about *which* state they hit (that depends on the machine's speed), so
three more kinds stop the child at a named point and kill it there, whatever the load: just
before the store write, with the temp file complete but not yet renamed, and just after the
write returned. They must give before, before (with a stale temp file cleared on opening) and after.
"""

from __future__ import annotations

import datetime as dt
import os
import random
import signal
import time
from pathlib import Path

import orjson
import pytest

from fieldvisit.stores import storage
from fieldvisit.demo.laptop import build_demo
from fieldvisit.editing.editor import Editor
from fieldvisit.stores.store import IMPORTS, ISSUES, VISITS, TinyDBStore
from fieldvisit.sync import bundle as fmt
from fieldvisit.sync.canonical import canonical_bytes
from fieldvisit.sync.exporter import export_bundle
from fieldvisit.sync.importer import import_bundles

ANCHOR = dt.date(2026, 11, 20)
NOW = dt.datetime(2026, 11, 25, tzinfo=dt.timezone.utc)
UNIFORM_KILLS = 70
AIMED_KILLS = 40
EXIT_OK, EXIT_ERROR, EXIT_NOT_IMPORTED = 0, 2, 3

pytestmark = pytest.mark.skipif(not hasattr(os, "fork"), reason="needs fork() to start importers quickly")


def build_batch() -> tuple[bytes, list[tuple[str, bytes]]]:
    """Laptop 1's first bundle (already in the office) and the batch to import on top of it."""
    laptop = build_demo(1, ANCHOR)
    first = fmt.encode(export_bundle(laptop))
    later = int(dt.datetime(2026, 11, 22, 9, 0, tzinfo=dt.timezone.utc).timestamp() * 1000)
    editor = Editor(laptop, actor="唐芳", wall=lambda: later, rng=random.Random(7))
    issues = sorted(laptop.all(ISSUES), key=lambda record: record["id"])
    for issue in issues[:6]:
        editor.withdraw_issue(issue["id"], "信访人表示问题已解决")
    batch = [("laptop01-second.fvb", fmt.encode(export_bundle(laptop)))]
    batch += [(f"laptop{seed:02d}.fvb", fmt.encode(export_bundle(build_demo(seed, ANCHOR)))) for seed in range(2, 8)]
    return first, batch


def state_of(path: Path) -> bytes:
    """Everything an import writes, comparable across runs (import-log ids are random)."""
    with TinyDBStore(path) as store:
        log = sorted(({k: v for k, v in entry.items() if k != "id"} for entry in store.all(IMPORTS)), key=canonical_bytes)
        return canonical_bytes(
            {
                VISITS: sorted(store.all(VISITS), key=lambda record: record["id"]),
                ISSUES: sorted(store.all(ISSUES), key=lambda record: record["id"]),
                IMPORTS: log,
                "meta": store.meta(),
            }
        )


def _importer(path: Path, batch: list[tuple[str, bytes]], timing_fd: int | None = None, stop: tuple[str, int] | None = None) -> None:
    """The child: one `fieldvisit import` run. With `timing_fd`, it reports when the store write ran;
    with `stop` (a point, a pipe), it says so on the pipe when it reaches that point and waits to be killed."""
    code = EXIT_ERROR
    try:
        if stop is not None:
            _stop_at(*stop)
        if timing_fd is not None:
            original = storage.write_atomically

            def timed(target, payload):
                started = time.monotonic()
                original(target, payload)
                os.write(timing_fd, f"{started} {time.monotonic()}\n".encode())

            storage.write_atomically = timed
        with TinyDBStore(path) as store:
            reports = import_bundles(store, batch, now=NOW)
        code = EXIT_OK if all(report.status == "imported" for report in reports) else EXIT_NOT_IMPORTED
    finally:
        os._exit(code)


STOP_POINTS = {"before_write": "before", "before_rename": "before", "after_write": "after"}
"""Where a child may be stopped and killed, and the state the store must then be in."""


def _stop_at(point: str, report_fd: int) -> None:
    """Make this process halt at `point`: write one byte to `report_fd`, then sleep until killed."""

    def halt() -> None:
        os.write(report_fd, b"!")
        while True:
            time.sleep(60)

    if point == "before_rename":
        original_replace = os.replace

        def replace(source, target):
            if str(source).endswith(storage.TEMP_SUFFIX):
                halt()
            original_replace(source, target)

        storage.os.replace = replace
        return
    original_write = storage.write_atomically

    def write(target, payload):
        if point == "before_write":
            halt()
        original_write(target, payload)
        if point == "after_write":
            halt()

    storage.write_atomically = write


def run_to_completion(path: Path, batch: list[tuple[str, bytes]]) -> tuple[float, float, float]:
    """Run a child importer undisturbed: (whole run, first write start, last write end), seconds from fork."""
    read_fd, write_fd = os.pipe()
    forked = time.monotonic()
    pid = os.fork()
    if pid == 0:
        os.close(read_fd)
        _importer(path, batch, write_fd)
    os.close(write_fd)
    _, status = os.waitpid(pid, 0)
    took = time.monotonic() - forked
    with os.fdopen(read_fd, "rb") as timing:
        writes = [tuple(map(float, line.split())) for line in timing.read().splitlines()]
    assert os.WIFEXITED(status) and os.WEXITSTATUS(status) == EXIT_OK, f"the importer failed: status {status}"
    assert writes, "the importer never wrote the store"
    return took, writes[0][0] - forked, writes[-1][1] - forked


@pytest.fixture
def office(tmp_path: Path) -> tuple[Path, list[tuple[str, bytes]]]:
    first, batch = build_batch()
    path = tmp_path / "office.json"
    with TinyDBStore(path) as store:
        Editor(store, actor="信访办", device_name="信访办台式机")
        assert import_bundles(store, [("laptop01.fvb", first)], now=NOW)[0].status == "imported"
    return path, batch


def test_sigkill_during_import_leaves_the_store_before_or_after_never_between(office):
    path, batch = office
    before_bytes = path.read_bytes()
    before = state_of(path)

    # The after-state, from an undisturbed import into a copy; then timings from real child runs.
    twin = path.with_name("twin.json")
    twin.write_bytes(before_bytes)
    with TinyDBStore(twin) as store:
        reports = import_bundles(store, batch, now=NOW)
    assert [report.status for report in reports] == ["imported"] * len(batch)
    after = state_of(twin)
    assert after != before
    runs = []
    for _ in range(3):
        path.write_bytes(before_bytes)
        runs.append(run_to_completion(path, batch))
        assert state_of(path) == after, "a child's import differs from the reference import"
    whole = max(run[0] for run in runs)
    window = (min(run[1] for run in runs), max(run[2] for run in runs))
    print(f"child import run {whole * 1000:.0f} ms; store write {window[0] * 1000:.0f}–{window[1] * 1000:.0f} ms")

    rng = random.Random(20261125)
    margin = 0.5 * (window[1] - window[0]) + 0.002
    delays = [rng.uniform(0, 1.2 * whole) for _ in range(UNIFORM_KILLS)]
    delays += [rng.uniform(window[0] - margin, window[1] + margin) for _ in range(AIMED_KILLS)]
    seen = {"before": 0, "after": 0, "torn_write": 0}
    temp_glob = f".{path.name}.*{storage.TEMP_SUFFIX}"
    for number, delay in enumerate(delays):
        path.write_bytes(before_bytes)
        pid = os.fork()
        if pid == 0:
            _importer(path, batch)
        time.sleep(max(delay, 0.0))
        os.kill(pid, signal.SIGKILL)
        _, status = os.waitpid(pid, 0)
        assert os.WIFSIGNALED(status) or os.WEXITSTATUS(status) == EXIT_OK, f"kill {number}: the importer failed ({status})"

        seen["torn_write"] += bool(list(path.parent.glob(temp_glob)))  # killed between temp file and rename
        data = orjson.loads(path.read_bytes())  # valid JSON, whole
        assert isinstance(data, dict)
        state = state_of(path)  # opens: lock released by the dead child, stale temp file removed
        assert not list(path.parent.glob(temp_glob)), "a stale temp file survived reopening the store"
        if state == before:
            seen["before"] += 1
        elif state == after:
            seen["after"] += 1
        else:
            pytest.fail(f"kill {number} after {delay * 1000:.1f} ms left a state that is neither before nor after the import")

    print(f"{len(delays)} random kills: {seen}")
    assert seen["before"] + seen["after"] == len(delays)

    for point, expected in STOP_POINTS.items():
        path.write_bytes(before_bytes)
        read_fd, write_fd = os.pipe()
        pid = os.fork()
        if pid == 0:
            os.close(read_fd)
            _importer(path, batch, stop=(point, write_fd))
        os.close(write_fd)
        with os.fdopen(read_fd, "rb") as report:
            reached = report.read(1)  # blocks until the child stands at the point (or dies)
        os.kill(pid, signal.SIGKILL)
        _, status = os.waitpid(pid, 0)
        assert reached == b"!", f"the importer never reached {point} (status {status})"
        stale = list(path.parent.glob(temp_glob))
        assert bool(stale) == (point == "before_rename"), f"{point}: temp files {stale}"
        assert isinstance(orjson.loads(path.read_bytes()), dict)
        assert state_of(path) == (before if expected == "before" else after), f"killed at {point}: not the {expected} state"
        assert not list(path.parent.glob(temp_glob)), "a stale temp file survived reopening the store"


JOURNAL_POINTS = {
    "append_torn": "before",  # half the import's journal line on disk: the line is dropped
    "after_append": "after",  # the line fsync'd, `put` not yet returned
    "compaction_before_rename": "after",  # closing: the file being rewritten with the line
    "compaction_after_rename": "after",  # the file rewritten, the journal not yet restarted
}
"""Where an import into the office's JSON store (as `fieldvisit import` opens it: the splicing
store, a journal beside it) is stopped and killed, and the state it must leave."""


def _journal_importer(path: Path, batch: list[tuple[str, bytes]], point: str, report_fd: int) -> None:
    """The child: `fieldvisit import` on the office's store, halted at `point` until killed."""
    from fieldvisit.stores.splice_store import SplicingJSONStore

    def halt(*_args) -> None:
        os.write(report_fd, b"!")
        while True:
            time.sleep(60)

    try:
        if point in ("append_torn", "after_append"):
            original = SplicingJSONStore._append

            def append(self, text, at):
                if point == "after_append":
                    original(self, text, at)
                    halt()
                if self._appender is None:
                    self._open_appender()
                self._appender.write(text[: len(text) // 2])
                self._appender.flush()
                os.fsync(self._appender.fileno())
                halt()

            SplicingJSONStore._append = append
        elif point == "compaction_after_rename":
            SplicingJSONStore._restart_journal = halt
        else:
            original_replace = storage.os.replace

            def replace(source, target):
                if str(target) == str(path):
                    halt()
                original_replace(source, target)

            storage.os.replace = replace
        with SplicingJSONStore(path) as store:
            import_bundles(store, batch, now=NOW)
    finally:
        os._exit(EXIT_ERROR)


def test_sigkill_during_an_import_into_the_journal_leaves_before_or_after(office):
    path, batch = office
    from fieldvisit.stores import journal

    before_bytes = path.read_bytes()
    before = state_of(path)
    twin = path.with_name("twin.json")
    twin.write_bytes(before_bytes)
    with TinyDBStore(twin) as store:
        import_bundles(store, batch, now=NOW)
    after = state_of(twin)
    for point, expected in JOURNAL_POINTS.items():
        path.write_bytes(before_bytes)
        journal.path_of(path).unlink(missing_ok=True)
        read_fd, write_fd = os.pipe()
        pid = os.fork()
        if pid == 0:
            os.close(read_fd)
            _journal_importer(path, batch, point, write_fd)
        os.close(write_fd)
        with os.fdopen(read_fd, "rb") as report:
            reached = report.read(1)
        os.kill(pid, signal.SIGKILL)
        _, status = os.waitpid(pid, 0)
        assert reached == b"!", f"the importer never reached {point} (status {status})"
        assert isinstance(orjson.loads(path.read_bytes()), dict)
        from fieldvisit.stores.splice_store import SplicingJSONStore

        with SplicingJSONStore(path, read_only=True) as reader:  # a report's view: file and journal
            seen = canonical_bytes(sorted(reader.all(ISSUES), key=lambda record: record["id"]))
        assert seen == canonical_bytes(orjson.loads(before if expected == "before" else after)[ISSUES]), point
        assert state_of(path) == (before if expected == "before" else after), f"killed at {point}: not the {expected} state"
