"""Importing one bundle of 1,000 matters into the office's central store of 100,000 matters.

The central store holds 500 matters from each of 200 laptops, built the way the office builds it:
each laptop records its visits through a real `Editor` (follow-up edits, closed visits, the odd
withdrawal), its bundle is imported with `import_bundles`, the office assigns and re-routes
matters with its own `Editor`, and some laptops' late edits then arrive concurrently with the
office's, leaving conflicts. The bundle under test comes from one of those laptops: 500 of its
matters with 1-3 fields edited since, and 500 new ones from 25 new visits.

The import is measured exactly as `fieldvisit import` runs it: the store file opened with
`SplicingJSONStore` (which indexes the raw bytes instead of parsing them and splices the changed
records into the file it writes), `Editor(store)` for the office identity, then `import_bundles`.
Each import runs in a fresh subprocess on a fresh copy of the store file (median of RUNS, after one
uncounted warm-up run of each kind); its peak memory is that process's peak RSS (VmHWM) above an
interpreter that imports the same modules and stops. Baselines measured in the same run:
  - the same store file read, parsed, dumped and written durably with the same codec (orjson,
    sorted keys, temp file + fsync + rename): what any whole-file import cannot avoid;
  - stock TinyDB `JSONStorage` inserting / updating (by a query on "id") the same 1,000 final
    records one by one. That is far too slow to run at full size (hours), so it is timed for
    STOCK_OPS of them on a 5,000-matter store (STOCK_DEVICES laptops) and extrapolated linearly:
    by the number of writes, and by store file size, since each write parses and rewrites the
    whole file.
Targets: import ≤ 1.5× the load + dump baseline, ≥ 50× faster than stock TinyDB, and import peak
memory ≤ 4× the store file size.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import random
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import orjson
from tinydb import Query, TinyDB
from tinydb.storages import JSONStorage

from fieldvisit.demo.laptop import RETIREES_CATEGORIES, visit_fields
from fieldvisit.demo.text import SITES, make_matter
from fieldvisit.editing.editor import Editor
from fieldvisit.core.ids import new_id
from fieldvisit.core.model import DEFAULT_CATEGORIES, URGENCIES
from fieldvisit.core.records import get_value
from fieldvisit.stores.splice_store import SplicingJSONStore
from fieldvisit.stores.storage import write_atomically
from fieldvisit.stores.store import IMPORTS, ISSUES, VISITS, MemoryStore, TinyDBStore
from fieldvisit.sync import bundle as fmt
from fieldvisit.sync.canonical import canonical_bytes
from fieldvisit.sync.exporter import select_records
from fieldvisit.sync.importer import import_bundles
from fieldvisit.sync.merge import merge_records, settle

SEED = 20261120
DEVICES = 200
VISITS_PER_DEVICE = 25
MATTERS_PER_VISIT = 20  # 200 × 25 × 20 = 100,000 matters in the central store
HISTORY_DAYS = 730  # the laptops' visits spread over the two years before the office's backlog pass
FOLLOW_UP_SHARE = 0.30  # matters the recorder edits again a few days after the visit
WITHDRAWN_SHARE = 0.02
OFFICE_ASSIGN_SHARE = 0.10  # matters the office assigns to an officer
CONFLICT_SHARE = 0.02  # matters the office re-routes while the laptop, unaware, does too
BUNDLE_DEVICE = 137  # the laptop whose bundle is imported
BUNDLE_NEW_VISITS = 25  # 25 × 20 = 500 new matters; its 500 existing matters are all edited
RUNS = 3
STOCK_DEVICES = 10  # stock TinyDB store: the bundle laptop's matters and 9 others' = 5,000
STOCK_OPS = 100  # of the 1,000 records, half updates and half inserts, timed on stock TinyDB
TARGET_RATIO = 1.5
TARGET_SPEEDUP = 50.0
TARGET_MEMORY = 4.0

OFFICERS = ("周建华", "李秀英", "王卫东", "张丽娟", "刘国强", "陈晓燕", "杨志明", "赵雪梅")
OFFICE_NAME = "信访办汇总库"
START = time.perf_counter()


def progress(message: str) -> None:
    print(f"[{time.perf_counter() - START:6.1f}s] {message}", file=sys.stderr, flush=True)


class Wall:
    """A laptop's wall clock that moves only when the generator says time has passed."""

    def __init__(self, moment: dt.datetime) -> None:
        self.ms = int(moment.timestamp() * 1000)

    def __call__(self) -> int:
        return self.ms

    def set(self, moment: dt.datetime) -> None:
        self.ms = max(self.ms, int(moment.timestamp() * 1000))

    def advance(self, minutes: float) -> None:
        self.ms += int(minutes * 60_000)


