"""The office register's rows kept in files beside the store, so the register opens at once.

Building the rows of 100,000 matters means parsing a store of a few hundred megabytes and reading
every record's registers: seconds. The rows themselves are small, so the office app writes them
to `register-cache.json` and, next time, shows them straight from there while the store is read
in the background. The search text of every row, most of the bytes, goes to a second file,
`register-search.json`, read once the register is on screen (or at the first search).

Rows are stored by column; a column with few distinct values (site, category, status, owner,
dates...) is stored as its distinct values plus one small number per row. Reading it back then
makes each distinct string once, shared by every row that has it: faster, and less memory.

The cache is derived data: it is used only when it was written for the store exactly as it is
now (`Store.state_token`: a JSON store's size, modification time and inode), under the same deadline policy and row format;
otherwise, or when damaged, it is ignored and written again.

Rewriting both files for 100,000 rows takes about a second, too long for the office app's exit or
an import's tail. So after a few changes only the rows changed since the rows file was written go
to a third file, `register-delta.json`: those rows (with their search text), the sites, the key
of the rows file they apply to and the key of the store they bring it up to. It is used only when
both keys fit exactly (rows file as it is, store as it is now), otherwise ignored like the rest;
it is written whole and atomically each time (it holds every change since the rows file, so each
one replaces the last). Once it holds many rows the office app rewrites the full files in a thread,
after the register is on screen (`FOLD_ROWS`). Days left are not kept (they change
every day): each row keeps its due date, and the days left are counted when the cache is read.
The files hold what the office store holds (the search text includes petitioners' names), so they
sit beside the store with the same protection.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, fields
from pathlib import Path
from typing import Any

import orjson

from fieldvisit.locations.paths import Home
from fieldvisit.office.policy import Policy
from fieldvisit.stores.storage import write_atomically
from fieldvisit.stores.store import Store

FORMAT = "fieldvisit.office.register-cache"
VERSION = 3
"""Raise when `RegisterRow` or the way rows are built changes: older caches are then ignored."""
ROWS_FILE = "register-cache.json"
SEARCH_FILE = "register-search.json"
DELTA_FILE = "register-delta.json"
FILES = (ROWS_FILE, SEARCH_FILE, DELTA_FILE)
FOLD_ROWS = 2_000
"""The office app rewrites the full files (in a thread, once the register is shown) when it opens
with a delta of more than this many rows."""
FOLD_SHARE = 0.05
"""A write that would leave more than this share of the rows (and more than `FOLD_ROWS`) in the
delta rewrites the full files instead (the office app's exit never does: it writes the delta)."""
NOT_STORED = ("days_left", "haystack")
"""Row fields the cache leaves out: counted on reading, or kept in the search file."""


@dataclass
class Cached:
    """Rows read from the cache: the sites, the columns of every row (the rows file's in its
    order, then the rows the delta added), the key they fit (the store's now), and what the rest
    needs: the rows file's key and row count (its search text is read later) and, by position,
    the search text of the rows the delta gave."""

    sites: dict[str, str]
    columns: dict[str, list[Any]]
    key: dict[str, Any]
    base_key: dict[str, Any]
    base_count: int
    from_delta: dict[int, str]


@dataclass(frozen=True)
class RegisterCache:
    """The cache files of an office's store under one policy, in the office's home folder."""

    path: Path | None
    search_path: Path | None
    policy: Policy

    @classmethod
    def of(cls, home: Home, policy: Policy) -> "RegisterCache":
        """The cache kept in `home` (none when the home is in memory)."""
        folder = home.register_cache_dir
        if folder is None:
            return cls(None, None, policy)
        return cls(folder / ROWS_FILE, folder / SEARCH_FILE, policy)

    @property
    def delta_path(self) -> Path | None:
        return None if self.path is None else self.path.with_name(DELTA_FILE)

    def key(self, store: Store) -> dict[str, Any] | None:
        """What the rows were built from; None when there is nothing to compare with (no cache
        folder, a store not written yet, or a back-end that cannot say)."""
        token = store.state_token() if self.path is not None else None
        if token is None:
            return None
        return {**token, "policy": _policy_id(self.policy), "version": VERSION}

    def load(self, store: Store, names: tuple[str, ...]) -> Cached | None:
        """The rows (the columns `names`, and `id` and `haystack` for the delta) when the cache
        fits the store as it is now, else None."""
        key = self.key(store)
        if key is None:
            return None
        cached = self._read(self.path)
        if cached is None or not isinstance(cached.get("key"), dict):
            return None
        delta = None
        if cached["key"] != key:
            delta = self._read(self.delta_path)
            if delta is None or delta.get("key") != key or delta.get("base") != cached["key"]:
                return None
        try:
            count = cached["count"]
            columns = {name: _decoded(cached["columns"][name], count) for name in names}
            sites = cached["sites"]
            from_delta = _merged(columns, delta) if delta is not None else {}
            if delta is not None:
                sites = delta["sites"]
        except (KeyError, TypeError, IndexError, ValueError, AttributeError):
            return None
        if not isinstance(sites, dict):
            return None
        return Cached(sites, columns, key, cached["key"], count, from_delta)

    def load_search(self, key: dict[str, Any], count: int) -> list[str] | None:
        """The search text of the rows file's rows, in its order, when it belongs to the rows
        file written with `key`."""
        cached = self._read(self.search_path)
        texts = cached.get("texts") if cached and cached.get("key") == key else None
        if not isinstance(texts, list) or len(texts) != count or not all(isinstance(text, str) for text in texts):
            return None
        return texts

    def save(self, key: dict[str, Any] | None, rows: list[Any], sites: dict[str, str]) -> bool:
        """Write every row of `rows`, for the store whose key (`key(store)`) was `key` when the
        rows were taken. Best effort: the cache only saves time, so a full disk or a read-only
        folder is no error (False)."""
        if key is None or not rows or self.path is None:
            return False
        names = [item.name for item in fields(rows[0]) if item.name not in NOT_STORED]
        columns = {name: _encoded([getattr(row, name) for row in rows]) for name in names}
        try:
            write_atomically(self.search_path, orjson.dumps({"key": key, "texts": [row.haystack for row in rows]}))
            write_atomically(self.path, orjson.dumps({"format": FORMAT, "key": key, "count": len(rows), "sites": sites, "columns": columns}))
        except OSError:
            return False
        try:
            self.delta_path.unlink(missing_ok=True)  # its base is gone; it could never fit again
        except OSError:
            pass
        return True

    def save_delta(self, key: dict[str, Any] | None, base_key: dict[str, Any], rows: list[Any], sites: dict[str, str]) -> bool:
        """Write the rows changed since the rows file written with `base_key` (all of them, with
        their search text), for the store whose key was `key`. Best effort, like `save`."""
        if key is None or self.path is None:
            return False
        names = [item.name for item in fields(rows[0]) if item.name not in NOT_STORED] + ["haystack"] if rows else []
        columns = {name: _encoded([getattr(row, name) for row in rows]) for name in names}
        try:
            write_atomically(self.delta_path, orjson.dumps({"format": FORMAT, "base": base_key, "key": key, "count": len(rows), "sites": sites, "columns": columns}))
        except OSError:
            return False
        return True

    @staticmethod
    def _read(path: Path | None) -> dict[str, Any] | None:
        if path is None:
            return None
        try:
            cached = orjson.loads(path.read_bytes())
        except (OSError, orjson.JSONDecodeError):
            return None
        return cached if isinstance(cached, dict) else None


def _merged(columns: dict[str, list[Any]], delta: dict[str, Any]) -> dict[int, str]:
    """The delta's rows put into `columns` (the rows file's): a row of the same id replaced in its
    place, a new one added at the end. Returns the search text of those rows, by position."""
    count = delta["count"]
    if count == 0:
        return {}
    rows = {name: _decoded(delta["columns"][name], count) for name in (*columns, "haystack")}
    position = {row_id: number for number, row_id in enumerate(columns["id"])}
    texts: dict[int, str] = {}
    for number, row_id in enumerate(rows["id"]):
        at = position.get(row_id)
        if at is None:
            at = position[row_id] = len(columns["id"])
            for name, column in columns.items():
                column.append(rows[name][number])
        else:
            for name, column in columns.items():
                column[at] = rows[name][number]
        text = rows["haystack"][number]
        if not isinstance(text, str):
            raise TypeError("search text")
        texts[at] = text
    return texts


def _encoded(values: list[Any]) -> dict[str, Any]:
    """A column: its distinct values and a code per row when that is smaller, else the values."""
    values = [value.isoformat() if hasattr(value, "isoformat") else value for value in values]
    distinct: dict[Any, int] = {}
    codes = [distinct.setdefault(value if not isinstance(value, list | tuple) else tuple(value), len(distinct)) for value in values]
    if len(distinct) * 2 > len(values):
        return {"values": values}
    return {"distinct": list(distinct), "codes": codes}


def _decoded(column: dict[str, Any], count: int) -> list[Any]:
    if "codes" in column:
        codes = column["codes"]
        if codes and min(codes) < 0:
            raise ValueError("negative code")
        values = list(map(column["distinct"].__getitem__, codes))
    else:
        values = column["values"]
    if not isinstance(values, list) or len(values) != count:
        raise ValueError("column length")
    return values


def _policy_id(policy: Policy) -> str:
    """The policy's numbers, and the holiday data's version when working days are counted."""
    text = repr(policy)
    if policy.working_days:
        # imported when first needed: only a policy that counts working days asks it (10 ms)
        from importlib.metadata import PackageNotFoundError, version

        try:
            text += version("chinese-calendar")
        except PackageNotFoundError:
            text += "-"
    return hashlib.sha256(text.encode()).hexdigest()[:16]
