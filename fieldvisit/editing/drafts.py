"""The matter being typed, kept in the store as it is typed, so nothing typed is ever lost.

A crash, a power cut, Esc or Ctrl+N must not cost the recorder what they were writing down. The
form's values are written to the store's `drafts` table (one draft per form: `capture_key` for a
visit's quick capture) a moment after the last change: a draft write is a store write, atomic
like every other, and with a passphrase its values are sealed whole (`stores.at_rest`), since a
draft holds names and phones before any rule has sorted them. A draft is not a record: it has
no stamp, never merges and never travels in a bundle (the exporter reads visits and matters
only). Saving the matter, or the recorder declining to take it back, discards it.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from fieldvisit.stores.store import DRAFTS, Store

DELAY_SECONDS = 1.0
"""How long after the last change a draft is written: typing is not slowed by a store write per
key, and at most this much typing is lost to a power cut."""


CHOICES = ("category", "urgency")


def capture_key(visit_id: str) -> str:
    """The draft of a visit's quick-capture form."""
    return f"capture:{visit_id}"


def typed(values: dict[str, Any], defaults: dict[str, Any]) -> bool:
    """Whether the form holds anything the recorder typed: a value other than the form's own
    default (an untouched form shows the defaults: the first leader as owner, the visit's date)."""
    for name, value in values.items():
        default = defaults.get(name)
        if name in CHOICES:
            continue  # a picker's choice alone is not a matter
        if isinstance(value, bool):
            if value and not default:
                return True
        elif isinstance(value, str) and value.strip() and value.strip() != str(default or "").strip():
            return True
    return False


def keep(store: Store, key: str, values: dict[str, Any], now: dt.datetime | None = None) -> None:
    """Write the form's values as the draft `key` (replacing the one before)."""
    when = (now or dt.datetime.now().astimezone()).isoformat(timespec="seconds")
    store.put({DRAFTS: [{"id": key, "values": dict(values), "kept_at": when}]})


def load(store: Store, key: str) -> dict[str, Any] | None:
    """The draft `key`'s values, or None when there is none."""
    found = store.get(DRAFTS, key)
    if not found or not isinstance(found.get("values"), dict):
        return None
    return dict(found["values"])


def kept_at(store: Store, key: str) -> str:
    found = store.get(DRAFTS, key)
    return str((found or {}).get("kept_at") or "")


def discard(store: Store, key: str) -> None:
    """Forget the draft `key` (the store keeps an empty entry: stores only add and replace)."""
    if store.get(DRAFTS, key) is not None and load(store, key) is not None:
        store.put({DRAFTS: [{"id": key, "values": None}]})
