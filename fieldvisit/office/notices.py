"""Written notices to the petitioner (书面告知, 信访工作条例): which one a matter's history allows,
what decision it carries, and the record that one was printed.

Each kind of notice tells the petitioner one decision the office took, so it exists only once
that decision is in the matter's status history (`transitions`): the acceptance notice after an
acceptance, the handling opinion after a reply, and so on. The decision's words are the reason
the officer typed with that step. Printing one is itself recorded on the matter, as an entry of
the grow-only map `notices` (which kind, in which language, by whom, when), so it syncs and
merges like any entry; only the office writes it (`sync/rights.py`).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from fieldvisit.core.errors import FieldVisitError
from fieldvisit.core.i18n import label, t
from fieldvisit.core.records import Record, entries, get_value
from fieldvisit.editing.editor import TRANSITIONS, Editor
from fieldvisit.office.corrections import is_correction, undone_stamps
from fieldvisit.stores.store import ISSUES

NOTICES = "notices"
"""The grow-only map of printed notices on a matter."""

KINDS = ("acceptance", "non_acceptance", "transfer", "handling", "review", "re_review")
"""受理告知书, 不予受理告知书, 转送/交办告知书, 处理意见书, 复查意见书, 复核意见书."""

HANDLING_FROM = frozenset({"accepted", "in_progress", "registered", "recorded"})
"""A reply from these statuses is the first handling opinion; a reply after `review` is the review's."""

FITS: dict[str, tuple[str, ...]] = {
    "accepted": ("acceptance",),
    "in_progress": ("acceptance",),
    "not_accepted": ("non_acceptance",),
    "transferred": ("transfer",),
    "replied": ("review", "handling"),
    "review": ("handling",),
    "re_review": ("review",),
    "closed": ("re_review", "review", "handling", "transfer", "non_acceptance"),
}
"""Status → the notices an officer is likely to print now, the most recent decision first."""


class NoticeUnavailableError(FieldVisitError):
    """The matter's history has no decision of that kind yet: nothing to tell in writing."""

    message_key = "notices.error.unavailable"


@dataclass(frozen=True)
class Decision:
    """The step a notice tells of: when, by whom, the officer's words, and the petitioner's
    request that started it (a review's reason), if any."""

    kind: str
    date: str
    """The day of the step, YYYY-MM-DD (from the entry's `at`)."""
    by: str
    text: str
    request: str = ""
    request_date: str = ""


def _is(kind: str, entry: dict[str, Any]) -> bool:
    start, end = entry.get("from"), entry.get("to")
    if start == end:
        return False  # an extension: the same status before and after
    return {
        "acceptance": end == "accepted",
        "non_acceptance": end == "not_accepted",
        "transfer": end == "transferred",
        "handling": end == "replied" and start in HANDLING_FROM,
        "review": end == "replied" and start == "review",
        "re_review": end == "closed" and start == "re_review",
    }[kind]


def standing_steps(record: Record) -> list[dict[str, Any]]:
    """The matter's status steps an officer did not undo, without the corrections themselves
    (`corrections`): an undone acceptance is no decision to tell the petitioner of."""
    undone = undone_stamps(record)
    return [entry for entry in entries(record, TRANSITIONS) if not is_correction(entry) and entry["stamp"] not in undone]


def decision(record: Record, kind: str) -> Decision:
    """The latest step of `kind` in the matter's history; `NoticeUnavailableError` when none."""
    if kind not in KINDS:
        raise FieldVisitError("error.bad_choice", value=kind)
    steps = standing_steps(record)
    found = [(index, entry) for index, entry in enumerate(steps) if _is(kind, entry)]
    if not found:
        raise NoticeUnavailableError(kind=t(f"notices.kind.{kind}"), status=label("status", get_value(record, "status") or "recorded"))
    index, entry = found[-1]
    text = str(entry.get("reason") or "")
    request, request_date = "", ""
    if kind in ("review", "re_review"):
        asked = [earlier for earlier in steps[:index] if earlier.get("to") == kind]
        if asked:
            request, request_date = str(asked[-1].get("reason") or ""), _day(asked[-1])
    return Decision(kind, _day(entry), str(entry.get("by") or ""), text, request, request_date)


def available(record: Record) -> list[str]:
    """Every kind whose decision the matter's history holds, in `KINDS` order."""
    steps = standing_steps(record)
    return [kind for kind in KINDS if any(_is(kind, entry) for entry in steps)]


def fitting(record: Record) -> list[str]:
    """The notices that fit the matter's status now (see `FITS`), those it has a decision for."""
    have = set(available(record))
    return [kind for kind in FITS.get(get_value(record, "status") or "recorded", ()) if kind in have]


def record_printed(editor: Editor, issue_id: str, kind: str, lang: str, doc_id: str) -> None:
    """Add the `notices` entry saying this notice was printed (`at` is stamped by the editor)."""
    if kind not in KINDS:
        raise FieldVisitError("error.bad_choice", value=kind)
    editor.change(ISSUES, issue_id, {}, entries={NOTICES: {"kind": kind, "lang": lang, "by": editor.actor, "doc_id": doc_id}})


def printed(record: Record) -> list[dict[str, Any]]:
    """The notices printed for the matter, oldest first."""
    return entries(record, NOTICES)


def _day(entry: dict[str, Any]) -> str:
    return str(entry.get("at") or "")[:10]
