"""Quitting the office app after some steps, on the central store of 100,000 matters (issue 16 §3:
"the register cache is not rewritten in full on the UI thread at exit").

Each run is a fresh interpreter on a fresh copy of the store and its register cache (as the
office app's first open left them), opened as `fieldvisit office` opens it (`open_office` in
`fieldvisit/cli/office.py`: `SplicingJSONStore(deferred=True)`, `RegisterCache.of(home, policy)`,
`OfficeApp`), driven headless with Pilot: the register shown from the cache, the store loaded in
the background, STEPS officer steps (`app.workflow.assign`), then the app exits. What `open_office`
does after `app.run()` returns is timed, as is the process's end:

  - compact: `store.compact()`, the journal spliced into the file (the same in both kinds);
  - cache: `app.save_register_cache(...)`, the register cache kept for the next start;
  - facts: `app.matter_facts.save()`, the matters' facts file (`office.facts_cache`) kept too, as
    `app.save_caches()` does (not this issue's: shown so the quit adds up);
  - quit: from the app's exit to the process having exited (the above, `store.close()`, the
    interpreter's teardown): what the officer waits for before the terminal is back.

Two kinds, alternating, RUNS each: **whole**, the cache rewritten in full at exit (what the exit
did before: both files, every row), and **delta**, the default now: only the rows changed since
the cache's rows file, into `register-delta.json`. After the first run of each kind a fresh
process opens the copy and checks the register comes from the cache (it must, or the next start
would be the slow one). Prints median and spread; PASS when the delta's cache write is ≤
TARGET_SHARE of the whole rewrite's (medians) and the cache fits after both.

    python benchmarks/office_quit.py [--keep DIR] [--runs N]
"""

from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import json
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import orjson

sys.path.insert(0, str(Path(__file__).parent))
import measure
import office_register

RUNS = 3
STEPS = 5
TARGET_SHARE = 0.25
DEPARTMENTS = ("信访办", "工会")
FACTS_FILE = "matter-facts.json"  # fieldvisit.office.facts_cache FILE: the matters' facts, also kept at exit


def now() -> float:
    return time.clock_gettime(time.CLOCK_MONOTONIC)


def child_quit(store_path: str, anchor: str, kind: str) -> dict:
    from fieldvisit.apps.office import OfficeApp
    from fieldvisit.core.i18n import set_language
    from fieldvisit.locations import paths
    from fieldvisit.office.policy import load_policy
    from fieldvisit.office.register_cache import RegisterCache
    from fieldvisit.stores.splice_store import SplicingJSONStore

    set_language("zh-CN")
    store = SplicingJSONStore(Path(store_path), deferred=True)
    home = paths.Home.beside(store_path)
    policy = load_policy(home.policy_file)
    app = OfficeApp(store, policy=policy, cache=RegisterCache.of(home, policy), home=home, today=dt.date.fromisoformat(anchor))
    result: dict = {"cache_hit": app._cached_version is not None}

    async def drive() -> None:
        async with app.run_test(size=(120, 40)) as pilot:
            while app.register_index._search_pending is not None or not (store._loaded or store._loader is not None and not store._loader.is_alive()):
                await pilot.pause(0.05)
            written = 0
            for issue_id in list(app.register_index.rows)[:STEPS]:
                for department in DEPARTMENTS:
                    if app.workflow.assign(issue_id, department=department):
                        written += 1
                        break
                await pilot.pause()
            result["steps"] = written

    asyncio.run(drive())
    quit_at = now()
    store.compact()
    compacted = now()
    app.save_register_cache(whole=kind == "whole")
    saved = now()
    facts = getattr(app, "matter_facts", None)  # the matters' facts kept too (`app.save_caches`), when the app has them
    if facts is not None:
        facts.save()
    facts_saved = now()
    store.close()
    result.update(quit_at=quit_at, compact=compacted - quit_at, cache=saved - compacted, facts=facts_saved - saved)
    return result


def child_check(store_path: str, anchor: str) -> dict:
    from fieldvisit.locations import paths
    from fieldvisit.office.policy import load_policy
    from fieldvisit.office.register import RegisterIndex
    from fieldvisit.office.register_cache import RegisterCache
    from fieldvisit.stores.splice_store import SplicingJSONStore

    home = paths.Home.beside(store_path)
    policy = load_policy(home.policy_file)
    with SplicingJSONStore(Path(store_path), deferred=True) as store:
        index = RegisterIndex(store, policy, dt.date.fromisoformat(anchor))
        return {"cache_hit": index.open(RegisterCache.of(home, policy), build=False), "rows": len(index.rows)}


