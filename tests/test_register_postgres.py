"""The office register over PostgreSQL (issue 16 §4): the register screen asks the database for
the rows it shows, the count and where a matter is, instead of holding every row — and shows
what the JSON store's register shows, on a real server (tests/pg_fixtures.py).

The same behaviour is held to on both back-ends where it is the same (parametrised `backend`);
ties in an order are broken by id in the database and by the store's order in memory, so the
orders compared are those of keys without ties, or compared as a sort of the rows."""

from __future__ import annotations

import datetime as dt
import threading
from pathlib import Path

import orjson
import psycopg
import pytest
from fieldvisit.screens.register import COLUMNS
from fieldvisit.screens.widgets.register_table import RegisterTable
from test_register import FILTERS
from test_register_paging import MATCHING, OTHERS, app_for, count_line, fill_many, shown_ids

from fieldvisit.editing.editor import Editor
from fieldvisit.office import register_db
from fieldvisit.office.facts import FactsIndex
from fieldvisit.office.facts_db import facts_for
from fieldvisit.office.policy import DEFAULT_POLICY, Policy
from fieldvisit.office.stats import facts_window
from fieldvisit.apps.office import OfficeApp
from fieldvisit.locations.paths import Home
from fieldvisit.office.register import SAVED_FILTERS, SORT_KEYS, Ordering, RegisterFilter, RegisterIndex
from fieldvisit.office.register_db import DatabaseOrdering, DatabaseRegister, DerivedColumns
from fieldvisit.screens.export import ExportScreen
from fieldvisit.stores.migrate import migrate
from fieldvisit.core.errors import StoreUnavailableError
from fieldvisit.stores.postgres import PostgresStore, drop_schema, search_codes
from fieldvisit.stores.store import ISSUES, VISITS, MemoryStore, TinyDBStore

ANCHOR = dt.date(2026, 11, 20)


@pytest.fixture(autouse=True)
def count_at_once(monkeypatch):
    """The register counts as soon as it shows rows, not after a pause: `settled` awaits it."""
    from fieldvisit.screens import register as screen

    monkeypatch.setattr(screen, "COUNT_AFTER", 0)


@pytest.fixture(params=["json", "postgres"])
def backend(request):
    """The office demo's register on the JSON store, or moved into PostgreSQL as `office migrate` does."""
    path = request.getfixturevalue("office_store_path")
    if request.param == "json":
        with TinyDBStore(path) as store:
            yield store
        return
    url = request.getfixturevalue("postgres_store_url")
    with TinyDBStore(path) as source, PostgresStore(url, actor="信访办") as store:
        store.derive_with(DerivedColumns(DEFAULT_POLICY))
        migrate(source, store)
        yield store


@pytest.fixture(params=["json", "postgres"])
def many(request):
    if request.param == "json":
        store = MemoryStore()
        fill_many(store)
        yield store
        return
    url = request.getfixturevalue("postgres_store_url")
    with PostgresStore(url, actor="周敏") as store:
        store.derive_with(DerivedColumns(DEFAULT_POLICY))
        fill_many(store)
        yield store


def memory_rows(store) -> RegisterIndex:
    """Every row as the JSON register builds them, from the same store: what the database must agree with."""
    return RegisterIndex(store, DEFAULT_POLICY, ANCHOR).build()


async def settled(pilot, app) -> None:
    await pilot.pause()
    await app.workers.wait_for_complete()
    await pilot.pause()


# -- the same register on both back-ends ------------------------------------------------------


def test_the_database_register_finds_and_orders_what_the_json_register_does(backend):
    """Every saved filter, a search, each column both ways: the same matters, in an order that is
    a sort by the register's key (the database breaks ties by id)."""
    index = memory_rows(backend)
    register = register_db.register_for(backend, DEFAULT_POLICY, ANCHOR)
    register.open(None)
    assert isinstance(register, DatabaseRegister) == isinstance(backend, PostgresStore)
    for chosen in FILTERS:
        matching = {row.id for row in index.rows.values() if chosen.matches(row)}
        for key, order in SORT_KEYS.items():
            for reverse in (False, True):
                ordering = register.ordered(chosen, key, reverse)
                ordering.count_now()
                rows = ordering.window(0, len(ordering))
                assert len(ordering) == len(matching), (chosen, key, reverse)
                assert {row.id for row in rows} == matching, (chosen, key, reverse)
                keys = [order(index.rows[row.id]) for row in rows]
                assert keys == sorted(keys, reverse=reverse), (chosen, key, reverse)
                assert [row for row in rows] == [index.rows[row.id] for row in rows] or _same_shown(rows, index)


