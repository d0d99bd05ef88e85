"""Repeat visits (重复访): a new matter from the same person, or about the same thing, as an earlier one.

Same person: the same employee number, or the same name in the same unit. Same thing: the titles
and demands share most of their character pairs (bigram Jaccard similarity against the 2,000
matters raised before it), which works on Chinese text without a word segmenter. Suggestions only:
the officer decides and links.

A central store holds 100,000 matters, and the attention list shows the newest suggestions only.
So the matters are read once into small tuples, and candidates are examined newest first until
enough suggestions are found: each one's answer depends only on the matters raised before it.
"""

from __future__ import annotations

from bisect import bisect_left
from dataclasses import dataclass
from typing import Any, Iterable

from fieldvisit.office.facts import MatterFacts, Shared, facts_of
from fieldvisit.office.facts import _person_keys  # noqa: F401 - the tests' plain definition uses it

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
    """The same from the matters' facts (`office.facts`), as the office app keeps them."""
    ordered = sorted((matter for matter in matters if matter.status != "withdrawn"), key=_raised_then_id)
    by_person: dict[tuple, list[int]] = {}
    for position, matter in enumerate(ordered):
        for key in matter.persons:
            by_person.setdefault(key, []).append(position)
    bigrams: dict[int, frozenset[str]] = {}

    def grams(position: int) -> frozenset[str]:
        found = bigrams.get(position)
        if found is None:
            found = bigrams[position] = _bigrams(ordered[position].text)
        return found

    suggestions: list[RepeatSuggestion] = []
    for position in sorted(range(len(ordered)), key=lambda p: ordered[p].id, reverse=True):
        if len(suggestions) >= limit:
            break
        matter = ordered[position]
        if matter.marked:
            continue
        earlier = [p for key in matter.persons for p in by_person[key][: bisect_left(by_person[key], position)]]
        if earlier:
            suggestions.append(RepeatSuggestion(matter.id, ordered[earlier[-1]].id, "person", 1.0))
            continue
        own = grams(position)
        best, best_at = 0.0, None
        for other in range(max(0, position - WINDOW), position):
            score = _jaccard(own, grams(other))
            if best_at is None or score > best:
                best, best_at = score, other
        if best_at is not None and best >= SIMILAR and ordered[best_at].visit_id != matter.visit_id:
            suggestions.append(RepeatSuggestion(matter.id, ordered[best_at].id, "text", round(best, 2)))
    return suggestions


def _raised_then_id(matter: MatterFacts) -> tuple[str, str]:
    return (matter.raised_at, matter.id)


def _bigrams(text: str) -> frozenset[str]:
    cleaned = "".join(ch for ch in text if ch.isalnum())
    return frozenset(cleaned[i : i + 2] for i in range(len(cleaned) - 1))


def _jaccard(one: frozenset[str], other: frozenset[str]) -> float:
    if not one or not other:
        return 0.0
    return len(one & other) / len(one | other)
