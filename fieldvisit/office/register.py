"""The office register's read side: every matter as a light row, filtered and searched fast.

Building a row means reading a record's registers, so rows are built once into a `RegisterIndex`
and kept in step by the store, which tells the index about every write (`Store.subscribe`); a
filter or a keystroke then only scans small rows, and the pages it produced are remembered until
the next write (backspace, or switching back to a saved filter, costs nothing). Rows are kept in
a cache file beside the store (`fieldvisit.office.register_cache`) so the office app shows them at once
and parses the store afterwards. Personal data is masked in rows (`fieldvisit.core.privacy`).
"""

from __future__ import annotations

import datetime as dt
import heapq
from collections import OrderedDict
from contextlib import contextmanager
from dataclasses import dataclass, field, fields, replace
from operator import attrgetter
from typing import Any
from collections.abc import Callable, Iterable, Iterator

from fieldvisit.locations.paths import Home
from fieldvisit.office import register_cache
from fieldvisit.office.followups import rating_level
from fieldvisit.office.upkeep import save_once_compacted
from fieldvisit.core.i18n import t
from fieldvisit.core.model import DEFAULT_CATEGORIES, FLAGS, STATUSES
from fieldvisit.office.policy import (
    DEFAULT_POLICY,
    Deadline,
    Policy,
    PolicyError,
    deadline_now,
    days_left,
    history_dates,
    is_due_soon,
)
from fieldvisit.core.privacy import mask_name
from fieldvisit.core.records import Record
from fieldvisit.stores.storage import collector_paused
from fieldvisit.stores.store import ISSUES, VISITS, Store
from fieldvisit.editing.views import SEARCHED_FIELDS

OPEN_STATUSES = ("recorded", "registered", "accepted", "in_progress", "replied", "review", "re_review")


@dataclass(slots=True)
class RegisterRow:
    id: str
    ref: str
    date: str
    site: str
    visit_id: str
    petitioner: str
    category: str
    title: str
    status: str
    owner: str
    department: str
    due: dt.date | None
    days_left: int | None
    flags: tuple[str, ...]
    urgency: str
    conflicts: int
    satisfaction: str
    haystack: str

    @property
    def overdue(self) -> bool:
        return self.days_left is not None and self.days_left < 0


@dataclass(frozen=True)
class RegisterFilter:
    text: str = ""
    status: str | None = None
    category: str | None = None
    site: str | None = None
    visit_id: str | None = None
    owner: str | None = None
    flags: tuple[str, ...] = ()
    date_from: str | None = None
    date_to: str | None = None
    overdue: bool = False
    due_within: int | None = None
    due_soon: bool = False
    """Due within the policy's `due_soon_days` (`policy.is_due_soon`): the index fills it in."""
    needs_review: bool = False
    unassigned: bool = False
    dissatisfied: bool = False

    def matches(self, row: RegisterRow, due_soon_days: int = DEFAULT_POLICY.due_soon_days) -> bool:
        return all(test(row) for test in self.tests(due_soon_days))

    def tests(self, due_soon_days: int = DEFAULT_POLICY.due_soon_days) -> list[Callable[[RegisterRow], bool]]:
        """One test per condition set, cheapest first: a selection applies each to the rows
        that passed the ones before, so a condition nobody set costs nothing. `due_soon_days`
        is the policy's, for `due_soon`."""
        tests: list[Callable[[RegisterRow], bool]] = []
        if self.status:
            tests.append(lambda row: row.status == self.status)
        if self.category:
            tests.append(lambda row: row.category == self.category)
        if self.site:
            tests.append(lambda row: row.site == self.site)
        if self.visit_id:
            tests.append(lambda row: row.visit_id == self.visit_id)
        if self.owner:
            tests.append(lambda row: self.owner in (row.owner, row.department))
        if self.flags:
            tests.append(lambda row: all(flag in row.flags for flag in self.flags))
        if self.date_from:
            tests.append(lambda row: row.date >= self.date_from)
        if self.date_to:
            tests.append(lambda row: row.date <= self.date_to)
        if self.overdue:
            tests.append(lambda row: row.days_left is not None and row.days_left < 0)
        if self.due_within is not None:
            tests.append(lambda row: is_due_soon(row.days_left, self.due_within))
        if self.due_soon:
            tests.append(lambda row: is_due_soon(row.days_left, due_soon_days))
        if self.needs_review:
            tests.append(lambda row: row.conflicts > 0)
        if self.unassigned:
            tests.append(lambda row: not row.owner and row.status in OPEN_STATUSES)
        if self.dissatisfied:
            tests.append(lambda row: row.satisfaction == "dissatisfied")
        for term in self.text.casefold().split():
            tests.append(lambda row, term=term: term in row.haystack)
        return tests


