"""A store on the same JSON file as `TinyDBStore` that never parses the whole file.

Importing a bundle touches about a thousand records of a store that may hold a hundred thousand.
Loading the whole file into Python objects costs several times its size in memory; this store
keeps the file's raw bytes instead, plus an index of where each table and each record sits in
them. `get` parses one record's slice, `put` writes a new file by splicing: untouched records are
copied as the original byte slices, changed and new ones are serialised with the same codec at
their sorted place. The result is byte-for-byte what `TinyDBStore` writes for the same puts,
because that file is canonical: `orjson.dumps(data, option=OPT_SORT_KEYS)`, compact, keys sorted.

Building the index (`_index`) is exact without tokenising the file in Python:

1. Inside JSON strings a quote is always escaped, so after removing escaped quotes (and escaped
   backslashes) the quotes alternate open/close. Deleting every byte except quotes and braces
   (`bytes.translate`) and then every adjacent pair of quotes keeps each brace's quote parity;
   if no quote is left, no string holds a brace and every brace is structure. Otherwise the few
   braces inside strings are listed and left out.
2. One compiled regex finds every `"<ULID>":{` that follows `{` or `,`; such a match can only be a
   real key with an object value (a quote inside a string follows a backslash, and a closing
   quote is never followed by a ULID character). Its nesting depth is the count of structural braces before it
   (`bytes.count` between consecutive matches): depth 2 means a record of a table.
3. The top level is then walked: table keys, and in each table the records in order. A record's
   end is taken from the next depth-2 key when that follows `},`, and otherwise (last record of
   a table, keys that are not ULIDs such as the meta table's "store") found by a small
   string-aware scan of just that record. Every end taken from the next key is verified at once
   on the structural braces: each record's braces must form one balanced group (removing `{}`
   pairs until none is left); a record that fails is walked again with the scan.

Scanning 281 MB takes seconds, so the writer keeps the index beside the file
(`fieldvisit.stores.span_index`, checked against the file's bytes on every open) and an open
maps the file (POSIX) instead of reading it: a cold open reads the index, not the store.

Anything unexpected (whitespace, unsorted keys, a table that is not an object) makes the store
parse the file once and continue from its canonical form, as TinyDB would after its first write;
a file that does not parse is reported as `StoreCorruptError` and left untouched. Damage inside a
record that leaves the structure intact shows up when that record is read.
"""

from __future__ import annotations

import mmap
import os
import re
import threading
import time
from array import array
from bisect import bisect_left
from pathlib import Path
from typing import Any, Iterable

import orjson

from fieldvisit.stores import journal, span_index
from fieldvisit.stores import storage as _storage
from fieldvisit.core.errors import FieldVisitError, StoreCorruptError
from fieldvisit.core.records import Record
from fieldvisit.stores.store import META, META_KEY, Store, TinyDBStore, file_token, json_store_token

_OPTION = orjson.OPT_SORT_KEYS
_ULID_CHAR = rb"[0-9A-HJKMNP-TV-Z]"
# `":{` preceded by `{"` or `,"` and 26 ULID characters: searched by its literal start, so fast.
_ULID_KEY = re.compile(rb'":\{(?<=[{,]"' + _ULID_CHAR + rb'{26}":\{)')
_ULID_KEY_BEFORE = 27  # the key's opening quote is this far before the match
_ULID_VALUE_AFTER = 29  # and its value's `{` this far after the opening quote
_KEY = re.compile(rb'"[^"\\]*(?:\\.[^"\\]*)*":')
_BRACE_TOKEN = re.compile(rb'"[^"\\]*(?:\\.[^"\\]*)*"|[{}]|"')
_ALL_BUT_QUOTES_BRACES_BACKSLASH = bytes(b for b in range(256) if b not in b'"{}\\')
_ALL_BUT_QUOTES_BRACES = bytes(b for b in range(256) if b not in b'"{}')
_CHUNK = 1 << 24
_CACHED_RECORDS = 8192  # parsed records kept for repeated `get`s; the file itself stays bytes
_OPEN, _CLOSE, _COMMA = ord("{"), ord("}"), ord(",")


class _NotCanonical(Exception):
    """The file is not in the canonical layout the index relies on (not necessarily broken)."""


