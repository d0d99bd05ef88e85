"""Layout snapshots of the field app's screens in zh-CN, at 80×24 (usable) and 120×40 (comfortable).

Update after a deliberate layout change with `pytest tests/test_snapshots.py --snapshot-update`
and look at the SVGs in `tests/__snapshots__/` before committing them.
"""

from __future__ import annotations

import datetime as dt

import pytest

from homes import home_of
from fieldvisit.demo.laptop import build_demo
from fieldvisit.editing.editor import Editor
from fieldvisit.apps.field import FieldApp

SMALL = (80, 24)
ANCHOR = dt.date(2026, 11, 20)
LARGE = (120, 40)


def demo_app() -> FieldApp:
    store = build_demo(seed=1, anchor=ANCHOR)
    return FieldApp(store, Editor(store, actor="赵敏"), home=home_of(store))


@pytest.mark.parametrize("size", [SMALL, LARGE], ids=["80x24", "120x40"])
def test_visits_list(snap_compare, size):
    assert snap_compare(demo_app(), terminal_size=size)


@pytest.mark.parametrize("size", [SMALL, LARGE], ids=["80x24", "120x40"])
def test_visit_with_matters(snap_compare, size):
    assert snap_compare(demo_app(), press=["o"], terminal_size=size)


@pytest.mark.parametrize("size", [SMALL, LARGE], ids=["80x24", "120x40"])
def test_quick_capture(snap_compare, size):
    assert snap_compare(demo_app(), press=["o", "ctrl+n"], terminal_size=size)


def test_matter_detail(snap_compare):
    assert snap_compare(demo_app(), press=["o", "down", "enter"], terminal_size=LARGE)


def test_new_visit_form(snap_compare, monkeypatch):
    monkeypatch.setattr("fieldvisit.core.clock.today", lambda: ANCHOR)
    assert snap_compare(demo_app(), press=["n"], terminal_size=SMALL)


@pytest.fixture
def office_app(tmp_path, monkeypatch):
    from fieldvisit.apps.office import OfficeApp
    from fieldvisit.demo.office import write_office_demo
    from fieldvisit.locations.paths import Home
    from fieldvisit.stores.store import TinyDBStore

    monkeypatch.setattr("fieldvisit.core.clock.today", lambda: ANCHOR)
    write_office_demo(tmp_path, ANCHOR)
    store = TinyDBStore(tmp_path / TinyDBStore.FILE_NAME)
    yield OfficeApp(store, Editor(store, actor="周敏"), today=ANCHOR, home=Home(tmp_path))
    store.close()


@pytest.mark.parametrize("size", [SMALL, LARGE], ids=["80x24", "120x40"])
def test_office_register(snap_compare, office_app, size):
    assert snap_compare(office_app, terminal_size=size)


@pytest.mark.parametrize("size", [SMALL, (120, 30)], ids=["80x24", "120x30"])
def test_office_register_sorted_by_key_at_the_last_matter(snap_compare, office_app, size):
    """`s` four times moves the sort to the owner column, `r` turns it round (▼ in the header),
    End goes to the last matter: the line under the table says which of how many."""
    assert snap_compare(office_app, press=["s", "s", "s", "s", "r", "end"], terminal_size=size)


def test_office_register_export(snap_compare, office_app):
    """Ctrl+S on the register: Excel or csv, masked by default."""
    assert snap_compare(office_app, press=["ctrl+s"], terminal_size=SMALL)


def test_office_matter(snap_compare, office_app):
    assert snap_compare(office_app, press=["enter"], terminal_size=LARGE)


def pressed_and_worked_out(*keys: str):
    """Press `keys`, then let the screen's threads (repeat suggestions, statistics) finish."""

    async def run_before(pilot) -> None:
        before = pilot.app.screen
        await pilot.press(*keys)
        # On a busy machine the new screen may not have mounted (and started its thread) yet when
        # the keys are handled: wait for the mount, which counts messages, not seconds.
        for _ in range(200):
            if pilot.app.screen is not before and pilot.app.screen.is_mounted:
                break
            await pilot.pause()
        assert pilot.app.screen is not before and pilot.app.screen.is_mounted, "the screen never mounted"
        await pilot.app.workers.wait_for_complete()
        await pilot.pause()

    return run_before


