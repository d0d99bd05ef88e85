"""The office's register of laptops and the gate every import passes first (docs/architecture.md §6, issue 8).

Each device the office has heard from is kept in the office store's meta under `trust_devices`,
by device id: its public key (base64), fingerprint, name and state (pending → approved | rejected;
approved → revoked). The gate opens sealed envelopes before anything else is read: a bundle
sealed to another office, with a bad signature, damaged ciphertext, from a revoked or rejected
device, or claiming a known device with another key, is refused and changes nothing. A valid
bundle from a device not approved yet is kept as received in the quarantine folder beside the
store (nothing lost) and the device shows up as pending; approving it merges what waited,
rejecting it deletes what waited (the officer confirmed that nobody will merge it).
Once any device is on the register, plain unsigned bundles are refused unless allowed.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import re
import unicodedata
from collections import Counter
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from fieldvisit.locations.paths import Home
from fieldvisit.core.errors import BundleError, FieldVisitError, Quarantined
from fieldvisit.core.ids import is_id
from fieldvisit.core.records import get_value
from fieldvisit.core.references import device_short
from fieldvisit.stores.store import IMPORTS, VISITS, Store
from fieldvisit.sync import refusals as refusal_log
from fieldvisit.sync import sealed
from fieldvisit.sync.limits import MAX_PENDING_DEVICES, MAX_QUARANTINE_BYTES
from fieldvisit.sync.importer import REJECTED as IMPORT_REJECTED, check_device, import_bundles
from fieldvisit.sync.rights import Writer
from fieldvisit.sync.validate import DEFAULT_MAX_BYTES, decompress, read_bundle
from fieldvisit.trust.keys import OfficeKeys, b64, fingerprint, normalise_fingerprint

META_KEY = "trust_devices"
PENDING, APPROVED, REJECTED, REVOKED = "pending", "approved", "rejected", "revoked"
QUARANTINE_SUFFIX = ".fvb"
STEPS = {APPROVED: {PENDING, REJECTED}, REJECTED: {PENDING}, REVOKED: {APPROVED}}
"""For each state, the states a device may move to it from: revoked is final."""


def devices(store: Store) -> dict[str, dict[str, Any]]:
    return dict(store.meta().get(META_KEY, {}))


def known_devices(store: Store) -> dict[str, str]:
    """device id → name of every laptop this store has heard of: enrolled, or met in an import."""
    names = {entry.get("device_id"): entry.get("device_name", "") for entry in store.records(IMPORTS) if is_id(entry.get("device_id"))}
    for device_id, entry in devices(store).items():
        names[device_id] = entry.get("name", "") or names.get(device_id, "")
    for visit in store.records(VISITS):
        device_id = get_value(visit, "device")
        if is_id(device_id):
            names.setdefault(device_id, "")
    names.pop(store.meta().get("device_id"), None)
    return names


def resolve_device(store: Store, wanted: str) -> str:
    """The device id that `wanted` names: the id itself, the short code shown in references
    (`7K3Q`), or the device's name; an unknown or ambiguous name is an error, never a guess."""
    text = wanted.strip()
    names = known_devices(store)
    if text.upper() in names:
        return text.upper()
    found = sorted({device_id for device_id, name in names.items() if device_short(device_id) == text.upper() or (name and name == text)})
    if len(found) == 1:
        return found[0]
    if found:
        raise FieldVisitError("error.trust.ambiguous_device", wanted=text, found="、".join(found))
    raise FieldVisitError("error.trust.unknown_device", wanted=text)


def find_device(store: Store, fp: str) -> tuple[str, dict[str, Any]]:
    wanted = normalise_fingerprint(fp)
    for device_id, entry in devices(store).items():
        if entry["fingerprint"] == wanted:
            return device_id, entry
    raise FieldVisitError("error.trust.no_device", fingerprint=fp)


def set_state(store: Store, fp: str, state: str) -> tuple[str, dict[str, Any]]:
    """Move a device to `state` if the step is allowed (revoke only what was approved)."""
    device_id, entry = find_device(store, fp)
    if entry["state"] not in STEPS[state]:
        raise FieldVisitError("error.trust.bad_step", fingerprint=entry["fingerprint"], state=entry["state"], wanted=state)
    entry = {**entry, "state": state, "changed_at": _now()}
    store.put({}, {META_KEY: {**devices(store), device_id: entry}})
    return device_id, entry


