"""The matters' facts over PostgreSQL (issue 16 §4): a period's figures, the period report and the
repeat suggestions ask the database for what they need (`office.facts_db`), not every matter —
and give exactly what the facts held in memory give on the same store (`office.facts.FactsIndex`),
on a real server (tests/pg_fixtures.py)."""

from __future__ import annotations

import copy
import datetime as dt

import pytest
from textual.widgets import Input, OptionList

from fieldvisit.apps.office import OfficeApp
from fieldvisit.core.records import get_value
from fieldvisit.editing.editor import Editor
from fieldvisit.office import facts_db, repeats
from fieldvisit.office.facts import FactsIndex, facts_of
from fieldvisit.office.facts_db import DatabaseFacts, active_span, facts_for
from fieldvisit.office.policy import DEFAULT_POLICY
from fieldvisit.office.register_db import DerivedColumns
from fieldvisit.office.stats import facts_window, period_figures
from fieldvisit.reports.data import period_report
from fieldvisit.stores.migrate import migrate
from fieldvisit.stores.postgres import PostgresStore
from fieldvisit.stores.store import ISSUES, VISITS, TinyDBStore

ANCHOR = dt.date(2026, 11, 20)
PERIODS = [
    *((dt.date(2026, month, 1), dt.date(2026, month + 1, 1) - dt.timedelta(days=1)) for month in range(8, 12)),
    (dt.date(2026, 12, 1), dt.date(2026, 12, 31)),
    (dt.date(2026, 1, 1), dt.date(2026, 12, 31)),
    (dt.date(2026, 11, 10), dt.date(2026, 11, 16)),
    (dt.date(2027, 4, 1), dt.date(2027, 6, 30)),
]
"""Months before, during and after the demo's matters (October and November 2026), a year, a week
and a quarter still to come."""


def _damaged(record: dict, field: str, value) -> dict:
    """A stored matter with one date nobody could have typed (kept as written by an old import)."""
    found = copy.deepcopy(record)
    found["fields"][field] = {**found["fields"].get(field, {"stamp": found["fields"]["title"]["stamp"]}), "value": value}
    return found


@pytest.fixture
def stores(office_store_path, postgres_store_url):
    """The office demo with repeats by the same person, a withdrawn and a linked matter and two
    damaged dates, as JSON and moved into PostgreSQL as `office migrate` does."""
    with TinyDBStore(office_store_path) as source:
        editor = Editor(source, actor="周敏", device_name="测试笔记本")
        visit = editor.create_visit({"title": "回访", "site": "2号井", "date": "2026-11-18"})
        earlier = [record for record in source.records(ISSUES)][:3]
        editor.record_issue(visit["id"], {"title": "先前反映", "petitioner_name": "王芳", "unit": "综采一队"})
        editor.record_issue(visit["id"], {"title": "又来反映", "employee_no": "E-7001", "petitioner_name": "李强", "unit": "综采一队"})
        editor.record_issue(visit["id"], {"title": "第三次反映", "employee_no": "E-7001"})
        editor.record_issue(visit["id"], {"title": "同名同单位", "petitioner_name": "李强", "unit": "综采一队"})
        editor.record_issue(visit["id"], {"title": "换了名字", "employee_no": "E-7001", "petitioner_name": "王芳", "unit": "综采一队"})
        gone = editor.record_issue(visit["id"], {"title": "已撤回的事项", "employee_no": "E-7001"})
        editor.withdraw_issue(gone["id"], "当场解决")
        source.put({ISSUES: [_damaged(earlier[0], "accepted_at", "2026-02-30"), _damaged(earlier[1], "raised_at", "不是日期")]})
        handled = next(
            record for record in source.records(ISSUES)
            if record["id"] not in (earlier[0]["id"], earlier[1]["id"]) and str(get_value(record, "accepted_at") or "").startswith("2026-10") and not get_value(record, "replied_at")
        )
        source.put({ISSUES: [_damaged(handled, "status", "withdrawn")]})  # its handling would fall due in December: withdrawn, it counts nowhere
        with PostgresStore(postgres_store_url, actor="信访办") as database:
            database.derive_with(DerivedColumns(DEFAULT_POLICY))
            migrate(source, database)
            yield source, database


