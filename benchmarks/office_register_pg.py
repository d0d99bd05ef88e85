"""The office app's register over PostgreSQL, driven as an officer uses it (issue 16 §4).

`postgres_store.py` times the store's own calls; this opens the real `OfficeApp` headless with
Pilot (`run_test(size=(120, 40))`, zh-CN, `today` = the data's anchor), in a fresh interpreter for
every measurement, on the database, exactly as `fieldvisit office --store postgresql://…` does:
`PostgresStore(url)`, the policy from the office's home, `OfficeApp(store, policy=…, cache=…)` —
the register then asks the database for each window it shows (`office.register_db`).

Data: the 100,000-matter central store `import_bundle.py` generates (`--keep DIR`, never written),
`--matters N` of them (above 100,000: clones with new ids, as `postgres_store.py` makes them),
loaded into a fresh schema by the store's bulk fill with the deadline columns computed
(`DerivedColumns`, as `office migrate` does; the load is not timed). The server is a throwaway
cluster (tests/pg_cluster.py, fsync on) unless `--url` names one; its database is wiped. Unless
`--skip-json`, the same children run on a copy of the JSON store (with its register cache, the
warm open), side by side.

Timed in each child, from the interpreter's start (imports included) and from opening the store:
  - open → the register's first rows laid out and rendered (a Pilot loop polls the table for
    rows, then runs the screen's update); then until the count under the table is counted
    (the estimate replaced by the exact number, or "10,000+"), in the count's thread;
  - a search typed into #register-search one key event per character ("养老金核定", erased,
    "医药费 报销", erased), each until the table holds the new rows and the screen has rendered;
  - on the table (every matter, by due date): PageDown PAGES times, End, Home, each until rendered;
  - the saved filter switched to "overdue" and back SWITCHES times;
  - memory: the peak resident set (VmHWM) of the actions child at the end;
  - with `--views`, in another child: F3 (the attention list) until its sections are counted
    and until its repeat suggestions are found, then F4 (the statistics, last month to today)
    until counted, then F4 again for three years (every matter counts); shown, and the peak
    memory of that child held to the memory target (over PostgreSQL they ask the database:
    `office.facts_db`; the JSON store holds every matter's facts).

Targets (issue 16 §4, for 1,000,000 matters; PASS/MISS at whatever size was run, exit status 1 on
a miss): open → first rows ≤ 1 s (from the interpreter's start), search keystroke p95 ≤ 100 ms,
office app memory ≤ 500 MB. PageDown/End are shown against the keystroke target too.

    python benchmarks/office_register_pg.py --keep /work/bench-central
    python benchmarks/office_register_pg.py --keep /work/bench-central --matters 1000000 --skip-json
"""

from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
sys.path.insert(0, str(HERE.parent / "tests"))

import measure  # noqa: E402

OPEN_RUNS = 3
PAGES = 10
SWITCHES = 5
SEARCHES = ("养老金核定", "医药费 报销")
SIZE = (120, 40)
LANG = "zh-CN"
TARGETS = {"open": 1.0, "keystroke_p95": 0.100, "memory_mb": 500}
ACTION_TIMEOUT = 60.0




START = measure.now()


def progress(message: str) -> None:
    print(f"[{measure.now() - START:7.1f}s] {message}", file=sys.stderr, flush=True)


def peak_rss() -> int:
    status = Path("/proc/self/status").read_text()
    return int(status.split("VmHWM:")[1].split()[0]) * 1024


# -- children -------------------------------------------------------------------------------------


def _open_app(target: str, anchor: str, home_dir: str):
    """The store and the app as `open_office` makes them, on the database or a JSON store."""
    from fieldvisit.core.i18n import set_language

    set_language(LANG)  # before the screens are imported: their bindings read their labels
    from fieldvisit.apps.office import OfficeApp
    from fieldvisit.locations import paths
    from fieldvisit.office.policy import load_policy
    from fieldvisit.office.register_cache import RegisterCache

    opened = measure.now()
    if target.startswith("postgresql://"):
        from fieldvisit.stores.postgres import PostgresStore

        store = PostgresStore(target)
        home = paths.Home(Path(home_dir))
    else:
        from fieldvisit.stores.splice_store import SplicingJSONStore

        store = SplicingJSONStore(Path(target), deferred=True)
        home = paths.Home.beside(Path(target))
    policy = load_policy(home.policy_file)
    app = OfficeApp(store, policy=policy, cache=RegisterCache.of(home, policy), home=home, today=dt.date.fromisoformat(anchor))
    return store, app, opened


async def _until(condition, what: str, timeout: float = ACTION_TIMEOUT) -> float:
    return await measure.until(condition, what, timeout, poll=0.002)


