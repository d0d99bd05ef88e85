"""Damaged files never cause a wrong or partial merge (docs/architecture.md §6).

A laptop's second hand-over (it updates matters the office already has and adds new ones) is
damaged in 5,000 reproducible ways: bytes flipped, cut short, bytes inserted, and for the plain
JSON form also characters swapped and digits changed (which keeps it valid JSON, so the damage
reaches the version, schema and digest checks). Each damaged copy is imported into the same office store.
Whatever happens must be one of two things:

* refused with a clean report, and the store (records, import log, file bytes) exactly as before;
* accepted, and then the store holds exactly what the undamaged bundle gives: the damage touched
  no content (a gzip header's time or OS byte, whitespace between JSON tokens, two equal
  characters swapped).

An exception escaping `import_bundles` is a failure too: the office tool must report, not crash.
"""

from __future__ import annotations

import collections
import datetime as dt
import random
import time
from pathlib import Path
from typing import Any, Callable

import pytest

from fieldvisit.demo.laptop import build_demo
from fieldvisit.editing.editor import Editor
from fieldvisit.stores.store import IMPORTS, ISSUES, VISITS, TinyDBStore
from fieldvisit.sync import bundle as fmt
from fieldvisit.sync.canonical import canonical_bytes
from fieldvisit.sync.exporter import export_bundle
from fieldvisit.sync.importer import import_bundles

ANCHOR = dt.date(2026, 11, 20)
NOW = dt.datetime(2026, 11, 25, tzinfo=dt.timezone.utc)
SEED = 20261125
PER_KIND = 600
"""Mutations of each kind for each encoding: 3 kinds × .fvb + 5 kinds × JSON = 4,800, plus a
further 200 flips aimed at the gzip header and trailer, where damage is most likely to survive."""


def second_handover() -> tuple[dict[str, Any], dict[str, Any]]:
    """Laptop 1's first bundle, and its second after two withdrawals and three new matters."""
    laptop = build_demo(1, ANCHOR)
    first = export_bundle(laptop)
    later = int(dt.datetime(2026, 11, 22, 9, 0, tzinfo=dt.timezone.utc).timestamp() * 1000)
    editor = Editor(laptop, actor="唐芳", wall=lambda: later, rng=random.Random(SEED))
    issues = sorted(laptop.all(ISSUES), key=lambda record: record["id"])
    open_issues = [issue for issue in issues if issue["fields"]["status"]["value"] != "withdrawn"]
    for issue in open_issues[3:5]:
        editor.withdraw_issue(issue["id"], "信访人表示问题已解决")
    visit_id = issues[0]["fields"]["visit_id"]["value"]
    for number in range(3):
        editor.record_issue(visit_id, {"title": f"补记第{number + 1}件：班中餐补贴标准偏低", "demand": "提高班中餐补贴"})
    return first, export_bundle(laptop)


def state_of(store: TinyDBStore) -> dict[str, bytes]:
    """What an import may change, in comparable form; import-log ids are random, so left out."""
    log = sorted(({k: v for k, v in entry.items() if k != "id"} for entry in store.all(IMPORTS)), key=canonical_bytes)
    return {
        VISITS: canonical_bytes(sorted(store.all(VISITS), key=lambda record: record["id"])),
        ISSUES: canonical_bytes(sorted(store.all(ISSUES), key=lambda record: record["id"])),
        IMPORTS: canonical_bytes(log),
        "clock": canonical_bytes(store.meta().get("clock")),
    }


# -- the mutations ---------------------------------------------------------------------------


def flip(rng: random.Random, data: bytes) -> bytes:
    damaged = bytearray(data)
    for _ in range(rng.randint(1, 8)):
        damaged[rng.randrange(len(damaged))] ^= rng.randint(1, 255)
    return bytes(damaged)


def truncate(rng: random.Random, data: bytes) -> bytes:
    return data[: rng.randrange(len(data))]


def insert(rng: random.Random, data: bytes) -> bytes:
    at = rng.randrange(len(data) + 1)
    return data[:at] + rng.randbytes(rng.randint(1, 8)) + data[at:]


def swap(rng: random.Random, data: bytes) -> bytes:
    """Swap two characters (not bytes), so the text stays valid UTF-8 and reaches the parser."""
    text = list(data.decode("utf-8"))
    for _ in range(rng.randint(1, 3)):
        i, j = rng.randrange(len(text)), rng.randrange(len(text))
        text[i], text[j] = text[j], text[i]
    return "".join(text).encode("utf-8")


def change_digits(rng: random.Random, data: bytes) -> bytes:
    """Replace 1–3 ASCII digits (in stamps, ids, the digest, the version, counts) by other digits."""
    damaged = bytearray(data)
    digits = [at for at in range(len(damaged)) if 0x30 <= damaged[at] <= 0x39]
    for at in rng.sample(digits, rng.randint(1, 3)):
        damaged[at] = rng.choice([d for d in b"0123456789" if d != damaged[at]])
    return bytes(damaged)