def _same_shown(rows, index) -> bool:
    """A database row is the JSON register's row (its search text aside: the database searches)."""
    for row in rows:
        mine = index.rows[row.id]
        for name in row.__slots__:
            if name != "haystack" and getattr(row, name) != getattr(mine, name):
                raise AssertionError((row.id, name, getattr(row, name), getattr(mine, name)))
    return True


async def test_end_reaches_the_last_of_300_matching_and_the_line_says_where(many):
    app = app_for(many)
    async with app.run_test(size=(120, 30)) as pilot:
        await settled(pilot, app)
        app.screen.query_one("#register-search").value = "津贴"
        await settled(pilot, app)
        table = app.screen.query_one("#register", RegisterTable)
        table.focus()
        assert table.row_count == MATCHING
        assert count_line(app).replace(",", "") == f"第 1 件，符合 {MATCHING} 件，共 {MATCHING + OTHERS} 件"
        ids = shown_ids(table)
        assert len(set(ids)) == MATCHING  # every matter once, from the top and from the end
        await pilot.press("end")
        await pilot.pause()
        assert table.cursor_row == MATCHING - 1 and table.cursor_key == ids[-1]
        assert count_line(app).startswith(f"第 {MATCHING} 件")
        await pilot.press("home", "pagedown")
        await pilot.pause()
        assert table.cursor_row > 0 and table.cursor_key == ids[table.cursor_row]


async def test_ctrl_s_reads_every_matching_row_in_the_thread_that_writes_them(many, tmp_path, monkeypatch):
    """Over a database every matching row is a query of its pages: the export key asks its
    question at once and reads the rows in its worker, so the register answers meanwhile."""
    read_on: list[int] = []
    for ordering in (Ordering, DatabaseOrdering):
        monkeypatch.setattr(ordering, "all", lambda self, read=ordering.all: read_on.append(threading.get_ident()) or read(self))
    app = OfficeApp(many, Editor(many, actor="周敏"), today=ANCHOR, home=Home(tmp_path / "office"))
    async with app.run_test(size=(120, 30)) as pilot:
        await settled(pilot, app)
        app.screen.query_one("#register-search").value = "津贴"
        await settled(pilot, app)
        read_on.clear()
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert isinstance(app.screen, ExportScreen) and read_on == []  # asked before a row is read
        await pilot.press("ctrl+s")
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert read_on and threading.get_ident() not in read_on
        [written] = (tmp_path / "summaries").glob("register-*-masked.xlsx")
        assert any(f"已把 {MATCHING} 件事项写入 {written}" == str(note.message) for note in app._notifications)


async def test_keys_sort_by_each_column_both_ways(many):
    app = app_for(many)
    index = memory_rows(many)
    async with app.run_test(size=(120, 30)) as pilot:
        await settled(pilot, app)
        screen = app.screen
        table = screen.query_one("#register", RegisterTable)
        for key in COLUMNS:
            for reverse in (False, True):
                screen.sort_by(key, reverse)
                await pilot.pause()
                keys = [SORT_KEYS[key](index.rows[row_id]) for row_id in shown_ids(table)]
                assert keys == sorted(keys, reverse=reverse) and len(keys) == MATCHING + OTHERS, (key, reverse)


async def cursor_down_by_owner(pilot, app) -> tuple[RegisterTable, str]:
    """The register sorted by owner, the cursor on its 41st row: the table and that matter."""
    app.screen.sort_by("owner")
    await pilot.pause()
    table = app.screen.query_one("#register", RegisterTable)
    table.focus()
    await pilot.press(*["down"] * 40)
    return table, table.cursor_key