async def _first_rows(pilot, table) -> float:
    deadline = measure.now() + ACTION_TIMEOUT
    while table.row_count == 0:
        if measure.now() > deadline:
            raise RuntimeError("the register never showed rows")
        await pilot._wait_for_screen()
    await pilot._wait_for_screen()
    pilot.app.screen._on_timer_update()  # what the screen's update timer does next: lay out, render
    return measure.now()


def child(spawned: float, mode: str, target: str, anchor: str, home_dir: str) -> dict:
    from textual import events
    from textual.keys import _character_to_key
    from textual.widgets import Input, Select

    store, app, opened = _open_app(target, anchor, home_dir)
    result: dict = {"opened": opened - spawned}

    def counted(line) -> bool:
        text = str(line.render())
        return "约" not in text  # the estimate is shown as "约 N" until counted

    async def drive() -> None:
        async with app.run_test(size=SIZE) as pilot:
            screen = app.screen
            table = screen.query_one("#register")
            count = screen.query_one("#register-count")
            shown = await _first_rows(pilot, table)
            result.update(first_rows=shown - spawned, first_rows_from_store=shown - opened, rows=table.row_count, line_at_open=str(count.render()))
            result["counted"] = await _until(lambda: counted(count), "the count") - spawned
            result["line_counted"] = str(count.render())
            if mode == "open":
                return
            if mode == "views":
                from fieldvisit.core.i18n import t

                started = measure.now()
                await pilot.press("f3")
                summary = app.screen.query_one("#attention-summary")
                result["attention_counted"] = await _until(lambda: str(summary.render()) not in ("", t("register_db.counting")), "the attention counts", 1800) - started
                options = app.screen.query_one("#attention")
                searching = f"{t('attention.repeats')} ({t('attention.searching')})"
                result["attention_repeats"] = await _until(
                    lambda: all(str(options.get_option_at_index(n).prompt) != searching for n in range(options.option_count)), "the repeat suggestions", 1800) - started
                result["rss_after_attention"] = peak_rss()
                started = measure.now()
                await pilot.press("f4")
                stats = app.screen.query_one("#stats-summary")
                result["statistics"] = await _until(lambda: str(stats.render()) not in ("", t("stats.computing")), "the statistics", 1800) - started
                await pilot.pause()
                first = str(stats.render())
                anchor_day = dt.date.fromisoformat(anchor)
                app.screen.query_one("#stats-from").value = anchor_day.replace(year=anchor_day.year - 3).isoformat()
                started = measure.now()
                await pilot.press("ctrl+r")  # three years: every matter counts
                result["statistics_years"] = await _until(lambda: str(stats.render()) not in ("", first, t("stats.computing")), "three years' statistics", 1800) - started
                return
            await app.workers.wait_for_complete()
            refreshes: list[float] = []
            original = screen.refresh_rows

            def refresh_rows() -> None:
                original()
                refreshes.append(measure.now())

            screen.refresh_rows = refresh_rows
            actions: list[dict] = []

            async def act(kind: str, label: str, trigger) -> None:
                before = len(refreshes)
                started = measure.now()
                trigger()
                await _until(lambda: len(refreshes) > before, f"{kind} {label!r}")
                await pilot._wait_for_screen()
                app.screen._on_timer_update()
                actions.append({"kind": kind, "label": label, "seconds": measure.now() - started, "rows": table.row_count, "line": str(count.render())})
                await pilot.pause()

            search = screen.query_one("#register-search", Input)
            search.focus()
            await pilot.pause()
            for term in SEARCHES:
                for character in term:
                    await act("keystroke", character, lambda c=character: app.post_message(events.Key(_character_to_key(c), c)))
                for _ in term:
                    await act("keystroke", "⌫", lambda: app.post_message(events.Key("backspace", None)))
            saved = screen.query_one("#register-saved", Select)
            for _ in range(SWITCHES):
                await act("saved filter", "overdue", lambda: setattr(saved, "value", "overdue"))
                await act("saved filter", "all", lambda: setattr(saved, "value", "all"))
            await app.workers.wait_for_complete()
            table.focus()
            await pilot.pause()

            async def key(kind: str, name: str) -> None:
                started = measure.now()
                app.post_message(events.Key(name, None))
                await pilot._wait_for_screen()
                await pilot._wait_for_screen()  # the table's CursorMoved, handled by the screen: the line under it
                app.screen._on_timer_update()
                actions.append({"kind": kind, "label": name, "seconds": measure.now() - started, "row": table.cursor_row, "line": str(count.render())})
                await pilot.pause()

            for _ in range(PAGES):
                await key("PageDown", "pagedown")
            await key("End", "end")
            await key("Home", "home")
            result["actions"] = actions

    try:
        asyncio.run(drive())
    finally:
        store.close()
    result["peak_rss"] = peak_rss()
    return result


