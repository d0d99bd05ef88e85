"""QR frames: a bundle as a sequence of self-describing strings in the QR alphanumeric alphabet.

    FV1:<codec>:<bundle tag>:<index>/<count>:<length>:<crc>:<data>     (or FV2: for fountain frames)

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

The prefix names how a fountain frame's coefficients are drawn: `FV2` from SplitMix64
(`splitmix_coefficients`, written out in docs/bundle-format.md §10.2, what fieldvisit writes
now), `FV1` from CPython's MT19937 (`legacy_coefficients`, what earlier versions wrote; still
read). Plain frames carry no coefficients and are written `FV1`, so every earlier fieldvisit
reads them; `FV2` plain frames mean the same.
"""

from __future__ import annotations

import math
import random
import zlib
from dataclasses import dataclass

import base45
from qrcode import constants
from qrcode.util import BIT_LIMIT_TABLE

from fieldvisit.core.errors import BundleError
from fieldvisit.sync import gf256

PREFIX = "FV1"
"""Plain frames, and fountain frames with the legacy (MT19937) coefficients."""
FOUNTAIN_PREFIX = "FV2"
"""Fountain frames with SplitMix64 coefficients: what `fountain` writes."""
PREFIXES = (PREFIX, FOUNTAIN_PREFIX)
EC_LEVELS = {"L": constants.ERROR_CORRECT_L, "M": constants.ERROR_CORRECT_M, "Q": constants.ERROR_CORRECT_Q, "H": constants.ERROR_CORRECT_H}
TAG_LENGTH = 10
"""Frames name their bundle by the last characters of its ULID: 50 random bits, plenty to tell
apart the bundles on one scanner's desk; the full id is inside the assembled bundle."""
CRC_LENGTH = 8
FOUNTAIN_REACH = 10
"""Header room is reserved for fountain indexes up to this many times the plain count."""
MAX_FRAGMENTS = 256
"""The most frames (`count`) one bundle may be cut into. Solving a bundle costs about `count`
row operations per frame, so this bounds the work any frame can cause. A 20-matter visit is
6–7 frames at version 20-M and a 48-matter laptop store 15; 256 frames at version 20-M carry
about 150 KB, more than `MAX_PAYLOAD_BYTES`. Nobody scans more codes than this by hand."""
MAX_PAYLOAD_BYTES = 128 * 1024
"""The largest compressed bundle (`length`) a QR hand-over may carry: about 700 matters with the
Chinese-aware codec, some 220 frames at version 20-M. Bounds the decompression of a completed
set and each bundle's memory (`count` × (`count` + fragment) bytes at most)."""


@dataclass(frozen=True)
class Frame:
    codec: str
    bundle_id: str
    index: int
    count: int
    length: int
    data: bytes
    prefix: str = PREFIX

    @property
    def tag(self) -> str:
        return self.bundle_id[-TAG_LENGTH:]

    @property
    def is_fountain(self) -> bool:
        return self.index > self.count

    @property
    def equation(self) -> tuple[int, str]:
        """Which linear equation this frame is: its index, and for a fountain frame its generator."""
        return (self.index, self.prefix if self.is_fountain else "")

    def text(self) -> str:
        head = f"{self.prefix}:{self.codec}:{self.tag}:{self.index}/{self.count}:{self.length}"
        body = base45.b45encode(self.data).decode("ascii")
        return f"{head}:{_crc(head, body)}:{body}"


def alphanumeric_capacity(version: int, ec: str) -> int:
    """Characters of QR alphanumeric data that fit one symbol of this version and level."""
    bits = BIT_LIMIT_TABLE[EC_LEVELS[ec]][version] - 4 - (9 if version < 10 else 11 if version < 27 else 13)
    pairs, rest = divmod(bits, 11)
    return pairs * 2 + (1 if rest >= 6 else 0)


MAX_FRAME_CHARS = alphanumeric_capacity(40, "L")
"""4,296: the most alphanumeric characters any QR symbol holds (version 40, level L). A longer
line cannot be a scanned frame and is refused before it is decoded; it also bounds a fragment
to 2,864 bytes."""


