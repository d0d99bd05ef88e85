"""The second office app on one JSON store (read-only, issue 16 §3) refuses an import (F5) and a
device approval (F6) with the read-only message, and leaves the store and its quarantine as they were."""

from __future__ import annotations

import datetime as dt

import pytest
from fieldvisit.screens.confirm import ConfirmScreen
from fieldvisit.screens.imports import ImportsScreen
from fieldvisit.sync import bundle as fmt
from fieldvisit.sync import sealed
from fieldvisit.sync.canonical import canonical_bytes
from fieldvisit.sync.exporter import export_bundle, seal_bundle
from fieldvisit.sync.importer import import_bundles
from textual.widgets import DataTable, Input, Static

from fieldvisit.apps.office import OfficeApp
from fieldvisit.cli.office import open_office_app_store
from fieldvisit.core.i18n import t
from fieldvisit.demo.laptop import build_demo
from fieldvisit.editing.editor import Editor
from fieldvisit.locations.paths import Home
from fieldvisit.stores import journal
from fieldvisit.stores.factory import StoreSpec
from fieldvisit.stores.splice_store import SplicingJSONStore
from fieldvisit.stores.store import ISSUES
from fieldvisit.trust import devices
from fieldvisit.trust import keys as trust

ANCHOR = dt.date(2026, 11, 20)


@pytest.fixture(autouse=True)
def no_usb_sticks(monkeypatch):
    monkeypatch.setattr("fieldvisit.screens.widgets.folder_picker.removable_folders", list)


@pytest.fixture
def two_officers(tmp_path):
    """An office JSON store with keys, one laptop's sealed bundle waiting in quarantine, held by
    the first officer's app; the second officer's store (read-only) and what to compare."""
    path = tmp_path / "office" / SplicingJSONStore.FILE_NAME
    home = Home.beside(path)
    office_keys = trust.OfficeKeys.generate("东风煤业信访办")
    office_keys.save(home.office_keys_file)
    laptop_keys = trust.enroll_device(tmp_path / "laptop.json", canonical_bytes(office_keys.token()))
    bundle = export_bundle(build_demo(1, ANCHOR))
    with SplicingJSONStore(path) as store:
        Editor(store, device_name="信访办")
        [report] = import_bundles(store, [("stick", sealed.encode(seal_bundle(bundle, laptop_keys)))], gate=devices.office_gate(store, home))
        assert report.status == "quarantined"
    first = open_office_app_store(StoreSpec(file=path))
    second = open_office_app_store(StoreSpec(file=path))
    assert not first.read_only and second.read_only
    try:
        yield path, home, first, second, laptop_keys, bundle
    finally:
        second.close()
        first.close()


def snapshot(path, home) -> tuple:
    """The store file, its journal, the quarantine and the refusals log, byte for byte."""
    journal_path = journal.path_of(path)
    quarantine = sorted((item.name, item.read_bytes()) for item in home.quarantine_dir.rglob("*") if item.is_file())
    refusals = home.refusals_file.read_bytes() if home.refusals_file.exists() else None
    return path.read_bytes(), journal_path.read_bytes() if journal_path.exists() else None, quarantine, refusals


async def test_the_read_only_app_refuses_an_import(two_officers, tmp_path):
    path, home, first, second, _, _ = two_officers
    stick = tmp_path / "stick"
    stick.mkdir()
    (stick / "laptop-2.fvb").write_bytes(fmt.encode(export_bundle(build_demo(2, ANCHOR))))
    before = snapshot(path, home)
    app = OfficeApp(second, today=ANCHOR, home=home)
    async with app.run_test(size=(120, 40), notifications=True) as pilot:
        await pilot.pause()
        await pilot.press("f5")
        await pilot.pause()
        box = app.screen.query_one("#picker-path", Input)
        box.value = str(stick)
        box.focus()
        await pilot.press("enter")
        await app.workers.wait_for_complete()
        await pilot.pause()
        result = app.screen.query_one("#imports-result", Static)
        assert t("journal.read_only_step") in str(result.render())
        assert result.has_class("-failed")
        assert t("journal.read_only_step") in [notification.message for notification in app._notifications]
        await pilot.press("ctrl+g")  # nor does it take QR scans (their progress file is the writer's)
        await pilot.pause()
        assert isinstance(app.screen, ImportsScreen)
    assert snapshot(path, home) == before
    assert first.record_count(ISSUES) == 0


async def test_the_read_only_app_refuses_a_device_approval(two_officers):
    path, home, first, second, laptop_keys, _ = two_officers
    before = snapshot(path, home)
    assert before[2], "the laptop's bundle waits in quarantine"
    app = OfficeApp(second, today=ANCHOR, home=home)
    async with app.run_test(size=(120, 40), notifications=True) as pilot:
        await pilot.pause()
        await pilot.press("f6")
        await pilot.pause()
        table = app.screen.query_one("#devices", DataTable)
        [device_id] = [key for key, entry in devices.devices(second).items() if entry["fingerprint"] == laptop_keys.fingerprint]
        table.move_cursor(row=table.get_row_index(device_id))
        for key in ("a", "r", "v"):  # approve, reject, revoke: refused before anything is asked
            await pilot.press(key)
            await pilot.pause()
            assert not isinstance(app.screen, ConfirmScreen)
            assert t("journal.read_only_step") in str(app.screen.query_one("#devices-result", Static).render())
        assert t("journal.read_only_step") in [notification.message for notification in app._notifications]
    assert snapshot(path, home) == before
    assert devices.devices(first)[device_id]["state"] == devices.PENDING
    assert first.record_count(ISSUES) == 0
