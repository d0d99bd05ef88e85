"""Write rights at the office's import gate (issue 13 §1): a laptop writes only what it recorded.

Two demo laptops are enrolled and approved; each refusal below is a validly sealed and signed
bundle, so only the rights table can stop it. Every refused bundle leaves the office store byte
for byte as it was, and its reason names the record, the field and the rule. The legitimate
bundles beside them (a laptop editing and withdrawing its own matters, relaying what the office
sent it) still import.
"""

from __future__ import annotations

import datetime as dt
import random

import pytest

from fieldvisit.locations.paths import Home
from fieldvisit.trust import devices
from fieldvisit.locations import paths
from fieldvisit.trust import keys as trust
from fieldvisit.demo.laptop import build_demo
from fieldvisit.editing.editor import Editor
from fieldvisit.core.errors import FieldVisitError
from fieldvisit.trust.field_gate import FieldGate
from fieldvisit.core.records import entries, get_value, values
from fieldvisit.office.followups import effective_rating, followup_entry, record_followup
from fieldvisit.stores.store import ISSUES, VISITS, MemoryStore, TinyDBStore
from fieldvisit.sync import bundle as fmt
from fieldvisit.sync import sealed
from fieldvisit.sync.canonical import canonical_bytes
from fieldvisit.sync.exporter import export_bundle, seal_bundle
from fieldvisit.sync.importer import import_bundles
from fieldvisit.office.workflow import Workflow

ANCHOR = dt.date(2026, 11, 20)
NOW = dt.datetime(2026, 11, 25, 9, 0, tzinfo=dt.timezone.utc)
NOW_MS = int(NOW.timestamp() * 1000)


class Laptop:
    """A demo laptop with its enrollment keys, able to export sealed bundles as it would."""

    def __init__(self, seed: int, tmp_path, office_keys):
        self.store = build_demo(seed, ANCHOR)
        self.keys = trust.enroll_device(tmp_path / f"laptop{seed}" / "device-keys.json", canonical_bytes(office_keys.token()))
        self.id = self.store.meta()["device_id"]

    def editor(self, at: dt.datetime = NOW - dt.timedelta(hours=1)) -> Editor:
        ms = int(at.timestamp() * 1000)
        return Editor(self.store, actor="唐芳", wall=lambda: ms, rng=random.Random(5))

    def bundle(self) -> dict:
        return export_bundle(self.store)

    def sealed(self, bundle: dict | None = None) -> bytes:
        return sealed.encode(seal_bundle(bundle or self.bundle(), self.keys))

    def issues(self) -> list[dict]:
        """The matters still as recorded (the demo withdraws one), in a stable order."""
        found = [record for record in self.store.all(ISSUES) if get_value(record, "status") == "recorded"]
        return sorted(found, key=lambda record: record["id"])


@pytest.fixture
def office_keys(tmp_path):
    return trust.init_office_keys(tmp_path / "office" / "office-keys.json", "东风煤业信访办")


@pytest.fixture
def setup(tmp_path, office_keys):
    """An office store with two approved laptops, each of whose first bundle is merged."""
    laptops = [Laptop(seed, tmp_path, office_keys) for seed in (1, 2)]
    with TinyDBStore(tmp_path / "office" / "fieldvisit.json") as office:
        Editor(office, actor="王敏", device_name="信访办")
        for laptop in laptops:
            assert _import(office, office_keys, laptop.sealed()).status == "quarantined"
            devices.approve(office, office_keys, paths.Home.beside(office.path).quarantine_dir, laptop.keys.fingerprint)
        assert len(office.all(ISSUES)) == sum(len(laptop.store.all(ISSUES)) for laptop in laptops)
        yield office, laptops


def _office_workflow(office) -> Workflow:
    """An officer working half an hour before the imports below."""
    ms = NOW_MS - 30 * 60 * 1000
    return Workflow(Editor(office, actor="王敏", wall=lambda: ms), today=lambda: ANCHOR)


def _import(office, keys, raw, allow_unsigned=False):
    gate = devices.TrustGate(office, keys, paths.Home.beside(office.path).quarantine_dir, allow_unsigned)
    [report] = import_bundles(office, [("stick", raw)], now=NOW, gate=gate)
    return report


def _refused(office, office_keys, raw, *words, allow_unsigned=False):
    before = office.path.read_bytes()
    report = _import(office, office_keys, raw, allow_unsigned)
    assert report.status == "rejected", report
    for word in words:
        assert word in report.reason, report.reason
    assert office.path.read_bytes() == before, "a refused bundle changed the store"
    return report