class _Table:
    """Where one table sits in the raw bytes; record offsets are relative to the table's `{`."""

    __slots__ = ("name", "start", "value", "end", "ids", "starts", "values", "ends")

    def __init__(self, name: str, start: int, value: int, end: int, ids: list[str], starts: array, values: array, ends: array):
        self.name = name
        self.start = start  # the table key's opening quote
        self.value = value  # the table's `{`
        self.end = end  # just past the table's `}`
        self.ids = ids  # record ids, sorted
        self.starts = starts  # each record's key quote
        self.values = values  # each record's `{`
        self.ends = ends  # just past each record's `}`

    def find(self, record_id: str) -> int:
        i = bisect_left(self.ids, record_id)
        return i if i < len(self.ids) and self.ids[i] == record_id else -1

    def shifted(self, delta: int) -> "_Table":
        return _Table(self.name, self.start + delta, self.value + delta, self.end + delta, self.ids, self.starts, self.values, self.ends)


class SplicingJSONStore(Store):
    """`Store` on a `TinyDBStore` file: an index over the raw bytes, steps appended to a journal
    (`fieldvisit.stores.journal`), the file rewritten by splicing only when the journal is compacted.

    Opened `read_only`, it takes no lock: it reads the file and the journal's complete lines as
    they were at one moment, refuses `put`, and `refresh()` takes in what the writer appended since."""

    FILE_NAME = TinyDBStore.FILE_NAME
    compact_bytes = journal.COMPACT_BYTES

    def __init__(self, path: Path, deferred: bool = False, read_only: bool = False):
        """`deferred`: take the lock now but read the file only when first needed, or in the
        background from `load_in_background()`: the office app shows its register from the
        register cache first and lets the store catch up. `read_only`: no lock, no writes."""
        self.path = Path(path)
        self.read_only = read_only
        self.journal_path = journal.path_of(self.path)
        self._guard = threading.RLock()  # the app reads on its thread while imports write on theirs
        self._compacting = threading.Lock()  # one compaction at a time
        self._compactor: threading.Thread | None = None
        self.compact_error: BaseException | None = None  # the last background compaction's failure
        self._loader: threading.Thread | None = None
        self._load_error: BaseException | None = None
        self._loaded = False
        self._appender: Any = None  # the journal, open for appending (the writer only)
        self._lock = None if read_only else _storage.open_store_file(self.path)
        try:
            if not deferred:
                self._ready()
        except BaseException:
            self.close()
            raise

    def load_in_background(self) -> None:
        """Start reading and indexing the file in a thread; the first access waits for it."""
        with self._guard:
            if not self._loaded and self._loader is None:
                self._loader = threading.Thread(target=self._load_in_thread, name="fieldvisit-store-load", daemon=True)
                self._loader.start()

    def _load_in_thread(self) -> None:
        try:
            self._load()
        except BaseException as error:  # handed to the thread that next touches the store
            self._load_error = error
        else:
            self._loaded = True  # set last: whoever sees it sees everything `_load` set

    def _ready(self) -> None:
        """Loaded, whichever way: wait for the background load, or load now (once, whichever
        thread asks first)."""
        if self._loaded:
            return
        with self._guard:
            if self._loaded:
                return
            if self._loader is not None:
                self._loader.join()
                self._loader = None
                if self._load_error is not None:
                    raise self._load_error
            else:
                self._load()
            self._loaded = True

    @classmethod
    def in_directory(cls, directory: Path) -> "SplicingJSONStore":
        return cls(Path(directory) / cls.FILE_NAME)

    @property
    def location(self) -> str:
        return str(self.path)

    def state_token(self) -> dict[str, Any] | None:
        """The file's token and how far into which journal the records go: equal for the
        writer and a reader that has followed it to the same line."""
        if not self._loaded:
            return json_store_token(self.path)
        with self._guard:
            if self._base_token is None or not self._token_exact:
                return None
            return {**self._base_token, "journal": None if self._journal_inode is None else [self._journal_inode, self._journal_size]}

    # -- reading --------------------------------------------------------------------------

    def get(self, table: str, record_id: str) -> Record | None:
        self._ready()
        record_id = str(record_id)
        with self._guard:
            cached = self._cache.get((table, record_id))
            if cached is None:
                body = self._overlay.get(table, {}).get(record_id)
                if body is not None:
                    cached = orjson.loads(body)
                else:
                    index = self._tables.get(table)
                    i = index.find(record_id) if index else -1
                    if i < 0:
                        return None
                    cached = self._parse(index.value + index.values[i], index.value + index.ends[i])
                if len(self._cache) >= _CACHED_RECORDS:
                    del self._cache[next(iter(self._cache))]  # the oldest: an import reads each record a few times in a row
                self._cache[(table, record_id)] = cached
        return dict(cached)  # like TinyDB's Document: a shallow copy

    def all(self, table: str) -> list[Record]:
        self._ready()
        with self._guard:
            index, overlay = self._tables.get(table), self._overlay.get(table, {})
            rows = self._parse(index.value, index.end) if index is not None else {}
            if not overlay:
                return list(rows.values())
            added = False
            for record_id, body in overlay.items():
                added = added or record_id not in rows
                rows[record_id] = orjson.loads(body)
            return [rows[record_id] for record_id in sorted(rows)] if added else list(rows.values())

    def records(self, table: str) -> Iterable[Record]:
        """Each record parsed from its own slice as the caller gets to it: a scan of a large
        table never holds more than one parsed record (and keeps none in the cache)."""
        self._ready()
        with self._guard:  # the file as it is now; a write meanwhile makes a new one
            index, view, overlay = self._tables.get(table), self._view, dict(self._overlay.get(table, {}))
        added = sorted(record_id for record_id in overlay if index is None or index.find(record_id) < 0)
        waiting = 0
        if index is not None:
            base = index.value
            for record_id, start, end in zip(index.ids, index.values, index.ends):
                while waiting < len(added) and added[waiting] < record_id:
                    yield orjson.loads(overlay[added[waiting]])
                    waiting += 1
                body = overlay.get(record_id)
                yield orjson.loads(body) if body is not None else self._parse(base + start, base + end, view)
        for record_id in added[waiting:]:
            yield orjson.loads(overlay[record_id])

    def meta(self) -> dict[str, Any]:
        return dict(self.get(META, META_KEY) or {})

    def record_count(self, table: str) -> int:
        """How many records a table holds, without parsing any of them."""
        self._ready()
        with self._guard:
            index = self._tables.get(table)
            added = sum(1 for record_id in self._overlay.get(table, {}) if index is None or index.find(record_id) < 0)
            return (len(index.ids) if index else 0) + added

    # -- writing --------------------------------------------------------------------------

    def put(self, records: dict[str, Iterable[Record]], meta: dict[str, Any] | None = None) -> None:
        """One journal line, fsync'd: durable in milliseconds whatever the store's size."""
        if self.read_only:
            raise FieldVisitError("journal.read_only_step")
        self._ready()
        written = {table: list(batch) for table, batch in records.items()}
        changes: dict[str, dict[str, Record]] = {}
        for table, batch in written.items():
            rows = changes.setdefault(table, {})
            for record in batch:
                rows[record["id"]] = record
        with self._guard:  # one writer at a time, and no reader between the journal and the records
            if meta:
                rows = changes.setdefault(META, {})
                current = rows[META_KEY] if META_KEY in rows else self.get(META, META_KEY) or {}
                rows[META_KEY] = {**current, **meta}
            bodies: dict[str, dict[str, bytes]] = {}
            for table, rows in changes.items():
                _key(table)
                for record_id in rows:
                    _key(record_id)  # a key orjson refuses fails here, before anything is written
                bodies[table] = {record_id: orjson.dumps(record, option=_OPTION) for record_id, record in rows.items()}
            at = int(time.time() * 1000)
            self._append(journal.line(self._seq + 1, at, bodies), at)
            for table, rows in bodies.items():
                self._overlay.setdefault(table, {}).update(rows)
                for record_id in rows:
                    self._cache.pop((table, record_id), None)
            grown = self._journal_size - self._journal_floor >= self.compact_bytes
        self._written(written)  # outside the guard: a listener may wait for another thread
        if grown:
            self.compact_in_background()

    def compact(self) -> None:
        """Write the store file with every batch of the journal in it (spliced, atomically) and
        restart the journal. Steps go on meanwhile: they are appended and kept in the new journal."""
        if self.read_only:
            return
        self._ready()
        with self._compacting:
            with self._guard:
                snapshot = {table: dict(rows) for table, rows in self._overlay.items() if rows or table not in self._tables}
                compacted, in_file = self._journal_size, self._seq
            if not snapshot and (self._base_token is not None or self._seq == 0):
                return  # nothing the file lacks
            payload, tables = self._splice({table: {record_id: (_key(record_id), body) for record_id, body in rows.items()} for table, rows in snapshot.items()})
            _storage.write_atomically(self.path, payload)
            token = file_token(self.path)
            if token is not None:
                span_index.save(self.path, token, tables.values())  # the next open reads the spans, not the file
            raw = self._mapped_again(payload)
            del payload
            with self._guard:
                self._raw, self._view, self._tables = raw, memoryview(raw), tables
                self._base_token = token
                for table, rows in snapshot.items():
                    live = self._overlay.get(table, {})
                    for record_id, body in rows.items():
                        if live.get(record_id) is body:  # not written again since the snapshot
                            del live[record_id]
                    if not live:
                        self._overlay.pop(table, None)
                self._cache.clear()
                self._restart_journal(compacted, in_file)

    def compact_in_background(self) -> None:
        """Compact in a thread, unless one is compacting already."""
        with self._guard:
            if self._compactor is not None and self._compactor.is_alive():
                return
            self._compactor = threading.Thread(target=self._compact_quietly, name="fieldvisit-store-compact", daemon=True)
            self._compactor.start()

    def _compact_quietly(self) -> None:
        try:
            self.compact()
        except (OSError, FieldVisitError) as error:  # the journal still holds every batch; the next compaction retries
            self.compact_error = error
        else:
            self.compact_error = None

    def refresh(self) -> dict[str, list[Record]]:
        """Read-only: take in the batches the writer appended since the last look, tell the
        listeners and return them (table → records). After a compaction whose new journal does
        not reach back far enough, everything is read again and every record is returned."""
        if not self.read_only or not self._loaded:
            return {}
        with self._guard:
            changed = self._take_in()
        if changed:
            self._written(changed)
        return changed

    def close(self) -> None:
        loader = getattr(self, "_loader", None)
        if loader is not None:
            loader.join()  # never release the lock under a thread still reading the file
        compactor = getattr(self, "_compactor", None)
        if compactor is not None:
            compactor.join()
        if getattr(self, "_loaded", False) and not self.read_only and self._lock is not None:
            try:
                self.compact()
            except (OSError, FieldVisitError) as error:  # every batch is still in the journal: the next opening has it
                self.compact_error = error
        with getattr(self, "_guard", threading.RLock()):
            appender, self._appender = getattr(self, "_appender", None), None
            if appender is not None:
                appender.close()
            lock, self._lock = getattr(self, "_lock", None), None
            if lock is not None:
                lock.release()
            self._raw, self._view, self._tables, self._cache, self._overlay = b"", memoryview(b""), {}, {}, {}

    # -- internals ------------------------------------------------------------------------

    def _load(self) -> None:
        self._cache: dict[tuple[str, str], Record] = {}
        raw, base_token, journal_raw, journal_inode = self._read_files()
        kept = span_index.load(self.path, base_token, raw) if base_token is not None else None
        if kept is not None:
            tables = {table[0]: _Table(*table) for table in kept}
        else:
            raw, tables = self._indexed(raw, base_token)
        batches, length = journal.parse(journal_raw, self.journal_path)
        if length < len(journal_raw) and not self.read_only:  # a line torn by a crash: its put never returned
            with open(self.journal_path, "r+b") as handle:
                handle.truncate(length)
                handle.flush()
                os.fsync(handle.fileno())
        overlay: dict[str, dict[str, bytes]] = {}
        in_file = batches[0].in_file if batches and batches[0].in_file is not None else 0
        journal.apply(overlay, [batch for batch in batches if batch.seq > in_file])  # the lines kept for readers are in the file already
        self._raw, self._view, self._tables = raw, memoryview(raw), tables
        self._overlay = overlay
        self._base_token, self._token_exact, self._base_moved = base_token, True, False
        self._seen_base = base_token  # the file as last seen by `refresh`
        self._journal_inode, self._journal_size, self._journal_floor = journal_inode, length, 0
        self._seq = batches[-1].seq if batches else 0
        self._marks = [(batch.start, batch.seq, batch.at) for batch in batches if batch.tables]

    def _indexed(self, raw: Any, base_token: dict[str, Any] | None) -> tuple[Any, dict[str, _Table]]:
        """The file's index by scanning its bytes (and kept beside it, by the writer); a file not
        in the canonical layout is parsed and its canonical form indexed instead."""
        scanned = raw if isinstance(raw, bytes) else raw[:]  # the scans need bytes; the mapping stays the view
        try:
            tables = _index(scanned)
        except _NotCanonical:
            data = _storage.parse_json_bytes(scanned, self.path)  # StoreCorruptError when it is not JSON
            del scanned
            raw = orjson.dumps(data or {}, option=_OPTION)  # what TinyDB would write back
            del data
            try:
                return raw, _index(raw)
            except _NotCanonical as error:
                raise StoreCorruptError(path=str(self.path), reason=str(error) or "not a store") from None
        if not self.read_only and base_token is not None:
            span_index.save(self.path, base_token, tables.values())
        return raw, tables

    def _mapped_again(self, payload: bytes) -> Any:
        """The file just written, mapped instead of held (the app keeps it for hours)."""
        if not _MAPS:
            return payload
        try:
            with open(self.path, "rb") as handle:
                mapped = _mapped(handle)
        except OSError:
            return payload
        return mapped if len(mapped) == len(payload) else payload

    def _read_files(self) -> tuple[Any, dict[str, Any] | None, bytes, int | None]:
        """The store file and its journal as they were at one moment: the journal is opened
        first and must still be the one in place after the file was read (a compaction that
        restarted it between the two would pair a new file with a journal it already holds, or
        an old file with a journal missing what it held)."""
        for _ in range(50):
            try:
                handle = open(self.journal_path, "rb")  # noqa: SIM115 - opened first, read last
            except FileNotFoundError:
                handle = None
            try:
                try:
                    with open(self.path, "rb") as base:
                        found = os.fstat(base.fileno())
                        raw = _mapped(base)
                    base_token = {"size": found.st_size, "mtime_ns": found.st_mtime_ns, "inode": found.st_ino}
                except FileNotFoundError:
                    raw, base_token = b"", None
                journal_raw = handle.read() if handle is not None else b""
                inode = os.fstat(handle.fileno()).st_ino if handle is not None else None
            finally:
                if handle is not None:
                    handle.close()
            if self._journal_inode_now() == inode:
                return raw, base_token, journal_raw, inode
        raise StoreCorruptError(path=str(self.path), reason="the journal kept changing while it was read")

    def _journal_inode_now(self) -> int | None:
        try:
            return os.stat(self.journal_path).st_ino
        except FileNotFoundError:
            return None

    def _append(self, text: bytes, at: int) -> None:
        """`text` at the journal's end, on disk when this returns; the journal is made (with
        its header, and its folder entry fsync'd) on the first step."""
        if self._appender is None:
            self._open_appender()
        start = self._journal_size
        try:
            self._appender.write(text)
            self._appender.flush()
            os.fsync(self._appender.fileno())
        except OSError as error:
            try:  # a part of the line may be there: cut it, so the next line starts clean
                os.ftruncate(self._appender.fileno(), start)
            except OSError:
                pass
            raise _storage.naming(error, self.journal_path) from None
        self._seq += 1
        self._journal_size = start + len(text)
        self._marks.append((start, self._seq, at))

    def _open_appender(self) -> None:
        handle = open(self.journal_path, "ab")  # noqa: SIM115 - kept open for the next steps
        try:
            if self._journal_size == 0:
                handle.write(journal.header(self._seq, int(time.time() * 1000), self._seq))
                handle.flush()
                os.fsync(handle.fileno())
                _storage.fsync_directory(self.path.parent)
                self._journal_size = handle.tell()
            self._journal_inode = os.fstat(handle.fileno()).st_ino
        except OSError as error:
            handle.close()
            if self._journal_size == 0:  # a journal this step would have begun: nothing of it is left
                self.journal_path.unlink(missing_ok=True)
            raise _storage.naming(error, self.journal_path) from None
        self._appender = handle

    def _restart_journal(self, compacted: int, in_file: int) -> None:
        """After a compaction up to byte `compacted`: a new journal with a header and the lines
        written since, and those of the last few seconds (for readers following it)."""
        cutoff = int((time.time() - journal.RETAIN_SECONDS) * 1000)
        first = next((i for i, (start, _, at) in enumerate(self._marks) if start >= compacted or at >= cutoff), len(self._marks))
        kept = self._marks[first:]  # a run to the end: replaying it over the new file is exact
        keep_from = kept[0][0] if kept else self._journal_size
        first_seq = kept[0][1] if kept else self._seq + 1
        with open(self.journal_path, "rb") as handle:
            handle.seek(keep_from)
            tail = handle.read(self._journal_size - keep_from)
        head = journal.header(first_seq - 1, int(time.time() * 1000), in_file)
        if self._appender is not None:
            self._appender.close()
            self._appender = None
        _storage.write_atomically(self.journal_path, head + tail)
        shift = len(head) - keep_from
        self._marks = [(start + shift, seq, at) for start, seq, at in kept]
        self._journal_size = self._journal_floor = len(head) + len(tail)
        self._open_appender()

    def _take_in(self) -> dict[str, list[Record]]:
        """What `refresh` reads: new lines of the same journal, the lines of a restarted one
        that this store has not seen, or the whole store again."""
        try:
            found = os.stat(self.journal_path)
        except FileNotFoundError:
            found = None
        if found is not None and found.st_ino == self._journal_inode:
            if found.st_size > self._journal_size:
                with open(self.journal_path, "rb") as handle:
                    handle.seek(self._journal_size)
                    raw = handle.read()
                batches, length = journal.parse(raw, self.journal_path)
                self._journal_size += length
                self._base_moved = False
                return self._take([batch for batch in batches if batch.seq > self._seq])
            if file_token(self.path) == self._seen_base:
                self._base_moved = False
                return {}
            if not self._base_moved:  # perhaps a compaction between its two renames: look again
                self._base_moved = True
                return {}
            return self._reload()  # the file was rewritten without this journal (`TinyDBStore`)
        if found is None:
            return {} if file_token(self.path) == self._seen_base else self._reload()
        with open(self.journal_path, "rb") as handle:
            inode = os.fstat(handle.fileno()).st_ino
            raw = handle.read()
        batches, length = journal.parse(raw, self.journal_path)
        if not batches or batches[0].seq > self._seq:
            return self._reload()  # the new journal starts after what this store has seen
        self._journal_inode, self._journal_size = inode, length
        self._seen_base, self._base_moved = file_token(self.path), False  # compacted before the journal restarted
        self._token_exact = False  # the old file and a new journal: no state the writer had
        return self._take([batch for batch in batches if batch.seq > self._seq])

    def _take(self, batches: list[journal.Batch]) -> dict[str, list[Record]]:
        changed: dict[str, dict[str, bytes]] = {}
        journal.apply(changed, batches)
        journal.apply(self._overlay, batches)
        if batches:
            self._seq = batches[-1].seq
        for table, rows in changed.items():
            for record_id in rows:
                self._cache.pop((table, record_id), None)
        return {table: [orjson.loads(body) for body in rows.values()] for table, rows in changed.items() if table != META}

    def _reload(self) -> dict[str, list[Record]]:
        self._load()
        return {table: list(self.records(table)) for table in self._tables.keys() | self._overlay.keys() if table != META}

    def _parse(self, start: int, end: int, view: memoryview | None = None) -> Any:
        """One slice of the file parsed; `view`: the file as it was when a scan began."""
        try:
            return orjson.loads((self._view if view is None else view)[start:end])
        except orjson.JSONDecodeError as error:
            raise StoreCorruptError(path=str(self.path), reason=str(error)) from None

    def _splice(self, encoded: dict[str, dict[str, tuple[bytes, bytes]]]) -> tuple[bytes, dict[str, _Table]]:
        """The new file: the old bytes with the `encoded` records (id → key and value bytes)
        spliced in at their sorted places; and the index of the new bytes."""
        view = self._view
        pieces: list[Any] = [b"{"]
        size = 1  # bytes in `pieces` so far
        tables: dict[str, _Table] = {}
        for number, name in enumerate(sorted(self._tables.keys() | encoded.keys())):
            if number:
                pieces.append(b",")
                size += 1
            old, rows = self._tables.get(name), encoded.get(name)
            if rows is None:  # an untouched table: one slice
                pieces.append(view[old.start : old.end])
                tables[name] = old.shifted(size - old.start)
                size += old.end - old.start
                continue
            head = _key(name) + b":{"
            start, value = size, size + len(head) - 1
            pieces.append(head)
            size += len(head)
            ids: list[str] = []
            starts, values, ends = array("q"), array("q"), array("q")
            old_ids = old.ids if old else []

            def separate() -> None:
                nonlocal size
                if ids:
                    pieces.append(b",")
                    size += 1

            def keep(first: int, stop: int) -> None:
                """Old records first..stop-1 as they are: one slice, offsets moved."""
                nonlocal size, ids, starts, values, ends
                if first >= stop:
                    return
                separate()
                pieces.append(view[old.value + old.starts[first] : old.value + old.ends[stop - 1]])
                shift = size - value - old.starts[first]
                ids += old_ids[first:stop]
                starts += array("q", [offset + shift for offset in old.starts[first:stop]])
                values += array("q", [offset + shift for offset in old.values[first:stop]])
                ends += array("q", [offset + shift for offset in old.ends[first:stop]])
                size += old.ends[stop - 1] - old.starts[first]

            done = 0  # old records before this index are emitted or replaced
            for record_id in sorted(rows):
                key, body = rows[record_id]
                i = bisect_left(old_ids, record_id, done)
                keep(done, i)
                separate()
                ids.append(record_id)
                starts.append(size - value)
                values.append(size - value + len(key) + 1)
                pieces += (key, b":", body)
                size += len(key) + 1 + len(body)
                ends.append(size - value)
                done = i + 1 if i < len(old_ids) and old_ids[i] == record_id else i
            keep(done, len(old_ids))
            pieces.append(b"}")
            size += 1
            tables[name] = _Table(name, start, value, size, ids, starts, values, ends)
        pieces.append(b"}")
        payload = b"".join(pieces)
        pieces.clear()  # the slices of the old file are not needed past this point
        if len(payload) != size + 1:
            raise AssertionError("splice size mismatch")
        return payload, tables


