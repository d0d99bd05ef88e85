"""The `Store` interface and its embedded default on TinyDB (DESIGN §5).

Everything above this module talks to `Store`: get one record, list or query a table, put a
batch of records (one atomic file write however many records it holds), and read or update the
store's metadata (device identity, clock, counters) in the same write. A PostgreSQL back-end can
implement the same interface later without anything above it changing.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from pathlib import Path
from typing import Any, Callable, Iterable

from tinydb import TinyDB
from tinydb.table import Table

from fieldvisit.records import Record
from fieldvisit.storage import AtomicJSONStorage

VISITS = "visits"
ISSUES = "issues"
IMPORTS = "imports"
META = "meta"
META_KEY = "store"


class Store(ABC):
    """A set of record tables plus one metadata document, written in atomic batches."""

    @abstractmethod
    def get(self, table: str, record_id: str) -> Record | None:
        """One record, or None. Treat it as read-only: the editor copies before changing."""

    @abstractmethod
    def all(self, table: str) -> list[Record]:
        ...

    def records(self, table: str) -> Iterable[Record]:
        """Every record of a table without copying: for read-only scans of large stores."""
        return self.all(table)

    def query(self, table: str, predicate: Callable[[Record], bool]) -> list[Record]:
        return [record for record in self.all(table) if predicate(record)]

    @abstractmethod
    def put(self, records: dict[str, Iterable[Record]], meta: dict[str, Any] | None = None) -> None:
        """Insert or replace records by id and merge `meta`, all in one atomic write."""

    @abstractmethod
    def meta(self) -> dict[str, Any]:
        ...

    @abstractmethod
    def close(self) -> None:
        ...

    def __enter__(self) -> "Store":
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()


class _UlidTable(Table):
    """Documents keyed by their ULID string rather than TinyDB's integer ids."""

    document_id_class = str


class _UlidTinyDB(TinyDB):
    table_class = _UlidTable


class TinyDBStore(Store):
    """The embedded default: one JSON file, atomically replaced, locked against a second writer."""

    FILE_NAME = "fieldvisit.json"

    def __init__(self, path: Path):
        self.path = Path(path)
        self._db = _UlidTinyDB(self.path, storage=AtomicJSONStorage)

    @classmethod
    def in_directory(cls, directory: Path) -> "TinyDBStore":
        return cls(Path(directory) / cls.FILE_NAME)

    def get(self, table: str, record_id: str) -> Record | None:
        return self._db.table(table).get(doc_id=record_id)

    def all(self, table: str) -> list[Record]:
        return self._db.table(table).all()

    def records(self, table: str) -> Iterable[Record]:
        return (self._db.storage.read() or {}).get(table, {}).values()

    def put(self, records: dict[str, Iterable[Record]], meta: dict[str, Any] | None = None) -> None:
        storage = self._db.storage
        data = dict(storage.read() or {})
        for table, batch in records.items():
            rows = dict(data.get(table, {}))
            for record in batch:
                rows[record["id"]] = record
            data[table] = rows
        if meta:
            meta_table = dict(data.get(META, {}))
            meta_table[META_KEY] = {**meta_table.get(META_KEY, {}), **meta}
            data[META] = meta_table
        storage.write(data)
        for table in (*records, META):
            self._db.table(table).clear_cache()

    def meta(self) -> dict[str, Any]:
        return dict(self._db.table(META).get(doc_id=META_KEY) or {})

    def close(self) -> None:
        self._db.close()


class MemoryStore(Store):
    """A store that lives only in memory: demo generation and tests that need no file."""

    def __init__(self) -> None:
        self.tables: dict[str, dict[str, Record]] = {}

    def get(self, table: str, record_id: str) -> Record | None:
        return self.tables.get(table, {}).get(record_id)

    def all(self, table: str) -> list[Record]:
        return list(self.tables.get(table, {}).values())

    def put(self, records: dict[str, Iterable[Record]], meta: dict[str, Any] | None = None) -> None:
        for table, batch in records.items():
            rows = self.tables.setdefault(table, {})
            for record in batch:
                rows[record["id"]] = record
        if meta:
            meta_rows = self.tables.setdefault(META, {})
            meta_rows[META_KEY] = {**meta_rows.get(META_KEY, {}), **meta}

    def meta(self) -> dict[str, Any]:
        return dict(self.tables.get(META, {}).get(META_KEY, {}))

    def close(self) -> None:
        pass