def child_cache(store_path: str, anchor: str) -> dict:
    """The cache as the office app's first open writes it."""
    from fieldvisit.locations import paths
    from fieldvisit.office.policy import load_policy
    from fieldvisit.office.register import RegisterIndex
    from fieldvisit.office.register_cache import RegisterCache
    from fieldvisit.stores.splice_store import SplicingJSONStore

    home = paths.Home.beside(store_path)
    policy = load_policy(home.policy_file)
    with SplicingJSONStore(Path(store_path)) as store:
        index = RegisterIndex(store, policy, dt.date.fromisoformat(anchor))
        index.open(RegisterCache.of(home, policy))
        index.save(RegisterCache.of(home, policy))
        try:
            from fieldvisit.office.facts import FactsIndex
            from fieldvisit.office.facts_cache import FactsCache
        except ImportError:  # a fieldvisit from before the facts file
            pass
        else:
            facts = FactsIndex(store, FactsCache.of(home))
            facts.ready()
            facts.save()
    return {"rows": len(index.rows)}


def child(mode: str, *args: str) -> tuple[dict, float]:
    done = subprocess.run([sys.executable, __file__, "--child", mode, *args], capture_output=True, text=True, check=False)
    ended = now()
    if done.returncode != 0:
        raise RuntimeError(f"child {mode} failed:\n{done.stderr[-4000:]}")
    return json.loads(done.stdout.strip().splitlines()[-1]), ended


def fresh(master: Path, target: Path) -> None:
    """A copy of the store and its cache files, the cache given the copy's inode."""
    shutil.rmtree(target.parent, ignore_errors=True)
    target.parent.mkdir(parents=True)
    for name in (master.name, "register-cache.json", "register-search.json", FACTS_FILE):
        if master.with_name(name).exists():
            shutil.copy2(master.with_name(name), target.with_name(name))
    office_register.rekey_cache(target)
    facts = target.with_name(FACTS_FILE)
    if facts.exists():
        kept = orjson.loads(facts.read_bytes())
        kept["key"]["inode"] = target.stat().st_ino
        facts.write_bytes(orjson.dumps(kept))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--keep", type=Path, help="the generated 100,000-matter store (office_register --keep)")
    parser.add_argument("--runs", type=int, default=RUNS)
    options = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="fieldvisit-quit-") as folder:
        scratch = Path(folder)
        source, anchor = office_register.generate(options.keep or scratch / "store")
        master = scratch / "master" / source.name
        master.parent.mkdir()
        shutil.copy2(source, master)
        office_register.progress("writing the register cache, as the office app's first open does")
        child("cache", str(master), anchor.isoformat())
        runs: dict[str, list[dict]] = {"whole": [], "delta": []}
        fits: dict[str, bool] = {}
        for number in range(options.runs):
            for kind in ("whole", "delta") if number % 2 == 0 else ("delta", "whole"):
                target = scratch / "run" / master.name
                fresh(master, target)
                result, ended = child("quit", str(target), anchor.isoformat(), kind)
                if not result["cache_hit"] or result["steps"] != STEPS:
                    raise RuntimeError(f"the app did not open from the cache or did not write: {result}")
                result["quit"] = ended - result["quit_at"]
                runs[kind].append(result)
                if kind not in fits:
                    fits[kind] = child("check", str(target), anchor.isoformat())[0]["cache_hit"]
                office_register.progress(f"run {number + 1}/{options.runs} {kind}: quit {result['quit']:.2f} s "
                                         f"(compact {result['compact']:.2f} s, cache {result['cache']:.2f} s)")
    print(f"\nQuitting the office app after {STEPS} steps, 100,000 matters (2-core machine shared with other jobs)")
    for kind, label in (("whole", "cache rewritten whole (before)"), ("delta", "cache delta only (now)  ")):
        chosen = runs[kind]
        print(f"  {label}: quit {measure.spread([r['quit'] for r in chosen])}; "
              f"of which compact {measure.spread([r['compact'] for r in chosen])}, "
              f"register cache write {measure.spread([r['cache'] for r in chosen], 'ms', 1000, 0)}, "
              f"facts file {measure.spread([r['facts'] for r in chosen], 'ms', 1000, 0)}; "
              f"next open from the cache: {'yes' if fits[kind] else 'NO'}")
    share = statistics.median(r["cache"] for r in runs["delta"]) / statistics.median(r["cache"] for r in runs["whole"])
    ok = share <= TARGET_SHARE and all(fits.values())
    print(f"  delta cache write = {share:.1%} of the whole rewrite (target ≤ {TARGET_SHARE:.0%}), cache fits after both: "
          f"{'yes' if all(fits.values()) else 'NO'}  {'PASS' if ok else 'MISS'}")
    return 0 if ok else 1


if __name__ == "__main__":
    if len(sys.argv) > 2 and sys.argv[1] == "--child":
        found = {"quit": child_quit, "check": child_check, "cache": child_cache}[sys.argv[2]](*sys.argv[3:])
        print(json.dumps(found))
        sys.exit(0)
    sys.exit(main())
