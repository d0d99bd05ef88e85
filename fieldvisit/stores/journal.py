"""The JSON store's journal: every `put` appended as one line beside the store file, fsync'd.

Rewriting a 280 MB store for every officer's step took a third of a second and grew with the
store. Instead a `put` appends one line to `<store>.journal` and fsyncs it: a few milliseconds
whatever the store's size. The store file itself is rewritten only by compaction (the base with
the journal's batches spliced in, written atomically), in the background once the journal has
grown, and on close; the journal then starts again.

Each line is plain JSON a person can read:

    {"length":123,"crc32":"89abcdef","batch":{"at":1764583200000,"seq":7,"tables":{"issues":{"01J…":{…}}}}}

`batch` holds whole records by table (the meta document merged, as the `meta` table's `store`
record) and a sequence number; `length` and `crc32` are of the batch's bytes. A line cut short by
a power cut (the last one: every earlier one was fsync'd) fails that check and is dropped: its
`put` never returned. A bad line *before* good ones is damage, reported, never skipped.

Replaying is idempotent: a batch replaces records by id, so replaying lines the store file already
holds (after a crash between compaction's rename and the journal's restart) changes nothing, as
long as every later line is replayed after them. A new journal therefore starts with a header (an
empty batch whose `seq` says every batch up to it is in the store file) and keeps the lines
written during compaction and in the last few seconds, for readers following the journal.
"""

from __future__ import annotations

import re
import zlib
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import orjson

from fieldvisit.core.errors import StoreCorruptError

SUFFIX = ".journal"
COMPACT_BYTES = 8 << 20
"""Compact in the background once the journal holds this much (a few thousand steps)."""
RETAIN_SECONDS = 10.0
"""Lines younger than this stay in a restarted journal, so a reader polling every second
follows a compaction without reading the whole store again."""
_PREFIX = re.compile(rb'\{"length":(\d{1,12}),"crc32":"([0-9a-f]{8})","batch":')
_SUFFIX = b"}\n"


def path_of(store_path: Path) -> Path:
    """The journal beside a store file: `fieldvisit.json` → `fieldvisit.json.journal`."""
    return store_path.with_name(store_path.name + SUFFIX)


@dataclass
class Batch:
    """One line: its sequence number, records by table (id → the record's JSON bytes), and
    where it sits in the journal."""

    seq: int
    at: int
    tables: dict[str, dict[str, bytes]]
    start: int
    end: int
    in_file: int | None = None  # a header's: the last batch the store file holds


def line(seq: int, at: int, tables: dict[str, dict[str, bytes]], in_file: int | None = None) -> bytes:
    """One journal line for `tables` (table → id → the record's canonical JSON bytes)."""
    parts = [b'{"at":%d,' % at + (b'"in_file":%d,' % in_file if in_file is not None else b"") + b'"seq":%d,"tables":{' % seq]
    for number, name in enumerate(sorted(tables)):
        rows = tables[name]
        parts.append((b"," if number else b"") + orjson.dumps(name) + b":{")
        parts.append(b",".join(orjson.dumps(record_id) + b":" + rows[record_id] for record_id in sorted(rows)))
        parts.append(b"}")
    parts.append(b"}}")
    batch = b"".join(parts)
    return b'{"length":%d,"crc32":"%08x","batch":' % (len(batch), zlib.crc32(batch)) + batch + _SUFFIX


def header(seq: int, at: int, in_file: int) -> bytes:
    """The first line of a journal: the lines after it start at `seq` + 1, and the store file
    holds every batch up to `in_file` (the lines kept from before compaction are among them)."""
    return line(seq, at, {}, in_file)


def folded(batches: list[Batch]) -> bool:
    """Whether the store file holds every one of `batches` (a journal restarted, no step since)."""
    return not batches or (batches[0].in_file is not None and batches[0].in_file >= batches[-1].seq)


def parse(raw: bytes, path: Path) -> tuple[list[Batch], int]:
    """The complete lines of `raw` and the length they fill. A torn last line is left out; a
    bad line followed by a good one is damage: StoreCorruptError."""
    batches: list[Batch] = []
    position = 0
    while position < len(raw):
        batch = _decode(raw, position)
        if batch is None:
            if _any_good_line_after(raw, position):
                raise StoreCorruptError(path=str(path), reason=f"journal line at byte {position} is damaged")
            break
        if batches and batch.seq <= batches[-1].seq:
            raise StoreCorruptError(path=str(path), reason=f"journal line at byte {position} is out of order")
        batches.append(batch)
        position = batch.end
    return batches, position


def _decode(raw: bytes, start: int) -> Batch | None:
    match = _PREFIX.match(raw, start)
    if match is None:
        return None
    length = int(match.group(1))
    body_start = match.end()
    body_end = body_start + length
    if raw[body_end : body_end + len(_SUFFIX)] != _SUFFIX:
        return None
    body = raw[body_start:body_end]
    if zlib.crc32(body) != int(match.group(2), 16):
        return None
    try:
        batch = orjson.loads(body)
        tables = {name: {record_id: orjson.dumps(record, option=orjson.OPT_SORT_KEYS) for record_id, record in rows.items()} for name, rows in batch["tables"].items()}
        seq, at = int(batch["seq"]), int(batch["at"])
        in_file = int(batch["in_file"]) if "in_file" in batch else None
    except (orjson.JSONDecodeError, KeyError, TypeError, AttributeError, ValueError):
        return None
    return Batch(seq, at, tables, start, body_end + len(_SUFFIX), in_file)


def _any_good_line_after(raw: bytes, position: int) -> bool:
    newline = raw.find(b"\n", position)
    while newline >= 0 and newline + 1 < len(raw):
        if _decode(raw, newline + 1) is not None:
            return True
        newline = raw.find(b"\n", newline + 1)
    return False


def apply(tables: dict[str, dict[str, Any]], batches: list[Batch]) -> None:
    """Replay `batches` onto `tables` (table → id → record bytes or values), in order."""
    for batch in batches:
        for name, rows in batch.tables.items():
            tables.setdefault(name, {}).update(rows)