def at(day: dt.date, hour: int, minute: int = 0) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(hour, minute))


# -- generating the central store ----------------------------------------------------------


class Laptop:
    """One device's own store and editor, as on the laptop that goes out on visits."""

    def __init__(self, number: int, first_day: dt.date):
        self.rng = random.Random(SEED * 1000 + number)
        self.wall = Wall(at(first_day - dt.timedelta(days=30), 9))
        self.store = MemoryStore()
        self.editor = Editor(self.store, wall=self.wall, rng=self.rng, device_name=f"下访笔记本-{number + 1:03d}")
        self.site_of: dict[str, object] = {}  # issue id → site profile

    def visit(self, day: dt.date, close: bool = True) -> list[str]:
        """A day's visit: the matters recorded on site, the visit closed, some followed up later."""
        rng, editor = self.rng, self.editor
        site = rng.choice(SITES)
        self.wall.set(at(day, 8, 30 + rng.randint(0, 20)))
        editor.actor = site.recorder
        visit_id = editor.create_visit(visit_fields(site, day))["id"]
        issue_ids = []
        for _ in range(MATTERS_PER_VISIT):
            self.wall.advance(rng.randint(3, 12))
            issue_ids.append(self._record(visit_id, day, site))
        if close:
            self.wall.advance(30)
            editor.set_visit_status(visit_id, "closed")
            self.wall.set(at(day + dt.timedelta(days=rng.randint(1, 5)), 14))
            for issue_id in issue_ids:
                if rng.random() < FOLLOW_UP_SHARE:
                    self.wall.advance(rng.randint(2, 9))
                    self.edit(issue_id, day)
                elif rng.random() < WITHDRAWN_SHARE:
                    self.wall.advance(rng.randint(2, 9))
                    editor.withdraw_issue(issue_id, "信访人表示现场已解决，撤回诉求")
        return issue_ids

    def _record(self, visit_id: str, day: dt.date, site) -> str:
        rng = self.rng
        category = rng.choice(RETIREES_CATEGORIES if site.kind == "retirees" else DEFAULT_CATEGORIES)
        matter = make_matter(rng, category, site)
        days = matter.pop("commitment_days")
        matter["promised_date"] = (day + dt.timedelta(days=days)).isoformat() if days else ""
        matter["category"] = category
        matter["first_owner"] = (site.leaders[0] if matter["urgency"] == "normal" else rng.choice(site.leaders))[0]
        issue_id = self.editor.record_issue(visit_id, matter)["id"]
        self.site_of[issue_id] = site
        return issue_id

    def edit(self, issue_id: str, day: dt.date, fields: tuple[str, ...] | None = None) -> list[str]:
        """The recorder corrects or completes 1-3 fields of a matter; always changes something."""
        rng = self.rng
        record = self.store.get(ISSUES, issue_id)
        fresh = make_matter(rng, get_value(record, "category"), self.site_of[issue_id])
        options = {
            "onsite_answer": fresh["onsite_answer"],
            "commitment": fresh["commitment"],
            "department": fresh["department"],
            "urgency": rng.choice([u for u in URGENCIES if u != get_value(record, "urgency")]),
            "promised_date": (day + dt.timedelta(days=rng.randint(7, 40))).isoformat(),
            "people": get_value(record, "people", 1) + rng.randint(1, 3),
        }
        chosen = fields or tuple(rng.sample(sorted(options), rng.randint(1, 3)))
        written = self.editor.update_issue(issue_id, {name: options[name] for name in chosen})
        if not written:  # the fresh text happened to be the same: write the commitment date instead
            later = (dt.date.fromisoformat(get_value(record, "promised_date") or day.isoformat()) + dt.timedelta(days=7))
            written = self.editor.update_issue(issue_id, {"promised_date": later.isoformat()})
        return written

    def bundle(self, visit_ids: list[str] | None, created_at: dt.datetime) -> dict:
        device_id = self.editor.device_id
        records = select_records(self.store, visit_ids=visit_ids, device_id=None if visit_ids else device_id)
        bundle_id = new_id(self.rng, int(created_at.timestamp() * 1000))
        return fmt.build_bundle(records, device_id, self.editor.device_name, bundle_id, created_at)


