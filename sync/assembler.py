"""Putting scanned frames back together: any order, repeats, several bundles interleaved.

Each accepted line is kept (so progress can be saved and reloaded as plain text). Every frame is a
linear equation over GF(256) in the fragments (a plain frame names one fragment, a fountain frame
mixes all of them); they are solved as they arrive, so once `count` independent frames are in,
every fragment is known and `payload()` gives the compressed bytes. Decompression and the digest
check happen in the import.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from fieldvisit.errors import BundleError
from fieldvisit.sync import gf256
from fieldvisit.sync.frames import Frame, coefficients, parse

ACCEPTED, DUPLICATE, COMPLETE = "accepted", "duplicate", "complete"


@dataclass
class Progress:
    """One bundle being received: the frames learnt so far, solved as linear equations over GF(256)."""

    codec: str
    bundle_id: str
    count: int
    length: int
    fragment_length: int
    rows: dict[int, tuple[list[int], bytes]] = field(default_factory=dict)
    seen: set[int] = field(default_factory=set)
    lines: list[str] = field(default_factory=list)

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
        return {pivot: data for pivot, (vector, data) in self.rows.items() if sum(map(bool, vector)) == 1}

    @property
    def missing(self) -> list[int]:
        known = self.fragments
        return [index for index in range(1, self.count + 1) if index not in known]

    def payload(self) -> bytes:
        known = self.fragments
        return b"".join(known[index] for index in range(1, self.count + 1))[: self.length]

    def take(self, frame: Frame) -> bool:
        """Learn from a frame (Gauss–Jordan step); False when it teaches nothing new."""
        if frame.index in self.seen or self.complete:
            return False
        self.seen.add(frame.index)
        vector, data = coefficients(frame.tag, frame.index, frame.count), frame.data
        for pivot, (row, row_data) in self.rows.items():
            factor = vector[pivot - 1]
            if factor:
                vector = gf256.add_vectors(vector, gf256.scale_vector(row, factor))
                data = gf256.add(data, gf256.scale(row_data, factor))
        lead = next((position for position, value in enumerate(vector) if value), None)
        if lead is None:
            return False  # a mix of frames already in
        scale = gf256.inverse(vector[lead])
        vector, data = gf256.scale_vector(vector, scale), gf256.scale(data, scale)
        for pivot, (row, row_data) in list(self.rows.items()):
            factor = row[lead]
            if factor:
                self.rows[pivot] = (
                    gf256.add_vectors(row, gf256.scale_vector(vector, factor)),
                    gf256.add(row_data, gf256.scale(data, factor)),
                )
        self.rows[lead + 1] = (vector, data)
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

    def add(self, line: str) -> ScanResult:
        frame = parse(line)
        progress = self.bundles.get(frame.bundle_id)
        if progress is None:
            shape = (frame.codec, frame.bundle_id, frame.count, frame.length, len(frame.data))
            progress = self.bundles[frame.bundle_id] = Progress(*shape)
        elif (progress.codec, progress.count, progress.length, progress.fragment_length) != (
            frame.codec,
            frame.count,
            frame.length,
            len(frame.data),
        ):
            raise BundleError("error.frame.mismatch", bundle_id=frame.bundle_id[-6:])
        if not progress.take(frame):
            return ScanResult(DUPLICATE, frame.bundle_id, frame.index, frame.count)
        progress.lines.append(line.strip())
        status = COMPLETE if progress.complete else ACCEPTED
        return ScanResult(status, frame.bundle_id, frame.index, frame.count)

    def forget(self, bundle_id: str) -> None:
        self.bundles.pop(bundle_id, None)

    def saved_lines(self) -> list[str]:
        """Every useful line received, to write down and `restore` after a restart."""
        return [line for progress in self.bundles.values() for line in progress.lines]

    @classmethod
    def restore(cls, lines: list[str]) -> "Assembler":
        assembler = cls()
        for line in lines:
            try:
                assembler.add(line)
            except BundleError:
                continue
        return assembler