def _resealed(laptop: Laptop, bundle: dict) -> bytes:
    bundle["digest"] = fmt.digest_of(bundle)
    return laptop.sealed(bundle)


def _office_view_on(laptop: Laptop, office, office_keys) -> None:
    """The office's export for this laptop, signed, imported on it as `import --field` does."""
    back = export_bundle(office, device_id=laptop.id)
    signed = sealed.encode(sealed.sign_office(back, office_keys.sign_key, office_keys.fingerprint))
    [report] = import_bundles(laptop.store, [("office", signed)], now=NOW, gate=FieldGate(laptop.keys))
    assert report.status in ("imported", "already_imported"), report


# -- refused ------------------------------------------------------------------------------


def test_a_laptop_cannot_rewrite_another_laptops_matter(setup, office_keys):
    office, (first, second) = setup
    target = first.issues()[0]
    relay = import_bundles(second.store, [("from a colleague", fmt.encode(first.bundle()))], now=NOW)
    assert relay[0].status == "imported"
    second.editor().update_issue(target["id"], {"title": "改写别人的事项"})
    report = _refused(office, office_keys, second.sealed(), target["id"], "“title”")
    assert "并非记录它的笔记本" in report.reason


@pytest.mark.parametrize(
    "changes, field",
    [
        ({"satisfaction": "satisfied"}, "satisfaction"),
        ({"reply": "已答复"}, "reply"),
        ({"closed_at": "2026-11-24"}, "closed_at"),
        ({"status": "closed"}, "status"),
        ({"status": "accepted"}, "status"),
    ],
)
def test_a_laptop_cannot_write_office_side_fields_of_its_own_matter(setup, office_keys, changes, field):
    office, (laptop, _) = setup
    target = laptop.issues()[1]
    laptop.editor().change(ISSUES, target["id"], changes)
    _refused(office, office_keys, laptop.sealed(), target["id"], f"“{field}”")


def test_a_laptop_cannot_add_office_entries_or_settle_conflicts(setup, office_keys):
    office, (laptop, _) = setup
    target = laptop.issues()[2]["id"]
    editor = laptop.editor()
    editor.change(ISSUES, target, {}, entries={"feedback": {"by": "冒充", "date": "2026-11-24", "channel": "phone", "content": "已办结"}})
    _refused(office, office_keys, laptop.sealed(), target, "“feedback”")


def test_a_laptop_cannot_move_a_matter_through_the_office_steps(setup, office_keys):
    office, (laptop, _) = setup
    target = laptop.issues()[3]["id"]
    Workflow(laptop.editor()).accept(target, "笔记本自行受理")
    _refused(office, office_keys, laptop.sealed(), target)


def test_a_laptop_cannot_rewrite_the_offices_reply_or_transitions(setup, office_keys):
    office, (laptop, _) = setup
    target = laptop.issues()[4]["id"]
    workflow = _office_workflow(office)
    workflow.accept(target)
    workflow.reply(target, "经核实，九月津贴将于本月补发")
    _office_view_on(laptop, office, office_keys)

    bundle = laptop.bundle()
    [compact] = [record for record in bundle["issues"] if record["id"] == target]
    compact["fields"]["reply"]["v"] = "不予补发"
    _refused(office, office_keys, _resealed(laptop, bundle), target, "“reply”", "一个时间戳永远只对应一个值")

    bundle = laptop.bundle()
    [compact] = [record for record in bundle["issues"] if record["id"] == target]
    key = next(iter(compact["maps"]["transitions"]))
    compact["maps"]["transitions"][key]["v"]["by"] = "别人"
    _refused(office, office_keys, _resealed(laptop, bundle), target, "“transitions”", key)


def test_a_laptop_cannot_claim_the_office_or_another_laptop_as_author(setup, office_keys):
    office, (first, second) = setup
    office_device = office.meta()["device_id"]
    target = first.issues()[5]["id"]

    bundle = first.bundle()
    [compact] = [record for record in bundle["issues"] if record["id"] == target]
    compact["fields"]["title"] = {"v": "冒充信访办", "s": f"{NOW_MS - 1000:013d}-0000-{office_device}", "b": compact["fields"]["title"].get("s", compact["stamp"])}
    _refused(office, office_keys, _resealed(first, bundle), target, "“title”", office_device)

    bundle = first.bundle()
    [compact] = [record for record in bundle["issues"] if record["id"] == target]
    compact["fields"]["title"] = {"v": "冒充同事", "s": f"{NOW_MS - 1000:013d}-0000-{second.id}", "b": compact["fields"]["title"].get("s", compact["stamp"])}
    _refused(office, office_keys, _resealed(first, bundle), target, "“title”", second.id)


