"""The `Store` interface on PostgreSQL (docs/architecture.md §5): many officers on one register.

Records are rows of one table, `fv_records (tbl, id, doc jsonb, version, changed_by, changed_at)`,
with generated columns for what the register filters and sorts on (status, category, visit,
site, device, the dates deadlines are counted from, flags, conflicts) and a pg_trgm index on the
searched text plus a GIN index of its characters and character pairs (`search_grams`), so a
Chinese substring search of any length does not read every row. The store's metadata is
one JSONB row of `fv_meta`. `create_schema(url)` makes all of it, once per database.

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
from typing import Any

import orjson
import psycopg
from psycopg import sql

from psycopg_pool import ConnectionPool, PoolTimeout

from fieldvisit.core.errors import StoreConflictError, StoreUnavailableError
from fieldvisit.core.model import FLAGS
from fieldvisit.core.records import Record
from fieldvisit.stores.factory import without_password as safe_url
from fieldvisit.stores.store import ISSUES, META, META_KEY, Store

_log = logging.getLogger(__name__)

SCHEMA_VERSION = 1
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


def _field(name: str) -> str:
    return f"(doc #>> '{{fields,{name},value}}')"


def _schema_statements() -> list[str]:
    flags = ", ".join(f"CASE WHEN {_field(flag)} = 'true' THEN '{flag}' END" for flag in FLAGS)
    search = " || E'\\n' || ".join(f"coalesce({_field(name)}, '')" for name in SEARCHED_FIELDS)
    dates = "".join(f"    {name} text GENERATED ALWAYS AS ({_field(name)}) STORED,\n" for name in DATE_COLUMNS)
    return [
        "CREATE EXTENSION IF NOT EXISTS pg_trgm",
        "CREATE TABLE IF NOT EXISTS fv_schema (version integer NOT NULL)",
        "CREATE TABLE IF NOT EXISTS fv_meta (id smallint PRIMARY KEY CHECK (id = 1), doc jsonb NOT NULL)",
        "INSERT INTO fv_meta (id, doc) VALUES (1, '{}') ON CONFLICT DO NOTHING",
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
    grams text[] NOT NULL DEFAULT '{{}}',
    PRIMARY KEY (tbl, id)
)""",
        *(f"CREATE INDEX IF NOT EXISTS fv_records_{column} ON fv_records (tbl, {column})" for column in ("status", "category", "visit_id", "site", "device", "ref", *DATE_COLUMNS)),
        "CREATE INDEX IF NOT EXISTS fv_records_flags ON fv_records USING gin (flags)",
        "CREATE INDEX IF NOT EXISTS fv_records_search ON fv_records USING gin (search gin_trgm_ops)",
        "CREATE INDEX IF NOT EXISTS fv_records_grams ON fv_records USING gin (grams)",
        "CREATE INDEX IF NOT EXISTS fv_records_conflicts ON fv_records (tbl) WHERE conflicts > 0",
    ]


def search_grams(record: Record) -> list[str]:
    """Every character and every pair of adjacent characters of a matter's searched text (as
    the `search` column holds it: lower case, words split at white space). Chinese is searched
    in words of one or two characters, which trigrams cannot find; this array's GIN index can,
    and narrows longer terms to the rows holding all of their pairs. Made here rather than by
    the database: an SQL function for it builds the index of 100,000 matters seven times slower."""
    registers = record.get("fields") or {}
    text = "\n".join(str(value) for name in SEARCHED_FIELDS if (value := (registers.get(name) or {}).get("value")) is not None).lower()
    grams: set[str] = set()
    for word in text.split():
        grams.update(word)
        grams.update(word[i : i + 2] for i in range(len(word) - 1))
    return sorted(grams)


def _term_grams(term: str) -> list[str]:
    return [term] if len(term) <= 2 else sorted({term[i : i + 2] for i in range(len(term) - 1)})


def _reason(error: BaseException) -> str:
    return " ".join(str(error).split())[:300] or type(error).__name__


