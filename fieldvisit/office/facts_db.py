"""The matters' facts in a database that keeps them beside each matter (issue 16 §4): statistics,
the period report and repeat suggestions over a million matters without reading them all.

`FactsIndex` holds every matter's facts in memory, built from the JSON store or read from its
file: right for 100,000, not for a million in PostgreSQL, where building them meant reading every
document (over two minutes and 2 GB at the first F3 or F4). So the database keeps each matter's
facts as it is written (`fact_columns`, among the columns `register_db.DerivedColumns` computes),
with the dates a period selects by, and `DatabaseFacts` answers the same questions:

- a period's figures read one by one, as a stream, only the matters raised, closed or replied to
  in it (`stats.facts_window`: every other adds nothing but to the deadline figures), and take
  the others whose deadlines ran in it as the database's groups of equal `deadline_part`, with
  their counts; then count by the same code (`period_figures`);
- repeat suggestions walk the newest matters and ask, for each, the latest earlier matter of the
  same person and the `repeats.WINDOW` raised just before it (`DatabaseRepeats`): the same
  suggestions as `repeats.RepeatIndex` gives.

`facts_for` chooses between the two by what the store offers (`Store.keeps_facts`).
"""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING, Any, Callable

import orjson

from fieldvisit.core.records import Record
from fieldvisit.office.facts import DEADLINE_FIELDS, FactsIndex, MatterFacts, Shared, from_stored, record_facts, stored
from fieldvisit.office.policy import DEFAULT_POLICY, Policy, as_read
from fieldvisit.stores.store import Store

if TYPE_CHECKING:
    from fieldvisit.office.repeats import RepeatSuggestion
    from fieldvisit.office.stats import PeriodStats

CANDIDATES = 200
"""Newest matters asked for at once while repeat suggestions are looked for."""


def facts_for(store: Store, cache: Any) -> FactsIndex | DatabaseFacts:
    """What the attention list, the statistics and the period report count: the database's own
    answers when it keeps the facts, else every matter's facts in memory (from `cache`)."""
    if store.keeps_facts:
        return DatabaseFacts(store)
    return FactsIndex(store, cache)


def fact_columns(record: Record) -> dict[str, Any]:
    """What the database keeps of a matter for its facts (`postgres.DERIVED`, schema 4)."""
    matter = record_facts(record)
    return {
        "facts": stored(matter),
        "fact_raised": matter.raised,
        "fact_closed": matter.closed,
        "fact_replied": matter.replied,
        "fact_span": active_span(matter),
        "raised_order": matter.raised_at,
        "persons": [person_key(key) for key in matter.persons],
        "deadline_part": deadline_part(matter),
    }


def deadline_part(matter: MatterFacts) -> list[Any]:
    """What a matter adds to a period's deadline figures depends on (when it is not counted
    otherwise: `stats.period_figures`' `waiting`): its raised day, its starts, the dates the
    policy reads (as it reads them: local dates) and the day it stopped waiting. Matters with the
    same part are counted as one group by the database."""
    dates = [as_read(value) if name.endswith("_at") else value for name, value in zip(("raised_at", *DEADLINE_FIELDS), matter.dates)]
    return [matter.raised, list(matter.starts), dates, matter.ended]


def from_deadline_part(values: list[Any], shared: Callable[[Any], Any]) -> MatterFacts:
    """A group's facts from its `deadline_part`: what the deadline figures read (the rest empty)."""
    raised, starts, dates, ended = values
    starts, dates = shared(tuple(starts)), shared(tuple(dates))
    return MatterFacts(
        id="", ref="", status="recorded", raised_at="", raised=raised, category="", visit_id="", counted=(), closed=None, replied=None,
        ended=ended, rating=None, face_to_face=False, starts=starts, dates=dates, title="", department="", assignee="", first_owner="",
        marked=False, persons=(), text="", tally=(), deadline_key=shared((dates, ended)),
    )


def active_span(matter: MatterFacts) -> str:
    """The days a matter's deadlines may run, as a PostgreSQL date range: from its first start
    (a day a step can start from: `facts.STARTS`) to its last, or to the day it stopped waiting
    if later, open-ended while it waits. Unbounded when a start or that day is not a date (such
    a matter is read for every period); empty when nothing can start it."""
    days = [_date(day) for day in matter.starts]
    if not days:
        return "empty"
    if None in days:
        return "(,)"
    ended = matter.ended
    if ended is None:
        return f"[{min(days).isoformat()},)"
    if ended:
        stopped = _date(ended)
        if stopped is None:
            return "(,)"
        days.append(stopped)
    return f"[{min(days).isoformat()},{max(days).isoformat()}]"


def person_key(key: tuple) -> str:
    """Who raised a matter (`facts._person_keys`: employee number, or name in unit) as one string."""
    return orjson.dumps(list(key)).decode()


def _date(day: Any) -> dt.date | None:
    """An ISO date written as such (what compares as text like the date it is), else None."""
    if not (isinstance(day, str) and len(day) == 10 and day[4] == "-" and day[7] == "-"):
        return None
    try:
        return dt.date.fromisoformat(day)
    except ValueError:
        return None


