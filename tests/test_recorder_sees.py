"""§6 of issue 14 (what the recorder sees): English plurals, the palette in the user's language."""

from __future__ import annotations

import html
import re

import pytest
from fieldvisit.screens.visit import VisitScreen
from textual.command import CommandInput, CommandPalette
from textual.widgets import Footer, Input

from fieldvisit.apps.field import FieldApp
from fieldvisit.core import i18n
from fieldvisit.core.i18n import t
from fieldvisit.core.records import values
from fieldvisit.stores.store import ISSUES


def test_english_counts_take_the_singular_for_one():
    i18n.set_language("en")
    try:
        assert t("visits.summary", visits=1, open=1, matters=1, device="d").startswith("1 visit (1 open), 1 matter ·")
        assert t("visits.summary", visits=2, open=0, matters=0, device="d").startswith("2 visits (0 open), 0 matters ·")
        assert t("cli.matters", count=1) == "1 matter"
        assert t("matter.saved", count=1) == "Saved 1 change"
    finally:
        i18n.set_language("zh-CN")
    assert t("cli.matters", count=1) == "1 件事项"


async def test_the_palette_key_and_placeholder_are_translated(store, editor):
    app = FieldApp(store, editor)
    async with app.run_test(size=(120, 30)) as pilot:
        await pilot.pause()
        footer_keys = [key.description for key in app.screen.query_one(Footer).query("FooterKey")]
        assert t("palette.key") in footer_keys and "palette" not in footer_keys
        await pilot.press("ctrl+p")
        await pilot.pause()
        assert isinstance(app.screen, CommandPalette)
        assert app.screen.query_one(CommandInput).placeholder == t("palette.placeholder") == "搜索命令…"


@pytest.mark.parametrize("size", [(80, 24), (120, 40)], ids=["80x24", "120x40"])
async def test_a_chinese_toast_shows_whole_over_the_form(store, editor, visit, size):
    """已保存 over the capture form's border showed as ` 存` (Textual #6357; fieldvisit.apps.wide_cells)."""
    app = FieldApp(store, editor)
    async with app.run_test(size=size, notifications=True) as pilot:
        app.push_screen(VisitScreen(visit["id"]))
        await pilot.pause()
        await pilot.pause()
        app.screen.query_one("#f-title", Input).value = "井下津贴少发"
        await pilot.press("ctrl+s")
        await pilot.pause()
        await pilot.pause()
        shown = screen_lines(app.export_screenshot())
        ref = values(store.all(ISSUES)[0])["ref"]
        assert any(t("visit.saved_title") in line for line in shown)
        for part in re.split("[， ]", t("visit.saved", ref=ref)):  # a long toast wraps at 80 columns
            assert any(part in line for line in shown), part


def screen_lines(svg: str) -> list[str]:
    rows: dict[float, list[tuple[float, str]]] = {}
    for found in re.finditer(r'<text[^>]*x="([\d.]+)" y="([\d.]+)"[^>]*>(.*?)</text>', svg):
        rows.setdefault(float(found.group(2)), []).append((float(found.group(1)), html.unescape(found.group(3)).replace("\xa0", " ")))
    return ["".join(text for _x, text in sorted(row)) for _y, row in sorted(rows.items())]