SAVED_FILTERS: dict[str, RegisterFilter] = {
    "all": RegisterFilter(),
    "overdue": RegisterFilter(overdue=True),
    "due_soon": RegisterFilter(due_soon=True),
    "needs_review": RegisterFilter(needs_review=True),
    "unassigned": RegisterFilter(unassigned=True),
    "collective": RegisterFilter(flags=("collective",)),
    "dissatisfied": RegisterFilter(dissatisfied=True),
}


_CATEGORY_ORDER = {code: number for number, code in enumerate(DEFAULT_CATEGORIES)}
_STATUS_ORDER = {code: number for number, code in enumerate(STATUSES)}
SORT_KEYS: dict[str, Callable[[RegisterRow], Any]] = {
    "due": lambda row: (row.days_left is None, row.days_left if row.days_left is not None else 0),
    "date": lambda row: row.date,
    "ref": lambda row: row.ref,
    "site": lambda row: row.site,
    "petitioner": lambda row: row.petitioner,
    "category": lambda row: _CATEGORY_ORDER.get(row.category, 99),
    "title": lambda row: row.title,
    "status": lambda row: _STATUS_ORDER.get(row.status, 99),
    "owner": lambda row: row.owner or row.department,  # as the register shows it: the department when no one is named
    "flags": lambda row: -len(row.flags),
}
"""How the register can be ordered, by column: every column it shows."""
_DAYS_LEFT = attrgetter("days_left")
HEAD = 256
"""Rows an order sorts at first: the screenful a keystroke shows and a few pages below it.
Reading past them sorts the whole selection, once (a full sort of 100,000 rows per keystroke
would cost more than the keystroke may)."""
REMEMBERED = 32
"""Selections and orders kept until the next write: a search typed and erased, saved filters."""


ROW_FIELDS = (
    "ref", "raised_at", "visit_id", "petitioner_name", "anonymous", "category", "title", "status",
    "assignee", "first_owner", "department", "urgency", "satisfaction",
    "registered_at", "accepted_at", "decided_at", "replied_at", "closed_at", "extension_days",
    "review_requested_at", "review_decided_at", "re_review_requested_at", "re_review_decided_at",
    *FLAGS, *SEARCHED_FIELDS,
)
"""The fields a row or its deadline needs: read straight from the registers, nothing else."""
DEADLINE_FIELDS = (
    "status", "registered_at", "arrived_at", "accepted_at", "decided_at", "transferred_at", "replied_at", "extension_days",
    "review_requested_at", "review_decided_at", "re_review_requested_at", "re_review_decided_at", "extensions",
)
"""What `policy.deadline_now` reads, besides `raised_at`, of which only the local date counts
(`arrived_at`, `decided_at` and `transferred_at` from the matter's history: `policy.history_dates`)."""


