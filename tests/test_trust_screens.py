"""The trust screens driven by keys (issue 8): enrolling a laptop in the field app, and the office's
device register (F6) approving, rejecting and revoking laptops; with the core steps they share
with the command line (`read_token_file`, `enroll_device`, `devices.reject`)."""

from __future__ import annotations

import datetime as dt
import gzip
from pathlib import Path

import orjson
import pytest
from click.testing import CliRunner
from PIL import Image
from textual.widgets import DataTable, Input, Static

from homes import home_of
from fieldvisit.locations.paths import Home
from fieldvisit.trust import devices
from fieldvisit.locations import paths
from fieldvisit.trust import keys as trust
from fieldvisit.cli import main
from fieldvisit.demo.laptop import build_demo
from fieldvisit.editing.editor import Editor
from fieldvisit.apps.field import FieldApp
from fieldvisit.apps.office import OfficeApp
from fieldvisit.screens.confirm import ConfirmScreen
from fieldvisit.screens.enrollment import EnrollmentScreen
from fieldvisit.screens.handover import HandoverScreen
from fieldvisit.screens.widgets.fingerprint import Fingerprint, spaced
from fieldvisit.stores.store import ISSUES, TinyDBStore
from fieldvisit.sync import sealed
from fieldvisit.sync.canonical import canonical_bytes
from fieldvisit.sync.exporter import export_bundle, seal_bundle
from fieldvisit.sync.importer import import_bundles

ANCHOR = dt.date(2026, 11, 20)


@pytest.fixture(autouse=True)
def no_usb_sticks(monkeypatch):
    monkeypatch.setattr("fieldvisit.screens.widgets.folder_picker.removable_folders", lambda: [])


@pytest.fixture(scope="module")
def office_keys():
    return trust.OfficeKeys.generate("东风煤业信访办")


def write_token(folder: Path, keys: trust.OfficeKeys) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "enroll.json").write_bytes(canonical_bytes(keys.token()))
    return folder / "enroll.json"


def text_of(app, selector: str) -> str:
    return str(app.screen.query_one(selector, Static).render())


async def choose(pilot, app, path) -> None:
    """Type a path into the screen's picker and press Enter, then wait for the reading worker."""
    app.screen.query_one("#picker-path", Input).value = str(path)
    app.screen.query_one("#picker-path", Input).focus()
    await pilot.press("enter")
    await app.workers.wait_for_complete()
    await pilot.pause()


# -- the core the CLI and the screen share ---------------------------------------------------


def test_token_is_found_in_a_folder_and_its_qr_image(tmp_path, office_keys):
    from fieldvisit.sync.qr_render import write_png

    token = canonical_bytes(office_keys.token())
    stick = tmp_path / "stick"
    stick.mkdir()
    (stick / "notes.json").write_text("{}")
    write_png(trust.token_qr_text(office_keys.token()), stick / "enroll.png")
    assert orjson.loads(trust.read_token_file(stick)) == orjson.loads(token)  # the image, after a useless .json
    (stick / "z-enroll.json").write_bytes(token)
    assert trust.read_token_file(stick) == token
    with pytest.raises(trust.TrustError) as empty:
        trust.read_token_file(tmp_path / "stick" / "nothing-here.json")
    assert empty.value.message_key == "error.trust.no_token_file"
    Image.new("L", (64, 64), 255).save(tmp_path / "blank.png")
    with pytest.raises(trust.TrustError) as blank:
        trust.read_token_file(tmp_path / "blank.png")
    assert blank.value.message_key == "error.trust.no_token_qr"


def test_enrolling_with_another_office_is_only_done_when_asked(tmp_path, office_keys):
    path = tmp_path / "device-keys.json"
    first = trust.enroll_device(path, canonical_bytes(office_keys.token()))
    other = trust.OfficeKeys.generate("西山矿务局信访办")
    with pytest.raises(trust.OfficeChange) as change:
        trust.enroll_device(path, canonical_bytes(other.token()))
    assert "西山矿务局信访办" in str(change.value) and office_keys.fingerprint in str(change.value)
    assert trust.DeviceKeys.load(path).office["fingerprint"] == office_keys.fingerprint
    switched = trust.enroll_device(path, canonical_bytes(other.token()), switch_office=True)
    assert switched.office["fingerprint"] == other.fingerprint and switched.fingerprint == first.fingerprint


# -- the field app's enrollment screen -------------------------------------------------------


