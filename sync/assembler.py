"""Putting scanned frames back together: any order, repeats, several bundles interleaved.

Each accepted line is kept (so progress can be saved and reloaded as plain text). Every frame is a
linear equation over GF(256) in the fragments (a plain frame names one fragment, a fountain frame
mixes all of them); they are solved as they arrive, so once `count` independent frames are in,
every fragment is known and `payload()` gives the compressed bytes. Decompression and the digest
check happen in the import.

The cost of any input is bounded before it is paid: a frame's header is checked first
(`frames.parse_header`: at most `MAX_FRAGMENTS` fragments, `MAX_PAYLOAD_BYTES`, a line no longer
than a QR code holds), a frame for a complete bundle or one already taken is answered without
decoding it, at most `MAX_BUNDLES_IN_PROGRESS` bundles are received at once, and a bundle keeps
one row per fragment it has solved for. So one frame costs at most 2 × `count` row operations
(each a `bytes.translate` and a big-integer XOR over `count` + fragment bytes), and a stream of
frames costs time linear in its length.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from fieldvisit.core.errors import BundleError
from fieldvisit.sync import gf256
from fieldvisit.sync.frames import MAX_FRAGMENTS, Frame, coefficients, decode, parse_header

ACCEPTED, DUPLICATE, COMPLETE, FINISHED = "accepted", "duplicate", "complete", "finished"

MAX_BUNDLES_IN_PROGRESS = 8
"""The most bundles one scanner receives at once (incomplete ones; a complete bundle is
imported and leaves). An office desk takes a few laptops' visits side by side; a frame that
would start one more is refused until one is finished or cleared. With `MAX_FRAGMENTS` this
bounds what is kept in memory and in the saved progress."""
MAX_FINISHED = 64
"""Finished bundles remembered so that a display still cycling through one is answered at once
("already complete") instead of being assembled and imported again."""
MAX_SAVED_LINES = MAX_BUNDLES_IN_PROGRESS * MAX_FRAGMENTS
"""The most lines saved progress can hold; `restore` reads no more than these."""


@dataclass
class Progress:
    """One bundle being received: the frames learnt so far, solved as linear equations over GF(256).

    `rows` maps a pivot (a fragment index, 1…count) to one row in reduced echelon form: the
    `count` coefficients followed by the fragment data. A row whose coefficients are the unit
    vector of its pivot is a fragment known outright."""

    codec: str
    bundle_id: str
    count: int
    length: int
    fragment_length: int
    rows: dict[int, bytes] = field(default_factory=dict)
    seen: set[tuple[int, str]] = field(default_factory=set)
    """The equations taken (`Frame.equation`: index, and the generator of a fountain frame)."""
    lines: list[str] = field(default_factory=list)
    operations: int = 0
    """Row operations done so far (each a scaled XOR of one row into another)."""
    _known: dict[int, bytes] | None = field(default=None, repr=False)

    @property
    def rank(self) -> int:
        """How many independent frames are in: the bundle is complete at `count`."""
        return len(self.rows)

    @property
    def complete(self) -> bool:
        return self.rank == self.count

    @property
    def fragments(self) -> dict[int, bytes]:
        """The fragments already known outright (a plain frame, or solved from mixes)."""
        if self._known is None:
            count = self.count
            self._known = {
                pivot: row[count:] for pivot, row in self.rows.items() if row[pivot - 1] == 1 and row.count(0, 0, count) == count - 1
            }
        return self._known

    @property
    def missing(self) -> list[int]:
        known = self.fragments
        return [index for index in range(1, self.count + 1) if index not in known]

    def payload(self) -> bytes:
        known = self.fragments
        return b"".join(known[index] for index in range(1, self.count + 1))[: self.length]

    def take(self, frame: Frame) -> bool:
        """Learn from a frame (one Gauss–Jordan step); False when it teaches nothing new."""
        if frame.equation in self.seen or self.complete:
            return False
        self.seen.add(frame.equation)
        count, width = self.count, self.count + self.fragment_length
        row = bytes(coefficients(frame.tag, frame.index, count, frame.prefix)) + frame.data
        # Every row held has 1 at its pivot and 0 at the other pivots, so the factor that clears
        # each pivot column is the incoming row's own coefficient there.
        value = gf256.as_int(row)
        for pivot, held in self.rows.items():
            factor = row[pivot - 1]
            if factor:
                value ^= gf256.scale_int(held, factor)
                self.operations += 1
        reduced = gf256.as_bytes(value, width)
        rest = reduced[:count].lstrip(b"\0")
        if not rest:
            return False  # a mix of frames already in
        lead = count - len(rest)
        if rest[0] != 1:
            reduced = gf256.scale(reduced, gf256.inverse(rest[0]))
        scaled: dict[int, int] = {}
        for pivot, held in list(self.rows.items()):
            factor = held[lead]
            if factor:
                if factor not in scaled:
                    scaled[factor] = gf256.scale_int(reduced, factor)
                self.rows[pivot] = gf256.as_bytes(gf256.as_int(held) ^ scaled[factor], width)
                self.operations += 1
        self.rows[lead + 1] = reduced
        self._known = None
        return True


@dataclass(frozen=True)
class ScanResult:
    status: str
    bundle_id: str = ""
    index: int = 0
    count: int = 0


class Assembler:
    """Takes scanned lines; raises `BundleError` for a bad one without forgetting anything."""

    def __init__(self) -> None:
        self.bundles: dict[str, Progress] = {}
        self.finished: dict[str, None] = {}

    @property
    def in_progress(self) -> int:
        """Bundles started and not yet complete."""
        return sum(1 for progress in self.bundles.values() if not progress.complete)

    def add(self, line: str) -> ScanResult:
        header, body = parse_header(line)
        tag = header.bundle_id
        progress = self.bundles.get(tag)
        if progress is None:
            if tag in self.finished:
                return ScanResult(FINISHED, tag, header.index, header.count)
            if self.in_progress >= MAX_BUNDLES_IN_PROGRESS:
                raise BundleError("error.qr_limit.bundles", limit=MAX_BUNDLES_IN_PROGRESS, bundle_id=tag[-6:])
        elif (progress.codec, progress.count, progress.length) != (header.codec, header.count, header.length):
            raise BundleError("error.frame.mismatch", bundle_id=tag[-6:])
        elif progress.complete or header.equation in progress.seen:
            return ScanResult(DUPLICATE, tag, header.index, header.count)
        frame = decode(header, body)
        if progress is None:
            progress = self.bundles[tag] = Progress(header.codec, tag, header.count, header.length, header.fragment_length)
        if not progress.take(frame):
            return ScanResult(DUPLICATE, tag, frame.index, frame.count)
        progress.lines.append(line.strip())
        status = COMPLETE if progress.complete else ACCEPTED
        return ScanResult(status, tag, frame.index, frame.count)

    def forget(self, bundle_id: str, finished: bool = False) -> None:
        """Drop a bundle; a `finished` one is remembered, so its frames are answered at once."""
        self.bundles.pop(bundle_id, None)
        if finished:
            self.finished[bundle_id] = None
            while len(self.finished) > MAX_FINISHED:
                del self.finished[next(iter(self.finished))]

    def clear(self) -> int:
        """Drop every bundle not yet complete; how many were dropped."""
        dropped = [tag for tag, progress in self.bundles.items() if not progress.complete]
        for tag in dropped:
            del self.bundles[tag]
        return len(dropped)

    def saved_lines(self) -> list[str]:
        """Every useful line received, to write down and `restore` after a restart."""
        return [line for progress in self.bundles.values() for line in progress.lines]

    @classmethod
    def restore(cls, lines: list[str]) -> "Assembler":
        """Progress back from `saved_lines` (at most `MAX_SAVED_LINES` of them are read)."""
        assembler = cls()
        for line in lines[:MAX_SAVED_LINES]:
            try:
                assembler.add(line)
            except BundleError:
                continue
        return assembler
