"""The office register on a central store of 100,000 matters: open, filter, search, memory.

The central store is the one `import_bundle.py` builds (its generator is reused: 500 matters from
each of 200 laptops recorded through real `Editor`s, imported, assigned and re-routed by the
office, with conflicts), written as the office keeps it (`TinyDBStore`). Every figure comes from
a fresh interpreter driving the real `OfficeApp` headless with Pilot (`run_test(size=(120, 40))`),
zh-CN UI, `today` = the generator's anchor:

  - open: from process start (interpreter and imports included) and from `TinyDBStore(path)`
    until the register's DataTable has its first rows laid out and rendered: a Pilot loop polls
    `table.row_count > 0`, then lets the screen process what is pending and runs its update
    (what the screen's refresh timer would do next). Median of OPEN_RUNS after one uncounted
    warm-up run, each in its own process;
  - actions: a realistic search typed into #register-search one key event per character, the way
    a terminal delivers an IME's commits ("养老金核定", erased with backspace, then "医药费 报销",
    erased), then #register-saved switched to "overdue" and back SWITCHES times. Each action is
    timed from posting the key event (or setting the Select) until the table holds the new rows
    and the screen has processed the resulting messages and rendered, i.e. through
    Input.Changed / Select.Changed → RegisterScreen.refresh_rows → DataTable → compositor. The
    time inside `refresh_rows` and inside the query (`RegisterIndex.select`) is shown beside it;
  - memory: peak RSS (VmHWM) of that process after opening and all the actions, above a bare
    interpreter that imports the same modules and stops, against the store file size;
  - baseline, same run: a bare Textual app whose only widget is a DataTable given the very rows
    and columns the register showed (the register puts at most SHOWN rows in the table),
    timed the same way, so the reader sees what part of the open is Textual itself.

Targets (issue): open ≤ 1 s to first rows shown (judged on the total from process start; the
figure from store open is shown too), a search keystroke or a filter change ≤ 100 ms to updated
rows (judged on the p95 of each kind of action), memory of the running app ≤ 3× the store file.
Exits 1 when a target is missed. Then a cProfile of the open path (top 15 cumulative) and of
`RegisterIndex.build` alone (top by own time), and a breakdown of the open from the timed runs.

Generating the store takes a minute or two; `--keep DIR` writes it (and its anchor date) to DIR
and reuses it on later runs.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import math
import os
import re
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

OPEN_RUNS = 3
SWITCHES = 10  # saved filter "overdue" and back to "all", ten times each
SEARCHES = ("养老金核定", "医药费 报销")  # an officer looking for pension-assessment and medical-bill matters
TARGET_OPEN = 1.0  # seconds
TARGET_ACTION = 0.100  # seconds, p95 of each kind of action
TARGET_MEMORY = 3.0  # × the store file size
SIZE = (120, 40)
LANG = "zh-CN"
STORE_NAME = "fieldvisit.json"
ACTION_TIMEOUT = 30.0


def now() -> float:
    """A clock shared by all processes on the machine (Linux: CLOCK_MONOTONIC)."""
    return time.clock_gettime(time.CLOCK_MONOTONIC)


START = now()


def progress(message: str) -> None:
    print(f"[{now() - START:6.1f}s] {message}", file=sys.stderr, flush=True)


def memory_status() -> dict[str, int]:
    """Peak (VmHWM) and current (VmRSS) resident set of this process, in bytes."""
    status = Path("/proc/self/status").read_text()
    return {key: int(status.split(f"{key}:")[1].split()[0]) * 1024 for key in ("VmHWM", "VmRSS")}


# -- children: each measurement in a fresh interpreter -----------------------------------------


class GcClock:
    """Time spent in the cyclic garbage collector, by generation (gc.callbacks)."""

    def __init__(self) -> None:
        import gc

        self.seconds = [0.0, 0.0, 0.0]
        self.runs = [0, 0, 0]
        self._started = 0.0
        gc.callbacks.append(self._callback)

    def _callback(self, phase: str, info: dict) -> None:
        if phase == "start":
            self._started = now()
        else:
            self.seconds[info["generation"]] += now() - self._started
            self.runs[info["generation"]] += 1

    def total(self) -> float:
        return sum(self.seconds)


def _import_app_modules():
    """What the office app needs, imported the same way by every child (the idle one included)."""
    from fieldvisit.i18n import set_language

    set_language(LANG)  # before the screens are imported: their bindings read their labels
    from textual import events  # noqa: F401
    from textual.app import App  # noqa: F401
    from textual.widgets import DataTable, Input, Select  # noqa: F401

    from fieldvisit.office_app import OfficeApp  # noqa: F401
    from fieldvisit.store import TinyDBStore  # noqa: F401


class OpenHooks:
    """Wrappers around a few product functions (in this process only) that note when they ran."""

    def __init__(self) -> None:
        from fieldvisit.register import RegisterIndex
        from fieldvisit.screens.register import RegisterScreen
        from fieldvisit.storage import AtomicJSONStorage
        from fieldvisit.store import TinyDBStore

        self.read = 0.0  # first AtomicJSONStorage.read: the store file read and parsed
        self.all = 0.0  # TinyDBStore.all: TinyDB turning the parsed tables into Documents
        self.build = 0.0  # RegisterIndex.build (store.all included)
        self.refreshes: list[tuple[float, float, int]] = []  # RegisterScreen.refresh_rows: start, end, rows
        self.first_rows: float | None = None

        def timed(owner, name, add):
            original = getattr(owner, name)

            def wrapper(*args, **kwargs):
                start = now()
                try:
                    return original(*args, **kwargs)
                finally:
                    add(args[0], start, now())

            setattr(owner, name, wrapper)

        def on_read(storage, start, end):
            if storage._cache is not None and not self.read:
                self.read = end - start

        def on_all(_store, start, end):
            self.all += end - start

        def on_build(_index, start, end):
            self.build += end - start

        def on_refresh(screen, start, end):
            rows = screen.query_one("#register").row_count
            self.refreshes.append((start, end, rows))
            if rows and self.first_rows is None:
                self.first_rows = end

        timed(AtomicJSONStorage, "read", on_read)
        timed(TinyDBStore, "all", on_all)
        timed(RegisterIndex, "build", on_build)
        timed(RegisterScreen, "refresh_rows", on_refresh)


async def _until_shown(pilot, table) -> float:
    """Poll until the table has rows, then let the screen process what is pending and render."""
    deadline = now() + ACTION_TIMEOUT
    while table.row_count == 0:
        if now() > deadline:
            raise RuntimeError("the register never showed rows")
        await pilot._wait_for_screen()
    await pilot._wait_for_screen()
    pilot.app.screen._on_timer_update()  # what the screen's update timer does: lay out, render
    return now()


def child_open(spawned: float, store_path: str, anchor: str, cells_out: str = "", profile_out: str = "") -> dict:
    imported_at = now()
    _import_app_modules()
    import asyncio

    from textual.widgets import DataTable

    from fieldvisit.office_app import OfficeApp
    from fieldvisit.store import TinyDBStore

    hooks = None if profile_out else OpenHooks()
    collector = GcClock()
    profiler = None
    if profile_out:
        import cProfile

        profiler = cProfile.Profile()
    imports_done = now()
    result: dict = {}

    async def drive(app) -> None:
        async with app.run_test(size=SIZE) as pilot:
            table = app.screen.query_one("#register", DataTable)
            shown = await _until_shown(pilot, table)
            if profiler:
                profiler.disable()
            result.update(shown=shown, gc=collector.total(), gc_runs=list(collector.runs), gc_full=collector.seconds[2], rows=table.row_count, count=str(app.screen.query_one("#register-count").render()))
            if cells_out:
                columns = [(str(key.value), str(column.label)) for key, column in table.columns.items()]
                rows = [list(table.get_row_at(number)) for number in range(table.row_count)]
                Path(cells_out).write_text(json.dumps({"columns": columns, "rows": rows}, ensure_ascii=False))
            result["columns"] = len(table.columns)

    if profiler:
        profiler.enable()
    opened = now()
    store = TinyDBStore(Path(store_path))
    app = OfficeApp(store, today=dt.date.fromisoformat(anchor))
    constructed = now()
    asyncio.run(drive(app))
    result.update(
        spawned=spawned, imported_at=imported_at, imports_done=imports_done, opened=opened, constructed=constructed,
        **memory_status(),
    )
    if hooks:
        result.update(read=hooks.read, all=hooks.all, build=hooks.build, first_rows=hooks.first_rows, refreshes=hooks.refreshes)
    if profiler:
        import io
        import pstats

        from fieldvisit.register import RegisterIndex

        text = io.StringIO()
        pstats.Stats(profiler, stream=text).sort_stats("cumulative").print_stats(15)
        build_profiler = cProfile.Profile()  # the same build again, alone: its rows from the loaded store
        build_profiler.enable()
        RegisterIndex(store, app.register_index.policy, app.register_index.today).build()
        build_profiler.disable()
        build_text = io.StringIO()
        pstats.Stats(build_profiler, stream=build_text).sort_stats("tottime").print_stats(12)
        Path(profile_out).write_text(json.dumps({"open": text.getvalue(), "build": build_text.getvalue()}))
    store.close()
    return result


def child_actions(spawned: float, store_path: str, anchor: str) -> dict:
    _import_app_modules()
    import asyncio

    from textual import events
    from textual.keys import _character_to_key
    from textual.widgets import DataTable, Input, Select

    from fieldvisit.office_app import OfficeApp
    from fieldvisit.store import TinyDBStore

    store = TinyDBStore(Path(store_path))
    app = OfficeApp(store, today=dt.date.fromisoformat(anchor))
    actions: list[dict] = []
    collector = GcClock()

    async def drive() -> None:
        async with app.run_test(size=SIZE) as pilot:
            screen = app.screen
            table = screen.query_one("#register", DataTable)
            await _until_shown(pilot, table)
            count = screen.query_one("#register-count")
            search = screen.query_one("#register-search", Input)
            saved = screen.query_one("#register-saved", Select)
            search.focus()
            await pilot.pause()

            refreshes: list[tuple[float, float]] = []
            selects: list[tuple[float, int]] = []
            original_refresh = screen.refresh_rows
            original_select = app.register_index.select

            def refresh_rows() -> None:
                start = now()
                original_refresh()
                refreshes.append((start, now()))

            def select(chosen, **kwargs):
                start = now()
                found = original_select(chosen, **kwargs)
                selects.append((now() - start, len(found)))
                return found

            screen.refresh_rows = refresh_rows  # the @on handlers call self.refresh_rows()
            app.register_index.select = select

            async def act(kind: str, label: str, trigger) -> None:
                before = len(refreshes)
                collected = collector.total()
                started = now()
                trigger()
                while len(refreshes) == before:  # the handler has not run yet: let the app work
                    if now() - started > ACTION_TIMEOUT:
                        raise RuntimeError(f"{kind} {label!r}: the register never refreshed")
                    await asyncio.sleep(0)
                await pilot._wait_for_screen()  # DataTable and friends process what the refresh queued
                app.screen._on_timer_update()  # lay out and render, as the screen's update timer would
                shown = now()
                gc_seconds = collector.total() - collected
                start, end = refreshes[-1]
                actions.append({
                    "kind": kind, "label": label, "seconds": shown - started, "refresh": end - start,
                    "select": selects[-1][0], "matching": selects[-1][1], "refreshed": end - started, "gc": gc_seconds, "calls": len(refreshes) - before,
                    "text": search.value, "count": str(count.render()), "rows": table.row_count,
                })
                await pilot.pause()  # settle before the next action (not timed)

            def key(character: str | None, name: str):
                return lambda: app.post_message(events.Key(name, character))

            for term in SEARCHES:
                for character in term:
                    await act("keystroke", character, key(character, _character_to_key(character)))
                for _ in term:
                    await act("keystroke", "⌫", key(None, "backspace"))
            for _ in range(SWITCHES):
                await act("saved: all → overdue", "overdue", lambda: setattr(saved, "value", "overdue"))
                await act("saved: overdue → all", "all", lambda: setattr(saved, "value", "all"))

    asyncio.run(drive())
    store.close()
    return {"actions": actions, **memory_status()}


def child_bare(spawned: float, cells_path: str, replacements: str = "0") -> dict:
    """A bare Textual app with only a DataTable holding the rows the register showed; optionally
    the same rows then cleared and put back `replacements` times, as a refresh does (no query)."""
    import asyncio

    from textual.app import App
    from textual.widgets import DataTable

    cells = json.loads(Path(cells_path).read_text())
    imports_done = now()

    class BareTable(App):
        def compose(self):
            yield DataTable(id="register", cursor_type="row", zebra_stripes=True)

        def on_mount(self) -> None:
            table = self.query_one(DataTable)
            for key, label in cells["columns"]:
                table.add_column(label, key=key, width=24 if key == "title" else None)
            self.put_rows()
            table.focus()

        def put_rows(self) -> None:
            table = self.query_one(DataTable)
            table.clear()
            for number, row in enumerate(cells["rows"]):
                table.add_row(*row, key=str(number))

    result: dict = {"replace": [], "put_rows": []}

    async def drive(app) -> None:
        async with app.run_test(size=SIZE) as pilot:
            table = app.query_one(DataTable)
            result.update(shown=await _until_shown(pilot, table), rows=table.row_count)
            for _ in range(int(replacements)):
                await pilot.pause()
                started = now()
                app.put_rows()
                result["put_rows"].append(now() - started)
                await pilot._wait_for_screen()
                app.screen._on_timer_update()
                result["replace"].append(now() - started)

    opened = now()
    asyncio.run(drive(BareTable()))
    return {"spawned": spawned, "imports_done": imports_done, "opened": opened, **result, **memory_status()}


def child_idle(spawned: float) -> dict:
    _import_app_modules()
    return memory_status()


CHILDREN = {"open": child_open, "actions": child_actions, "bare": child_bare, "idle": child_idle}


def child(mode: str, *args: str) -> dict:
    """Run one measurement in a fresh interpreter; its last line of output is a JSON result."""
    env = {**os.environ, "FIELDVISIT_LANG": LANG}
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


# -- the parent: generate the store, run the children, report ----------------------------------


def generate(folder: Path) -> tuple[Path, dt.date]:
    """The central store of `import_bundle.py`, written by `TinyDBStore`; reused when kept."""
    path, anchor_file = folder / STORE_NAME, folder / "anchor.txt"
    if path.exists() and anchor_file.exists():
        progress(f"reusing the central store in {folder}")
        return path, dt.date.fromisoformat(anchor_file.read_text().strip())
    sys.path.insert(0, str(Path(__file__).parent))
    import import_bundle as generator  # its generator; only the parent imports it

    from fieldvisit.store import IMPORTS, ISSUES, VISITS, TinyDBStore

    anchor = dt.date.today()
    progress(f"generating the central store: {generator.DEVICES} laptops × "
             f"{generator.VISITS_PER_DEVICE * generator.MATTERS_PER_VISIT} matters (import_bundle.build_central)")
    central, _laptop = generator.build_central(anchor)
    folder.mkdir(parents=True, exist_ok=True)
    for leftover in folder.glob(STORE_NAME + "*"):
        leftover.unlink()
    with TinyDBStore(path) as store:
        store.put({VISITS: central.all(VISITS), ISSUES: central.all(ISSUES), IMPORTS: central.all(IMPORTS)}, central.meta())
    anchor_file.write_text(anchor.isoformat())
    return path, anchor


def nearest_rank(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[max(0, math.ceil(share * len(ordered)) - 1)]


def ms(seconds: float) -> str:
    return f"{seconds * 1000:7.1f} ms"


def verdict(ok: bool) -> str:
    return "OK" if ok else "MISSED"


def short_paths(text: str) -> str:
    """pstats output with site-packages and repository prefixes cut, so lines stay readable."""
    root = str(Path(__file__).resolve().parent.parent) + os.sep
    lines = [re.sub(r"\S*site-packages/", "", line).replace(root, "") for line in text.splitlines()]
    return "\n".join(line for line in lines if line.strip())


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--keep", type=Path, help="write the generated store here and reuse it on later runs")
    options = parser.parse_args()
    replacements = SWITCHES * 2
    with tempfile.TemporaryDirectory(prefix="fieldvisit-register-") as scratch_name:
        scratch = Path(scratch_name)
        store_path, anchor = generate(options.keep or scratch / "store")
        store_bytes = store_path.stat().st_size
        progress(f"central store: {store_bytes / 1e6:.1f} MB; anchor (today) {anchor}")
        cells_path, profile_path = scratch / "cells.json", scratch / "profile.json"
        args = (str(store_path), anchor.isoformat())

        idle = child("idle")
        warm = child("open", *args, str(cells_path))  # uncounted; also notes the rows shown for the baseline
        progress(f"warm-up open: {warm['shown'] - warm['spawned']:.2f} s; {warm['count']}")
        child("bare", str(cells_path))
        opens, bares = [], []
        for number in range(OPEN_RUNS):
            bares.append(child("bare", str(cells_path), str(replacements)))
            opens.append(child("open", *args))
            progress(f"open run {number + 1}/{OPEN_RUNS}: {opens[-1]['shown'] - opens[-1]['spawned']:.2f} s "
                     f"(bare DataTable app {bares[-1]['shown'] - bares[-1]['spawned']:.2f} s)")
        progress(f"actions: {sum(len(term) for term in SEARCHES) * 2} keystrokes, {replacements} saved-filter switches")
        acted = child("actions", *args)
        progress("profiling the open path")
        child("open", *args, "", str(profile_path))
        profile = json.loads(profile_path.read_text())

    def median(values) -> float:
        return statistics.median(list(values))

    total = median(r["shown"] - r["spawned"] for r in opens)
    from_open = median(r["shown"] - r["opened"] for r in opens)
    bare_total = median(r["shown"] - r["spawned"] for r in bares)
    bare_open = median(r["shown"] - r["opened"] for r in bares)
    bare_replace = [seconds for r in bares for seconds in r["replace"]]
    bare_put = [seconds for r in bares for seconds in r["put_rows"]]

    print(f"central store          : {store_bytes / 1e6:.1f} MB ({STORE_NAME}, import_bundle generator, today = {anchor})")
    print(f"register on open       : {warm['count']}")
    print(f"open → first rows      : median {total:6.2f} s from process start (min {min(r['shown'] - r['spawned'] for r in opens):.2f}, "
          f"n={OPEN_RUNS}, fresh process)  (target ≤ {TARGET_OPEN:.0f} s) {verdict(total <= TARGET_OPEN)}")
    print(f"  from TinyDBStore()   : median {from_open:6.2f} s  ({verdict(from_open <= TARGET_OPEN)} against the same target)")
    print(f"bare Textual DataTable : median {bare_total:6.2f} s from process start, {bare_open:.2f} s from App() to the same "
          f"{opens[0]['rows']} rows × {warm['columns']} columns rendered (n={OPEN_RUNS})")

    parts = {  # where the open goes, from the timed (unprofiled) runs
        "interpreter start-up": lambda r: r["imported_at"] - r["spawned"],
        "imports (Textual, fieldvisit screens)": lambda r: r["imports_done"] - r["imported_at"],
        "store file read + orjson parse (Editor → meta())": lambda r: r["read"],
        "RegisterIndex.build": lambda r: r["build"],
        "  of which TinyDB store.all() (Documents)": lambda r: r["all"],
        "  of which RegisterIndex._row × matters": lambda r: r["build"] - r["all"],
        "rest of OfficeApp()": lambda r: r["constructed"] - r["opened"] - r["read"] - r["build"],
        "refresh_rows (every call before rows shown)": lambda r: sum(end - start for start, end, _ in r["refreshes"]),
        "Textual: run_test → rows rendered, less refresh_rows": lambda r: r["shown"] - r["constructed"] - sum(end - start for start, end, _ in r["refreshes"]),
        "(cyclic GC, inside the parts above)": lambda r: r["gc"],
    }
    print("open breakdown (medians of the timed runs):")
    for name, of_run in parts.items():
        print(f"  {name:<53}: {median(of_run(r) for r in opens):6.2f} s")
    print(f"  refresh_rows ran {len(opens[0]['refreshes'])}× before the first rows were rendered: "
          f"{', '.join(f'{(end - start) * 1000:.0f} ms' for start, end, _ in opens[0]['refreshes'])}; "
          f"GC runs by generation {opens[0]['gc_runs']}, full collections {opens[0]['gc_full']:.2f} s")

    actions = acted["actions"]
    action_ok = True
    print("actions through the app (posted → new rows in the table, screen settled and rendered):")
    for kind in dict.fromkeys(action["kind"] for action in actions):
        chosen = [action for action in actions if action["kind"] == kind]
        seconds = [action["seconds"] for action in chosen]
        p95 = nearest_rank(seconds, 0.95)
        action_ok &= p95 <= TARGET_ACTION
        print(f"  {kind:<21}: median {ms(median(seconds))}, p95 {ms(p95)}, max {ms(max(seconds))} (n={len(chosen)})"
              f"  (target p95 ≤ {TARGET_ACTION * 1000:.0f} ms) {verdict(p95 <= TARGET_ACTION)}")
        print(f"  {'':<21}  of which refresh_rows median {ms(median(a['refresh'] for a in chosen))}, "
              f"RegisterIndex.select {ms(median(a['select'] for a in chosen))}; GC max {ms(max(a['gc'] for a in chosen))}")
    print(f"  bare DataTable, same rows cleared and re-added → rendered: median {ms(median(bare_replace))}, "
          f"p95 {ms(nearest_rank(bare_replace, 0.95))} (clear + add_row alone {ms(median(bare_put))}; n={len(bare_replace)})")
    print("  each keystroke: total / refresh_rows / select / GC → matching")
    for action in actions:
        if action["kind"] == "keystroke":
            print(f"    {action['label']} → {action['text']!r:<14} {ms(action['seconds'])} / {ms(action['refresh'])} / "
                  f"{ms(action['select'])} / {ms(action['gc'])}  → {action['matching']:,}")

    peak = acted["VmHWM"] - idle["VmHWM"]
    resident = median(r["VmRSS"] for r in opens) - idle["VmHWM"]
    memory = peak / store_bytes
    print(f"memory                 : peak {peak / 1e6:6.0f} MB RSS above a bare interpreter with the same imports "
          f"({idle['VmHWM'] / 1e6:.0f} MB) = {memory:.2f}× the store file  (target ≤ {TARGET_MEMORY:.0f}×) {verdict(memory <= TARGET_MEMORY)}")
    print(f"  resident once open   : {resident / 1e6:6.0f} MB = {resident / store_bytes:.2f}× the store file")

    print("\nprofile of the open path, TinyDBStore() → rows rendered (cProfile, one more fresh process; "
          "its overhead inflates call-heavy Python code, so use the breakdown above for proportions):")
    print(short_paths(profile["open"]))
    print("\nRegisterIndex.build alone, on the loaded store (top by own time):")
    print(short_paths(profile["build"]))
    return 0 if total <= TARGET_OPEN and action_ok and memory <= TARGET_MEMORY else 1


if __name__ == "__main__":
    if len(sys.argv) > 2 and sys.argv[1] == "--child":
        run_child(sys.argv[2], sys.argv[3:])
    sys.exit(main())
