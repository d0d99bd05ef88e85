"""The bundle: what one device hands over (docs/architecture.md §6). The one module that knows its format.

    {"format": "fieldvisit.bundle", "version": 1, "bundle_id", "created_at",
     "device": {"id", "name"}, "visits": [...], "issues": [...], "digest": "sha256:…"}

Records travel compact: a record-level `stamp` (the one most of its registers share) and, per
register, only what differs from it. Records are sorted by id, so two stores with the same content
export the same records byte for byte. Files are gzip-compressed canonical JSON (`*.fvb`).
`docs/bundle-format.md` specifies all of it for other implementers.
"""

from __future__ import annotations

import datetime as dt
import gzip
from collections import Counter
from typing import Any

from fieldvisit.core.records import Record
from fieldvisit.core.text import safe_file_name
from fieldvisit.sync.canonical import canonical_bytes, sha256_digest

FORMAT = "fieldvisit.bundle"
VERSION = 1
SUFFIX = ".fvb"
TABLES = ("visits", "issues")


def build_bundle(
    records: dict[str, list[Record]], device_id: str, device_name: str, bundle_id: str, created_at: dt.datetime
) -> dict[str, Any]:
    """A complete bundle, digest included, from full records keyed by table."""
    body: dict[str, Any] = {
        "format": FORMAT,
        "version": VERSION,
        "bundle_id": bundle_id,
        "created_at": created_at.astimezone(dt.timezone.utc).isoformat(timespec="seconds").replace("+00:00", "Z"),
        "device": {"id": device_id, "name": device_name},
    }
    for table in TABLES:
        body[table] = [compact_record(record) for record in sorted(records.get(table, []), key=lambda r: r["id"])]
    body["digest"] = sha256_digest(body)
    return body


def encode(bundle: dict[str, Any]) -> bytes:
    """The `.fvb` file: gzip of the canonical JSON, with no name or time in the gzip header."""
    return gzip.compress(canonical_bytes(bundle), compresslevel=9, mtime=0)


def digest_of(bundle: dict[str, Any]) -> str:
    return sha256_digest({key: value for key, value in bundle.items() if key != "digest"})


# -- compact records ---------------------------------------------------------------------


def compact_record(record: Record) -> dict[str, Any]:
    stamp = _common_stamp(record)
    compact: dict[str, Any] = {"id": record["id"], "type": record["type"], "stamp": stamp}
    compact["fields"] = {name: _compact_register(register, stamp) for name, register in record["fields"].items()}
    history = {
        name: {older: _compact_register(register, None) for older, register in registers.items()}
        for name, registers in record.get("history", {}).items()
        if registers
    }
    if history:
        compact["history"] = history
    maps = {
        name: {key: _compact_entry(entry, stamp) for key, entry in entries.items()}
        for name, entries in record.get("maps", {}).items()
        if entries
    }
    if maps:
        compact["maps"] = maps
    return compact


def expand_record(compact: dict[str, Any]) -> Record:
    """The full record a compact one stands for; `conflicts` are derived by the merge."""
    stamp = compact["stamp"]
    record: Record = {"id": compact["id"], "type": compact["type"], "fields": {}, "history": {}, "maps": {}, "conflicts": []}
    for name, register in compact["fields"].items():
        record["fields"][name] = _expand_register(register, stamp)
    for name, registers in compact.get("history", {}).items():
        record["history"][name] = {older: _expand_register(register, None, with_stamp=False) for older, register in registers.items()}
    for name, entries in compact.get("maps", {}).items():
        record["maps"][name] = {key: {"value": entry["v"], "stamp": entry.get("s", stamp)} for key, entry in entries.items()}
    return record


def _common_stamp(record: Record) -> str:
    counts = Counter(register["stamp"] for register in record["fields"].values())
    if not counts:
        return max((entry["stamp"] for entries in record.get("maps", {}).values() for entry in entries.values()), default="")
    return max(counts.items(), key=lambda item: (item[1], item[0]))[0]


def _compact_register(register: dict[str, Any], stamp: str | None) -> dict[str, Any]:
    compact: dict[str, Any] = {"v": register["value"]}
    if stamp is not None and register["stamp"] != stamp:
        compact["s"] = register["stamp"]
    if register.get("base"):
        compact["b"] = register["base"]
    if register.get("resolves"):
        compact["r"] = register["resolves"]
    return compact


def _expand_register(compact: dict[str, Any], stamp: str | None, with_stamp: bool = True) -> dict[str, Any]:
    register: dict[str, Any] = {"value": compact["v"]}
    if with_stamp:
        register["stamp"] = compact.get("s", stamp)
    register["base"] = compact.get("b")
    if compact.get("r"):
        register["resolves"] = list(compact["r"])
    return register


def _compact_entry(entry: dict[str, Any], stamp: str) -> dict[str, Any]:
    compact = {"v": entry["value"]}
    if entry["stamp"] != stamp:
        compact["s"] = entry["stamp"]
    return compact


# -- file names --------------------------------------------------------------------------

def file_name(label: str, date: str, bundle_id: str) -> str:
    """`东风煤矿三采区-20261115-7K3Q9A.fvb`: site, date and a short bundle id, safe on FAT USB sticks.
    The site and date come from the record: no path separator, control character or leading dot."""
    day = safe_file_name(str(date).replace("-", ""), fallback="", limit=10)
    return f"{safe_file_name(label, limit=40)}-{day}-{safe_file_name(bundle_id[-6:], fallback='')}{SUFFIX}"