@dataclass
class RegisterIndex:
    """Rows for every matter, kept in step with the store: `follow()` subscribes to its writes."""

    store: Store
    policy: Policy = DEFAULT_POLICY
    today: dt.date = field(default_factory=dt.date.today)
    rows: dict[str, RegisterRow] = field(default_factory=dict)
    sites: dict[str, str] = field(default_factory=dict)
    version: int = 0
    _deadlines: dict[tuple, tuple] = field(default_factory=dict, repr=False)
    _due_days: dict[str, tuple[dt.date, int]] = field(default_factory=dict, repr=False)
    _selected: OrderedDict = field(default_factory=OrderedDict, repr=False)
    _orders: OrderedDict = field(default_factory=OrderedDict, repr=False)
    _watchers: list[Callable[[], None]] = field(default_factory=list, repr=False)
    _search_pending: tuple | None = field(default=None, repr=False)
    _saved: tuple | None = field(default=None, repr=False)
    """What the cache's rows file holds: its key, its rows (None where the delta gave the row) and
    the write generation it was taken at; the rows changed since go to the delta (`saving`)."""
    _generation: int = field(default=0, repr=False)
    _written_at: dict[str, int] = field(default_factory=dict, repr=False)
    """Matter ids → the generation of their last write (`_note_written`)."""
    _noting: bool = field(default=False, repr=False)
    cached_key: dict[str, Any] | None = field(default=None, repr=False)
    """The store's key the cache was last read or written for (None: no cache)."""

    def build(self) -> RegisterIndex:
        """All rows at once from the store. The garbage collector is held off meanwhile: on
        100,000 matters it would otherwise rescan the young objects over and over."""
        self._search_pending = self._saved = None
        with collector_paused():
            self.sites = {visit["id"]: (visit["fields"].get("site") or {}).get("value", "") for visit in self.store.records(VISITS)}
            self.rows = {record["id"]: self._row(record) for record in self.store.records(ISSUES)}
        self._changed()
        return self

    def open(self, cache: register_cache.RegisterCache | None, build: bool = True) -> bool:
        """Rows from `cache` when it was written for the store as it is now (True), else built
        from the store unless `build` is False (False; `save` then writes the cache). The search
        text follows from the cache's second file when first needed (`load_search`)."""
        names = tuple(item.name for item in fields(RegisterRow) if item.name not in register_cache.NOT_STORED)
        found = cache.load(self.store, names) if cache is not None else None
        if found is None:
            if build:
                self.build()
            return False
        self.sites, columns = found.sites, found.columns
        with collector_paused():
            dues = {due: self._days_left(due) if due else (None, None) for due in set(columns["due"])}
            flags: dict[tuple, tuple] = {}  # one tuple per distinct set of flags, shared by its rows
            columns["flags"] = [flags.setdefault(tuple(value), tuple(value)) for value in columns["flags"]]
            columns["due"], columns["days_left"] = zip(*map(dues.__getitem__, columns["due"])) if columns["due"] else ((), ())
            columns["haystack"] = [""] * len(columns["id"])
            loaded = list(map(RegisterRow, *(columns[item.name] for item in fields(RegisterRow))))
            self.rows = {row.id: row for row in loaded}
        for position, text in found.from_delta.items():
            loaded[position].haystack = text
        self._search_pending = (cache, found, loaded)
        self.cached_key = found.key
        self._saved = (found.base_key, [None if number in found.from_delta else row for number, row in enumerate(loaded[: found.base_count])], self._generation)
        self._note_writes()
        self._changed()
        return True

    def _note_writes(self) -> None:
        if not self._noting:
            self._noting = True
            self.store.subscribe(self._note_written)

    def _note_written(self, written: dict[str, list[Record]]) -> None:
        """Which matters changed since the cache's rows file (whatever thread writes): the delta
        holds their rows even if a row were updated in place rather than replaced."""
        self._generation += 1
        for record in written.get(ISSUES, ()):
            self._written_at[record["id"]] = self._generation

    def save(self, cache: register_cache.RegisterCache) -> None:
        """Write the rows to `cache`, for the store as it is now."""
        self.saving(cache)()

    def saving(self, cache: register_cache.RegisterCache, whole: bool | None = None) -> Callable[[], bool]:
        """The cache write for the rows and the store as they are now, to run here or in a thread
        (the rows and the store's key are taken now; the write encodes and writes them).

        Only the rows changed since the cache's rows file was written go out (its delta, small:
        the quick exit) unless `whole`; with `whole` None, every row once the delta would hold
        more than `register_cache.FOLD_SHARE` of them, or when there is no rows file to build on."""
        self._note_writes()
        key = cache.key(self.store)
        rows = list(self.rows.values())
        sites = dict(self.sites)
        self.cached_key = key
        generation = self._generation
        self._generation += 1  # writes noted from now on are after this snapshot
        if self._saved is not None and whole is not True:
            base_key, base_rows, since = self._saved
            written = {record_id for record_id, at in list(self._written_at.items()) if at > since}
            kept = len(base_rows)
            changed = [row for number, row in enumerate(rows) if number >= kept or base_rows[number] is not row or row.id in written]
            if self._search_pending is not None and any(number < kept and base_rows[number] is row for number, row in enumerate(rows) if row.id in written):
                self.load_search()  # a row changed in place may lack its search text: read it first
                return self.saving(cache, whole)
            if whole is False or len(changed) <= max(register_cache.FOLD_ROWS, register_cache.FOLD_SHARE * len(rows)):
                return lambda: cache.save_delta(key, base_key, changed, sites)
        self.load_search()  # every row's search text goes into the search file
        rows = list(self.rows.values())  # (`load_search` may have rebuilt them)

        def write() -> bool:
            written = cache.save(key, rows, sites)
            if written:
                self._saved = (key, rows, generation)  # the rows file now; the next delta builds on it
            return written

        return write

    @property
    def cache_delta_rows(self) -> int:
        """How many rows the cache's delta gave over its rows file when the index was opened."""
        if self._saved is None:
            return 0
        _key, base_rows, _since = self._saved
        return sum(1 for row in base_rows if row is None) + max(0, len(self.rows) - len(base_rows))

    def load_search(self) -> None:
        """The search text of rows that came from the cache (from the store if it is unusable)."""
        if self._search_pending is None:
            return
        cache, found, loaded = self._search_pending
        self._search_pending = None
        texts = cache.load_search(found.base_key, found.base_count)
        if texts is None:
            self.build()
            return
        for number, (row, text) in enumerate(zip(loaded, texts)):
            if number not in found.from_delta:
                row.haystack = text  # nothing searched before this, so nothing remembered to forget

    def follow(self, run: Callable[[Callable[[], None]], None] | None = None) -> RegisterIndex:
        """Refresh rows whenever the store is written, by anyone: officers' steps, imports.

        `run` runs the refresh where the index is read: an app hands over its own thread, since
        imports write from worker threads while the register is being searched."""
        if run is None:
            self.store.subscribe(self._written)
        else:
            self.store.subscribe(lambda written: run(lambda: self._written(written)))
        return self

    def refresh(self, *issue_ids: str) -> None:
        """Rebuild the rows of these matters from the store (those written elsewhere)."""
        for issue_id in issue_ids:
            record = self.store.get(ISSUES, issue_id)
            if record is not None:
                self.rows[issue_id] = self._row(record)
        self._changed()

    def _written(self, written: dict[str, list[Record]]) -> None:
        moved = set()
        for visit in written.get(VISITS, ()):
            site = (visit["fields"].get("site") or {}).get("value", "")
            if self.sites.get(visit["id"], site) != site:
                moved.add(visit["id"])
            self.sites[visit["id"]] = site
        for record in written.get(ISSUES, ()):
            self.rows[record["id"]] = self._row(record)
        if moved:  # a visit's site was corrected: its matters show and search the new name
            self.refresh(*(row.id for row in self.rows.values() if row.visit_id in moved))
        self._changed()

    def watch(self, changed: Callable[[], None]) -> Callable[[], None]:
        """Call `changed` after every change of the rows (a write followed, a rebuild), where the
        index is read; returns what stops it. The register shows the rows again then."""
        self._watchers.append(changed)
        return lambda: self._watchers.remove(changed) if changed in self._watchers else None

    def _changed(self) -> None:
        self.version += 1
        self._selected.clear()
        self._orders.clear()
        for changed in list(self._watchers):
            changed()

    def _deadline(self, issue: dict[str, Any]) -> tuple[Any, int | None]:
        """The open deadline and days left, computed once per distinct set of dates: matters
        raised the same day and at the same step share it (a few thousand sets in 100,000)."""
        key = tuple(str(issue.get(name) or "") for name in DEADLINE_FIELDS) + ((issue.get("raised_at") or "")[:10],)
        found = self._deadlines.get(key)
        if found is None:
            try:
                now = deadline_now(issue, self.policy, self.today)
            except PolicyError:  # one unreadable date must not hide the whole register
                found = self._deadlines[key] = (None, None)
            else:
                found = self._deadlines[key] = (now.deadline, now.days_left)
        return found

    def select(self, chosen: RegisterFilter) -> list[RegisterRow]:
        """Matching rows, remembered until the next write. Typing more of a search term only
        removes rows, so it searches within the remembered result it extends."""
        found = self._selected.get(chosen)
        if found is not None:
            self._selected.move_to_end(chosen)
            return found
        if chosen.text:
            self.load_search()
        found = self._narrowest(chosen)
        for test in chosen.tests(self.policy.due_soon_days):  # "due soon" as the policy says
            found = list(filter(test, found))
        found = found if isinstance(found, list) else list(found)
        _remember(self._selected, chosen, found)
        return found

    def _narrowest(self, chosen: RegisterFilter) -> Iterable[RegisterRow]:
        """The smallest remembered result that `chosen` can only narrow, else every row."""
        others = replace(chosen, text="")
        best: list[RegisterRow] | None = None
        for before, rows in self._selected.items():
            if before.text and chosen.text.startswith(before.text) and replace(before, text="") == others:
                if best is None or len(rows) < len(best):
                    best = rows
        return self.rows.values() if best is None else best

    def ordered(self, chosen: RegisterFilter, sort_key: str, reverse: bool) -> Ordering:
        """The matching rows in `sort_key` order (`reverse`: the other way round), remembered
        until the next write; sorted only as far as they are read (`Ordering`)."""
        key = (chosen, sort_key, reverse)
        found = self._orders.get(key)
        if found is None:
            found = Ordering(self.select(chosen), sort_key, reverse)
            _remember(self._orders, key, found)
        else:
            self._orders.move_to_end(key)
        return found

    def page(self, chosen: RegisterFilter, sort_key: str, reverse: bool, size: int) -> tuple[list[RegisterRow], int]:
        """The first `size` matching rows in `sort_key` order, and how many match in all."""
        found = self.ordered(chosen, sort_key, reverse)
        return found.window(0, size), len(found)

    def _days_left(self, due: str) -> tuple[dt.date, int]:
        """A cached row's due date and the days left to it today, once per distinct date."""
        found = self._due_days.get(due)
        if found is None:
            day = dt.date.fromisoformat(due)
            found = self._due_days[due] = (day, days_left(Deadline("", day, None), self.today, self.policy))
        return found

    def _row(self, record: Record) -> RegisterRow:
        return register_row(record, self.sites, self._deadline)

    # -- what the register screen asks of any register (`office.register_db` is the other) --

    uses_cache = True
    """Its rows are kept in the register cache between runs."""

    def in_background(self) -> Callable[[], None] | None:
        """Nothing to do in a thread once the first rows are shown (`load_search` runs here)."""
        return None

    def held_rows(self) -> Iterable[RegisterRow]:
        """Every row, held in memory: the screen measures its columns over them."""
        return self.rows.values()

    def total(self) -> tuple[int, bool]:
        """How many matters there are, and that the number is exact."""
        return len(self.rows), True

    def count_total(self) -> bool:
        """Nothing to count: the rows are all here (a database register counts, in a thread)."""
        return False

    def total_stale(self) -> bool:
        """Never: `total` is the rows held."""
        return False

    slow_counts = False
    """Counting every matter of a filter is a pass over rows in memory: the attention list counts
    where it is drawn (a database register counts in a thread)."""

    def section(self, chosen: RegisterFilter, open_only: bool, first: int) -> tuple[int, list[RegisterRow]]:
        """How many match `chosen` (`open_only`: not closed or withdrawn), and the `first` most
        pressing of them (the least time left, then by reference): an attention list's section."""
        rows = self.select(chosen)
        if open_only:
            rows = [row for row in rows if row.status not in CLOSED]
        return len(rows), heapq.nsmallest(first, rows, key=most_pressing)

    def rows_of(self, row_ids: Iterable[str]) -> dict[str, RegisterRow]:
        """The rows of these matters that there are, by id."""
        return {row_id: self.rows[row_id] for row_id in row_ids if row_id in self.rows}