def test_new_records_must_be_in_the_senders_own_name(setup, office_keys):
    office, (first, second) = setup
    editor = first.editor()
    visit = editor.create_visit({"title": "再次下访", "site": "二号井", "date": "2026-11-24"})
    issue = editor.record_issue(visit["id"], {"title": "新问题"})

    bundle = first.bundle()
    [compact] = [record for record in bundle["visits"] if record["id"] == visit["id"]]
    compact["fields"]["device"]["v"] = second.id
    _refused(office, office_keys, _resealed(first, bundle), visit["id"], "“device”")

    bundle = first.bundle()
    [compact] = [record for record in bundle["issues"] if record["id"] == issue["id"]]
    compact["fields"]["ref"]["v"] = "20261124-" + second.id[-4:] + "-001"
    _refused(office, office_keys, _resealed(first, bundle), issue["id"], "“ref”")

    # A matter of this laptop's on a visit of the other laptop's.
    bundle = first.bundle()
    [compact] = [record for record in bundle["issues"] if record["id"] == issue["id"]]
    compact["fields"]["visit_id"]["v"] = second.store.all(VISITS)[0]["id"]
    _refused(office, office_keys, _resealed(first, bundle), issue["id"], "“visit_id”")


def test_a_bundle_claiming_to_be_the_office_itself_is_refused(setup, office_keys):
    office, (laptop, _) = setup
    bundle = laptop.bundle()
    bundle["device"]["id"] = office.meta()["device_id"]
    bundle["digest"] = fmt.digest_of(bundle)
    _refused(office, office_keys, fmt.encode(bundle), "本信访办", allow_unsigned=True)


def test_a_fast_laptop_clock_cannot_outrank_the_office(setup, office_keys):
    office, (laptop, _) = setup
    target = laptop.issues()[6]["id"]
    laptop.editor(at=NOW + dt.timedelta(hours=3)).update_issue(target, {"title": "时钟快了三小时"})
    _refused(office, office_keys, laptop.sealed(), target, "180 分钟")
    assert office.meta()["clock"] < f"{NOW_MS + 5 * 60 * 1000:013d}"


def test_plain_bundles_from_stopped_devices_are_refused_even_when_unsigned_are_allowed(setup, office_keys):
    office, (first, second) = setup
    devices.set_state(office, first.keys.fingerprint, devices.REVOKED)
    first.editor().update_issue(first.issues()[0]["id"], {"title": "被吊销的笔记本"})
    _refused(office, office_keys, fmt.encode(first.bundle()), "吊销", allow_unsigned=True)


# -- still imported -----------------------------------------------------------------------


def test_a_laptop_edits_and_withdraws_its_own_matters_and_relays_the_office(setup, office_keys):
    office, (laptop, _) = setup
    issues = laptop.issues()
    workflow = _office_workflow(office)
    workflow.accept(issues[7]["id"])
    workflow.reply(issues[7]["id"], "已答复")
    _office_view_on(laptop, office, office_keys)

    editor = laptop.editor()
    editor.update_issue(issues[8]["id"], {"title": "补充：井下津贴少发两个月", "department": "劳资科"})
    editor.withdraw_issue(issues[9]["id"], "现场已解决")
    editor.restore_issue(issues[9]["id"], "信访人改变主意")
    editor.withdraw_issue(issues[7]["id"], "已答复，信访人撤回")
    visit = editor.create_visit({"title": "再次下访", "site": "二号井", "date": "2026-11-24"})
    editor.record_issue(visit["id"], {"title": "新问题", "petitioner_name": "李建军"})
    laptop.editor(at=NOW + dt.timedelta(minutes=2)).update_issue(issues[10]["id"], {"demand": "时钟快两分钟也可以"})

    raw = laptop.sealed()
    report = _import(office, office_keys, raw)
    assert report.status == "imported", report.reason
    assert report.counts["issues_new"] == 1 and report.counts["issues_updated"] == 4, report.counts
    stored = {record["id"]: values(record) for record in office.all(ISSUES)}
    assert stored[issues[8]["id"]]["department"] == "劳资科"
    assert stored[issues[7]["id"]]["status"] == "withdrawn" and stored[issues[7]["id"]]["reply"] == "已答复"
    assert stored[issues[9]["id"]]["status"] == "recorded"
    assert _import(office, office_keys, raw).status == "already_imported"


