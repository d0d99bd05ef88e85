"""Exporting from a store: a visit, several, or everything, as one bundle (docs/architecture.md §6)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

from fieldvisit.core.errors import FieldVisitError, NotFoundError
from fieldvisit.core.ids import new_id
from fieldvisit.core.records import Record, get_value
from fieldvisit.stores.storage import write_atomically
from fieldvisit.stores.store import ISSUES, VISITS, Store
from fieldvisit.sync import bundle as fmt
from fieldvisit.sync.canonical import canonical_bytes

FOLLOW_UP_DEVICES, FOLLOWUPS = "follow_up_devices", "followups"
"""The office-side field listing the laptops sent a matter to follow up on site, and the map of
what they brought back (docs/bundle-format.md §6.4)."""


def select_records(store: Store, visit_ids: list[str] | None = None, device_id: str | None = None) -> dict[str, list[Record]]:
    """The visits asked for (all when None; only those recorded on `device_id` if given) and their matters.

    Follow-ups (回访) travel with them: for `device_id` (the office's export for one laptop), the
    matters the office sent that laptop to follow up (`follow_up_devices`) and their visits; for
    chosen visits (a laptop's hand-over), the matters of earlier visits followed up on them."""
    visits = store.all(VISITS)
    if visit_ids is not None:
        known = {visit["id"] for visit in visits}
        missing = [visit_id for visit_id in visit_ids if visit_id not in known]
        if missing:
            raise NotFoundError(record_id=missing[0])
        visits = [visit for visit in visits if visit["id"] in set(visit_ids)]
    if device_id:
        visits = [visit for visit in visits if get_value(visit, "device") == device_id]
    chosen = {visit["id"] for visit in visits}
    issues, extra_visits = [], set()
    for issue in store.all(ISSUES):
        if get_value(issue, "visit_id") in chosen:
            issues.append(issue)
        elif (device_id and device_id in (get_value(issue, FOLLOW_UP_DEVICES) or [])) or _followed_up_on(issue, chosen):
            issues.append(issue)
            extra_visits.add(get_value(issue, "visit_id"))
    visits += [visit for visit in store.all(VISITS) if visit["id"] in extra_visits - chosen]
    return {VISITS: visits, ISSUES: issues}


def _followed_up_on(issue: Record, visit_ids: set[str]) -> bool:
    return any(entry["value"].get("visit_id") in visit_ids for entry in issue.get("maps", {}).get(FOLLOWUPS, {}).values())


def export_bundle(store: Store, visit_ids: list[str] | None = None, device_id: str | None = None) -> dict[str, Any]:
    meta = store.meta()
    if "device_id" not in meta:  # a store nothing was ever recorded in, or not a fieldvisit store
        raise FieldVisitError("error.export_store.empty", path=store.location)
    return fmt.build_bundle(
        select_records(store, visit_ids, device_id),
        device_id=meta["device_id"],
        device_name=meta.get("device_name", ""),
        bundle_id=new_id(),
        created_at=dt.datetime.now(dt.timezone.utc),
    )


def suggested_name(bundle: dict[str, Any]) -> str:
    """Named after the site and date of a one-visit bundle, else after the device."""
    visits = [fmt.expand_record(visit) for visit in bundle["visits"]]
    if len(visits) == 1:
        label, date = get_value(visits[0], "site", ""), get_value(visits[0], "date", "") or ""
    else:
        label, date = f"{bundle['device']['name']}-all", bundle["created_at"][:10]
    return fmt.file_name(label, date, bundle["bundle_id"])


def seal_bundle(bundle: dict[str, Any], keys: Any) -> dict[str, Any]:
    """The bundle sealed to the office of an enrolled laptop's `keys` (`trust.keys.DeviceKeys`) and signed."""
    from fieldvisit.sync import sealed  # PyNaCl only when a laptop seals: the field app starts without it

    return sealed.seal(bundle, bundle["device"]["id"], keys.sign_key, keys.office_box, keys.office["fingerprint"])


def write_bundle(bundle: dict[str, Any], out: Path, envelope: dict[str, Any] | None = None) -> Path:
    """Write into the folder `out` (a USB stick) under the suggested name, or to the file `out`
    when it names one: `*.fvb` is gzip, `*.json` plain canonical JSON for people and scripts.
    With `envelope` (an enrolled laptop) the sealed envelope is written instead of the bundle."""
    is_file = out.suffix.lower() in (fmt.SUFFIX, ".json") and not out.is_dir()
    target = out if is_file else out / suggested_name(bundle)
    target.parent.mkdir(parents=True, exist_ok=True)
    content = envelope or bundle
    payload = canonical_bytes(content) if target.suffix.lower() == ".json" else fmt.encode(content)
    write_atomically(target, payload)
    return target
