"""Each matter's facts for statistics, the period report's overdue list and repeat suggestions, small.

Those three read a few dozen values of every matter. Reading them as whole records (every field's
register, its stamps, the history) costs most of the time and memory of a figure over 100,000
matters, so each matter is read once into a `MatterFacts`: the values they read, already in the
form they compare (local dates as ISO text, the rating that counts, the flags counted), with the
strings many matters share held once. `period_stats`, `overdue_list` and `suggest_repeats` take
these; `stats.period_stats` and `repeats.suggest_repeats` still take plain value dicts and turn
them into facts first, so a script, a test and the app count by the same code.

`FactsIndex` keeps the facts of a whole store in step with its writes (`Store.subscribe`), for the
office app's attention list and statistics: built once, in a thread, then each write refreshes
the matters it wrote.
"""

from __future__ import annotations

import datetime as dt
import threading
from contextlib import contextmanager
from typing import Any, Callable, Iterable, Iterator, NamedTuple

from fieldvisit.core import model
from fieldvisit.core.records import Record
from fieldvisit.office.followups import effective_rating
from fieldvisit.office.policy import CLOSED_STATUSES, history_dates
from fieldvisit.office.upkeep import save_once_compacted
from fieldvisit.office.workflow import SATISFACTION
from fieldvisit.stores.storage import collector_paused
from fieldvisit.stores.store import ISSUES, VISITS, Store

COUNTED_FLAGS = ("repeat", "collective", "skip_level", "safety_hazard")
DEADLINE_FIELDS = (
    "arrived_at", "registered_at", "accepted_at", "decided_at", "transferred_at", "replied_at", "extension_days",
    "review_requested_at", "review_decided_at", "re_review_requested_at", "re_review_decided_at",
)
"""What `policy.deadlines` reads besides `raised_at` (of which only the local date counts)."""
STARTS = ("raised_at", "arrived_at", "registered_at", "accepted_at", "review_requested_at", "re_review_requested_at")
"""The dates an office step can start from: a step may fall due in a period only after one."""
READ_FIELDS = (
    "ref", "raised_at", "visit_id", "status", "category", "title", "demand", "people", "anonymous", "employee_no",
    "petitioner_name", "unit", "department", "assignee", "first_owner", "closed_at", "satisfaction", "extensions",
    *COUNTED_FLAGS, *DEADLINE_FIELDS,
)
"""Every value the facts are made from: a record's other fields are never read."""


class MatterFacts(NamedTuple):
    """A tuple: made by the hundred thousand when the facts' file is read, so made cheaply."""

    id: str
    ref: str
    status: str
    """`recorded` when not set."""
    raised_at: str
    """As written (repeat suggestions order by it); "" when not set."""
    raised: str | None
    """Its local date (ISO), None when it is not a date."""
    category: str
    visit_id: str
    counted: tuple[str, ...]
    """The flags the statistics count (`COUNTED_FLAGS`), `collective` also for 5 people or more."""
    closed: str | None
    replied: str | None
    ended: str | None
    """The day the matter stopped waiting on any deadline: for a closed, withdrawn, not-accepted
    or transferred matter its date ("" when not known: taken as long ago), else None."""
    rating: str | None
    """The rating that counts (`followups.effective_rating`), None when not rated."""
    face_to_face: bool
    starts: tuple[str, ...]
    """The local dates of `STARTS` that are set."""
    dates: tuple
    """The local date of `raised_at` and `DEADLINE_FIELDS`, as `policy.deadlines` reads them:
    matters with the same dates share their deadlines."""
    title: str
    department: str
    assignee: str
    first_owner: str
    marked: bool
    """Already linked as a repeat."""
    persons: tuple[tuple, ...]
    """Who raised it, for repeat suggestions: employee number, name in unit."""
    text: str
    """Title and demand, for repeat suggestions."""
    tally: tuple
    """(category, visit id, status, month raised, counted flags): what a matter raised in a
    period adds to its breakdowns; counted once per distinct tuple."""
    deadline_key: tuple
    """(dates, ended): all a matter's deadline figures for a period depend on."""

    def deadline_input(self) -> dict[str, Any]:
        """What `policy.deadlines` is given for this matter."""
        return dict(zip(("raised_at", *DEADLINE_FIELDS), self.dates))


