"""The office register over a database that filters, sorts and pages matters itself (issue 16 §4).

`RegisterIndex` holds a row for every matter, which is right for the JSON store (100,000 matters
in memory, a keystroke a filter pass) but not for a million in PostgreSQL: the office app would
read them all at open and hold them. `DatabaseRegister` answers the register screen's same
questions — the rows of a window of one filter in one order, how many match, where a matter
is — by asking the store (`PostgresStore.register_page`, `register_count`, `register_position`),
and holds only the visits' sites and the pages it was asked for, until the next write.

Deadlines are computed in Python (`office.policy`: working days, holidays), so the database
cannot compute them; the store is given `DerivedColumns`, which computes a matter's open step,
its due date and its rating whenever the matter is written, and keeps them in columns
(`postgres.DERIVED`). "Overdue" is then `due < today` and "due soon" a range of due dates, with
today a parameter: nothing stored goes stale as days pass. When the policy changes, `init-db`
computes them again (`refresh_derived`).

`register_for` chooses between the two by what the store offers (`Store.pages_matters`).
"""

from __future__ import annotations

import datetime as dt
import hashlib
from collections import OrderedDict
from dataclasses import asdict, replace
from typing import Any
from collections.abc import Callable, Iterable

from fieldvisit.core.privacy import mask_name
from fieldvisit.core.records import Record
from fieldvisit.office.facts_db import fact_columns
from fieldvisit.office.followups import rating_level
from fieldvisit.office.policy import DEFAULT_POLICY, Deadline, Policy, PolicyError, current_deadline, days_left, history_dates
from fieldvisit.office.register import CLOSED, OPEN_STATUSES, ROW_FIELDS, RegisterFilter, RegisterIndex, RegisterRow, most_pressing, register_row
from fieldvisit.office import register_cache
from fieldvisit.stores.queries import MatterQuery
from fieldvisit.stores.store import ISSUES, VISITS, Store

BLOCK = 50
"""Rows asked of the database at once: a screenful and more (a first page walks the order's
index until it has found them: the fewer, the sooner a keystroke's rows are shown)."""
COUNT_LIMIT = 10_000
"""A filter's matches are counted exactly up to this many; more are shown as "10,000+"."""
REMEMBERED = 32
"""Orderings kept until the next write: a search typed and erased costs nothing the second time."""
DERIVED_VERSION = 4
"""Changes when the way the derived columns are computed changes: `init-db` computes them again."""


class DerivedColumns:
    """What the database keeps of a matter beside its document (`postgres.DERIVED`), computed as
    the JSON register computes its rows (`register.register_row`): the open step and its due date
    (`policy.current_deadline`), the rating that counts (`followups.rating_level`), the owner,
    and the owner, petitioner (masked) and title as the register shows and sorts them; and
    the matter's facts, for statistics and repeats (`facts_db.fact_columns`)."""

    def __init__(self, policy: Policy = DEFAULT_POLICY) -> None:
        self.policy = policy
        self._steps: dict[tuple, tuple[str | None, str]] = {}

    @property
    def key(self) -> str:
        """Names the policy and this computation: stored beside the columns, so that `init-db`
        knows when they were computed otherwise."""
        values = {name: value for name, value in asdict(self.policy).items() if name not in ("office_name", "due_soon_days")}
        return f"{DERIVED_VERSION}:" + hashlib.sha256(repr(sorted(values.items())).encode()).hexdigest()[:16]

    def __call__(self, record: Record) -> dict[str, Any]:
        registers = record.get("fields") or {}
        issue: dict[str, Any] = {name: registers[name]["value"] for name in ROW_FIELDS if name in registers}
        issue.update(history_dates(record, issue.get("decided_at")))
        key = tuple(sorted((name, str(value)) for name, value in issue.items() if name in _DEADLINE_NAMES))
        found = self._steps.get(key)
        if found is None:
            try:
                deadline = current_deadline(issue, self.policy)
            except PolicyError:  # one unreadable date must not stop the write: no deadline shown, as in the JSON register
                deadline = None
            found = (deadline.due.isoformat(), deadline.step) if deadline is not None else (None, "")
            if len(self._steps) > 100_000:
                self._steps.clear()
            self._steps[key] = found
        owner = issue.get("assignee") or issue.get("first_owner") or ""
        name = (issue.get("petitioner_name") or "").strip()
        return {
            "due": found[0],
            "due_step": found[1],
            "rating": rating_level(record),
            "owner": owner,
            "owner_shown": owner or issue.get("department") or "",
            "petitioner": "匿名" if issue.get("anonymous") else mask_name(name),
            "title": issue.get("title") or "",
            **fact_columns(record),
        }


