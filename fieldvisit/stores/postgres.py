"""The `Store` interface on PostgreSQL (docs/architecture.md §5): many officers on one register.

Records are rows of one table, `fv_records (tbl, id, doc jsonb, version, changed_by, changed_at)`,
with generated columns for what the register filters and sorts on (status, category, visit,
site, device, the dates deadlines are counted from, flags, conflicts) and a GIN index of the
searched text's characters and character pairs (`search_grams`, as numbers), so a Chinese
substring search of any length does not read every row (schema 1's pg_trgm index is gone: the
pairs serve every term, and trigrams cannot find the one- and two-character words Chinese is
searched in). The store's metadata is one JSONB row of `fv_meta`, its clock kept per writer in
`fv_clock`. `create_schema(url)` makes all of it, once per database, and brings an older schema
up to date.

Writes keep the contract of the embedded stores, and add what a shared store needs:

* `put` is one transaction: every record and the meta, or nothing.
* Optimistic concurrency without changing the interface: each thread remembers the version of
  every record it read with `get` (an officer's step and an import both read before they
  write). `put` saves a record only if its row still has that version (or is still absent, if it
  was absent when read); otherwise the whole transaction is rolled back and `StoreConflictError`
  says who changed it and when. A record put without being read first is written as is, as in
  the file stores. So two officers stepping the same matter at once never lose an update: the
  second is told to reload.
* The meta row is merged key by key, and its `clock` only moves forward (the greater stamp wins),
  since several office apps share the store's clock.
* Listeners hear their own store's writes at once, as in the file stores, and other processes'
  writes within about a second: each write NOTIFYs the ids it wrote, and a thread with its own
  connection LISTENs, reads those records and calls the listeners (on that thread).
"""

from __future__ import annotations

import datetime as dt
import getpass
import logging
import socket
import threading
import uuid
from collections import OrderedDict
from collections.abc import Callable, Iterable, Iterator
from itertools import repeat
from operator import add, mul
from typing import Any

import orjson
import psycopg
from psycopg import sql
from psycopg_pool import ConnectionPool, PoolTimeout

from fieldvisit.core.errors import (
    FieldVisitError,
    StoreConflictError,
    StoreUnavailableError,
)
from fieldvisit.core.model import DEFAULT_CATEGORIES, FLAGS, STATUSES
from fieldvisit.core.records import Record
from fieldvisit.stores.factory import without_password as safe_url
from fieldvisit.stores.postgres_facts import NOT_WITHDRAWN, FactsQueries
from fieldvisit.stores.queries import MatterQuery
from fieldvisit.stores.store import ISSUES, META, META_KEY, Store

_log = logging.getLogger(__name__)

SCHEMA_VERSION = 4
CHANNEL = "fieldvisit"
"""The NOTIFY channel every fieldvisit store on a database writes to and listens on."""

SEARCHED_FIELDS = (
    "ref", "title", "detail", "demand", "onsite_answer", "commitment",
    "petitioner_name", "employee_no", "unit", "phone", "department", "first_owner",
)
"""The matter fields the search column holds: `fieldvisit.editing.views.SEARCHED_FIELDS` (a test
keeps them equal; this layer may not import that one)."""

DATE_COLUMNS = ("raised_at", "registered_at", "accepted_at", "replied_at", "closed_at")
"""Fields deadlines are counted from, as columns: the policy (working days, holidays) stays in Python."""

REMEMBERED_VERSIONS = 200_000
"""Versions of records read that one thread keeps for its next `put` (an import reads each
record of a bundle once; far more than any batch)."""

NOTIFY_BYTES = 7000
"""Ids per NOTIFY payload are cut to stay under PostgreSQL's 8,000-byte limit."""

BULK_ROWS = 20_000
"""A batch this big into an empty store (a migration) is loaded by COPY with the indexes built
after (`PostgresStore.fill`)."""

HEAD_WALK = 3000
"""Matters of the register's order a search's first page is looked for among first
(`register_page`): a term in one matter in sixty has its first page there."""

CONFLICT_STATE = "FV409"
"""The SQLSTATE `fv_conflict` raises: a record changed since it was read."""


def _field(name: str) -> str:
    return f"(doc #>> '{{fields,{name},value}}')"


ORDERS = ("raised_at", "ref", "status", "category", "accepted_at", "registered_at", "id")
"""Columns a register page may be sorted by; each has an index `(tbl, column, id)` that gives its
rows in that order, so a first page reads its 50 rows, not every match."""


def _indexes() -> dict[str, str]:
    """The secondary indexes by name: made with the table, and dropped and made again around a
    bulk fill of an empty table (`PostgresStore.fill`), which builds each in one pass."""
    ordered = {f"fv_records_by_{column}": f"(tbl, {column}, id)" for column in (*ORDERS, "due", "owner_shown", "petitioner", "title") if column != "id"}
    ordered["fv_records_by_matter_site"] = "(tbl, (coalesce(matter_site, '')), id)"
    filters = {f"fv_records_{column}": f"(tbl, {column})" for column in ("visit_id", "site", "device", "replied_at", "closed_at")}
    return {
        **{name: f"CREATE INDEX IF NOT EXISTS {name} ON fv_records {columns}" for name, columns in {**ordered, **filters}.items()},
        "fv_records_flags": "CREATE INDEX IF NOT EXISTS fv_records_flags ON fv_records USING gin (flags)",
        "fv_records_grams": "CREATE INDEX IF NOT EXISTS fv_records_grams ON fv_records USING gin (grams)",
        "fv_records_conflicts": "CREATE INDEX IF NOT EXISTS fv_records_conflicts ON fv_records (tbl) WHERE conflicts > 0",
        **{
            f"fv_records_by_{key}_order": f"CREATE INDEX IF NOT EXISTS fv_records_by_{key}_order ON fv_records (tbl, ({REGISTER_ORDERS[key]}), id)"
            for key in ("status", "category", "flags")
        },
        "fv_records_unassigned": "CREATE INDEX IF NOT EXISTS fv_records_unassigned ON fv_records (tbl, due, id) WHERE owner = ''",
        "fv_records_dissatisfied": "CREATE INDEX IF NOT EXISTS fv_records_dissatisfied ON fv_records (tbl, due, id) WHERE rating = 'dissatisfied'",
        "fv_records_not_derived": "CREATE INDEX IF NOT EXISTS fv_records_not_derived ON fv_records (id) WHERE tbl = 'issues' AND due_step IS NULL",
        # schema 4: a period's facts (`period_facts`) and repeat suggestions (`repeat_*`)
        **{f"fv_records_{column}": f"CREATE INDEX IF NOT EXISTS fv_records_{column} ON fv_records (tbl, {column})" for column in ("fact_raised", "fact_closed", "fact_replied")},
        "fv_records_fact_span": "CREATE INDEX IF NOT EXISTS fv_records_fact_span ON fv_records USING gist (fact_span) WHERE tbl = 'issues'",
        "fv_records_facts_missing": "CREATE INDEX IF NOT EXISTS fv_records_facts_missing ON fv_records (id) WHERE tbl = 'issues' AND facts IS NULL",
        "fv_records_repeat_order": f"CREATE INDEX IF NOT EXISTS fv_records_repeat_order ON fv_records (tbl, raised_order, (id COLLATE \"C\")) WHERE {NOT_WITHDRAWN}",
        "fv_records_repeat_newest": f"CREATE INDEX IF NOT EXISTS fv_records_repeat_newest ON fv_records (tbl, (id COLLATE \"C\")) WHERE {NOT_WITHDRAWN}",
        "fv_records_persons": "CREATE INDEX IF NOT EXISTS fv_records_persons ON fv_records USING gin (persons) WHERE tbl = 'issues'",
        # the attention list's counts of open matters by due date (overdue, due soon): read from
        # this small index, not by a scan of every row (a million overdue: 0.1 s, not 1.5 s)
        "fv_records_open_due": f"CREATE INDEX IF NOT EXISTS fv_records_open_due ON fv_records (tbl, due) WHERE coalesce(status, 'recorded') <> ALL ('{{{','.join(ENDED_STATUSES)}}}'::text[])",
    }


