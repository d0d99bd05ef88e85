"""Repeat visits (重复访): a new matter from the same person, or about the same thing, as an earlier one.

Same person: the same employee number, or the same name in the same unit. Same thing: the titles
and demands share most of their character pairs (bigram Jaccard similarity against the 2,000
matters raised before it), which works on Chinese text without a word segmenter. Suggestions only:
the officer decides and links.

A central store holds 100,000 matters, and the attention list shows the newest suggestions only.
So the matters' facts (`office.facts`) are put in order once, with an index of who raised each
(`RepeatIndex`, kept by the office app beside the facts), and candidates are examined newest
first until enough suggestions are found: each one's answer depends only on the matters raised
before it, found through the index (same person) or among the WINDOW raised just before (same thing).
"""

from __future__ import annotations

from bisect import bisect_left
from dataclasses import dataclass
from operator import attrgetter
from typing import Any, Iterable

from fieldvisit.office.facts import MatterFacts, Shared, facts_of
from fieldvisit.office.facts import _person_keys  # noqa: F401 - the tests' plain definition uses it

_RAISED_THEN_ID = attrgetter("raised_at", "id")
SIMILAR = 0.5
WINDOW = 2000
"""How many earlier matters a text is compared with."""


@dataclass(frozen=True)
class RepeatSuggestion:
    issue_id: str
    earlier_id: str
    reason: str  # "person" | "text"
    score: float


def suggest_repeats(issues: Iterable[dict[str, Any]], limit: int = 50) -> list[RepeatSuggestion]:
    """For the newest matters not yet marked repeat, the earlier matter each probably repeats
    (newest suggestions first, at most `limit`). `issues` (plain values) is read once, as it comes."""
    shared = Shared()
    return repeat_suggestions((facts_of(issue, shared) for issue in issues), limit)


def repeat_suggestions(matters: Iterable[MatterFacts], limit: int = 50) -> list[RepeatSuggestion]:
    """The same from the matters' facts (`office.facts`)."""
    return RepeatIndex(matters).suggestions(limit)


class RepeatIndex:
    """The matters in the order a repeat is judged in (raised, then id), an index of who raised
    each (employee number, name in unit) to their places, and the places newest first: what
    `suggestions` walks. Built once (a sort of every matter); a matter written since that keeps
    its place and who raised it is replaced in place (`replace`), so an officer's step does not
    mean sorting 100,000 matters again."""

    def __init__(self, matters: Iterable[MatterFacts]):
        ordered = [matter for matter in matters if matter.status != "withdrawn"]
        ordered.sort(key=_RAISED_THEN_ID)
        by_person: dict[tuple, list[int]] = {}
        for position, matter in enumerate(ordered):
            for key in matter.persons:
                found = by_person.get(key)
                if found is None:
                    by_person[key] = [position]
                else:
                    found.append(position)
        ids = [matter.id for matter in ordered]
        self.ordered, self.by_person = ordered, by_person
        self.place = {matter_id: position for position, matter_id in enumerate(ids)}
        self.newest = sorted(range(len(ids)), key=ids.__getitem__, reverse=True)

    def replace(self, matter: MatterFacts) -> bool:
        """Take a written matter in where it is; False when it moved, came, went or changed
        hands (the index must then be built again)."""
        position = self.place.get(matter.id)
        if position is None or matter.status == "withdrawn":
            return False
        was = self.ordered[position]
        if (was.raised_at, was.persons) != (matter.raised_at, matter.persons):
            return False
        self.ordered[position] = matter
        return True

    def suggestions(self, limit: int = 50) -> list[RepeatSuggestion]:
        """For the newest matters not yet marked repeat, the earlier matter each probably
        repeats (newest suggestions first, at most `limit`)."""
        ordered, by_person = self.ordered, self.by_person
        pairs: dict[int, frozenset[str]] = {}

        def grams(position: int) -> frozenset[str]:
            found = pairs.get(position)
            if found is None:
                found = pairs[position] = bigrams(ordered[position].text)
            return found

        suggestions: list[RepeatSuggestion] = []
        for position in self.newest:
            if len(suggestions) >= limit:
                break
            matter = ordered[position]
            if matter.marked:
                continue
            earlier = [p for key in matter.persons for p in by_person[key][: bisect_left(by_person[key], position)]]
            if earlier:
                suggestions.append(RepeatSuggestion(matter.id, ordered[earlier[-1]].id, "person", 1.0))
                continue
            window = range(max(0, position - WINDOW), position)
            found = text_repeat(matter, grams(position), ((ordered[other], grams(other)) for other in window))
            if found is not None:
                suggestions.append(found)
        return suggestions


def text_repeat(matter: MatterFacts, own: frozenset[str], earlier: Iterable[tuple[MatterFacts, frozenset[str]]]) -> RepeatSuggestion | None:
    """The earlier matter (with its character pairs, oldest first: the first of equal scores
    wins) whose text `matter` most probably repeats, if similar enough and from another visit."""
    best, best_matter = 0.0, None
    for other, grams in earlier:
        score = _jaccard(own, grams)
        if best_matter is None or score > best:
            best, best_matter = score, other
    if best_matter is not None and best >= SIMILAR and best_matter.visit_id != matter.visit_id:
        return RepeatSuggestion(matter.id, best_matter.id, "text", round(best, 2))
    return None


def bigrams(text: str) -> frozenset[str]:
    """The pairs of adjacent letters and digits of a text: what texts are compared by."""
    cleaned = "".join(ch for ch in text if ch.isalnum())
    return frozenset(cleaned[i : i + 2] for i in range(len(cleaned) - 1))


def _jaccard(one: frozenset[str], other: frozenset[str]) -> float:
    if not one or not other:
        return 0.0
    return len(one & other) / len(one | other)
