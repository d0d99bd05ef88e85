"""The terminal QR display: sized to the window, paged, cycling into fountain frames."""

from __future__ import annotations

import datetime as dt

from textual.app import App

from homes import home_of
from fieldvisit.demo.laptop import build_demo
from fieldvisit.screens.qr_display import QrScreen
from fieldvisit.stores.store import ISSUES
from fieldvisit.sync import bundle as fmt
from fieldvisit.sync.exporter import select_records


def fixed_bundle() -> dict:
    store = build_demo(1, dt.date(2026, 11, 20))
    records = select_records(store)
    records[ISSUES] = records[ISSUES][:6]
    return fmt.build_bundle(records, "01M31FN800YPRPA8JAB2VS3WER", "下访笔记本-01", "01M88VP9CC6ZRY1A3S12DFDR8B", dt.datetime(2026, 11, 20, tzinfo=dt.timezone.utc))


class Host(App):
    def __init__(self, screen: QrScreen):
        super().__init__()
        self._qr = screen

    def get_default_screen(self) -> QrScreen:
        return self._qr


async def test_a_too_small_window_says_how_big_it_must_be():
    app = Host(QrScreen(fixed_bundle()))
    async with app.run_test(size=(24, 10)) as pilot:
        await pilot.pause()
        text = str(app.screen.query_one("#qr-code").render())
        assert "25 列" in text and "至少" in text
        assert app.screen.frames == []


async def test_frames_fit_the_window_and_page_by_key():
    app = Host(QrScreen(fixed_bundle()))
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        screen = app.screen
        count = len(screen.frames)
        assert count >= 2
        code_lines = str(screen.query_one("#qr-code").render()).splitlines()
        assert len(code_lines) <= 38 and max(map(len, code_lines)) <= 120
        assert screen.query_one("#qr-code").size.height >= len(code_lines)  # really laid out
        assert not any(" " in line for line in code_lines)  # the quiet zone is drawn, not blank
        assert "第 1 / " in str(screen.query_one("#qr-caption").render())
        await pilot.press("right")
        assert "第 2 / " in str(screen.query_one("#qr-caption").render())
        for _ in range(count):
            await pilot.press("n")
        assert "补充码" in str(screen.query_one("#qr-caption").render())  # past the end: fountain frames
        await pilot.press("left")
        await pilot.press("a")
        assert screen._timer is not None
        await pilot.press("plus")
        assert screen.speed == 1


async def test_a_bigger_window_needs_fewer_frames():
    small = Host(QrScreen(fixed_bundle()))
    async with small.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        small_count = len(small.screen.frames)
    large = Host(QrScreen(fixed_bundle()))
    async with large.run_test(size=(160, 60)) as pilot:
        await pilot.pause()
        assert 0 < len(large.screen.frames) < small_count


async def test_the_hand_over_screen_shows_the_visit_as_codes(store, editor, visit):
    from fieldvisit.apps.field import FieldApp

    editor.record_issue(visit["id"], {"title": "井下津贴少发", "demand": "补发九月津贴"})
    app = FieldApp(store, editor, home=home_of(store))
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.press("x")
        await pilot.pause()
        await pilot.press("ctrl+g")
        await pilot.pause()
        assert isinstance(app.screen, QrScreen)
        code = app.screen.query_one("#qr-code")
        assert code.size.height > 20 and "█" in str(code.render())
