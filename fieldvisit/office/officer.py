"""Who the officer at this PC is: a name said once per operating-system account and remembered
in a small file (`locations.paths.officer_file`), so every step, feedback, reply, printed notice
and conflict resolution is signed with a person's name, not the login name (`root`).

The file is plain JSON, `{"name": "周敏"}`, written atomically. A file that cannot be read is
treated as no name yet (the app asks again) rather than an error: it only saves typing.
"""

from __future__ import annotations

import json
from pathlib import Path

from fieldvisit.core.errors import InputError
from fieldvisit.core.model import MAX_LENGTHS, clean_text
from fieldvisit.stores.storage import write_atomically

FIELD = "officer"
"""The name's field, for messages: labelled `officer.field.officer`; at most `MAX_LENGTHS["by"]`."""


def load_officer(path: Path | None) -> str:
    """The name remembered in `path`; "" when there is none (no path, no file, unreadable)."""
    if path is None:
        return ""
    try:
        found = json.loads(Path(path).read_text("utf-8"))
    except (OSError, ValueError):
        return ""
    name = found.get("name") if isinstance(found, dict) else None
    try:
        return clean_name(name) if isinstance(name, str) else ""
    except InputError:
        return ""


def clean_name(name: str) -> str:
    """The name as it signs: one line, no control characters, not empty, within the limit."""
    cleaned = clean_text(name, FIELD)
    if len(cleaned) > MAX_LENGTHS["by"]:  # it signs entries, whose "by" has this limit
        raise InputError(FIELD, "error.text.too_long", limit=MAX_LENGTHS["by"], length=len(cleaned))
    if not cleaned:
        raise InputError(FIELD, "officer.name_required")
    return cleaned


def save_officer(path: Path | None, name: str) -> str:
    """Remember `name` (cleaned, which is returned) in `path`; nothing is written without a path."""
    cleaned = clean_name(name)
    if path is not None:
        path = Path(path)
        path.parent.mkdir(parents=True, exist_ok=True)
        write_atomically(path, json.dumps({"name": cleaned}, ensure_ascii=False).encode("utf-8"))
    return cleaned
