"""What a recorder typed before, offered again: units, departments, first owners, sites, leaders.

The same few units and departments come back visit after visit, so the field app completes
them from the laptop's own history (`history` → Textual's `SuggestFromList` in the form). Each
field's values are ordered by how often they were typed, the most recent first on a tie, so
the first character usually completes the right one. Frequent commitments ("三日内答复") come
from the catalogue, each with the days it promises, so picking one can fill the promised date.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from dataclasses import dataclass

from fieldvisit.core import model
from fieldvisit.core.i18n import t
from fieldvisit.core.records import values
from fieldvisit.stores.store import ISSUES, VISITS, Store

ISSUE_FIELDS = ("unit", "department", "first_owner", "commitment")
VISIT_FIELDS = ("site", "leaders")
COMMITMENTS: tuple[tuple[str, int | None], ...] = (
    ("suggest.commit_3_days", 3),
    ("suggest.commit_week", 7),
    ("suggest.commit_15_days", 15),
    ("suggest.commit_month", 30),
    ("suggest.commit_spot", None),
)
"""Frequent commitments (message key, days promised: None for none)."""


@dataclass(frozen=True)
class Commitment:
    text: str
    days: int | None


def frequent_commitments() -> list[Commitment]:
    """The catalogue's frequent commitments in the interface language."""
    return [Commitment(t(key), days) for key, days in COMMITMENTS]


def history(store: Store) -> dict[str, list[str]]:
    """Field → the distinct values typed on this laptop, most frequent first (then most recent).

    Issue fields come from the matters, `site` and `leaders` (as typed: "王志刚（矿长）、…")
    from the visits; each leader's name also counts for `first_owner`."""
    counts: dict[str, Counter[str]] = {name: Counter() for name in (*ISSUE_FIELDS, *VISIT_FIELDS)}
    latest: dict[str, dict[str, str]] = {name: {} for name in counts}

    def seen(name: str, text: object, when: str) -> None:
        value = str(text or "").strip()
        if value:
            counts[name][value] += 1
            if when > latest[name].get(value, ""):
                latest[name][value] = when

    for record in store.records(VISITS):
        visit = values(record)
        when = str(visit.get("date") or "")
        seen("site", visit.get("site"), when)
        leaders = visit.get("leaders") or []
        seen("leaders", model.leaders_text(leaders), when)
        for leader in leaders:
            seen("first_owner", leader.get("name"), when)
    for record in store.records(ISSUES):
        issue = values(record)
        when = str(issue.get("raised_at") or "")
        for name in ISSUE_FIELDS:
            seen(name, issue.get(name), when)
    ordered = {}
    for name, found in counts.items():
        recent_first = sorted(found, key=lambda value: latest[name].get(value, ""), reverse=True)
        ordered[name] = sorted(recent_first, key=lambda value: -found[value])  # stable: ties stay recent first
    return ordered


def commitment_suggestions(store_history: dict[str, list[str]]) -> list[str]:
    """The frequent commitments first, then those typed on this laptop."""
    frequent = [commitment.text for commitment in frequent_commitments()]
    return frequent + [text for text in store_history.get("commitment", []) if text not in frequent]


def promised_date(commitment: str, start: dt.date) -> dt.date | None:
    """The date a frequent commitment promises counted from `start` (the visit's day), or None."""
    for known in frequent_commitments():
        if known.text == commitment.strip() and known.days is not None:
            return start + dt.timedelta(days=known.days)
    return None


class History:
    """`history(store)` kept up to date: worked out again on first use after the store wrote
    visits or matters (it listens to the store), so a unit typed in one matter completes in the
    next."""

    def __init__(self, store: Store):
        self._store = store
        self._values: dict[str, list[str]] | None = None
        store.subscribe(self._written)

    def _written(self, written: dict) -> None:
        if VISITS in written or ISSUES in written:
            self._values = None

    def values(self, name: str) -> list[str]:
        if self._values is None:
            self._values = history(self._store)
        if name == "commitment":
            return commitment_suggestions(self._values)
        return self._values.get(name, [])
