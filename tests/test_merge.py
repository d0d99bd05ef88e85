"""Concrete merge cases: what counts as a conflict, what does not, and how one is settled."""

from __future__ import annotations

from fieldvisit.editing.editor import Editor
from fieldvisit.core.records import values
from fieldvisit.stores.store import ISSUES, MemoryStore
from fieldvisit.sync import bundle as fmt
from fieldvisit.sync.canonical import canonical_bytes
from fieldvisit.sync.exporter import export_bundle
from fieldvisit.sync.importer import import_bundles
from fieldvisit.sync.merge import merge_records, settle


class Device:
    def __init__(self, name: str, start_ms: int):
        self.store = MemoryStore()
        self.ms = start_ms
        self.editor = Editor(self.store, actor=name, wall=lambda: self.ms, device_name=name)

    def send(self, *others: "Device") -> bytes:
        raw = fmt.encode(export_bundle(self.store))
        for other in others:
            [report] = import_bundles(other.store, [(self.editor.device_name, raw)])
            assert report.status != "rejected", report.reason
        return raw

    def issue(self) -> dict:
        [record] = self.store.all(ISSUES)
        return record


def laptop_and_office():
    laptop, office = Device("laptop", 1_790_000_000_000), Device("office", 1_790_000_000_500)
    visit = laptop.editor.create_visit({"title": "接访", "site": "三采区", "date": "2026-11-20"})
    laptop.editor.record_issue(visit["id"], {"title": "井下津贴少发", "department": "劳资科"})
    laptop.send(office)
    return laptop, office


def test_concurrent_edits_are_kept_as_a_conflict_whatever_the_order():
    laptop, office = laptop_and_office()
    issue_id = laptop.issue()["id"]
    laptop.ms += 1000
    laptop.editor.update_issue(issue_id, {"department": "人力资源部"})
    office.ms += 5000
    office.editor.update_issue(issue_id, {"department": "财务部"})
    from_laptop, from_office = fmt.encode(export_bundle(laptop.store)), fmt.encode(export_bundle(office.store))

    results = []
    for order in ([from_laptop, from_office], [from_office, from_laptop]):
        central = Device("central", 1_790_000_100_000)
        for raw in order:
            import_bundles(central.store, [("x", raw)])
        results.append(central.issue())
    assert canonical_bytes(results[0]) == canonical_bytes(results[1])
    merged = results[0]
    assert values(merged)["department"] == "财务部"  # the later stamp wins...
    assert [(c["field"], c["value"]) for c in merged["conflicts"]] == [("department", "人力资源部")]  # ...the other is kept


def test_an_edit_made_after_seeing_the_other_is_no_conflict():
    laptop, office = laptop_and_office()
    issue_id = laptop.issue()["id"]
    office.ms += 1000
    office.editor.update_issue(issue_id, {"department": "财务部"})
    office.send(laptop)
    laptop.ms += 60_000
    laptop.editor.update_issue(issue_id, {"department": "人力资源部"})
    laptop.send(office)
    assert office.issue()["conflicts"] == []
    assert values(office.issue())["department"] == "人力资源部"


def test_successive_edits_on_one_laptop_are_no_conflict_even_if_the_office_missed_some():
    laptop, office = laptop_and_office()
    issue_id = laptop.issue()["id"]
    for department in ("人力资源部", "财务部", "工会"):
        laptop.ms += 1000
        laptop.editor.update_issue(issue_id, {"department": department})
    laptop.send(office)
    assert office.issue()["conflicts"] == []
    assert values(office.issue())["department"] == "工会"


def test_a_resolution_settles_the_conflict_everywhere_it_goes():
    laptop, office = laptop_and_office()
    issue_id = laptop.issue()["id"]
    laptop.ms += 1000
    laptop.editor.update_issue(issue_id, {"department": "人力资源部"})
    office.ms += 2000
    office.editor.update_issue(issue_id, {"department": "财务部"})
    laptop.send(office)
    assert office.issue()["conflicts"]
    office.ms += 1000
    office.editor.resolve_conflict(ISSUES, issue_id, "department", "人力资源部")
    assert office.issue()["conflicts"] == []
    office.send(laptop)
    assert laptop.issue()["conflicts"] == []
    assert values(laptop.issue())["department"] == "人力资源部"
    assert canonical_bytes(laptop.issue()) == canonical_bytes(office.issue())


def test_compact_form_round_trips_exactly():
    laptop, office = laptop_and_office()
    issue_id = laptop.issue()["id"]
    laptop.ms += 1000
    laptop.editor.update_issue(issue_id, {"department": "财务部", "people": "6"})
    laptop.editor.withdraw_issue(issue_id, "已解决")
    record = laptop.issue()
    assert canonical_bytes(settle(fmt.expand_record(fmt.compact_record(record)))) == canonical_bytes(record)
    assert merge_records(record, record) == settle(record)


def test_counts_in_one_batch_follow_the_bundles_before_them():
    laptop, _ = laptop_and_office()
    first = fmt.encode(export_bundle(laptop.store))
    laptop.ms += 1000
    laptop.editor.update_issue(laptop.issue()["id"], {"department": "财务部"})
    second = fmt.encode(export_bundle(laptop.store))
    central = Device("central", 1_790_000_100_000)
    one, two = import_bundles(central.store, [("first", first), ("second", second)])
    assert one.counts["issues_new"] == 1
    assert (two.counts["issues_new"], two.counts["issues_updated"]) == (0, 1)
