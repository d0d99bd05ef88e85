"""Range coder and adaptive frequency models for the QR codec (`qr_codec`, codec "W").

A 64-bit range coder in the LZMA style (carry propagation through a cached byte and a count of
pending 0xFF bytes), written for Python's integers: the range stays in [2^56, 2^64), so totals
up to 2^32 are coded with at least 24 bits of precision. The encoder ends on the value of the
final interval with the most trailing zero bits and drops the trailing zero bytes; the decoder
reads zeros past the end, so nothing is lost.

Every model here is deterministic and updated identically by the encoder and the decoder; any
change to this file changes the bit stream and needs a new codec id.
"""

from __future__ import annotations

import math

_MASK = (1 << 64) - 1
_TOP = 1 << 56
_FF_LOW = 0xFF << 56
MAX_TOTAL = 1 << 32
PAST_END_LIMIT = 64
"""How many zero bytes past the end of its input the decoder may read before it gives up."""


class RangeError(ValueError):
    """The coded data is inconsistent (read far past its end, impossible symbol)."""


class Encoder:
    __slots__ = ("low", "rng", "cache", "pending", "has_cache", "out")

    def __init__(self) -> None:
        self.low = 0
        self.rng = _MASK
        self.cache = 0
        self.pending = 0
        self.has_cache = False
        self.out = bytearray()

    def encode(self, cum: int, freq: int, total: int) -> None:
        r = self.rng // total
        self.low += r * cum
        self.rng = r * freq
        while self.rng < _TOP:
            self.rng <<= 8
            self._shift()

    def bits(self, value: int, count: int) -> None:
        """`count` raw bits of `value`, most significant chunk first."""
        while count > 24:
            count -= 24
            self.encode((value >> count) & 0xFFFFFF, 1, 1 << 24)
        if count:
            self.encode(value & ((1 << count) - 1), 1, 1 << count)

    def _shift(self) -> None:
        low = self.low
        if low < _FF_LOW or low > _MASK:
            carry = low >> 64
            out = self.out
            if self.has_cache:
                out.append((self.cache + carry) & 0xFF)
            if self.pending:
                out.extend(bytes([(0xFF + carry) & 0xFF]) * self.pending)
                self.pending = 0
            self.cache = (low >> 56) & 0xFF
            self.has_cache = True
        else:
            self.pending += 1
        self.low = (low << 8) & _MASK

    def finish(self) -> bytes:
        low, high = self.low, self.low + self.rng - 1
        for k in range(72, -1, -1):
            mask = (1 << k) - 1
            value = (low + mask) & ~mask
            if value <= high:
                break
        self.low = value
        for _ in range(9):
            self._shift()
        return bytes(self.out).rstrip(b"\x00")


class Decoder:
    __slots__ = ("data", "pos", "code", "rng", "r", "past_end")

    def __init__(self, data: bytes, pos: int = 0) -> None:
        self.data = data
        self.pos = pos
        self.past_end = 0
        self.rng = _MASK
        self.r = 1
        code = 0
        for _ in range(8):
            code = (code << 8) | self._byte()
        self.code = code

    def _byte(self) -> int:
        pos = self.pos
        self.pos = pos + 1
        if pos < len(self.data):
            return self.data[pos]
        self.past_end += 1
        if self.past_end > PAST_END_LIMIT:
            raise RangeError("the coded data ends too early (truncated?)")
        return 0

    def target(self, total: int) -> int:
        r = self.r = self.rng // total
        value = self.code // r
        return value if value < total else total - 1

    def consume(self, cum: int, freq: int) -> None:
        r = self.r
        self.code -= r * cum
        self.rng = r * freq
        while self.rng < _TOP:
            self.code = ((self.code << 8) | self._byte()) & _MASK
            self.rng <<= 8

    def bits(self, count: int) -> int:
        value = 0
        while count > 24:
            count -= 24
            chunk = self.target(1 << 24)
            self.consume(chunk, 1)
            value = (value << 24) | chunk
        if count:
            chunk = self.target(1 << count)
            self.consume(chunk, 1)
            value = (value << count) | chunk
        return value