CLOSED = ("closed", "withdrawn")
"""Statuses an attention list's sections (all but "dissatisfied") leave out: nothing is owed."""


def most_pressing(row: RegisterRow) -> tuple[int, str]:
    """The attention list's order: the least time left first (no deadline last), then by reference."""
    return (row.days_left if row.days_left is not None else 9999, row.ref)


def register_row(record: Record, sites: dict[str, str], deadline: Callable[[dict[str, Any]], tuple[Any, int | None]]) -> RegisterRow:
    """A matter's row: what the register shows of it, masked, with its search text. `deadline`
    gives the open step (with its `due`) and the days left to it from the matter's values."""
    registers = record["fields"]
    issue: dict[str, Any] = {name: registers[name]["value"] for name in ROW_FIELDS if name in registers}
    issue.update(history_dates(record, issue.get("decided_at")))
    open_step, left = deadline(issue)
    site = sites.get(issue.get("visit_id", ""), "")
    haystack = "\n".join([site, *(str(issue[key]) for key in SEARCHED_FIELDS if key in issue)]).casefold()
    return RegisterRow(
        id=record["id"],
        ref=issue.get("ref", ""),
        date=(issue.get("raised_at") or "")[:10],
        site=site,
        visit_id=issue.get("visit_id", ""),
        petitioner="匿名" if issue.get("anonymous") else mask_name(issue.get("petitioner_name", "")),
        category=issue.get("category", "other"),
        title=issue.get("title", ""),
        status=issue.get("status", "recorded"),
        owner=issue.get("assignee") or issue.get("first_owner") or "",
        department=issue.get("department", ""),
        due=open_step.due if open_step else None,
        days_left=left,
        flags=tuple(flag for flag in FLAGS if issue.get(flag)),
        urgency=issue.get("urgency", "normal"),
        conflicts=len(record.get("conflicts", ())),
        satisfaction=rating_level(record),  # a rating heard face to face counts, as in the statistics
        haystack=haystack,
    )


