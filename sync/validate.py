"""Everything an import checks before it writes anything (docs/architecture.md §6).

`read_bundle(raw)` turns the bytes of a `.fvb` file (gzip) or a plain JSON bundle into a checked
bundle, or raises `BundleError` naming the first problem: not a bundle, truncated, too large,
foreign format, newer version, schema violation (checked with `bundle.schema.json`, the same file
the format document publishes), wrong digest, duplicate ids, stamps from the future, sizes beyond
`sync.limits`.
"""

from __future__ import annotations

import json
import time
import zlib
from functools import cache
from pathlib import Path
from typing import Any

import fastjsonschema
import orjson

from fieldvisit.core.clock import Stamp, is_stamp
from fieldvisit.core.errors import BundleError
from fieldvisit.core.ids import is_id
from fieldvisit.sync import bundle as fmt
from fieldvisit.sync import limits

DEFAULT_MAX_BYTES = 64 * 1024 * 1024
"""Largest bundle accepted, uncompressed: a real visit is a few hundred KB."""
MAX_FUTURE_MS = 2 * 24 * 3600 * 1000
"""Stamps further ahead of this machine's clock than this are refused: a laptop clock set wrong."""
GZIP_MAGIC = b"\x1f\x8b"


@cache
def _schema_check():
    schema = json.loads(Path(__file__).with_name("bundle.schema.json").read_text("utf-8"))
    return fastjsonschema.compile(schema)


def read_bundle(raw: bytes, max_bytes: int = DEFAULT_MAX_BYTES, now_ms: int | None = None) -> dict[str, Any]:
    text = _decompress(raw, max_bytes)
    try:
        data = orjson.loads(text)
    except orjson.JSONDecodeError as error:
        key = "error.bundle.truncated" if _looks_cut_short(text, error) else "error.bundle.not_json"
        raise BundleError(key, detail=str(error)) from None
    if not isinstance(data, dict) or data.get("format") != fmt.FORMAT:
        found = data.get("format") if isinstance(data, dict) else type(data).__name__
        raise BundleError("error.bundle.foreign", found=str(found or "—")[:60])
    version = data.get("version")
    if isinstance(version, int) and version > fmt.VERSION:
        raise BundleError("error.bundle.newer", version=version, supported=fmt.VERSION)
    try:
        _schema_check()(data)
    except fastjsonschema.JsonSchemaValueException as error:
        raise BundleError("error.bundle.schema", detail=_schema_message(error)) from None
    if version != fmt.VERSION:
        raise BundleError("error.bundle.newer", version=version, supported=fmt.VERSION)
    _reject_floats(data)
    if fmt.digest_of(data) != data["digest"]:
        raise BundleError("error.bundle.digest")
    _check_ids(data)
    _check_stamps(data, int(time.time() * 1000) if now_ms is None else now_ms)
    limits.check_bundle(data)
    return data


def decompress(raw: bytes, max_bytes: int = DEFAULT_MAX_BYTES) -> bytes:
    """The JSON text of a `.fvb` or plain JSON input, with `read_bundle`'s size and truncation
    checks: what the trust gate looks at to tell a sealed envelope from a plain bundle."""
    return _decompress(raw, max_bytes)


def _decompress(raw: bytes, max_bytes: int) -> bytes:
    if not raw.startswith(GZIP_MAGIC):
        stripped = raw.lstrip(b"\xef\xbb\xbf \t\r\n")
        if not stripped.startswith(b"{"):
            raise BundleError("error.bundle.not_bundle")
        if len(raw) > max_bytes:
            raise BundleError("error.bundle.too_large", limit=_mib(max_bytes))
        return stripped
    inflater = zlib.decompressobj(wbits=31)
    try:
        text = inflater.decompress(raw, max_bytes + 1)
    except zlib.error as error:
        raise BundleError("error.bundle.corrupt", detail=str(error)) from None
    if len(text) > max_bytes:
        raise BundleError("error.bundle.too_large", limit=_mib(max_bytes))
    if not inflater.eof:
        raise BundleError("error.bundle.truncated", detail="gzip stream ends early")
    if inflater.unused_data.strip(b"\x00"):
        raise BundleError("error.bundle.corrupt", detail="data after the gzip stream")
    return text


def _looks_cut_short(text: bytes, error: orjson.JSONDecodeError) -> bool:
    """The parser ran out of text, or the text ends inside a UTF-8 character: it was cut off."""
    if error.msg.startswith("unexpected end of data"):
        return True
    try:
        text.decode("utf-8")
    except UnicodeDecodeError as bad:
        return bad.reason == "unexpected end of data"
    return False


def _schema_message(error: fastjsonschema.JsonSchemaValueException) -> str:
    message = error.message
    for prefix in ("data.", "data "):
        if message.startswith(prefix):
            message = message[len(prefix):]
    return message[:200]


def _reject_floats(value: Any) -> None:
    """The format has integers only; JSON Schema's "integer" also admits 2.0, so look."""
    stack = [value]
    while stack:
        item = stack.pop()
        if isinstance(item, float):
            raise BundleError("error.bundle.schema", detail=f"number {item!r} is not a whole number in canonical form")
        if isinstance(item, dict):
            stack.extend(item.values())
        elif isinstance(item, list):
            stack.extend(item)


def _check_ids(data: dict[str, Any]) -> None:
    """Ids exactly as the schema means them (its `$` would let a trailing newline through), once each."""
    seen: set[str] = set()
    for table in fmt.TABLES:
        for record in data[table]:
            if not is_id(record["id"]):
                raise BundleError("error.bundle.schema", detail=f"bad id {record['id']!r}")
            if record["id"] in seen:
                raise BundleError("error.bundle.duplicate", record_id=record["id"])
            seen.add(record["id"])
            if record["type"] != table[:-1]:
                raise BundleError("error.bundle.schema", detail=f"{record['id']} has type {record['type']} in {table}")


def _check_stamps(data: dict[str, Any], now_ms: int) -> None:
    stamps = list(_all_stamps(data))
    for stamp in stamps:
        if not is_stamp(stamp):
            raise BundleError("error.bundle.schema", detail=f"bad stamp {stamp!r}")
    latest = max(stamps, default=None)
    if latest is not None and Stamp.parse(latest).wall_ms > now_ms + MAX_FUTURE_MS:
        days = (Stamp.parse(latest).wall_ms - now_ms) // (24 * 3600 * 1000)
        raise BundleError("error.bundle.future", stamp=latest, days=days)


def _all_stamps(data: dict[str, Any]):
    for table in fmt.TABLES:
        for record in data[table]:
            yield record["stamp"]
            for register in record["fields"].values():
                yield from (value for key, value in register.items() if key in ("s", "b"))
                yield from register.get("r", ())
            for registers in record.get("history", {}).values():
                yield from registers
                for register in registers.values():
                    yield from (register[key] for key in ("b",) if key in register)
                    yield from register.get("r", ())
            for entries in record.get("maps", {}).values():
                yield from (entry["s"] for entry in entries.values() if "s" in entry)


def _mib(size: int) -> str:
    return f"{size / 1024 / 1024:g} MiB"
