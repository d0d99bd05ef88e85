"""The office app's attention list (F3) and statistics (F4) on the 100,000-matter central store.

Issue 15 §6: F3 with its repeat suggestions ≤ 1 s; F4 statistics for a month and for three years
≤ 1 s. Every figure comes from a fresh interpreter driving the real `OfficeApp` headless with
Pilot (`run_test(size=(120, 40))`, zh-CN, today = the generator's anchor), opened as `fieldvisit
office` opens it (`SplicingJSONStore(path, deferred=True)`, `load_policy`, `RegisterCache.of(home)`,
`OfficeApp(..., home=Home.beside(path))`) on a copy of the central store with its register cache
(`office_register.py`'s helpers: the store, the cache copied and re-keyed).

Each child opens the register, waits until the store has loaded in the background and the
matters' facts have been taken from their file beside the store (`matter-facts.json`, written by
the app on exit, by `fieldvisit import` and by `fieldvisit report`), as an officer looks at the
register a few seconds before pressing a key; that moment is printed (from process start). Then:

  - F3 pressed: timed from the key until the attention list holds its sections and the repeat
    suggestions (looked for on a thread) and the screen has rendered them;
  - F4 pressed (its default period, last month to today), then the period typed as one month
    (the latest month holding matters) and as three years (anchor − 3 years + 1 day → anchor),
    Ctrl+R each, REPEATS times alternating: each timed from the key until the figures are on
    screen (`StatisticsScreen._show` run and rendered). The figures shown are checked against
    the baseline's.

RUNS children of that kind ("warm": the facts file fits the store). One more child opens with the
facts file deleted ("cold": the first open after something that does not keep it changed the
store, so F3 reads every record of the store once): printed for information, no target; it
writes the file on exit, as the app does.

Baseline, same run, in fresh interpreters: the same figures computed the way the screens did
before issue 15 §6 — every record read from the loaded `SplicingJSONStore` (`store.records`),
`followups.rated_values` and `stats.period_stats` for each period, `repeats.suggest_repeats`
over `values(record)` — and a plain loop (`orjson.loads` of the whole file, one pass over the
matters counting those raised in the period), to show what reading the store costs alone.

Exit status 1 when a target is missed (median of each kind). A few minutes on a kept store.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
import office_register as register  # benchmarks/office_register.py: the store, the cache, Pilot helpers

RUNS = 5  # warm children, each pressing F3 once and counting each period REPEATS times
REPEATS = 3
TARGET = 1.0  # seconds, F3 and F4 (issue 15 §6)
TIMEOUT = 180.0  # a cold F3 reads the whole store on a busy machine
FACTS_FILE = "matter-facts.json"  # fieldvisit.office.facts_cache.FILE
now, progress, memory_status = register.now, register.progress, register.memory_status


# -- children ----------------------------------------------------------------------------------


class ViewHooks:
    """Notes when the attention list found its repeats and when the statistics were shown."""

    def __init__(self) -> None:
        from fieldvisit.screens.attention import AttentionScreen
        from fieldvisit.screens.statistics import StatisticsScreen

        self.found: list[float] = []
        self.shown: list[tuple[float, object]] = []
        found, show = AttentionScreen._found, StatisticsScreen._show

        def _found(screen, version, suggestions):
            found(screen, version, suggestions)
            self.found.append(now())

        def _show(screen, stats):
            show(screen, stats)
            self.shown.append((now(), stats))

        AttentionScreen._found, StatisticsScreen._show = _found, _show


def _figures(stats) -> dict:
    return {"total": stats.total, "closed": stats.closed, "overdue": stats.overdue, "due_soon": stats.due_soon,
            "on_time_rate": stats.on_time_rate, "satisfaction_rate": stats.satisfaction_rate,
            "by_category": stats.by_category, "repeat": stats.repeat}


def child_views(spawned: float, store_path: str, anchor: str, month: str, kind: str, profile: str = "") -> dict:
    register._import_app_modules()
    import asyncio

    from textual.widgets import Input, OptionList

    from fieldvisit.core import clock
    from fieldvisit.locations import paths
    from fieldvisit.apps.office import OfficeApp
    from fieldvisit.office.policy import load_policy
    from fieldvisit.office.register_cache import RegisterCache
    from fieldvisit.stores.splice_store import SplicingJSONStore

    today = dt.date.fromisoformat(anchor)
    clock.today = lambda: today  # the statistics screen's default period and "today"
    month_start = dt.date.fromisoformat(month)
    month_end = (month_start + dt.timedelta(days=32)).replace(day=1) - dt.timedelta(days=1)
    years_start = today.replace(year=today.year - 3) + dt.timedelta(days=1)
    hooks = ViewHooks()
    result: dict = {"kind": kind, "counts": []}
    store = SplicingJSONStore(Path(store_path), deferred=True)
    home = paths.Home.beside(store.path)
    policy = load_policy(home.policy_file)
    app = OfficeApp(store, policy=policy, cache=RegisterCache.of(home, policy), home=home, today=today)

    async def settle(pilot) -> float:
        await pilot._wait_for_screen()
        app.screen._on_timer_update()  # lay out and render, as the screen's update timer would
        return now()

    async def drive() -> None:
        async with app.run_test(size=register.SIZE) as pilot:
            await register._until_shown(pilot, app.screen.query_one("#register"))
            result["shown"] = now() - spawned
            await register._until(lambda: store._loaded or (store._loader is not None and not store._loader.is_alive()),
                                  "the background store load", TIMEOUT)
            await app.workers.wait_for_complete()  # the facts from their file, when it fits
            result["ready"] = now() - spawned
            result["facts_from_file"] = app.matter_facts.built
            await pilot.pause()

            profiler = None
            if profile:
                import cProfile

                profiler = cProfile.Profile()
                profiler.enable()
            started, cpu = now(), time.process_time()
            await pilot.press("f3")
            await register._until(lambda: hooks.found, "the repeat suggestions", TIMEOUT)
            result["f3"] = await settle(pilot) - started
            result["f3_cpu"] = time.process_time() - cpu  # every thread of the process
            if profiler is not None:
                profiler.disable()
                _profile_text(profiler, profile, "f3")
            options = app.screen.query_one(OptionList)
            prompts = [str(options.get_option_at_index(n).prompt) for n in range(options.option_count)]
            result["f3_lines"] = len(prompts)
            result["f3_repeats"] = next((p for p in prompts if p.startswith("疑似重复访 (")), "")
            await pilot.pause()

            async def count(key: str, first: dt.date | None, last: dt.date | None) -> None:
                before = len(hooks.shown)
                if first is not None:
                    app.screen.query_one("#stats-from", Input).value = first.isoformat()
                    app.screen.query_one("#stats-to", Input).value = last.isoformat()
                    await pilot.pause()
                started, cpu = now(), time.process_time()
                await pilot.press(key)
                await register._until(lambda: len(hooks.shown) > before, "the statistics", TIMEOUT)
                seconds = await settle(pilot) - started
                cpu = time.process_time() - cpu
                stats = hooks.shown[-1][1]
                result["counts"].append({"period": key if first is None else ("month" if first == month_start else "3 years"),
                                         "start": stats.start.isoformat(), "end": stats.end.isoformat(), "seconds": seconds, "cpu": cpu,
                                         "figures": _figures(stats),
                                         "summary": str(app.screen.query_one("#stats-summary").render())})
                await pilot.pause()

            await count("f4", None, None)
            for _ in range(REPEATS if kind == "warm" else 1):
                await count("ctrl+r", month_start, month_end)
                if profile:
                    profiler = cProfile.Profile()
                    profiler.enable()
                await count("ctrl+r", years_start, today)
                if profile:
                    profiler.disable()
                    _profile_text(profiler, profile, "f4 3 years")
            app.save_caches()  # what exit does: the register cache and the facts' file
            result.update(memory_status())

    try:
        asyncio.run(drive())
    finally:
        store.close()
    return result


def _profile_text(profiler, path: str, name: str) -> None:
    """The profile's top by own time (all threads' work, as cProfile sees the one it ran in:
    the worker threads' functions show under `threading`), appended to `path`."""
    import io
    import pstats

    text = io.StringIO()
    pstats.Stats(profiler, stream=text).sort_stats("tottime").print_stats(14)
    with open(path, "a", encoding="utf-8") as out:
        out.write(f"== {name}\n{register.short_paths(text.getvalue())}\n")