async def test_a_write_keeps_the_cursor_on_its_matter(many):
    app = app_for(many)
    async with app.run_test(size=(120, 30)) as pilot:
        await settled(pilot, app)
        table, target = await cursor_down_by_owner(pilot, app)
        app.workflow.assign(target, assignee="丁明")  # sorts first by owner now (丁 before every other name): the row moves to the top
        await settled(pilot, app)
        assert table.cursor_key == target and table.cursor_row == 0
        await pilot.press(*["down"] * 25)
        target = table.cursor_key
        line = table.cursor_row - int(table.scroll_offset.y)
        app.workflow.assign(table.row_key_at(0), assignee="孙立新")  # another matter moves: this one keeps its line on screen
        await settled(pilot, app)
        assert table.cursor_key == target
        assert table.cursor_row - int(table.scroll_offset.y) == line


async def test_saved_filters_and_the_status_filter_show_what_they_say(backend):
    app = app_for(backend)
    index = memory_rows(backend)
    async with app.run_test(size=(120, 30)) as pilot:
        await settled(pilot, app)
        screen = app.screen
        table = screen.query_one("#register", RegisterTable)
        for name in ("overdue", "due_soon", "unassigned", "needs_review", "dissatisfied", "collective"):
            screen.query_one("#register-saved").value = name
            await settled(pilot, app)
            want = {row.id for row in index.rows.values() if SAVED_FILTERS[name].matches(row)}
            assert set(shown_ids(table)) == want, name
        screen.query_one("#register-saved").value = "all"
        screen.query_one("#register-status").value = "registered"
        await settled(pilot, app)
        assert set(shown_ids(table)) == {row.id for row in index.rows.values() if row.status == "registered"}


# -- schema 3: the deadlines as columns, upgraded from schema 2 by init-db --------------------

SCHEMA_2 = Path(__file__).parent / "data" / "postgres_schema_2.sql"


def _cli(*args: str):
    from click.testing import CliRunner

    from fieldvisit.cli import main

    return CliRunner().invoke(main, list(args), catch_exceptions=False)


def test_init_db_upgrades_schema_2_and_computes_every_deadline_again_when_the_policy_changes(postgres_url, office_store_path, tmp_path):
    """A schema-2 database (as that release made it, with matters in it) is brought to this
    schema by `fieldvisit office init-db`: the deadline and facts columns added and computed with
    the office's policy, so the register's default order and its overdue filter are right at once; run again
    it computes nothing, and after policy.toml changed it computes them all again."""
    drop_schema(postgres_url)
    with psycopg.connect(postgres_url, autocommit=True) as connection:
        connection.execute(SCHEMA_2.read_text(encoding="utf-8"))
        with TinyDBStore(office_store_path) as source:
            for table in (VISITS, ISSUES):
                for record in source.records(table):
                    connection.execute(
                        "INSERT INTO fv_records (tbl, id, doc, grams) VALUES (%s, %s, %s::jsonb, %s::bigint[])",
                        (table, record["id"], orjson.dumps(record).decode(), search_codes(record) if table == ISSUES else "{}"),
                    )
            index = memory_rows(source)
            statistics = FactsIndex(source).figures(dt.date(2026, 10, 1), dt.date(2026, 11, 30), DEFAULT_POLICY, ANCHOR)
    with pytest.raises(StoreUnavailableError):
        PostgresStore(postgres_url)  # schema 2: the command to run is named
    data_dir = tmp_path / "data"
    result = _cli("--data-dir", str(data_dir), "--lang", "en", "office", "init-db", postgres_url)
    assert result.exit_code == 0, result.output
    assert f"Deadlines computed for {len(index.rows):,} matters" in result.output
    with PostgresStore(postgres_url) as store:
        register = DatabaseRegister(store, DEFAULT_POLICY, ANCHOR)
        ordering = register.ordered(RegisterFilter(), "due", False)
        ordering.count_now()
        rows = ordering.window(0, len(ordering))
        assert [(row.id, row.due, row.days_left) for row in rows] == [(row.id, index.rows[row.id].due, index.rows[row.id].days_left) for row in rows]
        assert len(rows) == len(index.rows)
        overdue = register.ordered(SAVED_FILTERS["overdue"], "due", False)
        overdue.count_now()
        assert {row.id for row in overdue.window(0, len(overdue))} == {row.id for row in index.rows.values() if row.overdue} != set()
        start, end = dt.date(2026, 10, 1), dt.date(2026, 11, 30)  # and every matter's facts (schema 4) computed with them
        assert all(facts is not None for facts, _document in store.period_facts(facts_window(start, end)))
        assert facts_for(store, None).figures(start, end, DEFAULT_POLICY, ANCHOR) == statistics
    assert "Deadlines computed" not in _cli("--data-dir", str(data_dir), "--lang", "en", "office", "init-db", postgres_url).output
    office = data_dir / "office"
    office.mkdir(parents=True, exist_ok=True)
    (office / "policy.toml").write_text("acceptance_days = 5\n", encoding="utf-8")
    result = _cli("--data-dir", str(data_dir), "--lang", "en", "office", "init-db", postgres_url)
    assert f"Deadlines computed for {len(index.rows):,} matters" in result.output
    shorter = Policy(acceptance_days=5)
    with PostgresStore(postgres_url) as store, TinyDBStore(office_store_path) as source:
        again = RegisterIndex(source, shorter, ANCHOR).build()
        ordering = DatabaseRegister(store, shorter, ANCHOR).ordered(RegisterFilter(), "due", False)
        ordering.count_now()
        rows = ordering.window(0, len(ordering))
        assert {row.id: row.due for row in rows} == {row.id: row.due for row in again.rows.values()}


