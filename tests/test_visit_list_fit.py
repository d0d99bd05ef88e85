"""The visit's list of matters fits its pane: the title gives way, never the petitioner, status or
category (issue 14's leftover: in English at 120 columns Status and Category were cut off)."""

from __future__ import annotations

import datetime as dt

import pytest
from rich.cells import cell_len
from textual.widgets import DataTable

from fieldvisit.apps.field import FieldApp
from fieldvisit.core import i18n
from fieldvisit.core.i18n import set_language
from fieldvisit.demo.laptop import build_demo
from fieldvisit.editing.editor import Editor
from fieldvisit.screens.visit import CATEGORY_WIDTH, TITLE_WIDTH, _cut
from homes import home_of


@pytest.fixture
def language(request):
    set_language(request.param)
    yield request.param
    set_language("zh-CN")


@pytest.mark.parametrize("language", ["en", "zh-CN"], indirect=True)
@pytest.mark.parametrize("width", [120, 80, 160])
async def test_every_column_but_the_title_is_whole(language, width):
    assert i18n.language() == language
    store = build_demo(seed=1, anchor=dt.date(2026, 11, 20))
    app = FieldApp(store, Editor(store, actor="赵敏"), home=home_of(store))
    async with app.run_test(size=(width, 40)) as pilot:
        await pilot.press("o")
        await pilot.pause()
        await pilot.pause()
        table = app.screen.query_one("#matters", DataTable)
        used = sum(column.get_render_width(table) for column in table.columns.values())
        assert used <= table.scrollable_content_region.width
        title = table.columns["title"]
        assert TITLE_WIDTH[0] <= title.width <= TITLE_WIDTH[1]
        for key in ("ref", "petitioner", "status", "category"):
            column = table.columns[key]
            widest = max(cell_len(str(table.get_cell(row, key))) for row in table.rows)
            assert column.width >= min(widest, CATEGORY_WIDTH)  # the column holds its longest text


def test_a_long_category_is_cut_with_an_ellipsis():
    assert _cut("Social insurance & pensions", 16) == "Social insuranc…"
    assert _cut("工资奖金", 16) == "工资奖金"
    assert _cut("离退休待遇离退休待遇", 9) == "离退休待…"