MADE_AGAIN = ("tally", "deadline_key")
"""Made again from the other fields when facts are read back (`from_stored`), never kept."""
STORED = tuple(name for name in MatterFacts._fields if name not in MADE_AGAIN)
"""A matter's facts as kept outside memory (the facts' file by column, a database's `facts`
column as a JSON list), in this order."""


def _nested_tuple(value: list[list[Any]]) -> tuple[tuple[Any, ...], ...]:
    return tuple(map(tuple, value))


TUPLED: dict[str, Callable[[Any], Any]] = {"counted": tuple, "starts": tuple, "dates": tuple, "persons": _nested_tuple}
"""The fields that are tuples, and how to make them of the lists JSON gives back."""


def stored(matter: MatterFacts) -> list[Any]:
    """A matter's facts as kept (`STORED`): JSON-ready."""
    return list(matter[: len(STORED)])


def from_stored(values: list[Any], shared: Callable[[Any], Any]) -> MatterFacts:
    """A matter's facts from what `stored` kept (read back from JSON), the strings and tuples
    many matters share held once. Unpacked by position (`STORED`'s order): a three-year report
    over a database reads a million of them."""
    (
        id_, ref, status, raised_at, raised, category, visit_id, counted, closed, replied, ended, rating, face_to_face,
        starts, dates, title, department, assignee, first_owner, marked, persons, text,
    ) = values
    status, raised, category, visit_id = shared(status), shared(raised), shared(category), shared(visit_id)
    counted, dates, ended = shared(tuple(counted)), shared(tuple(dates)), shared(ended)
    return MatterFacts(
        id_, ref, status, raised_at, raised, category, visit_id, counted, shared(closed), shared(replied), ended, rating, face_to_face,
        shared(tuple(starts)), dates, title, shared(department), shared(assignee), shared(first_owner), marked, _nested_tuple(persons), text,
        shared((category, visit_id, status, raised[:7] if raised else None, counted)), shared((dates, ended)),
    )


class Shared(dict):
    """One copy of each equal value (dates, categories, sites, names): 100,000 matters share a
    few thousand of them."""

    def __call__(self, value: Any) -> Any:
        if value is None or isinstance(value, bool):
            return value
        try:
            return self.setdefault(value, value)
        except TypeError:  # a list or a dict where a plain value belongs: kept as it is
            return value


def facts_of(issue: dict[str, Any], shared: Callable[[Any], Any] | None = None) -> MatterFacts:
    """The facts of one matter from its values: `followups.rated_values(record)` (the dates its
    history fixes, the rating that counts) or the same keys in a script's or a test's dict."""
    share = shared or Shared()
    get = issue.get
    status = get("status") or "recorded"
    raised_at = get("raised_at")
    closed = _day(get("closed_at"))
    ended = None
    if status in CLOSED_STATUSES:
        ended = (closed if status == "closed" else _day(get("decided_at"))) or ""
    counted = tuple(flag for flag in COUNTED_FLAGS if get(flag))
    people = get("people")
    if not get("collective") and isinstance(people, int) and people >= model.COLLECTIVE_SIZE:
        counted = tuple(flag for flag in COUNTED_FLAGS if flag in counted or flag == "collective")
    rating = get("satisfaction")
    rating = rating if rating in SATISFACTION else None
    starts = tuple(share(value[:10]) for value in map(get, STARTS) if isinstance(value, str))
    dates = share((share(raised_at[:10] if isinstance(raised_at, str) else raised_at), *map(share, map(get, DEADLINE_FIELDS))))
    raised = share(_day(raised_at))
    category = share(get("category") or "other")
    visit_id = share(get("visit_id") or "")
    status = share(status)
    counted = share(counted)
    ended = share(ended)
    return MatterFacts(
        id=issue["id"],
        ref=get("ref") or "",
        status=status,
        raised_at=raised_at or "",
        raised=raised,
        category=category,
        visit_id=visit_id,
        counted=counted,
        closed=share(closed),
        replied=share(_day(get("replied_at"))),
        ended=ended,
        rating=rating,
        face_to_face=bool(rating and get("satisfaction_face_to_face")),
        starts=share(starts),
        dates=dates,
        title=get("title") or "",
        department=share(get("department") or ""),
        assignee=share(get("assignee") or ""),
        first_owner=share(get("first_owner") or ""),
        marked=bool(get("repeat")),
        persons=_person_keys(issue),
        text=f"{get('title', '')}{get('demand', '')}",
        tally=share((category, visit_id, status, raised[:7] if raised else None, counted)),
        deadline_key=share((dates, ended)),
    )