async def test_matters_written_without_the_policy_get_their_deadlines_when_the_app_opens(postgres_store_url, office_store_path):
    """A matter written through a store not given the policy (a script) has no deadline column
    yet: the office app computes it in a thread after the first rows, and shows it."""
    with TinyDBStore(office_store_path) as source, PostgresStore(postgres_store_url) as store:
        migrate(source, store)  # no `derive_with`: every deadline still to compute
        index = memory_rows(source)
        app = app_for(store)
        async with app.run_test(size=(120, 30)) as pilot:
            await settled(pilot, app)
            table = app.screen.query_one("#register", RegisterTable)
            want = sorted(index.rows.values(), key=SORT_KEYS["due"])
            assert [index.rows[row_id].days_left for row_id in shown_ids(table)] == [row.days_left for row in want]


# -- other officers' writes, the attention list ------------------------------------------------

HEARD_WITHIN = 30.0
"""Seconds a test waits for another officer's write to be heard (well under one; the margin is
for a loaded machine)."""


async def _until_heard(pilot, condition) -> None:
    import time

    deadline = time.monotonic() + HEARD_WITHIN
    while not condition():
        assert time.monotonic() < deadline, "another officer's write was never shown"
        await pilot.pause(0.05)
    await pilot.app.workers.wait_for_complete()
    await pilot.pause()


@pytest.fixture
def shared(postgres_store_url):
    """The 320 matters in a database, and a second officer's store on it."""
    with PostgresStore(postgres_store_url, actor="周敏") as mine, PostgresStore(postgres_store_url, actor="王敏") as theirs:
        mine.derive_with(DerivedColumns(DEFAULT_POLICY))
        theirs.derive_with(DerivedColumns(DEFAULT_POLICY))
        fill_many(mine)
        yield mine, theirs