def _connect(url: str, **options: Any) -> psycopg.Connection:
    try:
        return psycopg.connect(url, connect_timeout=10, **options)
    except psycopg.Error as error:
        raise StoreUnavailableError(url=safe_url(url), reason=_reason(error)) from None


def create_schema(url: str) -> int:
    """Create fieldvisit's tables, indexes and the pg_trgm extension in the database at `url`
    (idempotent: run again, it changes nothing); returns the schema version. The command
    `fieldvisit office init-db URL` runs this."""
    with _connect(url, autocommit=True) as connection, connection.transaction():
        connection.execute("SELECT pg_advisory_xact_lock(hashtext('fieldvisit schema'))")
        for statement in _schema_statements():
            connection.execute(statement)
        found = connection.execute("SELECT max(version) FROM fv_schema").fetchone()[0]
        if found is None:
            connection.execute("INSERT INTO fv_schema (version) VALUES (%s)", (SCHEMA_VERSION,))
        elif found > SCHEMA_VERSION:
            raise StoreUnavailableError("error.store_postgres.schema_newer", url=safe_url(url), found=found, known=SCHEMA_VERSION)
    return SCHEMA_VERSION


def drop_schema(url: str) -> None:
    """Remove fieldvisit's tables (tests and benchmarks start from an empty database)."""
    with _connect(url, autocommit=True) as connection:
        connection.execute("DROP TABLE IF EXISTS fv_records, fv_meta, fv_schema")


def _default_actor() -> str:
    try:
        user = getpass.getuser()
    except (KeyError, OSError):
        user = ""
    return f"{user}@{socket.gethostname()}" if user else socket.gethostname()


