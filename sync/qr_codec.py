"""Compression for QR transfer (docs/architecture.md §7): a bundle's canonical JSON → the bytes the frames carry.

Two codecs, named by the id the frames carry, so old frames stay readable when codecs improve:

* `"Z"` (`CODEC_ZLIB`): raw deflate, level 9, no header (`wbits=-15`). The floor.
* `"W"` (`CODEC_TEXT`): Chinese-aware. The canonical JSON is parsed and its tree coded with a
  range coder and adaptive models that know bundles (`qr_codec_tree`): ids, stamps, dates and
  times in binary as differences, repeats as back-references, the digest recomputed, key
  presence as flags; free text as words of a static Chinese word model derived from jieba's
  dictionary (`textmodel`, `models/zh_words_v1.xz`), words and names already seen in the bundle,
  or single characters (`qr_codec_text`). About 45 % smaller than "Z" on a 20-matter visit.

A "W" stream (specified for other implementations in docs/qr-codec.md, test vectors in docs/vectors/) is

    mode (1 byte) | payload length (LEB128) | CRC-32 of the payload (4 bytes, big-endian) | body

with mode 0 = the model (body: range-coded), 1 = raw deflate level 9 (body as "Z"). `compress`
uses mode 1 — transparently, inside the "W" stream — whenever the model cannot represent the
payload exactly: the input is not canonical JSON as `orjson.dumps(..., OPT_SORT_KEYS)` writes
it (not JSON, not UTF-8, spaces, unsorted or duplicate keys, escapes that canonical JSON does
not use), it nests deeper than 64 levels, holds integers beyond 64 bits, or the model's output
does not decode to the same bytes (always checked), or deflate is simply smaller. So `compress`
never fails for any `bytes`, and `decompress(compress(p, c), c) == p` for every `p`.

`decompress` raises `CodecError` (a `ValueError`) for an unknown codec id and for corrupt,
truncated or oversized data, never another exception, never returns more than `max_bytes`, and
always ends: decoding stops once the output would pass the stored length (itself checked
against `max_bytes` first) or the decoder reads 64 bytes past the end of its input; the CRC
then catches what decodes but differs. "Z" has no checksum of its own: it detects broken
deflate streams, truncation and trailing bytes, not every changed byte (the frame checksums and
the bundle digest do that).

The "W" model (the word list, the primer bundle, every model parameter) is frozen: changing any
of it changes the bytes and needs a new id (`"W1"`, ...), with the old one kept for reading.
"""

from __future__ import annotations

import zlib

import orjson

from fieldvisit.sync.qr_codec_rc import Decoder, Encoder, RangeError
from fieldvisit.sync.qr_codec_text import Channel
from fieldvisit.sync.qr_codec_tree import TreeCoder, Unsupported, prime
from fieldvisit.sync.textmodel import word_model

CODEC_ZLIB = "Z"
CODEC_TEXT = "W"
DEFAULT_CODEC = CODEC_TEXT
CODECS = (CODEC_ZLIB, CODEC_TEXT)

_MODE_MODEL = 0
_MODE_DEFLATE = 1
_DEFAULT_MAX = 64 * 1024 * 1024


class CodecError(ValueError):
    """Compressed QR data that cannot be decoded: unknown codec, corrupt, truncated or too big."""


def compress(payload: bytes, codec: str = DEFAULT_CODEC) -> bytes:
    payload = bytes(payload)
    if codec == CODEC_ZLIB:
        return _deflate(payload)
    if codec != CODEC_TEXT:
        raise CodecError(f"unknown QR codec {codec!r} (known: {', '.join(CODECS)})")
    header = _varint(len(payload)) + zlib.crc32(payload).to_bytes(4, "big")
    fallback = bytes([_MODE_DEFLATE]) + header + _deflate(payload)
    body = _model_encode(payload)
    if body is None:
        return fallback
    data = bytes([_MODE_MODEL]) + header + body
    if len(data) >= len(fallback):
        return fallback
    try:
        if decompress(data, CODEC_TEXT, max_bytes=len(payload)) == payload:
            return data
    except CodecError:
        pass
    return fallback  # the model could not represent this payload exactly


