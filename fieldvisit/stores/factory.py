"""One way to open the office's store of records, from `--store` or `FIELDVISIT_STORE`.

Nothing else builds a store class for the office: every command and the office app ask here.
And nothing asks a store where it lives: the office's other files (keys, quarantine, policy,
caches) are found through its `paths.Home`, which the spec gives.

- nothing given: the embedded JSON store, `<data dir>/office/fieldvisit.json` (the default, no server);
- a path: a JSON store there (a folder, or the `.json` file itself);
- `postgresql://…` (or `postgres://…`): the PostgreSQL back-end, `fieldvisit.stores.postgres`.

A laptop's own store is always the JSON store (it may have a passphrase: `stores.at_rest`).
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import parse_qsl, urlsplit, urlunsplit

from fieldvisit.core.errors import FieldVisitError
from fieldvisit.locations.paths import Home
from fieldvisit.stores.store import Store, TinyDBStore

STORE_ENV = "FIELDVISIT_STORE"
POSTGRES_SCHEMES = ("postgresql", "postgres")


@dataclass(frozen=True)
class StoreSpec:
    """Where an office's records are: a JSON file, or a PostgreSQL URL (exactly one is set)."""

    file: Path | None = None
    url: str | None = None

    @property
    def is_postgres(self) -> bool:
        return self.url is not None

    def home(self, default_folder: Path) -> Home:
        """Where the office keeps its other files: beside a JSON store; the data dir's office
        folder for a database (its keys and quarantine never go into the database)."""
        return Home.beside(self.file) if self.file is not None else Home(Path(default_folder))

    def describe(self) -> str:
        """For messages: the file, or the URL without its password."""
        return str(self.file) if self.file is not None else without_password(self.url or "")


def parse_spec(given: str | os.PathLike | None, default_folder: Path) -> StoreSpec:
    """`--store` if given, else `$FIELDVISIT_STORE`, else the JSON store in `default_folder`."""
    text = os.fspath(given) if given else os.environ.get(STORE_ENV, "")
    if urlsplit(text).scheme.lower() in POSTGRES_SCHEMES:
        return StoreSpec(url=text)
    if not text:
        return StoreSpec(file=Path(default_folder) / TinyDBStore.FILE_NAME)
    path = Path(text).expanduser()
    return StoreSpec(file=path if path.suffix.lower() == ".json" else path / TinyDBStore.FILE_NAME)


def open_office_store(spec: StoreSpec, *, deferred: bool = False, parsed: bool = False, read_only: bool = False) -> Store:
    """The office's store. JSON: indexed rather than parsed (`SplicingJSONStore`, a fraction of
    the memory), read in the background when `deferred`; `parsed` reads it whole instead
    (`TinyDBStore`), for a command that reads every record once. `read_only`: for a command
    that only reads (a report, an export) or a second office app: no lock, so it opens while the
    office app writes, on the file and journal as they were at one moment; `put` is refused."""
    if spec.url is not None:
        try:
            from fieldvisit.stores.postgres import PostgresStore
        except ImportError as error:
            raise FieldVisitError("error.store.postgres_missing", reason=str(error)) from None
        return PostgresStore(spec.url)
    assert spec.file is not None
    if read_only:
        from fieldvisit.stores.splice_store import SplicingJSONStore

        return SplicingJSONStore(spec.file, deferred=deferred, read_only=True)
    if parsed:
        return TinyDBStore(spec.file)
    from fieldvisit.stores.splice_store import SplicingJSONStore

    return SplicingJSONStore(spec.file, deferred=deferred)


def without_password(url: str) -> str:
    """A database URL fit for a message or a log: a password, in the authority or the query
    (`?password=`), replaced by `***`."""
    parts = urlsplit(url)
    query = "&".join(
        f"{key}=***" if key.lower() == "password" else (f"{key}={value}" if value else key)
        for key, value in parse_qsl(parts.query, keep_blank_values=True)
    )
    netloc = parts.netloc
    if parts.password is not None:
        host = parts.hostname or ""
        if parts.port is not None:
            host = f"{host}:{parts.port}"
        netloc = (f"{parts.username}:***@" if parts.username else ":***@") + host
    return urlunsplit((parts.scheme, netloc, parts.path, query, parts.fragment))
