"""Moving an office's register from one back-end to another (`fieldvisit office migrate`): the
JSON store into PostgreSQL when the office outgrows one PC, and back.

Every record of every table and the store's metadata (the office's device identity, its clock,
the device register) go over in one batch — one transaction in PostgreSQL, one atomic file
write in JSON — so a failure leaves the target as it was. The target must hold no records: a
migration never merges into a register that is in use. Afterwards every record is read back
and compared, so "done" means the target gives what the source gave.

The office's other things (keys, policy, templates, roster, quarantine: `Home.office_files`) go
with it into the target's home when that is another folder (`copy_home`), never over a file the
target already has: a JSON store in a new folder then opens as the same office.
"""

from __future__ import annotations

import shutil
from pathlib import Path

from fieldvisit.core.errors import FieldVisitError
from fieldvisit.locations.paths import Home
from fieldvisit.stores.store import IMPORTS, ISSUES, VISITS, Store

TABLES = (VISITS, ISSUES, IMPORTS)


def migrate(source: Store, target: Store) -> dict[str, int]:
    """Copy everything from `source` into the empty `target`; the number of records per table."""
    for table in TABLES:
        if next(iter(target.records(table)), None) is not None:
            raise FieldVisitError("error.migrate.not_empty", target=target.location, table=table)
    records = {table: list(source.records(table)) for table in TABLES}
    target.put(records, source.meta())
    for table, batch in records.items():
        for record in batch:
            if target.get(table, record["id"]) != record:
                raise FieldVisitError("error.migrate.mismatch", target=target.location, table=table, record_id=record["id"])
    return {table: len(batch) for table, batch in records.items()}


def copy_home(source: Home, target: Home) -> tuple[list[Path], list[Path]]:
    """Copy the office's files of `source` into `target` (permissions kept: the keys stay 0600),
    folders file by file. Returns (the files copied, those left alone because the target has
    them already). Nothing to do when both homes are one folder, or either is in memory."""
    copied: list[Path] = []
    kept: list[Path] = []
    if source.folder is None or target.folder is None or source.folder.resolve() == target.folder.resolve():
        return copied, kept
    for origin in source.office_files:
        files = sorted(path for path in origin.rglob("*") if path.is_file()) if origin.is_dir() else [origin] if origin.is_file() else []
        for path in files:
            destination = target.folder / path.relative_to(source.folder)
            if destination.exists():
                kept.append(destination)
                continue
            destination.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(path, destination)
            copied.append(destination)
    return copied, kept
