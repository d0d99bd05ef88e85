"""ULID identifiers: sortable by creation time and made offline without any coordination."""

from __future__ import annotations

import random
import time


def new_id(rng: random.Random | None = None, ms: int | None = None) -> str:
    """A fresh ULID; pass `rng` and `ms` to make it reproducible (demo data, tests)."""
    from ulid import ULID  # imported on first use: it costs the field app's start ~15 ms

    if rng is None and ms is None:
        return str(ULID())
    millis = int(time.time() * 1000) if ms is None else ms
    randomness = (rng or random.SystemRandom()).randbytes(10)
    return str(ULID.from_bytes(millis.to_bytes(6, "big") + randomness))


def is_id(text: object) -> bool:
    """True when `text` is a well-formed ULID string in canonical (upper-case) form."""
    if not isinstance(text, str) or len(text) != 26 or text != text.upper():
        return False
    from ulid import ULID  # as in new_id: on first use

    try:
        ULID.from_str(text)
    except ValueError:
        return False
    return True
