"""Importing bundles into a store: validate everything, merge in one batch, log what happened.

A bundle that fails any check is reported with its reason and changes nothing. The good ones are
merged together and written in one atomic store write, with one import-log entry each; the
clock of the receiving store moves past every stamp it has seen (docs/architecture.md §4).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import asdict, dataclass, field
from typing import Any, Iterable

from fieldvisit.core.clock import HybridClock
from fieldvisit.core.errors import BundleError, Quarantined
from fieldvisit.core.i18n import t
from fieldvisit.core.ids import new_id
from fieldvisit.core.records import Record
from fieldvisit.stores.store import IMPORTS, VISITS, Store
from fieldvisit.sync import bundle as fmt
from fieldvisit.sync import limits
from fieldvisit.sync.merge import merge_records, settle
from fieldvisit.sync.rights import Writer, check_record
from fieldvisit.sync.validate import DEFAULT_MAX_BYTES, read_bundle

IMPORTED = "imported"
ALREADY = "already_imported"
REJECTED = "rejected"
QUARANTINED = "quarantined"


@dataclass
class BundleReport:
    """What one bundle did to the store; `as_json()` is what `import --json` prints."""

    source: str
    status: str = REJECTED
    reason: str = ""
    bundle_id: str = ""
    device_id: str = ""
    device_name: str = ""
    counts: dict[str, int] = field(default_factory=dict)

    def as_json(self) -> dict[str, Any]:
        return asdict(self)

    def describe(self) -> str:
        """One line for a person, in the current language."""
        if self.status == REJECTED:
            return t("cli.import_rejected", source=self.source, reason=self.reason)
        if self.status == QUARANTINED:
            return t("trust.import_quarantined", source=self.source, reason=self.reason)
        key = "cli.import_already" if self.status == ALREADY else "cli.import_done"
        return t(key, source=self.source, device=self.device_name, **self.counts)


def import_bundles(
    store: Store,
    sources: Iterable[tuple[str, bytes]],
    max_bytes: int = DEFAULT_MAX_BYTES,
    now: dt.datetime | None = None,
    gate: Any = None,
) -> list[BundleReport]:
    """Import every source (name, raw bytes); rejected ones leave the store untouched.

    `gate` (`fieldvisit.trust.devices.TrustGate`) opens sealed bundles and checks signatures before
    anything else; without one, only plain bundles are read (tests, demo, the field store).
    """
    moment = now or dt.datetime.now(dt.timezone.utc)
    now_ms = int(moment.timestamp() * 1000)
    known_bundles = {entry.get("bundle_id") for entry in store.all(IMPORTS)}
    pending: dict[str, dict[str, Record]] = {table: {} for table in fmt.TABLES}
    reports, log_entries, latest = [], [], ""
    for source, raw in sources:
        report = BundleReport(source=source)
        reports.append(report)
        try:
            payload, signer = gate.open(raw, max_bytes) if gate is not None else (raw, None)
            data = read_bundle(payload, max_bytes, now_ms=now_ms)
            check_device(data, signer)
            writer = gate.writer(data, signer, now_ms) if gate is not None else None
            stored = _look_up(store, data)
            changes = _merge_bundle(store, pending, data, writer, stored)
        except Quarantined as waiting:
            report.status, report.reason = QUARANTINED, str(waiting)
            continue
        except BundleError as error:
            report.reason = str(error)
            if gate is not None:
                gate.refused(source, raw, error)
            continue
        report.counts = _counts(stored, pending, changes, data)
        for table, records in changes.items():
            pending[table].update(records)
        latest = max([latest, *_stamps_of(changes)])
        report.bundle_id, report.device_id, report.device_name = data["bundle_id"], data["device"]["id"], data["device"]["name"]
        report.status = ALREADY if data["bundle_id"] in known_bundles and not _changed(report.counts) else IMPORTED
        if report.status == IMPORTED:  # a pure replay writes nothing, not even a log line
            known_bundles.add(data["bundle_id"])
            log_entries.append(_log_entry(report, data, moment))
    trust_meta = gate.meta_update() if gate is not None else {}
    if log_entries or trust_meta:
        meta = {**(_advance_clock(store, latest) if log_entries else {}), **trust_meta}
        batch = {**{table: records.values() for table, records in pending.items()}, IMPORTS: log_entries} if log_entries else {}
        store.put(batch, meta)
    return reports


def check_device(data: dict[str, Any], device_id: str | None) -> None:
    """A sealed bundle speaks for the device that signed it only: no laptop writes as another."""
    if device_id is not None and data["device"]["id"] != device_id:
        raise BundleError("error.trust.device_mismatch", device=device_id, claimed=data["device"]["id"])


def _look_up(store: Store, data: dict[str, Any]) -> dict[str, dict[str, Record]]:
    """What the store holds, in either table, under every id the bundle brings: one query per
    table on a database store (`Store.get_many`) instead of several per record."""
    ids = [compact["id"] for table in fmt.TABLES for compact in data[table]]
    return {table: store.get_many(table, ids) for table in fmt.TABLES}


def _merge_bundle(
    store: Store, pending: dict[str, dict[str, Record]], data: dict[str, Any], writer: Writer | None, stored: dict[str, dict[str, Record]]
) -> dict[str, dict[str, Record]]:
    """The records this bundle changes, merged with the store and earlier bundles of this batch.

    With a `writer` (a laptop's bundle at the office), every record is first checked against
    the rights table: one record it may not write refuses the whole bundle. `stored`: what the
    store holds under the bundle's ids (`_look_up`)."""
    changes: dict[str, dict[str, Record]] = {table: {} for table in fmt.TABLES}
    arriving: dict[str, Record] = {}

    def find_visit(visit_id: str) -> Record | None:
        if visit_id in pending[VISITS]:
            return pending[VISITS][visit_id]
        if visit_id in arriving:  # the bundle's own visit, so it was looked up with the rest
            return stored[VISITS].get(visit_id) or arriving[visit_id]
        return store.get(VISITS, visit_id)

    for table in fmt.TABLES:
        other_table = next(name for name in fmt.TABLES if name != table)
        for compact in data[table]:
            record_id = compact["id"]
            if record_id in stored[other_table] or record_id in pending[other_table]:
                raise BundleError("error.bundle.type_clash", record_id=record_id)
            incoming = fmt.expand_record(compact)
            current = pending[table].get(record_id) or stored[table].get(record_id)
            if writer is not None:
                check_record(writer, current, incoming, find_visit)
            if table == VISITS:
                arriving[record_id] = incoming
            merged = settle(incoming) if current is None else merge_records(current, incoming)
            limits.check_record(merged)
            if current is None or merged != current:
                changes[table][record_id] = merged
    return changes


def _counts(stored: dict[str, dict[str, Record]], pending: dict[str, dict[str, Record]], changes: dict[str, dict[str, Record]], data: dict[str, Any]) -> dict[str, int]:
    """New means neither in the store nor brought by an earlier bundle of the same batch."""
    counts: dict[str, int] = {}
    for table in fmt.TABLES:
        new = sum(rid not in stored[table] and rid not in pending[table] for rid in changes[table])
        counts[f"{table}_new"] = new
        counts[f"{table}_updated"] = len(changes[table]) - new
        counts[f"{table}_unchanged"] = len(data[table]) - len(changes[table])
    counts["conflicts"] = sum(len(record["conflicts"]) for records in changes.values() for record in records.values())
    return counts


def _changed(counts: dict[str, int]) -> bool:
    return any(counts[f"{table}_{kind}"] for table in fmt.TABLES for kind in ("new", "updated"))


def _log_entry(report: BundleReport, data: dict[str, Any], moment: dt.datetime) -> dict[str, Any]:
    return {
        "id": new_id(),
        "bundle_id": report.bundle_id,
        "device_id": report.device_id,
        "device_name": report.device_name,
        "created_at": data["created_at"],
        "imported_at": moment.astimezone().isoformat(timespec="seconds"),
        "source": report.source,
        "status": report.status,
        "counts": report.counts,
    }


def _stamps_of(changes: dict[str, dict[str, Record]]):
    for records in changes.values():
        for record in records.values():
            yield from (register["stamp"] for register in record["fields"].values())


def _advance_clock(store: Store, latest: str) -> dict[str, Any]:
    """Receiving stamps moves this store's clock past them, so its next edits sort after."""
    meta = store.meta()
    if not latest or not meta.get("device_id"):
        return {}
    clock = HybridClock(meta["device_id"], meta.get("clock"))
    clock.observe(latest)
    return {"clock": clock.last}
