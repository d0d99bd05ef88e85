"""The office's JSON store with its journal (issue 16 §3, §4): an officer's step, durable, at
100,000 and 300,000 matters, against the old whole-file rewrite in the same run; the store's
cold open; and read-only commands run while the office app writes.

- step: `Workflow.assign` on a matter (the officer's "assign" step: the editor reads the matter,
  merges, and `put`s it), through `SplicingJSONStore` as `fieldvisit office` opens it. With the
  journal the `put` appends and fsyncs one line. The old path is the same step followed by
  `store.compact()`: the spliced whole-file atomic rewrite every `put` did before.
- cold open: a fresh `python` process opening the store with `open_office_store(spec)` (the
  records' spans read from the index the writer keeps beside the file, `stores.span_index`, and
  checked against the file; the journal replayed: `JOURNAL_STEPS` steps left by the writer) and
  reading one matter; wall time of the whole process (interpreter and imports included),
  `measure.run_command`. Baseline, alternating: the same open with the index removed first, so
  the file is scanned as before the index was kept (that open keeps the index again).
- readers: `fieldvisit report --office … --format txt` (a real command) run `READERS` times while
  this process holds the store as the office app does and takes steps in a thread; each must exit 0.

The 100,000-matter store is `office_register.generate` (reused with --keep); the 300,000 one is
the same store with every matter three times under new ids. Prints PASS/MISS against §4:
step ≤ 50 ms at both sizes, cold open ≤ 2 s at 100,000, readers never refused.

    python benchmarks/json_store.py [--keep DIR] [--sizes 100000,300000]
"""

from __future__ import annotations

import argparse
import itertools
import shutil
import statistics
import sys
import tempfile
import threading
import time
from pathlib import Path

import orjson

sys.path.insert(0, str(Path(__file__).parent))
import measure
import office_register

JOURNAL_STEPS = 30
OLD_STEPS = 5
READERS = {100_000: 2}  # report runs while the store is written, by size (1 otherwise)
DEPARTMENT = itertools.count()
TARGET_STEP = 0.050
TARGET_OPEN = 2.0


def tripled(source: Path, target: Path) -> None:
    """`source`'s store with every matter three times: copies under ids whose first character
    differs (still ULIDs, still unique), so 3× the matters on the same visits."""
    data = orjson.loads(source.read_bytes())
    issues = data["issues"]
    for record_id, record in list(issues.items()):
        for first in "67":
            issues[first + record_id[1:]] = {**record, "id": first + record_id[1:]}
    target.write_bytes(orjson.dumps(data, option=orjson.OPT_SORT_KEYS))


def steps(store, count: int, old_path: bool) -> list[float]:
    from fieldvisit.editing.editor import Editor
    from fieldvisit.office.policy import DEFAULT_POLICY
    from fieldvisit.office.workflow import Workflow

    workflow = Workflow(Editor(store, actor="王敏"), DEFAULT_POLICY)
    targets = [record["id"] for _, record in zip(range(count), store.records("issues"))]
    took = []
    for target in targets:
        start = time.perf_counter()
        if not workflow.assign(target, department=f"劳资科{next(DEPARTMENT)}"):  # a new value each time: a real write
            raise AssertionError("the step changed nothing")
        if old_path:
            store.compact()
        took.append(time.perf_counter() - start)
    return took


def cold_open(path: Path) -> float:
    script = (
        "from pathlib import Path; from fieldvisit.stores.factory import StoreSpec, open_office_store;"
        f"s = open_office_store(StoreSpec(file=Path({str(path)!r}))); next(iter(s.records('issues')))"
    )
    result = measure.run_command([sys.executable, "-c", script])
    return result["wall"], result["cpu"]


def readers_while_writing(path: Path, out: Path, runs: int) -> tuple[int, int, list[float]]:
    from fieldvisit.stores.factory import StoreSpec, open_office_store

    refused, walls = 0, []
    with open_office_store(StoreSpec(file=path)) as store:
        stop = threading.Event()

        def officer() -> None:
            while not stop.is_set():
                steps(store, 3, old_path=False)
                time.sleep(0.2)

        worker = threading.Thread(target=officer)
        worker.start()
        try:
            for number in range(runs):
                result = measure.run_command(
                    [*measure.fieldvisit_command(), "report", "--store", str(path), "--from", "2024-01-01", "--to", "2026-12-31",
                     "--format", "txt", "--out", str(out / f"report-{number}.txt"), "--lang", "en"],
                    check=False,
                )
                refused += result["rc"] != 0
                walls.append(result["wall"])
        finally:
            stop.set()
            worker.join()
        store._compactor and store._compactor.join()
    return runs, refused, walls