def build_central(anchor: dt.date) -> tuple[MemoryStore, Laptop]:
    """The office store after importing every laptop, plus the laptop whose bundle is tested."""
    rng = random.Random(SEED)
    backlog_day = anchor - dt.timedelta(days=34)  # laptops' visits end before, office pass after
    central = MemoryStore()
    office_wall = Wall(at(backlog_day - dt.timedelta(days=HISTORY_DAYS + 60), 9))
    office = Editor(central, wall=office_wall, rng=rng, device_name=OFFICE_NAME)
    office.actor = "信访办"
    late: list[tuple[Laptop, str]] = []  # (laptop, issue id) the office and the laptop both re-route
    assigned: list[str] = []
    kept = None
    for number in range(DEVICES):
        first_day = backlog_day - dt.timedelta(days=HISTORY_DAYS - rng.randint(0, 60))
        laptop = Laptop(number, first_day)
        days = sorted(rng.sample(range(HISTORY_DAYS - 70), VISITS_PER_DEVICE))
        issue_ids = []
        for offset in days:
            issue_ids += laptop.visit(first_day + dt.timedelta(days=offset + 1))
        imported = at(backlog_day - dt.timedelta(days=1), 17)
        raw = canonical_bytes(laptop.bundle(None, imported))
        (report,) = import_bundles(central, [(f"laptop-{number + 1:03d}.fvb", raw)], now=imported)
        assert report.status == "imported", report
        for issue_id in issue_ids:
            draw = rng.random()
            if draw < CONFLICT_SHARE:
                late.append((laptop, issue_id))
            elif draw < CONFLICT_SHARE + OFFICE_ASSIGN_SHARE:
                assigned.append(issue_id)
        if number == BUNDLE_DEVICE:
            kept = laptop
        if number % 20 == 19:
            progress(f"  {number + 1} laptops recorded and imported ({len(central.all(ISSUES)):,} matters)")

    progress(f"office pass: {len(assigned):,} matters assigned, {len(late):,} re-routed concurrently with the laptops")
    office_wall.set(at(backlog_day, 9))
    for issue_id in sorted(assigned):
        office_wall.advance(0.3)
        office.update_issue(issue_id, {"assignee": rng.choice(OFFICERS)})
    for laptop, issue_id in late:
        office_wall.advance(0.3)
        current = get_value(central.get(ISSUES, issue_id), "department")
        office.update_issue(issue_id, {"department": rng.choice([d for d in ("行政办公室", "企业管理部", "工会") if d != current])})

    by_laptop: dict[int, list[str]] = {}
    laptops: dict[int, Laptop] = {}
    for laptop, issue_id in late:  # the laptop re-routes the same matters without having seen it
        laptop.wall.set(at(backlog_day + dt.timedelta(days=1), 10))
        laptop.wall.advance(laptop.rng.randint(1, 30))
        laptop.edit(issue_id, backlog_day, fields=("department",))
        by_laptop.setdefault(id(laptop), []).append(get_value(laptop.store.get(ISSUES, issue_id), "visit_id"))
        laptops[id(laptop)] = laptop
    imported = at(backlog_day + dt.timedelta(days=3), 17)
    for key, visit_ids in by_laptop.items():
        laptop = laptops[key]
        raw = canonical_bytes(laptop.bundle(sorted(set(visit_ids)), imported))
        (report,) = import_bundles(central, [(f"{laptop.editor.device_name}-late.fvb", raw)], now=imported)
        assert report.status == "imported", report
    conflicts = sum(bool(record["conflicts"]) for record in central.all(ISSUES))
    progress(f"late laptop bundles imported: {conflicts:,} matters now carry a conflict")
    assert kept is not None
    return central, kept


