"""What signing and sealing cost (issue 8): QR frames for a 20-matter visit, and import time.

1. For demo seeds 1-5, the longest visit (the 20-matter one) is exported and cut into QR frames
   at version ≤ 20, level M, plain (codec "W") and sealed (codec "S": the same "W" payload,
   sealed to the office and signed by the laptop, `fieldvisit.sync.sealed.seal_binary`).
   Target: sealed needs at most one frame more than plain, for every seed.
2. About 1,000 matters (21 demo laptops merged into one bundle) are imported into an empty
   in-memory store with `import_bundles`, plain, and the trust gate's extra work for the sealed
   file (decompress, verify the Ed25519 signature, open the sealed box) is timed on its own
   (best of 5). An empty in-memory store is the cheapest import there is, so the ratio is an
   upper bound for the 100,000-matter store of `import_bundle.py`.
   Target: the gate adds at most 10 % to the import.

Exits 1 when a target is missed.
"""

from __future__ import annotations

import datetime as dt
import sys
import tempfile
import time
from pathlib import Path

from fieldvisit import devices, trust
from fieldvisit.demo import build_demo
from fieldvisit.records import values
from fieldvisit.store import ISSUES, VISITS, MemoryStore
from fieldvisit.sync import bundle as fmt
from fieldvisit.sync import sealed
from fieldvisit.sync.canonical import canonical_bytes
from fieldvisit.sync.exporter import export_bundle, seal_bundle
from fieldvisit.sync.importer import import_bundles
from fieldvisit.sync.qr_transfer import bundle_frames

ANCHOR = dt.date(2026, 11, 20)
NOW = dt.datetime(2026, 11, 25, tzinfo=dt.timezone.utc)
MAX_EXTRA_FRAMES = 1
MAX_IMPORT_SHARE = 0.10


def best(action, runs: int = 5) -> float:
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        action()
        times.append(time.perf_counter() - start)
    return min(times)


def main() -> int:
    office = trust.OfficeKeys.generate("信访办")
    laptop_keys = trust.enroll_device(Path(tempfile.mkdtemp()) / "device-keys.json", canonical_bytes(office.token()))
    ok = True

    print("QR frames (version ≤ 20, level M) for each seed's longest visit:")
    for seed in range(1, 6):
        laptop = build_demo(seed, ANCHOR)
        sizes: dict[str, int] = {}
        for issue in laptop.all(ISSUES):
            sizes[values(issue)["visit_id"]] = sizes.get(values(issue)["visit_id"], 0) + 1
        longest = max(sizes, key=sizes.get)
        bundle = export_bundle(laptop, [longest])
        payload = sealed.seal_binary(bundle, bundle["device"]["id"], laptop_keys.sign_key, laptop_keys.office_box, office.fingerprint)
        plain, closed = len(bundle_frames(bundle)), len(bundle_frames(bundle, sealed_payload=payload))
        print(f"  seed {seed}: {sizes[longest]:2d} matters  plain {plain} frames  sealed {closed} frames")
        ok &= closed - plain <= MAX_EXTRA_FRAMES

    merged = MemoryStore()
    for seed in range(1, 22):
        laptop = build_demo(seed, ANCHOR)
        merged.put({VISITS: laptop.all(VISITS), ISSUES: laptop.all(ISSUES)})
    merged.put({}, laptop.meta())
    bundle = export_bundle(merged)
    plain_raw = fmt.encode(bundle)
    sealed_raw = sealed.encode(seal_bundle(bundle, laptop_keys))
    gate = devices.TrustGate(MemoryStore(), office, None)
    gate.register = {bundle["device"]["id"]: {"fingerprint": laptop_keys.fingerprint, "state": devices.APPROVED}}
    imported = best(lambda: import_bundles(MemoryStore(), [("plain", plain_raw)], now=NOW), 3)
    opened = best(lambda: gate.open(sealed_raw))
    share = opened / imported
    print(f"{len(bundle['issues'])} matters: plain file {len(plain_raw):,} B, sealed {len(sealed_raw):,} B")
    print(f"  import (plain, empty store) {imported * 1000:.1f} ms; gate on the sealed file {opened * 1000:.1f} ms = {share:.1%} (target ≤ {MAX_IMPORT_SHARE:.0%})")
    ok &= share <= MAX_IMPORT_SHARE
    print("targets met" if ok else "TARGET MISSED")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