def decompress(data: bytes, codec: str, max_bytes: int = _DEFAULT_MAX) -> bytes:
    data = bytes(data)
    if codec == CODEC_ZLIB:
        return _inflate(data, max_bytes)
    if codec != CODEC_TEXT:
        raise CodecError(f"unknown QR codec {codec!r} (known: {', '.join(CODECS)})")
    if not data:
        raise CodecError("empty W data")
    mode = data[0]
    length, pos = _read_varint(data, 1)
    if pos + 4 > len(data):
        raise CodecError("W data truncated in its header")
    crc = int.from_bytes(data[pos : pos + 4], "big")
    pos += 4
    if length > max_bytes:
        raise CodecError(f"W data says it holds {length:,} bytes, more than the {max_bytes:,} allowed")
    if mode == _MODE_DEFLATE:
        payload = _inflate(data[pos:], length)
    elif mode == _MODE_MODEL:
        payload = _model_decode(data, pos, length)
    else:
        raise CodecError(f"unknown W mode {mode} (from a newer fieldvisit, or corrupt)")
    if len(payload) != length:
        raise CodecError(f"W data decodes to {len(payload):,} bytes, not the {length:,} it says")
    if zlib.crc32(payload) != crc:
        raise CodecError("W data fails its CRC check (corrupt)")
    return payload


# -- the model (mode 0) ------------------------------------------------------------------


def _model_encode(payload: bytes) -> bytes | None:
    try:
        tree = orjson.loads(payload)
        if orjson.dumps(tree, option=orjson.OPT_SORT_KEYS) != payload:
            return None
    except (orjson.JSONDecodeError, orjson.JSONEncodeError):
        return None
    encoder = Encoder()
    coder = TreeCoder(Channel(), word_model())
    prime(coder)
    coder.ch.enc = encoder
    coder.budget = len(payload)
    try:
        coder.root(tree)
    except (Unsupported, RecursionError, RangeError):
        return None
    return encoder.finish()


def _model_decode(data: bytes, pos: int, length: int) -> bytes:
    words = word_model()  # a missing model file is a broken installation, not corrupt data
    try:
        coder = TreeCoder(Channel(), words)
        prime(coder)
        coder.ch.dec = Decoder(data, pos)
        coder.budget = length
        tree = coder.root(None)
        if coder.ch.dec.pos < len(data):
            raise CodecError("W data has bytes after its end")
        return orjson.dumps(tree, option=orjson.OPT_SORT_KEYS)
    except CodecError:
        raise
    except Exception as exc:  # any inconsistency in corrupt data: report it as such
        raise CodecError(f"corrupt W data ({type(exc).__name__}: {exc})") from None


# -- deflate -------------------------------------------------------------------------------


def _deflate(payload: bytes) -> bytes:
    compressor = zlib.compressobj(9, zlib.DEFLATED, -15)
    return compressor.compress(payload) + compressor.flush()


def _inflate(data: bytes, max_bytes: int) -> bytes:
    inflater = zlib.decompressobj(-15)
    try:
        out = inflater.decompress(data, max_bytes + 1)
        if len(out) <= max_bytes and not inflater.unconsumed_tail:
            out += inflater.flush()
    except zlib.error as exc:
        raise CodecError(f"corrupt deflate data ({exc})") from None
    if len(out) > max_bytes:
        raise CodecError(f"the data decompresses to more than the {max_bytes:,} bytes allowed")
    if not inflater.eof:
        raise CodecError("deflate data truncated")
    if inflater.unused_data:
        raise CodecError("deflate data has bytes after its end")
    return out


def _varint(value: int) -> bytes:
    out = bytearray()
    while True:
        byte = value & 0x7F
        value >>= 7
        if value:
            out.append(byte | 0x80)
        else:
            out.append(byte)
            return bytes(out)


def _read_varint(data: bytes, pos: int) -> tuple[int, int]:
    value = shift = 0
    while True:
        if pos >= len(data):
            raise CodecError("W data truncated in its header")
        if shift > 56:
            raise CodecError("W data has a bad length in its header")
        byte = data[pos]
        pos += 1
        value |= (byte & 0x7F) << shift
        shift += 7
        if not byte & 0x80:
            return value, pos
