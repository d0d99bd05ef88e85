"""Saving one matter into a field store that already holds 1,000 matters, fsync included.

Baselines measured in the same run on the same store file: stock TinyDB `JSONStorage` inserting
the same record (it rewrites the file in place, so a crash mid-write breaks it), and a bare
write + fsync + rename of the store's bytes. Target: median ≤ 30 ms, also with a passphrase on
the store (`fieldvisit.stores.at_rest`: each save seals the changed matter's petitioner values only).
"""

from __future__ import annotations

import random
import statistics
import sys
import tempfile
import time
from pathlib import Path

import orjson
from tinydb import TinyDB
from tinydb.storages import JSONStorage

from fieldvisit.stores import at_rest
from fieldvisit.demo.text import SITES, make_matter
from fieldvisit.editing.editor import Editor
from fieldvisit.core.model import DEFAULT_CATEGORIES
from fieldvisit.stores.storage import write_atomically
from fieldvisit.stores.store import ISSUES, VISITS, MemoryStore, TinyDBStore

PRELOAD = 1000
SAVES = 60
TARGET_MS = 30.0


def build_store(path: Path, rng: random.Random) -> str:
    """A field store of PRELOAD realistic matters over 50 visits; returns an open visit id."""
    memory = MemoryStore()
    editor = Editor(memory, rng=rng)
    visit_id = ""
    for number in range(PRELOAD // 20):
        site = SITES[number % len(SITES)]
        visit_id = editor.create_visit({"title": site.title, "site": site.name, "site_kind": site.kind, "date": "2026-11-20"})["id"]
        for _ in range(20):
            editor.record_issue(visit_id, _matter(rng, site))
    with TinyDBStore(path) as store:
        store.put({VISITS: memory.all(VISITS), ISSUES: memory.all(ISSUES)}, memory.meta())
    return visit_id


def _matter(rng: random.Random, site) -> dict:
    matter = make_matter(rng, rng.choice(DEFAULT_CATEGORIES), site)
    matter.pop("commitment_days")
    return matter


def median_ms(samples: list[float]) -> float:
    return statistics.median(samples) * 1000


def main() -> int:
    rng = random.Random(7)
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "field.json"
        visit_id = build_store(path, rng)
        size_mb = path.stat().st_size / 1e6
        matters = [_matter(rng, SITES[0]) for _ in range(SAVES * 2)]

        saves = []
        with TinyDBStore(path) as store:
            editor = Editor(store)
            for matter in matters[:SAVES]:
                start = time.perf_counter()
                editor.record_issue(visit_id, matter)
                saves.append(time.perf_counter() - start)

        sealed_path = Path(folder) / "sealed.json"
        sealed_path.write_bytes(path.read_bytes())
        sealed = []
        with TinyDBStore(sealed_path) as store:
            at_rest.set_passphrase(store, "benchmark passphrase")  # the default Argon2id limits
        with TinyDBStore(sealed_path) as store:
            start = time.perf_counter()
            at_rest.unlock(store, "benchmark passphrase")
            unlock = time.perf_counter() - start
            editor = Editor(store)
            for matter in matters[SAVES:]:
                start = time.perf_counter()
                editor.record_issue(visit_id, matter)
                sealed.append(time.perf_counter() - start)

        raw = path.read_bytes()
        bare = []
        for _ in range(SAVES):
            start = time.perf_counter()
            write_atomically(path, raw)
            bare.append(time.perf_counter() - start)

        stock_path = Path(folder) / "stock.json"
        stock_path.write_bytes(orjson.dumps(orjson.loads(raw)))
        stock = []
        with TinyDB(stock_path, storage=JSONStorage) as db:
            table = db.table("stock_issues")
            for matter in matters[:SAVES]:
                start = time.perf_counter()
                table.insert(matter)
                stock.append(time.perf_counter() - start)

    ours, with_passphrase = median_ms(saves), median_ms(sealed)
    print(f"store file             : {size_mb:.1f} MB, {PRELOAD} matters before the first save")
    print(f"fieldvisit save        : median {ours:6.1f} ms, p95 {sorted(saves)[int(SAVES * 0.95)] * 1000:6.1f} ms (n={SAVES}, fsync + rename)")
    print(f"with a passphrase      : median {with_passphrase:6.1f} ms, p95 {sorted(sealed)[int(SAVES * 0.95)] * 1000:6.1f} ms (n={SAVES}; unlocking took {unlock * 1000:.0f} ms)")
    print(f"bare write+fsync+rename: median {median_ms(bare):6.1f} ms (same bytes: the floor for a durable save)")
    print(f"stock TinyDB insert    : median {median_ms(stock):6.1f} ms (JSONStorage: rewrites in place, not crash-safe)")
    met = max(ours, with_passphrase) <= TARGET_MS
    print(f"target                 : median ≤ {TARGET_MS:.0f} ms, with or without a passphrase {'OK' if met else 'MISSED'}")
    return 0 if met else 1


if __name__ == "__main__":
    sys.exit(main())