def test_office_attention(snap_compare, office_app):
    assert snap_compare(office_app, run_before=pressed_and_worked_out("f3"), terminal_size=LARGE)


def test_office_statistics(snap_compare, office_app):
    assert snap_compare(office_app, run_before=pressed_and_worked_out("f4"), terminal_size=LARGE)


# -- trust: enrollment (field) and the device register (office, F6) -------------------------


def fixed_office_keys():
    """Keys from fixed seeds, so fingerprints (and the snapshots) are the same on every run."""
    from nacl.public import PrivateKey
    from nacl.signing import SigningKey

    from fieldvisit.trust.keys import OfficeKeys

    return OfficeKeys(PrivateKey(bytes(range(32))), SigningKey(bytes(range(1, 33))), "东风煤业信访办")


@pytest.fixture
def no_sticks(monkeypatch):
    monkeypatch.setattr("fieldvisit.screens.widgets.folder_picker.removable_folders", lambda: [])


@pytest.fixture
def enrolled_field_app(tmp_path, no_sticks):
    from nacl.signing import SigningKey

    from fieldvisit.demo.laptop import write_demo_store
    from fieldvisit.locations.paths import Home
    from fieldvisit.stores.store import TinyDBStore
    from fieldvisit.trust.keys import DeviceKeys

    write_demo_store(tmp_path, seed=1, anchor=ANCHOR)
    store = TinyDBStore(tmp_path / TinyDBStore.FILE_NAME)
    DeviceKeys(SigningKey(bytes(range(2, 34))), fixed_office_keys().token()).save(Home.beside(store.path).device_keys_file)
    yield FieldApp(store, Editor(store, actor="赵敏"), home=home_of(store))
    store.close()


def test_enrollment(snap_compare, enrolled_field_app):
    assert snap_compare(enrolled_field_app, press=["k"], terminal_size=SMALL)


@pytest.fixture
def office_with_devices(office_app, tmp_path):
    """The demo office with keys, a laptop waiting with two bundles and one approved."""
    from fieldvisit.trust import devices
    from fieldvisit.locations.paths import Home
    from fieldvisit.trust.keys import b64, fingerprint

    fixed_office_keys().save(Home.beside(office_app.store.path).office_keys_file)
    register = {}
    for number, (device_id, name, state) in enumerate(
        [("01KC0000000000000000000001", "下访笔记本-03", devices.PENDING), ("01KC0000000000000000000002", "工会笔记本", devices.APPROVED)]
    ):
        key = bytes([number + 40]) * 32
        register[device_id] = {"key": b64(key), "fingerprint": fingerprint(key), "name": name, "state": state, "first_seen": f"2026-11-1{number + 7}T09:3{number}:00Z", "changed_at": "2026-11-19T10:00:00Z"}
    office_app.store.put({}, {devices.META_KEY: register})
    quarantine = Home.beside(office_app.store.path).quarantine_dir
    quarantine.mkdir()
    for tag in ("0123456789abcdef", "fedcba9876543210"):
        (quarantine / f"01KC0000000000000000000001-{tag}.fvb").write_bytes(b"sealed")
    return office_app


@pytest.mark.parametrize("size", [SMALL, LARGE], ids=["80x24", "120x40"])
def test_office_devices(snap_compare, office_with_devices, size):
    assert snap_compare(office_with_devices, press=["f6"], terminal_size=size)


def test_office_device_approve_confirmation(snap_compare, office_with_devices):
    assert snap_compare(office_with_devices, press=["f6", "a"], terminal_size=SMALL)


