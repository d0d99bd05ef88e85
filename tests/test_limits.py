"""Bounded cost for any bundle (issue 13 §3): every size limit refuses the bundle whole, names the
limit, and leaves the store byte for byte as it was; pending devices and quarantine are bounded."""

from __future__ import annotations

import datetime as dt
import tracemalloc

import pytest

from fieldvisit.trust import devices
from fieldvisit.locations import paths
from fieldvisit.trust import keys as trust
from fieldvisit.editing.editor import Editor
from fieldvisit.core.ids import new_id
from fieldvisit.core.model import MAX_LENGTHS
from fieldvisit.stores.store import TinyDBStore
from fieldvisit.sync import bundle as fmt
from fieldvisit.sync import limits, sealed
from fieldvisit.sync.canonical import canonical_bytes
from fieldvisit.sync.exporter import seal_bundle
from fieldvisit.sync.importer import import_bundles

NOW = dt.datetime(2026, 11, 25, 9, 0, tzinfo=dt.timezone.utc)
BASE_MS = int(NOW.timestamp() * 1000) - 24 * 3600 * 1000


class Forge:
    """Bundles of one laptop, written by hand the way a hostile or buggy program could."""

    def __init__(self):
        self.device = new_id()
        self.visit_id = new_id()
        self.count = 0

    def stamp(self, offset: int = 0) -> str:
        return f"{BASE_MS + offset:013d}-0000-{self.device}"

    def visit(self, visit_id: str | None = None) -> dict:
        fields = {"device": {"v": self.device}, "title": {"v": "下访"}, "site": {"v": "三采区"}, "status": {"v": "open"}}
        return {"id": visit_id or self.visit_id, "type": "visit", "stamp": self.stamp(), "fields": fields}

    def issue(self, issue_id: str | None = None, **extra_fields) -> dict:
        self.count += 1
        fields = {
            "visit_id": {"v": self.visit_id},
            "ref": {"v": f"20261124-{self.device[-4:]}-{self.count:03d}"},
            "status": {"v": "recorded"},
            "title": {"v": "井下津贴少发"},
            **extra_fields,
        }
        return {"id": issue_id or new_id(), "type": "issue", "stamp": self.stamp(), "fields": fields}

    def bundle(self, visits: list[dict], issues: list[dict]) -> bytes:
        body = {"format": fmt.FORMAT, "version": fmt.VERSION, "bundle_id": new_id(), "created_at": "2026-11-24T08:00:00Z",
                "device": {"id": self.device, "name": "笔记本"}, "visits": visits, "issues": issues}
        body["digest"] = fmt.digest_of(body)
        return fmt.encode(body)


@pytest.fixture
def office(tmp_path):
    with TinyDBStore(tmp_path / "office" / "fieldvisit.json") as store:
        Editor(store, actor="王敏", device_name="信访办")
        yield store


def _import(office, raw):
    gate = devices.TrustGate(office, None, paths.Home.beside(office.path).quarantine_dir)
    [report] = import_bundles(office, [("stick", raw)], now=NOW, gate=gate)
    return report


def _refused(office, raw, *words):
    before = office.path.read_bytes()
    report = _import(office, raw)
    assert report.status == "rejected", report
    for word in words:
        assert word in report.reason, report.reason
    assert office.path.read_bytes() == before
    return report


def test_a_legitimate_forged_bundle_imports(office):
    """The forge itself writes what a laptop writes: otherwise the refusals below prove nothing."""
    forge = Forge()
    assert _import(office, forge.bundle([forge.visit()], [forge.issue() for _ in range(3)])).status == "imported"


def test_too_many_visits_in_one_bundle(office):
    forge = Forge()
    visits = [forge.visit(new_id()) for _ in range(limits.MAX_VISITS + 1)]
    tracemalloc.start()
    try:
        _refused(office, forge.bundle(visits, []), str(limits.MAX_VISITS))
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert peak < 200 * 1024 * 1024, f"refusing cost {peak / 1e6:.0f} MB"


def test_too_many_fields_maps_registers_or_entries_in_a_record(office):
    forge = Forge()
    visit = forge.visit()
    many_fields = forge.issue(**{f"x{n}": {"v": n} for n in range(limits.MAX_FIELDS)})
    _refused(office, forge.bundle([visit], [many_fields]), str(limits.MAX_FIELDS))

    deep = forge.issue()
    deep["history"] = {"title": {forge.stamp(-n): {"v": f"第{n}稿"} for n in range(1, limits.MAX_REGISTERS + 1)}}
    _refused(office, forge.bundle([visit], [deep]), "“title”", str(limits.MAX_REGISTERS))

    busy = forge.issue()
    busy["maps"] = {"followups": {new_id(): {"v": {"content": "回访"}} for _ in range(limits.MAX_ENTRIES + 1)}}
    _refused(office, forge.bundle([visit], [busy]), "“followups”", str(limits.MAX_ENTRIES))

    for key, limit in (("content", MAX_LENGTHS["content"]), ("remark", limits.MAX_ENTRY_TEXT)):
        wordy = forge.issue()
        wordy["maps"] = {"followups": {new_id(): {"v": {key: "长" * (limit + 1)}}}}
        _refused(office, forge.bundle([visit], [wordy]), f"followups.{key}", str(limit))

    kinds = forge.issue()
    kinds["maps"] = {f"m{n}": {new_id(): {"v": {}}} for n in range(limits.MAX_MAPS + 1)}
    _refused(office, forge.bundle([visit], [kinds]), str(limits.MAX_MAPS))