def write_store(central: MemoryStore, path: Path) -> None:
    """The central store as the office keeps it on disk (`TinyDBStore`'s file)."""
    with TinyDBStore(path) as store:
        store.put({VISITS: central.all(VISITS), ISSUES: central.all(ISSUES), IMPORTS: central.all(IMPORTS)}, central.meta())


def build_test_bundle(laptop: Laptop, anchor: dt.date) -> tuple[dict, list[str]]:
    """The tested laptop's next bundle: 25 new visits (500 matters) and all 500 old matters edited."""
    old_issue_ids = sorted(issue["id"] for issue in laptop.store.all(ISSUES))
    for offset in range(BUNDLE_NEW_VISITS):
        laptop.visit(anchor - dt.timedelta(days=30 - offset), close=offset < BUNDLE_NEW_VISITS - 1)
    laptop.wall.set(at(anchor - dt.timedelta(days=4), 9))
    for issue_id in old_issue_ids:
        laptop.wall.advance(laptop.rng.randint(1, 8))
        laptop.edit(issue_id, anchor - dt.timedelta(days=4))
    return laptop.bundle(None, at(anchor - dt.timedelta(days=1), 18)), old_issue_ids


def final_records(central: MemoryStore, bundle: dict) -> list[tuple[dict, bool]]:
    """The 1,000 matters as the import leaves them, and whether each already existed."""
    result = []
    for compact in bundle[ISSUES]:
        incoming = fmt.expand_record(compact)
        current = central.get(ISSUES, compact["id"])
        result.append((settle(incoming) if current is None else merge_records(current, incoming), current is not None))
    return result


# -- measuring in fresh processes ------------------------------------------------------------


def child(mode: str, *args: str) -> dict:
    """Run one measurement in a fresh interpreter; returns what it printed as JSON."""
    done = subprocess.run([sys.executable, __file__, "--child", mode, *args], capture_output=True, text=True)
    if done.returncode != 0:
        raise RuntimeError(f"child {mode} failed:\n{done.stderr}")
    return json.loads(done.stdout.strip().splitlines()[-1])


def run_child(mode: str, args: list[str]) -> None:
    result: dict = {}
    if mode == "import":
        store_path, bundle_path = Path(args[0]), Path(args[1])
        raw = bundle_path.read_bytes()
        start = time.perf_counter()
        with SplicingJSONStore(store_path) as store:  # as `fieldvisit import` does (cli.import_command)
            Editor(store)
            (report,) = import_bundles(store, [(bundle_path.name, raw)])
        result = {"seconds": time.perf_counter() - start, "status": report.status, "reason": report.reason, "counts": report.counts}
    elif mode == "baseline":
        path = Path(args[0])
        start = time.perf_counter()
        data = orjson.loads(path.read_bytes())
        write_atomically(path, orjson.dumps(data, option=orjson.OPT_SORT_KEYS))
        result = {"seconds": time.perf_counter() - start}
    result["maxrss"] = peak_rss()
    print(json.dumps(result))


