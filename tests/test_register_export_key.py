"""The register's export key (issue 15 §5): Ctrl+S writes the matters of the current filter to a
spreadsheet in the summaries folder, masked unless the officer unticks it, and says where."""

from __future__ import annotations

import datetime as dt

import openpyxl
import pytest
from textual.widgets import Checkbox, Input, RadioButton, Select
from textual.widgets._footer import FooterKey

from homes import home_of

from fieldvisit.apps.office import OfficeApp
from fieldvisit.core.records import values
from fieldvisit.editing.editor import Editor
from fieldvisit.screens.export import ExportScreen
from fieldvisit.stores.store import ISSUES, TinyDBStore

ANCHOR = dt.date(2026, 11, 20)


@pytest.fixture
def office(office_store_path):
    with TinyDBStore(office_store_path) as store:
        yield store


def _messages(app) -> list[str]:
    return [str(note.message) for note in app._notifications]


async def _export(pilot, app, *, csv: bool = False, whole: bool = False):
    await pilot.press("ctrl+s")
    await pilot.pause()
    assert isinstance(app.screen, ExportScreen)
    if csv:
        app.screen.query_one("#export-csv", RadioButton).value = True
    if whole:
        app.screen.query_one("#export-redact", Checkbox).value = False
    await pilot.press("ctrl+s")
    await app.workers.wait_for_complete()
    await pilot.pause()


async def test_ctrl_s_writes_the_filtered_matters_masked_and_says_where(office, office_store_path):
    app = OfficeApp(office, Editor(office, actor="周敏"), today=ANCHOR, home=home_of(office))
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        app.screen.query_one("#register-category", Select).value = "wages"
        app.screen.query_one("#register-search", Input).focus()  # the key works from the search box too
        await pilot.pause()
        expected = app.register_index.select(app.screen.current_filter())
        await _export(pilot, app)
        [written] = (office_store_path.parent.parent / "summaries").glob("register-*-masked.xlsx")
        assert any(str(written) in message for message in _messages(app))
        sheet = openpyxl.load_workbook(written).active
        rows = [[cell.value for cell in row] for row in sheet.iter_rows(min_row=2)]
        assert sorted(row[0] for row in rows) == sorted(row.ref for row in expected) and rows
        assert {row[8] for row in rows} == {"工资奖金"}
        names = {values(r)["ref"]: values(r).get("petitioner_name") for r in office.all(ISSUES)}
        assert not any(names[row[0]] and len(names[row[0]]) > 1 and names[row[0]] in str(row) for row in rows)

        await _export(pilot, app, csv=True, whole=True)
        [whole] = [path for path in (office_store_path.parent.parent / "summaries").glob("register-*.csv")]
        text = whole.read_bytes().decode("utf-8-sig")
        assert any(names[row.ref] and names[row.ref] in text for row in expected)


async def test_esc_writes_nothing_and_the_key_is_in_the_footer_and_palette(office, office_store_path):
    app = OfficeApp(office, Editor(office, actor="周敏"), today=ANCHOR, home=home_of(office))
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        assert "导出表格" in [key.description for key in app.screen.query(FooterKey)]
        commands = [command.title for command in app.get_system_commands(app.screen)]
        assert "导出表格" in commands
        await pilot.press("ctrl+s")
        await pilot.pause()
        await pilot.press("escape")
        await pilot.pause()
        assert not isinstance(app.screen, ExportScreen)
        assert not (office_store_path.parent.parent / "summaries").exists()