def child_baseline(spawned: float, store_path: str, anchor: str, month: str) -> dict:
    """The figures as the screens computed them before (every record read), and a plain loop."""
    import orjson

    from fieldvisit.core.records import values
    from fieldvisit.office.followups import rated_values
    from fieldvisit.office.repeats import suggest_repeats
    from fieldvisit.office.stats import period_stats
    from fieldvisit.stores.splice_store import SplicingJSONStore
    from fieldvisit.stores.store import ISSUES, VISITS

    today = dt.date.fromisoformat(anchor)
    started = now()
    store = SplicingJSONStore(Path(store_path), read_only=True)  # read and indexed here
    result: dict = {"load": now() - started}
    periods = _periods(today, month)
    for name, (first, last) in periods.items():
        started = now()
        issues = (rated_values(record) for record in store.records(ISSUES))
        visits = (values(record) for record in store.records(VISITS))
        stats = period_stats(issues, visits, first, last, today=today)
        result[f"before {name}"] = now() - started
        result[f"figures {name}"] = _figures(stats)
    started = now()
    found = suggest_repeats((values(record) for record in store.records(ISSUES)), limit=8)
    result["before repeats"] = now() - started
    result["repeats"] = len(found)
    store.close()
    started = now()
    data = orjson.loads(Path(store_path).read_bytes())
    result["plain load"] = now() - started
    for name, (first, last) in periods.items():
        started = now()
        lo, hi, counted = first.isoformat(), last.isoformat(), 0
        for issue in data["issues"].values():
            fields = issue["fields"]
            raised = str((fields.get("raised_at") or {}).get("value") or "")[:10]
            if lo <= raised <= hi and (fields.get("status") or {}).get("value") != "withdrawn":
                counted += 1
        result[f"plain {name}"] = now() - started
        result[f"plain count {name}"] = counted
    return result


