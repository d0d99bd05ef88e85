"""The PostgreSQL store's questions about the matters' facts (schema 4's columns, `postgres.DERIVED`):
a period's, and the few repeat suggestions need, so that neither reads a million documents.

Each answer is a list or stream of (facts, document) pairs: the facts as the JSON list the office
stored (`office.facts.stored`), or None with the document's JSON when the matter's facts are not
computed yet (written by a program without the office's policy); `office.facts_db` reads either.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator

from psycopg_pool import ConnectionPool

from fieldvisit.stores.queries import FactsWindow

_FACTS = "facts, CASE WHEN facts IS NULL THEN doc::text END"
NOT_WITHDRAWN = "status IS DISTINCT FROM 'withdrawn'"
"""The repeat indexes' condition (`postgres._indexes`): written the same, so the planner uses them."""
_REPEAT_ORDER = 'raised_order DESC, (id COLLATE "C") DESC'
"""The order repeats are judged in, newest first: raised as written, then id, by code point (as
Python compares them: `repeats.RepeatIndex`)."""

FactsRow = tuple[str | None, str | None]

_RANGES = (
    ("fact_raised", "raised_from", "raised_to"),
    ("fact_closed", "answered_from", "answered_to"),
    ("fact_replied", "answered_from", "answered_to"),
)
_COUNTED = " OR ".join(f"{column} BETWEEN %({low})s AND %({high})s" for column, low, high in _RANGES) + " OR facts IS NULL OR deadline_part IS NULL"
"""A matter counted one by one in a period (`FactsWindow`): raised in it or the period before,
closed or replied to in it, or its facts not computed."""
_COUNTED_OR_FALSE = " OR ".join(f"coalesce({column} BETWEEN %({low})s AND %({high})s, false)" for column, low, high in _RANGES) + " OR facts IS NULL OR deadline_part IS NULL"
"""The same, false where a date is missing (NULL): for `NOT`."""
_ACTIVE = "fact_span && daterange(%(active_from)s::date, %(active_to)s::date, '[]')"
"""A matter whose deadlines ran at some time in the period's window."""

_WAITING = f"tbl = 'issues' AND {NOT_WITHDRAWN} AND {_ACTIVE} AND NOT ({_COUNTED_OR_FALSE})"
"""A matter counted in a group: not withdrawn, its deadlines running in the window, not counted one by one."""


def _values(window: FactsWindow) -> dict[str, str]:
    return {name: getattr(window, name) for name in window.__dataclass_fields__}


class FactsQueries:
    """Mixed into `PostgresStore`: the queries of `office.facts_db`."""

    _pool: ConnectionPool
    keeps_facts = True
    """Every matter's facts are kept beside it (`Store.keeps_facts`)."""

    def period_facts(self, window: FactsWindow) -> Iterator[FactsRow]:
        """The facts of the matters a period's figures count one by one (`stats.facts_window`):
        raised in it or the period before, closed or replied to in it, or not computed yet;
        streamed from a cursor, so a three-year report holds a batch at a time, not a million.
        The others whose deadlines ran in it are counted in groups (`period_groups`)."""
        with self._pool.connection() as connection, connection.transaction(), connection.cursor(name=f"fv_facts_{uuid.uuid4().hex}") as cursor:
            cursor.itersize = 5000
            cursor.execute(f"SELECT {_FACTS} FROM fv_records WHERE tbl = 'issues' AND ({_COUNTED})", _values(window))
            yield from cursor

    def period_groups(self, window: FactsWindow) -> list[tuple[str, str, int]]:
        """The matters not withdrawn whose deadlines ran in the period and that `period_facts`
        leaves out, counted by what they add to the deadline figures (their `deadline_part`) and
        by site: (part, site, how many)."""
        query = f"SELECT deadline_part, coalesce(matter_site, ''), count(*) FROM fv_records WHERE {_WAITING} GROUP BY 1, 2"
        with self._pool.connection() as connection:
            return connection.execute(query, _values(window)).fetchall()

    def period_group_members(self, window: FactsWindow, parts: list[str], site: str | None) -> list[tuple[str | None, str | None, str]]:
        """The matters of these groups (`period_groups`), at `site` if one is given, each with
        its group's part: those a report names among its overdue."""
        at = "" if not site else " AND matter_site = %(site)s"
        query = f"SELECT {_FACTS}, deadline_part FROM fv_records WHERE {_WAITING} AND deadline_part = ANY(%(parts)s){at}"
        with self._pool.connection() as connection:
            return connection.execute(query, {**_values(window), "parts": parts, "site": site}).fetchall()

    def repeat_newest(self, before_id: str | None, limit: int) -> list[FactsRow]:
        """Up to `limit` matters not withdrawn, newest id first, after `before_id` when given:
        the candidates repeat suggestions walk."""
        after = "" if before_id is None else ' AND (id COLLATE "C") < %(before)s'
        query = f'SELECT {_FACTS} FROM fv_records WHERE tbl = \'issues\' AND {NOT_WITHDRAWN}{after} ORDER BY (id COLLATE "C") DESC LIMIT %(limit)s'
        with self._pool.connection() as connection:
            return connection.execute(query, {"before": before_id, "limit": limit}).fetchall()

    def repeat_earlier(self, person: str, raised_at: str, record_id: str) -> str | None:
        """The id of the latest matter not withdrawn raised before (`raised_at`, `record_id`) by
        `person` (`office.facts_db.person_key`), if any."""
        query = (
            f"SELECT id FROM fv_records WHERE tbl = 'issues' AND {NOT_WITHDRAWN} AND persons ? %s"
            f' AND (raised_order, (id COLLATE "C")) < (%s, %s) ORDER BY {_REPEAT_ORDER} LIMIT 1'
        )
        with self._pool.connection() as connection:
            found = connection.execute(query, (person, raised_at, record_id)).fetchone()
        return None if found is None else found[0]

    def repeat_window(self, raised_at: str, record_id: str, limit: int) -> list[FactsRow]:
        """The `limit` matters not withdrawn raised just before (`raised_at`, `record_id`),
        the nearest first: those a matter's text is compared with."""
        query = (
            f"SELECT {_FACTS} FROM fv_records WHERE tbl = 'issues' AND {NOT_WITHDRAWN}"
            f' AND (raised_order, (id COLLATE "C")) < (%s, %s) ORDER BY {_REPEAT_ORDER} LIMIT %s'
        )
        with self._pool.connection() as connection:
            return connection.execute(query, (raised_at, record_id, limit)).fetchall()
