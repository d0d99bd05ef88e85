"""`fieldvisit office --demo`: a central store merged from several demo laptops, worked on by an office.

Three sample laptops hand over their visits; the office then registers, accepts, assigns, replies,
gives feedback and records satisfaction on some matters, leaves others to run late, and a laptop
edits a field the office changed meanwhile, so the register shows overdue matters and conflicts.
Deterministic for a given anchor date.
"""

from __future__ import annotations

import datetime as dt
import random
from pathlib import Path

from fieldvisit.demo.laptop import build_demo
from fieldvisit.editing.editor import Editor
from fieldvisit.core.errors import DemoRefusedError
from fieldvisit.core.records import values
from fieldvisit.stores.store import ISSUES, TinyDBStore
from fieldvisit.sync import bundle as fmt
from fieldvisit.sync.exporter import export_bundle
from fieldvisit.sync.importer import import_bundles
from fieldvisit.office.workflow import Workflow

SEEDS = (1, 2, 3)


def write_office_demo(store_dir: Path, anchor: dt.date) -> dict[str, int]:
    path = Path(store_dir) / TinyDBStore.FILE_NAME
    with TinyDBStore(path) as existing:
        meta = existing.meta()
    if meta and not meta.get("demo"):
        raise DemoRefusedError(path=str(path))
    path.unlink(missing_ok=True)
    rng = random.Random(20261125)
    laptops = [build_demo(seed, anchor) for seed in SEEDS]
    with TinyDBStore(path) as office:
        clock_ms = [int(dt.datetime.combine(anchor - dt.timedelta(days=40), dt.time(9)).timestamp() * 1000)]
        day = [anchor - dt.timedelta(days=40)]
        editor = Editor(office, actor="信访办 周敏", wall=lambda: clock_ms[0], rng=rng, device_name="信访办-01")
        editor.signs = True  # as the office app's editor: every change names the officer
        office.put({}, {"demo": True})
        workflow = Workflow(editor, today=lambda: day[0])
        import_bundles(office, [(f"laptop-{seed}", fmt.encode(export_bundle(laptop))) for seed, laptop in zip(SEEDS, laptops)], now=_utc(anchor))
        issues = sorted((values(record) for record in office.all(ISSUES)), key=lambda issue: issue["raised_at"])
        for issue in issues:
            if issue.get("status") == "withdrawn":
                continue
            raised = dt.date.fromisoformat(issue["raised_at"][:10])
            _work_on(workflow, issue, raised, anchor, rng, day, clock_ms)
        _concurrent_edit(office, editor, laptops[0], anchor, day, clock_ms)
        return {"issues": len(office.all(ISSUES)), "devices": len(SEEDS)}


def _work_on(workflow: Workflow, issue: dict, raised: dt.date, anchor: dt.date, rng: random.Random, day: list, clock_ms: list) -> None:
    """A plausible amount of office work for the matter's age; some matters are left to run late."""
    def at(date: dt.date) -> None:
        day[0] = min(date, anchor)
        clock_ms[0] = max(clock_ms[0] + 1000, int(dt.datetime.combine(day[0], dt.time(10)).timestamp() * 1000))

    luck = rng.random()
    at(raised + dt.timedelta(days=1))
    workflow.register(issue["id"])
    if luck < 0.15:
        return  # registered, never decided: overdue after 15 days
    at(raised + dt.timedelta(days=rng.randint(2, 10)))
    workflow.accept(issue["id"])
    if luck < 0.85:
        workflow.assign(issue["id"], department=issue.get("department") or "劳资科", assignee=rng.choice(["王磊", "李静", "陈刚", "赵丽"]))
    if luck < 0.35 or (anchor - raised).days < 12:
        return
    at(raised + dt.timedelta(days=rng.randint(10, 20)))
    workflow.add_feedback(issue["id"], rng.choice(["phone", "face_to_face", "wechat"]), "已告知办理进度，正在核实有关情况")
    if luck < 0.55:
        return
    at(raised + dt.timedelta(days=rng.randint(20, 30)))
    workflow.reply(issue["id"], "经核实，已按规定办理并书面答复")
    workflow.rate(issue["id"], rng.choices(["satisfied", "basically_satisfied", "dissatisfied"], [6, 3, 1])[0])
    if luck > 0.7:
        workflow.close(issue["id"])


def _concurrent_edit(office: TinyDBStore, editor: Editor, laptop, anchor: dt.date, day: list, clock_ms: list) -> None:
    """The office re-routes a matter while the laptop, not knowing, corrects the same field."""
    laptop_editor = Editor(laptop, wall=lambda: clock_ms[0] + 5000)
    target_record = sorted(laptop.all(ISSUES), key=lambda record: record["id"])[0]
    target = target_record["id"]
    current = values(target_record).get("department")
    laptop_value, office_value = [name for name in ("人力资源部", "工会", "劳资科") if name != current][:2]
    laptop_editor.update_issue(target, {"department": laptop_value})
    clock_ms[0] += 2000
    editor.update_issue(target, {"department": office_value})
    import_bundles(office, [("laptop-1 (later)", fmt.encode(export_bundle(laptop)))], now=_utc(anchor))


def _utc(anchor: dt.date) -> dt.datetime:
    return dt.datetime.combine(anchor, dt.time(12), tzinfo=dt.timezone.utc)
