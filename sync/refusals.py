"""The log of refused bundles, kept in the office's home (`paths.Home.refusals_file`).

A refused bundle must leave the store byte for byte as it was, yet the office wants to know what
was refused, when and why (someone may be probing the register). Each refusal is appended as
one JSON line: when, the source, the reason in the officer's language and its message key, the
device the bundle claimed (when it was read that far), and the SHA-256 and size of what arrived.
Appends are fsynced; past `MAX_BYTES` the log is rotated to `*.1`, so it cannot fill the disk.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import os
from pathlib import Path

import orjson

MAX_BYTES = 8 * 1024 * 1024
"""Size at which the log moves to `<name>.1` (replacing an older one) and starts afresh."""


def record(path: Path | None, source: str, raw: bytes, reason: str, message_key: str, device: str = "") -> None:
    """Append one refusal; a log that cannot be written never hides the refusal itself."""
    if path is None:
        return
    entry = {
        "at": dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds").replace("+00:00", "Z"),
        "source": source,
        "reason": reason,
        "reason_key": message_key,
        "device": device,
        "sha256": hashlib.sha256(raw).hexdigest(),
        "bytes": len(raw),
    }
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        if path.exists() and path.stat().st_size > MAX_BYTES:
            os.replace(path, path.with_name(path.name + ".1"))
        with open(path, "ab") as log:
            log.write(orjson.dumps(entry) + b"\n")
            log.flush()
            os.fsync(log.fileno())
    except OSError:
        pass  # the officer still sees the refusal on screen or on stderr


def read(path: Path | None) -> list[dict]:
    """The refusals logged so far, oldest first (the rotated part first); damaged lines skipped."""
    found: list[dict] = []
    if path is None:
        return found
    for part in (path.with_name(path.name + ".1"), path):
        if not part.exists():
            continue
        for line in part.read_bytes().splitlines():
            try:
                found.append(orjson.loads(line))
            except orjson.JSONDecodeError:
                continue
    return found
