"""Reports from real stores through the real commands, against what a user might do instead.

Stores: the 100,000-matter central store of `import_bundle.py` (its generator, or `--keep DIR`
to reuse one: the files `trust_overhead.py --central --keep` and `office_register.py --keep`
use), copied once as the office store of a data dir; and the demo laptop's field store
(`fieldvisit demo --data-dir DIR --no-open`). Every figure is a command run as a subprocess from
spawn to exit (`measure.run_command`: wall time, CPU time, peak RSS), RUNS times, alternating
with its baseline; median and min–max printed.

  1. `fieldvisit report --from <anchor − 3 years> --to <anchor> --format pdf` on the office
     store: the period report over three years, i.e. every one of the 100,000 matters, with the
     matters' facts kept beside the store (`matter-facts.json`, which the office app, `fieldvisit
     import` and the report itself keep): the runs counted. Before them, COLD_RUNS runs with that
     file deleted first (each reads every record and writes the file), printed for information.
     Baseline: `report_baselines.py csv`, the same period's matters read from the same file with
     the standard library's `json` and written as CSV (what one would open in a spreadsheet).
     Targets (issue 15 §6): median ≤ 5 s, peak memory ≤ 1 GB.
  2. `fieldvisit summary VISIT --office --format pdf` on the office store, for a 20-matter visit.
     Baseline: `report_baselines.py table`, the same visit's matters read the same way and written
     as a plain fpdf2 table with the same font, none of our layout. Target: median ≤ 5 s, the
     period report's: one visit's record read from the office store should not take longer
     than the report over all of it.
  3. `fieldvisit summary VISIT --format pdf` on the demo laptop's field store, its longest visit:
     what the leader prints after a visit to sign. Baseline: the plain fpdf2 table of the same
     matters. Target: median ≤ 3 s.

The machine has 2 cores shared with other jobs: the CPU time is printed beside the wall time.
Exits 1 when a target is missed. About three minutes on a kept store.
"""

from __future__ import annotations

import argparse
import collections
import datetime as dt
import shutil
import statistics
import sys
import tempfile
from pathlib import Path

import orjson

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
import measure  # benchmarks/measure.py, beside this file

RUNS = 3  # of each command and its baseline: the office store takes seconds to read each time
REPORT_TARGET, REPORT_MEMORY = 5.0, 1e9  # seconds, bytes (issue 15 §6)
OFFICE_SUMMARY_TARGET = 5.0
FIELD_SUMMARY_TARGET = 3.0
STORE_NAME = "fieldvisit.json"
FACTS_FILE = "matter-facts.json"  # fieldvisit.office.facts_cache.FILE
COLD_RUNS = 2  # reports with the facts file deleted first: for information