_MAPS = os.name == "posix"
"""Map the store file rather than read it: an open costs no copy of 281 MB, and memory holds only
the pages records are read from. POSIX only: there a file replaced by a compaction's rename stays
mapped, whole, until let go (Windows refuses to replace a mapped file)."""


def _mapped(handle: Any) -> Any:
    """The bytes of the open file `handle`: mapped (read-only) where `_MAPS`, else read."""
    if not _MAPS:
        return handle.read()
    if os.fstat(handle.fileno()).st_size == 0:
        return b""
    return mmap.mmap(handle.fileno(), 0, access=mmap.ACCESS_READ)


def _key(text: str) -> bytes:
    """A dict key as orjson writes it; anything but a str fails as it does in orjson.dumps."""
    if not isinstance(text, str):
        orjson.dumps({text: None})  # raises JSONEncodeError: Dict key must be str
        raise TypeError("Dict key must be str")
    return orjson.dumps(text)


# -- the index ----------------------------------------------------------------------------------


def _index(raw: bytes) -> dict[str, _Table]:
    """Every table and record of a canonical store file, by one pass of C-level scans."""
    if not raw.strip():
        return {}
    structure, inside_open, inside_close = _structural_braces(raw)
    keys, ordinals = _depth_two_keys(raw, inside_open, inside_close)
    forced: set[int] = set()
    while True:
        claims: list[tuple[int, int, int]] = []
        try:
            tables, failure = _walk(raw, keys, ordinals, forced, claims), None
        except _NotCanonical as error:  # perhaps only because a record's end was guessed wrong
            failure = error
        wrong = _unbalanced(structure, claims)
        if not wrong:
            if failure is not None:
                raise failure
            return tables
        forced.update(wrong)  # records whose end was guessed wrong: scan them instead