_DEADLINE_NAMES = frozenset(
    (
        "status", "raised_at", "registered_at", "arrived_at", "accepted_at", "decided_at", "transferred_at", "replied_at", "extension_days",
        "review_requested_at", "review_decided_at", "re_review_requested_at", "re_review_decided_at", "extensions",
    )
)
"""What `policy.current_deadline` reads of a matter."""


def refresh_derived(store: Store, policy: Policy) -> int:
    """Bring the database's derived columns up to `policy` (run by `init-db`): every matter's
    again when they were computed with another policy (or never: schema 2 upgraded), else those
    a writer without the policy left out. How many were computed."""
    derive = DerivedColumns(policy)
    if store.derived_policy() != derive.key:
        done = store.derive_all(derive)
    else:
        done = store.derive_missing(derive)
    store.set_derived_policy(derive.key)
    return done


def keep_derived(store: Store, policy: Policy) -> None:
    """Have `store` compute the derived columns of what it writes, if it keeps any."""
    if store.pages_matters:
        store.derive_with(DerivedColumns(policy))


def register_for(store: Store, policy: Policy, today: dt.date) -> Any:
    """The register the office app shows: the database's own questions when the store pages
    matters itself, else every row in memory (`RegisterIndex`, then `open`ed from its cache)."""
    if store.pages_matters:
        return DatabaseRegister(store, policy, today)
    return RegisterIndex(store, policy, today)