async def test_another_officer_s_step_is_shown_and_the_cursor_stays_on_its_matter(shared):
    """The app hears the other office app's write (LISTEN/NOTIFY), asks the window it shows
    again, and keeps the cursor on the matter it was on, on the same line of the screen."""
    from fieldvisit.office.workflow import Workflow

    mine, theirs = shared
    colleague = Workflow(Editor(theirs, actor="王敏"), today=lambda: ANCHOR)
    app = app_for(mine)
    async with app.run_test(size=(120, 30)) as pilot:
        await settled(pilot, app)
        table, target = await cursor_down_by_owner(pilot, app)
        colleague.assign(target, assignee="丁明")  # sorts first by owner now: the row moves to the top
        await _until_heard(pilot, lambda: table.row_key_at(0) == target)
        assert table.cursor_key == target and table.cursor_row == 0
        assert "丁明" in table.get_row_at(0)
        await pilot.press(*["down"] * 25)
        target = table.cursor_key
        line = table.cursor_row - int(table.scroll_offset.y)
        moved = table.row_key_at(0)
        colleague.assign(moved, assignee="孙立新")  # another matter moves: this one keeps its line on screen
        await _until_heard(pilot, lambda: table.row_key_at(0) != moved)
        assert table.cursor_key == target
        assert table.cursor_row - int(table.scroll_offset.y) == line
        before = app.register_index.total()[0]
        colleague.editor.record_issue(mine.all("visits")[0]["id"], {"title": "新登记的事项 食堂", "first_owner": "王敏"})
        await _until_heard(pilot, lambda: app.register_index.total()[0] == before + 1)
        assert str(app.screen.query_one("#register-count").render()).endswith(f"共 {before + 1} 件")


async def test_the_attention_list_over_the_database_counts_in_a_thread_what_the_json_one_counts(backend):
    app = app_for(backend)
    index = memory_rows(backend)
    async with app.run_test(size=(120, 40)) as pilot:
        await settled(pilot, app)
        await pilot.press("f3")
        await settled(pilot, app)
        summary = str(app.screen.query_one("#attention-summary").render())
        overdue = [row for row in index.rows.values() if row.overdue and row.status not in ("closed", "withdrawn")]
        from fieldvisit.core.i18n import t

        assert t("attention.count", name=t("attention.overdue"), count=len(overdue)) in summary.split(" · ")
        options = app.screen.query_one("#attention")
        shown = [options.get_option_at_index(n).id for n in range(options.option_count)]
        opened = [option.split("|")[2] for option in shown if option and option.startswith("open|overdue|")]
        assert opened and all(index.rows[row_id].overdue for row_id in opened)
        assert sorted(index.rows[row_id].days_left for row_id in opened) == sorted(row.days_left for row in overdue)[: len(opened)]


async def test_a_visit_s_site_corrected_by_another_officer_moves_its_matters_in_the_site_order(shared):
    """A matter's site is its visit's: the database keeps it as the visit is written (the
    register sorts and searches by it), as the JSON register rebuilds the visit's rows."""
    mine, theirs = shared
    app = app_for(mine)
    async with app.run_test(size=(120, 30)) as pilot:
        await settled(pilot, app)
        app.screen.sort_by("site")
        await pilot.pause()
        table = app.screen.query_one("#register", RegisterTable)
        assert table.get_row_at(0)[COLUMNS.index("site")] == "0号井"
        visit = next(visit for visit in theirs.all("visits") if visit["fields"]["site"]["value"] == "4号井")
        Editor(theirs, actor="王敏").update_visit(visit["id"], {"site": "00号井"})
        await _until_heard(pilot, lambda: table.get_row_at(0)[COLUMNS.index("site")] == "00号井")
        index = memory_rows(mine)
        keys = [SORT_KEYS["site"](index.rows[row_id]) for row_id in shown_ids(table)]
        assert keys == sorted(keys) and keys.count("00号井") == (MATCHING + OTHERS) // 5
        app.screen.query_one("#register-search").value = "00号"
        await settled(pilot, app)
        assert table.row_count == (MATCHING + OTHERS) // 5


def test_the_open_matters_index_leaves_out_the_statuses_the_register_calls_closed():
    """`fv_records_open_due` serves the attention list's counts only while its condition is the
    register's own (`register.CLOSED`): the stores layer may not import it, so it is held here."""
    from fieldvisit.office.register import CLOSED
    from fieldvisit.stores import postgres

    assert postgres.ENDED_STATUSES == CLOSED
    assert "fv_records_open_due" in postgres._indexes()