def longest_visit(store: Path) -> tuple[str, int]:
    data = orjson.loads(store.read_bytes())
    counts = collections.Counter(((r["fields"].get("visit_id") or {}).get("value")) for r in data["issues"].values())
    return counts.most_common(1)[0]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--keep", type=Path, help="write the generated central store here and reuse it on later runs")
    parser.add_argument("--runs", type=int, default=RUNS, help=f"runs of each command and baseline (default {RUNS})")
    options = parser.parse_args()
    import import_bundle
    from fieldvisit.reports.fonts import find_font

    font = find_font()
    fieldvisit = measure.fieldvisit_command()
    baseline = [sys.executable, str(HERE / "report_baselines.py")]
    with tempfile.TemporaryDirectory(prefix="fieldvisit-reports-") as scratch_name:
        scratch = Path(scratch_name)
        master, _bundle, anchor = import_bundle.kept_store(options.keep or scratch / "store")
        office_base, field_base = scratch / "office-data", scratch / "field-data"
        office_store = office_base / "office" / STORE_NAME
        office_store.parent.mkdir(parents=True)
        shutil.copyfile(master, office_store)
        measure.run_command([*fieldvisit, "demo", "--data-dir", str(field_base), "--no-open"])
        field_store = field_base / "field" / STORE_NAME
        office_visit, office_matters = longest_visit(office_store)
        field_visit, field_matters = longest_visit(field_store)
        first = anchor.replace(year=anchor.year - 3) + dt.timedelta(days=1)
        out = scratch / "out"
        out.mkdir()
        cases = {
            "report": (
                [*fieldvisit, "report", "--data-dir", str(office_base), "--from", first.isoformat(), "--to", anchor.isoformat(),
                 "--format", "pdf", "--out", str(out / "report.pdf")],
                [*baseline, "csv", str(office_store), first.isoformat(), anchor.isoformat(), str(out / "report.csv")],
            ),
            "office summary": (
                [*fieldvisit, "summary", office_visit, "--office", "--data-dir", str(office_base), "--format", "pdf",
                 "--out", str(out / "office-summary.pdf")],
                [*baseline, "table", str(office_store), office_visit, str(font.path), str(out / "office-table.pdf")],
            ),
            "field summary": (
                [*fieldvisit, "summary", field_visit, "--data-dir", str(field_base), "--format", "pdf", "--out", str(out / "field-summary.pdf")],
                [*baseline, "table", str(field_store), field_visit, str(font.path), str(out / "field-table.pdf")],
            ),
        }
        results: dict[str, dict[str, list[dict]]] = {name: {"ours": [], "baseline": []} for name in cases}
        facts_file = office_store.with_name(FACTS_FILE)
        for name, (ours, theirs) in cases.items():
            if name == "report":  # the first report on this copy reads every record and keeps the facts
                cold = []
                for _ in range(COLD_RUNS):
                    facts_file.unlink(missing_ok=True)
                    cold.append(measure.run_command(ours))
                if not facts_file.exists():
                    raise RuntimeError("the report kept no facts file beside the store")
            measure.run_command(ours)  # warm-up of each, not counted
            measure.run_command(theirs)
            for number in range(options.runs):
                order = (("ours", ours), ("baseline", theirs))
                for kind, command in order if number % 2 == 0 else order[::-1]:
                    results[name][kind].append(measure.run_command(command))
            print(f"[{name}: {results[name]['ours'][-1]['wall']:.2f} s, baseline {results[name]['baseline'][-1]['wall']:.2f} s]",
                  file=sys.stderr, flush=True)
        sizes = {path.name: path.stat().st_size for path in out.iterdir()}
        store_bytes = office_store.stat().st_size
        written = {name: results[name]["baseline"][0]["stdout"].strip() for name in cases}

    def walls(name: str, kind: str) -> list[float]:
        return [r["wall"] for r in results[name][kind]]

    def line(name: str, kind: str) -> str:
        runs = results[name][kind]
        return (f"{measure.spread(walls(name, kind))}; CPU median {statistics.median(r['cpu'] for r in runs):.2f} s; "
                f"peak {max(r['maxrss'] for r in runs) / 1e6:.0f} MB")

    ok = True
    print(f"office store: {store_bytes / 1e6:.1f} MB, 100,000 matters (import_bundle generator, anchor {anchor}); "
          f"field store: the demo laptop's; font {font.path.name}")
    report_median = statistics.median(walls("report", "ours"))
    report_peak = max(r["maxrss"] for r in results["report"]["ours"])
    print(f"period report {first} – {anchor}, `fieldvisit report --format pdf` ({sizes['report.pdf'] / 1024:.0f} KiB):")
    print(f"  fieldvisit report : {line('report', 'ours')}")
    print(f"  baseline, CSV     : {line('report', 'baseline')} ({written['report']} matters, {sizes['report.csv'] / 1e6:.1f} MB; "
          "json.load + csv.writer)")
    print(f"  cold, facts file deleted first (the first report after a program that does not keep it changed the store; "
          f"for information): {measure.spread([r['wall'] for r in cold])}; CPU median {statistics.median(r['cpu'] for r in cold):.2f} s; "
          f"peak {max(r['maxrss'] for r in cold) / 1e6:.0f} MB")
    report_ok = report_median <= REPORT_TARGET and report_peak <= REPORT_MEMORY
    print(f"  {report_median / statistics.median(walls('report', 'baseline')):.1f}× the baseline; targets median ≤ {REPORT_TARGET:.0f} s, "
          f"peak ≤ {REPORT_MEMORY / 1e9:.0f} GB: {measure.verdict(report_median <= REPORT_TARGET)}, {measure.verdict(report_peak <= REPORT_MEMORY)}")
    ok &= report_ok
    for name, matters, target, pdf, table in (
        ("office summary", office_matters, OFFICE_SUMMARY_TARGET, "office-summary.pdf", "office-table.pdf"),
        ("field summary", field_matters, FIELD_SUMMARY_TARGET, "field-summary.pdf", "field-table.pdf"),
    ):
        median = statistics.median(walls(name, "ours"))
        print(f"{name}, a {matters}-matter visit, `fieldvisit summary{' --office' if name.startswith('office') else ''} --format pdf` "
              f"({sizes[pdf] / 1024:.0f} KiB):")
        print(f"  fieldvisit summary: {line(name, 'ours')}")
        print(f"  baseline, fpdf2   : {line(name, 'baseline')} (a plain table of the same {written[name]} matters, {sizes[table] / 1024:.0f} KiB)")
        print(f"  {median / statistics.median(walls(name, 'baseline')):.1f}× the baseline; target median ≤ {target:.0f} s: "
              f"{measure.verdict(median <= target)}")
        ok &= median <= target
    print("targets met" if ok else "TARGET MISSED")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