ENDED_STATUSES = ("closed", "withdrawn")
"""The statuses the register's open-matter filters leave out (`office.register.CLOSED`, which a
test keeps equal): the partial index `fv_records_open_due` holds the others."""





RETIRED_INDEXES = ("fv_records_search", "fv_records_status", "fv_records_category", "fv_records_ref", "fv_records_raised_at", "fv_records_registered_at", "fv_records_accepted_at")
"""Schema 1's indexes that schema 2 replaced: the trigram index (the character-pair index serves
every term) and the single-column ones the ordered indexes cover."""

UPGRADE_FROM_1 = (
    ("CREATE OR REPLACE FUNCTION fv_gram_codes(grams text[]) RETURNS bigint[] LANGUAGE sql IMMUTABLE AS $fn$ "
    "SELECT coalesce(array_agg(CASE WHEN length(g) = 1 THEN ascii(g)::bigint ELSE (ascii(g)::bigint + 1) * 1114112 + ascii(substr(g, 2)) END), '{}') "
    "FROM unnest(grams) AS g $fn$"),
    "ALTER TABLE fv_records ALTER COLUMN grams DROP DEFAULT, ALTER COLUMN grams TYPE bigint[] USING fv_gram_codes(grams), ALTER COLUMN grams SET DEFAULT '{}'",
    "DROP FUNCTION fv_gram_codes(text[])",
    "ALTER TABLE fv_records SET (fillfactor = 70, autovacuum_vacuum_scale_factor = 0.02)",
)
"""Schema 1 kept the character grams as text; schema 2 as numbers (`gram_codes`)."""

DERIVED = {
    "due": "date",
    "due_step": "text",
    "rating": "text",
    "owner": 'text COLLATE "C"',
    "owner_shown": 'text COLLATE "C"',
    "petitioner": 'text COLLATE "C"',
    "title": 'text COLLATE "C"',
    # schema 4: the matter's facts (`office.facts_db.fact_columns`), for statistics and repeats
    "facts": "text",
    "fact_raised": 'text COLLATE "C"',
    "fact_closed": 'text COLLATE "C"',
    "fact_replied": 'text COLLATE "C"',
    "fact_span": "daterange",
    "raised_order": 'text COLLATE "C"',
    "persons": "jsonb",
    "deadline_part": "text",
}
"""Columns the office computes from a matter in Python when it writes it (`PostgresStore.derive_with`),
by name with their types: the open step's due date and its name, from the policy's working days
and holidays; the rating that counts; the owner (assignee, else first owner) and the owner column
as shown (else the department); the petitioner as shown (masked); the title. The register
filters and sorts on them (overdue: `due < today`) without reading a document. NULL `due_step`:
not computed yet (written without the policy, or before schema 3), found through a small partial
index and computed by `init-db` or the office app (`derive_missing`).

Schema 4 adds each matter's facts (`office.facts`, as a JSON list: what statistics, the period
report and repeat suggestions read) and what they are selected by: the local dates it was raised,
closed and replied to, the span of days its deadlines may run, its raised time as written (the
order repeats are judged in) and who raised it. NULL `facts`: not computed yet, read from the
document instead."""
_DERIVED_COLUMNS = ", ".join(DERIVED)
_DERIVED_VALUES = ", ".join(f"(v.d ->> '{name}')::{kind.split()[0]}" for name, kind in DERIVED.items())
_DERIVED_SET = ", ".join(f"{name} = (v.d ->> '{name}')::{kind.split()[0]}" for name, kind in DERIVED.items())
_DERIVED_EXCLUDED = ", ".join(f"{name} = EXCLUDED.{name}" for name in DERIVED)

UPGRADE_TO_3 = (
    "ALTER TABLE fv_records " + ", ".join(f"ADD COLUMN IF NOT EXISTS {name} {kind}" for name, kind in DERIVED.items()),
    'ALTER TABLE fv_records ADD COLUMN IF NOT EXISTS matter_site text COLLATE "C"',
    "ALTER TABLE fv_schema ADD COLUMN IF NOT EXISTS deadline_policy text",
    "DROP FUNCTION IF EXISTS fv_write(text, text[], text[], text[], text[], bigint[], jsonb, text, text[])",
)
"""Schema 3 adds the derived columns (`DERIVED`), a matter's site (its visit's, which `fv_write`
keeps, `matter_site`) and the policy they were computed with (idempotent: run on every
`create_schema`); `fv_write` takes them, so schema 2's is dropped."""

MATTER_SITES = (
    "UPDATE fv_records AS m SET matter_site = coalesce((SELECT vis.site FROM fv_records AS vis WHERE vis.tbl = 'visits' AND vis.id = m.visit_id), '') "
    "WHERE m.tbl = 'issues' AND m.matter_site IS NULL"
)
"""Every matter's site, once, when a schema before 3 is upgraded."""

