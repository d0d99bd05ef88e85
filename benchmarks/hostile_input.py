"""What the hostile-input defences cost and what refusing hostile bundles costs (issue 13).

1. Refused bundles: each hostile file is imported with the real command, `fieldvisit import
   --data-dir DIR FILE`, in a fresh process, into an office store holding one demo laptop's 48
   matters; its peak memory (the child's own `ru_maxrss`, from `os.wait4`), its exit code and the
   store's bytes before and after are read. The same command importing a legitimate one-visit
   bundle is the baseline. Files: over the matters-per-bundle limit (50,001 matters), a plain
   JSON file just over the 64 MiB size limit, a 70 MiB gzip bomb, a field with more values than
   a field may keep, a title over its length limit, and a 1 MB bundle of fields no laptop may write.
   Targets: every hostile file refused with exit code 1, the store byte for byte unchanged, peak
   memory ≤ 500 MB.
2. With `--central`: the import time the gate's new checks (write rights and size limits) add,
   on the bundle benchmark of `import_bundle.py`: its 1,000-matter bundle (500 updated, 500 new)
   into its 100,000-matter central store, exactly as `fieldvisit import` runs it
   (`SplicingJSONStore`, `Editor`, `devices.office_gate`, `import_bundles`), each run a fresh
   process on a fresh copy of the store, RUNS of each after a warm-up of each, alternating:
   "checked" is the code as it is, "before" the same import with `sync.rights.check_record`,
   `sync.limits.check_bundle` and `sync.limits.check_record` replaced by no-ops, which is the
   import as it was before issue 13. Target: median checked ≤ 1.10 × median before.
   `--keep DIR` keeps the generated store between runs (shared with `trust_overhead.py --keep`).

The frame-storm figure (400 hostile QR frames) is `hostile_qr.py`'s. Exits 1 when a target is missed.
"""

from __future__ import annotations

import argparse
import datetime as dt
import gzip
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from fieldvisit.locations.paths import Home
from fieldvisit.demo.laptop import build_demo
from fieldvisit.core.ids import new_id
from fieldvisit.core.model import MAX_LENGTHS
from fieldvisit.stores.store import VISITS
from fieldvisit.sync import bundle as fmt
from fieldvisit.sync import limits
from fieldvisit.sync.canonical import canonical_bytes
from fieldvisit.sync.exporter import export_bundle
from fieldvisit.sync.validate import DEFAULT_MAX_BYTES

MAX_PEAK_MB = 500
MAX_CHECK_RATIO = 1.10
RUNS = 5
START = time.perf_counter()


def progress(message: str) -> None:
    print(f"[{time.perf_counter() - START:6.1f}s] {message}", file=sys.stderr, flush=True)


# -- 1. refused bundles ----------------------------------------------------------------------


class Forge:
    """Hand-written bundles of one laptop, as a hostile or broken program could write them."""

    def __init__(self):
        self.device = new_id()
        self.visit_id = new_id()
        self.ms = int(time.time() * 1000) - 3_600_000
        self.count = 0

    def stamp(self, back: int = 0) -> str:
        return f"{self.ms - back:013d}-0000-{self.device}"

    def visit(self) -> dict:
        fields = {"device": {"v": self.device}, "title": {"v": "下访"}, "site": {"v": "三采区"}, "status": {"v": "open"}}
        return {"id": self.visit_id, "type": "visit", "stamp": self.stamp(), "fields": fields}

    def issue(self, **extra) -> dict:
        self.count += 1
        fields = {"visit_id": {"v": self.visit_id}, "ref": {"v": f"20261124-{self.device[-4:]}-{self.count:03d}"},
                  "status": {"v": "recorded"}, "title": {"v": "井下津贴少发"}, **extra}
        return {"id": new_id(), "type": "issue", "stamp": self.stamp(), "fields": fields}

    def body(self, issues: list[dict]) -> dict:
        body = {"format": fmt.FORMAT, "version": fmt.VERSION, "bundle_id": new_id(), "created_at": "2026-11-24T08:00:00Z",
                "device": {"id": self.device, "name": "笔记本"}, "visits": [self.visit()], "issues": issues}
        body["digest"] = fmt.digest_of(body)
        return body


