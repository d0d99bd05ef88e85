"""A TinyDB storage that never leaves a half-written file, and a lock that keeps out a second writer.

TinyDB's stock `JSONStorage` truncates and rewrites the file in place, so a crash or power cut
mid-write leaves broken JSON. `AtomicJSONStorage` writes a temporary file in the same directory,
flushes and fsyncs it, renames it over the store with `os.replace` (atomic on POSIX and Windows)
and fsyncs the directory so the rename itself survives a power cut. A reader therefore sees
either the old file or the new one, whole.

Because the lock guarantees this process is the only writer, the last data read or written is
kept in memory and `read()` costs nothing after the first call.

A store with a passphrase (`fieldvisit.stores.at_rest`) names its settings in its meta; the storage then
takes a cipher that opens the file's sealed values on read and seals them on write, so TinyDB and
everything above it see plain values. Without the cipher such a store is *locked*: `read()`
refuses (PassphraseError) and so nothing can be written over it, but its meta can be looked at.
"""

from __future__ import annotations

import gc
import os
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import orjson
from tinydb.storages import Storage

from fieldvisit.core.errors import PassphraseError, StoreCorruptError, StoreLockedError
from fieldvisit.stores import journal

TEMP_SUFFIX = ".tmp"
AT_REST = "at_rest"
"""The key of the passphrase settings in the store's meta document (`meta` → `store`)."""
SEALED_KEY = "sealed"
"""A sealed value in the file is `{"sealed": "<base64>"}` (`fieldvisit.stores.at_rest`)."""


class StoreLock:
    """An exclusive, non-blocking lock on `<store>.lock`; the OS releases it if the process dies."""

    def __init__(self, store_path: Path):
        self.path = store_path.with_name(store_path.name + ".lock")
        self._handle = None

    def acquire(self) -> None:
        handle = open(self.path, "a+")
        try:
            _lock_file(handle)
        except OSError:
            holder = _read_holder(handle)
            handle.close()
            raise StoreLockedError(path=str(self.path.with_suffix("")), holder=holder) from None
        handle.seek(0)
        handle.truncate()
        handle.write(str(os.getpid()))
        handle.flush()
        self._handle = handle

    def release(self) -> None:
        if self._handle is not None:
            _unlock_file(self._handle)
            self._handle.close()
            self._handle = None


def _read_holder(handle) -> str:
    """The pid the current holder wrote into the lock file, for the message."""
    try:
        handle.seek(0)
        return handle.read().strip() or "?"
    except OSError:
        return "?"


class AtomicJSONStorage(Storage):
    """TinyDB storage: atomic replace on every write, one in-memory copy, plain JSON on disk."""

    def __init__(self, path: str | os.PathLike, lock: bool = True, cipher: Any = None, **_ignored: Any):
        self.path = Path(path)
        self._lock = open_store_file(self.path, lock)
        if lock:
            try:
                fold_journal(self.path)
            except BaseException:
                self._lock.release()
                raise
        self._cache: dict[str, Any] | None = None
        self._disk: dict[str, Any] | None = None  # the file as parsed, while it is still locked
        self.cipher = cipher  # `fieldvisit.stores.at_rest.StoreCipher` for a store with a passphrase

    def read(self) -> dict[str, Any] | None:
        if self._cache is None:
            data = self._parsed()
            settings = at_rest_settings(data)
            if settings is not None:
                if self.cipher is None:
                    raise PassphraseError("error.passphrase.required", path=str(self.path))
                self.cipher.check(settings)
                data = self.cipher.open(data, self.path)
            elif holds_sealed_values(data):
                raise StoreCorruptError("error.fault.settings_missing", path=str(self.path))
            self._cache, self._disk = data, None
        return self._cache

    def write(self, data: dict[str, Any], changed: dict[str, Any] | None = None) -> None:
        """`changed` (table → record ids) lets a cipher keep the sealed form of every other record."""
        settings = at_rest_settings(data)
        if settings is not None:
            if self.cipher is None:
                raise PassphraseError("error.passphrase.required", path=str(self.path))
            self.cipher.check(settings)
        on_disk = data if settings is None else self.cipher.seal(data, changed)
        if self._lock:
            drop_journal(self.path)  # its kept lines must never be replayed over this write
        try:
            write_atomically(self.path, orjson.dumps(on_disk, option=orjson.OPT_SORT_KEYS))
        except BaseException:
            self._cache = None  # the caller may have changed the cached dict; trust the disk again
            raise
        self._cache, self._disk = data, None
        if settings is None:
            self.cipher = None  # the store is plain now (its passphrase was removed)

    def settings(self) -> dict[str, Any] | None:
        """The passphrase settings in the store's meta, or None for a plain store."""
        return at_rest_settings(self._cache if self._cache is not None else self._parsed())

    @property
    def locked(self) -> bool:
        return self.cipher is None and self.settings() is not None

    def locked_meta(self) -> dict[str, Any]:
        """The meta document as the file holds it: never sealed, so readable before unlocking."""
        data = self._cache if self._cache is not None else self._parsed()
        return ((data or {}).get("meta") or {}).get("store") or {}

    def _parsed(self) -> dict[str, Any] | None:
        if self._disk is None:
            self._disk = load_json_file(self.path)
        return self._disk

    def close(self) -> None:
        if self._lock:
            self._lock.release()


def at_rest_settings(data: dict[str, Any] | None) -> dict[str, Any] | None:
    """A store's passphrase settings (salt, limits, verifier), kept in its meta; None when plain."""
    return (((data or {}).get("meta") or {}).get("store") or {}).get(AT_REST) or None