async def test_enroll_from_the_field_screen_then_hand_overs_are_sealed(tmp_path, store, editor, visit, office_keys):
    token = write_token(tmp_path / "stick", office_keys)
    app = FieldApp(store, editor, home=home_of(store))
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.pause()
        await pilot.press("k")
        assert isinstance(app.screen, EnrollmentScreen)
        assert "尚未登记" in text_of(app, "#enroll-state")
        await choose(pilot, app, token.parent)  # the stick: the token is found in it

        keys = trust.DeviceKeys.load(paths.Home.beside(store.path).device_keys_file)
        assert keys.office["fingerprint"] == office_keys.fingerprint
        assert "东风煤业信访办" in text_of(app, "#enroll-state") and office_keys.fingerprint in text_of(app, "#enroll-state")
        assert spaced(keys.fingerprint) in str(app.screen.query_one(Fingerprint).render())
        assert keys.fingerprint in text_of(app, "#enroll-result")

        await pilot.press("escape")
        await pilot.press("x")
        assert isinstance(app.screen, HandoverScreen)
        await choose(pilot, app, tmp_path / "usb")

    [written] = (tmp_path / "usb").glob("*.fvb")
    envelope = orjson.loads(gzip.decompress(written.read_bytes()))
    assert envelope["format"] == "fieldvisit.sealed" and envelope["office"] == office_keys.fingerprint
    assert "王志刚" not in gzip.decompress(written.read_bytes()).decode()


@pytest.mark.parametrize(
    ("content", "words"),
    [
        (b"not a token", "不是 fieldvisit 登记文件"),
        (None, "没有找到登记二维码"),
        (b"\x89PNG\r\n\x1a\n broken", "打不开"),
    ],
    ids=["garbage", "photo-without-qr", "damaged-image"],
)
async def test_a_bad_token_file_is_shown_as_an_error(tmp_path, store, editor, content, words):
    if content is None:
        bad = tmp_path / "photo.jpg"
        Image.new("RGB", (120, 80), (200, 190, 180)).save(bad)
    else:
        bad = tmp_path / ("token.png" if content.startswith(b"\x89PNG") else "token.json")
        bad.write_bytes(content)
    app = FieldApp(store, editor, home=home_of(store))
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.pause()
        await pilot.press("k")
        await choose(pilot, app, bad)
        result = app.screen.query_one("#enroll-result", Static)
        assert words in str(result.render()) and result.has_class("-failed")
        assert "尚未登记" in text_of(app, "#enroll-state")
    assert not paths.Home.beside(store.path).device_keys_file.exists()


async def test_switching_office_on_the_screen_asks_first(tmp_path, store, editor, office_keys):
    keys_file = paths.Home.beside(store.path).device_keys_file
    first = trust.enroll_device(keys_file, canonical_bytes(office_keys.token()))
    other = trust.OfficeKeys.generate("西山矿务局信访办")
    token = write_token(tmp_path / "other", other)
    app = FieldApp(store, editor, home=home_of(store))
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.pause()
        await pilot.press("k")
        await choose(pilot, app, token)
        assert isinstance(app.screen, ConfirmScreen)
        assert spaced(other.fingerprint) in str(app.screen.query_one(Fingerprint).render())
        await pilot.press("enter")  # the focused button is Cancel
        assert isinstance(app.screen, EnrollmentScreen)
        assert trust.DeviceKeys.load(keys_file).office["fingerprint"] == office_keys.fingerprint

        await choose(pilot, app, token)
        await pilot.press("y")
        await pilot.pause()
        assert isinstance(app.screen, EnrollmentScreen)
        assert "西山矿务局信访办" in text_of(app, "#enroll-state")
    switched = trust.DeviceKeys.load(keys_file)
    assert switched.office["fingerprint"] == other.fingerprint and switched.fingerprint == first.fingerprint


# -- the office's device register (F6) -------------------------------------------------------


@pytest.fixture(scope="module")
def two_laptops(tmp_path_factory, office_keys):
    """Sealed bundles of two demo laptops enrolled with the office: (keys, bundle, sealed bytes)."""
    folder = tmp_path_factory.mktemp("laptops")
    made = []
    for seed in (1, 2):
        keys = trust.enroll_device(folder / f"laptop-{seed}.json", canonical_bytes(office_keys.token()))
        bundle = export_bundle(build_demo(seed, ANCHOR))
        made.append((keys, bundle, sealed.encode(seal_bundle(bundle, keys))))
    return made