def peak_rss() -> int:
    """This process's peak RSS in bytes. On Linux `ru_maxrss` of a child spawned by this (large)
    generator process starts at the parent's size, so read the high-water mark of its own
    address space instead; elsewhere fall back to `ru_maxrss` (KiB on Linux, bytes on macOS)."""
    try:
        status = Path("/proc/self/status").read_text()
        return int(status.split("VmHWM:")[1].split()[0]) * 1024
    except (OSError, IndexError, ValueError):
        maxrss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
        return maxrss if sys.platform == "darwin" else maxrss * 1024


def fresh_copy(master: Path, target: Path) -> None:
    """A copy of the store already on disk, so a run does not pay for earlier runs' write-back."""
    for leftover in target.parent.glob(target.name + "*"):
        leftover.unlink()
    shutil.copyfile(master, target)
    os.sync()  # also the freed blocks of the last run's file: ext4 may discard them at the next commit


def time_stock_tinydb(folder: Path, central: MemoryStore, laptop: Laptop, finals: list[tuple[dict, bool]]) -> dict:
    """Stock TinyDB on a smaller store: time STOCK_OPS single inserts / updates of final records."""
    tested = laptop.editor.device_id
    devices = [tested] + sorted({get_value(v, "device") for v in central.all(VISITS)} - {tested})[: STOCK_DEVICES - 1]
    visits = [visit for visit in central.all(VISITS) if get_value(visit, "device") in set(devices)]
    visit_ids = {visit["id"] for visit in visits}
    issues = [issue for issue in central.all(ISSUES) if get_value(issue, "visit_id") in visit_ids]
    path = folder / "stock.json"
    with TinyDB(path, storage=JSONStorage) as db:
        db.table(VISITS).insert_multiple(visits)
        db.table(ISSUES).insert_multiple(issues)
    stock_bytes = path.stat().st_size
    ours_bytes = len(orjson.dumps({VISITS: {v["id"]: v for v in visits}, ISSUES: {i["id"]: i for i in issues}}, option=orjson.OPT_SORT_KEYS))
    updates = [final for final in finals if final[1]]
    inserts = [final for final in finals if not final[1]]
    ops = [op for pair in zip(updates, inserts) for op in pair][:STOCK_OPS]
    record_id = Query().id
    with TinyDB(path, storage=JSONStorage) as db:
        table = db.table(ISSUES)
        start = time.perf_counter()
        for record, existed in ops:
            if existed:
                table.update(record, record_id == record["id"])
            else:
                table.insert(record)
        seconds = time.perf_counter() - start
    return {"matters": len(issues), "ops": len(ops), "seconds": seconds, "stock_bytes": stock_bytes, "ours_bytes": ours_bytes}