def flip_gzip_edges(rng: random.Random, data: bytes) -> bytes:
    """One flip in the 10-byte gzip header or the 8-byte CRC/size trailer."""
    damaged = bytearray(data)
    at = rng.choice([*range(10), *range(len(data) - 8, len(data))])
    damaged[at] ^= rng.randint(1, 255)
    return bytes(damaged)


def mutations(fvb: bytes, plain: bytes) -> list[tuple[str, bytes]]:
    rng = random.Random(SEED)
    kinds: list[tuple[str, bytes, Callable[[random.Random, bytes], bytes], int]] = [
        ("fvb-flip", fvb, flip, PER_KIND),
        ("fvb-truncate", fvb, truncate, PER_KIND),
        ("fvb-insert", fvb, insert, PER_KIND),
        ("fvb-edges", fvb, flip_gzip_edges, 200),
        ("json-flip", plain, flip, PER_KIND),
        ("json-truncate", plain, truncate, PER_KIND),
        ("json-insert", plain, insert, PER_KIND),
        ("json-swap", plain, swap, PER_KIND),
        ("json-digits", plain, change_digits, PER_KIND),
    ]
    return [(f"{name}#{n}", mutate(rng, data)) for name, data, mutate, count in kinds for n in range(count)]


# -- the test -----------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def office(tmp_path_factory) -> tuple[Path, dict[str, Any]]:
    """An office store that has imported laptop 1's first bundle; and laptop 1's second bundle."""
    first, second = second_handover()
    path = tmp_path_factory.mktemp("fuzz") / "office.json"
    with TinyDBStore(path) as store:
        Editor(store, actor="信访办", device_name="信访办台式机")
        assert import_bundles(store, [("first.fvb", fmt.encode(first))], now=NOW)[0].status == "imported"
    return path, second


def test_damaged_bundles_are_refused_cleanly_or_change_nothing_in_content(office):
    path, bundle = office
    baseline_bytes = path.read_bytes()
    fvb, plain = fmt.encode(bundle), canonical_bytes(bundle)

    # What the undamaged bundle does, imported once into a copy of the store.
    twin = path.with_name("twin.json")
    twin.write_bytes(baseline_bytes)
    with TinyDBStore(twin) as store:
        before = state_of(store)
        [clean] = import_bundles(store, [("damaged", fvb)], now=NOW)
        after = state_of(store)
    assert clean.status == "imported", clean.reason
    assert clean.counts["issues_new"] == 3 and clean.counts["issues_updated"] == 2, clean.counts
    assert after[VISITS] == before[VISITS] and after[ISSUES] != before[ISSUES]

    cases = mutations(fvb, plain)
    assert len(cases) >= 5000
    outcomes: collections.Counter[str] = collections.Counter()
    reasons: collections.Counter[str] = collections.Counter()
    failures: list[str] = []
    started = time.perf_counter()
    store = TinyDBStore(path)
    try:
        assert state_of(store) == before
        for label, raw in cases:
            kind = label.split("#")[0]
            try:
                reports = import_bundles(store, [("damaged", raw)], now=NOW)
            except Exception as error:  # noqa: BLE001 - the point is that nothing escapes
                failures.append(f"{label}: raised {error!r}")
                store.close()
                path.write_bytes(baseline_bytes)
                store = TinyDBStore(path)
                continue
            [report] = reports
            outcomes[f"{kind}:{report.status}"] += 1
            if report.status == "rejected":
                reasons[report.reason.split("（")[0].split("：")[0]] += 1
                if not report.reason or report.reason.startswith("error."):
                    failures.append(f"{label}: reason {report.reason!r}")
                if state_of(store) != before or path.read_bytes() != baseline_bytes:
                    failures.append(f"{label}: rejected ({report.reason}) but the store changed")
            elif report.status == "imported":
                if raw in (fvb, plain):
                    outcomes[f"{kind}:unchanged-bytes"] += 1
                if state_of(store) != after or report.counts != clean.counts:
                    failures.append(f"{label}: accepted but merged something else than the bundle holds")
                store.close()  # back to the baseline for the next case
                path.write_bytes(baseline_bytes)
                store = TinyDBStore(path)
            else:
                failures.append(f"{label}: status {report.status!r} for a bundle this store never saw")
            if len(failures) >= 20:
                break
    finally:
        store.close()
    elapsed = time.perf_counter() - started

    summary = f"{len(cases)} cases in {elapsed:.1f}s; outcomes {dict(sorted(outcomes.items()))}; reasons {dict(reasons)}"
    print(summary)
    assert not failures, "\n".join(failures) + "\n" + summary
    rejected = sum(count for key, count in outcomes.items() if key.endswith(":rejected"))
    assert rejected >= 0.9 * len(cases), "most damage must be caught, or the mutations do not reach the checks\n" + summary