def record_facts(record: Record, shared: Callable[[Any], Any] | None = None) -> MatterFacts:
    """The facts of a stored matter: its values, the dates its history fixes and the rating that
    counts, as `followups.rated_values` gives them, reading only the fields the facts need."""
    registers = record["fields"]
    issue: dict[str, Any] = {name: registers[name]["value"] for name in READ_FIELDS if name in registers}
    issue["id"] = record["id"]
    issue.update(history_dates(record, issue.get("decided_at")))
    rating = effective_rating(record)
    if rating is None:
        issue.pop("satisfaction", None)
    else:
        issue["satisfaction"] = rating.level
        issue["satisfaction_face_to_face"] = rating.source == "face_to_face"
    return facts_of(issue, shared)


def store_facts(store: Store, shared: Callable[[Any], Any] | None = None) -> Iterable[MatterFacts]:
    """Every matter's facts, each record parsed, read and let go in turn."""
    share = shared or Shared()
    return (record_facts(record, share) for record in store.records(ISSUES))


def store_sites(store: Store) -> dict[str, str]:
    """Each visit's site, by visit id."""
    return {visit["id"]: (visit["fields"].get("site") or {}).get("value") or "" for visit in store.records(VISITS)}


def visit_sites(visits: Iterable[dict[str, Any]]) -> dict[str, str]:
    """The same from plain visit values."""
    return {visit.get("id"): visit.get("site") or "" for visit in visits}