def _structural_braces(raw: bytes) -> tuple[bytes, list[int], list[int]]:
    """The structural braces in order, and the `{` and `}` ordinals of braces inside strings."""
    skeleton = raw.translate(None, _ALL_BUT_QUOTES_BRACES_BACKSLASH)
    if b"\\" in skeleton:  # escapes: drop escaped backslashes, then escaped quotes, chunk by chunk
        parts, start = [], 0
        while start < len(raw):
            end = min(start + _CHUNK, len(raw))
            while end < len(raw) and raw[end - 1] == 0x5C:  # never cut an escape in two
                end += 1
            chunk = raw[start:end].replace(b"\\\\", b"").replace(b'\\"', b"")
            parts.append(chunk.translate(None, _ALL_BUT_QUOTES_BRACES))
            start = end
        skeleton = b"".join(parts)
    reduced = skeleton.replace(b'""', b"")  # keeps every brace's quote parity
    del skeleton
    if b'"' not in reduced:
        return reduced, [], []
    pieces = reduced.split(b'"')
    if len(pieces) % 2 == 0:
        raise _NotCanonical("a string is not terminated")
    inside_open: list[int] = []
    inside_close: list[int] = []
    opens = closes = 0
    for number, piece in enumerate(pieces):
        if number % 2:
            for brace in piece:
                if brace == _OPEN:
                    inside_open.append(opens)
                    opens += 1
                else:
                    inside_close.append(closes)
                    closes += 1
        else:
            opens += piece.count(b"{")
            closes += len(piece) - piece.count(b"{")
    return b"".join(pieces[0::2]), inside_open, inside_close


