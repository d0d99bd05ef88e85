"""The matters' facts (issue 15 §6): what statistics, the period report and repeat suggestions read,
taken once per matter, kept beside the store, and counted the same as from whole records; and the
register's "dissatisfied" filter, which counts the rating the statistics count."""

from __future__ import annotations

import datetime as dt
import random

import orjson

from textual.widgets import Input, Select

from homes import home_of
from fieldvisit.apps.office import OfficeApp
from fieldvisit.core.i18n import label
from fieldvisit.core.records import values
from fieldvisit.editing.editor import Editor
from fieldvisit.office import followups as fu
from fieldvisit.office.facts import STORED, FactsIndex, MatterFacts, Shared, facts_of, facts_kept_in_step, from_stored, record_facts, store_sites, stored
from fieldvisit.office.facts_cache import FILE, FactsCache
from fieldvisit.office.register import SAVED_FILTERS, RegisterIndex
from fieldvisit.office.repeats import repeat_suggestions, suggest_repeats
from fieldvisit.office.stats import period_figures, period_stats
from fieldvisit.office.workflow import Workflow
from fieldvisit.reports.data import period_report
from fieldvisit.stores.store import ISSUES, VISITS, MemoryStore, TinyDBStore

ANCHOR = dt.date(2026, 11, 20)
NOVEMBER = (dt.date(2026, 11, 1), dt.date(2026, 11, 30))


class Wall:
    """Every write later than the one before, so the newest rating is the last one given."""

    def __init__(self) -> None:
        self.ms = int(dt.datetime(2026, 11, 2, 9, tzinfo=dt.timezone.utc).timestamp() * 1000)

    def __call__(self) -> int:
        self.ms += 1000
        return self.ms


def rated_twice(store) -> tuple[Editor, dict[str, str]]:
    """Three replied matters: dissatisfied by the office then satisfied face to face, satisfied
    by the office then dissatisfied face to face, and dissatisfied by the office only."""
    editor = Editor(store, actor="周敏", wall=Wall(), device_name="信访办", rng=random.Random(3))
    visit = editor.create_visit({"title": "十一月下访", "site": "东风煤矿", "date": "2026-11-02"})
    office = Workflow(editor, today=lambda: dt.date(2026, 11, 10))
    ids = {}
    for name, first, then in (("won_back", "dissatisfied", "satisfied"), ("lost", "satisfied", "dissatisfied"), ("still", "dissatisfied", "")):
        issue_id = ids[name] = editor.record_issue(visit["id"], {"title": f"澡堂热水{name}"})["id"]
        office.accept(issue_id)
        office.reply(issue_id, "已安排维修")
        office.rate(issue_id, first, "" if first != "dissatisfied" else "维修太慢")
        if then:
            entry = fu.followup_entry("当面回访", then, "" if then != "dissatisfied" else "热水还是不够")
            fu.record_followup(editor, issue_id, entry)
    return editor, ids


def test_the_dissatisfied_filter_takes_the_newest_rating_whether_by_reply_or_face_to_face():
    store = MemoryStore()
    _, ids = rated_twice(store)
    index = RegisterIndex(store, today=ANCHOR).build()
    shown = {row.id for row in index.select(SAVED_FILTERS["dissatisfied"])}
    assert shown == {ids["lost"], ids["still"]}
    matters, sites = FactsIndex(store).ready()
    stats = period_figures(matters, sites, *NOVEMBER, today=ANCHOR)
    assert stats.satisfaction["dissatisfied"] == len(shown) == 2
    assert stats.satisfaction["satisfied"] == 1 and stats.satisfaction_face_to_face == 2


async def test_the_registers_dissatisfied_count_agrees_with_the_statistics_screen(tmp_path, monkeypatch):
    monkeypatch.setattr("fieldvisit.core.clock.today", lambda: ANCHOR)
    with TinyDBStore(tmp_path / "office" / TinyDBStore.FILE_NAME) as store:
        editor, ids = rated_twice(store)
        app = OfficeApp(store, editor, today=ANCHOR, home=home_of(store))
        async with app.run_test(size=(120, 40)) as pilot:
            await pilot.pause()
            app.screen.query_one("#register-saved", Select).value = "dissatisfied"
            await pilot.pause()
            count = str(app.screen.query_one("#register-count").render())
            assert "符合 2 件" in count, count
            await pilot.press("f4")
            app.screen.query_one("#stats-from", Input).value = NOVEMBER[0].isoformat()
            app.screen.query_one("#stats-to", Input).value = NOVEMBER[1].isoformat()
            await pilot.press("ctrl+r")
            await app.workers.wait_for_complete()
            await pilot.pause()
            tables = str(app.screen.query_one("#stats-tables").render())
            line = next(line for line in tables.splitlines() if line.strip().startswith(label("satisfaction", "dissatisfied")))
            assert line.rstrip().endswith(" 2"), line


def test_a_records_facts_are_those_of_its_rated_values(office_store_path):
    with TinyDBStore(office_store_path) as store:
        for record in store.records(ISSUES):
            assert record_facts(record) == facts_of(fu.rated_values(record))