WRITE_FUNCTIONS = r"""
CREATE OR REPLACE FUNCTION fv_conflict(p_tbl text, p_id text) RETURNS void LANGUAGE plpgsql AS $fn$
DECLARE
    changed record;
BEGIN
    SELECT r.changed_by, r.changed_at, r.ref INTO changed FROM fv_records AS r WHERE r.tbl = p_tbl AND r.id = p_id;
    RAISE EXCEPTION USING ERRCODE = 'FV409', MESSAGE = 'fieldvisit: a record changed since it was read',
        DETAIL = json_build_object('table', p_tbl, 'id', p_id, 'by', changed.changed_by, 'at', changed.changed_at, 'ref', changed.ref)::text;
END
$fn$;

CREATE OR REPLACE FUNCTION fv_write(
    p_actor text, p_tbl text[], p_id text[], p_doc text[], p_grams text[], p_derived text[], p_expected bigint[],
    p_meta jsonb, p_clock text, p_notes text[]
) RETURNS TABLE (w_tbl text, w_id text, w_version bigint) LANGUAGE plpgsql AS $fn$
DECLARE
    s_tbl text[];
    s_id text[];
    s_version bigint[];
    lost record;
    note text;
BEGIN
    -- read with a version: saved only if the row still has it
    WITH v AS (
        SELECT v.*, v.derived::jsonb AS d FROM unnest(p_tbl, p_id, p_doc, p_grams, p_derived, p_expected) AS v(tbl, id, doc, grams, derived, expected) WHERE v.expected > 0
    ), saved AS (
        -- grams unchanged are kept as stored (their bytes the same): the update can then stay on
        -- its page without touching an index (HOT), as a step that adds feedback does
        UPDATE fv_records AS r SET doc = v.doc::jsonb, version = r.version + 1,
            grams = CASE WHEN r.grams = v.grams::bigint[] THEN r.grams ELSE v.grams::bigint[] END,
            {DERIVED_SET},
            changed_by = p_actor, changed_at = now()
        FROM v WHERE r.tbl = v.tbl AND r.id = v.id AND r.version = v.expected
        RETURNING r.tbl, r.id, r.version
    )
    SELECT coalesce(array_agg(saved.tbl), '{}'), coalesce(array_agg(saved.id), '{}'), coalesce(array_agg(saved.version), '{}')
        INTO s_tbl, s_id, s_version FROM saved;
    -- read as absent: saved only if still absent
    WITH v AS (
        SELECT v.*, v.derived::jsonb AS d FROM unnest(p_tbl, p_id, p_doc, p_grams, p_derived, p_expected) AS v(tbl, id, doc, grams, derived, expected) WHERE v.expected = 0
    ), saved AS (
        INSERT INTO fv_records AS r (tbl, id, doc, grams, {DERIVED_COLUMNS}, matter_site, changed_by)
        SELECT v.tbl, v.id, v.doc::jsonb, v.grams::bigint[], {DERIVED_VALUES}, {MATTER_SITE}, p_actor FROM v
        ON CONFLICT (tbl, id) DO NOTHING
        RETURNING r.tbl, r.id, r.version
    )
    SELECT s_tbl || coalesce(array_agg(saved.tbl), '{}'), s_id || coalesce(array_agg(saved.id), '{}'), s_version || coalesce(array_agg(saved.version), '{}')
        INTO s_tbl, s_id, s_version FROM saved;
    IF cardinality(s_id) < (SELECT count(*) FROM unnest(p_expected) AS e WHERE e >= 0) THEN
        SELECT v.tbl, v.id INTO lost FROM unnest(p_tbl, p_id, p_expected) WITH ORDINALITY AS v(tbl, id, expected, n)
        WHERE v.expected >= 0 AND NOT EXISTS (SELECT 1 FROM unnest(s_tbl, s_id) AS s(tbl, id) WHERE s.tbl = v.tbl AND s.id = v.id)
        ORDER BY v.n LIMIT 1;
        PERFORM fv_conflict(lost.tbl, lost.id);
    END IF;
    -- written without being read: as is
    WITH v AS (
        SELECT v.*, v.derived::jsonb AS d FROM unnest(p_tbl, p_id, p_doc, p_grams, p_derived, p_expected) AS v(tbl, id, doc, grams, derived, expected) WHERE v.expected IS NULL
    ), saved AS (
        INSERT INTO fv_records AS r (tbl, id, doc, grams, {DERIVED_COLUMNS}, matter_site, changed_by)
        SELECT v.tbl, v.id, v.doc::jsonb, v.grams::bigint[], {DERIVED_VALUES}, {MATTER_SITE}, p_actor FROM v
        ON CONFLICT (tbl, id) DO UPDATE SET doc = EXCLUDED.doc, version = r.version + 1,
            grams = CASE WHEN r.grams = EXCLUDED.grams THEN r.grams ELSE EXCLUDED.grams END,
            {DERIVED_EXCLUDED},
            changed_by = EXCLUDED.changed_by, changed_at = now()
        RETURNING r.tbl, r.id, r.version
    )
    SELECT s_tbl || coalesce(array_agg(saved.tbl), '{}'), s_id || coalesce(array_agg(saved.id), '{}'), s_version || coalesce(array_agg(saved.version), '{}')
        INTO s_tbl, s_id, s_version FROM saved;
    IF p_meta IS NOT NULL THEN  -- key by key; a clock kept here by schema 1 keeps the greater stamp
        UPDATE fv_meta SET doc = doc || p_meta || CASE WHEN jsonb_typeof(doc -> 'clock') = 'string'
            AND jsonb_typeof(p_meta -> 'clock') = 'string' AND (doc ->> 'clock') COLLATE "C" > (p_meta ->> 'clock') COLLATE "C"
            THEN jsonb_build_object('clock', doc -> 'clock') ELSE '{}'::jsonb END WHERE id = 1;
    END IF;
    IF p_clock IS NOT NULL THEN  -- this actor's own row: officers' steps never wait on one another's
        INSERT INTO fv_clock AS c (actor, clock) VALUES (p_actor, p_clock)
        ON CONFLICT (actor) DO UPDATE SET clock = greatest(c.clock, EXCLUDED.clock);
    END IF;
    FOREACH note IN ARRAY coalesce(p_notes, '{}') LOOP
        PERFORM pg_notify('fieldvisit', note);
    END LOOP;
    -- a visit written (its site corrected, or new with its matters): its matters' site follows
    UPDATE fv_records AS m SET matter_site = coalesce(vis.site, '')
    FROM unnest(s_tbl, s_id) AS w(tbl, id), fv_records AS vis
    WHERE w.tbl = 'visits' AND vis.tbl = 'visits' AND vis.id = w.id AND m.tbl = 'issues' AND m.visit_id = vis.id
        AND m.matter_site IS DISTINCT FROM coalesce(vis.site, '');
    RETURN QUERY SELECT * FROM unnest(s_tbl, s_id, s_version);
END
$fn$;
"""
_MATTER_SITE = (
    "CASE WHEN v.tbl = 'issues' THEN coalesce((SELECT vis.site FROM fv_records AS vis "
    "WHERE vis.tbl = 'visits' AND vis.id = (v.doc::jsonb #>> '{fields,visit_id,value}')), '') END"
)
"""A matter's site as it is written: its visit's (`matter_site`: the register sorts by it)."""
WRITE_FUNCTIONS = (
    WRITE_FUNCTIONS.replace("{MATTER_SITE}", _MATTER_SITE)
    .replace("{DERIVED_SET}", _DERIVED_SET)
    .replace("{DERIVED_COLUMNS}", _DERIVED_COLUMNS)
    .replace("{DERIVED_VALUES}", _DERIVED_VALUES)
    .replace("{DERIVED_EXCLUDED}", _DERIVED_EXCLUDED)
)
"""One officer's step, or one import, in one statement and one round trip: the version checks,
the rows, the meta, the clock and the NOTIFY, all or nothing (a conflict raises `FV409` naming
who changed the record and when, which rolls the statement back)."""


