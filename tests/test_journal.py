"""The JSON store's journal (issue 16 §3): a step is one fsync'd line, replayed on opening,
compacted into the file; and readers that never wait for the writer."""

from __future__ import annotations

import gzip
import threading
from pathlib import Path

import orjson
import pytest

from fieldvisit.core.errors import FieldVisitError, StoreCorruptError, StoreLockedError
from fieldvisit.stores import journal, storage
from fieldvisit.stores.factory import StoreSpec, open_office_store
from fieldvisit.stores.splice_store import SplicingJSONStore
from fieldvisit.stores.store import ISSUES, VISITS, TinyDBStore

IDS = [f"01J{number:023d}" for number in range(40)]


def matter(number: int, **extra) -> dict:
    return {"id": IDS[number], "title": f"第{number}件", **extra}


def abandon(store: SplicingJSONStore) -> None:
    """What a crash leaves: the lock released by the OS, no compaction, the journal as it is."""
    if store._appender is not None:
        store._appender.close()
        store._appender = None
    store._lock.release()
    store._lock = None
    store._loaded = False  # so `close` (from a `with`) does not compact either


def issues_of(path) -> dict[str, dict]:
    with SplicingJSONStore(path, read_only=True) as store:
        return {record["id"]: record for record in store.all(ISSUES)}


def test_a_step_is_a_journal_line_and_the_file_is_written_only_by_compaction(tmp_path):
    path = tmp_path / "fieldvisit.json"
    with SplicingJSONStore(path) as store:
        store.put({ISSUES: [matter(0)]}, {"clock": "c1"})
        assert not path.exists()  # nothing rewritten for a step
        lines = journal.path_of(path).read_bytes().splitlines()
        assert len(lines) == 2  # the header, and the step
        batch = orjson.loads(lines[1])["batch"]
        assert batch["tables"][ISSUES][IDS[0]] == matter(0)
        assert batch["tables"]["meta"]["store"] == {"clock": "c1"}  # the meta merged, as a record
        store.compact()
        assert orjson.loads(path.read_bytes())[ISSUES] == {IDS[0]: matter(0)}
        assert store.get(ISSUES, IDS[0]) == matter(0) and store.meta() == {"clock": "c1"}
    assert orjson.loads(path.read_bytes())["meta"] == {"store": {"clock": "c1"}}


def test_opening_replays_the_journal_in_order(tmp_path):
    path = tmp_path / "fieldvisit.json"
    with SplicingJSONStore(path) as store:
        store.put({ISSUES: [matter(0), matter(1)]})
    store = SplicingJSONStore(path)
    store.put({ISSUES: [matter(1, status="accepted"), matter(2)]}, {"clock": "c2"})
    store.put({ISSUES: [matter(2, status="closed")], VISITS: [{"id": IDS[30]}]})
    abandon(store)
    with SplicingJSONStore(path) as again:
        assert again.get(ISSUES, IDS[1])["status"] == "accepted"
        assert again.get(ISSUES, IDS[2])["status"] == "closed"
        assert [record["id"] for record in again.records(ISSUES)] == IDS[:3]
        assert again.record_count(ISSUES) == 3 and again.all(VISITS) == [{"id": IDS[30]}]
        assert again.meta() == {"clock": "c2"}