def child_month(spawned: float, store_path: str) -> dict:
    """The latest month holding matters, from the register cache's date column."""
    import orjson

    columns = orjson.loads(Path(store_path).with_name(register.CACHE_FILES[0]).read_bytes())["columns"]
    dates = columns["date"]
    found = dates["distinct"] if "distinct" in dates else dates["values"]
    return {"month": max(day for day in found if day)[:7] + "-01"}


def _periods(today: dt.date, month: str) -> dict[str, tuple[dt.date, dt.date]]:
    first = dt.date.fromisoformat(month)
    last = (first + dt.timedelta(days=32)).replace(day=1) - dt.timedelta(days=1)
    return {"month": (first, last), "3 years": (today.replace(year=today.year - 3) + dt.timedelta(days=1), today)}


CHILDREN = {"views": child_views, "baseline": child_baseline, "month": child_month}


def child(mode: str, *args: str) -> dict:
    env = {**os.environ, "FIELDVISIT_LANG": register.LANG}
    spawned = now()
    done = subprocess.run([sys.executable, __file__, "--child", mode, repr(spawned), *args], capture_output=True, text=True, env=env)
    if done.returncode != 0:
        raise RuntimeError(f"child {mode} failed:\n{done.stderr[-4000:]}")
    return json.loads(done.stdout.strip().splitlines()[-1])


def run_child(mode: str, args: list[str]) -> None:
    result = CHILDREN[mode](float(args[0]), *args[1:])
    sys.stdout.write(json.dumps(result, ensure_ascii=False) + "\n")
    sys.stdout.flush()
    os._exit(0)  # skip tearing down a heap of 100,000 matters: not part of any figure


