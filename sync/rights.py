"""Who may write what into the office's register: the rights table and its check at the import gate.

The office is the authority on its register. A laptop's bundle may *create* visits and matters
in its own name and *change* the capture-side fields of what it recorded; everything office-side
(status beyond recording and withdrawal, registration, acceptance, assignment dates, transfer,
extension, reply, review, close, the office's satisfaction, conflict resolutions, feedback,
links and the record of written notices printed, `notices`) comes only from the office. Whatever a laptop sends that the office already holds may
come back byte for byte (laptops re-export what the office sent them); anything new must be
stamped by the device that signed the bundle, and a stamp or entry key names one content forever.

`check_record` raises `BundleError` with a one-line reason naming the record, the field and the
rule; the importer calls it for every record of a bundle before anything is merged, so a bundle
with one bad register is refused whole. `docs/security.md` is this table in prose.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Callable

from fieldvisit.core.clock import Stamp
from fieldvisit.core.errors import BundleError
from fieldvisit.core.i18n import t
from fieldvisit.core.model import FLAGS, ISSUE_EDITABLE_FIELDS, SATISFACTION_LEVELS, VISIT_TEXT_FIELDS
from fieldvisit.core.records import Record, get_value, stamp_device
from fieldvisit.core.references import device_short
from fieldvisit.sync.canonical import canonical_bytes

RECORDER, FOLLOW_UP, OTHER_LAPTOP = "recorder", "follow_up", "other_laptop"
"""A laptop's role towards one record: it recorded it; the office sent it the matter to follow up
on site (a matter listed for it in the office-side field `follow_up_devices`); or neither."""

LAPTOP_STATUSES = frozenset({"recorded", "withdrawn"})
"""The statuses a laptop may set itself: a new matter, and a withdrawal heard on site."""
CLOCK_AHEAD_MS = 5 * 60 * 1000
"""New stamps may run at most this far ahead of the office's clock: a laptop whose clock is fast
must not outrank an officer's later write, nor drag the office's clock into the future."""

CREATED_WITH = {"visit": ("device",), "issue": ("visit_id", "ref")}
"""Fields a laptop writes only when it creates the record: who recorded it, and where."""


@dataclass(frozen=True)
class Rights:
    """What one role may write into one kind of record: fields, and map entries checked by a rule."""

    fields: frozenset[str]
    maps: dict[str, Callable[[dict[str, Any]], bool]]


def _laptop_transition(entry: dict[str, Any]) -> bool:
    """A laptop's status entries: a withdrawal, or undoing one (checked with the status value)."""
    return entry.get("to") == "withdrawn" or entry.get("from") == "withdrawn"


def _followup_entry(entry: dict[str, Any]) -> bool:
    """A follow-up heard on site: plain text values, and a rating (if any) from the scale."""
    return all(isinstance(value, str) for value in entry.values()) and entry.get("satisfaction", "") in ("", *SATISFACTION_LEVELS)


VISIT_CAPTURE = frozenset({*VISIT_TEXT_FIELDS, "site_kind", "date", "leaders", "status", *CREATED_WITH["visit"]})
ISSUE_CAPTURE = frozenset({*ISSUE_EDITABLE_FIELDS, *FLAGS, "raised_at", "recorded_by", "status", *CREATED_WITH["issue"]})
FOLLOW_UP_MAPS = {"followups": _followup_entry}
"""On-site follow-up (回访): feedback given face to face and the petitioner's satisfaction, added
by the laptop that recorded the matter or one the office sent it to (`follow_up_devices`, set by
`export --office --device`: `fieldvisit.office.followups.mark_for_device`)."""

OFFICE_MAPS = ("feedback", "links", "notices")
"""Maps only the office writes (no laptop role lists them): what it told the petitioner, links
between matters, and the written notices it printed (`office.notices`)."""

RIGHTS: dict[tuple[str, str], Rights] = {
    ("visit", RECORDER): Rights(VISIT_CAPTURE, {}),
    ("issue", RECORDER): Rights(ISSUE_CAPTURE, {"transitions": _laptop_transition, **FOLLOW_UP_MAPS}),
    ("issue", FOLLOW_UP): Rights(frozenset(), dict(FOLLOW_UP_MAPS)),
    ("visit", OTHER_LAPTOP): Rights(frozenset(), {}),
    ("issue", OTHER_LAPTOP): Rights(frozenset(), {}),
}
"""(record type, role) → rights. The office and its own devices may write everything."""


@dataclass(frozen=True)
class Writer:
    """Who a bundle speaks for: the device that signed it (or, plain, the one it claims)."""

    device_id: str
    now_ms: int


