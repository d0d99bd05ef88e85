"""A matter's audit trail in words: every value written, status step, feedback, follow-up and notice printed,
oldest first, with when, who (the officer's name, the recorder's, or the device) and what, in
the officer's language: fields by their labels, codes by their labels, never raw keys.

Who wrote a value comes from the entries written with the same stamp (a status step's, a
feedback's or the office editor's `edits` entry: `editing.editor.EDITS`); the matter's own
creation is the recorder's; anything else is named by its device.
"""

from __future__ import annotations

from typing import Any, Callable

from fieldvisit.core.clock import local_minute, stamp_time
from fieldvisit.core.i18n import field_label, label, t
from fieldvisit.core.model import FLAGS
from fieldvisit.core.records import Record, entries, registers, stamp_device
from fieldvisit.core.references import device_short
from fieldvisit.core.text import one_line
from fieldvisit.editing.editor import EDITS, TRANSITIONS
from fieldvisit.office.corrections import is_correction, undone_stamps
from fieldvisit.office.notices import NOTICES
from fieldvisit.office.workflow import FEEDBACK, FOLLOWUPS

CODED = {"status": "status", "category": "category", "urgency": "urgency", "satisfaction": "satisfaction", "site_kind": "site_kind"}
"""Fields holding a code, shown by the label of `kind.code`."""
TIMES = ("raised_at",)
"""Fields holding a time with offset, shown to the minute."""


def history_lines(record: Record, visit_title: Callable[[str], str] | None = None) -> list[str]:
    """Oldest first: `time  who  what`. `visit_title` names a visit by its id (else its id)."""
    who = writer(record)
    found: list[tuple[str, str]] = []
    stepped = {entry["stamp"] for entry in entries(record, TRANSITIONS)}
    for field in record["fields"]:
        for register in registers(record, field):
            if field == "status" and register["stamp"] in stepped:
                continue  # the status step's own line says it, from → to, with the reason
            found.append((register["stamp"], f"{_field_name(field)} = {shown_value(field, register['value'], visit_title)}"))
    for entry in entries(record, TRANSITIONS):
        step = f"{label('status', entry.get('from')) or '—'} → {label('status', entry.get('to'))}"
        if is_correction(entry):  # an officer took back the step before: say which, and where it left the matter
            name = t(f"matter_actions.step.{entry.get('step') or 'undo'}")
            if entry.get("from") != entry.get("to"):
                found.append((entry["stamp"], t("matter_actions.history_line_status", step=name, field=field_label("status"), change=step)))
            else:
                found.append((entry["stamp"], t("matter_actions.history_line", step=name)))
            continue
        found.append((entry["stamp"], f"{field_label('status')}: {step} {one_line(str(entry.get('reason') or ''))}".rstrip()))
    for entry in entries(record, FEEDBACK):
        line = t("office.feedback_line", date=entry.get("date", ""), by=entry.get("by", ""), channel=label("channel", entry.get("channel")), content=one_line(str(entry.get("content", ""))))
        found.append((entry["stamp"], line))
    for entry in entries(record, FOLLOWUPS):  # heard face to face on a follow-up visit (回访)
        found.append((entry["stamp"], office_followup_line(entry)))
    for entry in entries(record, NOTICES):  # a written notice printed for the petitioner (书面告知)
        found.append((entry["stamp"], t("notices.history_line", kind=t(f"notices.kind.{entry.get('kind')}"), lang=t(f"notices.lang.{entry.get('lang')}"))))
    undone = undone_stamps(record)  # kept, and marked: the history shows the step and its undoing
    return [f"{stamp_time(stamp)}  {who(stamp)}  {what}{t('matter_actions.undone_mark') if stamp in undone else ''}" for stamp, what in sorted(found)]


def office_followup_line(entry: dict[str, Any]) -> str:
    """A follow-up heard on site, as the office's matter screen and history show it."""
    level, reason = entry.get("satisfaction") or "", one_line(str(entry.get("reason") or ""))
    rating = ""
    if level:
        rating = t("followup.rated_reason", level=label("satisfaction", level), reason=reason) if reason else t("followup.rated", level=label("satisfaction", level))
    content = one_line(str(entry.get("content") or "")) or "—"
    return t("report.followup.office_followup_line", date=entry.get("date") or "", by=entry.get("by") or "", content=content, rating=rating)


def writer(record: Record) -> Callable[[str], str]:
    """Who wrote under a stamp of `record`: the name signed with it, the recorder for the
    recording laptop's writes, else the device."""
    signed = _signers(record)
    creator = stamp_device(record["fields"]["ref"]["stamp"]) if "ref" in record["fields"] else None
    recorder = one_line(str((record["fields"].get("recorded_by") or {}).get("value") or ""))

    def who(stamp: str) -> str:
        if stamp in signed:
            return signed[stamp]
        device = stamp_device(stamp)
        if device == creator and recorder:
            return recorder
        return t("officer.by_device", device=device_short(device))

    return who


def _signers(record: Record) -> dict[str, str]:
    """Stamp → the name written with it by an entry that carries `by`."""
    found: dict[str, str] = {}
    for name in (EDITS, TRANSITIONS, FEEDBACK, FOLLOWUPS, NOTICES):
        for entry in entries(record, name):
            if entry.get("by"):
                found.setdefault(entry["stamp"], one_line(str(entry["by"])))
    return found


def _field_name(field: str) -> str:
    return label("flag", field) if field in FLAGS else field_label(field)


def shown_value(field: str, value: Any, visit_title: Callable[[str], str] | None = None) -> str:
    """A value as the officer reads it: labels for codes, yes / no, times to the minute."""
    if value is None or value == "" or value == []:
        return "—"
    if isinstance(value, bool):
        return t("officer.yes") if value else t("officer.no")
    if field in CODED and isinstance(value, str):
        return label(CODED[field], value)
    if field in TIMES and isinstance(value, str):
        return local_minute(value)
    if field == "visit_id" and isinstance(value, str):
        return one_line(visit_title(value)) if visit_title else value
    if field == "follow_up_devices" and isinstance(value, list):
        return "、".join(device_short(str(item)) for item in value)
    if field == "leaders" and isinstance(value, list):
        return "、".join(str(item.get("name", "")) for item in value if isinstance(item, dict))
    if isinstance(value, list):
        return "、".join(one_line(str(item)) for item in value)
    return one_line(str(value))