def follow_up_app() -> FieldApp:
    """The demo laptop back from the office: three matters of 东风煤矿三采区 answered (one late
    against its promise, one not accepted), then a new visit there and one follow-up heard."""
    import random

    from fieldvisit.office.followups import followup_entry, record_followup
    from fieldvisit.office.workflow import Workflow
    from fieldvisit.core.records import values
    from fieldvisit.stores.store import ISSUES, MemoryStore, VISITS
    from fieldvisit.sync import bundle as fmt
    from fieldvisit.sync.exporter import export_bundle
    from fieldvisit.sync.importer import import_bundles

    laptop = build_demo(seed=1, anchor=ANCHOR)
    office = MemoryStore()
    office_ms = int(dt.datetime(2026, 11, 18, 9, tzinfo=dt.timezone.utc).timestamp() * 1000)
    officer = Editor(office, actor="王敏", device_name="信访办", wall=lambda: office_ms, rng=random.Random(7))
    import_bundles(office, [("laptop", fmt.encode(export_bundle(laptop)))])
    site_visit = next(values(visit) for visit in laptop.all(VISITS) if values(visit)["site"] == "东风煤矿三采区")
    matters = sorted((values(issue) for issue in laptop.all(ISSUES) if values(issue)["visit_id"] == site_visit["id"]), key=lambda issue: issue["ref"])
    work = Workflow(officer, today=lambda: dt.date(2026, 11, 18))
    work.accept(matters[0]["id"])
    work.assign(matters[0]["id"], department="劳资科", assignee="李静")
    work.reply(matters[0]["id"], "已核实考勤，九月井下津贴随十一月工资补发")
    work.not_accept(matters[1]["id"], "属劳动仲裁受理范围，已告知申请途径")
    work.accept(matters[2]["id"])
    import_bundles(laptop, [("office", fmt.encode(export_bundle(office, device_id=laptop.meta()["device_id"])))])
    laptop_ms = int(dt.datetime(2026, 11, 20, 2, tzinfo=dt.timezone.utc).timestamp() * 1000)
    recorder = Editor(laptop, actor="赵敏", wall=lambda: laptop_ms, rng=random.Random(8))
    today = recorder.create_visit({"title": "三采区回访", "site": "东风煤矿三采区", "date": "2026-11-20", "leaders": "王志刚（矿长）"})
    heard = followup_entry("已当面告知补发时间", "basically_satisfied", by="王志刚", visit_id=today["id"], today=ANCHOR)
    record_followup(recorder, matters[0]["id"], heard)
    return FieldApp(laptop, Editor(laptop, actor="赵敏"))


@pytest.mark.parametrize("size", [SMALL, LARGE], ids=["80x24", "120x40"])
def test_follow_up_view(snap_compare, monkeypatch, size):
    monkeypatch.setattr("fieldvisit.core.clock.today", lambda: ANCHOR)
    assert snap_compare(follow_up_app(), press=["enter", "ctrl+r"], terminal_size=size)


def roster_demo_app() -> FieldApp:
    from fieldvisit.demo.roster import build_demo_roster
    from fieldvisit.roster.people import Roster
    from fieldvisit.screens.widgets import capture_aids

    app = demo_app()
    capture_aids.set_roster(app, Roster(build_demo_roster(app.store, seed=1)))
    return app


async def typed_in_the_name_field(pilot) -> None:
    """The quick-capture form with 张建 typed as the petitioner's name: the roster's pick list,
    where two 张建军 are told apart by their units."""
    await pilot.press("o", "ctrl+n")
    for _ in range(20):
        if pilot.app.focused is not None and pilot.app.focused.id == "f-petitioner_name":
            break
        await pilot.press("tab")
    pilot.app.focused.cursor_blink = False  # the cursor drawn in every snapshot, whatever the timing
    await pilot.press("张", "建", "down")
    await pilot.pause()


@pytest.mark.parametrize("size", [SMALL, LARGE], ids=["80x24", "120x40"])
def test_roster_pick_list(snap_compare, size):
    assert snap_compare(roster_demo_app(), run_before=typed_in_the_name_field, terminal_size=size)
