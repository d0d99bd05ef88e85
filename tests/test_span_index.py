"""The index kept beside the office's JSON store (`fieldvisit.stores.span_index`): an open reads it
instead of scanning the file, and an index that does not fit the file exactly is never believed."""

from __future__ import annotations

import os

import pytest

from fieldvisit.editing.editor import Editor
from fieldvisit.stores import span_index, splice_store, storage
from fieldvisit.stores.splice_store import SplicingJSONStore, _index
from fieldvisit.stores.store import ISSUES, VISITS, TinyDBStore


def _office(path, matters: int = 12) -> list[str]:
    """A store whose file holds all its matters (closing compacts), without the journal's kept
    lines (they would replay over any change made to the file here)."""
    with SplicingJSONStore(path) as store:
        editor = Editor(store)
        visit = editor.create_visit({"title": "接访", "site": "三采区"})
        ids = [editor.record_issue(visit["id"], {"title": f"第{number}件：工资拖欠", "detail": "反映{}\"" * number})["id"] for number in range(matters)]
    storage.drop_journal(path)
    return ids


def _spans(tables) -> list[tuple]:
    return [(t.name, t.start, t.value, t.end, t.ids, t.starts, t.values, t.ends) for t in tables.values()]


def _no_scan(monkeypatch) -> None:
    """Fail any open that scans the file: it must take its spans from the index."""

    def scan(raw):
        raise AssertionError("the file was scanned")

    monkeypatch.setattr(splice_store, "_index", scan)


def _titles(path) -> dict[str, str]:
    with SplicingJSONStore(path, read_only=True) as store:
        return {record["id"]: record["fields"]["title"]["value"] for record in store.records(ISSUES)}


def test_the_writer_keeps_the_index_and_the_next_open_reads_it(tmp_path, monkeypatch):
    path = tmp_path / "fieldvisit.json"
    ids = _office(path)  # closing compacts: the file and its index written together
    assert span_index.path_of(path).exists()
    expected = _titles(path)
    assert sorted(expected) == sorted(ids)
    _no_scan(monkeypatch)
    with SplicingJSONStore(path) as store:
        assert {record["id"]: record["fields"]["title"]["value"] for record in store.records(ISSUES)} == expected
        assert store.get(ISSUES, ids[5])["fields"]["title"]["value"] == "第5件：工资拖欠"
        assert store.record_count(VISITS) == 1
        Editor(store).update_issue(ids[3], {"title": "改过的标题"})
        store.compact()  # a compaction writes the new file's index
    found = os.stat(path)
    token = {"size": found.st_size, "mtime_ns": found.st_mtime_ns, "inode": found.st_ino}
    raw = path.read_bytes()
    kept = span_index.load(path, token, raw)
    monkeypatch.undo()
    assert kept == _spans(_index(raw))
    assert _titles(path)[ids[3]] == "改过的标题"


def test_a_reader_uses_the_index_but_never_writes_one(tmp_path, monkeypatch):
    path = tmp_path / "fieldvisit.json"
    ids = _office(path)
    span_index.drop(path)
    assert sorted(_titles(path)) == sorted(ids)  # scanned
    assert not span_index.path_of(path).exists()
    SplicingJSONStore(path).close()  # the writer opens: scans, and keeps the index
    assert span_index.path_of(path).exists()
    _no_scan(monkeypatch)
    assert sorted(_titles(path)) == sorted(ids)


def _damaged_in_place(path) -> None:
    """The file changed without being replaced: same inode, same size, its times put back; one
    matter's text shortened and another's lengthened, so records moved."""
    found = os.stat(path)
    raw = path.read_bytes()
    first = raw.index("第1件".encode())
    last = raw.index("第9件".encode())
    changed = raw[:first] + raw[first + 3 : last] + "九".encode() + raw[last:]
    assert len(changed) == len(raw)
    with open(path, "r+b") as handle:
        handle.write(changed)
    os.utime(path, ns=(found.st_atime_ns, found.st_mtime_ns))
    after = os.stat(path)
    assert (after.st_size, after.st_mtime_ns, after.st_ino) == (found.st_size, found.st_mtime_ns, found.st_ino)


@pytest.mark.parametrize("how", ["rewritten_whole", "changed_in_place", "index_torn", "index_garbage", "index_of_another_store"])
def test_an_index_that_does_not_fit_the_file_is_not_believed(tmp_path, how):
    path = tmp_path / "fieldvisit.json"
    ids = _office(path)
    index_file = span_index.path_of(path)
    if how == "rewritten_whole":  # another writer, keeping no index (the file replaced, the index left)
        with TinyDBStore(path) as store:
            Editor(store).update_issue(ids[0], {"title": "整个文件重写"})
    elif how == "changed_in_place":
        _damaged_in_place(path)
    elif how == "index_torn":
        index_file.write_bytes(index_file.read_bytes()[:-100])
    elif how == "index_garbage":
        index_file.write_bytes(index_file.read_bytes()[:200] + b"\0" * 4000)
    else:
        other = tmp_path / "other" / "fieldvisit.json"
        _office(other, 13)
        index_file.write_bytes(span_index.path_of(other).read_bytes())
    found = os.stat(path)
    token = {"size": found.st_size, "mtime_ns": found.st_mtime_ns, "inode": found.st_ino}
    assert span_index.load(path, token, path.read_bytes()) is None
    scanned = {record["id"]: record for record in TinyDBStore(path, read_only=True).all(ISSUES)} if how != "rewritten_whole" else None
    with SplicingJSONStore(path) as store:  # scans, and keeps a fresh index
        records = {record["id"]: record for record in store.records(ISSUES)}
        assert store.get(ISSUES, ids[9]) == records[ids[9]]
    if scanned is not None:
        assert records == scanned
    raw = path.read_bytes()
    found = os.stat(path)
    assert span_index.load(path, {"size": found.st_size, "mtime_ns": found.st_mtime_ns, "inode": found.st_ino}, raw) == _spans(_index(raw))