def quarantined_files(quarantine: Path | None, device_id: str) -> list[Path]:
    """The bundles waiting for `device_id`: plain files directly in the quarantine folder, named
    exactly as `TrustGate` names them (never a glob, a link or anything outside the folder)."""
    if not quarantine or not quarantine.is_dir() or not is_id(device_id):
        return []
    name = re.compile(re.escape(device_id) + r"-[0-9a-f]{16}" + re.escape(QUARANTINE_SUFFIX))
    return sorted(
        entry
        for entry in quarantine.iterdir()
        if name.fullmatch(entry.name) and entry.is_file() and not entry.is_symlink()
    )


@dataclass(frozen=True)
class DeviceRow:
    """One line of the device register as the officer sees it (CLI list and the F6 screen)."""

    device_id: str
    fingerprint: str
    name: str
    state: str
    first_seen: str
    changed_at: str
    waiting: int
    lookalike: bool = False
    """Pending, and named like another device: perhaps someone posing as a colleague's laptop."""

    @property
    def code(self) -> str:
        """The short code this device's matters carry in their references."""
        return device_short(self.device_id)


STATE_ORDER = (PENDING, APPROVED, REJECTED, REVOKED)


def device_rows(store: Store, quarantine: Path | None) -> list[DeviceRow]:
    """Every device, those waiting for a decision first, then by first contact."""
    register = devices(store)
    names = Counter(_comparable(entry.get("name", "")) for entry in register.values())
    rows = [
        DeviceRow(
            device_id,
            entry["fingerprint"],
            entry.get("name", ""),
            entry["state"],
            entry.get("first_seen", ""),
            entry.get("changed_at", ""),
            len(quarantined_files(quarantine, device_id)),
            entry["state"] == PENDING and names[_comparable(entry.get("name", ""))] > 1,
        )
        for device_id, entry in register.items()
    ]
    return sorted(rows, key=lambda row: (STATE_ORDER.index(row.state) if row.state in STATE_ORDER else len(STATE_ORDER), row.first_seen, row.device_id))


def _comparable(name: str) -> str:
    """A device name as a person would read it: case, width and spacing do not tell names apart."""
    return "".join(unicodedata.normalize("NFKC", name).casefold().split())


