"""The sizes a bundle may have, checked before anything is merged (issue 13 §3).

Each limit is far above what a real hand-over needs (a visit is 10–50 matters; a laptop's whole
store a few thousand; a field is edited a handful of times) and low enough that no bundle can
make an import cost more than a few hundred MB of memory or grow the store by more than a
small multiple of its own size. A bundle beyond one is refused whole with the limit named.
`docs/security.md` lists them with the reasons.
"""

from __future__ import annotations

from typing import Any

from fieldvisit.core.errors import BundleError
from fieldvisit.core.model import MAX_LENGTHS
from fieldvisit.core.records import Record

MAX_VISITS = 5_000
"""Visits per bundle: a leader's laptop over many years of site visits."""
MAX_ISSUES = 50_000
"""Matters per bundle: every matter a laptop ever recorded, or the office's view sent to one."""
MAX_FIELDS = 100
"""Fields per record: a matter has about 45 kinds of field, office steps included."""
MAX_REGISTERS = 200
"""Values kept per field (the current one and its history), in a bundle and after merging."""
MAX_MAPS = 10
"""Grow-only maps per record (transitions, feedback, links, follow-ups, notices, …)."""
MAX_ENTRIES = 500
"""Entries per map, in a bundle and after merging: steps, feedback and follow-ups on one matter."""
MAX_ENTRY_TEXT = 10_000
"""Text per value of a map entry (a transition's reason, feedback content) without a limit of its own."""
MAX_PENDING_DEVICES = 20
"""Laptops waiting for an officer's decision at once: anyone with the public token can make one."""
MAX_QUARANTINE_BYTES = 256 * 1024 * 1024
"""Bytes of bundles waiting in quarantine for devices not approved yet."""


def check_bundle(data: dict[str, Any]) -> None:
    """Counts and text lengths of a checked bundle, before any record is expanded or merged."""
    for table, limit in (("visits", MAX_VISITS), ("issues", MAX_ISSUES)):
        if len(data[table]) > limit:
            raise BundleError("error.limit.records", table=table, count=len(data[table]), limit=limit)
    for table in ("visits", "issues"):
        for compact in data[table]:
            _check_compact(compact)


def check_record(record: Record) -> None:
    """Values kept per field and entries per map. Compact records (in a bundle) and full ones
    (merged with what the office held) have the same `fields`, `history` and `maps`, so one
    check serves both: before expanding, and again after merging."""
    history = record.get("history", {})
    for field in sorted(set(record["fields"]) | set(history)):
        if len(history.get(field, {})) + (field in record["fields"]) > MAX_REGISTERS:
            raise BundleError("error.limit.registers", record_id=record["id"], field=field, limit=MAX_REGISTERS)
    for name, entries in sorted(record.get("maps", {}).items()):
        if len(entries) > MAX_ENTRIES:
            raise BundleError("error.limit.entries", record_id=record["id"], field=name, limit=MAX_ENTRIES)


def _check_compact(compact: dict[str, Any]) -> None:
    record_id, fields = compact["id"], compact["fields"]
    history, maps = compact.get("history", {}), compact.get("maps", {})
    if len(set(fields) | set(history)) > MAX_FIELDS:
        raise BundleError("error.limit.fields", record_id=record_id, limit=MAX_FIELDS)
    if len(maps) > MAX_MAPS:
        raise BundleError("error.limit.maps", record_id=record_id, limit=MAX_MAPS)
    check_record(compact)
    for field in sorted(set(fields) | set(history)):
        limit = MAX_LENGTHS.get(field)
        if limit is None:
            continue
        registers = [fields[field]] if field in fields else []
        registers += history.get(field, {}).values()
        for register in registers:
            if isinstance(register["v"], str) and len(register["v"]) > limit:
                raise BundleError("error.limit.text", record_id=record_id, field=field, limit=limit)
    for name, entries in sorted(maps.items()):
        for entry in entries.values():
            for key, value in entry["v"].items():
                limit = MAX_LENGTHS.get(key, MAX_ENTRY_TEXT)
                if isinstance(value, str) and len(value) > limit:
                    raise BundleError("error.limit.text", record_id=record_id, field=f"{name}.{key}", limit=limit)
