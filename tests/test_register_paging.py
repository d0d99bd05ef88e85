"""The whole register through the keys: every matching matter reachable, where the cursor is among
how many, sorting by any column from the keyboard and the palette, the cursor kept on its matter
when a write changes the rows (issue 15 §3)."""

from __future__ import annotations

import datetime as dt

import pytest
from fieldvisit.screens.office_matter import OfficeMatterScreen
from fieldvisit.screens.register import COLUMNS, RegisterScreen
from fieldvisit.screens.widgets.register_table import RegisterTable
from homes import home_of

from fieldvisit.apps.office import OfficeApp
from fieldvisit.editing.editor import Editor
from fieldvisit.office.register import SORT_KEYS, RegisterFilter
from fieldvisit.stores.store import MemoryStore, TinyDBStore

ANCHOR = dt.date(2026, 11, 20)
MATCHING = 300
OTHERS = 20


@pytest.fixture
def many() -> MemoryStore:
    return fill_many(MemoryStore())


def fill_many(store):
    """MATCHING matters about a mine allowance and OTHERS about the canteen, over five visits."""
    editor = Editor(store, actor="周敏", device_name="测试笔记本")
    visits = [
        editor.create_visit({"title": f"第{n}次下访", "site": f"{n}号井", "date": (ANCHOR - dt.timedelta(days=3 * n)).isoformat()})
        for n in range(5)
    ]
    for n in range(MATCHING + OTHERS):
        title = f"井下津贴少发 {n:03d}" if n < MATCHING else f"食堂饭菜涨价 {n:03d}"
        editor.record_issue(visits[n % 5]["id"], {"title": title, "petitioner_name": f"职工{n}", "first_owner": ["王磊", "赵丽", "孙立新"][n % 3]})
    return store


def app_for(store) -> OfficeApp:
    return OfficeApp(store, Editor(store, actor="周敏"), today=ANCHOR, home=home_of(store))


def shown_ids(table: RegisterTable) -> list[str]:
    return [table.row_key_at(n) for n in range(table.row_count)]


def count_line(app) -> str:
    return str(app.screen.query_one("#register-count").render())


def expected(app, chosen: RegisterFilter, key: str = "due", reverse: bool = False) -> list[str]:
    """The order a full sort of the matching rows gives, worked out here from the index's rows."""
    rows = [row for row in app.register_index.rows.values() if chosen.matches(row)]
    return [row.id for row in sorted(rows, key=SORT_KEYS[key], reverse=reverse)]


async def search(pilot, app, text: str) -> RegisterTable:
    app.screen.query_one("#register-search").value = text
    await pilot.pause()
    table = app.screen.query_one("#register", RegisterTable)
    table.focus()
    await pilot.pause()
    return table


async def test_end_reaches_the_last_of_300_matching_and_opens_it(many):
    app = app_for(many)
    async with app.run_test(size=(120, 30)) as pilot:
        await pilot.pause()
        table = await search(pilot, app, "津贴")
        order = expected(app, RegisterFilter(text="津贴"))
        assert table.row_count == len(order) == MATCHING
        assert count_line(app) == f"第 1 件，符合 {MATCHING} 件，共 {MATCHING + OTHERS} 件"
        await pilot.press("end")
        await pilot.pause()
        assert table.cursor_row == MATCHING - 1 and table.cursor_key == order[-1]
        assert count_line(app) == f"第 {MATCHING} 件，符合 {MATCHING} 件，共 {MATCHING + OTHERS} 件"
        top = int(table.scroll_offset.y)
        assert top <= table.cursor_row < top + table.scrollable_content_region.height - 1  # on screen
        await pilot.press("enter")
        await pilot.pause()
        assert isinstance(app.screen, OfficeMatterScreen) and app.screen.issue_id == order[-1]
        await pilot.press("escape")
        await pilot.pause()
        await pilot.press("home")
        assert table.cursor_key == order[0]