def test_a_matters_facts_read_back_from_json_are_the_same(office_store_path):
    """As a database keeps them (`stored`, a JSON list) and reads them (`from_stored`)."""
    assert STORED == MatterFacts._fields[: len(STORED)]
    shared = Shared()
    with TinyDBStore(office_store_path) as store:
        for record in store.records(ISSUES):
            matter = record_facts(record)
            assert from_stored(orjson.loads(orjson.dumps(stored(matter))), shared) == matter


def test_figures_and_repeats_from_the_facts_are_those_from_the_values(office_store_path):
    with TinyDBStore(office_store_path) as store:
        rated = [fu.rated_values(record) for record in store.records(ISSUES)]
        visits = [values(record) for record in store.records(VISITS)]
        matters, sites = FactsIndex(store).ready()
        assert sites == store_sites(store)
        for start in (dt.date(2026, 10, 1), dt.date(2023, 11, 21)):
            assert period_figures(matters, sites, start, ANCHOR, today=ANCHOR) == period_stats(rated, visits, start, ANCHOR, today=ANCHOR)
        plain = [values(record) for record in store.records(ISSUES)]
        assert repeat_suggestions(matters, 20) == suggest_repeats(plain, 20)


def test_the_facts_file_is_used_only_for_the_store_it_was_written_for(office_store_path):
    with TinyDBStore(office_store_path) as store:
        cache = FactsCache.of(home_of(store))
        assert cache.load(store) is None  # none written yet
        facts = FactsIndex(store, cache)
        report = period_report(store, dt.date(2026, 10, 1), ANCHOR, today=ANCHOR, facts=facts)
        assert not (office_store_path.parent / FILE).exists()  # kept only when asked, once the report is written
        facts.save()
        loaded = cache.load(store)
        assert loaded is not None
        matters, sites = loaded
        built, built_sites = FactsIndex(store).ready()
        assert sorted(matters) == sorted(built) and sites == built_sites
        assert period_report(store, dt.date(2026, 10, 1), ANCHOR, today=ANCHOR, facts=FactsIndex(store, cache)) == report
        assert period_report(store, dt.date(2026, 10, 1), ANCHOR, today=ANCHOR) == report  # without the file: the same

        Workflow(Editor(store, actor="周敏"), today=lambda: ANCHOR).assign(matters[0].id, first_owner="周敏", department="工会")
        assert cache.load(store) is None  # the store changed: the file no longer fits it


def test_a_command_that_writes_keeps_the_facts_file_in_step(office_store_path):
    with TinyDBStore(office_store_path) as store:
        cache = FactsCache.of(home_of(store))
        FactsIndex(store, cache).ready()
        FactsIndex(store, cache).save()  # nothing built in this one: nothing written
        assert cache.load(store) is None
        index = FactsIndex(store, cache)
        index.ready()
        index.save()
        issue_id = next(iter(store.records(ISSUES)))["id"]
        with facts_kept_in_step(store, cache):
            Workflow(Editor(store, actor="周敏"), today=lambda: ANCHOR).assign(issue_id, first_owner="周敏", department="工会")
        matters, _ = cache.load(store)
        assert {matter.id: matter for matter in matters}[issue_id].department == "工会"
        assert sorted(matters) == sorted(FactsIndex(store).ready()[0])


def test_writes_while_the_facts_are_built_are_not_lost(office_store_path):
    with TinyDBStore(office_store_path) as store:
        index = FactsIndex(store)
        issue_id = next(iter(store.records(ISSUES)))["id"]
        records = store.records

        def writing_meanwhile(table):  # a step taken while the build reads the store
            found = list(records(table))
            if table == ISSUES:
                Workflow(Editor(store, actor="周敏"), today=lambda: ANCHOR).assign(issue_id, first_owner="周敏", department="工会")
            return iter(found)

        store.records = writing_meanwhile
        matters, _ = index.ready()
        store.records = records
        assert {matter.id: matter for matter in matters}[issue_id].department == "工会"


def test_the_report_command_keeps_the_facts_and_prints_the_same_from_them(tmp_path, monkeypatch):
    from click.testing import CliRunner

    from fieldvisit.cli import main
    from fieldvisit.demo.office import write_office_demo
    from fieldvisit.locations import paths

    monkeypatch.setattr("fieldvisit.reports.write.now", lambda: dt.datetime(2026, 11, 20, 9, 30))
    data = tmp_path / "data"
    write_office_demo(paths.office_store_dir(data), ANCHOR)
    facts_file = paths.office_store_dir(data) / FILE
    printed = []
    for number in range(2):
        out = tmp_path / f"report-{number}.md"
        result = CliRunner().invoke(main, ["report", "--data-dir", str(data), "--from", "2026-10-01", "--to", "2026-11-20", "--format", "md", "--out", str(out)])
        assert result.exit_code == 0, result.output
        assert facts_file.exists()  # written by the first, read by the second
        printed.append(out.read_text(encoding="utf-8"))

        def not_again(index):
            raise AssertionError("the second report read every record again")

        monkeypatch.setattr(FactsIndex, "_build", not_again)
    assert printed[0] == printed[1]