def test_a_restore_back_to_an_office_status_is_the_laptops_right(setup, office_keys):
    """Withdrawn on site after the office accepted, then restored: back to accepted, imported."""
    office, (laptop, _) = setup
    target = laptop.issues()[11]["id"]
    _office_workflow(office).accept(target)
    _office_view_on(laptop, office, office_keys)
    editor = laptop.editor()
    editor.withdraw_issue(target, "误撤")
    editor.restore_issue(target, "恢复")
    assert get_value(laptop.store.get(ISSUES, target), "status") == "accepted"
    assert _import(office, office_keys, laptop.sealed()).status == "imported"


def test_rights_do_not_apply_without_a_gate_or_on_the_laptop(tmp_path):
    """The office's own exports are the register's authority on a laptop: nothing is refused there."""
    laptop = build_demo(1, ANCHOR)
    office = MemoryStore()
    Editor(office, actor="王敏", device_name="信访办")
    import_bundles(office, [("laptop", fmt.encode(export_bundle(laptop)))], now=NOW)
    target = sorted(office.all(ISSUES), key=lambda record: record["id"])[0]["id"]
    _office_workflow(office).accept(target)
    back = fmt.encode(export_bundle(office, device_id=laptop.meta()["device_id"]))
    [report] = import_bundles(laptop, [("office", back)], now=NOW, gate=FieldGate(None))
    assert report.status == "imported", report.reason
    assert get_value(laptop.get(ISSUES, target), "status") == "accepted"


def test_followups_are_allowed_for_a_matter_sent_to_this_laptop_and_refused_otherwise(setup, office_keys):
    """回访: a laptop may bring back face-to-face feedback on another laptop's matter only once
    the office has listed it in `follow_up_devices` (as `export --office --device` does)."""
    office, (first, second) = setup
    target = first.issues()[0]["id"]
    assert import_bundles(second.store, [("from a colleague", fmt.encode(first.bundle()))], now=NOW)[0].status == "imported"
    heard = followup_entry("已当面告知处理进度", "basically_satisfied", by="张建国", today=ANCHOR)
    record_followup(second.editor(), target, heard)
    _refused(office, office_keys, second.sealed(), target, "“followups”", "并非记录它的笔记本")

    _office_workflow(office).editor.change(ISSUES, target, {"follow_up_devices": [second.id]})
    _office_view_on(second, office, office_keys)
    assert second.id in get_value(second.store.get(ISSUES, target), "follow_up_devices")
    report = _import(office, office_keys, second.sealed())
    assert report.status == "imported", report.reason
    [stored] = entries(office.get(ISSUES, target), "followups")
    assert stored["satisfaction"] == "basically_satisfied" and stored["by"] == "张建国"
    assert effective_rating(office.get(ISSUES, target)).source == "face_to_face"

    other = first.issues()[1]["id"]  # a matter of the same laptop that the office did not send
    record_followup(second.editor(at=NOW - dt.timedelta(minutes=40)), other, heard)
    _refused(office, office_keys, second.sealed(), other, "“followups”", "并非记录它的笔记本")


def test_a_followup_sent_for_must_still_rate_on_the_scale(setup, office_keys):
    office, (first, second) = setup
    target = first.issues()[0]["id"]
    _office_workflow(office).editor.change(ISSUES, target, {"follow_up_devices": [second.id]})
    _office_view_on(second, office, office_keys)
    second.editor().change(ISSUES, target, {}, entries={"followups": {"content": "好", "satisfaction": "very"}})
    _refused(office, office_keys, second.sealed(), target, "“followups”", "回访本事项")


# -- office exports for one laptop ---------------------------------------------------------


def test_an_office_export_for_one_laptop_is_refused_by_any_other(setup, office_keys):
    office, (first, second) = setup
    back = export_bundle(office, device_id=first.id)
    signed = sealed.encode(sealed.sign_office(back, office_keys.sign_key, office_keys.fingerprint, first.id))
    before = canonical_bytes({"issues": second.store.all(ISSUES), "meta": second.store.meta()})
    [report] = import_bundles(second.store, [("for the other laptop", signed)], now=NOW, gate=FieldGate(second.keys, device_id=second.id))
    assert report.status == "rejected" and first.id in report.reason and "另一台笔记本" in report.reason, report
    assert canonical_bytes({"issues": second.store.all(ISSUES), "meta": second.store.meta()}) == before
    [report] = import_bundles(first.store, [("for this laptop", signed)], now=NOW, gate=FieldGate(first.keys, device_id=first.id))
    assert report.status == "imported", report.reason