def stats(values: list[float]) -> str:
    return f"median {statistics.median(values) * 1000:7.1f} ms, p95 {measure.nearest_rank(values, 0.95) * 1000:7.1f} ms (min {min(values) * 1000:.1f} – max {max(values) * 1000:.1f}, n={len(values)})"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--keep", type=Path, help="keep the generated 100,000-matter store here and reuse it")
    parser.add_argument("--sizes", default="100000,300000")
    args = parser.parse_args()
    from fieldvisit.stores import span_index
    from fieldvisit.stores.splice_store import SplicingJSONStore

    work = Path(tempfile.mkdtemp(prefix="fv-json-store-"))
    try:
        base, _anchor = office_register.generate(args.keep or work / "generated")
        results = {}
        for size in [int(text) for text in args.sizes.split(",")]:
            folder = work / str(size)
            folder.mkdir()
            path = folder / "fieldvisit.json"
            if size <= 100_000:
                shutil.copyfile(base, path)
            else:
                office_register.progress(f"tripling the store to {size:,} matters")
                tripled(base, path)
            with SplicingJSONStore(path) as store:
                count = store.record_count("issues")
                office_register.progress(f"{count:,} matters, {path.stat().st_size / 1e6:.0f} MB: steps with the journal")
                journal_steps = steps(store, JOURNAL_STEPS, old_path=False)
                office_register.progress("steps with the whole-file rewrite (the old path)")
                old_steps = steps(store, OLD_STEPS, old_path=True)
                store.compact()
                steps(store, JOURNAL_STEPS, old_path=False)  # the journal a writer leaves for the next open
                store._lock.release()  # as a crash would: the next open replays the journal
                store._lock, store._loaded = None, False
            opens, scans = [], []
            for _ in range(3 if size <= 100_000 else 1):  # alternating: without the index (the file scanned), then with it
                span_index.drop(path)
                scans.append(cold_open(path))  # this open keeps the index again, for the next
                opens.append(cold_open(path))
            office_register.progress("reports while the office store is open and written")
            readers = readers_while_writing(path, folder, READERS.get(size, 1))
            results[size] = (count, journal_steps, old_steps, opens, scans, readers)
        print("\nThe office's JSON store (issue 16 §3), one run, same data")
        ok_all = True
        for size, (count, journal_steps, old_steps, opens, scans, (ran, refused, report_walls)) in results.items():
            p95 = measure.nearest_rank(journal_steps, 0.95)
            ok_step = p95 <= TARGET_STEP
            print(f"\n{count:,} matters")
            print(f"  officer step durable, journal      {stats(journal_steps)}  {'PASS' if ok_step else 'MISS'} (≤ {TARGET_STEP * 1000:.0f} ms)")
            print(f"  officer step durable, old rewrite  {stats(old_steps)}  ({statistics.median(old_steps) / statistics.median(journal_steps):.0f}× the journal)")
            walls = [wall for wall, _ in opens]
            line = f"  store cold open (+{JOURNAL_STEPS} journal lines) {measure.spread(walls)}; CPU {measure.spread([cpu for _, cpu in opens])}"
            ok_open = size > 100_000 or statistics.median(walls) <= TARGET_OPEN
            print(line + (f"  {'PASS' if ok_open else 'MISS'} (≤ {TARGET_OPEN:.0f} s)" if size <= 100_000 else ""))
            print(f"    without the span index (the file scanned) {measure.spread([wall for wall, _ in scans])}; CPU {measure.spread([cpu for _, cpu in scans])}")
            print(f"  `fieldvisit report` while the store is open and written: {ran - refused}/{ran} ran, {refused} refused "
                  f"({measure.spread(report_walls)})  {'PASS' if not refused else 'MISS'}")
            ok_all = ok_all and ok_step and ok_open and not refused
        return 0 if ok_all else 1
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    raise SystemExit(main())