@dataclass(frozen=True)
class Header:
    """A frame's header, checked (checksum, limits, data length) before its data is decoded."""

    codec: str
    bundle_id: str
    index: int
    count: int
    length: int
    prefix: str = PREFIX

    @property
    def equation(self) -> tuple[int, str]:
        """As `Frame.equation`: plain frames of either prefix are the same equation."""
        return (self.index, self.prefix if self.index > self.count else "")

    @property
    def fragment_length(self) -> int:
        """Every fragment of a bundle is `length / count` bytes, rounded up (`split`)."""
        return -(-self.length // self.count)


def header_length(codec: str, count: int, length: int) -> int:
    """Characters before the data, with room for fountain indexes up to FOUNTAIN_REACH × count."""
    numbers = len(str(FOUNTAIN_REACH * count)) + 1 + len(str(count)) + 1 + len(str(length))
    return len(PREFIX) + 1 + len(codec) + 1 + TAG_LENGTH + 1 + numbers + 1 + CRC_LENGTH + 1


def split(compressed: bytes, codec: str, bundle_id: str, version: int, ec: str) -> list[Frame]:
    """The plain frames: `compressed` cut into as few equal fragments as fit QR `version`-`ec`."""
    if len(compressed) > MAX_PAYLOAD_BYTES:
        raise BundleError("error.qr_limit.send_bytes", size=_kib(len(compressed)), limit=_kib(MAX_PAYLOAD_BYTES))
    capacity = alphanumeric_capacity(version, ec)
    count = 1
    while True:
        room = capacity - header_length(codec, count, len(compressed))
        if room < 3:
            raise ValueError(f"QR version {version}-{ec} is too small for a frame")
        if count * (room // 3 * 2) >= len(compressed):
            break
        count += 1
    if count > MAX_FRAGMENTS:
        raise BundleError("error.qr_limit.send_frames", count=count, limit=MAX_FRAGMENTS)
    size = math.ceil(len(compressed) / count) if compressed else 0
    padded = compressed.ljust(size * count, b"\0")
    return [Frame(codec, bundle_id, i + 1, count, len(compressed), padded[i * size : (i + 1) * size]) for i in range(count)]


def fountain(plain: list[Frame], index: int, prefix: str = FOUNTAIN_PREFIX) -> Frame:
    """Fountain frame `index` (> count): a random linear mix of all fragments over GF(256),
    with the coefficients of frame version `prefix` (`FV2` unless an old reader is the target)."""
    first = plain[0]
    mixed = gf256.combine(coefficients(first.tag, index, first.count, prefix), [frame.data for frame in plain])
    return Frame(first.codec, first.bundle_id, index, first.count, first.length, mixed, prefix)


def coefficients(tag: str, index: int, count: int, prefix: str = PREFIX) -> list[int]:
    """How frame `index` of version `prefix` mixes the fragments: a function of tag and index.

    Plain frames are unit vectors; fountain frames draw every coefficient from 1…255, so any
    `count` frames received are almost surely independent (a dependent one is a 1-in-255 event):
    the receiver needs barely more frames than the plain count, whichever ones it missed.
    """
    if index <= count:
        return [1 if position == index else 0 for position in range(1, count + 1)]
    if prefix == FOUNTAIN_PREFIX:
        return splitmix_coefficients(tag, index, count)
    return legacy_coefficients(tag, index, count)


_GOLDEN = 0x9E3779B97F4A7C15
_MASK64 = (1 << 64) - 1


def splitmix_coefficients(tag: str, index: int, count: int) -> list[int]:
    """`FV2` fountain coefficients: SplitMix64 seeded with CRC-32 of `"<tag>:<index>"`; each
    64-bit output gives 8 bytes, least significant first; zero bytes are skipped (so no
    coefficient, and no row, is ever zero). docs/bundle-format.md §10.2 writes it out."""
    state = zlib.crc32(f"{tag}:{index}".encode())
    drawn = bytearray()
    while len(drawn) < count:
        state = (state + _GOLDEN) & _MASK64
        z = state
        z = ((z ^ (z >> 30)) * 0xBF58476D1CE4E5B9) & _MASK64
        z = ((z ^ (z >> 27)) * 0x94D049BB133111EB) & _MASK64
        z ^= z >> 31
        drawn += z.to_bytes(8, "little").replace(b"\0", b"")
    return list(drawn[:count])


def legacy_coefficients(tag: str, index: int, count: int) -> list[int]:
    """`FV1` fountain coefficients (read, no longer written): CPython's `random.Random` seeded
    with CRC-32 of `"<tag>:<index>"`, `randrange(1, 256)` per fragment."""
    rng = random.Random(zlib.crc32(f"{tag}:{index}".encode()))
    # The same numbers as `[rng.randrange(1, 256) for _ in range(count)]`, drawn in bulk:
    # randrange(1, 256) is 1 + the top byte of the generator's next 32-bit word, drawn again
    # when it is 255; getrandbits(32 × k) gives k such words, least significant first.
    drawn = bytearray()
    while len(drawn) < count:
        words = count - len(drawn) + 8
        drawn += rng.getrandbits(32 * words).to_bytes(4 * words, "little")[3::4].replace(b"\xff", b"")
    return list(drawn[:count].translate(_PLUS_ONE))


_PLUS_ONE = bytes((value + 1) % 256 for value in range(256))


def parse(text: str) -> Frame:
    """A scanned line back into a frame; `BundleError` says what is wrong with a bad one."""
    header, body = parse_header(text)
    return decode(header, body)


def parse_header(text: str) -> tuple[Header, str]:
    """A scanned line's checked header and its still encoded data (cheap: no base45 decoding).

    Refuses foreign and misread lines, and frames beyond the limits (`MAX_FRAME_CHARS`,
    `MAX_FRAGMENTS`, `MAX_PAYLOAD_BYTES`) or whose data is not the fragment length that
    `length` and `count` imply, before any work depends on what they claim."""
    line = text.strip()
    parts = line.split(":", 6)
    if len(parts) != 7 or parts[0] not in PREFIXES or len(parts[2]) != TAG_LENGTH:
        raise BundleError("error.frame.foreign", start=line[:12])
    if len(line) > MAX_FRAME_CHARS:
        raise BundleError("error.qr_limit.line", length=len(line), limit=MAX_FRAME_CHARS)
    prefix, codec, bundle_id, position, length, crc, body = parts
    if _crc(":".join(parts[:5]), body) != crc.upper():
        raise BundleError("error.frame.checksum")
    try:
        index, count = (int(number) for number in position.split("/"))
        total = int(length)
    except ValueError:
        raise BundleError("error.frame.malformed") from None
    if count > MAX_FRAGMENTS:
        raise BundleError("error.qr_limit.frames", count=count, limit=MAX_FRAGMENTS)
    if total > MAX_PAYLOAD_BYTES:
        raise BundleError("error.qr_limit.bytes", size=_kib(total), limit=_kib(MAX_PAYLOAD_BYTES))
    if not (1 <= count and index >= 1 and total >= 0):
        raise BundleError("error.frame.malformed")
    header = Header(codec, bundle_id, index, count, total, prefix)
    size = header.fragment_length
    if len(body) != size // 2 * 3 + size % 2 * 2:  # base45: 3 characters per 2 bytes, 2 for 1
        raise BundleError("error.frame.malformed")
    return header, body


def decode(header: Header, body: str) -> Frame:
    """The frame whose header `parse_header` checked, with its data decoded."""
    try:
        data = base45.b45decode(body)
    except ValueError:
        raise BundleError("error.frame.malformed") from None
    return Frame(header.codec, header.bundle_id, header.index, header.count, header.length, data, header.prefix)


def _crc(head: str, body: str) -> str:
    return f"{zlib.crc32((head + ':' + body).encode('ascii', 'replace')):08X}"


def _kib(size: int) -> str:
    return f"{size / 1024:,.0f} KiB" if size >= 1024 else f"{size} B"