def views(found: dict) -> bool:
    """F3 and F4 as first opened (shown), and the app's memory with them opened (judged: the
    office app's memory target holds whatever the officer opens)."""
    print(f"  F3 attention: counted {found['attention_counted']:.2f} s after the key, repeat suggestions {found['attention_repeats']:.2f} s "
          f"(peak memory then {found['rss_after_attention'] / 2**20:.0f} MB); F4 statistics (last month to today) {found['statistics']:.2f} s after the key, "
          f"three years {found['statistics_years']:.2f} s")
    return judged("office app peak memory with F3 and F4 opened", found["peak_rss"] / 2**20, TARGETS["memory_mb"], "MB")


def run_child(mode: str, target: str, anchor: str, home_dir: str) -> dict:
    env = {**os.environ, "PYTHONHASHSEED": "0"}
    spawned = measure.now()
    done = subprocess.run([sys.executable, __file__, "--child", mode, repr(spawned), target, anchor, home_dir], capture_output=True, text=True, env=env)
    if done.returncode:
        raise RuntimeError(f"child {mode} failed:\n{done.stderr[-4000:]}")
    return json.loads(done.stdout.strip().splitlines()[-1])


# -- the data -------------------------------------------------------------------------------------


def load_database(url: str, kept: Path, matters: int) -> dict:
    """The kept store's records into a fresh schema, `matters` matters, deadlines computed."""
    from postgres_store import kept_tables, scaled_issues

    from fieldvisit.office.policy import DEFAULT_POLICY
    from fieldvisit.office.register_db import DerivedColumns
    from fieldvisit.stores.postgres import PostgresStore, create_schema, drop_schema

    tables, meta = kept_tables(kept / "fieldvisit.json")
    issues = tables.pop("issues")

    def records():
        for name, rows in tables.items():
            for record in rows:
                yield name, record
        for record in scaled_issues(issues, matters):
            yield "issues", record

    drop_schema(url)
    create_schema(url)
    started = time.perf_counter()
    with PostgresStore(url, actor="迁移", pool_size=1) as store:
        store.derive_with(DerivedColumns(DEFAULT_POLICY))
        written = store.fill(records(), meta)
        store.set_derived_policy(DerivedColumns(DEFAULT_POLICY).key)
    return {"records": written, "seconds": time.perf_counter() - started}


def warm_cache(path: Path, anchor: str) -> None:
    """The register cache written for the JSON store at `path`, as the office app leaves it."""
    from fieldvisit.locations import paths
    from fieldvisit.office.policy import load_policy
    from fieldvisit.office.register import RegisterIndex
    from fieldvisit.office.register_cache import RegisterCache
    from fieldvisit.stores.splice_store import SplicingJSONStore

    home = paths.Home.beside(path)
    policy = load_policy(home.policy_file)
    with SplicingJSONStore(path) as store:
        RegisterIndex(store, policy, dt.date.fromisoformat(anchor)).build().save(RegisterCache.of(home, policy))


# -- the report -----------------------------------------------------------------------------------


def p95(values: list[float]) -> float:
    return measure.nearest_rank(values, 0.95)


def judged(label: str, value: float, target: float, unit: str) -> bool:
    ok = value <= target
    print(f"  {'PASS' if ok else 'MISS'}  {label}: {value:.3f} {unit} (target ≤ {target} {unit})")
    return ok


def report(name: str, opens: list[dict], actions: dict) -> dict:
    first = [run["first_rows"] for run in opens]
    inner = [run["first_rows_from_store"] for run in opens]
    counted = [run["counted"] for run in opens]
    print(f"\n{name}: {opens[-1]['line_at_open']!r} at first rows, then {opens[-1]['line_counted']!r}")
    print(f"  open → first rows, from the interpreter's start  {measure.spread(first, 's', 1, 3)}")
    print(f"  open → first rows, from opening the store        {measure.spread(inner, 's', 1, 3)}")
    print(f"  open → the count counted, from the start         {measure.spread(counted, 's', 1, 3)}")
    by_kind: dict[str, list[float]] = {}
    for action in actions["actions"]:
        by_kind.setdefault(action["kind"], []).append(action["seconds"])
    for kind, values in by_kind.items():
        print(f"  {kind:<14} ×{len(values):<3} {measure.spread(values, 'ms', 1000, 1)}, p95 {p95(values) * 1000:.1f} ms")
    slowest = max((a for a in actions["actions"] if a["kind"] == "keystroke"), key=lambda a: a["seconds"])
    print(f"  slowest keystroke: {slowest['label']!r} {slowest['seconds'] * 1000:.1f} ms → {slowest['line']!r}")
    end = next(a for a in actions["actions"] if a["kind"] == "End")
    print(f"  End → {end['line']!r}")
    print(f"  peak memory of the app process: {actions['peak_rss'] / 2**20:.0f} MB")
    return {"open": statistics_median(first), "keystroke_p95": p95(by_kind["keystroke"]), "paging_p95": p95(by_kind["PageDown"] + by_kind["End"] + by_kind["Home"]),
            "memory_mb": actions["peak_rss"] / 2**20}


