"""Repeat visits (重复访): a new matter from the same person, or about the same thing, as an earlier one.

Same person: the same employee number, or the same name in the same unit. Same thing: the titles
and demands share most of their character pairs (bigram Jaccard similarity), which works on
Chinese text without a word segmenter. Suggestions only: the officer decides and links.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

SIMILAR = 0.5


@dataclass(frozen=True)
class RepeatSuggestion:
    issue_id: str
    earlier_id: str
    reason: str  # "person" | "text"
    score: float


def suggest_repeats(issues: list[dict[str, Any]], limit: int = 50) -> list[RepeatSuggestion]:
    """For each matter not yet marked repeat, earlier matters it probably repeats (newest first)."""
    ordered = sorted(issues, key=lambda issue: (issue.get("raised_at") or "", issue["id"]))
    by_person: dict[tuple, list[dict]] = {}
    bigrams = {issue["id"]: _bigrams(f"{issue.get('title', '')}{issue.get('demand', '')}") for issue in ordered}
    suggestions: list[RepeatSuggestion] = []
    seen: list[dict] = []
    for issue in ordered:
        if issue.get("status") == "withdrawn":
            continue
        keys = _person_keys(issue)
        earlier_same_person = [other for key in keys for other in by_person.get(key, [])]
        if not issue.get("repeat"):
            if earlier_same_person:
                suggestions.append(RepeatSuggestion(issue["id"], earlier_same_person[-1]["id"], "person", 1.0))
            else:
                best = max(((_jaccard(bigrams[issue["id"]], bigrams[other["id"]]), other) for other in seen[-2000:]), default=(0.0, None), key=lambda pair: pair[0])
                if best[1] is not None and best[0] >= SIMILAR and best[1].get("visit_id") != issue.get("visit_id"):
                    suggestions.append(RepeatSuggestion(issue["id"], best[1]["id"], "text", round(best[0], 2)))
        for key in keys:
            by_person.setdefault(key, []).append(issue)
        seen.append(issue)
    return sorted(suggestions, key=lambda s: s.issue_id, reverse=True)[:limit]


def _person_keys(issue: dict[str, Any]) -> list[tuple]:
    if issue.get("anonymous"):
        return []
    keys = []
    if issue.get("employee_no"):
        keys.append(("no", issue["employee_no"]))
    if issue.get("petitioner_name") and issue.get("unit"):
        keys.append(("name", issue["petitioner_name"], issue["unit"]))
    return keys


def _bigrams(text: str) -> frozenset[str]:
    cleaned = "".join(ch for ch in text if ch.isalnum())
    return frozenset(cleaned[i : i + 2] for i in range(len(cleaned) - 1))


def _jaccard(one: frozenset[str], other: frozenset[str]) -> float:
    if not one or not other:
        return 0.0
    return len(one & other) / len(one | other)