def _depth_two_keys(raw: bytes, inside_open: list[int], inside_close: list[int]) -> tuple[list[int], list[int]]:
    """Positions of the `"<ULID>":{` keys at depth 2 (records of a table), and the structural
    ordinal of each one's value `{`."""
    positions: list[int] = []
    ordinals: list[int] = []
    count = raw.count
    opens = closes = previous = 0
    for match in _ULID_KEY.finditer(raw):
        quote = match.start() - _ULID_KEY_BEFORE
        opens += count(b"{", previous, quote)
        closes += count(b"}", previous, quote)
        previous = quote
        structural_opens, structural_closes = opens, closes
        if inside_open or inside_close:
            structural_opens -= bisect_left(inside_open, opens)
            structural_closes -= bisect_left(inside_close, closes)
        if structural_opens - structural_closes == 2:
            positions.append(quote)
            ordinals.append(structural_opens + structural_closes)
    return positions, ordinals


def _walk(raw: bytes, keys: list[int], ordinals: list[int], forced: set[int], claims: list[tuple[int, int, int]]) -> dict[str, _Table]:
    """Tables and records from the top. Record ends guessed from the next key are added to
    `claims` for checking: (record start, ordinal of its `{`, ordinal of the `}` claimed to close it)."""
    if raw[:1] != b"{":
        raise _NotCanonical("top level is not an object")
    tables: dict[str, _Table] = {}
    size = len(raw)
    pos, ptr, last_name = 1, 0, None
    if raw[pos : pos + 1] == b"}":
        pos += 1
    else:
        while True:
            match = _KEY.match(raw, pos)
            if match is None:
                raise _NotCanonical("bad table key")
            name = _decode_key(raw, pos, match.end())
            if last_name is not None and not last_name < name:
                raise _NotCanonical("tables out of order")
            last_name = name
            value = match.end()
            if raw[value : value + 1] != b"{":
                raise _NotCanonical(f"table {name!r} is not an object")
            ids: list[str] = []
            starts, values, ends = array("q"), array("q"), array("q")
            p = value + 1
            ptr = bisect_left(keys, p, ptr)
            while raw[p : p + 1] != b"}":
                if ptr < len(keys) and keys[ptr] == p and p not in forced:
                    record_id = raw[p + 1 : p + _ULID_KEY_BEFORE].decode("ascii")
                    start = p + _ULID_VALUE_AFTER
                    following = keys[ptr + 1] if ptr + 1 < len(keys) else size
                    if following < size and raw[following - 1] == _COMMA and raw[following - 2] == _CLOSE:
                        end = following - 1
                        claims.append((p, ordinals[ptr], ordinals[ptr + 1] - 1))
                    else:
                        end = _object_end(raw, start)
                else:
                    match = _KEY.match(raw, p)
                    if match is None:
                        raise _NotCanonical(f"bad key in table {name!r}")
                    record_id = _decode_key(raw, p, match.end())
                    start = match.end()
                    if raw[start : start + 1] != b"{":
                        raise _NotCanonical(f"a record of table {name!r} is not an object")
                    end = _object_end(raw, start)
                if ids and not ids[-1] < record_id:
                    raise _NotCanonical(f"records of table {name!r} out of order")
                ids.append(record_id)
                starts.append(p - value)
                values.append(start - value)
                ends.append(end - value)
                ptr = bisect_left(keys, end, ptr)
                if raw[end : end + 1] == b",":
                    p = end + 1
                elif raw[end : end + 1] != b"}":
                    raise _NotCanonical(f"bad separator in table {name!r}")
                else:
                    p = end
            tables[name] = _Table(name, pos, value, p + 1, ids, starts, values, ends)
            pos = p + 1
            separator = raw[pos : pos + 1]
            if separator == b",":
                pos += 1
            elif separator == b"}":
                pos += 1
                break
            else:
                raise _NotCanonical("bad separator between tables")
    if raw[pos:].strip():
        raise _NotCanonical("data after the top-level object")
    return tables


