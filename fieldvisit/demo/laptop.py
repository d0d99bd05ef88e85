"""`fieldvisit demo`: a field store full of realistic Chinese sample visits and matters.

Each seed is another laptop (its own device id and name) with other sites and matters; the
same seed and anchor date give the same store, byte for byte. Visits fall in the weeks before
the anchor, so deadlines and "last time" look as they would on a real laptop.
"""

from __future__ import annotations

import datetime as dt
import random
from pathlib import Path

from fieldvisit.core import model
from fieldvisit.demo.text import SITES, SiteProfile, make_matter
from fieldvisit.editing.editor import Editor
from fieldvisit.core.errors import DemoRefusedError
from fieldvisit.stores.store import ISSUES, VISITS, MemoryStore, TinyDBStore

VISIT_SIZES = (20, 12, 9, 7)
"""Matters per visit: one long visit (the QR benchmark's 20 matters) and shorter ones."""
DAYS_BEFORE_ANCHOR = (3, 12, 26, 41)
MINUTES_BETWEEN_MATTERS = 6
RETIREES_CATEGORIES = ("retirees_benefits", "retirees_benefits", "social_insurance", "housing", "legacy", "other")
"""What retirees raise: their own benefits first, never shift allowances or face safety."""


class _SimulatedWall:
    """The demo's wall clock: it moves only when the generator says a matter took some minutes."""

    def __init__(self) -> None:
        self.ms = 0

    def __call__(self) -> int:
        return self.ms

    def set(self, moment: dt.datetime) -> None:
        self.ms = int(moment.timestamp() * 1000)


def build_demo(seed: int, anchor: dt.date) -> MemoryStore:
    """Generate the whole sample laptop in memory."""
    rng = random.Random(seed)
    wall = _SimulatedWall()
    wall.set(dt.datetime.combine(anchor - dt.timedelta(days=60), dt.time(8, 0)))
    store = MemoryStore()
    editor = Editor(store, wall=wall, rng=rng, device_name=f"下访笔记本-{seed:02d}")
    sites = _pick_sites(rng)
    plain = sum(size for site, size in zip(sites, VISIT_SIZES) if site.kind != "retirees")
    categories = _category_plan(rng, plain)
    for number, (site, size, days_before) in enumerate(zip(sites, VISIT_SIZES, DAYS_BEFORE_ANCHOR)):
        visit_date = anchor - dt.timedelta(days=days_before + rng.randint(0, 2))
        wall.set(dt.datetime.combine(visit_date, dt.time(8, 30 + rng.randint(0, 20))))
        editor.actor = site.recorder
        visit = editor.create_visit(visit_fields(site, visit_date))
        for _ in range(size):
            wall.set(dt.datetime.fromtimestamp(wall.ms / 1000) + dt.timedelta(minutes=rng.randint(3, MINUTES_BETWEEN_MATTERS * 2)))
            category = rng.choice(RETIREES_CATEGORIES) if site.kind == "retirees" else categories.pop()
            _record_one(editor, rng, visit["id"], visit_date, site, category)
        if number > 0:  # the latest visit is still open; the earlier ones were closed on the day
            editor.set_visit_status(visit["id"], "closed")
    _withdraw_one(editor, store, rng)
    return store


def write_demo_store(store_dir: Path, seed: int, anchor: dt.date) -> dict[str, int]:
    """Replace the demo store in `store_dir`; refuse to touch a store that holds real data."""
    path = Path(store_dir) / TinyDBStore.FILE_NAME
    with TinyDBStore(path) as existing:
        meta = existing.meta()
    if meta and not meta.get("demo"):
        raise DemoRefusedError(path=str(path))
    demo = build_demo(seed, anchor)
    path.unlink(missing_ok=True)
    with TinyDBStore(path) as store:
        store.put({VISITS: demo.all(VISITS), ISSUES: demo.all(ISSUES)}, {**demo.meta(), "demo": True, "demo_seed": seed})
    return {"visits": len(demo.all(VISITS)), "issues": len(demo.all(ISSUES))}


def visit_fields(site: SiteProfile, day: dt.date) -> dict:
    """The visit form a recorder fills in for a site profile on a day."""
    return {
        "title": site.title,
        "site": site.name,
        "site_kind": site.kind,
        "date": day.isoformat(),
        "leaders": [{"name": name, "post": post} for name, post in site.leaders],
        "recorder": site.recorder,
        "note": "",
    }


def _pick_sites(rng: random.Random) -> list[SiteProfile]:
    """Two mine districts (or teams), a workshop and a retirees' office, in a random order."""
    by_kind: dict[str, list[SiteProfile]] = {}
    for site in SITES:
        by_kind.setdefault(site.kind, []).append(site)
    mines = by_kind.get("mine_district", []) + by_kind.get("team", [])
    chosen = rng.sample(mines, 2) + [rng.choice(by_kind["workshop"]), rng.choice(by_kind["retirees"])]
    rng.shuffle(chosen)
    return chosen


def _category_plan(rng: random.Random, count: int) -> list[str]:
    """Every default category at least once, the rest weighted as grassroots visits run."""
    weights = {"wages": 5, "social_insurance": 3, "work_safety": 3, "working_conditions": 3, "housing": 2,
               "retirees_benefits": 2, "legacy": 2, "discipline": 1, "land": 1, "other": 1}
    plan = list(model.DEFAULT_CATEGORIES)
    plan += rng.choices(list(weights), weights=list(weights.values()), k=count - len(plan))
    rng.shuffle(plan)
    return plan


def _record_one(editor: Editor, rng: random.Random, visit_id: str, visit_date: dt.date, site: SiteProfile, category: str) -> None:
    matter = make_matter(rng, category, site)
    days = matter.pop("commitment_days")
    matter["promised_date"] = (visit_date + dt.timedelta(days=days)).isoformat() if days else ""
    matter["category"] = category
    leader_name = site.leaders[0][0] if matter["urgency"] == "normal" else rng.choice(site.leaders)[0]
    matter.setdefault("first_owner", leader_name)
    editor.record_issue(visit_id, matter)


def _withdraw_one(editor: Editor, store: MemoryStore, rng: random.Random) -> None:
    """One matter was settled on the spot and withdrawn by the petitioner, as happens."""
    issues = sorted(store.all(ISSUES), key=lambda record: record["id"])
    chosen = rng.choice(issues)
    editor.withdraw_issue(chosen["id"], "信访人表示现场已解决，撤回诉求")