class DatabaseRegister:
    """The register's questions asked of the database: see the module docstring."""

    uses_cache = False
    cache_delta_rows = 0
    cached_key = None

    def __init__(self, store: Store, policy: Policy = DEFAULT_POLICY, today: dt.date | None = None) -> None:
        self.store, self.policy = store, policy
        self.today = today or dt.date.today()
        self.version = 0
        self.sites: dict[str, str] = store.visit_sites()
        self._watchers: list[Callable[[], None]] = []
        self._orders: OrderedDict = OrderedDict()
        self._total: tuple[int, bool] = (store.register_estimate(_EVERYTHING), False)
        self._total_version = -1
        self.derived = DerivedColumns(policy)
        store.derive_with(self.derived)
        self._run: Callable[[Callable[[], None]], None] = lambda action: action()

    # -- kept in step with the store ----------------------------------------------------

    def follow(self, run: Callable[[Callable[[], None]], None] | None = None) -> DatabaseRegister:
        """Ask again after every write, this officer's or another's (heard through the store)."""
        self._run = run or (lambda action: action())
        if run is None:
            self.store.subscribe(self._written)
        else:
            self.store.subscribe(lambda written: run(lambda: self._written(written)))
        return self

    def _written(self, written: dict[str, list[Record]]) -> None:
        for visit in written.get(VISITS, ()):
            self.sites[visit["id"]] = (visit["fields"].get("site") or {}).get("value", "")
        if written.get(ISSUES) or written.get(VISITS):
            self._changed()

    def refresh(self, *issue_ids: str) -> None:
        self._changed()

    def watch(self, changed: Callable[[], None]) -> Callable[[], None]:
        """As `RegisterIndex.watch`: `changed` is called after every write followed."""
        self._watchers.append(changed)
        return lambda: self._watchers.remove(changed) if changed in self._watchers else None

    def _changed(self) -> None:
        self.version += 1
        self._orders.clear()
        for changed in list(self._watchers):
            changed()

    # -- what the screen asks ------------------------------------------------------------

    def in_background(self) -> Callable[[], None] | None:
        """What to do in a thread once the first rows are shown: compute the deadlines of
        matters written without the policy (`derive_missing`; none, usually), then show them."""

        def derive() -> None:
            if self.store.derive_missing(self.derived):
                self._run(self._changed)

        return derive

    def open(self, cache: register_cache.RegisterCache | None, build: bool = True) -> bool:
        """False: no cache is kept of a register the database answers (`RegisterIndex.open`)."""
        return False

    def held_rows(self) -> None:
        """None: no row is held (the table widens its columns as it draws rows)."""
        return None

    def load_search(self) -> None:
        """Nothing to load: the database searches."""

    def total(self) -> tuple[int, bool]:
        """How many matters there are, and whether that is counted (else the planner's estimate)."""
        return self._total

    def total_stale(self) -> bool:
        """Written since the matters were counted (or never counted): `count_total` again."""
        return self._total_version != self.version

    def count_total(self) -> bool:
        """Count every matter (in a thread: an index-only scan, a fraction of a second at a
        million); True if the number changed."""
        if not self.total_stale():
            return False
        version = self.version
        counted = (self.store.register_count(_EVERYTHING), True)
        changed = counted != self._total
        self._total, self._total_version = counted, version
        return changed

    def query(self, chosen: RegisterFilter) -> MatterQuery:
        """`chosen` in the database's terms (`postgres.MatterQuery`)."""
        visit_ids: set[str] | None = None
        if chosen.site:
            visit_ids = {visit_id for visit_id, site in self.sites.items() if site == chosen.site}
        if chosen.visit_id:
            visit_ids = {chosen.visit_id} if visit_ids is None else visit_ids & {chosen.visit_id}
        due_from = due_to = None
        for within in (chosen.due_within, self.policy.due_soon_days if chosen.due_soon else None):
            if within is not None:
                due_from, due_to = self.today, min(due_to or dt.date.max, self._last_due_within(within))
        return MatterQuery(
            terms=tuple((term, tuple(visit for visit, site in self.sites.items() if term in site.casefold())) for term in chosen.text.casefold().split()),
            status=chosen.status,
            category=chosen.category,
            visit_ids=None if visit_ids is None else tuple(sorted(visit_ids)),
            flags=tuple(chosen.flags),
            owner=chosen.owner,
            unassigned_in=OPEN_STATUSES if chosen.unassigned else None,
            raised_from=chosen.date_from,
            raised_to=chosen.date_to,
            due_before=self.today if chosen.overdue else None,
            due_from=due_from,
            due_to=due_to,
            conflicts=chosen.needs_review,
            rating="dissatisfied" if chosen.dissatisfied else None,
        )

    def _last_due_within(self, within: int) -> dt.date:
        """The last due date at most `within` days from today as the policy counts days
        (`policy.is_due_soon`: working days skip weekends and holidays)."""
        day = self.today
        for _ in range(within * 3 + 40):
            after = day + dt.timedelta(days=1)
            if self._days_left(after) > within:
                break
            day = after
        return day

    def _days_left(self, due: dt.date) -> int:
        return days_left(Deadline("", due, None), self.today, self.policy)

    def ordered(self, chosen: RegisterFilter, sort_key: str, reverse: bool) -> DatabaseOrdering:
        """The matching matters in `sort_key` order, as the database pages them; remembered until
        the next write."""
        key = (chosen, sort_key, reverse)
        found = self._orders.get(key)
        if found is None:
            found = self._orders[key] = DatabaseOrdering(self, self.query(chosen), sort_key, reverse)
            if len(self._orders) > REMEMBERED:
                self._orders.popitem(last=False)
        else:
            self._orders.move_to_end(key)
        return found

    slow_counts = True
    """Counting a filter's matches is a query that may read many rows (seconds at a million for a
    filter no index serves): the attention list counts in a thread."""

    def section(self, chosen: RegisterFilter, open_only: bool, first: int) -> tuple[int, list[RegisterRow]]:
        """As `RegisterIndex.section`, in the database: counted exactly, the first by due date
        (ties by id rather than reference)."""
        query = self.query(chosen)
        if open_only:
            query = replace(query, not_statuses=CLOSED)
        count = self.store.register_count(query)
        pairs = self.store.register_page(query, "due", False, first)
        return count, sorted((self.row(record, due) for record, due in pairs), key=most_pressing)

    def rows_of(self, row_ids: Iterable[str]) -> dict[str, RegisterRow]:
        return {row.id: row for row in (self.row(record, due) for record, due in self.store.register_rows(row_ids))}

    def select(self, chosen: RegisterFilter) -> list[RegisterRow]:
        """Every matching row (an export; the attention list's sections), in the register's order."""
        return self.ordered(chosen, "due", False).all()

    def page(self, chosen: RegisterFilter, sort_key: str, reverse: bool, size: int) -> tuple[list[RegisterRow], int]:
        found = self.ordered(chosen, sort_key, reverse)
        if size >= len(found):
            rows = found.all()
            return rows, len(rows)
        return found.window(0, size), len(found)

    def row(self, record: Record, due: dt.date | None) -> RegisterRow:
        """A matter's row with the due date the database holds (so that what is shown is what
        is sorted and filtered on)."""
        left = None if due is None else self._days_left(due)
        return register_row(record, self.sites, lambda _issue: (Deadline("", due, None) if due is not None else None, left))


