"""Merge is commutative, associative and idempotent, and loses nothing (docs/architecture.md §4).

Hypothesis generates multi-device edit histories: laptops and an office record and edit matters
(with clocks that jump back), hand bundles to each other in random directions, and withdraw
matters. Every bundle any device ever exported is then imported into fresh stores in different
orders, groupings and repetitions; the record tables must come out byte for byte the same, and
hold every record, every register and every map entry any bundle carried.
"""

from __future__ import annotations

import gzip
import random

import orjson
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from fieldvisit.editing.editor import Editor
from fieldvisit.core.ids import new_id
from fieldvisit.stores.store import ISSUES, VISITS, MemoryStore
from fieldvisit.sync import bundle as fmt
from fieldvisit.sync.canonical import canonical_bytes
from fieldvisit.sync.exporter import export_bundle
from fieldvisit.sync.importer import import_bundles

EDITABLE = ("title", "demand", "department", "people", "urgency", "onsite_answer")
VALUES = {
    "title": ["井下津贴少发", "夜班班车取消", "澡堂热水不足", "宿舍漏雨"],
    "demand": ["要求补发", "要求恢复班车", "要求维修", ""],
    "department": ["劳资科", "后勤服务中心", "安全监察部"],
    "people": ["1", "3", "6"],
    "urgency": ["normal", "urgent", "critical"],
    "onsite_answer": ["三日内答复", "已责成劳资科核对", ""],
}

operation = st.one_of(
    st.tuples(st.just("edit"), st.integers(0, 3), st.integers(0, 50), st.sampled_from(EDITABLE), st.integers(0, 3)),
    st.tuples(st.just("record"), st.integers(0, 3), st.integers(0, 3)),
    st.tuples(st.just("sync"), st.integers(0, 3), st.integers(0, 3)),
    st.tuples(st.just("withdraw"), st.integers(0, 3), st.integers(0, 50)),
    st.tuples(st.just("clock"), st.integers(0, 3), st.integers(-120_000, 120_000)),
)


class Device:
    def __init__(self, number: int, rng: random.Random):
        self.store = MemoryStore()
        self.ms = 1_790_000_000_000 + number * 7
        self.editor = Editor(self.store, actor=f"user{number}", wall=lambda: self.ms, rng=rng, device_name=f"dev{number}")

    def export(self) -> bytes:
        return fmt.encode(export_bundle(self.store))


def run_history(ops: list[tuple], seed: int) -> list[bytes]:
    """Play the operations; return every bundle exported along the way and at the end."""
    rng = random.Random(seed)
    devices = [Device(number, rng) for number in range(4)]
    first = devices[0].editor.create_visit({"title": "接访", "site": "三采区", "date": "2026-11-20"})
    devices[0].editor.record_issue(first["id"], {"title": "井下津贴少发"})
    bundles = [devices[0].export()]
    for device in devices[1:]:
        import_bundles(device.store, [("start", bundles[0])])
    for op in ops:
        device = devices[op[1]]
        device.ms += 1_000
        issues = sorted(record["id"] for record in device.store.all(ISSUES))
        if op[0] == "edit" and issues:
            value = VALUES[op[3]][op[4] % len(VALUES[op[3]])]
            device.editor.update_issue(issues[op[2] % len(issues)], {op[3]: value})
        elif op[0] == "record":
            visits = sorted(record["id"] for record in device.store.all(VISITS))
            device.editor.record_issue(visits[op[2] % len(visits)], {"demand": f"新诉求{op[2]}"})
        elif op[0] == "sync" and op[1] != op[2]:
            bundles.append(device.export())
            import_bundles(devices[op[2]].store, [("sync", bundles[-1])])
        elif op[0] == "withdraw" and issues:
            device.editor.withdraw_issue(issues[op[2] % len(issues)], "现场已解决")
        elif op[0] == "clock":
            device.ms += op[2]  # may go back: the HLC must cope
    return bundles + [device.export() for device in devices]


def records_after(*batches: list[bytes]) -> bytes:
    """Import the batches one after another into a fresh office store; its records, canonically."""
    office = MemoryStore()
    Editor(office, device_id=new_id())
    for batch in batches:
        reports = import_bundles(office, [(str(n), raw) for n, raw in enumerate(batch)])
        assert all(report.status != "rejected" for report in reports), [r.reason for r in reports]
    return canonical_bytes({table: sorted(office.all(table), key=lambda r: r["id"]) for table in (VISITS, ISSUES)})


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(operation, min_size=5, max_size=40), st.integers(0, 2**16), st.randoms(use_true_random=False))
def test_import_order_grouping_and_repetition_do_not_matter(ops, seed, shuffler):
    bundles = run_history(ops, seed)
    reference = records_after(bundles)

    shuffled = list(bundles)
    shuffler.shuffle(shuffled)
    assert records_after(shuffled) == reference, "not commutative"

    assert records_after(bundles, bundles) == reference, "not idempotent"
    assert records_after(bundles + shuffled[: len(shuffled) // 2]) == reference, "replays changed the store"

    cut = shuffler.randint(0, len(shuffled))
    one_by_one = [[raw] for raw in shuffled]
    assert records_after(*one_by_one) == reference, "one bundle per import differs from one batch"
    assert records_after(shuffled[:cut], shuffled[cut:]) == reference, "grouping changed the result"


@settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(operation, min_size=5, max_size=40), st.integers(0, 2**16))
def test_merging_merged_stores_is_associative_and_loses_nothing(ops, seed):
    bundles = run_history(ops, seed)
    a, b, c = bundles[::3], bundles[1::3], bundles[2::3]

    def exported(*batches: list[bytes]) -> bytes:
        office = MemoryStore()
        Editor(office, device_id=new_id())
        for batch in batches:
            import_bundles(office, [(str(n), raw) for n, raw in enumerate(batch)])
        return fmt.encode(export_bundle(office))

    left = records_after([exported([exported(a, b)], c)])  # (a ∪ b) ∪ c, passed on as a bundle
    right = records_after([exported(a, [exported(b, c)])])  # a ∪ (b ∪ c)
    assert left == right == records_after(bundles)

    merged = {record["id"]: record for table in (VISITS, ISSUES) for record in orjson.loads(left)[table]}
    for raw in bundles:
        for table in fmt.TABLES:
            for compact in orjson.loads(gzip.decompress(raw))[table]:
                record = fmt.expand_record(compact)
                kept = merged[record["id"]]
                for field, register in record["fields"].items():
                    seen = {kept["fields"][field]["stamp"], *kept.get("history", {}).get(field, {})}
                    assert register["stamp"] in seen, "a register was lost"
                for name, entries in record["maps"].items():
                    assert set(entries) <= set(kept["maps"][name]), "a map entry was lost"