def test_a_torn_last_line_is_dropped_and_cut_off(tmp_path):
    path = tmp_path / "fieldvisit.json"
    store = SplicingJSONStore(path)
    store.put({ISSUES: [matter(0)]})
    store.put({ISSUES: [matter(1)]})
    abandon(store)
    whole = journal.path_of(path).read_bytes()
    torn = journal.line(99, 0, {ISSUES: {IDS[2]: orjson.dumps(matter(2))}})
    for cut in (5, len(torn) // 2, len(torn) - 1):  # a power cut mid-append, or before the newline
        journal.path_of(path).write_bytes(whole + torn[:cut])
        with SplicingJSONStore(path, read_only=True) as reader:  # a reader drops it too
            assert reader.record_count(ISSUES) == 2
        store = SplicingJSONStore(path)
        assert journal.path_of(path).read_bytes() == whole  # cut back to the last whole line
        assert store.get(ISSUES, IDS[2]) is None and store.record_count(ISSUES) == 2
        abandon(store)
    flipped = bytearray(whole + torn)
    flipped[-10] ^= 1  # a whole line whose checksum fails: torn as well
    journal.path_of(path).write_bytes(bytes(flipped))
    assert set(issues_of(path)) == set(IDS[:2])


def test_a_damaged_line_before_good_ones_is_reported_not_skipped(tmp_path):
    path = tmp_path / "fieldvisit.json"
    store = SplicingJSONStore(path)
    store.put({ISSUES: [matter(0)]})
    store.put({ISSUES: [matter(1)]})
    abandon(store)
    lines = journal.path_of(path).read_bytes().splitlines(keepends=True)
    lines[1] = lines[1].replace("第0件".encode(), "第9件".encode())
    journal.path_of(path).write_bytes(b"".join(lines))
    before = journal.path_of(path).read_bytes()
    with pytest.raises(StoreCorruptError):
        SplicingJSONStore(path)
    assert journal.path_of(path).read_bytes() == before  # left as it was


def test_replaying_lines_the_file_already_holds_changes_nothing(tmp_path, monkeypatch):
    """A crash after compaction's rename, before the journal restarts: every line is replayed
    over a file that holds them, and later lines still win."""
    path = tmp_path / "fieldvisit.json"
    store = SplicingJSONStore(path)
    store.put({ISSUES: [matter(0, status="registered")]}, {"clock": "a"})
    store.put({ISSUES: [matter(0, status="accepted"), matter(1)]}, {"clock": "b"})

    def crash(_compacted: int, _in_file: int) -> None:
        raise KeyboardInterrupt  # killed here

    monkeypatch.setattr(store, "_restart_journal", crash)
    with pytest.raises(KeyboardInterrupt):
        store.compact()
    abandon(store)
    monkeypatch.undo()
    assert orjson.loads(path.read_bytes())[ISSUES][IDS[0]]["status"] == "accepted"  # the file has both
    assert len(journal.path_of(path).read_bytes().splitlines()) == 3  # and the journal still too
    with SplicingJSONStore(path) as again:
        assert again.get(ISSUES, IDS[0])["status"] == "accepted" and again.meta() == {"clock": "b"}
        again.put({ISSUES: [matter(0, status="closed")]})
    assert issues_of(path)[IDS[0]]["status"] == "closed"
    tables: dict = {}
    batches, _ = journal.parse(journal.path_of(path).read_bytes(), journal.path_of(path))
    journal.apply(tables, batches)
    once = {name: dict(rows) for name, rows in tables.items()}
    journal.apply(tables, batches)
    assert tables == once


def test_steps_taken_during_a_compaction_are_kept(tmp_path, monkeypatch):
    path = tmp_path / "fieldvisit.json"
    store = SplicingJSONStore(path)
    store.put({ISSUES: [matter(number) for number in range(5)]})
    original = storage.write_atomically

    def write_with_a_step_meanwhile(target, payload):
        if target == path:  # while the file is written, another thread takes a step
            worker = threading.Thread(target=store.put, args=({ISSUES: [matter(1, status="accepted"), matter(6)]},))
            worker.start()
            worker.join()
        original(target, payload)

    monkeypatch.setattr(storage, "write_atomically", write_with_a_step_meanwhile)
    monkeypatch.setattr(journal, "RETAIN_SECONDS", 0.0)  # keep only what compaction did not take
    store.compact()
    monkeypatch.undo()
    assert IDS[6] not in orjson.loads(path.read_bytes())[ISSUES]  # not in the file yet...
    assert store.get(ISSUES, IDS[6]) == matter(6) and store.get(ISSUES, IDS[1])["status"] == "accepted"
    lines = journal.path_of(path).read_bytes().splitlines()
    assert len(lines) == 2  # ...but in the restarted journal: its header and that step
    abandon(store)
    found = issues_of(path)
    assert set(found) == {IDS[number] for number in (0, 1, 2, 3, 4, 6)} and found[IDS[1]]["status"] == "accepted"
    with SplicingJSONStore(path):
        pass  # closing compacts
    assert set(orjson.loads(path.read_bytes())[ISSUES]) == set(found)


def test_the_journal_is_compacted_in_the_background_once_it_grows(tmp_path, monkeypatch):
    path = tmp_path / "fieldvisit.json"
    monkeypatch.setattr(SplicingJSONStore, "compact_bytes", 2_000)
    monkeypatch.setattr(journal, "RETAIN_SECONDS", 0.0)
    with SplicingJSONStore(path) as store:
        for number in range(20):
            store.put({ISSUES: [matter(number, detail="反映" * 40)]})
            if store._compactor is not None:
                store._compactor.join()
        assert store.compact_error is None
        assert len(orjson.loads(path.read_bytes())[ISSUES]) >= 10  # compacted while working
        assert journal.path_of(path).stat().st_size < 2_000 + 1_000
        assert store.record_count(ISSUES) == 20


def test_a_reader_opens_beside_the_writer_and_cannot_write(tmp_path):
    path = tmp_path / "fieldvisit.json"
    with SplicingJSONStore(path) as writer:
        writer.put({ISSUES: [matter(0)]})
        with pytest.raises(StoreLockedError):
            SplicingJSONStore(path)  # a second writer is still refused
        with open_office_store(StoreSpec(file=path), read_only=True) as reader:
            assert reader.get(ISSUES, IDS[0]) == matter(0)
            with pytest.raises(FieldVisitError) as refused:
                reader.put({ISSUES: [matter(1)]})
            assert refused.value.message_key == "journal.read_only_step"
            writer.put({ISSUES: [matter(1)]})
            assert reader.get(ISSUES, IDS[1]) is None  # a snapshot, until it looks again
        assert writer.record_count(ISSUES) == 2
    with TinyDBStore(path, read_only=True) as parsed_reader, pytest.raises(FieldVisitError):
        parsed_reader.put({ISSUES: [matter(2)]})


def test_a_reader_follows_the_writer_across_compactions(tmp_path, monkeypatch):
    path = tmp_path / "fieldvisit.json"
    writer = SplicingJSONStore(path)
    writer.put({ISSUES: [matter(0)]})
    reader = SplicingJSONStore(path, read_only=True)
    heard: list[dict] = []
    reader.subscribe(heard.append)
    assert reader.state_token() == writer.state_token()  # the same records, the same token
    writer.put({ISSUES: [matter(1)]})
    writer.put({ISSUES: [matter(0, status="accepted")]})
    assert reader.refresh() == {ISSUES: [matter(1), matter(0, status="accepted")]}
    assert heard == [{ISSUES: [matter(1), matter(0, status="accepted")]}]
    assert reader.state_token() == writer.state_token()
    assert reader.refresh() == {}

    writer.put({ISSUES: [matter(2)]})
    writer.compact()  # lines of the last seconds stay in the new journal: no reading again
    writer.put({ISSUES: [matter(3)]})
    assert reader.refresh() == {ISSUES: [matter(2), matter(3)]}
    assert reader.get(ISSUES, IDS[0])["status"] == "accepted"

    monkeypatch.setattr(journal, "RETAIN_SECONDS", -60.0)
    writer.put({ISSUES: [matter(4)]})
    writer.compact()  # the new journal starts after what the reader saw: it reads everything again
    monkeypatch.undo()
    everything = reader.refresh()
    assert sorted(record["id"] for record in everything[ISSUES]) == IDS[:5]
    assert reader.state_token() == writer.state_token()
    reader.close()
    writer.close()


def test_a_reader_in_the_middle_of_a_compaction_sees_every_step(tmp_path, monkeypatch):
    """Between compaction's two renames the file is new and the journal old: a reader opening
    then still pairs them right."""
    path = tmp_path / "fieldvisit.json"
    store = SplicingJSONStore(path)
    store.put({ISSUES: [matter(0)]})
    store.compact()
    store.put({ISSUES: [matter(0, status="accepted"), matter(1)]})
    seen: list[dict] = []
    original = storage.write_atomically

    def read_between(target, payload):
        original(target, payload)
        if target == path:
            seen.append(issues_of(path))

    monkeypatch.setattr(storage, "write_atomically", read_between)
    store.compact()
    monkeypatch.undo()
    assert seen[0][IDS[0]]["status"] == "accepted" and set(seen[0]) == set(IDS[:2])
    store.close()


def test_a_store_opened_whole_takes_in_a_journal_left_by_a_crash(tmp_path):
    path = tmp_path / "fieldvisit.json"
    store = SplicingJSONStore(path)
    store.put({ISSUES: [matter(0)]}, {"clock": "c"})
    abandon(store)
    with TinyDBStore(path) as parsed:
        assert parsed.get(ISSUES, IDS[0]) == matter(0) and parsed.meta() == {"clock": "c"}
        parsed.put({ISSUES: [matter(0, status="closed")]})
    assert not journal.path_of(path).exists()
    with SplicingJSONStore(path) as again:  # the folded journal is not replayed over the later write
        assert again.get(ISSUES, IDS[0])["status"] == "closed"


def test_a_write_of_the_whole_file_after_a_compaction_is_not_undone_by_kept_lines(tmp_path):
    """A restarted journal keeps its last lines for readers; a store that writes the file alone
    (`TinyDBStore`) must not have them replayed over its writes."""
    path = tmp_path / "fieldvisit.json"
    with SplicingJSONStore(path) as store:
        store.put({ISSUES: [matter(0, phone="1")]})
    assert len(journal.path_of(path).read_bytes().splitlines()) == 2  # the header, and the line kept
    with TinyDBStore(path) as parsed:
        parsed.put({ISSUES: [matter(0, phone="2")]})
    assert issues_of(path)[IDS[0]]["phone"] == "2"
    with SplicingJSONStore(path) as again:
        assert again.get(ISSUES, IDS[0])["phone"] == "2"


def test_read_only_commands_run_while_the_apps_hold_the_stores(tmp_path):
    """`visits` beside the field app, `report` and `export --office` beside the office app (a
    writer holding the lock and taking a step): they run, and see the step."""
    import datetime as dt

    from click.testing import CliRunner

    from fieldvisit.cli import main
    from fieldvisit.demo.office import write_office_demo
    from fieldvisit.editing.editor import Editor
    from fieldvisit.locations import paths

    data = tmp_path / "data"
    runner = CliRunner()
    assert runner.invoke(main, ["demo", "--data-dir", str(data), "--anchor", "2026-11-20", "--no-open"]).exit_code == 0
    with TinyDBStore.in_directory(paths.field_store_dir(data)):  # the field app has its store open
        result = runner.invoke(main, ["visits", "--data-dir", str(data), "--json"])
        assert result.exit_code == 0, result.output
        assert orjson.loads(result.output)
    write_office_demo(paths.office_store_dir(data), dt.date(2026, 11, 20))
    with SplicingJSONStore(paths.office_store_dir(data) / SplicingJSONStore.FILE_NAME) as writer:
        target = next(iter(writer.records(ISSUES)))["id"]
        Editor(writer, actor="王敏").change(ISSUES, target, {"department": "只读测试科"})
        report = runner.invoke(main, ["report", "--data-dir", str(data), "--from", "2026-01-01", "--to", "2026-12-31",
                                      "--format", "txt", "--out", str(tmp_path / "report.txt")])
        assert report.exit_code == 0, report.output
        exported = runner.invoke(main, ["export", "--data-dir", str(data), "--office", "--all", "--json", "--out", str(tmp_path / "all.fvb")])
        assert exported.exit_code == 0, exported.output
    assert (tmp_path / "report.txt").stat().st_size > 0
    written = orjson.loads(exported.output)["path"]
    assert "只读测试科" in gzip.decompress(Path(written).read_bytes()).decode()  # the export saw the writer's step


def test_opening_and_closing_after_a_compaction_leaves_the_file_as_it_is(tmp_path):
    """The lines a restarted journal keeps for readers are in the file already: an open that
    writes nothing must not rewrite the file at close (that would also leave the register
    cache, kept for the file as it was, behind)."""
    path = tmp_path / "fieldvisit.json"
    with SplicingJSONStore(path) as store:
        store.put({ISSUES: [matter(0), matter(1)]})
    kept = journal.parse(journal.path_of(path).read_bytes(), journal.path_of(path))[0]
    assert any(batch.tables for batch in kept)  # the lines of the last seconds, kept
    before = (path.stat().st_ino, path.stat().st_mtime_ns)
    with SplicingJSONStore(path) as store:
        assert store.get(ISSUES, IDS[1]) == matter(1)
    assert (path.stat().st_ino, path.stat().st_mtime_ns) == before
    assert issues_of(path) == {IDS[0]: matter(0), IDS[1]: matter(1)}