class FactsIndex:
    """The facts of every matter in a store and each visit's site, kept in step with its writes.

    `ready()` takes them from `cache` (`office.facts_cache`) when it was written for the store as
    it is now, else builds them from the store (seconds on 100,000 matters: call it from a
    thread), and returns them; writes made meanwhile are read again once that is done, so none
    is lost. `save()` writes them to the cache for the next start, report or import."""

    def __init__(self, store: Store, cache: Any = None):
        self.store = store
        self.cache = cache
        self.version = 0
        self.saved_version: int | None = None
        self._facts: dict[str, MatterFacts] | None = None
        self._sites: dict[str, str] = {}
        self._shared = Shared()
        self._lock = threading.RLock()
        self._building = threading.Lock()
        self._written_meanwhile: set[str] | None = None
        self._repeats: Any = None
        store.subscribe(self._written)

    @property
    def built(self) -> bool:
        return self._facts is not None

    def ready(self) -> tuple[list[MatterFacts], dict[str, str]]:
        """(every matter's facts, each visit's site), read or built first if need be."""
        with self._building:
            if self._facts is None and not self._from_cache():
                self._build()
        with self._lock:
            return list(self._facts.values()), dict(self._sites)

    def figures(self, start: dt.date, end: dt.date, policy: Any, today: dt.date | None = None, site: str | None = None, late: list | None = None) -> Any:
        """The period's figures (`stats.period_figures`, at `site` when one is given) from every
        matter's facts; with `late`, the overdue added to it with their steps."""
        # imported when first needed: the index is made before any figure is asked for
        from fieldvisit.office.stats import at_site, period_figures

        matters, sites = at_site(*self.ready(), site)
        return period_figures(matters, sites, start, end, policy, today, late=late)

    def repeat_index(self) -> Any:
        """The facts in the order repeat suggestions walk them (`repeats.RepeatIndex`), made
        once and kept in step with the writes that leave a matter where it is."""
        # imported when first needed: statistics and reports do without it
        from fieldvisit.office.repeats import RepeatIndex

        matters, _sites = self.ready()
        with self._lock:
            if self._repeats is None:
                self._repeats = RepeatIndex(matters)
            return self._repeats

    def open_cached(self) -> bool:
        """Take the facts from the cache only: whether it fitted the store (nothing is built)."""
        with self._building:
            return self._facts is not None or self._from_cache()

    def save(self) -> None:
        """Write the facts to the cache, for the store as it is now (after its last write)."""
        with self._lock:
            if self.cache is None or self._facts is None or self.saved_version == self.version:
                return
            self.cache.save(self.store, list(self._facts.values()), self._sites)
            self.saved_version = self.version

    def _from_cache(self) -> bool:
        if self.cache is None:
            return False
        with self._lock:
            self._written_meanwhile = set()
        found = self.cache.load(self.store)
        if found is None:
            with self._lock:
                self._written_meanwhile = None
            return False
        self._take(*found)
        self.saved_version = self.version
        return True

    def _build(self) -> None:
        with self._lock:
            self._written_meanwhile = set()
        with collector_paused():
            sites = store_sites(self.store)
            facts = list(store_facts(self.store, self._shared))
        self._take(facts, sites)

    def _take(self, facts: list[MatterFacts], sites: dict[str, str]) -> None:
        by_id = {item.id: item for item in facts}
        with self._lock:
            again, self._written_meanwhile = self._written_meanwhile or set(), None
            self._sites = {**sites, **self._sites}
            for issue_id in again:
                record = self.store.get(ISSUES, issue_id)
                if record is not None:
                    by_id[issue_id] = record_facts(record, self._shared)
            self._facts = by_id
            self._repeats = None
            self.version += 1

    def _written(self, written: dict[str, list[Record]]) -> None:
        with self._lock:
            for visit in written.get(VISITS, ()):
                self._sites[visit["id"]] = (visit["fields"].get("site") or {}).get("value") or ""
            issues = written.get(ISSUES, ())
            if self._written_meanwhile is not None:
                self._written_meanwhile.update(record["id"] for record in issues)
            if self._facts is not None:
                for record in issues:
                    found = self._facts[record["id"]] = record_facts(record, self._shared)
                    if self._repeats is not None and not self._repeats.replace(found):
                        self._repeats = None  # made again when next asked
            self.version += 1


@contextmanager
def facts_kept_in_step(store: Store, cache: Any) -> Iterator[None]:
    """Writes made outside the office app (`fieldvisit import`, `office devices`) keep the facts
    cache valid, as `register.cache_kept_in_step` keeps the register's: with no valid cache
    there is nothing to keep."""
    index = FactsIndex(store, cache)
    if not index.open_cached():
        yield
        return
    before = index.version
    yield
    if index.version != before:
        save_once_compacted(store, index.save)


def _day(value: Any) -> str | None:
    """The ISO date at the head of a date or date-time string ("2026-11-15"), else None."""
    if isinstance(value, str) and len(value) >= 10 and value[4] == "-" and value[7] == "-":
        return value[:10]
    if isinstance(value, dt.date):
        return value.isoformat()[:10]
    return None


def _person_keys(issue: dict[str, Any]) -> tuple[tuple, ...]:
    """Who raised a matter: by employee number, and by name within the unit; none when anonymous."""
    if issue.get("anonymous"):
        return ()
    keys = []
    if issue.get("employee_no"):
        keys.append(("no", issue["employee_no"]))
    if issue.get("petitioner_name") and issue.get("unit"):
        keys.append(("name", issue["petitioner_name"], issue["unit"]))
    return tuple(keys)
