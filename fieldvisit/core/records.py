"""Records as maps of field registers and grow-only maps (docs/architecture.md §4).

A record is plain JSON:

    {"id": ULID, "type": "visit" | "issue",
     "fields": {name: {"value": v, "stamp": s, "base": stamp it replaced or None}},
     "history": {name: {stamp: {"value": v, "base": b}}},     # every register it replaced
     "maps": {map name: {entry ULID: {"value": v, "stamp": s}}},
     "conflicts": [{"field", "value", "stamp"}, ...]}          # derived, see below

`fields` holds each field's winning register (greatest stamp); `history` keeps the registers it
won over, so the record's state is a function of the *set* of registers ever written. That set
only grows, which is what makes merging commutative, associative and idempotent, and it is the
audit trail: who (device, in the stamp) changed what, when.

A register is superseded when a later register names it as its `base` (or in `resolves`, an
officer's explicit resolution), or when the same device wrote the field again later. The
registers nobody superseded are the field's *heads*; a head other than the winner whose value
differs is a concurrent edit that lost: it is listed in `conflicts` for an officer to review.

Only these functions change a record, and they take the stamp from the caller; the caller is
`fieldvisit.editing.editor.Editor`, the one place that stamps writes.
"""

from __future__ import annotations

from typing import Any, Iterable

Record = dict[str, Any]


def new_record(record_type: str, record_id: str) -> Record:
    return {"id": record_id, "type": record_type, "fields": {}, "history": {}, "maps": {}, "conflicts": []}


def get_value(record: Record, field: str, default: Any = None) -> Any:
    register = record["fields"].get(field)
    return default if register is None else register["value"]


def values(record: Record) -> dict[str, Any]:
    """A plain snapshot of the current field values, plus the record id."""
    snapshot = {name: register["value"] for name, register in record["fields"].items()}
    snapshot["id"] = record["id"]
    return snapshot


def set_fields(
    record: Record, changes: dict[str, Any], stamp: str, resolves: dict[str, list[str]] | None = None
) -> list[str]:
    """Write the changed fields under `stamp`; each new register remembers the stamp it replaced.

    Unchanged values are not rewritten, so an edit that changes nothing leaves no trace and
    cannot create a false conflict when bundles are merged later. `resolves` names, per field,
    the conflicting heads an officer's write settles.
    """
    written = []
    for field, value in changes.items():
        register = record["fields"].get(field)
        settles = sorted((resolves or {}).get(field, []))
        unchanged = register["value"] == value if register is not None else is_empty(value)
        if unchanged and not settles:
            continue
        new = {"value": value, "stamp": stamp, "base": None if register is None else register["stamp"]}
        if settles:
            new["resolves"] = settles
        if register is not None:
            record.setdefault("history", {}).setdefault(field, {})[register["stamp"]] = _without_stamp(register)
        record["fields"][field] = new
        written.append(field)
    if written:
        record["conflicts"] = derive_conflicts(record)
    return written


def is_empty(value: Any) -> bool:
    """Values a field never written already has: no register is written for them."""
    return value is None or value is False or value == "" or value == []


def registers(record: Record, field: str) -> list[dict[str, Any]]:
    """Every register ever written to `field`: the winner and the ones in its history."""
    older = [{**register, "stamp": stamp} for stamp, register in record.get("history", {}).get(field, {}).items()]
    current = record["fields"].get(field)
    return older + ([current] if current is not None else [])


def heads(found: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The registers no other register supersedes, in stamp order."""
    superseded: set[str] = set()
    latest_by_device: dict[str, str] = {}
    for register in found:
        if register.get("base"):
            superseded.add(register["base"])
        superseded.update(register.get("resolves", ()))
        device = stamp_device(register["stamp"])
        latest_by_device[device] = max(latest_by_device.get(device, ""), register["stamp"])
    return sorted(
        (r for r in found if r["stamp"] not in superseded and latest_by_device[stamp_device(r["stamp"])] == r["stamp"]),
        key=lambda register: register["stamp"],
    )


def derive_conflicts(record: Record) -> list[dict[str, Any]]:
    """Concurrent edits that lost to the winner with another value, sorted by field and stamp."""
    conflicts = []
    for field in sorted(record.get("history", {})):
        winner = record["fields"][field]
        for head in heads(registers(record, field)):
            if head["stamp"] != winner["stamp"] and head["value"] != winner["value"]:
                conflicts.append({"field": field, "value": head["value"], "stamp": head["stamp"]})
    return conflicts


def stamp_device(stamp: str) -> str:
    """The device ULID at the end of a stamp (see `fieldvisit.core.clock`)."""
    return stamp.rsplit("-", 1)[-1]


def _without_stamp(register: dict[str, Any]) -> dict[str, Any]:
    return {key: value for key, value in register.items() if key != "stamp"}


def add_entry(record: Record, map_name: str, entry_id: str, value: Any, stamp: str) -> None:
    """Add an entry to a grow-only map; entries are never changed or removed once added."""
    entries = record["maps"].setdefault(map_name, {})
    if entry_id in entries:
        raise ValueError(f"{map_name} entry {entry_id} already exists")
    entries[entry_id] = {"value": value, "stamp": stamp}


def entries(record: Record, map_name: str) -> list[dict[str, Any]]:
    """A map's entries in the order they were written (by stamp), each with its `id`."""
    found = record["maps"].get(map_name, {})
    ordered = sorted(found, key=lambda key: (found[key]["stamp"], key))
    return [{"id": key, "stamp": found[key]["stamp"], **found[key]["value"]} for key in ordered]


def last_stamp(record: Record) -> str:
    """The greatest stamp anywhere in the record: when it last changed."""
    stamps: Iterable[str] = (register["stamp"] for register in record["fields"].values())
    map_stamps = (entry["stamp"] for found in record["maps"].values() for entry in found.values())
    return max([*stamps, *map_stamps], default="")
