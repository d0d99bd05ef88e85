"""A register's filter in a database's terms: what `office.register_db` asks a store that pages
matters itself (`PostgresStore.register_page`), kept apart from the driver so that asking needs
no database library."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass


@dataclass(frozen=True)
class MatterQuery:
    """Which matters a register shows, in the database's terms (`office.register_db` makes one
    from the register's filter; every condition set must hold)."""

    terms: tuple[tuple[str, tuple[str, ...]], ...] = ()
    """Search terms, each a case-insensitive substring of the searched fields, with the visits
    whose site holds it: a matter is found by its visit's site too, as in the JSON register."""
    status: str | None = None
    not_statuses: tuple[str, ...] = ()
    category: str | None = None
    visit_ids: tuple[str, ...] | None = None
    flags: tuple[str, ...] = ()
    owner: str | None = None
    """The assignee (else the first owner), or the department."""
    unassigned_in: tuple[str, ...] | None = None
    """Nobody assigned and no first owner, and the status one of these."""
    raised_from: str | None = None
    raised_to: str | None = None
    due_before: dt.date | None = None
    due_from: dt.date | None = None
    due_to: dt.date | None = None
    conflicts: bool = False
    rating: str | None = None


@dataclass(frozen=True)
class FactsWindow:
    """Which matters one period's figures may read, in the database's terms (`stats.facts_window`
    makes one; `PostgresStore.period_facts` and `period_groups` read them): those raised from `raised_from` to
    `raised_to`, those closed or replied to from `answered_from` to `answered_to`, and those whose
    deadlines were running at some time from `active_from` to `active_to` (their span, from the
    first day a step could start to the day they stopped waiting). ISO dates, ends included: a
    superset, which the figures' own counting then sorts out."""

    raised_from: str
    raised_to: str
    answered_from: str
    answered_to: str
    active_from: str
    active_to: str