@pytest.fixture
def office(tmp_path, office_keys, two_laptops):
    """An office store with keys whose two laptops each have one bundle waiting in quarantine."""
    path = tmp_path / "office" / TinyDBStore.FILE_NAME
    office_keys.save(paths.Home.beside(path).office_keys_file)
    with TinyDBStore(path) as store:
        Editor(store, device_name="信访办")
        reports = import_bundles(store, [(f"stick-{n}", raw) for n, (_, _, raw) in enumerate(two_laptops)], gate=devices.office_gate(store, Home.beside(store.path)))
        assert [report.status for report in reports] == ["quarantined", "quarantined"]
        yield store


def office_app(store) -> OfficeApp:
    return OfficeApp(store, Editor(store, actor="周敏"), today=ANCHOR, home=home_of(store))


async def open_devices(pilot, app, fingerprint: str | None = None) -> DataTable:
    await pilot.pause()
    await pilot.press("f6")
    await pilot.pause()
    table = app.screen.query_one("#devices", DataTable)
    if fingerprint:
        [device_id] = [key for key, entry in devices.devices(app.store).items() if entry["fingerprint"] == fingerprint]
        table.move_cursor(row=table.get_row_index(device_id))
    return table


async def test_the_device_list_shows_every_laptop_and_the_office_fingerprint(office, office_keys, two_laptops):
    app = office_app(office)
    async with app.run_test(size=(100, 30)) as pilot:
        table = await open_devices(pilot, app)
        assert table.row_count == 2
        rows = [[str(cell) for cell in table.get_row_at(index)] for index in range(2)]
        assert {row[1] for row in rows} == {keys.fingerprint for keys, _, _ in two_laptops}
        assert all(row[0] == "待批准" and row[5] == "1" for row in rows)
        ids = {row[6] for row in rows}  # the device id and the code its matters' references carry
        assert all(row[3] == row[6][-4:] for row in rows) and len(ids) == 2
        assert spaced(office_keys.fingerprint) in str(app.screen.query_one("#devices-office-fingerprint", Fingerprint).render())
        assert "东风煤业信访办" in text_of(app, "#devices-office-name")
        assert "2 台待批准" in text_of(app, "#devices-summary")
        assert not app.screen.query_one("#devices-no-keys").display


async def test_approving_merges_the_quarantined_matters_into_the_register(office, two_laptops):
    keys, bundle, _ = two_laptops[0]
    app = office_app(office)
    async with app.run_test(size=(100, 30)) as pilot:
        await open_devices(pilot, app, keys.fingerprint)
        await pilot.press("a")
        assert isinstance(app.screen, ConfirmScreen)
        assert spaced(keys.fingerprint) in str(app.screen.query_one(Fingerprint).render())
        await pilot.press("y")
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert f"新增事项 {len(bundle['issues'])} 件" in text_of(app, "#devices-result")
        assert len(office.all(ISSUES)) == len(bundle["issues"])
        await pilot.press("f2")
        await pilot.pause()
        assert f"符合 {len(bundle['issues'])} 件" in text_of(app, "#register-count")
    [entry] = [entry for entry in devices.devices(office).values() if entry["fingerprint"] == keys.fingerprint]
    assert entry["state"] == "approved"
    assert devices.device_rows(office, paths.Home.beside(office.path).quarantine_dir)[-1].waiting == 0


async def test_rejecting_deletes_the_laptops_quarantined_files_only(office, two_laptops):
    (rejected, _, _), (other, _, _) = two_laptops
    quarantine = paths.Home.beside(office.path).quarantine_dir
    app = office_app(office)
    async with app.run_test(size=(100, 30)) as pilot:
        await open_devices(pilot, app, rejected.fingerprint)
        await pilot.press("r")
        await pilot.press("n")  # cancelled: nothing happens
        assert len(list(quarantine.iterdir())) == 2
        await pilot.press("r")
        await pilot.press("y")
        await pilot.pause()
        assert "删除 1 份" in text_of(app, "#devices-result")
    states = {entry["fingerprint"]: entry["state"] for entry in devices.devices(office).values()}
    assert states == {rejected.fingerprint: "rejected", other.fingerprint: "pending"}
    [left] = quarantine.iterdir()
    assert devices.device_rows(office, quarantine)[0].fingerprint == other.fingerprint and left.name.startswith(
        devices.find_device(office, other.fingerprint)[0]
    )


