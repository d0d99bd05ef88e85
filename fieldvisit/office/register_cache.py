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
otherwise, or when damaged, it is ignored and written again. Days left are not kept (they change
every day): each row keeps its due date, and the days left are counted when the cache is read.
The files hold what the office store holds (the search text includes petitioners' names), so they
sit beside the store with the same protection.
"""

from __future__ import annotations

from importlib.metadata import PackageNotFoundError, version
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
NOT_STORED = ("days_left", "haystack")
"""Row fields the cache leaves out: counted on reading, or kept in the search file."""


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

    def key(self, store: Store) -> dict[str, Any] | None:
        """What the rows were built from; None when there is nothing to compare with (no cache
        folder, a store not written yet, or a back-end that cannot say)."""
        token = store.state_token() if self.path is not None else None
        if token is None:
            return None
        return {**token, "policy": _policy_id(self.policy), "version": VERSION}

    def load(self, store: Store, names: tuple[str, ...]) -> tuple[dict[str, str], dict[str, list[Any]], dict[str, Any]] | None:
        """(sites, the columns `names` of every row, the key) when the cache fits the store as it
        is now, else None."""
        cached = self._read(self.path, self.key(store))
        if cached is None:
            return None
        try:
            count = cached["count"]
            columns = {name: _decoded(cached["columns"][name], count) for name in names}
            sites = cached["sites"]
        except (KeyError, TypeError, IndexError, ValueError):
            return None
        if not isinstance(sites, dict):
            return None
        return sites, columns, cached["key"]

    def load_search(self, key: dict[str, Any], count: int) -> list[str] | None:
        """The rows' search text, in row order, when it belongs to the rows loaded with `key`."""
        cached = self._read(self.search_path, key)
        texts = cached.get("texts") if cached else None
        if not isinstance(texts, list) or len(texts) != count or not all(isinstance(text, str) for text in texts):
            return None
        return texts

    def save(self, store: Store, rows: list[Any], sites: dict[str, str]) -> None:
        """Write `rows` for `store` as it is now (after the store's last write).

        Best effort: the cache only saves time, so a full disk or a read-only folder is no error."""
        key = self.key(store)
        if key is None or not rows:
            return
        names = [item.name for item in fields(rows[0]) if item.name not in NOT_STORED]
        columns = {name: _encoded([getattr(row, name) for row in rows]) for name in names}
        try:
            write_atomically(self.search_path, orjson.dumps({"key": key, "texts": [row.haystack for row in rows]}))
            write_atomically(self.path, orjson.dumps({"format": FORMAT, "key": key, "count": len(rows), "sites": sites, "columns": columns}))
        except OSError:
            pass

    @staticmethod
    def _read(path: Path, key: dict[str, Any] | None) -> dict[str, Any] | None:
        if key is None:
            return None
        try:
            cached = orjson.loads(path.read_bytes())
        except (OSError, orjson.JSONDecodeError):
            return None
        if not isinstance(cached, dict) or cached.get("key") != key:
            return None
        return cached


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

        try:
            text += version("chinese-calendar")
        except PackageNotFoundError:
            text += "-"
    return hashlib.sha256(text.encode()).hexdigest()[:16]
