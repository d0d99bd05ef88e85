"""The one place that stamps writes: every change to a visit or matter goes through `Editor`.

The UI and the command line hand the editor plain form values; it cleans them with the model's
rules, takes a stamp from the device's hybrid logical clock, writes registers and grow-only map
entries, and saves the record together with the clock and counters in one atomic store write.

`actor` is the person who writes: on the laptop the recorder (the login name unless told),
in the office the officer who said who they are (`fieldvisit.office.officer`). A stamp names a
device, not a person, so an editor that `signs` (the office's) adds to every write that carries
no entry of its own with a `by` an `edits` entry `{"by": actor, "fields": "a,b"}` under the same
stamp: the history then says who changed each value.
"""

from __future__ import annotations

import copy
import datetime as dt
import random
import socket
from typing import Any, Callable

from fieldvisit.core import model
from fieldvisit.core.clock import HybridClock, Stamp, wall_clock_ms
from fieldvisit.core.errors import InputError, NotFoundError
from fieldvisit.core.ids import new_id
from fieldvisit.core.records import Record, add_entry, entries, get_value, heads, last_stamp, new_record, registers, set_fields
from fieldvisit.core.references import issue_reference
from fieldvisit.stores.store import ISSUES, VISITS, Store

SCHEMA_VERSION = 1
TRANSITIONS = "transitions"
EDITS = "edits"
"""Who wrote a change that has no step entry of its own (assignment, satisfaction, a resolved conflict)."""
RAISED_TIME = dt.time(12, 0)
"""The time of day written in `raised_at` when a matter is recorded on another day than its
visit (typing up notes the next morning): the visit's date at noon, local time, which no
time-zone difference moves to another day. On the visit's own day, the time it was entered."""
RECORDER_META = "recorder"
"""The store's meta key holding the name set once on the laptop (`fieldvisit config --recorder`)."""


