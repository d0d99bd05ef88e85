"""Hybrid logical clock (HLC): every write gets a stamp that sorts as a plain string.

A stamp is `<wall ms, 13 digits>-<counter, 4 hex>-<device ULID>`. The clock never hands out a
stamp lower than one it handed out or saw before, even when the laptop's clock jumps back, so
"greater stamp wins" stays meaningful across devices that are offline for weeks.
"""

from __future__ import annotations

import datetime as dt
import re
import time
from dataclasses import dataclass
from typing import Callable

STAMP_PATTERN = re.compile(r"^([0-9]{13})-([0-9a-f]{4})-([0-7][0-9A-HJKMNP-TV-Z]{25})$")
MAX_COUNTER = 0xFFFF


def wall_clock_ms() -> int:
    return int(time.time() * 1000)


def today() -> dt.date:
    """The local date: the default for a new visit. One function, so tests can fix it."""
    return dt.date.today()


def local_minute(iso: str) -> str:
    """`2026-11-15T08:59:12+08:00` → `2026-11-15 08:59`, how a person reads a time."""
    return iso[:16].replace("T", " ")


@dataclass(frozen=True, order=True)
class Stamp:
    wall_ms: int
    counter: int
    device: str

    def __str__(self) -> str:
        return f"{self.wall_ms:013d}-{self.counter:04x}-{self.device}"

    @classmethod
    def parse(cls, text: str) -> "Stamp":
        match = STAMP_PATTERN.fullmatch(text) if isinstance(text, str) else None
        if match is None:
            raise ValueError(f"not a stamp: {text!r}")
        return cls(int(match[1]), int(match[2], 16), match[3])


def is_stamp(text: object) -> bool:
    return isinstance(text, str) and STAMP_PATTERN.fullmatch(text) is not None


class HybridClock:
    """Issues monotonic stamps for one device; `last` is persisted with every write."""

    def __init__(self, device: str, last: str | None = None, wall: Callable[[], int] = wall_clock_ms):
        self.device = device
        self._wall = wall
        self._last = Stamp.parse(last) if last else Stamp(0, 0, device)

    @property
    def last(self) -> str:
        return str(self._last)

    def now(self) -> str:
        """A stamp greater than every stamp this clock has issued or observed."""
        physical = self._wall()
        if physical > self._last.wall_ms:
            self._last = Stamp(physical, 0, self.device)
        else:
            self._last = self._advance(self._last.wall_ms, self._last.counter + 1)
        return str(self._last)

    def observe(self, stamp: str) -> None:
        """Move past a stamp seen from another device, so later local writes sort after it."""
        seen = Stamp.parse(stamp)
        if (seen.wall_ms, seen.counter) > (self._last.wall_ms, self._last.counter):
            self._last = Stamp(seen.wall_ms, seen.counter, self.device)

    def _advance(self, wall_ms: int, counter: int) -> Stamp:
        if counter > MAX_COUNTER:
            return Stamp(wall_ms + 1, 0, self.device)
        return Stamp(wall_ms, counter, self.device)


def stamp_time(stamp: str) -> str:
    """When a stamp was made, in local time to the minute: how the audit trail shows it."""
    return dt.datetime.fromtimestamp(Stamp.parse(stamp).wall_ms / 1000).strftime("%Y-%m-%d %H:%M")
