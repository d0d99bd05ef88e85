"""The `Store` interface and its embedded default on TinyDB (docs/architecture.md §5).

Everything above this module talks to `Store`: get one record, list or query a table, put a
batch of records (one atomic file write however many records it holds), and read or update the
store's metadata (device identity, clock, counters) in the same write. The PostgreSQL back-end
(`fieldvisit.stores.postgres`) implements the same interface; tests/test_store_conformance.py
holds every back-end to it.
"""

from __future__ import annotations

import os
from abc import ABC, abstractmethod
from pathlib import Path
from typing import Any, Callable, Iterable

from tinydb import TinyDB
from tinydb.table import Table

from fieldvisit.core.errors import FieldVisitError
from fieldvisit.core.records import Record
from fieldvisit.stores.storage import AT_REST, AtomicJSONStorage

VISITS = "visits"
ISSUES = "issues"
DRAFTS = "drafts"
"""Forms being typed (`fieldvisit.editing.drafts`): not records, never in a bundle."""
IMPORTS = "imports"
META = "meta"
META_KEY = "store"


class Store(ABC):
    """A set of record tables plus one metadata document, written in atomic batches."""

    _listeners: tuple[Callable[[dict[str, list[Record]]], None], ...] = ()
    pages_matters: bool = False
    """The store filters, sorts, counts and pages matters itself (a database:
    `PostgresStore.register_page`): the office register asks it rather than holding every row
    (`office.register_db.register_for`)."""
    keeps_facts: bool = False
    """The store keeps each matter's facts beside it and answers a period's and the repeat
    suggestions' questions itself (`PostgresStore.period_facts`, `office.facts_db.facts_for`)."""

    def subscribe(self, listener: Callable[[dict[str, list[Record]]], None]) -> None:
        """Call `listener(written)` after every successful `put`, with the records written by table.

        Whatever writes (an officer's step, an import, a device approval), an index kept beside
        the store, such as the office register, follows it without being told by each caller."""
        self._listeners = (*self._listeners, listener)

    def _written(self, written: dict[str, list[Record]]) -> None:
        for listener in self._listeners:
            listener(written)

    @abstractmethod
    def get(self, table: str, record_id: str) -> Record | None:
        """One record, or None. Treat it as read-only: the editor copies before changing."""

    def get_many(self, table: str, record_ids: Iterable[str]) -> dict[str, Record]:
        """The records of these ids that exist, by id: one query where a store is a server
        (an import looks up a bundle's thousand records at once)."""
        found = {}
        for record_id in record_ids:
            record = self.get(table, record_id)
            if record is not None:
                found[record_id] = record
        return found

    @abstractmethod
    def all(self, table: str) -> list[Record]:
        ...

    def records(self, table: str) -> Iterable[Record]:
        """Every record of a table without copying: for read-only scans of large stores."""
        return self.all(table)

    @abstractmethod
    def put(self, records: dict[str, Iterable[Record]], meta: dict[str, Any] | None = None) -> None:
        """Insert or replace records by id and merge `meta`, all in one atomic write."""

    @abstractmethod
    def meta(self) -> dict[str, Any]:
        ...

    @abstractmethod
    def close(self) -> None:
        ...

    @property
    def locked(self) -> bool:
        """Whether a passphrase must be given before records can be read (`fieldvisit.stores.at_rest`)."""
        return False

    @property
    def location(self) -> str:
        """Where the records are, in words for a message (a file, a database without its
        password); never used to find other files: that is `paths.Home`'s job."""
        return ""

    def state_token(self) -> dict[str, Any] | None:
        """What identifies the records exactly as they are now, for data derived from them and
        kept between runs (the office register's cache): equal tokens, equal contents. None when
        the back-end cannot tell cheaply; derived data is then rebuilt."""
        return None

    def compact(self) -> None:
        """Fold writes kept aside (the JSON store's journal) into the store itself, as closing
        does: data derived from `state_token()` and saved after this stays valid after closing."""

    def sign_as(self, actor: str) -> None:
        """Name who makes the writes from now on (the officer at this PC). A shared store keeps
        the name with each row it writes and gives it to another officer whose change then
        conflicts ("changed by 王敏 just now"); the file stores have one writer and ignore it."""

    def damaged_matters(self) -> dict[str, str]:
        """Matters (id → reference) with a sealed value that does not open: shown without it and
        never written, while the rest of the store works (`fieldvisit.stores.at_rest`)."""
        return {}

    @property
    def cipher(self) -> Any:
        """The at-rest cipher sealing this store's personal data; None when there is none."""
        return None

    def __enter__(self) -> "Store":
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()


def file_token(path: Path) -> dict[str, Any] | None:
    """A JSON store's state, from its file: replaced atomically on every write, so its inode
    changes each time even where file times are coarse. None when there is no file yet."""
    try:
        found = os.stat(path)
    except FileNotFoundError:
        return None
    return {"size": found.st_size, "mtime_ns": found.st_mtime_ns, "inode": found.st_ino}