def test_a_period_reads_the_matters_that_count_in_it_and_counts_the_same(stores):
    source, database = stores
    memory, asked = FactsIndex(source), facts_for(database, None)
    assert isinstance(asked, DatabaseFacts) and not isinstance(facts_for(source, None), DatabaseFacts)
    everything = database.record_count(ISSUES)
    for start, end in PERIODS:
        for today in (ANCHOR, None):
            late_memory, late_database = [], []
            expected = memory.figures(start, end, DEFAULT_POLICY, today, late=late_memory)
            assert asked.figures(start, end, DEFAULT_POLICY, today, late=late_database) == expected, (start, end, today)
            assert sorted(item.id for item, _step in late_database) == sorted(item.id for item, _step in late_memory)
            assert expected == period_figures(*memory.ready(), start, end, DEFAULT_POLICY, today)
    october = facts_window(dt.date(2026, 10, 1), dt.date(2026, 10, 31), DEFAULT_POLICY, ANCHOR)
    read = len(list(database.period_facts(october))) + sum(count for _part, _site, count in database.period_groups(october))
    assert 0 < read < everything  # November's matters are not read
    future = facts_window(dt.date(2027, 4, 1), dt.date(2027, 6, 30), DEFAULT_POLICY, ANCHOR)
    assert list(database.period_facts(future)) == []  # nothing raised, closed or replied to then
    groups = database.period_groups(future)
    assert everything > sum(count for _part, _site, count in groups) > len(groups) > 0  # those still waiting, counted in groups


@pytest.mark.parametrize("listed", [200, 3])
def test_the_period_report_is_the_same_from_the_database(stores, monkeypatch, listed):
    """Its overdue list too: the longest overdue, some counted one by one, some in the database's
    groups (named for the list), all of them or the first 3."""
    from fieldvisit.reports import data

    monkeypatch.setattr(data, "OVERDUE_LISTED", listed)
    source, database = stores
    for start, end in PERIODS[:5]:
        expected = period_report(source, start, end, None, DEFAULT_POLICY, ANCHOR, FactsIndex(source))
        assert period_report(database, start, end, None, DEFAULT_POLICY, ANCHOR, facts_for(database, None)) == expected
    site = "2号井"
    expected = period_report(source, dt.date(2026, 11, 1), dt.date(2026, 11, 30), site, DEFAULT_POLICY, ANCHOR, FactsIndex(source))
    assert expected.stats.total >= 3
    assert period_report(database, dt.date(2026, 11, 1), dt.date(2026, 11, 30), site, DEFAULT_POLICY, ANCHOR, facts_for(database, None)) == expected
    december = period_report(source, dt.date(2026, 12, 1), dt.date(2026, 12, 31), None, DEFAULT_POLICY, None, FactsIndex(source))
    assert len(december.overdue) == min(listed, december.stats.overdue) and december.stats.overdue > 3
    assert period_report(database, dt.date(2026, 12, 1), dt.date(2026, 12, 31), None, DEFAULT_POLICY, None, facts_for(database, None)) == december


def test_a_matter_written_before_its_facts_were_computed_counts_from_its_document(stores):
    source, database = stores
    record = next(iter(source.records(ISSUES)))
    changed = _damaged(record, "closed_at", "2026-11-19T10:00:00+08:00")
    changed["fields"]["status"]["value"] = "closed"
    source.put({ISSUES: [changed]})
    database.derive_with(None)  # a program without the office's policy: no facts kept
    database.put({ISSUES: [changed]})
    assert next(row for row in database.period_facts(facts_window(ANCHOR, ANCHOR)) if row[0] is None)
    start, end = dt.date(2026, 11, 1), dt.date(2026, 11, 30)
    expected = FactsIndex(source).figures(start, end, DEFAULT_POLICY, ANCHOR)
    assert facts_for(database, None).figures(start, end, DEFAULT_POLICY, ANCHOR) == expected