@contextmanager
def cache_kept_in_step(store: Store, home: Home, policy: Policy) -> Iterator[None]:
    """Writes made outside the office app (`fieldvisit import`, `office devices`) keep the app's
    register cache valid: the rows it holds follow the writes and are saved after them, so the
    next start is not the slow one. With no valid cache there is nothing to keep."""
    cache = register_cache.RegisterCache.of(home, policy)
    index = RegisterIndex(store, policy)
    if not index.open(cache, build=False):
        yield
        return
    index.follow()
    before = index.version
    yield
    if index.version != before:
        save_once_compacted(store, lambda: index.save(cache))


class Ordering:
    """The rows of one selection in one order, as the register pages through them.

    A keystroke shows only the first screenful, so at first only the first `HEAD` rows are
    picked (a heap pass over the selection); a row further down (paging on, the last row, where
    a matter moved to) sorts the whole selection once, kept for every later read. Either way the
    order is that of `sorted(rows, key=SORT_KEYS[sort_key], reverse=reverse)`: ties keep the
    selection's order, so pages read early and late agree."""

    exact = True
    """Its length is the number of matching rows (a database register's may be an estimate)."""
    at_least = False
    counted = True
    """Nothing is left to count (`count_now`)."""

    def __init__(self, rows: list[RegisterRow], sort_key: str, reverse: bool) -> None:
        self.rows, self.sort_key, self.reverse = rows, sort_key, reverse
        self._head: list[RegisterRow] | None = None
        self._all: list[RegisterRow] | None = None
        self._ids: list[str] | None = None

    def __len__(self) -> int:
        return len(self.rows)

    def window(self, start: int, stop: int) -> list[RegisterRow]:
        """Rows `start` to `stop` (not included) of the order; fewer near the end."""
        start, stop = max(0, start), min(stop, len(self.rows))
        if start >= stop:
            return []
        if self._all is None and stop <= HEAD:
            if self._head is None:
                self._head = _sorted(self.rows, self.sort_key, self.reverse, HEAD)
            return self._head[start:stop]
        return self.all()[start:stop]

    def count_now(self) -> bool:
        """Nothing to count: every matching row is here."""
        return False

    def all(self) -> list[RegisterRow]:
        """Every row, in order (what an export writes)."""
        if self._all is None:
            self._all = self._head = _sorted(self.rows, self.sort_key, self.reverse)
        return self._all

    def position(self, row_id: str) -> int | None:
        """Where the matter `row_id` is in the order, None when it is not in the selection."""
        if self._all is None and self._head is not None:
            for number, row in enumerate(self._head):
                if row.id == row_id:
                    return number
            if len(self._head) == len(self.rows):
                return None
        if self._ids is None:
            self._ids = [row.id for row in self.all()]
        try:
            return self._ids.index(row_id)
        except ValueError:
            return None