async def test_revoking_an_approved_laptop(office, office_keys, two_laptops):
    keys = two_laptops[0][0]
    app = office_app(office)
    async with app.run_test(size=(100, 30)) as pilot:
        await open_devices(pilot, app, keys.fingerprint)
        await pilot.press("v")  # a pending laptop cannot be revoked: said, and no question asked
        await pilot.pause()
        assert not isinstance(app.screen, ConfirmScreen)
        devices.approve(office, office_keys, paths.Home.beside(office.path).quarantine_dir, keys.fingerprint)
        app.screen.refresh_view()
        await pilot.press("v")
        assert isinstance(app.screen, ConfirmScreen)
        await pilot.press("y")
        await pilot.pause()
        assert "已吊销" in text_of(app, "#devices-result")
    assert devices.find_device(office, keys.fingerprint)[1]["state"] == "revoked"


async def test_an_office_without_keys_says_what_to_do(tmp_path):
    with TinyDBStore(tmp_path / "office" / TinyDBStore.FILE_NAME) as store:
        app = office_app(store)
        async with app.run_test(size=(80, 24)) as pilot:
            table = await open_devices(pilot, app)
            assert table.row_count == 0
            assert app.screen.query_one("#devices-no-keys").display
            assert "fieldvisit office keys init" in text_of(app, "#devices-no-keys")


# -- the command line ------------------------------------------------------------------------


def test_cli_reject_deletes_the_quarantined_files_of_that_device_only(tmp_path, office_keys, two_laptops):
    office_dir = tmp_path / "data"
    store_path = paths.office_store_dir(office_dir) / TinyDBStore.FILE_NAME
    office_keys.save(paths.Home.beside(store_path).office_keys_file)
    with TinyDBStore(store_path) as store:
        Editor(store, device_name="信访办")
        import_bundles(store, [(f"stick-{n}", raw) for n, (_, _, raw) in enumerate(two_laptops)], gate=devices.office_gate(store, Home.beside(store.path)))
        rejected_id = devices.find_device(store, two_laptops[0][0].fingerprint)[0]
    quarantine = paths.Home.beside(store_path).quarantine_dir
    outside = tmp_path / "keep.fvb"
    outside.write_bytes(b"not in quarantine")
    (quarantine / f"{rejected_id}-{'0' * 16}.fvb").symlink_to(outside)  # a link is never followed
    (quarantine / f"{rejected_id}-notes.txt").write_text("kept")  # not named as quarantine names files

    result = CliRunner().invoke(main, ["office", "devices", "--data-dir", str(office_dir), "--reject", two_laptops[0][0].fingerprint.lower()])
    assert result.exit_code == 0, result.output
    assert "已拒绝" in result.output and "删除 1 份" in result.output
    assert outside.read_bytes() == b"not in quarantine"
    names = sorted(path.name for path in quarantine.iterdir())
    assert len(names) == 3 and f"{rejected_id}-notes.txt" in names
    assert sum(name.startswith(rejected_id) and name.endswith(".fvb") for name in names) == 1  # the link

    listed = CliRunner().invoke(main, ["office", "devices", "--data-dir", str(office_dir)])
    assert "已拒绝" in listed.output and "1 份待处理" in listed.output


async def test_a_device_name_is_shown_as_sent_never_read_as_markup(office_store_path):
    """Anyone holding the public enrollment token can name a pending device: "[/b]" is text."""
    name = "[/b]三采区[red]笔记本"
    with TinyDBStore(office_store_path) as store:
        store.put({}, {devices.META_KEY: {"01M7F6AG30HQHXN5RDAR1S9GK4": {
            "key": "AAAA", "fingerprint": "ABCD-EFGH-JKMN-PQRS", "name": name, "state": "pending",
            "first_seen": "2026-11-20T08:00:00Z", "changed_at": "2026-11-20T08:00:00Z"}}})
        app = office_app(store)
        async with app.run_test(size=(120, 40)) as pilot:
            await pilot.press("f6")
            await pilot.pause()
            table = app.screen.query_one("#devices", DataTable)
            assert name in str(table.get_row_at(0)[2])
            await pilot.press("r")  # reject: the confirmation names the device
            await pilot.pause()
            assert isinstance(app.screen, ConfirmScreen)
            assert name in str(app.screen.query_one("#confirm-title", Static).render())
        assert app._exception is None
