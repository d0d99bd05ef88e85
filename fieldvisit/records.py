"""Records as maps of field registers and grow-only maps (DESIGN §4).

A record is plain JSON:

    {"id": ULID, "type": "visit" | "issue",
     "fields": {name: {"value": v, "stamp": s, "base": previous stamp or None}},
     "maps": {map name: {entry ULID: {"value": v, "stamp": s}}},
     "conflicts": [...]}

Only these functions change a record, and they take the stamp from the caller; the caller is
`fieldvisit.editor.Editor`, the one place that stamps writes.
"""

from __future__ import annotations

from typing import Any, Iterable

Record = dict[str, Any]


def new_record(record_type: str, record_id: str) -> Record:
    return {"id": record_id, "type": record_type, "fields": {}, "maps": {}, "conflicts": []}


def get_value(record: Record, field: str, default: Any = None) -> Any:
    register = record["fields"].get(field)
    return default if register is None else register["value"]


def values(record: Record) -> dict[str, Any]:
    """A plain snapshot of the current field values, plus the record id."""
    snapshot = {name: register["value"] for name, register in record["fields"].items()}
    snapshot["id"] = record["id"]
    return snapshot


def set_fields(record: Record, changes: dict[str, Any], stamp: str) -> list[str]:
    """Write the changed fields under `stamp`; each new register remembers the stamp it replaced.

    Unchanged values are not rewritten, so an edit that changes nothing leaves no trace and
    cannot create a false conflict when bundles are merged later.
    """
    written = []
    for field, value in changes.items():
        register = record["fields"].get(field)
        if register is not None and register["value"] == value:
            continue
        record["fields"][field] = {
            "value": value,
            "stamp": stamp,
            "base": None if register is None else register["stamp"],
        }
        written.append(field)
    return written


def add_entry(record: Record, map_name: str, entry_id: str, value: Any, stamp: str) -> None:
    """Add an entry to a grow-only map; entries are never changed or removed once added."""
    entries = record["maps"].setdefault(map_name, {})
    if entry_id in entries:
        raise ValueError(f"{map_name} entry {entry_id} already exists")
    entries[entry_id] = {"value": value, "stamp": stamp}


def entries(record: Record, map_name: str) -> list[dict[str, Any]]:
    """A map's entries in creation order (their ULID keys sort by time), each with its `id`."""
    found = record["maps"].get(map_name, {})
    return [{"id": key, "stamp": found[key]["stamp"], **found[key]["value"]} for key in sorted(found)]


def last_stamp(record: Record) -> str:
    """The greatest stamp anywhere in the record: when it last changed."""
    stamps: Iterable[str] = (register["stamp"] for register in record["fields"].values())
    map_stamps = (entry["stamp"] for found in record["maps"].values() for entry in found.values())
    return max([*stamps, *map_stamps], default="")