def check_record(writer: Writer, held: Record | None, incoming: Record, find_visit: Callable[[str], Record | None]) -> None:
    """Refuse `incoming` unless `writer` may write everything in it that `held` does not have.

    `held` is the office's copy (None for a record new to the office); `find_visit` finds a
    visit by id in the bundle or the office, so a new matter may sit on a visit arriving with it.
    """
    kind, record_id = incoming["type"], incoming["id"]
    role = RECORDER if held is None else _role(writer, held)
    rights = RIGHTS[(kind, role)]
    if held is None:
        _check_creation(writer, incoming, find_visit)
    for field in sorted(set(incoming["fields"]) | set(incoming.get("history", {}))):
        known = _pool(held, field) if held is not None else {}
        for stamp, register in sorted(_pool(incoming, field).items()):
            if stamp in known:
                if known[stamp] != register:
                    raise _refused("error.rights.stamp_reused", record_id, field, stamp=stamp)
                continue
            _check_new_stamp(writer, record_id, field, stamp)
            if field not in rights.fields or (held is not None and field in CREATED_WITH[kind]):
                raise _refused("error.rights.field", record_id, field, role=t(f"rights.role.{role}"))
            if register.get("resolves"):
                raise _refused("error.rights.resolves", record_id, field)
            if field == "status" and kind == "issue" and not _laptop_status(register["value"], held, incoming):
                raise _refused("error.rights.status", record_id, field, value=str(register["value"])[:40])
    for name, found in sorted(incoming.get("maps", {}).items()):
        known_entries = (held or {}).get("maps", {}).get(name, {})
        for key, entry in sorted(found.items()):
            if key in known_entries:
                if canonical_bytes(known_entries[key]) != canonical_bytes(entry):
                    raise _refused("error.rights.entry_reused", record_id, name, entry=key)
                continue
            _check_new_stamp(writer, record_id, name, entry["stamp"])
            rule = rights.maps.get(name)
            if rule is None or not isinstance(entry["value"], dict) or not rule(entry["value"]):
                raise _refused("error.rights.entry", record_id, name, role=t(f"rights.role.{role}"))


def origin_device(record: Record) -> str:
    """The device that created a record: the stamp of the first register of its creation field."""
    for field in CREATED_WITH[record["type"]]:
        stamps = list(_pool(record, field))
        if stamps:
            return stamp_device(min(stamps))
    return stamp_device(min(_all_stamps(record), default="-"))


def _role(writer: Writer, held: Record) -> str:
    if origin_device(held) == writer.device_id:
        return RECORDER
    if held["type"] == "issue" and writer.device_id in (get_value(held, "follow_up_devices") or []):
        return FOLLOW_UP
    return OTHER_LAPTOP


def _check_creation(writer: Writer, incoming: Record, find_visit: Callable[[str], Record | None]) -> None:
    """A new record is the writer's own: its visit's device, a matter's reference and visit."""
    record_id = incoming["id"]
    if incoming["type"] == "visit":
        if get_value(incoming, "device") != writer.device_id:
            raise _refused("error.rights.claims_device", record_id, "device", claimed=str(get_value(incoming, "device"))[:26])
        return
    ref = get_value(incoming, "ref")
    if not isinstance(ref, str) or ref.count("-") != 2 or ref.split("-")[1] != device_short(writer.device_id):
        raise _refused("error.rights.claims_device", record_id, "ref", claimed=str(ref)[:40])
    visit_id = get_value(incoming, "visit_id")
    visit = find_visit(visit_id) if isinstance(visit_id, str) else None
    if visit is None or get_value(visit, "device") != writer.device_id:
        raise _refused("error.rights.foreign_visit", record_id, "visit_id", visit=str(visit_id)[:26])


def _check_new_stamp(writer: Writer, record_id: str, field: str, stamp: str) -> None:
    if stamp_device(stamp) != writer.device_id:
        raise _refused("error.rights.foreign_stamp", record_id, field, stamp=stamp)
    ahead = Stamp.parse(stamp).wall_ms - writer.now_ms
    if ahead > CLOCK_AHEAD_MS:
        raise _refused("error.rights.clock_ahead", record_id, field, minutes=ahead // 60000)


def _laptop_status(value: Any, held: Record | None, incoming: Record) -> bool:
    """`recorded` and `withdrawn`, or undoing a withdrawal back to the status it interrupted."""
    if value in LAPTOP_STATUSES:
        return True
    transitions = list(incoming.get("maps", {}).get("transitions", {}).values())
    transitions += list((held or {}).get("maps", {}).get("transitions", {}).values())
    left = {entry["value"].get("from") for entry in transitions if entry["value"].get("to") == "withdrawn"}
    back = {entry["value"].get("to") for entry in transitions if entry["value"].get("from") == "withdrawn"}
    return value in left and value in back


def _pool(record: Record, field: str) -> dict[str, dict[str, Any]]:
    """stamp → the register's content (value, base, resolves), winner and history alike."""
    found = {stamp: _content(register) for stamp, register in record.get("history", {}).get(field, {}).items()}
    current = record["fields"].get(field)
    if current is not None:
        found[current["stamp"]] = _content(current)
    return found


def _content(register: dict[str, Any]) -> dict[str, Any]:
    content = {"value": register["value"], "base": register.get("base")}
    if register.get("resolves"):
        content["resolves"] = sorted(register["resolves"])
    return content


def _all_stamps(record: Record):
    for field in set(record["fields"]) | set(record.get("history", {})):
        yield from _pool(record, field)
    for entries in record.get("maps", {}).values():
        yield from (entry["stamp"] for entry in entries.values())


def _refused(message_key: str, record_id: str, field: str, **params: Any) -> BundleError:
    return BundleError(message_key, record_id=record_id, field=field, **params)