class PostgresStore(Store):
    """`Store` on a PostgreSQL database whose schema `create_schema` made.

    `actor` names who writes through this store (the officer); a conflict error shows it to the
    officer who lost the race. `pool_size`: connections kept for this process's threads."""

    def __init__(self, url: str, actor: str | None = None, pool_size: int = 4):
        if not url.startswith(("postgresql://", "postgres://")):
            raise StoreUnavailableError("error.store_postgres.not_postgres", url=safe_url(url))
        self.url = url
        self.actor = actor if actor is not None else _default_actor()
        self._source = uuid.uuid4().hex  # this store's own writes are not heard back from NOTIFY
        self._local = threading.local()
        self._listen_lock = threading.Lock()
        self._listener: threading.Thread | None = None
        self._closing = threading.Event()
        self._check_schema()
        self._pool = ConnectionPool(url, min_size=1, max_size=max(1, pool_size), kwargs={"autocommit": True}, open=False, name="fieldvisit")
        try:
            self._pool.open(wait=True, timeout=15)
        except PoolTimeout as error:
            self._pool.close()
            raise StoreUnavailableError(url=safe_url(url), reason=_reason(error)) from None

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

    def state_token(self) -> dict[str, Any] | None:
        """None: a register cache kept between runs is not used over a database. A token read
        when the cache is saved could already count another officer's write that this app has
        not heard yet (NOTIFY arrives after the commit), and the cache would then miss it for
        good; a register over a database asks it instead (`matter_page`)."""
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
        with self._pool.connection() as connection:
            row = connection.execute("SELECT doc::text FROM fv_meta WHERE id = 1").fetchone()
        return orjson.loads(row[0]) if row else {}

    def matter_page(
        self,
        text: str = "",
        status: str | None = None,
        category: str | None = None,
        visit_ids: Iterable[str] | None = None,
        flags: Iterable[str] = (),
        order: str = "raised_at",
        descending: bool = True,
        limit: int = 50,
        offset: int = 0,
        count_limit: int = 10_000,
    ) -> tuple[list[Record], int]:
        """One page of matters filtered in the database, and how many match, counted up to
        `count_limit` (that number means "at least"): what a register over a million matters
        asks instead of holding every row in memory. `text`: whitespace-separated terms, each a
        case-insensitive substring of the searched fields. The trigram index serves terms of
        three characters or more; shorter ones are checked row by row."""
        if order not in ("raised_at", "ref", "status", "category", "accepted_at", "registered_at", "id"):
            raise ValueError(f"unknown order {order!r}")
        conditions = [sql.SQL("tbl = 'issues'")]
        params: list[Any] = []
        for column, value in (("status", status), ("category", category)):
            if value:
                conditions.append(sql.SQL("{} = %s").format(sql.Identifier(column)))
                params.append(value)
        if visit_ids is not None:
            conditions.append(sql.SQL("visit_id = ANY(%s)"))
            params.append(list(visit_ids))
        if flags:
            conditions.append(sql.SQL("flags @> %s::text[]"))
            params.append(list(flags))
        for term in text.lower().split():
            conditions.append(sql.SQL("grams @> %s::text[]"))
            params.append(_term_grams(term))
            if len(term) > 2:  # the pairs narrow it; the substring decides
                conditions.append(sql.SQL("search LIKE %s"))
                params.append("%" + term.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%")
        where = sql.SQL(" AND ").join(conditions)
        direction = sql.SQL("DESC" if descending else "ASC")
        # The page's ids first, then only their documents: no document of a row off the page is read.
        page = sql.SQL(
            "WITH page AS (SELECT id, {order} AS key FROM fv_records WHERE {where} ORDER BY {order} {direction} NULLS LAST, id LIMIT %s OFFSET %s) "
            "SELECT r.doc::text FROM page JOIN fv_records AS r ON r.tbl = 'issues' AND r.id = page.id ORDER BY page.key {direction} NULLS LAST, page.id"
        ).format(where=where, order=sql.Identifier(order), direction=direction)
        count = sql.SQL("SELECT count(*) FROM (SELECT 1 FROM fv_records WHERE {} LIMIT %s) AS counted").format(where)
        with self._pool.connection() as connection:
            rows = connection.execute(page, [*params, limit, offset]).fetchall()
            total = connection.execute(count, [*params, count_limit]).fetchone()[0]
        return [orjson.loads(row[0]) for row in rows], total

    # -- writing --------------------------------------------------------------------------

    def put(self, records: dict[str, Iterable[Record]], meta: dict[str, Any] | None = None) -> None:
        written = {table: list(batch) for table, batch in records.items()}
        seen = self._seen()
        saved: list[tuple[str, str, int]] = []
        with self._pool.connection() as connection, connection.transaction():
            for table, batch in written.items():
                rows = {record["id"]: record for record in batch}  # the last of one id wins, as in the file stores
                saved += self._write_table(connection, table, rows, seen)
            if meta:
                self._merge_meta(connection, meta)
            self._notify(connection, written)
        for table, record_id, version in saved:
            self._remember(table, record_id, version)
        self._written(written)

    def _write_table(self, connection: psycopg.Connection, table: str, rows: dict[str, Record], seen: OrderedDict) -> list[tuple[str, str, int]]:
        checked: list[tuple[str, str, str, int]] = []
        absent: list[tuple[str, str, str]] = []
        blind: list[tuple[str, str, str]] = []
        for record_id, record in rows.items():
            if not isinstance(record_id, str):
                raise TypeError("record ids must be strings")
            doc = orjson.dumps(record).decode()
            grams = " ".join(search_grams(record)) if table == ISSUES else ""
            version = seen.get((table, record_id))
            if version is None:
                blind.append((record_id, doc, grams))
            elif version == 0:
                absent.append((record_id, doc, grams))
            else:
                checked.append((record_id, doc, grams, version))
        saved: dict[str, int] = {}
        if checked:
            ids, docs, grams, versions = map(list, zip(*checked))
            result = connection.execute(
                "UPDATE fv_records AS r SET doc = v.doc::jsonb, grams = string_to_array(v.grams, ' '), version = r.version + 1, "
                "changed_by = %s, changed_at = now() "
                "FROM unnest(%s::text[], %s::text[], %s::text[], %s::bigint[]) AS v(id, doc, grams, expected) "
                "WHERE r.tbl = %s AND r.id = v.id AND r.version = v.expected RETURNING r.id, r.version",
                (self.actor, ids, docs, grams, versions, table),
            ).fetchall()
            saved.update(result)
            self._refuse_unless_all(connection, table, ids, saved)
        if absent:
            ids, docs, grams = map(list, zip(*absent))
            result = connection.execute(
                "INSERT INTO fv_records (tbl, id, doc, grams, changed_by) SELECT %s, v.id, v.doc::jsonb, string_to_array(v.grams, ' '), %s "
                "FROM unnest(%s::text[], %s::text[], %s::text[]) AS v(id, doc, grams) ON CONFLICT (tbl, id) DO NOTHING RETURNING id, version",
                (table, self.actor, ids, docs, grams),
            ).fetchall()
            saved.update(result)
            self._refuse_unless_all(connection, table, ids, saved)
        if blind:
            ids, docs, grams = map(list, zip(*blind))
            result = connection.execute(
                "INSERT INTO fv_records (tbl, id, doc, grams, changed_by) SELECT %s, v.id, v.doc::jsonb, string_to_array(v.grams, ' '), %s "
                "FROM unnest(%s::text[], %s::text[], %s::text[]) AS v(id, doc, grams) ON CONFLICT (tbl, id) DO UPDATE SET "
                "doc = EXCLUDED.doc, grams = EXCLUDED.grams, version = fv_records.version + 1, changed_by = EXCLUDED.changed_by, "
                "changed_at = now() RETURNING id, version",
                (table, self.actor, ids, docs, grams),
            ).fetchall()
            saved.update(result)
        return [(table, record_id, version) for record_id, version in saved.items()]

    def _refuse_unless_all(self, connection: psycopg.Connection, table: str, ids: list[str], saved: dict[str, int]) -> None:
        """Raise `StoreConflictError` (rolling the transaction back) for the first record whose
        row moved on since it was read."""
        lost = [record_id for record_id in ids if record_id not in saved]
        if not lost:
            return
        row = connection.execute(
            "SELECT id, changed_by, changed_at, ref FROM fv_records WHERE tbl = %s AND id = %s", (table, lost[0])
        ).fetchone()
        record_id, by, at, ref = row if row else (lost[0], "", None, None)
        when = at.astimezone().strftime("%H:%M:%S") if isinstance(at, dt.datetime) else ""
        raise StoreConflictError(what=ref or record_id, by=by, at=when, record_id=record_id, table=table)

    @staticmethod
    def _merge_meta(connection: psycopg.Connection, meta: dict[str, Any]) -> None:
        """Key by key in one statement; the row lock serialises concurrent writers, and the
        clock keeps the greater stamp (stamps sort as strings)."""
        connection.execute(
            "UPDATE fv_meta SET doc = doc || %(new)s::jsonb || CASE WHEN jsonb_typeof(doc -> 'clock') = 'string' "
            "AND jsonb_typeof(%(new)s::jsonb -> 'clock') = 'string' AND doc ->> 'clock' > %(new)s::jsonb ->> 'clock' "
            "THEN jsonb_build_object('clock', doc -> 'clock') ELSE '{}'::jsonb END WHERE id = 1",
            {"new": orjson.dumps(meta).decode()},
        )

    def _notify(self, connection: psycopg.Connection, written: dict[str, list[Record]]) -> None:
        for table, batch in written.items():
            ids = list(dict.fromkeys(record["id"] for record in batch))
            head = len(orjson.dumps({"s": self._source, "t": table, "ids": []}))
            chunk: list[str] = []
            size = head
            for record_id in ids:
                cost = len(orjson.dumps(record_id)) + 1
                if chunk and size + cost > NOTIFY_BYTES:
                    self._send(connection, table, chunk)
                    chunk, size = [], head
                chunk.append(record_id)
                size += cost
            if chunk:
                self._send(connection, table, chunk)

    def _send(self, connection: psycopg.Connection, table: str, ids: list[str]) -> None:
        payload = orjson.dumps({"s": self._source, "t": table, "ids": ids}).decode()
        connection.execute("SELECT pg_notify(%s, %s)", (CHANNEL, payload))

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