def _decode_key(raw: bytes, start: int, end: int) -> str:
    """The key whose quoted text is raw[start:end-1] (end is just past its colon)."""
    try:
        return orjson.loads(raw[start : end - 1])
    except orjson.JSONDecodeError:
        raise _NotCanonical("bad key") from None


def _object_end(raw: bytes, start: int) -> int:
    """Just past the `}` that closes the object whose `{` is at `start`: a string-aware scan."""
    depth = 0
    for token in _BRACE_TOKEN.finditer(raw, start):
        first = raw[token.start()]
        if first == _OPEN:
            depth += 1
        elif first == _CLOSE:
            depth -= 1
            if depth == 0:
                return token.end()
        elif token.end() - token.start() == 1:
            break  # a lone quote: an unterminated string
    raise _NotCanonical("an object is not closed")


def _unbalanced(structure: bytes, claims: list[tuple[int, int, int]]) -> list[int]:
    """The claimed records whose braces do not form exactly one group (normally none)."""
    if not claims:
        return []
    if _balanced(b"|".join([structure[first + 1 : last] for _, first, last in claims])) and all(
        structure[first] == _OPEN and structure[last] == _CLOSE for _, first, last in claims
    ):
        return []
    return [start for start, first, last in claims if not (structure[first] == _OPEN and structure[last] == _CLOSE and _balanced(structure[first + 1 : last]))]


def _balanced(braces: bytes) -> bool:
    """Whether every `|`-separated part is a balanced sequence of braces."""
    while True:
        shorter = braces.replace(b"{}", b"")
        if len(shorter) == len(braces):
            return b"{" not in shorter and b"}" not in shorter
        braces = shorter
