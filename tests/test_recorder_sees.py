"""§6 of issue 14 (what the recorder sees): English plurals, the palette in the user's language."""

from __future__ import annotations

from textual.command import CommandInput, CommandPalette
from textual.widgets import Footer

from fieldvisit.apps.field import FieldApp
from fieldvisit.core import i18n
from fieldvisit.core.i18n import t


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