def statistics_median(values: list[float]) -> float:
    import statistics

    return statistics.median(values)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--keep", type=Path, required=True, help="the generated central store's folder (import_bundle.py), never written")
    parser.add_argument("--matters", type=int, default=100_000)
    parser.add_argument("--url", help="a PostgreSQL database to use (wiped); default: a throwaway cluster")
    parser.add_argument("--skip-json", action="store_true")
    parser.add_argument("--views", action="store_true", help="also time F3 (attention) and F4 (statistics, last month and three years) opened the first time (shown), and judge the memory then")
    parser.add_argument("--no-load", action="store_true", help="with --url: use the matters already there (a run before loaded them)")
    args = parser.parse_args()
    anchor = (args.keep / "anchor.txt").read_text().strip()[:10]
    print(f"office app over PostgreSQL: {args.matters:,} matters, today = {anchor}; machine shared with other engineers (2 cores): figures are loaded ones")
    cluster = None
    work = Path(tempfile.mkdtemp(prefix="fieldvisit-bench-pgapp-"))
    try:
        url = args.url
        if url is None:
            from pg_cluster import start_cluster

            cluster = start_cluster()
            url = cluster.url
        if args.no_load and args.url:
            print("the matters already in the database (--no-load)")
        else:
            progress(f"loading {args.matters:,} matters into the database")
            loaded = load_database(url, args.keep, args.matters)
            print(f"loaded {loaded['records']:,} records in {loaded['seconds']:.0f} s (bulk fill with deadlines computed; not timed below)")
        home = work / "office"
        home.mkdir()
        results = {}
        progress("PostgreSQL: opens")
        opens = [run_child("open", url, anchor, str(home)) for _ in range(OPEN_RUNS + 1)][1:]  # the first warms the server's cache
        progress("PostgreSQL: actions")
        results["PostgreSQL"] = report("PostgreSQL", opens, run_child("actions", url, anchor, str(home)))
        viewed = True
        if args.views:
            progress("PostgreSQL: F3 and F4")
            viewed = views(run_child("views", url, anchor, str(home)))
        if not args.skip_json:
            copy = work / "json"
            copy.mkdir()
            shutil.copy2(args.keep / "fieldvisit.json", copy / "fieldvisit.json")
            progress("JSON: the register cache for the copy (a warm open, as every open but the first)")
            warm_cache(copy / "fieldvisit.json", anchor)
            target = str(copy / "fieldvisit.json")
            progress("JSON: opens")
            opens = [run_child("open", target, anchor, str(copy)) for _ in range(OPEN_RUNS + 1)][1:]
            progress("JSON: actions")
            results["JSON"] = report("JSON store (100,000 matters, register cache warm; the baseline, not judged)", opens, run_child("actions", target, anchor, str(copy)))
        if len(results) > 1:
            print(f"\n{'':<28}{'PostgreSQL':>14}{'JSON':>14}")
            for key, label, scale, unit in (("open", "open → first rows", 1, "s"), ("keystroke_p95", "keystroke p95", 1000, "ms"), ("paging_p95", "PageDown/End/Home p95", 1000, "ms"), ("memory_mb", "peak memory", 1, "MB")):
                print(f"{label:<28}{results['PostgreSQL'][key] * scale:>11.1f} {unit:<2}{results['JSON'][key] * scale:>11.1f} {unit:<2}")
        print(f"\ntargets (issue 16 §4, for 1,000,000 matters; run at {args.matters:,}):")
        found = results["PostgreSQL"]
        ok = [
            judged("open → first rows", found["open"], TARGETS["open"], "s"),
            judged("search keystroke p95", found["keystroke_p95"] * 1000, TARGETS["keystroke_p95"] * 1000, "ms"),
            judged("PageDown/End/Home p95 (the keystroke target)", found["paging_p95"] * 1000, TARGETS["keystroke_p95"] * 1000, "ms"),
            judged("office app peak memory", found["memory_mb"], TARGETS["memory_mb"], "MB"),
        ]
        return 0 if all(ok) and viewed else 1
    finally:
        if cluster is not None:
            cluster.stop()
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    if len(sys.argv) > 1 and sys.argv[1] == "--child":
        _, _, mode, spawned, target, anchor, home_dir = sys.argv
        print(json.dumps(child(float(spawned), mode, target, anchor, home_dir)))
    else:
        sys.exit(main())