def json_store_token(path: Path) -> dict[str, Any] | None:
    """A JSON store's state: its file's token and its journal's place and length
    (`fieldvisit.stores.journal`); None when there is no file yet."""
    base = file_token(path)
    if base is None:
        return None
    try:
        found = os.stat(path.with_name(path.name + ".journal"))
    except FileNotFoundError:
        return {**base, "journal": None}
    return {**base, "journal": [found.st_ino, found.st_size]}


class _UlidTable(Table):
    """Documents keyed by their ULID string rather than TinyDB's integer ids."""

    document_id_class = str


class _UlidTinyDB(TinyDB):
    table_class = _UlidTable


class TinyDBStore(Store):
    """The embedded default: one JSON file, atomically replaced, locked against a second writer.

    A store with a passphrase opens locked: its meta can be read, its records only once
    `unlock` was given the cipher (`fieldvisit.stores.at_rest.unlock` derives it from the passphrase).
    """

    FILE_NAME = "fieldvisit.json"

    def __init__(self, path: Path, cipher: Any = None, read_only: bool = False):
        """`read_only`: no lock (it opens while the app writes: every write replaces the file
        whole, so the file read is one moment's), and `put` is refused."""
        self.path = Path(path)
        self.read_only = read_only
        self._db = _UlidTinyDB(self.path, storage=AtomicJSONStorage, cipher=cipher, lock=not read_only)

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
        if self.read_only:
            raise FieldVisitError("journal.read_only_step")
        storage = self._db.storage
        data = dict(storage.read() or {})
        written = {table: list(batch) for table, batch in records.items()}
        for table, batch in written.items():
            rows = dict(data.get(table, {}))
            for record in batch:
                rows[record["id"]] = record
            data[table] = rows
        if meta:
            meta_table = dict(data.get(META, {}))
            meta_table[META_KEY] = {**meta_table.get(META_KEY, {}), **meta}
            data[META] = meta_table
        storage.write(data, changed={table: {record["id"] for record in batch} for table, batch in written.items()})
        for table in (*records, META):
            self._db.table(table).clear_cache()
        self._written(written)

    def meta(self) -> dict[str, Any]:
        if self.locked:
            return dict(self._db.storage.locked_meta())
        return dict(self._db.table(META).get(doc_id=META_KEY) or {})

    # -- a passphrase (fieldvisit.stores.at_rest) ------------------------------------------------

    @property
    def locked(self) -> bool:
        return self._db.storage.locked

    def at_rest_settings(self) -> dict[str, Any] | None:
        """Salt, Argon2id limits and verifier of the store's passphrase; None when it has none."""
        return self._db.storage.settings()

    @property
    def cipher(self) -> Any:
        """The at-rest cipher of an unlocked store with a passphrase (None without one): files
        kept beside the store, such as the roster, are sealed with the same key."""
        return self._db.storage.cipher

    def damaged_matters(self) -> dict[str, str]:
        cipher = self._db.storage.cipher
        return dict(getattr(cipher, "damaged", None) or {})

    def unlock(self, cipher: Any) -> None:
        """Open a locked store with a cipher for its settings (a wrong one: PassphraseError) and
        read it at once, so a damaged sealed value is reported here rather than later."""
        storage = self._db.storage
        settings = storage.settings()
        if settings is None:
            return
        cipher.check(settings)
        storage.cipher = cipher
        try:
            storage.read()
        except BaseException:
            storage.cipher = None
            raise

    def reseal(self, cipher: Any) -> None:
        """Write the whole store again in one atomic write: sealed with `cipher` (setting or
        changing the passphrase) or plain with None (removing it). A crash leaves the old file."""
        storage = self._db.storage
        data = dict(storage.read() or {})
        damaged = self.damaged_matters()
        if damaged:  # sealed afresh or made plain, a damaged matter would lose what it still holds
            raise FieldVisitError("error.fault.damaged_unchangeable", ref=next(iter(damaged.values())))
        meta_table = dict(data.get(META, {}))
        store_meta = {key: value for key, value in meta_table.get(META_KEY, {}).items() if key != AT_REST}
        if cipher is not None:
            store_meta[AT_REST] = cipher.settings
        meta_table[META_KEY] = store_meta
        data[META] = meta_table
        previous, storage.cipher = storage.cipher, cipher
        try:
            storage.write(data)
        except BaseException:
            storage.cipher = previous
            raise
        for table in data:
            self._db.table(table).clear_cache()

    @property
    def location(self) -> str:
        return str(self.path)

    def state_token(self) -> dict[str, Any] | None:
        return json_store_token(self.path)

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
        written = {table: list(batch) for table, batch in records.items()}
        # Every id first, then the change: a bad record leaves the store as it was, as a file write would.
        batches = {table: {record["id"]: record for record in batch} for table, batch in written.items()}
        for table, rows in batches.items():
            self.tables.setdefault(table, {}).update(rows)
        if meta:
            meta_rows = self.tables.setdefault(META, {})
            meta_rows[META_KEY] = {**meta_rows.get(META_KEY, {}), **meta}
        self._written(written)

    def meta(self) -> dict[str, Any]:
        return dict(self.tables.get(META, {}).get(META_KEY, {}))

    def close(self) -> None:
        pass