def main() -> int:
    anchor = dt.date.today()
    with tempfile.TemporaryDirectory(prefix="fieldvisit-import-") as folder_name:
        folder = Path(folder_name)
        progress(f"generating the central store: {DEVICES} laptops × {VISITS_PER_DEVICE * MATTERS_PER_VISIT} matters")
        central, laptop = build_central(anchor)
        master = folder / "central.json"
        write_store(central, master)
        store_matters = len(central.all(ISSUES))
        store_bytes = master.stat().st_size
        progress(f"central store written: {store_matters:,} matters, {store_bytes / 1e6:.1f} MB")

        bundle, old_ids = build_test_bundle(laptop, anchor)
        bundle_path = folder / "laptop-bundle.fvb"
        bundle_path.write_bytes(fmt.encode(bundle))
        bundle_file_bytes = bundle_path.stat().st_size
        bundle_matters = len(bundle[ISSUES])
        bundle_json_bytes = len(canonical_bytes(bundle))
        finals = final_records(central, bundle)
        progress(f"bundle written: {bundle_matters} matters ({len(old_ids)} edited, {bundle_matters - len(old_ids)} new)")

        progress(f"stock TinyDB: {STOCK_OPS} single writes on a {STOCK_DEVICES * VISITS_PER_DEVICE * MATTERS_PER_VISIT:,}-matter store")
        stock = time_stock_tinydb(folder, central, laptop, finals)
        del central, finals, laptop

        idle = child("idle")
        imports, baselines = [], []
        run_path = folder / "run" / TinyDBStore.FILE_NAME
        run_path.parent.mkdir()
        for mode in ("baseline", "import"):  # warm-up, not counted: the first child after generation runs slow
            fresh_copy(master, run_path)
            child(mode, str(run_path), *([str(bundle_path)] if mode == "import" else []))
        for number in range(RUNS):
            fresh_copy(master, run_path)
            baselines.append(child("baseline", str(run_path)))
            fresh_copy(master, run_path)
            imports.append(child("import", str(run_path), str(bundle_path)))
            progress(f"run {number + 1}/{RUNS}: import {imports[-1]['seconds']:.2f} s, load+dump {baselines[-1]['seconds']:.2f} s")

    for result in imports:
        if result["status"] != "imported":
            print(f"import failed: {result['status']} {result['reason']}")
            return 1
    counts = imports[0]["counts"]
    ours = statistics.median(r["seconds"] for r in imports)
    floor = statistics.median(r["seconds"] for r in baselines)
    ratio = ours / floor
    per_op = stock["seconds"] / stock["ops"]
    size_factor = store_bytes / stock["ours_bytes"]
    stock_full = per_op * bundle_matters * size_factor
    speedup = stock_full / ours
    peak = max(r["maxrss"] for r in imports) - idle["maxrss"]
    floor_peak = max(r["maxrss"] for r in baselines) - idle["maxrss"]
    memory = peak / store_bytes

    def verdict(ok: bool) -> str:
        return "OK" if ok else "MISSED"

    print(f"central store          : {store_matters:,} matters from {DEVICES} devices, {store_bytes / 1e6:.1f} MB")
    print(f"bundle                 : {bundle_matters:,} matters ({counts['issues_updated']} updated, {counts['issues_new']} new, "
          f"{counts['conflicts']} conflicts), {bundle_file_bytes / 1e3:.0f} KB .fvb ({bundle_json_bytes / 1e3:.0f} KB of JSON)")
    print(f"import                 : median {ours:6.2f} s  (min {min(r['seconds'] for r in imports):.2f}, n={RUNS}, fresh process, fsync + rename)")
    print(f"load + dump (orjson)   : median {floor:6.2f} s  (min {min(r['seconds'] for r in baselines):.2f}, n={RUNS}, same file, same codec, fsync + rename)")
    print(f"ratio                  : {ratio:6.2f}×  (target ≤ {TARGET_RATIO}×) {verdict(ratio <= TARGET_RATIO)}")
    print(f"stock TinyDB measured  : {stock['seconds']:6.2f} s for {stock['ops']} single writes on {stock['matters']:,} matters "
          f"({stock['stock_bytes'] / 1e6:.1f} MB as JSONStorage writes it): {per_op * 1000:.0f} ms each")
    print(f"stock TinyDB extrapol. : {stock_full:6.0f} s for {bundle_matters:,} writes on the {store_matters:,}-matter store "
          f"(linear: × {bundle_matters / stock['ops']:.0f} writes, × {size_factor:.1f} file size)")
    print(f"speed-up               : {speedup:6.0f}×  (target ≥ {TARGET_SPEEDUP:.0f}×) {verdict(speedup >= TARGET_SPEEDUP)}")
    print(f"import peak memory     : {peak / 1e6:6.0f} MB RSS above a bare interpreter = {memory:.2f}× the store file "
          f"(load + dump alone: {floor_peak / 1e6:.0f} MB = {floor_peak / store_bytes:.2f}×)")
    print(f"memory target          : ≤ {TARGET_MEMORY:.0f}× the store file {verdict(memory <= TARGET_MEMORY)}")
    return 0 if ratio <= TARGET_RATIO and speedup >= TARGET_SPEEDUP and memory <= TARGET_MEMORY else 1


if __name__ == "__main__":
    if len(sys.argv) > 2 and sys.argv[1] == "--child":
        run_child(sys.argv[2], sys.argv[3:])
        sys.exit(0)
    sys.exit(main())
