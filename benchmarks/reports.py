"""Benchmark: a 200-matter visit summary PDF (target ≤ 3 s) and a period report over 100,000
matters (target ≤ 5 s), each timed end to end from the store's values to the written bytes.

The 200 matters are the demo laptop's 48 realistic matters repeated on one visit with their own
references (the text, so the glyph subset, is the demo's). The 100,000 matters are light value
dicts made here directly for `period_stats` (raised across a year on 50 visits; a third still
open, two thirds accepted, half replied, a third closed and rated), with the same fields a
merged office store holds. Median of 3 runs; exit 1 on a miss.

    /work/venv/bin/python benchmarks/reports.py
"""

from __future__ import annotations

import datetime as dt
import random
import statistics
import sys
import time

from fieldvisit.core.i18n import set_language

set_language("zh-CN")

from fieldvisit.demo.laptop import build_demo  # noqa: E402
from fieldvisit.core.model import DEFAULT_CATEGORIES  # noqa: E402
from fieldvisit.reports.data import period_report_from, visit_summary  # noqa: E402
from fieldvisit.reports.documents import report_document, summary_document  # noqa: E402
from fieldvisit.reports.fonts import find_font  # noqa: E402
from fieldvisit.reports.write import render  # noqa: E402
from fieldvisit.stores.store import ISSUES, VISITS, MemoryStore  # noqa: E402

ANCHOR = dt.date(2026, 11, 25)
NOW = dt.datetime(2026, 11, 25, 10, 0)
RUNS = 3
SUMMARY_TARGET = 3.0
REPORT_TARGET = 5.0


def two_hundred_matter_store() -> tuple[MemoryStore, str]:
    demo = build_demo(1, ANCHOR)
    visit = demo.all(VISITS)[0]
    store = MemoryStore()
    store.put({VISITS: [visit]}, demo.meta())
    matters = demo.all(ISSUES)
    copies = []
    for number in range(200):
        source = matters[number % len(matters)]
        fields = {name: dict(register) for name, register in source["fields"].items()}
        fields["visit_id"] = {**fields["visit_id"], "value": visit["id"]}
        fields["ref"] = {**fields["ref"], "value": f"20261120-BENC-{number + 1:03d}"}
        copies.append({**source, "id": f"{source['id'][:-4]}{number:04d}", "fields": fields})
    store.put({ISSUES: copies})
    return store, visit["id"]


def light_matters(count: int = 100_000) -> tuple[list[dict], list[dict]]:
    rng = random.Random(7)
    sites = [f"第{n}采区" for n in range(1, 51)]
    visits = [{"id": f"V{n:03d}", "site": sites[n]} for n in range(50)]
    first = dt.date(2025, 12, 1)
    issues = []
    for number in range(count):
        raised = first + dt.timedelta(days=rng.randrange(360))
        issue = {
            "id": f"I{number:06d}", "ref": f"{raised:%Y%m%d}-BENC-{number % 1000:03d}", "visit_id": f"V{rng.randrange(50):03d}",
            "title": "要求补发井下津贴差额", "category": rng.choice(DEFAULT_CATEGORIES), "raised_at": f"{raised.isoformat()}T09:00:00+08:00",
            "status": "registered", "department": rng.choice(["劳资科", "人力资源部", "工会"]), "assignee": rng.choice(["王磊", "李静"]),
            "first_owner": "王志刚", "repeat": rng.random() < 0.05, "collective": rng.random() < 0.1, "skip_level": rng.random() < 0.05,
        }
        luck = rng.random()
        if luck < 0.02:
            issue["status"] = "withdrawn"
        elif luck > 0.33:
            issue.update(status="accepted", accepted_at=(raised + dt.timedelta(days=rng.randint(1, 10))).isoformat())
            if luck > 0.5:
                replied = raised + dt.timedelta(days=rng.randint(15, 70))
                issue.update(status="replied", replied_at=replied.isoformat(), satisfaction=rng.choice(["satisfied", "basically_satisfied", "dissatisfied"]))
                if luck > 0.67:
                    issue.update(status="closed", closed_at=(replied + dt.timedelta(days=rng.randint(1, 20))).isoformat())
        issues.append(issue)
    return issues, visits


def timed(action) -> tuple[float, object]:
    times, result = [], None
    for _ in range(RUNS):
        start = time.perf_counter()
        result = action()
        times.append(time.perf_counter() - start)
    return statistics.median(times), result


def main() -> int:
    font = find_font()
    print(f"font: {font.path} (face {font.index}, {font.source})")
    store, visit_id = two_hundred_matter_store()
    seconds, data = timed(lambda: render(summary_document(visit_summary(store, visit_id), NOW), "pdf"))
    pages = data.count(b"/Type /Page\n") or data.count(b"/Type /Page")
    print(f"visit summary, 200 matters, PDF: {seconds:.2f} s ({len(data) / 1024:.0f} KiB, ~{pages} pages; target ≤ {SUMMARY_TARGET} s)")
    ok = seconds <= SUMMARY_TARGET

    started = time.perf_counter()
    issues, visits = light_matters()
    print(f"100,000 light matters generated in {time.perf_counter() - started:.1f} s (not timed)")
    for fmt in ("pdf", "txt"):
        seconds, data = timed(lambda: render(report_document(period_report_from(issues, visits, dt.date(2026, 11, 1), dt.date(2026, 11, 30), today=ANCHOR), NOW), fmt))
        print(f"period report (November) over 100,000 matters, {fmt}: {seconds:.2f} s ({len(data) / 1024:.0f} KiB; target ≤ {REPORT_TARGET} s)")
        ok &= seconds <= REPORT_TARGET
    seconds, _ = timed(lambda: render(report_document(period_report_from(issues, visits, dt.date(2025, 12, 1), dt.date(2026, 11, 30), today=ANCHOR), NOW), "pdf"))
    print(f"period report (whole year) over 100,000 matters, pdf: {seconds:.2f} s (target ≤ {REPORT_TARGET} s)")
    ok &= seconds <= REPORT_TARGET
    print("OK" if ok else "MISSED a target")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
