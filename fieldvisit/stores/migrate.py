"""Moving an office's register from one back-end to another (`fieldvisit office migrate`): the
JSON store into PostgreSQL when the office outgrows one PC, and back.

Every record of every table and the store's metadata (the office's device identity, its clock,
the device register) go over in one batch — one transaction in PostgreSQL, one atomic file
write in JSON — so a failure leaves the target as it was. The target must hold no records: a
migration never merges into a register that is in use. Afterwards every record is read back
and compared, so "done" means the target gives what the source gave.
"""

from __future__ import annotations

from fieldvisit.core.errors import FieldVisitError
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
