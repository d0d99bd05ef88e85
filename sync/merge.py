"""Merging two copies of a record (docs/architecture.md §4): a pure function, commutative, associative, idempotent.

Per field, the registers of both copies are pooled (winner and history alike); the greatest stamp
wins and the rest become history. Grow-only maps are unioned by key. Conflicts are then derived
from the pooled registers (`fieldvisit.core.records.derive_conflicts`), so they too depend only on what
was ever written, never on the order bundles arrive in.
"""

from __future__ import annotations

from typing import Any

from fieldvisit.core.records import Record, derive_conflicts
from fieldvisit.sync.canonical import canonical_bytes


def merge_records(local: Record, incoming: Record) -> Record:
    if local["id"] != incoming["id"] or local["type"] != incoming["type"]:
        raise ValueError(f"cannot merge {local['type']} {local['id']} with {incoming['type']} {incoming['id']}")
    merged: Record = {"id": local["id"], "type": local["type"], "fields": {}, "history": {}, "maps": {}}
    for field in sorted(set(local["fields"]) | set(incoming["fields"])):
        pooled = _pool(_registers(local, field), _registers(incoming, field))
        winner = max(pooled)
        merged["fields"][field] = {**pooled[winner], "stamp": winner}
        older = {stamp: register for stamp, register in pooled.items() if stamp != winner}
        if older:
            merged["history"][field] = older
    for name in sorted(set(local.get("maps", {})) | set(incoming.get("maps", {}))):
        merged["maps"][name] = _union(local.get("maps", {}).get(name, {}), incoming.get("maps", {}).get(name, {}))
    merged["conflicts"] = derive_conflicts(merged)
    return merged


def settle(record: Record) -> Record:
    """A record as it arrives alone: the same shape and derived conflicts a merge would give."""
    return merge_records(record, record)


def _registers(record: Record, field: str) -> dict[str, dict[str, Any]]:
    """stamp → register without its stamp, for the winner and its history."""
    found = dict(record.get("history", {}).get(field, {}))
    current = record["fields"].get(field)
    if current is not None:
        found[current["stamp"]] = {key: value for key, value in current.items() if key != "stamp"}
    return found


def _pool(left: dict[str, dict], right: dict[str, dict]) -> dict[str, dict]:
    pooled = dict(left)
    for stamp, register in right.items():
        pooled[stamp] = _pick(pooled[stamp], register) if stamp in pooled else register
    return {stamp: _normal(pooled[stamp]) for stamp in pooled}


def _union(left: dict[str, dict], right: dict[str, dict]) -> dict[str, dict]:
    merged = dict(left)
    for key, entry in right.items():
        merged[key] = _pick(merged[key], entry) if key in merged else entry
    return merged


def _pick(one: dict, other: dict) -> dict:
    """Two different contents under one stamp or key can only come from a bug or tampering;
    keep the canonically greater one so every replica still picks the same."""
    return max(one, other, key=canonical_bytes)


def _normal(register: dict[str, Any]) -> dict[str, Any]:
    normal = {"value": register["value"], "base": register.get("base")}
    if register.get("resolves"):
        normal["resolves"] = register["resolves"]
    return normal
