"""The baseline `import_bundle.py` times against `fieldvisit import`: the same store in SQLite.

Not a benchmark on its own. What a user who keeps the office's matters in SQLite instead would
run to import a laptop's bundle:

    python benchmarks/sqlite_baseline.py import STORE.sqlite BUNDLE.fvb

reads and checks the bundle with fieldvisit's own reader (`sync.validate.read_bundle`: size,
gzip, schema, digest, ids, stamps), merges every record into its stored row with fieldvisit's
own merge (`sync.merge`), and writes the rows and one import-log row in one transaction, with the
default rollback journal and `PRAGMA synchronous=FULL` (fsync on commit, as fieldvisit's store
fsyncs its file). It prints the SHA-256 of the merged matters (sorted by id, canonical JSON), so
the caller can check that both imports left the same matters.

    python benchmarks/sqlite_baseline.py build STORE.json STORE.sqlite

makes the database from a store file as `TinyDBStore` writes it: a table per kind of record
(`id TEXT PRIMARY KEY, doc TEXT`, the record as JSON), plus `meta`.

Only the modules the import needs are imported, so the interpreter's start-up is comparable.
"""

from __future__ import annotations

import hashlib
import json
import sqlite3
import sys
from pathlib import Path

import orjson

TABLES = ("visits", "issues", "imports")


def connect(path: Path) -> sqlite3.Connection:
    connection = sqlite3.connect(path, isolation_level=None)
    connection.execute("PRAGMA synchronous=FULL")
    return connection


def build(store_path: Path, db_path: Path) -> None:
    data = orjson.loads(store_path.read_bytes())
    db_path.unlink(missing_ok=True)
    connection = connect(db_path)
    connection.execute("BEGIN")
    for table in TABLES:
        connection.execute(f"CREATE TABLE {table} (id TEXT PRIMARY KEY, doc TEXT NOT NULL)")
        connection.executemany(f"INSERT INTO {table} VALUES (?, ?)",
                               ((key, orjson.dumps(record, option=orjson.OPT_SORT_KEYS).decode()) for key, record in data.get(table, {}).items()))
    connection.execute("CREATE TABLE meta (key TEXT PRIMARY KEY, doc TEXT NOT NULL)")
    connection.executemany("INSERT INTO meta VALUES (?, ?)", ((key, orjson.dumps(value).decode()) for key, value in data.get("meta", {}).items()))
    connection.execute("COMMIT")
    connection.close()


def matters_digest(records: list[dict]) -> str:
    digest = hashlib.sha256()
    for record in sorted(records, key=lambda record: record["id"]):
        digest.update(orjson.dumps(record, option=orjson.OPT_SORT_KEYS))
    return digest.hexdigest()


def import_bundle(db_path: Path, bundle_path: Path) -> dict:
    import datetime as dt

    from fieldvisit.sync.bundle import expand_record
    from fieldvisit.sync.merge import merge_records, settle
    from fieldvisit.sync.validate import read_bundle

    raw = bundle_path.read_bytes()
    bundle = read_bundle(raw)
    connection = connect(db_path)
    merged_issues, counts = [], {"new": 0, "updated": 0}
    connection.execute("BEGIN IMMEDIATE")
    for table in ("visits", "issues"):
        for compact in bundle[table]:
            incoming = expand_record(compact)
            row = connection.execute(f"SELECT doc FROM {table} WHERE id = ?", (incoming["id"],)).fetchone()
            merged = settle(incoming) if row is None else merge_records(orjson.loads(row[0]), incoming)
            counts["new" if row is None else "updated"] += table == "issues"
            connection.execute(f"INSERT OR REPLACE INTO {table} VALUES (?, ?)", (merged["id"], orjson.dumps(merged, option=orjson.OPT_SORT_KEYS).decode()))
            if table == "issues":
                merged_issues.append(merged)
    entry = {"id": bundle["bundle_id"], "device": bundle["device"], "imported_at": dt.datetime.now(dt.UTC).isoformat(),
             "counts": counts}
    connection.execute("INSERT OR REPLACE INTO imports VALUES (?, ?)", (bundle["bundle_id"], orjson.dumps(entry).decode()))
    connection.execute("COMMIT")
    total = connection.execute("SELECT count(*) FROM issues").fetchone()[0]
    connection.close()
    return {"counts": counts, "issues": total, "digest": matters_digest(merged_issues)}


if __name__ == "__main__":
    if len(sys.argv) == 4 and sys.argv[1] == "build":
        build(Path(sys.argv[2]), Path(sys.argv[3]))
    elif len(sys.argv) == 4 and sys.argv[1] == "import":
        print(json.dumps(import_bundle(Path(sys.argv[2]), Path(sys.argv[3]))))
    else:
        raise SystemExit(__doc__)