# -- the parent --------------------------------------------------------------------------------


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--keep", type=Path, help="the generated central store's folder (office_register.py --keep); written once if missing")
    parser.add_argument("--runs", type=int, default=RUNS, help=f"warm children (default {RUNS})")
    options = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="fieldvisit-views-") as scratch_name:
        scratch = Path(scratch_name)
        master, anchor = register.generate(options.keep or scratch / "store")
        copy = scratch / "office" / register.STORE_NAME  # the kept store is never written
        copy.parent.mkdir()
        shutil.copy2(master, copy)
        if register.cache_fits(master):
            for name in register.CACHE_FILES:
                shutil.copy2(master.with_name(name), copy.with_name(name))
            register.rekey_cache(copy)
        if not register.cache_fits(copy):  # a register cache for the copy: one cold open
            register.child("open", str(copy), anchor.isoformat(), "cold")
        month = child("month", str(copy))["month"]
        progress(f"central store {copy.stat().st_size / 1e6:.1f} MB, today {anchor}, month {month}")
        baseline = child("baseline", str(copy), anchor.isoformat(), month)
        progress(f"baseline: store load {baseline['load']:.2f} s, before month {baseline['before month']:.2f} s, "
                 f"3 years {baseline['before 3 years']:.2f} s, repeats {baseline['before repeats']:.2f} s")
        args = (str(copy), anchor.isoformat(), month)
        copy.with_name(FACTS_FILE).unlink(missing_ok=True)
        cold = child("views", *args, "cold")  # reads the store for the facts, writes their file on exit
        progress(f"cold: F3 {cold['f3']:.2f} s (facts from file: {cold['facts_from_file']})")
        if not copy.with_name(FACTS_FILE).exists():
            raise RuntimeError("the app wrote no facts file on exit")
        warms = []
        for number in range(options.runs):
            warms.append(child("views", *args, "warm"))
            if not warms[-1]["facts_from_file"]:
                raise RuntimeError("a warm child did not take the facts from their file")
            progress(f"warm {number + 1}/{options.runs}: F3 {warms[-1]['f3']:.2f} s, "
                     + ", ".join(f"{c['period']} {c['seconds']:.2f} s" for c in warms[-1]["counts"]))
        facts_bytes = copy.with_name(FACTS_FILE).stat().st_size
        store_bytes = copy.stat().st_size

    print(f"central store: {store_bytes / 1e6:.1f} MB, 100,000 matters (import_bundle generator), today = {anchor}; "
          f"facts file {facts_bytes / 1e6:.1f} MB; the machine is shared (2 cores): wall times spread")
    print(f"warm children (n={len(warms)}): register shown at median {statistics.median(w['shown'] for w in warms):.2f} s, "
          f"store loaded and facts read from their file at median {statistics.median(w['ready'] for w in warms):.2f} s "
          f"from process start; peak RSS median {statistics.median(w['VmHWM'] for w in warms) / 1e6:.0f} MB")
    ok = {}
    f3 = [w["f3"] for w in warms]
    ok["F3"] = statistics.median(f3) <= TARGET
    print(f"F3 attention with repeat suggestions: {register.ms(statistics.median(f3))} median "
          f"(min {register.ms(min(f3))} – max {register.ms(max(f3))}, n={len(f3)}; CPU median "
          f"{register.ms(statistics.median(w['f3_cpu'] for w in warms))}); {warms[0]['f3_lines']} lines, "
          f"{warms[0]['f3_repeats']}  (target ≤ {TARGET:.0f} s) {register.verdict(ok['F3'])}")
    counts = [c for w in warms for c in w["counts"]]
    agree = True
    for name in ("f4", "month", "3 years"):
        chosen = [c for c in counts if c["period"] == name]
        seconds = [c["seconds"] for c in chosen]
        label = {"f4": "F4 pressed (default period)", "month": "F4 one month", "3 years": "F4 three years"}[name]
        period = f"{chosen[0]['start']} – {chosen[0]['end']}, {chosen[0]['figures']['total']:,} matters"
        met = statistics.median(seconds) <= TARGET
        ok[label] = met
        same = name == "f4" or chosen[0]["figures"] == baseline[f"figures {name}"]
        agree &= same
        print(f"{label:<28}: {register.ms(statistics.median(seconds))} median (min {register.ms(min(seconds))} – "
              f"max {register.ms(max(seconds))}, n={len(seconds)}; CPU median {register.ms(statistics.median(c['cpu'] for c in chosen))}; {period})  (target ≤ {TARGET:.0f} s) {register.verdict(met)}"
              + ("" if name == "f4" else f"; figures {'equal' if same else 'DIFFER from'} the baseline's"))
    ok["figures agree"] = agree
    print(f"cold (facts file deleted first, n=1, for information): F3 {cold['f3']:.2f} s (reads every record once), then "
          + ", ".join(f"{c['period']} {c['seconds']:.2f} s" for c in cold["counts"]))
    print("baseline, the same figures as the screens computed them before (loaded SplicingJSONStore, every record read):")
    print(f"  store load {baseline['load']:.2f} s; statistics month {baseline['before month']:.2f} s, three years "
          f"{baseline['before 3 years']:.2f} s; repeat suggestions {baseline['before repeats']:.2f} s")
    print(f"  plain loop: orjson.loads of the whole file {baseline['plain load']:.2f} s, then counting a month "
          f"{register.ms(baseline['plain month'])} ({baseline['plain count month']:,}), three years "
          f"{register.ms(baseline['plain 3 years'])} ({baseline['plain count 3 years']:,})")
    missed = [name for name, met in ok.items() if not met]
    print(f"\nexit status decided by: {', '.join(ok)}: {'all met' if not missed else 'MISSED ' + ', '.join(missed)}")
    return 1 if missed else 0


if __name__ == "__main__":
    if len(sys.argv) > 2 and sys.argv[1] == "--child":
        run_child(sys.argv[2], sys.argv[3:])
    sys.exit(main())