def hostile_files(folder: Path) -> dict[str, Path]:
    forge = Forge()
    files: dict[str, Path] = {}

    def write(name: str, raw: bytes) -> None:
        files[name] = folder / name
        files[name].write_bytes(raw)

    write("too-many-matters.fvb", fmt.encode(forge.body([forge.issue() for _ in range(limits.MAX_ISSUES + 1)])))
    filler = forge.body([forge.issue(detail={"v": "长" * 9000}) for _ in range(DEFAULT_MAX_BYTES // 27000 + 10)])
    write("over-64-MiB.json", canonical_bytes(filler))
    with gzip.open(folder / "bomb.fvb", "wb", compresslevel=9) as bomb:
        chunk = b" " * (1024 * 1024)
        for _ in range(70):
            bomb.write(chunk)
    files["bomb.fvb"] = folder / "bomb.fvb"
    deep = forge.issue()
    deep["history"] = {"title": {forge.stamp(back): {"v": f"第{back}稿"} for back in range(1, limits.MAX_REGISTERS + 1)}}
    write("too-many-values.fvb", fmt.encode(forge.body([deep])))
    write("title-too-long.fvb", fmt.encode(forge.body([forge.issue(title={"v": "长" * (MAX_LENGTHS["title"] + 1)})])))
    unknown = [forge.issue(**{f"x{n}": {"v": n} for n in range(90)}) for _ in range(700)]
    write("fields-no-laptop-may-write.fvb", fmt.encode(forge.body(unknown)))
    return files


PEAK_WRAPPER = """
import atexit, os, sys
def peak():
    status = open("/proc/self/status").read()
    os.write(int(os.environ["PEAK_FD"]), status.split("VmHWM:")[1].split()[0].encode())
atexit.register(peak)
from fieldvisit.cli import main
main(sys.argv[1:], prog_name="fieldvisit")
"""
"""`fieldvisit ARGS` run as the console script runs it, writing its own peak RSS (KiB) to the
pipe `PEAK_FD` on exit: a child's `ru_maxrss` on Linux starts at the size of the process that forked it."""


def run_import(data_dir: Path, source: Path) -> tuple[int, int, float]:
    """(exit code, peak RSS in bytes, seconds) of one `fieldvisit import` in a fresh process."""
    read_end, write_end = os.pipe()
    started = time.perf_counter()
    child = subprocess.Popen([sys.executable, "-c", PEAK_WRAPPER, "import", "--data-dir", str(data_dir), "--lang", "en", str(source)],
                             stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, pass_fds=(write_end,),
                             env={**os.environ, "PEAK_FD": str(write_end)})
    os.close(write_end)
    code = child.wait()
    with os.fdopen(read_end, "rb") as report:
        peak_kib = int(report.read() or 0)
    return code, peak_kib * 1024, time.perf_counter() - started


def refused_bundles() -> bool:
    ok = True
    with tempfile.TemporaryDirectory(prefix="fieldvisit-hostile-") as scratch_name:
        scratch = Path(scratch_name)
        laptop = build_demo(1, dt.date.today() - dt.timedelta(days=3))
        (scratch / "first.fvb").write_bytes(fmt.encode(export_bundle(laptop)))
        visit_id = sorted(visit["id"] for visit in laptop.all(VISITS))[0]
        (scratch / "one-visit.fvb").write_bytes(fmt.encode(export_bundle(laptop, [visit_id])))
        data_dir = scratch / "data"
        code, _, _ = run_import(data_dir, scratch / "first.fvb")
        assert code == 0, "the demo laptop's first bundle did not import"
        store = data_dir / "office" / "fieldvisit.json"
        progress("writing the hostile files")
        files = hostile_files(scratch)

        master = store.read_bytes()
        code, base_peak, base_seconds = run_import(data_dir, scratch / "one-visit.fvb")
        print(f"baseline: a legitimate one-visit bundle: exit {code}, peak {base_peak / 1e6:.0f} MB, {base_seconds:.2f} s")
        store.write_bytes(master)
        print(f"{'hostile file':34} {'size':>10} {'exit':>4} {'peak MB':>8} {'× base':>7} {'s':>6}  store")
        for name, path in files.items():
            before = store.read_bytes()
            code, peak, seconds = run_import(data_dir, path)
            unchanged = store.read_bytes() == before
            good = code == 1 and unchanged and peak <= MAX_PEAK_MB * 1e6
            ok &= good
            print(f"{name:34} {path.stat().st_size:>10,} {code:>4} {peak / 1e6:>8.0f} {peak / base_peak:>7.2f} {seconds:>6.2f}  "
                  f"{'unchanged' if unchanged else 'CHANGED'}  {'PASS' if good else 'MISS'}")
    print(f"target: each refused (exit 1), store unchanged, peak ≤ {MAX_PEAK_MB} MB: {'PASS' if ok else 'MISS'}")
    return ok


# -- 2. the checks' cost on the 100,000-matter import (--central) -----------------------------


def checks_off() -> None:
    """The import as it was before issue 13: no rights table, no size limits."""
    from fieldvisit.sync import importer, validate

    importer.check_record = lambda *args: None
    importer.limits.check_record = lambda *args: None
    validate.limits.check_bundle = lambda *args: None


def child_import(mode: str, store_path: str, bundle_path: str) -> None:
    from fieldvisit.trust.devices import office_gate
    from fieldvisit.editing.editor import Editor
    from fieldvisit.stores.splice_store import SplicingJSONStore
    from fieldvisit.sync.importer import import_bundles

    if mode == "before":
        checks_off()
    raw = Path(bundle_path).read_bytes()
    start = time.perf_counter()
    with SplicingJSONStore(Path(store_path)) as store:  # as `fieldvisit import` does
        Editor(store)
        (report,) = import_bundles(store, [(Path(bundle_path).name, raw)], gate=office_gate(store, Home.beside(store.path)))
    print(json.dumps({"seconds": time.perf_counter() - start, "status": report.status, "reason": report.reason}))


def central(keep: Path | None, runs: int) -> bool:
    sys.path.insert(0, str(Path(__file__).resolve().parent))
    import trust_overhead

    with tempfile.TemporaryDirectory(prefix="fieldvisit-checks-") as scratch_name:
        scratch = Path(scratch_name)
        master, bundle = trust_overhead.generate(keep or scratch / "store")
        target = scratch / "run" / "fieldvisit.json"
        target.parent.mkdir()
        gen = trust_overhead.generator()
        results: dict[str, list[float]] = {"checked": [], "before": []}

        def one(mode: str) -> float:
            gen.fresh_copy(master, target)
            done = subprocess.run([sys.executable, __file__, "--child", mode, str(target), str(bundle)], capture_output=True, text=True)
            if done.returncode != 0:
                raise RuntimeError(done.stderr[-3000:])
            result = json.loads(done.stdout.strip().splitlines()[-1])
            if result["status"] != "imported":
                raise RuntimeError(f"{mode} import refused: {result['reason']}")
            return result["seconds"]

        for mode in results:
            progress(f"warm-up {mode}: {one(mode):.2f} s (not counted)")
        for number in range(runs):
            for mode in (("checked", "before") if number % 2 == 0 else ("before", "checked")):
                results[mode].append(one(mode))
            progress(f"pair {number + 1}/{runs}: checked {results['checked'][-1]:.2f} s, before {results['before'][-1]:.2f} s")
    medians = {mode: statistics.median(times) for mode, times in results.items()}
    ratio = medians["checked"] / medians["before"]
    for mode, times in results.items():
        print(f"{mode:8} median {medians[mode]:.2f} s  (min {min(times):.2f}, max {max(times):.2f}, n = {len(times)})")
    good = ratio <= MAX_CHECK_RATIO
    print(f"checked / before = {ratio:.3f} (target ≤ {MAX_CHECK_RATIO:.2f}): {'PASS' if good else 'MISS'}")
    return good


def main() -> int:
    if len(sys.argv) > 1 and sys.argv[1] == "--child":
        child_import(*sys.argv[2:5])
        return 0
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--central", action="store_true", help="also time the checks on the 100,000-matter import")
    parser.add_argument("--keep", type=Path, default=None, help="keep the generated central store in this folder")
    parser.add_argument("--runs", type=int, default=RUNS)
    options = parser.parse_args()
    ok = refused_bundles()
    if options.central:
        ok &= central(options.keep, options.runs)
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