def _schema_statements() -> list[str]:
    flags = ", ".join(f"CASE WHEN {_field(flag)} = 'true' THEN '{flag}' END" for flag in FLAGS)
    search = " || E'\\n' || ".join(f"coalesce({_field(name)}, '')" for name in SEARCHED_FIELDS)
    dates = "".join(f"    {name} text GENERATED ALWAYS AS ({_field(name)}) STORED,\n" for name in DATE_COLUMNS)
    derived = "".join(f"    {name} {kind},\n" for name, kind in DERIVED.items())
    return [
        "CREATE TABLE IF NOT EXISTS fv_schema (version integer NOT NULL)",
        "CREATE TABLE IF NOT EXISTS fv_meta (id smallint PRIMARY KEY CHECK (id = 1), doc jsonb NOT NULL)",
        "INSERT INTO fv_meta (id, doc) VALUES (1, '{}') ON CONFLICT DO NOTHING",
        'CREATE TABLE IF NOT EXISTS fv_clock (actor text PRIMARY KEY, clock text COLLATE "C" NOT NULL)',
        f"""CREATE TABLE IF NOT EXISTS fv_records (
    tbl text NOT NULL,
    id text NOT NULL,
    doc jsonb NOT NULL,
    version bigint NOT NULL DEFAULT 1,
    changed_by text NOT NULL DEFAULT '',
    changed_at timestamptz NOT NULL DEFAULT now(),
    status text GENERATED ALWAYS AS ({_field("status")}) STORED,
    category text GENERATED ALWAYS AS ({_field("category")}) STORED,
    visit_id text GENERATED ALWAYS AS ({_field("visit_id")}) STORED,
    site text GENERATED ALWAYS AS ({_field("site")}) STORED,
    device text GENERATED ALWAYS AS (coalesce({_field("device")}, doc ->> 'device_id')) STORED,
    ref text GENERATED ALWAYS AS ({_field("ref")}) STORED,
{dates}    flags text[] GENERATED ALWAYS AS (array_remove(ARRAY[{flags}]::text[], NULL)) STORED,
    conflicts integer GENERATED ALWAYS AS (jsonb_array_length(coalesce(doc -> 'conflicts', '[]'::jsonb))) STORED,
    search text GENERATED ALWAYS AS (lower({search})) STORED,
    grams bigint[] NOT NULL DEFAULT '{{}}',
{derived}    matter_site text COLLATE "C",
    PRIMARY KEY (tbl, id)
) WITH (fillfactor = 70, autovacuum_vacuum_scale_factor = 0.02)""",
        # schema 3: what the office computes from a matter when it writes it (`derive_with`)
        *UPGRADE_TO_3,
        # Which characters are common, for the planner to choose between walking the order's
        # index (a common one: 50 matches come soon) and the grams index (a rare one).
        "ALTER TABLE fv_records ALTER COLUMN grams SET STATISTICS 1000",
        *(f"DROP INDEX IF EXISTS {name}" for name in RETIRED_INDEXES),
        *_indexes().values(),
        WRITE_FUNCTIONS,
    ]


def _searched_text(record: Record) -> str:
    registers = record.get("fields") or {}
    return "\n".join(str(value) for name in SEARCHED_FIELDS if (value := (registers.get(name) or {}).get("value")) is not None).lower()


def search_grams(record: Record) -> list[str]:
    """Every character and every pair of adjacent characters of a matter's searched text (as
    the `search` column holds it: lower case, words split at white space). Chinese is searched
    in words of one or two characters, which trigrams cannot find; this array's GIN index can,
    and narrows longer terms to the rows holding all of their pairs. Made here rather than by
    the database: an SQL function for it builds the index of 100,000 matters seven times slower."""
    grams: set[str] = set()
    for word in _searched_text(record).split():
        grams.update(word)
        grams.update(word[i : i + 2] for i in range(len(word) - 1))
    return sorted(grams)


PAIR = 0x110000
"""A character pair's code is (first + 1) × PAIR + second: above every character's own code."""


def gram_codes(grams: Iterable[str]) -> str:
    """Characters and character pairs as the `grams` column holds them, an array literal of
    numbers (a character's code point, a pair's `PAIR` code): the index compares numbers,
    which builds it twice as fast as text."""
    return "{" + ",".join(str(ord(gram) if len(gram) == 1 else (ord(gram[0]) + 1) * PAIR + ord(gram[1])) for gram in grams) + "}"


def search_codes(record: Record) -> str:
    """`gram_codes(search_grams(record))`, made without the strings (this runs for every matter
    written, a million of them in a migration)."""
    found: set[int] = set()
    for word in _searched_text(record).split():
        points = list(map(ord, word))
        found.update(points)
        found.update(map(add, map(mul, points, repeat(PAIR)), map(add, points[1:], repeat(PAIR))))
    return "{" + ",".join(map(str, sorted(found))) + "}"  # sorted: the same text gives the same array


def _term_grams(term: str) -> str:
    return gram_codes([term] if len(term) <= 2 else sorted({term[i : i + 2] for i in range(len(term) - 1)}))


def _reason(error: BaseException) -> str:
    return " ".join(str(error).split())[:300] or type(error).__name__


def _connect(url: str, **options: Any) -> psycopg.Connection:
    try:
        return psycopg.connect(url, connect_timeout=10, **options)
    except psycopg.Error as error:
        raise StoreUnavailableError(url=safe_url(url), reason=_reason(error)) from None


def create_schema(url: str) -> int:
    """Create fieldvisit's tables, indexes and functions in the database at `url`, or bring an
    older fieldvisit's up to this schema (idempotent: run again, it changes nothing); returns the
    schema version. The command `fieldvisit office init-db URL` runs this."""
    with _connect(url, autocommit=True) as connection, connection.transaction():
        connection.execute("SELECT pg_advisory_xact_lock(hashtext('fieldvisit schema'))")
        found = None
        if connection.execute("SELECT to_regclass('fv_schema') IS NOT NULL").fetchone()[0]:
            found = connection.execute("SELECT max(version) FROM fv_schema").fetchone()[0]
        if found is not None and found > SCHEMA_VERSION:
            raise StoreUnavailableError("error.store_postgres.schema_newer", url=safe_url(url), found=found, known=SCHEMA_VERSION)
        if found == 1:
            for statement in UPGRADE_FROM_1:
                connection.execute(statement)
        for statement in _schema_statements():
            connection.execute(statement)
        if found is not None and found < 3:
            connection.execute(MATTER_SITES)
        if found is None:
            connection.execute("INSERT INTO fv_schema (version) VALUES (%s)", (SCHEMA_VERSION,))
        elif found < SCHEMA_VERSION:
            connection.execute("UPDATE fv_schema SET version = %s", (SCHEMA_VERSION,))
    return SCHEMA_VERSION


def drop_schema(url: str) -> None:
    """Remove fieldvisit's tables (tests and benchmarks start from an empty database)."""
    with _connect(url, autocommit=True) as connection:
        connection.execute("DROP TABLE IF EXISTS fv_records, fv_meta, fv_clock, fv_schema")
        connection.execute("DROP FUNCTION IF EXISTS fv_write, fv_conflict")


_STATUSES_SQL = "ARRAY[" + ", ".join(f"'{code}'" for code in STATUSES) + "]"
_CATEGORIES_SQL = "ARRAY[" + ", ".join(f"'{code}'" for code in DEFAULT_CATEGORIES) + "]"
REGISTER_ORDERS: dict[str, str] = {
    "due": "due",
    "date": "raised_at",
    "ref": "ref",
    "site": "coalesce(matter_site, '')",
    "petitioner": "petitioner",
    "category": f"coalesce(array_position({_CATEGORIES_SQL}, coalesce(category, 'other')), 99)",
    "title": "title",
    "status": f"coalesce(array_position({_STATUSES_SQL}, coalesce(status, 'recorded')), 99)",
    "owner": "owner_shown",
    "flags": "-cardinality(flags)",
}
"""The register's columns as the database orders them, as the JSON register does (`register.SORT_KEYS`):
the catalogue's order of statuses and categories, names as shown (masked), code-point order of
text. Ties are broken by id. "due" and "date" walk an index; the others sort the matches."""


