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

Anything unexpected (whitespace, unsorted keys, a table that is not an object) makes the store
parse the file once and continue from its canonical form, as TinyDB would after its first write;
a file that does not parse is reported as `StoreCorruptError` and left untouched. Damage inside a
record that leaves the structure intact shows up when that record is read.
"""

from __future__ import annotations

import re
import threading
from array import array
from bisect import bisect_left
from pathlib import Path
from typing import Any, Iterable

import orjson

from fieldvisit.stores import storage as _storage
from fieldvisit.core.errors import StoreCorruptError
from fieldvisit.core.records import Record
from fieldvisit.stores.store import META, META_KEY, Store, TinyDBStore, file_token

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
    """`Store` on a `TinyDBStore` file: an index over the raw bytes, writes spliced, same bytes out."""

    FILE_NAME = TinyDBStore.FILE_NAME

    def __init__(self, path: Path, deferred: bool = False):
        """`deferred`: take the lock now but read the file only when first needed, or in the
        background from `load_in_background()`: the office app shows its register from the
        register cache first and lets the store catch up."""
        self.path = Path(path)
        self._lock = _storage.open_store_file(self.path)
        self._guard = threading.RLock()  # the app reads on its thread while imports write on theirs
        self._loader: threading.Thread | None = None
        self._load_error: BaseException | None = None
        self._loaded = False
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
        return file_token(self.path)

    # -- reading --------------------------------------------------------------------------

    def get(self, table: str, record_id: str) -> Record | None:
        self._ready()
        record_id = str(record_id)
        with self._guard:
            cached = self._cache.get((table, record_id))
            if cached is None:
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
            index = self._tables.get(table)
            if index is None:
                return []
            return list(self._parse(index.value, index.end).values())

    def records(self, table: str) -> Iterable[Record]:
        """Each record parsed from its own slice as the caller gets to it: a scan of a large
        table never holds more than one parsed record (and keeps none in the cache)."""
        self._ready()
        with self._guard:  # the file as it is now; a write meanwhile makes a new one
            index, view = self._tables.get(table), self._view
        if index is None:
            return
        base = index.value
        for start, end in zip(index.values, index.ends):
            yield self._parse(base + start, base + end, view)

    def meta(self) -> dict[str, Any]:
        return dict(self.get(META, META_KEY) or {})

    def record_count(self, table: str) -> int:
        """How many records a table holds, without parsing any of them."""
        self._ready()
        index = self._tables.get(table)
        return len(index.ids) if index else 0

    # -- writing --------------------------------------------------------------------------

    def put(self, records: dict[str, Iterable[Record]], meta: dict[str, Any] | None = None) -> None:
        self._ready()
        written = {table: list(batch) for table, batch in records.items()}
        changes: dict[str, dict[str, Record]] = {}
        for table, batch in written.items():
            rows = changes.setdefault(table, {})
            for record in batch:
                rows[record["id"]] = record
        with self._guard:  # one writer at a time, and no reader between the file and its index
            if meta:
                rows = changes.setdefault(META, {})
                current = rows[META_KEY] if META_KEY in rows else self.get(META, META_KEY) or {}
                rows[META_KEY] = {**current, **meta}
            encoded = {
                table: {record_id: (_key(record_id), orjson.dumps(record, option=_OPTION)) for record_id, record in rows.items()}
                for table, rows in changes.items()
            }
            payload, tables = self._splice(encoded)
            _storage.write_atomically(self.path, payload)
            self._raw, self._view, self._tables = payload, memoryview(payload), tables
            for table, rows in changes.items():
                for record_id in rows:
                    self._cache.pop((table, record_id), None)
        self._written(written)  # outside the guard: a listener may wait for another thread

    def close(self) -> None:
        loader = getattr(self, "_loader", None)
        if loader is not None:
            loader.join()  # never release the lock under a thread still reading the file
        with getattr(self, "_guard", threading.RLock()):
            lock, self._lock = getattr(self, "_lock", None), None
            if lock is not None:
                lock.release()
            self._raw, self._view, self._tables, self._cache = b"", memoryview(b""), {}, {}

    # -- internals ------------------------------------------------------------------------

    def _load(self) -> None:
        self._cache: dict[tuple[str, str], Record] = {}
        try:
            raw = self.path.read_bytes()
        except FileNotFoundError:
            raw = b""
        try:
            tables = _index(raw)
        except _NotCanonical:
            data = _storage.parse_json_bytes(raw, self.path)  # StoreCorruptError when it is not JSON
            raw = orjson.dumps(data or {}, option=_OPTION)  # what TinyDB would write back
            del data
            try:
                tables = _index(raw)
            except _NotCanonical as error:
                raise StoreCorruptError(path=str(self.path), reason=str(error) or "not a store") from None
        self._raw, self._view, self._tables = raw, memoryview(raw), tables

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
        del pieces
        if len(payload) != size + 1:
            raise AssertionError("splice size mismatch")
        return payload, tables


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
