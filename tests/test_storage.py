import json
import os

import pytest

from fieldvisit.core.errors import StoreCorruptError, StoreLockedError
from fieldvisit.core.records import new_record
from fieldvisit.stores.storage import AtomicJSONStorage, write_atomically
from fieldvisit.stores.store import ISSUES, TinyDBStore


def test_put_writes_plain_json_and_reads_back(tmp_path):
    path = tmp_path / "store.json"
    record = new_record("issue", "01JD0000000000000000000001")
    with TinyDBStore(path) as store:
        store.put({ISSUES: [record]}, {"device_id": "X"})
        assert store.get(ISSUES, record["id"]) == record
    data = json.loads(path.read_text("utf-8"))
    assert data[ISSUES][record["id"]] == record
    with TinyDBStore(path) as reopened:
        assert reopened.all(ISSUES) == [record]
        assert reopened.meta() == {"device_id": "X"}


def test_a_second_writer_is_refused_with_a_clear_message(tmp_path):
    path = tmp_path / "store.json"
    with TinyDBStore(path):
        with pytest.raises(StoreLockedError) as raised:
            TinyDBStore(path)
        assert str(os.getpid()) in str(raised.value)
    with TinyDBStore(path):  # released on close
        pass


def test_a_corrupt_store_is_reported_and_left_untouched(tmp_path):
    path = tmp_path / "store.json"
    path.write_bytes(b'{"issues": {"01J')
    with pytest.raises(StoreCorruptError):
        TinyDBStore(path).all(ISSUES)
    assert path.read_bytes() == b'{"issues": {"01J'


def test_a_failed_write_keeps_the_old_file_and_no_temp(tmp_path, monkeypatch):
    path = tmp_path / "store.json"
    storage = AtomicJSONStorage(path)
    storage.write({"issues": {"a": {"id": "a"}}})
    before = path.read_bytes()

    def power_cut(*_args):
        raise OSError("disk gone")

    monkeypatch.setattr(os, "replace", power_cut)
    with pytest.raises(OSError):
        storage.write({"issues": {}})
    monkeypatch.undo()
    assert path.read_bytes() == before
    assert storage.read() == {"issues": {"a": {"id": "a"}}}
    assert [p.name for p in tmp_path.iterdir() if p.name.endswith(".tmp")] == []
    storage.close()


def test_stale_temp_files_from_a_crash_are_removed(tmp_path):
    path = tmp_path / "store.json"
    write_atomically(path, b"{}")
    stale = tmp_path / ".store.json.12345.tmp"
    stale.write_bytes(b'{"half')
    AtomicJSONStorage(path).close()
    assert not stale.exists()
    assert path.read_bytes() == b"{}"