def holds_sealed_values(data: dict[str, Any] | None) -> bool:
    """Whether a matter holds a sealed value (`{"sealed": …}`, see `fieldvisit.stores.at_rest`): in a
    store without passphrase settings that means the settings were removed, not a plain store."""
    issues = (data or {}).get("issues")
    for record in issues.values() if isinstance(issues, dict) else ():
        fields = record.get("fields") if isinstance(record, dict) else None
        for register in fields.values() if isinstance(fields, dict) else ():
            value = register.get("value") if isinstance(register, dict) else None
            if isinstance(value, dict) and len(value) == 1 and SEALED_KEY in value:
                return True
    return False


def open_store_file(path: Path, lock: bool = True) -> StoreLock | None:
    """What every store back-end on one JSON file does on opening: make its folder, take the
    lock (StoreLockedError if another process holds it) and remove temp files left by a crash."""
    path.parent.mkdir(parents=True, exist_ok=True)
    store_lock = StoreLock(path) if lock else None
    if store_lock:
        store_lock.acquire()
    remove_stale_temp_files(path)
    return store_lock


def fold_journal(path: Path) -> None:
    """Write a journal's batches into its store file (`fieldvisit.stores.journal`), for a
    back-end that reads and writes the file alone, and remove the journal: lines kept in it would
    otherwise be replayed over that back-end's later writes (`drop_journal`, also before each of
    its writes). Held under the store's lock."""
    journal_file = journal.path_of(path)
    try:
        raw = journal_file.read_bytes()
    except FileNotFoundError:
        return
    batches, _ = journal.parse(raw, journal_file)
    if journal.folded(batches):
        return  # the file holds it all; `drop_journal` before this back-end's first write
    data = load_json_file(path) or {}
    for batch in batches:
        for table, rows in batch.tables.items():
            data[table] = {**data.get(table, {}), **{record_id: orjson.loads(body) for record_id, body in rows.items()}}
    write_atomically(path, orjson.dumps(data, option=orjson.OPT_SORT_KEYS))
    drop_journal(path)


def drop_journal(path: Path) -> None:
    """Remove a store's journal once its file holds every batch of it."""
    try:
        journal.path_of(path).unlink()
    except FileNotFoundError:
        return
    fsync_directory(path.parent)


def remove_stale_temp_files(path: Path) -> None:
    """A crash between writing and renaming leaves a temp file; it was never the store."""
    for stale in path.parent.glob(f".{path.name}.*{TEMP_SUFFIX}"):
        stale.unlink(missing_ok=True)


def load_json_file(path: Path) -> dict[str, Any] | None:
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        return None
    return parse_json_bytes(raw, path)


def parse_json_bytes(raw: bytes, path: Path) -> dict[str, Any] | None:
    """A store file's bytes as data: None when empty, StoreCorruptError when not a JSON object."""
    if not raw.strip():
        return None
    try:
        with collector_paused():
            data = orjson.loads(raw)
    except orjson.JSONDecodeError as error:
        raise StoreCorruptError(path=str(path), reason=str(error)) from None
    if not isinstance(data, dict):
        raise StoreCorruptError(path=str(path), reason="top level is not an object")
    return data


@contextmanager
def collector_paused():
    """For making millions of objects that live as long as the store (parsing it, indexing it):
    letting the cyclic GC rescan them while they are made doubled the load time of a 280 MB
    store. They are frozen afterwards, out of later collections too."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()
        gc.freeze()


def write_atomically(path: Path, payload: bytes) -> None:
    """`path` holds `payload` whole, or stays as it was. A failure (disk full, a stick pulled
    out) removes the temporary file and raises an OSError naming `path` with the OS's reason
    only: never the payload, and chained to nothing that holds it."""
    temp = path.with_name(f".{path.name}.{os.getpid()}{TEMP_SUFFIX}")
    try:
        with open(temp, "wb") as handle:
            handle.write(payload)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(temp, path)
    except OSError as error:
        _discard(temp)
        raise naming(error, path) from None
    except BaseException:
        _discard(temp)
        raise
    try:
        fsync_directory(path.parent)
    except OSError as error:
        raise naming(error, path.parent) from None


def naming(error: OSError, path: Path) -> OSError:
    """The same OS error (same errno, same subclass) about `path` instead of a temporary file."""
    return OSError(error.errno, error.strerror, str(path)) if error.errno is not None else error


def _discard(temp: Path) -> None:
    """Remove a temporary file; on a folder that has gone (a pulled stick) there is nothing to do."""
    try:
        temp.unlink(missing_ok=True)
    except OSError:
        pass


def fsync_directory(directory: Path) -> None:
    if os.name != "posix":
        return  # Windows cannot open a directory for fsync; NTFS journals the rename itself
    fd = os.open(directory, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


if os.name == "posix":
    import fcntl

    def _lock_file(handle) -> None:
        fcntl.flock(handle.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)

    def _unlock_file(handle) -> None:
        fcntl.flock(handle.fileno(), fcntl.LOCK_UN)

else:  # pragma: no cover - exercised on Windows laptops
    import msvcrt

    def _lock_file(handle) -> None:
        handle.seek(0)
        msvcrt.locking(handle.fileno(), msvcrt.LK_NBLCK, 1)

    def _unlock_file(handle) -> None:
        handle.seek(0)
        msvcrt.locking(handle.fileno(), msvcrt.LK_UNLCK, 1)