@pytest.mark.parametrize("window", [repeats.WINDOW, 5])
def test_repeat_suggestions_are_the_ones_the_facts_in_memory_give(stores, monkeypatch, window):
    """By the same person (employee number; name in unit), and by text among the `window` matters
    raised just before (a small one: the window's edge matters), newest first."""
    source, database = stores
    monkeypatch.setattr(repeats, "WINDOW", window)
    monkeypatch.setattr(facts_db, "CANDIDATES", 7)  # several batches of candidates
    for limit in (3, 50, 500):
        expected = FactsIndex(source).repeat_index().suggestions(limit)
        assert facts_for(database, None).repeat_index().suggestions(limit) == expected
    reasons = {item.reason for item in expected}
    assert reasons == {"person", "text"}
    withdrawn = {record["id"] for record in source.records(ISSUES) if record["fields"]["status"]["value"] == "withdrawn"}
    assert withdrawn and not withdrawn & {id_ for item in expected for id_ in (item.issue_id, item.earlier_id)}


def test_the_span_a_matter_is_read_for():
    def span(**values) -> str:
        return active_span(facts_of({"id": "X", **values}))

    assert span(raised_at="2026-11-02T09:00:00+08:00", status="recorded") == "[2026-11-02,)"  # waiting: open-ended
    closed = span(raised_at="2026-11-02T09:00:00+08:00", accepted_at="2026-11-05T10:00:00+08:00", status="closed", closed_at="2026-11-20T10:00:00+08:00")
    assert closed == "[2026-11-02,2026-11-20]"
    assert span(raised_at="2026-11-02T09:00:00+08:00", accepted_at="2026-02-30", status="accepted") == "(,)"  # not a date: read for every period
    assert span(status="recorded") == "empty"  # nothing a step could start from


async def _figures_in_app(store) -> tuple[str, str, list[str]]:
    app = OfficeApp(store, Editor(store, actor="周敏"), today=ANCHOR)
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.press("f3")
        await app.workers.wait_for_complete()
        await pilot.pause()
        await app.workers.wait_for_complete()
        await pilot.pause()
        options = app.screen.query_one(OptionList)
        prompts = [str(options.get_option_at_index(n).prompt) for n in range(options.option_count)]
        repeat_lines = prompts[next(n for n, prompt in enumerate(prompts) if prompt.startswith("疑似重复访")) :]
        await pilot.press("f4")
        await pilot.pause()
        app.screen.query_one("#stats-from", Input).value = "2026-10-01"
        app.screen.query_one("#stats-to", Input).value = "2026-11-20"
        await pilot.press("ctrl+r")
        await app.workers.wait_for_complete()
        await pilot.pause()
        return str(app.screen.query_one("#stats-summary").render()), str(app.screen.query_one("#stats-tables").render()), repeat_lines


async def test_the_office_app_shows_the_same_statistics_and_repeats_over_postgresql(stores):
    source, database = stores
    summary, tables, repeat_lines = await _figures_in_app(database)
    assert (summary, tables, repeat_lines) == await _figures_in_app(source)
    assert "共 1" in summary and len(repeat_lines) > 3
    assert database.record_count(VISITS) > 0


def test_a_visit_summary_reads_only_the_visit_s_matters_from_the_database(stores, monkeypatch):
    from fieldvisit.reports import data

    source, database = stores
    monkeypatch.setattr(data, "VISIT_PAGE", 3)  # a visit's matters over several pages

    def read_all(table):
        raise AssertionError(f"every {table} record read for one visit")

    visits = [record["id"] for record in source.records(VISITS)]
    monkeypatch.setattr(database, "records", lambda table: read_all(table) if table == ISSUES else PostgresStore.records(database, table))
    for visit_id in visits:
        expected = data.visit_summary(source, visit_id)
        assert data.visit_summary(database, visit_id) == expected
    assert max(len(data.visit_summary(source, visit_id).matters) for visit_id in visits) > 3