async def test_page_down_walks_every_row_to_the_last_and_opens_it(many):
    app = app_for(many)
    async with app.run_test(size=(120, 30)) as pilot:
        await pilot.pause()
        table = await search(pilot, app, "津贴")
        order = expected(app, RegisterFilter(text="津贴"))
        page = table.scrollable_content_region.height - 1
        seen = [table.cursor_key]
        for _ in range(MATCHING // page + 1):
            await pilot.press("pagedown")
            seen.append(table.cursor_key)
        assert seen == [order[min(n * page, MATCHING - 1)] for n in range(len(seen))]
        assert table.cursor_key == order[-1]
        await pilot.press("pageup", "down")
        assert table.cursor_row == MATCHING - page
        await pilot.press("ctrl+end", "o")
        await pilot.pause()
        assert isinstance(app.screen, OfficeMatterScreen) and app.screen.issue_id == order[-1]


async def test_only_the_rows_drawn_get_cells(many):
    """The table asks for a screenful at a time: reaching the last row builds no cells for the
    rows jumped over."""
    from fieldvisit.screens import register

    built: list[int] = []
    window = register._Rows.window

    def counted(self, start, stop):
        found = window(self, start, stop)
        built.append(len(found))
        return found

    register._Rows.window = counted
    try:
        app = app_for(many)
        async with app.run_test(size=(120, 30)) as pilot:
            await pilot.pause()
            table = await search(pilot, app, "津贴")
            built.clear()
            await pilot.press("end")
            await pilot.pause()
            assert 0 < sum(built) <= 2 * table.size.height
    finally:
        register._Rows.window = window


async def test_position_and_count_follow_the_cursor_and_the_filter(many):
    app = app_for(many)
    async with app.run_test(size=(120, 30)) as pilot:
        await pilot.pause()
        total = MATCHING + OTHERS
        assert count_line(app) == f"第 1 件，符合 {total} 件，共 {total} 件"
        await pilot.press("down", "down", "down")
        assert count_line(app) == f"第 4 件，符合 {total} 件，共 {total} 件"
        table = await search(pilot, app, "食堂")
        assert table.cursor_row == 0 and table.row_count == OTHERS
        assert count_line(app) == f"第 1 件，符合 {OTHERS} 件，共 {total} 件"
        await pilot.press("pagedown")
        assert count_line(app) == f"第 {OTHERS} 件，符合 {OTHERS} 件，共 {total} 件"
        await search(pilot, app, "没有这样的事项")
        assert count_line(app) == f"没有符合的事项，共 {total} 件"
        await pilot.press("down", "end", "enter")  # nothing to move to or open
        assert isinstance(app.screen, RegisterScreen)


async def test_keys_sort_by_each_column_both_ways(office_store_path):
    with TinyDBStore(office_store_path) as store:
        app = app_for(store)
        async with app.run_test(size=(120, 30)) as pilot:
            await pilot.pause()
            table = app.screen.query_one("#register", RegisterTable)
            everything = RegisterFilter()
            assert table.sort == ("due", False) and shown_ids(table) == expected(app, everything)
            start = COLUMNS.index("due")
            for step in range(1, len(COLUMNS) + 1):
                await pilot.press("s")
                key = COLUMNS[(start + step) % len(COLUMNS)]
                assert table.sort == (key, False)
                assert shown_ids(table) == expected(app, everything, key), key
                await pilot.press("r")
                assert table.sort == (key, True)
                assert shown_ids(table) == expected(app, everything, key, reverse=True), key
            assert table.sort[0] == "due"
            await pilot.press("S")  # back one column: the flags, the last
            assert table.sort == (COLUMNS[start - 1], False)
            header = table.render_line(0).text
            assert f"{app.screen.query_one('#register', RegisterTable).columns[start - 1].label}▲" in header


async def test_sort_from_the_command_palette(office_store_path):
    from textual.command import CommandPalette

    with TinyDBStore(office_store_path) as store:
        app = app_for(store)
        async with app.run_test(size=(120, 30)) as pilot:
            await pilot.pause()
            await pilot.press("ctrl+p")
            await pilot.pause()
            assert CommandPalette.is_open(app)
            await pilot.press(*"责任人降序")  # the column, and the direction in words
            await app.workers.wait_for_complete()
            await pilot.pause()
            await pilot.press("enter")
            await pilot.pause()
            table = app.screen.query_one("#register", RegisterTable)
            assert table.sort == ("owner", True)
            assert shown_ids(table) == expected(app, RegisterFilter(), "owner", reverse=True)
            assert "责任人▼" in table.render_line(0).text


async def test_a_write_keeps_the_cursor_on_its_matter(many):
    app = app_for(many)
    async with app.run_test(size=(120, 30)) as pilot:
        await pilot.pause()
        screen = app.screen
        screen.sort_by("owner")
        await pilot.pause()
        table = screen.query_one("#register", RegisterTable)
        await pilot.press(*["down"] * 40)
        target = table.cursor_key
        line = table.cursor_row - int(table.scroll_offset.y)
        app.workflow.assign(target, assignee="丁明")  # sorts first by owner now (丁 before every other name): the row moves to the top
        await pilot.pause()
        assert table.cursor_key == target and table.cursor_row == 0
        assert shown_ids(table) == expected(app, RegisterFilter(), "owner")
        await pilot.press(*["down"] * 25)
        target = table.cursor_key
        line = table.cursor_row - int(table.scroll_offset.y)
        other = table.row_key_at(0)
        app.workflow.assign(other, assignee="孙立新")  # another matter moves: this one keeps its line on screen
        await pilot.pause()
        assert table.cursor_key == target
        assert table.cursor_row - int(table.scroll_offset.y) == line


async def test_a_matter_written_out_of_the_filter_leaves_the_cursor_where_it_was(many):
    app = app_for(many)
    async with app.run_test(size=(120, 30)) as pilot:
        await pilot.pause()
        table = await search(pilot, app, "王磊")  # the first owner is searched too
        before = table.row_count
        await pilot.press("down", "down")
        target = table.cursor_key
        app.workflow.assign(target, first_owner="李静")
        await pilot.pause()
        assert table.row_count == before - 1
        assert target not in shown_ids(table) and table.cursor_row == 2


async def test_the_mouse_wheel_scrolls_through_rows_beyond_the_first_screen(many):
    from textual import events

    app = app_for(many)
    async with app.run_test(size=(120, 30)) as pilot:
        await pilot.pause()
        table = app.screen.query_one("#register", RegisterTable)
        order = expected(app, RegisterFilter())
        for _ in range(40):  # a few lines a notch
            table.post_message(events.MouseScrollDown(table, 5, 5, 0, 1, 0, False, False, False))
            await pilot.pause()
        top = int(table.scroll_offset.y)
        assert top > table.size.height  # well past the first screenful
        first_line = table.render_line(1).text  # the first row line under the header
        assert many.get("issues", order[top])["fields"]["ref"]["value"] in first_line
        await pilot.click(table, offset=(4, 1))  # a click there puts the cursor on that row
        assert table.cursor_row == top and table.cursor_key == order[top]


async def test_ctrl_s_exports_the_whole_filter_in_the_order_the_keys_chose(many, monkeypatch):
    from fieldvisit.screens import register_export

    written: list[list[str]] = []
    monkeypatch.setattr(register_export, "write_in_background", lambda screen, ordering, shown, fmt, redact: written.append([row.id for row in ordering.all()]))
    app = app_for(many)
    async with app.run_test(size=(120, 30)) as pilot:
        await pilot.pause()
        table = await search(pilot, app, "津贴")
        await pilot.press("s", "s", "s", "s", "r")  # by owner, descending
        assert table.sort == ("owner", True)
        await pilot.press("ctrl+s")
        await pilot.pause()
        await pilot.press("ctrl+s")  # the export screen's own Ctrl+S: write
        await pilot.pause()
        assert written == [expected(app, RegisterFilter(text="津贴"), "owner", reverse=True)]
        assert len(written[0]) == MATCHING == table.row_count


async def test_the_palette_offers_each_column_in_the_direction_not_shown(office_store_path):
    from fieldvisit.screens.register_commands import SortCommands

    with TinyDBStore(office_store_path) as store:
        app = app_for(store)
        async with app.run_test(size=(120, 30)) as pilot:
            await pilot.pause()
            provider = SortCommands(app.screen)
            found = [hit.text async for hit in provider.discover()]
            assert len(found) == len(COLUMNS)
            assert "按“期限”排序 ▼" in found and "按“责任人”排序 ▲" in found  # sorted by time left ▲ now
            every = [hit.text async for hit in provider.search("排序")]
            assert len(every) == 2 * len(COLUMNS)


@pytest.mark.parametrize("size", [(120, 30), (80, 24)], ids=["120", "80"])
async def test_no_name_is_cut_and_a_longer_one_written_widens_its_column(office_store_path, size):
    with TinyDBStore(office_store_path) as store:
        app = app_for(store)
        async with app.run_test(size=size) as pilot:
            await pilot.pause()
            table = app.screen.query_one("#register", RegisterTable)
            rows = app.register_index.rows

            def names_on_screen() -> list[tuple[str, str, str]]:
                top = int(table.scroll_offset.y)
                found = []
                for line in range(1, table.scrollable_content_region.height):
                    row = rows[table.row_key_at(top + line - 1)]
                    found.append((table.render_line(line).text, row.petitioner, row.owner or row.department or "—"))
                return found

            for text, petitioner, owner in names_on_screen():
                assert petitioner in text and owner in text, (text, petitioner, owner)
            if size[0] == 120:
                assert table.virtual_size.width <= table.scrollable_content_region.width  # every column in view
            await pilot.press("down")
            app.workflow.assign(table.cursor_key, assignee="欧阳诸葛明远")  # longer than any owner so far
            await pilot.pause()
            assert any("欧阳诸葛明远" in text for text, _, _ in names_on_screen())
            for text, petitioner, owner in names_on_screen():
                assert petitioner in text and owner in text, (text, petitioner, owner)