_EVERYTHING = MatterQuery()


class DatabaseOrdering:
    """The matters of one filter in one order, read from the database a block at a time.

    Its length is the count when known: exact when the first block is not full, else the
    planner's estimate until `count_now` (in a thread) has counted up to `COUNT_LIMIT` — beyond
    which it says "at least". Rows in the second half are read from the end (the reverse order,
    offset from its start), so End and the last pages cost as little as Home and the first."""

    def __init__(self, register: DatabaseRegister, query: MatterQuery, sort_key: str, reverse: bool) -> None:
        self.register, self.query, self.sort_key, self.reverse = register, query, sort_key, reverse
        self.version = register.version
        self._blocks: dict[tuple[bool, int], list[RegisterRow]] = {}
        first = self._block(False, 0)
        self.at_least = False
        if len(first) < BLOCK:
            self._count, self.exact = len(first), True
        elif query == _EVERYTHING:
            self._count, self.exact = register.total()
        else:
            self._count, self.exact = max(BLOCK + 1, register.store.register_estimate(query)), False
        self.counted = self.exact

    def __len__(self) -> int:
        return self._count

    def count_now(self) -> bool:
        """Count the matches, exactly up to `COUNT_LIMIT` (all of them when nothing is filtered);
        True if the length changed. Runs in a thread: it touches only this ordering's count."""
        if self.counted:
            return False
        before = self._count
        if self.query == _EVERYTHING:
            self.register.count_total()
            self._count, self.exact = self.register.total()
        else:
            found = self.register.store.register_count(self.query, COUNT_LIMIT)
            if found < COUNT_LIMIT:
                self._count, self.exact = found, True
            else:
                self._count, self.exact, self.at_least = max(self._count, COUNT_LIMIT), False, True
        self.counted = True
        self._blocks = {key: rows for key, rows in self._blocks.items() if not key[0]}  # rows from the end sit elsewhere now
        return self._count != before

    def _block(self, from_end: bool, number: int) -> list[RegisterRow]:
        found = self._blocks.get((from_end, number))
        if found is None:
            register = self.register
            pairs = register.store.register_page(self.query, _ORDER_NAMES[self.sort_key], self.reverse != from_end, BLOCK, number * BLOCK)
            found = self._blocks[(from_end, number)] = [register.row(record, due) for record, due in pairs]
        return found

    def _from_end(self, index: int) -> bool:
        return self._count > 2 * BLOCK and index >= self._count // 2

    def _at(self, index: int) -> RegisterRow | None:
        if self._from_end(index):
            back = self._count - 1 - index
            rows = self._block(True, back // BLOCK)
            return rows[back % BLOCK] if back % BLOCK < len(rows) else None
        rows = self._block(False, index // BLOCK)
        return rows[index % BLOCK] if index % BLOCK < len(rows) else None

    def window(self, start: int, stop: int) -> list[RegisterRow]:
        start, stop = max(0, start), min(stop, self._count)
        found = (self._at(index) for index in range(start, stop))
        return [row for row in found if row is not None]

    def all(self) -> list[RegisterRow]:
        """Every matching row in order (an export): read through, page by page."""
        rows: list[RegisterRow] = []
        store, register = self.register.store, self.register
        while True:
            pairs = store.register_page(self.query, _ORDER_NAMES[self.sort_key], self.reverse, 5000, len(rows))
            rows += [register.row(record, due) for record, due in pairs]
            if len(pairs) < 5000:
                return rows

    def position(self, row_id: str) -> int | None:
        """Where the matter is, None when it does not match: from the blocks read, else counted."""
        for (from_end, number), rows in self._blocks.items():
            for offset, row in enumerate(rows):
                if row.id == row_id:
                    index = number * BLOCK + offset
                    return self._count - 1 - index if from_end else index
        store = self.register.store
        found = store.register_position(self.query, _ORDER_NAMES[self.sort_key], self.reverse, row_id)
        if found is None or not self._from_end(found):
            return found
        back = store.register_position(self.query, _ORDER_NAMES[self.sort_key], not self.reverse, row_id)
        return found if back is None else max(self._count // 2, self._count - 1 - back)


_ORDER_NAMES = {key: key for key in ("due", "date", "ref", "site", "petitioner", "category", "title", "status", "owner", "flags")}
"""The register's sort keys (`register.SORT_KEYS`) as the store's orders (`postgres.REGISTER_ORDERS`)."""

