"""Where every record of the JSON store sits in its file, kept beside it: the store opens without
scanning the file.

Indexing a 281 MB store (100,000 matters) by scanning its bytes took 3–4 s of every cold open.
The index itself is small (each record's id and three offsets: about 5 MB), so the writer keeps it
in `<store>.index` whenever it has one for the file as it is on disk: after each compaction and
after indexing a file it opened. The store file stays plain JSON and stays the truth; the index
is derived data and never trusted on its word:

- it names the file it was made for (size, modification time, inode: a store file is only ever
  replaced whole, so its inode changes on every write), and is ignored for any other;
- its own bytes carry a CRC, so a file torn by a power cut (it is written without fsync: it only
  saves time) is ignored;
- every span it gives is checked against the file's bytes before use: each table's key and
  braces, each record's `"<id>":{` at its place, each record's `}` followed by `,` or the table's
  `}`, records and tables following each other with nothing in between. A file whose bytes do not
  agree (changed in place, restored with its old times) is indexed from its bytes again.

Layout: a first line `FVSPANS1`, a line of JSON (the file's token, each table's name, spans and
where its parts are in the body, the body's length and CRC), then the body: per table the ids as
a JSON array and three arrays of int64 offsets.
"""

from __future__ import annotations

import os
import sys
import zlib
from array import array
from collections.abc import Iterable
from itertools import pairwise
from pathlib import Path
from typing import Any

import orjson

SUFFIX = ".index"
MAGIC = b"FVSPANS1\n"
FORMAT = "fieldvisit.store-spans"
TEMP_SUFFIX = ".tmp"


def path_of(store_path: Path) -> Path:
    """`fieldvisit.json` → `fieldvisit.json.index`."""
    return store_path.with_name(store_path.name + SUFFIX)


def save(store_path: Path, token: dict[str, Any], tables: Iterable[Any]) -> None:
    """Keep the spans of `tables` (the store's `_Table`s) for the file whose token is `token`.
    Best effort: a full disk or a read-only folder only costs the next open its scan."""
    parts: list[bytes] = []
    entries = []
    size = 0
    for table in tables:
        pieces = [orjson.dumps(table.ids), table.starts.tobytes(), table.values.tobytes(), table.ends.tobytes()]
        entries.append({"name": table.name, "start": table.start, "value": table.value, "end": table.end, "count": len(table.ids),
                        "parts": [len(piece) for piece in pieces], "at": size})
        parts += pieces
        size += sum(len(piece) for piece in pieces)
    body = b"".join(parts)
    head = {"format": FORMAT, "file": token, "byteorder": sys.byteorder, "length": len(body), "crc32": zlib.crc32(body), "tables": entries}
    target = path_of(store_path)
    temp = target.with_name(f".{target.name}.{os.getpid()}{TEMP_SUFFIX}")
    try:
        with open(temp, "wb") as handle:
            handle.write(MAGIC + orjson.dumps(head) + b"\n")
            handle.write(body)
        os.replace(temp, target)
    except OSError:
        temp.unlink(missing_ok=True)


def drop(store_path: Path) -> None:
    """Remove the index (the file is about to be written by something that keeps none)."""
    try:
        path_of(store_path).unlink(missing_ok=True)
    except OSError:
        pass


def load(store_path: Path, token: dict[str, Any], data: Any) -> list[tuple] | None:
    """The tables (name, start, value, end, ids, starts, values, ends) of the file whose token is
    `token` and whose bytes are `data` (bytes or a mapping of the file), when the index kept
    beside it is for that file and every span checks out against `data`; else None (scan the file)."""
    try:
        raw = path_of(store_path).read_bytes()
    except OSError:
        return None
    try:
        if not raw.startswith(MAGIC):
            return None
        newline = raw.index(b"\n", len(MAGIC))
        head = orjson.loads(raw[len(MAGIC) : newline])
        if head.get("format") != FORMAT or head.get("file") != token or head.get("byteorder") != sys.byteorder:
            return None
        body = memoryview(raw)[newline + 1 :]
        if len(body) != head["length"] or zlib.crc32(body) != head["crc32"]:
            return None
        tables = []
        for entry in head["tables"]:
            cuts = [entry["at"]]
            for length in entry["parts"]:
                cuts.append(cuts[-1] + length)
            ids = orjson.loads(body[cuts[0] : cuts[1]])
            arrays = []
            for first, last in pairwise(cuts[1:]):
                numbers = array("q")
                numbers.frombytes(body[first:last])
                arrays.append(numbers)
            if not isinstance(ids, list) or len(arrays) != 3 or not all(len(numbers) == len(ids) == entry["count"] for numbers in arrays):
                return None
            tables.append((entry["name"], entry["start"], entry["value"], entry["end"], ids, *arrays))
    except (ValueError, KeyError, TypeError, IndexError, orjson.JSONDecodeError):
        return None
    return tables if holds(data, tables) else None


def holds(data: Any, tables: list[tuple]) -> bool:
    """Whether `data` has exactly these tables and records where the spans say, one after the
    other, and nothing else at the top level."""
    size = len(data)
    if size < 2 or data[0] != 0x7B or data[size - 1] != 0x7D:
        return False
    position = 1  # where the next table's key must start
    names = []
    for number, (name, start, value, end, ids, starts, values, ends) in enumerate(tables):
        if number and data[position - 1] != 0x2C:  # `,` between tables
            return False
        names.append(name)
        if start != position or not (start < value < end <= size - 1) or data[start : value + 1] != orjson.dumps(name) + b":{":
            return False
        if data[end - 1] != 0x7D or not _records_hold(data, value, end, ids, starts, values, ends):
            return False
        position = end + 1
    if names != sorted(names) or len(set(names)) != len(names):
        return False
    return position == size if tables else size == 2


def _records_hold(data: Any, value: int, end: int, ids: list[str], starts: array, values: array, ends: array) -> bool:
    """The records of the table whose `{` is at `value` and whose `}` ends at `end` (record offsets
    are relative to its `{`). C-level loops (`map`, array comparisons): it runs on every open."""
    if not ids:
        return end - value == 2
    if starts[0] != 1 or ends[-1] != end - value - 1:
        return False
    if starts[1:] != array("q", map(_ONE.__add__, ends[:-1])):  # one after the other, one byte between
        return False
    if ids != sorted(ids) or len(set(ids)) != len(ids):
        return False
    joined = "".join(ids)
    if joined.isprintable() and '"' not in joined and "\\" not in joined:  # keys are the ids in quotes
        expected = ('"' + '":{"'.join(ids) + '":{').encode()
    else:
        expected = b"".join(orjson.dumps(record_id) + b":{" for record_id in ids)
    keys = map(slice, map(value.__add__, starts), map((value + 1).__add__, values))  # each record's `"<id>":{`
    if b"".join(map(data.__getitem__, keys)) != expected:
        return False
    closing = map(slice, map((value - 1).__add__, ends), map((value + 1).__add__, ends))  # each record's `}` and what follows
    return b"".join(map(data.__getitem__, closing)) == b"}," * (len(ids) - 1) + b"}}"


_ONE = 1