class DatabaseFacts:
    """`FactsIndex`'s questions answered by a store that keeps the facts (`Store.keeps_facts`)."""

    built = False
    """Nothing is held: a visit's summary asks the store for the visit's matters itself."""

    def __init__(self, store: Store) -> None:
        self.store = store

    def open_cached(self) -> bool:
        """There is no file to take the facts from (and nothing to build)."""
        return False

    def save(self) -> None:
        """Nothing to keep: the database keeps the facts as it is written."""

    def figures(
        self, start: dt.date, end: dt.date, policy: Policy = DEFAULT_POLICY, today: dt.date | None = None, site: str | None = None, late: list | None = None
    ) -> PeriodStats:
        """The period's figures (`stats.period_figures`, at `site` when one is given): the matters
        raised, closed or replied to in it read one by one, the others whose deadlines ran in it
        counted by the database in groups of those that add the same to them (`deadline_part`):
        a register of a million open matters is then a few thousand groups, not a million rows.
        With `late` (`reports.data.Longest`), the overdue: each counted one by one, and of the
        groups' members enough for its `size` longest."""
        # imported when first asked: the office app opens on its register without them
        from fieldvisit.office.stats import at_site, facts_window, period_figures

        read, shared = reader(), Shared()
        window = facts_window(start, end, policy, today)
        counted, sites = at_site((read(*row) for row in self.store.period_facts(window)), self.store.visit_sites(), site)
        groups = [(from_deadline_part(orjson.loads(part), shared), count, part) for part, at, count in self.store.period_groups(window) if not site or at == site]
        late_groups: list | None = [] if late is not None else None
        stats = period_figures(counted, sites, start, end, policy, today, late=late, waiting=((facts, count) for facts, count, _part in groups), late_waiting=late_groups)
        if late_groups:
            self._name_late(window, site, groups, late_groups, late)
        return stats

    def _name_late(self, window: Any, site: str | None, groups: list, late_groups: list, late: Any) -> None:
        """The members of the late groups a report lists: the groups longest overdue first, until
        they hold `late.size` matters (with every group due the same day as the last)."""
        of = {id(facts): (count, part) for facts, count, part in groups}
        wanted, held, last_due = [], 0, None
        steps: dict[str, Any] = {}
        for facts, step in sorted(late_groups, key=lambda pair: pair[1].due):
            if held >= getattr(late, "size", float("inf")) and step.due != last_due:
                break
            count, part = of[id(facts)]
            wanted.append(part)
            steps[part] = step
            held, last_due = held + count, step.due
        read = reader()
        for facts, document, part in self.store.period_group_members(window, wanted, site):
            late.append((read(facts, document), steps[part]))

    def repeat_index(self) -> DatabaseRepeats:
        return DatabaseRepeats(self.store)


def reader() -> Callable[[str | None, str | None], MatterFacts]:
    """Reads one (facts, document) pair as the store gives it: the stored facts, else the facts
    of the document (a matter written before they were computed)."""
    shared = Shared()

    def read(facts: str | None, document: str | None) -> MatterFacts:
        if facts is None:
            return record_facts(orjson.loads(document), shared)
        return from_stored(orjson.loads(facts), shared)

    return read


class DatabaseRepeats:
    """`repeats.RepeatIndex.suggestions` asked of the database: the newest matters in turn, each
    judged against the matters raised before it (the latest of the same person, else the most
    similar text among the `WINDOW` just before it), which the database finds by its indexes."""

    def __init__(self, store: Store) -> None:
        self.store = store

    def suggestions(self, limit: int = 50) -> list[RepeatSuggestion]:
        from fieldvisit.office import repeats
        from fieldvisit.office.repeats import RepeatSuggestion, bigrams, text_repeat

        read = reader()
        pairs: dict[str, frozenset[str]] = {}

        def grams(matter: MatterFacts) -> frozenset[str]:
            found = pairs.get(matter.id)
            if found is None:
                found = pairs[matter.id] = bigrams(matter.text)
            return found

        suggestions: list[RepeatSuggestion] = []
        before: str | None = None
        while len(suggestions) < limit:
            batch = [read(*row) for row in self.store.repeat_newest(before, CANDIDATES)]
            for matter in batch:
                if len(suggestions) >= limit:
                    break
                if matter.marked:
                    continue
                earlier = self._earlier_by_person(matter)
                if earlier is not None:
                    suggestions.append(RepeatSuggestion(matter.id, earlier, "person", 1.0))
                    continue
                window = [read(*row) for row in reversed(self.store.repeat_window(matter.raised_at, matter.id, repeats.WINDOW))]
                found = text_repeat(matter, grams(matter), ((other, grams(other)) for other in window))
                if found is not None:
                    suggestions.append(found)
            if len(batch) < CANDIDATES:
                break
            before = batch[-1].id
        return suggestions

    def _earlier_by_person(self, matter: MatterFacts) -> str | None:
        """As `RepeatIndex` takes it: the latest earlier matter of the last of its keys that has
        one (employee number, then name in unit)."""
        for key in reversed(matter.persons):
            found = self.store.repeat_earlier(person_key(key), matter.raised_at, matter.id)
            if found is not None:
                return found
        return None