class Model:
    """Adaptive frequencies over a small fixed alphabet 0..n-1 (linear search)."""

    __slots__ = ("freq", "total", "inc", "limit")

    def __init__(self, n: int, inc: int = 24, limit: int = 1 << 16, init: list[int] | None = None) -> None:
        self.freq = list(init) if init else [1] * n
        self.total = sum(self.freq)
        self.inc = inc
        self.limit = limit

    def cost(self, symbol: int) -> float:
        return math.log2(self.total / self.freq[symbol])

    def encode(self, enc: Encoder, symbol: int) -> None:
        freq = self.freq
        enc.encode(sum(freq[:symbol]), freq[symbol], self.total)
        self._update(symbol)

    def decode(self, dec: Decoder) -> int:
        freq = self.freq
        target = dec.target(self.total)
        cum = 0
        symbol = 0
        while cum + freq[symbol] <= target:
            cum += freq[symbol]
            symbol += 1
        dec.consume(cum, freq[symbol])
        self._update(symbol)
        return symbol

    def _update(self, symbol: int) -> None:
        self.freq[symbol] += self.inc
        self.total += self.inc
        if self.total > self.limit:
            self.freq = [(f + 1) >> 1 for f in self.freq]
            self.total = sum(self.freq)


class GrowingModel:
    """Adaptive frequencies over an alphabet that grows (a Fenwick tree, O(log n) per step)."""

    __slots__ = ("tree", "freq", "size", "count", "total")

    def __init__(self, capacity: int = 256) -> None:
        self.size = 1 << max(4, (capacity - 1).bit_length())
        self.tree = [0] * (self.size + 1)
        self.freq: list[int] = []
        self.count = 0
        self.total = 0

    def add(self, weight: int) -> int:
        """A new symbol with this weight; returns its index."""
        if self.count == self.size:
            self._grow()
        index = self.count
        self.count += 1
        self.freq.append(0)
        self.bump(index, weight)
        return index

    def bump(self, index: int, weight: int) -> None:
        self.freq[index] += weight
        self.total += weight
        tree, size = self.tree, self.size
        i = index + 1
        while i <= size:
            tree[i] += weight
            i += i & -i

    def cost(self, index: int) -> float:
        return math.log2(self.total / self.freq[index])

    def cum(self, index: int) -> int:
        tree = self.tree
        total = 0
        i = index
        while i > 0:
            total += tree[i]
            i -= i & -i
        return total

    def encode(self, enc: Encoder, index: int) -> None:
        enc.encode(self.cum(index), self.freq[index], self.total)

    def decode(self, dec: Decoder) -> int:
        target = dec.target(self.total)
        tree = self.tree
        pos = 0
        cum = 0
        step = self.size
        while step:
            nxt = pos + step
            if nxt <= self.size and cum + tree[nxt] <= target:
                pos = nxt
                cum += tree[nxt]
            step >>= 1
        if pos >= self.count:
            raise RangeError("impossible symbol")
        dec.consume(cum, self.freq[pos])
        return pos

    def _grow(self) -> None:
        freq = self.freq
        self.size *= 2
        self.tree = [0] * (self.size + 1)
        self.total = 0
        self.freq = [0] * len(freq)
        for index, weight in enumerate(freq):
            if weight:
                self.bump(index, weight)


class IntCoder:
    """Integers as (sign, bit length) from an adaptive model, then the bits below the top one."""

    __slots__ = ("lengths",)

    def __init__(self, signed: bool = False) -> None:
        self.lengths = Model(130 if signed else 65, inc=24)

    def cost(self, value: int) -> float:
        symbol = self._symbol(value)
        return self.lengths.cost(symbol) + max(0, abs(value).bit_length() - 1)

    def _symbol(self, value: int) -> int:
        length = abs(value).bit_length()
        if len(self.lengths.freq) == 65:
            return length
        return length if value >= 0 else 65 + length - 1

    def encode(self, enc: Encoder, value: int) -> None:
        symbol = self._symbol(value)
        self.lengths.encode(enc, symbol)
        length = abs(value).bit_length()
        if length > 1:
            enc.bits(abs(value), length - 1)

    def decode(self, dec: Decoder) -> int:
        symbol = self.lengths.decode(dec)
        if symbol >= 65:
            length, sign = symbol - 64, -1
        else:
            length, sign = symbol, 1
        if length == 0:
            return 0
        magnitude = (1 << (length - 1)) | (dec.bits(length - 1) if length > 1 else 0)
        return sign * magnitude
