"""The file hand-over end to end: field screen → .fvb on a 'USB stick' → office screen and CLI."""

from __future__ import annotations

import json
import subprocess
import sys

from textual.widgets import Input

from homes import home_of
from fieldvisit.editing.editor import Editor
from fieldvisit.apps.field import FieldApp
from fieldvisit.apps.office import OfficeApp
from fieldvisit.core.records import values
from fieldvisit.screens.handover import HandoverScreen
from fieldvisit.stores.store import IMPORTS, ISSUES, TinyDBStore
from fieldvisit.sync.exporter import export_bundle, write_bundle
from fieldvisit.sync.importer import import_bundles


async def wait_for(pilot, condition) -> None:
    """Wait for the screen's worker to finish (however slow the machine), then check."""
    await pilot.app.workers.wait_for_complete()
    await pilot.pause()
    assert condition(), "the worker finished without doing its job"


async def test_field_handover_writes_a_bundle_the_office_screen_imports(store, editor, visit, tmp_path):
    editor.record_issue(visit["id"], {"title": "井下津贴少发", "petitioner_name": "李建军"})
    stick = tmp_path / "usb"
    stick.mkdir()
    app = FieldApp(store, editor, home=home_of(store))
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.press("x")
        await pilot.pause()
        assert isinstance(app.screen, HandoverScreen)
        path = app.screen.query_one("#picker-path", Input)
        path.value = str(stick)
        await pilot.press("enter")
        await wait_for(pilot, lambda: list(stick.glob("*.fvb")))
    [bundle_file] = stick.glob("*.fvb")
    assert bundle_file.name.startswith("东风煤矿三采区-20261120-")

    with TinyDBStore(tmp_path / "office" / "fieldvisit.json") as office:
        office_app = OfficeApp(office, home=home_of(office))
        async with office_app.run_test(size=(100, 30)) as pilot:
            await pilot.press("f5")  # the imports mode
            await pilot.pause()
            path = office_app.screen.query_one("#picker-path", Input)
            path.value = str(stick)
            await pilot.press("enter")
            await wait_for(pilot, lambda: office.all(IMPORTS))
            await pilot.pause()
            assert "新增事项 1 件" in str(office_app.screen.query_one("#imports-result").render())
        assert [values(record)["title"] for record in office.all(ISSUES)] == ["井下津贴少发"]


def test_three_commands_hand_over_the_demo_data(tmp_path):
    """The README's hand-over: demo → export to a stick → import in the office, then again."""
    env = {"PATH": "/usr/bin:/bin", "FIELDVISIT_LANG": "en"}

    def fieldvisit(*args: str) -> subprocess.CompletedProcess:
        return subprocess.run([sys.executable, "-m", "fieldvisit", *args], capture_output=True, text=True, env=env, timeout=60)

    laptop, office, stick = tmp_path / "laptop", tmp_path / "office", tmp_path / "stick"
    assert fieldvisit("demo", "--data-dir", str(laptop), "--anchor", "2026-11-20", "--no-open").returncode == 0
    exported = fieldvisit("export", "--data-dir", str(laptop), "--all", "--out", str(stick), "--json")
    assert exported.returncode == 0, exported.stderr
    assert json.loads(exported.stdout)["issues"] == 48
    first = fieldvisit("import", "--data-dir", str(office), str(stick), "--json")
    assert first.returncode == 0, first.stderr
    report = json.loads(first.stdout)
    assert report["status"] == "imported" and report["counts"]["issues_new"] == 48
    again = fieldvisit("import", "--data-dir", str(office), str(stick))
    assert again.returncode == 0 and "already imported" in again.stdout
    broken = stick / "broken.fvb"
    broken.write_bytes(next(stick.glob("*.fvb")).read_bytes()[:300])
    store_file = office / "office" / "fieldvisit.json"
    before = store_file.read_bytes()
    rejected = fieldvisit("import", "--data-dir", str(office), str(broken))
    assert rejected.returncode == 1 and "incomplete" in rejected.stderr
    assert store_file.read_bytes() == before


def test_office_export_tells_the_laptop_what_became_of_its_matters(tmp_path, wall):
    """Round trip back to the field: the office's status change shows on the laptop."""
    with TinyDBStore(tmp_path / "laptop.json") as laptop:
        field_editor = Editor(laptop, wall=wall)
        visit = field_editor.create_visit({"title": "接访", "site": "三采区", "date": "2026-11-20"})
        issue = field_editor.record_issue(visit["id"], {"title": "班车取消"})
        raw = write_bundle(export_bundle(laptop), tmp_path / "to-office.fvb").read_bytes()
        with TinyDBStore(tmp_path / "office.json") as office:
            office_editor = Editor(office, wall=lambda: wall.ms + 86_400_000)
            import_bundles(office, [("stick", raw)])
            office_editor.update_issue(issue["id"], {"department": "后勤服务中心"})
            back = write_bundle(export_bundle(office, device_id=field_editor.device_id), tmp_path / "back.fvb").read_bytes()
        [report] = import_bundles(laptop, [("from office", back)])
        assert report.status == "imported" and report.counts["issues_updated"] == 1
        assert values(laptop.get(ISSUES, issue["id"]))["department"] == "后勤服务中心"
