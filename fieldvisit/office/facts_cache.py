"""The matters' facts (`office.facts`) kept in a file beside the store, like the register's rows.

Reading the facts of 100,000 matters means parsing every record of a store of a few hundred
megabytes: seconds, most of a period report's time. The facts themselves are small, so the office
app, `fieldvisit import` and `fieldvisit report` write them to `matter-facts.json` once they have
them, and the next report, attention list or statistics screen starts from there. Stored by
column, as the register cache stores its rows (`register_cache`: few distinct values become
codes, each distinct value is made once on reading).

Derived data: used only when written for the store exactly as it is now (`Store.state_token`)
and in this format; otherwise, or when damaged, ignored and written again. The file holds what
the store holds (titles, names), so it sits beside the store with the same protection.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import orjson

from fieldvisit.locations.paths import Home
from fieldvisit.office.facts import MatterFacts
from fieldvisit.office.register_cache import _decoded, _encoded
from fieldvisit.stores.storage import collector_paused, write_atomically
from fieldvisit.stores.store import Store

FORMAT = "fieldvisit.office.matter-facts"
VERSION = 1
"""Raise when `MatterFacts` or the way facts are read changes: older files are then ignored."""
FILE = "matter-facts.json"
NAMES = MatterFacts._fields
TUPLES = ("counted", "starts", "dates")
"""Columns of tuples (JSON gives lists back); `persons`, `tally` and `deadline_key` hold tuples
in a tuple."""
NESTED = ("persons", "tally", "deadline_key")


@dataclass(frozen=True)
class FactsCache:
    path: Path | None

    @classmethod
    def of(cls, home: Home) -> "FactsCache":
        """The file kept in `home` (none when the home is in memory)."""
        folder = home.register_cache_dir
        return cls(None if folder is None else folder / FILE)

    def key(self, store: Store) -> dict[str, Any] | None:
        token = store.state_token() if self.path is not None else None
        return None if token is None else {**token, "version": VERSION}

    def load(self, store: Store) -> tuple[list[MatterFacts], dict[str, str]] | None:
        """(the facts, each visit's site) when the file fits the store as it is now, else None."""
        key = self.key(store)
        if key is None:
            return None
        try:
            cached = orjson.loads(self.path.read_bytes())
        except (OSError, orjson.JSONDecodeError):
            return None
        try:
            if cached.get("format") != FORMAT or cached.get("key") != key:
                return None
            count, sites = cached["count"], cached["sites"]
            with collector_paused():
                columns = []
                for name in NAMES:
                    column = cached["columns"][name]
                    if name in TUPLES or name in NESTED:
                        column = _as_tuples(column, nested=name in NESTED)
                    columns.append(_decoded(column, count))
                facts = list(map(MatterFacts, *columns))
        except (AttributeError, KeyError, TypeError, IndexError, ValueError):
            return None
        if not isinstance(sites, dict):
            return None
        return facts, sites

    def save(self, store: Store, facts: list[MatterFacts], sites: dict[str, str]) -> None:
        """Write `facts` for `store` as it is now. Best effort: the file only saves time."""
        key = self.key(store)
        if key is None:
            return
        columns = {name: _encoded([getattr(item, name) for item in facts]) for name in NAMES}
        try:
            write_atomically(self.path, orjson.dumps({"format": FORMAT, "key": key, "count": len(facts), "sites": sites, "columns": columns}))
        except OSError:
            pass


def _as_tuples(column: dict[str, Any], nested: bool) -> dict[str, Any]:
    """A column of lists as tuples (hashable, as the facts hold them), distinct ones once."""
    convert = _nested_tuple if nested else tuple
    if "codes" in column:
        return {**column, "distinct": list(map(convert, column["distinct"]))}
    return {**column, "values": list(map(convert, column["values"]))}


def _nested_tuple(value: list[Any]) -> tuple[Any, ...]:
    return tuple(tuple(item) if isinstance(item, list) else item for item in value)