def _sorted(rows: list[RegisterRow], sort_key: str, reverse: bool, size: int | None = None) -> list[RegisterRow]:
    """`sorted(rows, key=SORT_KEYS[sort_key], reverse=reverse)`, or its first `size` rows."""
    if sort_key == "due":  # the default order: by the plain number where there is one, the undated last
        dated = [row for row in rows if row.days_left is not None]
        undated = [row for row in rows if row.days_left is None]
        if size is None:
            dated.sort(key=_DAYS_LEFT, reverse=reverse)
        else:
            dated = (heapq.nlargest if reverse else heapq.nsmallest)(size, dated, key=_DAYS_LEFT)
        return (undated + dated if reverse else dated + undated)[:size]
    if size is None:
        return sorted(rows, key=SORT_KEYS[sort_key], reverse=reverse)
    return (heapq.nlargest if reverse else heapq.nsmallest)(size, rows, key=SORT_KEYS[sort_key])


def _remember(memory: OrderedDict, key: Any, value: Any) -> None:
    memory[key] = value
    if len(memory) > REMEMBERED:
        memory.popitem(last=False)


def due_label(days: int | None, none: str = "—") -> str:
    """"3 d left" / "5 d overdue", as the register and the attention list show time left."""
    if days is None:
        return none
    return t("register.overdue_by", days=-days) if days < 0 else t("register.days_left", days=days)