class Editor:
    """Stamps and saves edits for one device on one store."""

    def __init__(
        self,
        store: Store,
        actor: str | None = None,
        wall: Callable[[], int] = wall_clock_ms,
        device_id: str | None = None,
        device_name: str | None = None,
        rng: random.Random | None = None,
    ):
        """`wall` and `rng` make every id and time reproducible (demo data, tests)."""
        self.store = store
        self._wall = wall
        self._rng = rng
        meta = store.meta()
        if not meta.get("device_id"):
            meta = {
                "schema": SCHEMA_VERSION,
                "device_id": device_id or (new_id(rng, wall()) if rng else new_id()),
                "device_name": device_name or socket.gethostname(),
                "created_at": _iso_from_ms(wall()),
            }
            store.put({}, meta)
        self.device_id: str = meta["device_id"]
        self.device_name: str = meta.get("device_name", "")
        self.actor = actor or meta.get(RECORDER_META) or ""
        self.signs = False
        """Whether plain field writes carry an `edits` entry naming `actor` (the office's editor)."""
        self.clock = HybridClock(self.device_id, meta.get("clock"), wall)

    # -- visits ---------------------------------------------------------------------------

    def create_visit(self, raw: dict[str, Any]) -> Record:
        fields = model.normalise_visit({"site_kind": "other", "date": "", "leaders": "", **raw})
        fields.update(device=self.device_id, status="open")
        visit = new_record(model.VISIT, self._new_id())
        self._write(VISITS, visit, fields)
        return visit

    def update_visit(self, visit_id: str, raw: dict[str, Any]) -> list[str]:
        visit = self._load(VISITS, visit_id)
        return self._write(VISITS, visit, model.normalise_visit(raw))

    def set_visit_status(self, visit_id: str, status: str) -> list[str]:
        if status not in model.VISIT_STATUSES:
            raise InputError("status", "error.bad_choice", value=status)
        return self._write(VISITS, self._load(VISITS, visit_id), {"status": status})

    # -- matters --------------------------------------------------------------------------

    def set_recorder(self, name: str) -> None:
        """The name written as recorder on this laptop's changes when a visit names none."""
        name = model.clean_text(name, "recorder")
        self.store.put({}, {RECORDER_META: name})
        self.actor = name

    def recorder_of(self, visit: Record | None) -> str:
        """Who a change on `visit` is by: the visit's recorder, else the laptop's own name."""
        named = get_value(visit, "recorder") if visit else ""
        return named or self.actor

    def raised_at(self, day: str, wall_ms: int | None = None) -> str:
        """`raised_at` for a matter raised on `day` (ISO date), see `RAISED_TIME`."""
        now = dt.datetime.fromtimestamp((self._wall() if wall_ms is None else wall_ms) / 1000).astimezone()
        raised = dt.date.fromisoformat(day)
        if raised == now.date():
            return now.isoformat(timespec="seconds")
        return dt.datetime.combine(raised, RAISED_TIME).astimezone().isoformat(timespec="seconds")

    def record_issue(self, visit_id: str, raw: dict[str, Any], categories=model.DEFAULT_CATEGORIES) -> Record:
        """Save a new matter raised on a visit, with its readable reference and first owner.
        It is raised on the visit's date (or on `raw["raised_on"]`, a correction), whenever it
        is typed in, so its deadlines and its month in the statistics are the visit's."""
        visit = self._load(VISITS, visit_id)
        raw = dict(raw)
        visit_date = get_value(visit, "date") or dt.date.fromtimestamp(self._wall() / 1000).isoformat()
        raised_on = model.parse_date(raw.pop("raised_on", None), "raised_on") or visit_date
        defaults = {"title": "", "category": "other", "urgency": "normal", "people": 1, "anonymous": False}
        fields = model.normalise_issue({**defaults, **raw}, categories)
        seq_key = f"{visit_date}-{self.device_id}"
        seq = int(self.store.meta().get("seq", {}).get(seq_key, 0)) + 1
        fields.update(
            visit_id=visit_id,
            ref=issue_reference(visit_date, self.device_id, seq),
            raised_at=self.raised_at(raised_on),
            recorded_by=self.recorder_of(visit),
            status="recorded",
        )
        issue = new_record(model.ISSUE, self._new_id())
        seqs = {**self.store.meta().get("seq", {}), seq_key: seq}
        # Recording is not a transition: raised_at, recorded_by and the stamp (device) say it.
        self._write(ISSUES, issue, fields, meta={"seq": seqs})
        return issue

    def update_issue(self, issue_id: str, raw: dict[str, Any], categories=model.DEFAULT_CATEGORIES) -> list[str]:
        """Correct a matter; `raw["raised_on"]` moves it to another day, keeping its time."""
        issue = self._load(ISSUES, issue_id)
        raw = dict(raw)
        changes = model.normalise_issue(raw, categories)
        raised_on = model.parse_date(raw.pop("raised_on", None), "raised_on")
        raised_at = get_value(issue, "raised_at") or ""
        if raised_on and raised_on != raised_at[:10]:
            changes["raised_at"] = _on_day(raised_at, raised_on) if raised_at else self.raised_at(raised_on)
        return self._write(ISSUES, issue, changes)

    def _by(self, issue: Record) -> str:
        """Who a change of a matter is by: its visit's recorder, else the laptop's name."""
        visit_id = get_value(issue, "visit_id")
        return self.recorder_of(self.store.get(VISITS, visit_id) if visit_id else None)

    def withdraw_issue(self, issue_id: str, reason: str) -> None:
        """Withdraw a matter: it stays in the store with the reason; nothing is hard-deleted."""
        reason = model.clean_text(reason, "reason")
        if not reason:
            raise InputError("reason", "error.reason_required")
        issue = self._load(ISSUES, issue_id)
        previous = get_value(issue, "status")
        if previous == "withdrawn":
            return
        transition = {"from": previous, "to": "withdrawn", "by": self._by(issue), "reason": reason}
        self._write(ISSUES, issue, {"status": "withdrawn"}, entries={TRANSITIONS: transition})

    def restore_issue(self, issue_id: str, reason: str = "") -> None:
        """Undo a withdrawal: the matter goes back to the status it had before."""
        issue = self._load(ISSUES, issue_id)
        if get_value(issue, "status") != "withdrawn":
            return
        earlier = [e for e in entries(issue, TRANSITIONS) if e["to"] == "withdrawn"]
        back_to = (earlier[-1]["from"] if earlier else None) or "recorded"
        transition = {"from": "withdrawn", "to": back_to, "by": self._by(issue), "reason": model.clean_text(reason, "reason")}
        self._write(ISSUES, issue, {"status": back_to}, entries={TRANSITIONS: transition})

    def resolve_conflict(self, table: str, record_id: str, field: str, value: Any) -> None:
        """Settle a field's concurrent edits with `value`: a normal stamped write that names
        every head it replaces, so the conflict disappears wherever this write is merged."""
        record = self._load(table, record_id)
        settled = [head["stamp"] for head in heads(registers(record, field))]
        self._write(table, record, {field: value}, resolves={field: settled})

    def change(
        self, table: str, record_id: str, changes: dict[str, Any], entries: dict[str, dict[str, Any]] | None = None, record: Record | None = None
    ) -> list[str]:
        """A stamped write of already-checked values and map entries (the office workflow's door).

        `record`: the copy (from `load`) the values were checked against, written on as it is:
        on a shared store a step checked on one read and saved on a later one could act twice;
        saved on the read it was checked on, it meets a conflict instead."""
        return self._write(table, record if record is not None else self._load(table, record_id), changes, entries=entries)

    def change_many(self, table: str, changes: dict[str, dict[str, Any]]) -> int:
        """The same stamped write on many records (record id → changes), saved in one store write:
        an office marking hundreds of matters must not rewrite its store hundreds of times."""
        if self.store.meta().get("clock"):
            self.clock.observe(self.store.meta()["clock"])
        changed = []
        for record_id, fields in changes.items():
            record = self._load(table, record_id)
            self.clock.observe(last_stamp(record))
            if set_fields(record, fields, self.clock.now()):
                changed.append(record)
        if changed:
            self.store.put({table: changed}, {"clock": self.clock.last})
        return len(changed)

    # -- the single stamping write --------------------------------------------------------

    def _write(
        self,
        table: str,
        record: Record,
        changes: dict[str, Any],
        entries: dict[str, dict[str, Any]] | None = None,
        meta: dict[str, Any] | None = None,
        resolves: dict[str, list[str]] | None = None,
    ) -> list[str]:
        # A write must sort after everything it replaces, even when this machine's clock is
        # behind the device that wrote the record: observe the record and the store's clock.
        for seen in (self.store.meta().get("clock"), last_stamp(record)):
            if seen:
                self.clock.observe(seen)
        stamp = self.clock.now()
        written = set_fields(record, changes, stamp, resolves)
        entries = dict(entries or {})
        if self.signs and written and not any("by" in value for value in entries.values()):
            entries[EDITS] = {"by": self.actor, "fields": ",".join(written)}
        for map_name, value in entries.items():
            when = Stamp.parse(stamp).wall_ms
            add_entry(record, map_name, self._new_id(when), {**value, "at": _iso_from_ms(when)}, stamp)
        if written or entries:
            self.store.put({table: [record]}, {**(meta or {}), "clock": self.clock.last})
        return written

    def _new_id(self, ms: int | None = None) -> str:
        """A ULID whose time part is `ms` (a stamp's wall time) so map keys sort like their stamps."""
        if self._rng is None and ms is None:
            return new_id()
        return new_id(self._rng, ms if ms is not None else self._wall())

    def load(self, table: str, record_id: str) -> Record:
        """A private copy of a record, safe to read while other writes happen."""
        return self._load(table, record_id)

    def _load(self, table: str, record_id: str) -> Record:
        record = self.store.get(table, record_id)
        if record is None:
            raise NotFoundError(record_id=record_id)
        return copy.deepcopy(dict(record))


def _iso_from_ms(ms: int) -> str:
    return dt.datetime.fromtimestamp(ms / 1000).astimezone().isoformat(timespec="seconds")


def _on_day(iso: str, day: str) -> str:
    """The moment `iso` moved to the date `day`, keeping its time of day and offset."""
    moment = dt.datetime.fromisoformat(iso)
    return moment.replace(year=int(day[:4]), month=int(day[5:7]), day=int(day[8:10])).isoformat(timespec="seconds")