def test_device_is_named_by_id_short_code_or_name_and_unknown_is_an_error(setup):
    office, (first, second) = setup
    assert devices.resolve_device(office, first.id) == first.id
    assert devices.resolve_device(office, first.id[-4:].lower()) == first.id
    name = first.store.meta()["device_name"]
    assert name != second.store.meta()["device_name"]
    assert devices.resolve_device(office, name) == first.id
    with pytest.raises(FieldVisitError, match="不认识"):
        devices.resolve_device(office, "ZZZZ")
    with pytest.raises(FieldVisitError, match="不认识"):
        devices.resolve_device(office, office.meta()["device_id"])  # the office is not a laptop


def test_cli_export_for_an_unknown_device_fails_instead_of_writing_an_empty_bundle(tmp_path):
    from click.testing import CliRunner

    from fieldvisit.cli import main

    runner = CliRunner()
    base = tmp_path / "data"
    assert runner.invoke(main, ["demo", "--data-dir", str(base), "--no-open", "--lang", "en"]).exit_code == 0
    assert runner.invoke(main, ["export", "--data-dir", str(base), "--all", "--out", str(tmp_path / "usb"), "--lang", "en"]).exit_code == 0
    assert runner.invoke(main, ["import", "--data-dir", str(base), str(tmp_path / "usb"), "--lang", "en"]).exit_code == 0
    result = runner.invoke(main, ["export", "--data-dir", str(base), "--office", "--device", "NOPE", "--out", str(tmp_path / "back"), "--lang", "en"])
    assert result.exit_code == 1 and "NOPE" in result.output, result.output
    assert not (tmp_path / "back").exists()
    with TinyDBStore(base / "field" / "fieldvisit.json") as laptop:
        meta = laptop.meta()
    result = runner.invoke(main, ["export", "--data-dir", str(base), "--office", "--device", meta["device_id"][-4:], "--out", str(tmp_path / "back"), "--json"])
    assert result.exit_code == 0, result.output
    assert '"issues": 48' in result.output


def test_a_refusal_is_logged_beside_the_store_which_stays_as_it_was(setup, office_keys):
    from fieldvisit.sync import refusals

    office, (laptop, _) = setup
    target = laptop.issues()[1]["id"]
    laptop.editor().change(ISSUES, target, {"satisfaction": "satisfied"})
    raw = laptop.sealed()
    before = office.path.read_bytes()
    [report] = import_bundles(office, [("U盘/第二次.fvb", raw)], now=NOW, gate=devices.office_gate(office, Home.beside(office.path)))
    assert report.status == "rejected" and office.path.read_bytes() == before
    [entry] = refusals.read(paths.Home.beside(office.path).refusals_file)
    assert entry["source"] == "U盘/第二次.fvb" and entry["reason"] == report.reason
    assert entry["reason_key"] == "error.rights.field" and entry["bytes"] == len(raw)


# -- written notices (issue 15 §4): the office's record of what it printed -----------------


def test_no_laptop_role_may_write_an_office_only_map():
    from fieldvisit.office.notices import NOTICES
    from fieldvisit.sync.rights import OFFICE_MAPS, RIGHTS

    assert NOTICES in OFFICE_MAPS
    for (kind, role), rights in RIGHTS.items():
        assert not set(OFFICE_MAPS) & set(rights.maps), (kind, role)


def test_a_laptop_cannot_record_a_printed_notice_but_relays_the_offices(setup, office_keys):
    from fieldvisit.office.notices import NOTICES, record_printed

    office, (laptop, _) = setup
    mine, relayed = laptop.issues()[12]["id"], laptop.issues()[13]["id"]
    record_printed(laptop.editor(), mine, "acceptance", "zh-CN", "N-0123456789")
    _refused(office, office_keys, laptop.sealed(), mine, f"“{NOTICES}”")

    laptop.store.put({ISSUES: [office.get(ISSUES, mine)]}, {})  # the laptop forgets its forged entry
    workflow = _office_workflow(office)
    workflow.accept(relayed)
    record_printed(workflow.editor, relayed, "acceptance", "zh-CN", "N-ABCDEF0123")
    _office_view_on(laptop, office, office_keys)
    [entry] = laptop.store.get(ISSUES, relayed)["maps"][NOTICES].values()
    assert entry["value"]["by"] == "王敏"
    report = _import(office, office_keys, laptop.sealed())
    assert report.status in ("imported", "already_imported"), report.reason
