"""The roster on the laptop: one file beside the store, sealed when the store has a passphrase.

A roster names every employee with a phone: it is personal data like a petitioner's, so with a
passphrase set the people are sealed with the store's own key (`StoreCipher.seal_value`, the
XSalsa20-Poly1305 of `fieldvisit.stores.at_rest`), and only the count and the source's name stay
readable. The file is written atomically (`write_atomically`): a crash leaves the old roster or
the new one. It lives in `Home.roster_file` beside the store and never inside it, so no export
or bundle can carry it.

When the passphrase is set, changed or removed, `reseal` rewrites the roster with the new key
right after the store; should the laptop stop between the two, the roster does not open with
the new passphrase and says so: importing the HR file again puts it back.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any
from collections.abc import Iterable

import orjson

from fieldvisit.core.errors import RosterError, StoreCorruptError
from fieldvisit.roster.people import Person, Roster
from fieldvisit.stores.storage import write_atomically

FORMAT = "fieldvisit.roster"
VERSION = 1


def save_roster(path: Path, people: Iterable[Person], cipher: Any = None, source: str = "", imported_at: str = "") -> int:
    """Replace the roster in `path` with `people` (sealed with `cipher` when given); their count."""
    rows = [person.as_row() for person in people]
    payload: dict[str, Any] = {"people": rows}
    document: dict[str, Any] = {
        "format": FORMAT,
        "version": VERSION,
        "imported_at": imported_at or dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        "source": Path(source).name if source else "",
        "count": len(rows),
    }
    if cipher is not None:
        document["sealed"] = cipher.seal_value(payload)
    else:
        document.update(payload)
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    write_atomically(path, orjson.dumps(document))
    return len(rows)


def read_document(path: Path) -> dict[str, Any] | None:
    """The roster file's JSON (people still sealed), or None when there is none."""
    try:
        data = Path(path).read_bytes()
    except FileNotFoundError:
        return None
    try:
        document = orjson.loads(data)
    except orjson.JSONDecodeError:
        raise RosterError("error.roster.damaged", path=str(path)) from None
    if not isinstance(document, dict) or document.get("format") != FORMAT or document.get("version") != VERSION:
        raise RosterError("error.roster.damaged", path=str(path))
    return document


def load_roster(path: Path | None, cipher: Any = None) -> Roster:
    """The roster kept in `path`; an empty one when there is none (or the store lives in memory)."""
    if path is None:
        return Roster()
    document = read_document(path)
    if document is None:
        return Roster()
    return Roster(_people(document, path, cipher))


def _people(document: dict[str, Any], path: Path, cipher: Any) -> list[Person]:
    if "sealed" in document:
        if cipher is None:
            raise RosterError("error.roster.sealed", path=str(path))
        try:
            payload = cipher.open_value(document["sealed"])
        except StoreCorruptError:  # another key, or damaged bytes
            raise RosterError("error.roster.other_key", path=str(path)) from None
    else:
        payload = document
    try:
        return [Person.from_row(row) for row in payload["people"]]
    except (KeyError, TypeError, ValueError):
        raise RosterError("error.roster.damaged", path=str(path)) from None


def is_sealed(path: Path | None) -> bool:
    document = read_document(path) if path is not None else None
    return bool(document and "sealed" in document)


def reseal(path: Path | None, old_cipher: Any, new_cipher: Any) -> bool:
    """After the store's passphrase changed: the roster sealed with `new_cipher` (plain for
    None). True when there was a roster to rewrite."""
    if path is None:
        return False
    document = read_document(path)
    if document is None:
        return False
    people = _people(document, path, old_cipher)
    save_roster(path, people, new_cipher, document.get("source") or "", document.get("imported_at") or "")
    return True


def remove_roster(path: Path | None) -> bool:
    if path is None or not Path(path).exists():
        return False
    Path(path).unlink()
    return True
