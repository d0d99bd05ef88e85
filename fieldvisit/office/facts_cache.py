"""The matters' facts (`office.facts`) kept in a file beside the store, like the register's rows.

Reading the facts of 100,000 matters means parsing every record of a store of a few hundred
megabytes: seconds, most of a period report's time. The facts themselves are small, so the office
app, `fieldvisit import` and `fieldvisit report` write them to `matter-facts.json` once they have
them, and the next report, attention list or statistics screen starts from there. Stored by
column, as the register cache stores its rows (`register_cache`: few distinct values become
codes, each distinct value is made once on reading).

The rows' codes are 4-byte numbers in base64 (one string per column, not 100,000 JSON numbers).
Derived data: used only when written for the store exactly as it is now (`Store.state_token`)
and in this format; otherwise, or when damaged, ignored and written again. The file holds what
the store holds (titles, names), so it sits beside the store with the same protection.
"""

from __future__ import annotations

import base64
import binascii
from array import array
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import orjson

from fieldvisit.locations.paths import Home
from fieldvisit.office.facts import STORED, TUPLED, MatterFacts, Shared
from fieldvisit.stores.storage import collector_paused, write_atomically
from fieldvisit.stores.store import Store

FORMAT = "fieldvisit.office.matter-facts"
VERSION = 2
"""Raise when `MatterFacts` or the way facts are read changes: older files are then ignored."""
FILE = "matter-facts.json"


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
                columns = {name: _decoded(cached["columns"][name], count, TUPLED.get(name)) for name in STORED}
                shared = Shared()
                columns["tally"] = list(map(shared, map(tuple, zip(columns["category"], columns["visit_id"], columns["status"],
                                                                   [day[:7] if day else None for day in columns["raised"]], columns["counted"]))))
                columns["deadline_key"] = list(map(shared, zip(columns["dates"], columns["ended"])))
                facts = list(map(MatterFacts, *(columns[name] for name in MatterFacts._fields)))
        except (AttributeError, KeyError, TypeError, IndexError, ValueError, binascii.Error):
            return None
        if not isinstance(sites, dict):
            return None
        return facts, sites

    def save(self, store: Store, facts: list[MatterFacts], sites: dict[str, str]) -> None:
        """Write `facts` for `store` as it is now. Best effort: the file only saves time."""
        key = self.key(store)
        if key is None:
            return
        columns = {name: _encoded([getattr(item, name) for item in facts]) for name in STORED}
        try:
            write_atomically(self.path, orjson.dumps({"format": FORMAT, "key": key, "count": len(facts), "sites": sites, "columns": columns}))
        except OSError:
            pass


def _encoded(values: list[Any]) -> dict[str, Any]:
    """A column: its distinct values and, per row, the number of its value (4 bytes, in base64:
    one JSON string to read, not 100,000 numbers) when that is smaller, else the values."""
    distinct: dict[Any, int] = {}
    try:
        codes = array("I", [distinct.setdefault(value, len(distinct)) for value in values])
    except TypeError:  # a list where a plain value belongs (a damaged matter): kept as written
        return {"values": values}
    if len(distinct) * 2 > len(values):
        return {"values": values}
    return {"distinct": list(distinct), "codes": base64.b64encode(codes.tobytes()).decode("ascii")}


def _decoded(column: dict[str, Any], count: int, convert: Any = None) -> list[Any]:
    """A column as stored, back; `convert` makes tuples of the lists JSON gives."""
    if "codes" in column:
        distinct = column["distinct"]
        if convert is not None:
            distinct = list(map(convert, distinct))
        codes = array("I")
        codes.frombytes(base64.b64decode(column["codes"]))
        values = list(map(distinct.__getitem__, codes))
    else:
        values = column["values"]
        if convert is not None:
            values = list(map(convert, values))
    if not isinstance(values, list) or len(values) != count:
        raise ValueError("column length")
    return values