def test_registers_kept_per_field_are_bounded_after_merging_too(office):
    """Two bundles each within the limit cannot together grow one field past it."""
    forge = Forge()
    visit, issue_id = forge.visit(), new_id()
    half = limits.MAX_REGISTERS // 2 + 10

    recorded = forge.issue(issue_id)

    def edited(start: int) -> dict:
        issue = {**recorded}
        issue["history"] = {"title": {forge.stamp(-n): {"v": f"第{n}稿"} for n in range(start, start + half)}}
        return issue

    assert _import(office, forge.bundle([visit], [edited(1)])).status == "imported"
    _refused(office, forge.bundle([visit], [edited(1 + half)]), "“title”", str(limits.MAX_REGISTERS))


@pytest.mark.parametrize("field", ["title", "detail", "petitioner_name"])
def test_text_longer_than_the_fields_limit_is_refused(office, field):
    forge = Forge()
    long = forge.issue(**{field: {"v": "长" * (MAX_LENGTHS[field] + 1)}})
    _refused(office, forge.bundle([forge.visit()], [long]), f"“{field}”", str(MAX_LENGTHS[field]))
    fits = forge.issue(**{field: {"v": "长" * MAX_LENGTHS[field]}})
    assert _import(office, forge.bundle([forge.visit()], [fits])).status == "imported"


def test_pending_devices_and_quarantine_are_bounded(tmp_path, office, monkeypatch):
    keys = trust.init_office_keys(tmp_path / "office" / "office-keys.json", "东风煤业信访办")
    gate_import = lambda raw: import_bundles(office, [("stick", raw)], now=NOW, gate=devices.TrustGate(office, keys, paths.Home.beside(office.path).quarantine_dir))[0]

    def sealed_from_new_laptop(number: int) -> tuple[Forge, object, bytes]:
        forge = Forge()
        laptop_keys = trust.enroll_device(tmp_path / f"laptop{number}.json", canonical_bytes(keys.token()))
        body = {"format": fmt.FORMAT, "version": fmt.VERSION, "bundle_id": new_id(), "created_at": "2026-11-24T08:00:00Z",
                "device": {"id": forge.device, "name": f"笔记本{number}"}, "visits": [forge.visit()], "issues": [forge.issue()]}
        body["digest"] = fmt.digest_of(body)
        return forge, laptop_keys, sealed.encode(seal_bundle(body, laptop_keys))

    first = None
    for number in range(limits.MAX_PENDING_DEVICES):
        forge, laptop_keys, raw = sealed_from_new_laptop(number)
        assert gate_import(raw).status == "quarantined"
        first = first or (forge, laptop_keys)
    before = office.path.read_bytes()
    _, _, raw = sealed_from_new_laptop(99)
    report = gate_import(raw)
    assert report.status == "rejected" and str(limits.MAX_PENDING_DEVICES) in report.reason and "F6" in report.reason
    assert office.path.read_bytes() == before

    monkeypatch.setattr(devices, "MAX_QUARANTINE_BYTES", 1)
    forge, laptop_keys = first
    body = {"format": fmt.FORMAT, "version": fmt.VERSION, "bundle_id": new_id(), "created_at": "2026-11-24T08:00:00Z",
            "device": {"id": forge.device, "name": "笔记本0"}, "visits": [forge.visit()], "issues": [forge.issue()]}
    body["digest"] = fmt.digest_of(body)
    report = gate_import(sealed.encode(seal_bundle(body, laptop_keys)))
    assert report.status == "rejected" and "隔离区" in report.reason, report


def test_a_pending_device_named_like_another_is_flagged(office):
    register = {
        new_id(): {"key": "", "fingerprint": "AAAA-AAAA-AAAA-AAAA", "name": "王矿长的笔记本", "state": devices.APPROVED, "first_seen": "1", "changed_at": "1"},
        new_id(): {"key": "", "fingerprint": "BBBB-BBBB-BBBB-BBBB", "name": "王矿长的笔记本 ", "state": devices.PENDING, "first_seen": "2", "changed_at": "2"},
        new_id(): {"key": "", "fingerprint": "CCCC-CCCC-CCCC-CCCC", "name": "刘书记", "state": devices.PENDING, "first_seen": "3", "changed_at": "3"},
    }
    office.put({}, {devices.META_KEY: register})
    rows = {row.fingerprint: row for row in devices.device_rows(office, None)}
    assert rows["BBBB-BBBB-BBBB-BBBB"].lookalike
    assert not rows["AAAA-AAAA-AAAA-AAAA"].lookalike  # the approved original is not the suspect
    assert not rows["CCCC-CCCC-CCCC-CCCC"].lookalike
    assert all(row.code == row.device_id[-4:] for row in rows.values())
