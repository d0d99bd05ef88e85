"""QR frames: a bundle as a sequence of self-describing strings in the QR alphanumeric alphabet.

    FV1:<codec>:<bundle tag>:<index>/<count>:<length>:<crc>:<data>

`codec` names how the bundle's canonical JSON was compressed (`fieldvisit.sync.qr_codec`), the
bundle tag (the last 10 characters of the bundle id) groups frames, `count` source frames carry the compressed bytes in equal fragments
(`length` is the compressed size, so the padding of the last fragment can be cut), `crc` is the
CRC-32 (8 hex digits) of everything before it plus the data, and `data` is base45 (RFC 9285),
whose alphabet is exactly QR's alphanumeric one: a keyboard-wedge scanner types frames unchanged.

Index 1…count are the plain fragments. Indexes above `count` are fountain frames, in the spirit
of Blockchain Commons' UR multipart: a pseudo-random mix of the fragments whose coefficients
derive from the bundle tag and the index alone. UR XORs a few fragments (good for hundreds of
parts); a visit is a handful of frames, so the mixes here are dense linear combinations over
GF(256), which lets a scanner that missed any frames complete after barely more than `count`
received (`fieldvisit.sync.assembler` solves them).
"""

from __future__ import annotations

import math
import random
import zlib
from dataclasses import dataclass

import base45
from qrcode import constants
from qrcode.util import BIT_LIMIT_TABLE

from fieldvisit.errors import BundleError
from fieldvisit.sync import gf256

PREFIX = "FV1"
EC_LEVELS = {"L": constants.ERROR_CORRECT_L, "M": constants.ERROR_CORRECT_M, "Q": constants.ERROR_CORRECT_Q, "H": constants.ERROR_CORRECT_H}
TAG_LENGTH = 10
"""Frames name their bundle by the last characters of its ULID: 50 random bits, plenty to tell
apart the bundles on one scanner's desk; the full id is inside the assembled bundle."""
CRC_LENGTH = 8
FOUNTAIN_REACH = 10
"""Header room is reserved for fountain indexes up to this many times the plain count."""


@dataclass(frozen=True)
class Frame:
    codec: str
    bundle_id: str
    index: int
    count: int
    length: int
    data: bytes

    @property
    def tag(self) -> str:
        return self.bundle_id[-TAG_LENGTH:]

    @property
    def is_fountain(self) -> bool:
        return self.index > self.count

    def text(self) -> str:
        head = f"{PREFIX}:{self.codec}:{self.tag}:{self.index}/{self.count}:{self.length}"
        body = base45.b45encode(self.data).decode("ascii")
        return f"{head}:{_crc(head, body)}:{body}"


def alphanumeric_capacity(version: int, ec: str) -> int:
    """Characters of QR alphanumeric data that fit one symbol of this version and level."""
    bits = BIT_LIMIT_TABLE[EC_LEVELS[ec]][version] - 4 - (9 if version < 10 else 11 if version < 27 else 13)
    pairs, rest = divmod(bits, 11)
    return pairs * 2 + (1 if rest >= 6 else 0)


def header_length(codec: str, count: int, length: int) -> int:
    """Characters before the data, with room for fountain indexes up to FOUNTAIN_REACH × count."""
    numbers = len(str(FOUNTAIN_REACH * count)) + 1 + len(str(count)) + 1 + len(str(length))
    return len(PREFIX) + 1 + len(codec) + 1 + TAG_LENGTH + 1 + numbers + 1 + CRC_LENGTH + 1


def split(compressed: bytes, codec: str, bundle_id: str, version: int, ec: str) -> list[Frame]:
    """The plain frames: `compressed` cut into as few equal fragments as fit QR `version`-`ec`."""
    capacity = alphanumeric_capacity(version, ec)
    count = 1
    while True:
        room = capacity - header_length(codec, count, len(compressed))
        if room < 3:
            raise ValueError(f"QR version {version}-{ec} is too small for a frame")
        if count * (room // 3 * 2) >= len(compressed):
            break
        count += 1
    size = math.ceil(len(compressed) / count) if compressed else 0
    padded = compressed.ljust(size * count, b"\0")
    return [Frame(codec, bundle_id, i + 1, count, len(compressed), padded[i * size : (i + 1) * size]) for i in range(count)]


def fountain(plain: list[Frame], index: int) -> Frame:
    """Fountain frame `index` (> count): a random linear mix of all fragments over GF(256)."""
    first = plain[0]
    mixed = gf256.combine(coefficients(first.tag, index, first.count), [frame.data for frame in plain])
    return Frame(first.codec, first.bundle_id, index, first.count, first.length, mixed)


def coefficients(tag: str, index: int, count: int) -> list[int]:
    """How frame `index` mixes the fragments: a deterministic function of tag and index.

    Plain frames are unit vectors; fountain frames draw every coefficient from 1…255, so any
    `count` frames received are almost surely independent (a dependent one is a 1-in-255 event):
    the receiver needs barely more frames than the plain count, whichever ones it missed.
    """
    if index <= count:
        return [1 if position == index else 0 for position in range(1, count + 1)]
    rng = random.Random(zlib.crc32(f"{tag}:{index}".encode()))
    return [rng.randrange(1, 256) for _ in range(count)]


def parse(text: str) -> Frame:
    """A scanned line back into a frame; `BundleError` says what is wrong with a bad one."""
    line = text.strip()
    parts = line.split(":", 6)
    if len(parts) != 7 or parts[0] != PREFIX or len(parts[2]) != TAG_LENGTH:
        raise BundleError("error.frame.foreign", start=line[:12])
    _, codec, bundle_id, position, length, crc, body = parts
    if _crc(":".join(parts[:5]), body) != crc.upper():
        raise BundleError("error.frame.checksum")
    try:
        index, count = (int(number) for number in position.split("/"))
        total = int(length)
        data = base45.b45decode(body)
    except ValueError:
        raise BundleError("error.frame.malformed") from None
    if not (1 <= count <= 10_000 and index >= 1 and 0 <= total <= count * max(len(data), 1)):
        raise BundleError("error.frame.malformed")
    return Frame(codec, bundle_id, index, count, total, data)


def _crc(head: str, body: str) -> str:
    return f"{zlib.crc32((head + ':' + body).encode('ascii', 'replace')):08X}"
