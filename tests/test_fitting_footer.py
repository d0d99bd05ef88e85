"""The footer leaves out, whole, the keys past its width (`widgets.fitting_footer`): on a narrow
terminal no key is cut mid-word, those shown are the first of `BINDINGS` in order, and a wider
terminal brings the rest back. Every key stays in the command palette."""

from __future__ import annotations

import datetime as dt

from fieldvisit.screens.widgets.fitting_footer import FittingFooter, key_width
from homes import home_of
from test_recorder_sees import screen_lines
from textual.widgets import Footer

from fieldvisit.apps.office import OfficeApp
from fieldvisit.editing.editor import Editor
from fieldvisit.stores.store import MemoryStore

ANCHOR = dt.date(2026, 11, 20)


def shown_keys(app) -> list:
    footer = app.screen.query_one(Footer)
    assert isinstance(footer, FittingFooter)
    return list(footer.query("FooterKey"))


async def test_a_narrow_footer_leaves_keys_out_whole_and_a_wide_one_shows_them_again():
    store = MemoryStore()
    editor = Editor(store, actor="周敏")
    visit = editor.create_visit({"title": "下访", "site": "三采区", "date": ANCHOR.isoformat()})
    editor.record_issue(visit["id"], {"title": "井下津贴少发"})
    app = OfficeApp(store, Editor(store, actor="周敏"), today=ANCHOR, home=home_of(store))
    async with app.run_test(size=(200, 30)) as pilot:
        await pilot.pause()
        wide = [(key.key, key.description) for key in shown_keys(app)]
        await pilot.resize_terminal(56, 30)
        await pilot.pause()
        await pilot.pause()
        narrow = shown_keys(app)
        footer = app.screen.query_one(Footer)
        palette = [key for key in narrow if key.has_class("-command-palette")]
        others = [key for key in narrow if key not in palette]
        assert len(palette) == 1 and 0 < len(others) < len(wide) - 1
        assert [(key.key, key.description) for key in others] == wide[: len(others)]  # the first keys, in their order
        assert sum(key_width(key, footer.compact) for key in narrow) <= 56
        bottom = screen_lines(app.export_screenshot())[-1]
        for key in narrow:  # each drawn whole
            assert f"{key.key_display} {key.description}" in bottom
        await pilot.resize_terminal(200, 30)
        await pilot.pause()
        await pilot.pause()
        assert [(key.key, key.description) for key in shown_keys(app)] == wide
