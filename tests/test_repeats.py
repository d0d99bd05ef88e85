"""Repeat suggestions: the newest-first search gives exactly what comparing every matter gives."""

from __future__ import annotations

import random
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from fieldvisit.office.repeats import SIMILAR, WINDOW, bigrams, _jaccard, _person_keys, suggest_repeats


def every_matter_compared(issues: list[dict[str, Any]], limit: int) -> list[tuple]:
    """The plain definition: walk all matters oldest first, suggest for each, keep the newest."""
    ordered = sorted((issue for issue in issues if issue.get("status") != "withdrawn"), key=lambda issue: (issue.get("raised_at") or "", issue["id"]))
    by_person: dict[tuple, list[dict]] = {}
    found, seen = [], []
    for issue in ordered:
        keys = _person_keys(issue)
        same = [other for key in keys for other in by_person.get(key, [])]
        if not issue.get("repeat"):
            if same:
                found.append((issue["id"], same[-1]["id"], "person", 1.0))
            else:
                text = bigrams(f"{issue.get('title', '')}{issue.get('demand', '')}")
                scored = [(_jaccard(text, bigrams(f"{other.get('title', '')}{other.get('demand', '')}")), other) for other in seen[-WINDOW:]]
                best = max(scored, default=(0.0, None), key=lambda pair: pair[0])
                if best[1] is not None and best[0] >= SIMILAR and best[1].get("visit_id") != issue.get("visit_id"):
                    found.append((issue["id"], best[1]["id"], "text", round(best[0], 2)))
        for key in keys:
            by_person.setdefault(key, []).append(issue)
        seen.append(issue)
    return sorted(found, reverse=True)[:limit]


WORDS = ["工资", "拖欠", "养老金", "核定", "住房", "补贴", "井下", "通风", "安全", "医药费", "报销", "班车"]
matters = st.lists(
    st.fixed_dictionaries({
        "raised_at": st.sampled_from(["2026-10-01", "2026-10-02", "2026-10-03", ""]),
        "visit_id": st.sampled_from(["V1", "V2", "V3"]),
        "title": st.lists(st.sampled_from(WORDS), min_size=0, max_size=3).map("".join),
        "demand": st.lists(st.sampled_from(WORDS), min_size=0, max_size=2).map("".join),
        "employee_no": st.sampled_from(["", "1001", "1002"]),
        "petitioner_name": st.sampled_from(["", "张三", "李四"]),
        "unit": st.sampled_from(["", "一队", "二队"]),
        "anonymous": st.booleans(),
        "repeat": st.booleans(),
        "status": st.sampled_from(["recorded", "registered", "withdrawn"]),
    }),
    max_size=40,
)


@settings(max_examples=300, deadline=None)
@given(matters, st.integers(min_value=0, max_value=12))
def test_newest_first_equals_comparing_every_matter(issues, limit):
    for number, issue in enumerate(issues):
        issue["id"] = f"01M{number:023d}"
    got = [(s.issue_id, s.earlier_id, s.reason, s.score) for s in suggest_repeats(iter(issues), limit)]
    assert got == every_matter_compared(issues, limit)


def test_a_long_history_is_read_once_and_the_window_still_holds():
    rng = random.Random(5)
    issues = [
        {"id": f"01M{number:023d}", "raised_at": f"2026-{1 + number // 400:02d}-{1 + number % 28:02d}", "visit_id": f"V{number // 20}",
         "title": "".join(rng.sample(WORDS, 3)), "employee_no": str(rng.randrange(5000)) if rng.random() < 0.3 else "", "status": "registered"}
        for number in range(3000)
    ]
    consumed = []

    def reading():
        for issue in issues:
            consumed.append(issue["id"])
            yield issue

    got = [(s.issue_id, s.earlier_id, s.reason, s.score) for s in suggest_repeats(reading(), 50)]
    assert len(consumed) == len(issues)
    assert got == every_matter_compared(issues, 50)