def _query_filter(query: MatterQuery) -> tuple[sql.Composable, list[Any]]:
    """The WHERE of a register query and its parameters. Each term is its characters (one or
    two) or its character pairs in the grams index; a longer term's pairs narrow it and the
    substring decides."""
    conditions = [sql.SQL("tbl = 'issues'")]
    params: list[Any] = []

    def add(condition: str, *values: Any) -> None:
        conditions.append(sql.SQL(condition))
        params.extend(values)

    for column, value in (("status", query.status), ("category", query.category)):
        if value:
            conditions.append(sql.SQL("{} = %s").format(sql.Identifier(column)))
            params.append(value)
    if query.not_statuses:
        add("coalesce(status, 'recorded') <> ALL(%s)", list(query.not_statuses))
    if query.visit_ids is not None:
        add("visit_id = ANY(%s)", list(query.visit_ids))
    if query.flags:
        add("flags @> %s::text[]", list(query.flags))
    if query.owner:
        add(f"(owner = %s OR coalesce({_field('department')}, '') = %s)", query.owner, query.owner)
    if query.unassigned_in is not None:
        add("owner = '' AND coalesce(status, 'recorded') = ANY(%s)", list(query.unassigned_in))
    if query.raised_from:
        add("left(coalesce(raised_at, ''), 10) >= %s", query.raised_from)
    if query.raised_to:
        add("left(coalesce(raised_at, ''), 10) <= %s", query.raised_to)
    if query.due_before is not None:
        add("due < %s", query.due_before)
    if query.due_from is not None:
        add("due >= %s", query.due_from)
    if query.due_to is not None:
        add("due <= %s", query.due_to)
    if query.conflicts:
        add("conflicts > 0")
    if query.rating:
        conditions.append(sql.SQL("rating = {}").format(sql.Literal(query.rating)))  # a literal: a partial index serves "dissatisfied"
    for term, visits in query.terms:
        term = term.lower()
        found = "grams @> %s::bigint[]"
        values: list[Any] = [_term_grams(term)]
        if len(term) > 2:
            found += " AND search LIKE %s"
            values.append("%" + term.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%")
        if visits:
            found = f"(({found}) OR visit_id = ANY(%s))"
            values.append(list(visits))
        add(found, *values)
    return sql.SQL(" AND ").join(conditions), params


def _split_clock(meta: dict[str, Any] | None) -> tuple[str | None, str | None]:
    """The meta to merge (JSON, None when nothing) and the clock stamp, which goes to the
    writer's own `fv_clock` row rather than the one shared meta row every step would queue on."""
    if not meta:
        return None, None
    rest = dict(meta)
    clock = rest.pop("clock") if isinstance(rest.get("clock"), str) else None
    return (orjson.dumps(rest).decode() if rest else None), clock


def _conflict(error: psycopg.Error) -> StoreConflictError:
    """The conflict `fv_conflict` raised, as the officer reads it: who changed what, and when."""
    try:
        found = orjson.loads(error.diag.message_detail or "{}")
    except orjson.JSONDecodeError:
        found = {}
    try:
        when = dt.datetime.fromisoformat(found["at"]).astimezone().strftime("%H:%M:%S") if found.get("at") else ""
    except (TypeError, ValueError):
        when = ""
    record_id = found.get("id") or ""
    return StoreConflictError(what=found.get("ref") or record_id, by=found.get("by") or "", at=when, record_id=record_id, table=found.get("table") or "")


def _default_actor() -> str:
    try:
        user = getpass.getuser()
    except (KeyError, OSError):
        user = ""
    return f"{user}@{socket.gethostname()}" if user else socket.gethostname()


class PostgresStore(FactsQueries, Store):
    """`Store` on a PostgreSQL database whose schema `create_schema` made.

    `actor` names who writes through this store (the officer); a conflict error shows it to the
    officer who lost the race. `pool_size`: connections kept for this process's threads."""

    def __init__(self, url: str, actor: str | None = None, pool_size: int = 4):
        if not url.startswith(("postgresql://", "postgres://")):
            raise StoreUnavailableError("error.store_postgres.not_postgres", url=safe_url(url))
        self.url = url
        self.actor = actor if actor is not None else _default_actor()
        self._derive: Callable[[Record], dict[str, Any]] | None = None
        self._source = uuid.uuid4().hex  # this store's own writes are not heard back from NOTIFY
        self._local = threading.local()
        self._listen_lock = threading.Lock()
        self._listener: threading.Thread | None = None
        self._closing = threading.Event()
        # checked on a connection of its own before the pool connects: that one fails at once with
        # the server's reason, where the pool would retry, and log each try on the terminal
        self._check_schema()
        self._pool = ConnectionPool(url, min_size=1, max_size=max(1, pool_size), kwargs={"autocommit": True}, open=False, name="fieldvisit")
        try:
            self._pool.open(wait=True, timeout=15)
        except PoolTimeout as error:
            self._pool.close()
            raise StoreUnavailableError(url=safe_url(url), reason=_reason(error)) from None

    def sign_as(self, actor: str) -> None:
        self.actor = actor

    def _check_schema(self) -> None:
        with _connect(self.url, autocommit=True) as connection:
            try:
                found = connection.execute("SELECT max(version) FROM fv_schema").fetchone()[0]
            except psycopg.errors.UndefinedTable:
                found = None
        if found is None:
            raise StoreUnavailableError("error.store_postgres.no_schema", url=safe_url(self.url))
        if found > SCHEMA_VERSION:
            raise StoreUnavailableError("error.store_postgres.schema_newer", url=safe_url(self.url), found=found, known=SCHEMA_VERSION)
        if found < SCHEMA_VERSION:
            raise StoreUnavailableError("error.store_postgres_speed.schema_older", url=safe_url(self.url), found=found, known=SCHEMA_VERSION)

    def state_token(self) -> dict[str, Any] | None:
        """None: a register cache kept between runs is not used over a database. A token read
        when the cache is saved could already count another officer's write that this app has
        not heard yet (NOTIFY arrives after the commit), and the cache would then miss it for
        good; a register over a database asks it instead (`register_page`)."""
        return None

    # -- reading --------------------------------------------------------------------------

    def _seen(self) -> OrderedDict:
        seen = getattr(self._local, "versions", None)
        if seen is None:
            seen = self._local.versions = OrderedDict()
        return seen

    def _remember(self, table: str, record_id: str, version: int) -> None:
        seen = self._seen()
        seen[(table, record_id)] = version
        seen.move_to_end((table, record_id))
        if len(seen) > REMEMBERED_VERSIONS:
            seen.popitem(last=False)

    def get(self, table: str, record_id: str) -> Record | None:
        if table == META and record_id == META_KEY:
            return self.meta() or None
        record_id = str(record_id)
        with self._pool.connection() as connection:
            row = connection.execute("SELECT doc::text, version FROM fv_records WHERE tbl = %s AND id = %s", (table, record_id)).fetchone()
        self._remember(table, record_id, row[1] if row else 0)  # 0: absent when read
        return orjson.loads(row[0]) if row else None

    def get_many(self, table: str, record_ids: Iterable[str]) -> dict[str, Record]:
        """As `Store.get_many`, in one query; each id's version (or absence) is remembered for
        the next `put` as by `get`."""
        wanted = list(dict.fromkeys(str(record_id) for record_id in record_ids))
        if not wanted:
            return {}
        with self._pool.connection() as connection:
            rows = connection.execute("SELECT id, doc::text, version FROM fv_records WHERE tbl = %s AND id = ANY(%s)", (table, wanted)).fetchall()
        found = {record_id: (doc, version) for record_id, doc, version in rows}
        for record_id in wanted:
            self._remember(table, record_id, found[record_id][1] if record_id in found else 0)
        return {record_id: orjson.loads(doc) for record_id, (doc, _) in found.items()}

    def all(self, table: str) -> list[Record]:
        with self._pool.connection() as connection:
            rows = connection.execute("SELECT doc::text FROM fv_records WHERE tbl = %s ORDER BY id", (table,)).fetchall()
        return [orjson.loads(row[0]) for row in rows]

    def records(self, table: str) -> Iterator[Record]:
        """The table streamed through a server-side cursor: one snapshot, a few thousand rows
        in memory at a time."""
        with self._pool.connection() as connection, connection.transaction(), connection.cursor(name=f"fv_scan_{uuid.uuid4().hex}") as cursor:
            cursor.itersize = 2000
            cursor.execute("SELECT doc::text FROM fv_records WHERE tbl = %s ORDER BY id", (table,))
            for (doc,) in cursor:
                yield orjson.loads(doc)

    def record_count(self, table: str) -> int:
        with self._pool.connection() as connection:
            return connection.execute("SELECT count(*) FROM fv_records WHERE tbl = %s", (table,)).fetchone()[0]

    def meta(self) -> dict[str, Any]:
        """The meta row, its `clock` the greatest of every actor's (`fv_clock`)."""
        with self._pool.connection() as connection:
            row = connection.execute("SELECT m.doc::text, (SELECT max(c.clock) FROM fv_clock AS c) FROM fv_meta AS m WHERE m.id = 1").fetchone()
        if not row:
            return {}
        found, clock = orjson.loads(row[0]), row[1]
        if clock is not None and not (isinstance(found.get("clock"), str) and found["clock"] >= clock):
            found["clock"] = clock
        return found

    # -- the register over the database (office.register_db) -------------------------------

    pages_matters = True

    def register_page(self, query: MatterQuery, order: str, descending: bool, limit: int, offset: int = 0) -> list[tuple[Record, dt.date | None]]:
        """Matters `offset` to `offset + limit` of `query` in the register's `order`
        (`REGISTER_ORDERS`; the undated last when ascending, first when descending, ties by
        id), each with its stored due date. Only the page's documents are read."""
        where, params = _query_filter(query)
        by = self._order_by(order, descending)
        page = sql.SQL("SELECT r.id FROM fv_records AS r WHERE {where} ORDER BY {by} LIMIT %s OFFSET %s").format(where=where, by=by)
        with self._pool.connection() as connection:
            ids = None
            if query.terms and offset + limit <= HEAD_WALK // 8:
                # A search's first pages: the first HEAD_WALK matters in the order, searched. The
                # planner cannot know how often character pairs occur together (养老 and 老金 do,
                # in 养老金), takes a common term for a rare one and reads every match; a common
                # term has its page among these, and a rare one is then looked up in the index.
                head = sql.SQL(
                    "SELECT r.id FROM (SELECT * FROM fv_records AS r WHERE tbl = 'issues' ORDER BY {by} LIMIT %s) AS r WHERE {where} ORDER BY {by} LIMIT %s OFFSET %s"
                ).format(where=where, by=by)
                found = [row[0] for row in connection.execute(head, [HEAD_WALK, *params, limit, offset]).fetchall()]
                if len(found) == limit:
                    ids = found
            if ids is None:
                ids = [row[0] for row in connection.execute(page, [*params, limit, offset]).fetchall()]
            if not ids:
                return []
            found = {record_id: (doc, due) for record_id, doc, due in connection.execute(
                "SELECT id, doc::text, due FROM fv_records WHERE tbl = 'issues' AND id = ANY(%s)", (ids,)).fetchall()}
        return [(orjson.loads(found[record_id][0]), found[record_id][1]) for record_id in ids if record_id in found]

    @staticmethod
    def _order_by(order: str, descending: bool) -> sql.Composable:
        if order not in REGISTER_ORDERS:
            raise ValueError(f"unknown order {order!r}")
        key = sql.SQL(REGISTER_ORDERS[order])
        if descending:
            return sql.SQL("{} DESC NULLS FIRST, r.id DESC").format(key)
        return sql.SQL("{} ASC NULLS LAST, r.id ASC").format(key)

    def register_count(self, query: MatterQuery, count_limit: int | None = None) -> int:
        """How many matters `query` finds, counted up to `count_limit` (None: all)."""
        where, params = _query_filter(query)
        with self._pool.connection() as connection:
            if count_limit is None:
                return connection.execute(sql.SQL("SELECT count(*) FROM fv_records AS r WHERE {}").format(where), params).fetchone()[0]
            return self._count(connection, where, params, count_limit)

    def register_estimate(self, query: MatterQuery) -> int:
        """The planner's estimate of how many matters `query` finds: at once, never exact."""
        where, params = _query_filter(query)
        with self._pool.connection() as connection:
            return self._estimate(connection, where, params)

    def register_position(self, query: MatterQuery, order: str, descending: bool, record_id: str) -> int | None:
        """Where the matter `record_id` is among `query`'s matters in `order` (as
        `register_page` gives them), None when it is not one of them."""
        where, params = _query_filter(query)
        key = sql.SQL(REGISTER_ORDERS[order] if order in REGISTER_ORDERS else "")
        with self._pool.connection() as connection:
            found = connection.execute(
                sql.SQL("SELECT {key} FROM fv_records AS r WHERE {where} AND r.id = %s").format(key=key, where=where), [*params, record_id]
            ).fetchone()
            if found is None:
                return None
            value = found[0]
            if value is None:
                before = "{key} IS NULL AND r.id > %s" if descending else "({key} IS NOT NULL OR r.id < %s)"
                values = [record_id]
            elif descending:
                before = "({key} IS NULL OR {key} > %s OR ({key} = %s AND r.id > %s))"
                values = [value, value, record_id]
            else:
                before = "({key} < %s OR ({key} = %s AND r.id < %s))"
                values = [value, value, record_id]
            counted = sql.SQL("SELECT count(*) FROM fv_records AS r WHERE {where} AND " + before).format(where=where, key=key)
            return connection.execute(counted, [*params, *values]).fetchone()[0]

    def register_rows(self, record_ids: Iterable[str]) -> list[tuple[Record, dt.date | None]]:
        """These matters (those there are) with their stored due dates."""
        with self._pool.connection() as connection:
            found = connection.execute("SELECT doc::text, due FROM fv_records WHERE tbl = 'issues' AND id = ANY(%s)", (list(record_ids),)).fetchall()
        return [(orjson.loads(doc), due) for doc, due in found]

    def visit_sites(self) -> dict[str, str]:
        """Every visit's site by visit id (a generated column: no document is read)."""
        with self._pool.connection() as connection:
            return {visit_id: site or "" for visit_id, site in connection.execute("SELECT id, site FROM fv_records WHERE tbl = 'visits'").fetchall()}

    @staticmethod
    def _count(connection: psycopg.Connection, where: sql.Composable, params: list[Any], count_limit: int) -> int:
        counted = sql.SQL("SELECT count(*) FROM (SELECT 1 FROM fv_records WHERE {} LIMIT %s) AS counted").format(where)
        return connection.execute(counted, [*params, count_limit]).fetchone()[0]

    @staticmethod
    def _estimate(connection: psycopg.Connection, where: sql.Composable, params: list[Any]) -> int:
        plan = connection.execute(sql.SQL("EXPLAIN (FORMAT JSON) SELECT 1 FROM fv_records WHERE {}").format(where), params).fetchone()[0]
        found = plan[0]["Plan"]["Plan Rows"] if isinstance(plan, list) else orjson.loads(plan)[0]["Plan"]["Plan Rows"]
        return int(found)

    # -- writing --------------------------------------------------------------------------

    def put(self, records: dict[str, Iterable[Record]], meta: dict[str, Any] | None = None) -> None:
        """One statement, one round trip (`fv_write`): the version checks, the rows, the meta,
        this actor's clock and the NOTIFY, all or nothing. A big batch into an empty store (a
        migration) is a bulk fill instead (`fill`)."""
        written = {table: list(batch) for table, batch in records.items()}
        rows = self._rows(written, self._seen())  # every record encoded before anything is sent
        rest, clock = _split_clock(meta)
        notes = self._notes(written)
        saved = None
        if len(rows) >= BULK_ROWS and all(row[5] in (None, 0) for row in rows):
            saved = self._fill(((table, record_id, doc, grams, derived) for table, record_id, doc, grams, derived, _ in rows), rest, clock, notes)
        if saved is None:
            tables, ids, docs, grams, derived, expected = (list(column) for column in zip(*rows)) if rows else ([], [], [], [], [], [])
            with self._pool.connection() as connection:
                try:  # binary parameters: a thousand documents are sent as they are, not escaped into an array literal
                    saved = connection.execute(
                        "SELECT w_tbl, w_id, w_version FROM fv_write(%s, %b::text[], %b::text[], %b::text[], %b::text[], %b::text[], %b::bigint[], %s::jsonb, %s, %b::text[])",
                        (self.actor, tables, ids, docs, grams, derived, expected, rest, clock, notes),
                        binary=True,
                    ).fetchall()
                except psycopg.Error as error:
                    if error.sqlstate == CONFLICT_STATE:
                        raise _conflict(error) from None
                    raise
        for table, record_id, version in saved:
            self._remember(table, record_id, version)
        self._written(written)

    def fill(self, records: Iterable[tuple[str, Record]], meta: dict[str, Any] | None = None) -> int:
        """Fill an empty store with `records` ((table, record) pairs, streamed: a million need
        not be in memory) in one transaction: COPY, then each index built in one pass, which is
        many times faster than keeping them up row by row. Versions are not checked (nothing was
        there to read) and the records are not remembered; how many were written. Raises
        `FieldVisitError` when the store already holds records."""
        encoded = (
            (table, str(record["id"]), orjson.dumps(record).decode(), search_codes(record) if table == ISSUES else "{}", self._derived(table, record))
            for table, record in records
        )
        rest, clock = _split_clock(meta)
        saved = self._fill(encoded, rest, clock, [])
        if saved is None:
            raise FieldVisitError("error.migrate.not_empty", target=self.location, table="*")
        return len(saved)

    def _fill(self, rows: Iterable[tuple[str, str, str, str, str | None]], rest: str | None, clock: str | None, notes: list[str]) -> list[tuple[str, str, int]] | None:
        """COPY `rows` into the empty table, its indexes dropped and made again, in one
        transaction that holds the table (nobody works on an empty register); None, with nothing
        written, when the table is not empty."""
        with self._pool.connection() as connection:
            with connection.transaction():
                connection.execute("LOCK TABLE fv_records IN ACCESS EXCLUSIVE MODE")
                if connection.execute("SELECT EXISTS (SELECT 1 FROM fv_records)").fetchone()[0]:
                    return None
                for name in _indexes():
                    connection.execute(sql.SQL("DROP INDEX IF EXISTS {}").format(sql.Identifier(name)))
                connection.execute("SET LOCAL maintenance_work_mem = '256MB'")
                connection.execute("CREATE TEMP TABLE fv_incoming (tbl text, id text, doc text, grams text, derived text) ON COMMIT DROP")
                with connection.cursor() as cursor, cursor.copy("COPY fv_incoming (tbl, id, doc, grams, derived) FROM STDIN") as copy:
                    for row in rows:
                        copy.write_row(row)
                saved = connection.execute(
                    f"INSERT INTO fv_records (tbl, id, doc, grams, {_DERIVED_COLUMNS}, matter_site, changed_by) "
                    f"SELECT v.tbl, v.id, v.j, v.grams::bigint[], {_DERIVED_VALUES}, CASE WHEN v.tbl = 'issues' THEN coalesce(s.site, '') END, %s "
                    "FROM (SELECT *, derived::jsonb AS d, doc::jsonb AS j FROM fv_incoming) AS v "
                    "LEFT JOIN (SELECT id, doc::jsonb #>> '{fields,site,value}' AS site FROM fv_incoming WHERE tbl = 'visits') AS s "
                    "ON v.tbl = 'issues' AND s.id = (v.j #>> '{fields,visit_id,value}') RETURNING tbl, id, version",
                    (self.actor,),
                ).fetchall()
                for statement in _indexes().values():
                    connection.execute(statement)
                connection.execute(
                    "SELECT count(*) FROM fv_write(%s, '{}', '{}', '{}', '{}', '{}', '{}', %s::jsonb, %s, %s::text[])", (self.actor, rest, clock, notes)
                )
            connection.execute("VACUUM (ANALYZE) fv_records")  # the planner's statistics, and index-only counts
        return saved

    def _rows(self, written: dict[str, list[Record]], seen: OrderedDict) -> list[tuple[str, str, str, str, str | None, int | None]]:
        """(table, id, document, character grams, derived columns (JSON), version read: None if
        not read, 0 if absent)."""
        rows = []
        for table, batch in written.items():
            for record_id, record in {record["id"]: record for record in batch}.items():  # the last of one id wins, as in the file stores
                if not isinstance(record_id, str):
                    raise TypeError("record ids must be strings")
                grams = search_codes(record) if table == ISSUES else "{}"
                rows.append((table, record_id, orjson.dumps(record).decode(), grams, self._derived(table, record), seen.get((table, record_id))))
        return rows

    def derive_with(self, derive: Callable[[Record], dict[str, Any]] | None) -> None:
        """Compute the derived columns (`DERIVED`: `{"due": "2026-12-01" | None, "due_step": …,
        "rating": …, …}`) of every matter this store writes with `derive` (the office's policy:
        `office.register_db.DerivedColumns`). Without it a matter is written with them not yet
        computed, and `derive_missing` computes them later."""
        self._derive = derive

    def _derived(self, table: str, record: Record) -> str | None:
        derive = self._derive
        if table != ISSUES or derive is None:
            return None
        found = derive(record)
        return orjson.dumps({**found, "due_step": found.get("due_step") or ""}).decode()

    def derive_missing(self, derive: Callable[[Record], dict[str, Any]], batch: int = 5000) -> int:
        """Compute the derived columns of the matters that lack them (written without `derive`,
        or before schema 3), a batch per transaction, so an
        interruption loses only the batch it was in; a matter written meanwhile keeps what its
        writer computed. How many were computed."""
        done = 0
        while True:
            with self._pool.connection() as connection:
                rows = connection.execute(
                    "SELECT id, doc::text, version FROM fv_records WHERE tbl = 'issues' AND due_step IS NULL ORDER BY id LIMIT %s", (batch,)
                ).fetchall()
                if not rows:
                    return done
                ids, derived, versions = [], [], []
                for record_id, doc, version in rows:
                    found = derive(orjson.loads(doc))
                    ids.append(record_id)
                    derived.append(orjson.dumps({**found, "due_step": found.get("due_step") or ""}).decode())
                    versions.append(version)
                connection.execute(
                    f"UPDATE fv_records AS r SET {_DERIVED_SET} "
                    "FROM (SELECT id, d::jsonb AS d, version FROM unnest(%s::text[], %s::text[], %s::bigint[]) AS u(id, d, version)) AS v "
                    "WHERE r.tbl = 'issues' AND r.id = v.id AND r.version = v.version",
                    (ids, derived, versions),
                )
                done += len(rows)
            if len(rows) < batch:
                return done

    def derive_all(self, derive: Callable[[Record], dict[str, Any]]) -> int:
        """Compute every matter's derived columns again (the policy changed, or schema 2 was
        upgraded), in one transaction that holds the register for writing: the matters are
        read (readers go on), their columns COPYed into a temporary table, and only the rows
        whose columns changed are updated, with the table's indexes dropped and built again
        around it (as a bulk fill: kept up row by row, a million matters took an hour). How
        many were computed."""
        done = 0
        with self._pool.connection() as writer, writer.transaction():
            writer.execute("LOCK TABLE fv_records IN SHARE MODE")  # no write meanwhile; reading goes on
            writer.execute("SET LOCAL maintenance_work_mem = '256MB'")
            writer.execute("CREATE TEMP TABLE fv_derived (id text, d text) ON COMMIT DROP")
            with self._pool.connection() as reader, reader.transaction(), reader.cursor(name=f"fv_derive_{uuid.uuid4().hex}") as cursor:
                cursor.itersize = 2000
                cursor.execute("SELECT id, doc::text FROM fv_records WHERE tbl = 'issues'")
                with writer.cursor() as copying, copying.copy("COPY fv_derived (id, d) FROM STDIN") as copy:
                    for record_id, doc in cursor:
                        found = derive(orjson.loads(doc))
                        copy.write_row((record_id, orjson.dumps({**found, "due_step": found.get("due_step") or ""}).decode()))
                        done += 1
            writer.execute("LOCK TABLE fv_records IN ACCESS EXCLUSIVE MODE")
            for name in _indexes():
                writer.execute(sql.SQL("DROP INDEX IF EXISTS {}").format(sql.Identifier(name)))
            changed = " OR ".join(f"r.{name} IS DISTINCT FROM (v.d ->> '{name}')::{kind.split()[0]}" for name, kind in DERIVED.items())
            writer.execute(
                f"UPDATE fv_records AS r SET {_DERIVED_SET} FROM (SELECT id, d::jsonb AS d FROM fv_derived) AS v "
                f"WHERE r.tbl = 'issues' AND r.id = v.id AND ({changed})"
            )
            for statement in _indexes().values():
                writer.execute(statement)
        with self._pool.connection() as connection:
            connection.execute("VACUUM (ANALYZE) fv_records")
        return done

    def derived_policy(self) -> str | None:
        """What the derived columns were computed with (`set_derived_policy`), None if not said."""
        with self._pool.connection() as connection:
            return connection.execute("SELECT max(deadline_policy) FROM fv_schema").fetchone()[0]

    def set_derived_policy(self, key: str) -> None:
        with self._pool.connection() as connection:
            connection.execute("UPDATE fv_schema SET deadline_policy = %s", (key,))

    def _notes(self, written: dict[str, list[Record]]) -> list[str]:
        """The NOTIFY payloads naming the ids written, cut to stay under PostgreSQL's limit."""
        notes = []
        for table, batch in written.items():
            ids = list(dict.fromkeys(record["id"] for record in batch))
            head = len(orjson.dumps({"s": self._source, "t": table, "ids": []}))
            chunk: list[str] = []
            size = head
            for record_id in ids:
                cost = len(orjson.dumps(record_id)) + 1
                if chunk and size + cost > NOTIFY_BYTES:
                    notes.append(orjson.dumps({"s": self._source, "t": table, "ids": chunk}).decode())
                    chunk, size = [], head
                chunk.append(record_id)
                size += cost
            if chunk:
                notes.append(orjson.dumps({"s": self._source, "t": table, "ids": chunk}).decode())
        return notes

    # -- others' writes -------------------------------------------------------------------

    def subscribe(self, listener: Callable[[dict[str, list[Record]]], None]) -> None:
        """As `Store.subscribe`; writes by other processes reach `listener` too, on the
        listening thread, within about a second of their commit."""
        super().subscribe(listener)
        with self._listen_lock:
            if self._listener is None and not self._closing.is_set():
                ready = threading.Event()
                self._listener = threading.Thread(target=self._listen, args=(ready,), name="fieldvisit-pg-listen", daemon=True)
                self._listener.start()
                ready.wait(15)  # LISTEN is in place before subscribe returns: no write after it is missed

    def _listen(self, ready: threading.Event) -> None:
        while not self._closing.is_set():
            try:
                with psycopg.connect(self.url, autocommit=True, connect_timeout=10) as connection:
                    connection.execute(sql.SQL("LISTEN {}").format(sql.Identifier(CHANNEL)))
                    ready.set()
                    while not self._closing.is_set():
                        for note in connection.notifies(timeout=0.25, stop_after=64):
                            self._heard(note.payload)
            except psycopg.Error:
                if self._closing.wait(1.0):  # the server went away: try again each second
                    return
            finally:
                ready.set()

    def _heard(self, payload: str) -> None:
        try:
            note = orjson.loads(payload)
            source, table, ids = note["s"], note["t"], list(note["ids"])
        except (orjson.JSONDecodeError, KeyError, TypeError):
            return  # not one of ours
        if source == self._source or not ids:
            return
        try:
            with self._pool.connection() as connection:
                rows = connection.execute("SELECT doc::text FROM fv_records WHERE tbl = %s AND id = ANY(%s) ORDER BY id", (table, ids)).fetchall()
            if rows:
                self._written({table: [orjson.loads(row[0]) for row in rows]})
        except Exception:  # noqa: BLE001  a failing listener must not stop this store hearing the next write
            _log.exception("a listener failed on a write heard from another process")

    @property
    def location(self) -> str:
        return safe_url(self.url)

    # -- closing --------------------------------------------------------------------------

    def close(self) -> None:
        self._closing.set()
        listener, self._listener = self._listener, None
        if listener is not None and listener is not threading.current_thread():
            listener.join(5)
        pool = getattr(self, "_pool", None)
        if pool is not None:
            pool.close()