class TrustGate:
    """Turns what arrived into bundle bytes for `read_bundle`, or refuses / quarantines it."""

    def __init__(self, store: Store, keys: OfficeKeys | None, quarantine: Path | None, allow_unsigned: bool = False, refusals: Path | None = None):
        self.store, self.keys, self.quarantine, self.allow_unsigned = store, keys, quarantine, allow_unsigned
        self.refusals = refusals
        self.register = devices(store)
        self.changed = False

    def open(self, raw: bytes, max_bytes: int = DEFAULT_MAX_BYTES) -> tuple[bytes, str | None]:
        """(bundle bytes, the device id that signed them, or None for a plain bundle)."""
        if raw.startswith(sealed.BINARY_MAGIC):  # from QR frames
            envelope = sealed.parse_binary(raw)
        else:
            text = decompress(raw, max_bytes)
            envelope = sealed.parse(text) if sealed.looks_sealed(text) else None
        if envelope is None:
            if self.register and not self.allow_unsigned:
                raise BundleError("error.trust.unsigned")
            return raw, None
        if self.keys is None:
            raise BundleError("error.trust.no_keys")
        if envelope.office != self.keys.fingerprint:
            raise BundleError("error.trust.other_office", office=envelope.office[:19], ours=self.keys.fingerprint)
        sealed.verify(envelope)
        device_id = envelope.device_id
        fp, entry = fingerprint(envelope.key), self.register.get(device_id)
        if entry is not None and (entry["fingerprint"] != fp or entry.get("key", b64(envelope.key)) != b64(envelope.key)):
            raise BundleError("error.trust.key_mismatch", device=device_id, fingerprint=entry["fingerprint"])
        _refuse_if_stopped(entry)
        inner = sealed.unseal(envelope, self.keys.box_key, max_bytes)
        if entry is not None and entry["state"] == APPROVED:
            return inner, device_id
        data = read_bundle(inner, max_bytes)  # only a bundle that would import is worth keeping
        check_device(data, device_id)
        self._quarantine(raw, device_id, envelope.key, data["device"]["name"])
        raise Quarantined(device=data["device"]["name"], fingerprint=fp)

    def writer(self, data: dict[str, Any], signer: str | None, now_ms: int) -> Writer:
        """Whose rights the bundle's records are checked with (`sync.rights`): the device that
        signed it, or the one a plain bundle claims — never this office, never a stopped device."""
        device_id = data["device"]["id"]
        if device_id == self.store.meta().get("device_id"):
            raise BundleError("error.rights.claims_office", device=device_id)
        if signer is None:  # a sealed bundle's device was looked at in `open`
            _refuse_if_stopped(self.register.get(device_id))
        return Writer(device_id, now_ms)

    def refused(self, source: str, raw: bytes, error: BundleError) -> None:
        """Log a refusal outside the store, which stays as it was (`sync.refusals`)."""
        refusal_log.record(self.refusals, source, raw, str(error), error.message_key, str(error.params.get("device", "")))

    def meta_update(self) -> dict[str, Any]:
        return {META_KEY: self.register} if self.changed else {}

    def _quarantine(self, raw: bytes, device_id: str, key: bytes, name: str) -> None:
        if self.quarantine is None:
            raise BundleError("error.trust.no_quarantine")
        self.quarantine.mkdir(parents=True, exist_ok=True)
        target = self.quarantine / f"{device_id}-{hashlib.sha256(raw).hexdigest()[:16]}{QUARANTINE_SUFFIX}"
        pending = sum(entry["state"] == PENDING for entry in self.register.values())
        if device_id not in self.register and pending >= MAX_PENDING_DEVICES:
            raise BundleError("error.limit.pending_devices", limit=MAX_PENDING_DEVICES)
        if not target.exists():
            waiting = sum(entry.stat().st_size for entry in self.quarantine.iterdir() if entry.suffix == QUARANTINE_SUFFIX and entry.is_file())
            if waiting + len(raw) > MAX_QUARANTINE_BYTES:
                raise BundleError("error.limit.quarantine_full", limit=f"{MAX_QUARANTINE_BYTES // 1024 // 1024} MiB")
            temp = target.with_suffix(".tmp")
            temp.write_bytes(raw)
            temp.replace(target)
        if device_id not in self.register:
            self.register[device_id] = {"key": b64(key), "fingerprint": fingerprint(key), "name": name, "state": PENDING, "first_seen": _now(), "changed_at": _now()}
            self.changed = True


def _refuse_if_stopped(entry: dict[str, Any] | None) -> None:
    """A revoked or rejected device is refused, signed or not."""
    if entry is not None and entry["state"] in (REVOKED, REJECTED):
        raise BundleError(f"error.trust.{entry['state']}", fingerprint=entry["fingerprint"])


def _now() -> str:
    return dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds").replace("+00:00", "Z")


def approve(store: Store, keys: OfficeKeys | None, quarantine: Path | None, fp: str, refusals: Path | None = None) -> tuple[str, dict[str, Any], list[Any]]:
    """Approve a device and merge what it sent while pending; merged files leave the quarantine."""
    device_id, entry = set_state(store, fp, APPROVED)
    files = quarantined_files(quarantine, device_id)
    gate = TrustGate(store, keys, quarantine, refusals=refusals)
    reports = import_bundles(store, [(str(path), path.read_bytes()) for path in files], gate=gate) if files else []
    for path, report in zip(files, reports):
        if report.status != IMPORT_REJECTED:
            path.unlink()
    return device_id, entry, reports


def reject(store: Store, quarantine: Path | None, fp: str) -> tuple[str, dict[str, Any], int]:
    """Reject a pending device and delete what it sent: sealed bundles nobody will ever merge
    (its later bundles are refused). Returns the number of files deleted."""
    device_id, entry = set_state(store, fp, REJECTED)
    deleted = 0
    for path in quarantined_files(quarantine, device_id):
        path.unlink(missing_ok=True)
        deleted += 1
    return device_id, entry, deleted


def office_gate(store: Store, home: Home, allow_unsigned: bool = False) -> TrustGate:
    """The gate for an office store: its keys when made (`office-keys.json` in its home), its quarantine."""
    keys_file = home.office_keys_file
    keys = OfficeKeys.load(keys_file) if keys_file is not None and keys_file.exists() else None
    return TrustGate(store, keys, home.quarantine_dir, allow_unsigned, home.refusals_file)
