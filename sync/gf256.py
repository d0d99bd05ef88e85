"""Arithmetic in GF(2⁸) on whole byte strings, for the fountain frames' random linear mixes.

Multiplying a fragment by a constant is one `bytes.translate` with a precomputed table, and adding
(XOR) two fragments is one big-integer XOR, so mixing and solving stay fast in pure Python.
"""

from __future__ import annotations

from functools import reduce

POLYNOMIAL = 0x11D  # x⁸ + x⁴ + x³ + x² + 1, the usual Reed–Solomon field

_EXP = [0] * 512
_LOG = [0] * 256
_value = 1
for _power in range(255):
    _EXP[_power] = _value
    _LOG[_value] = _power
    _value <<= 1
    if _value & 0x100:
        _value ^= POLYNOMIAL
for _power in range(255, 512):
    _EXP[_power] = _EXP[_power - 255]


def multiply(a: int, b: int) -> int:
    if a == 0 or b == 0:
        return 0
    return _EXP[_LOG[a] + _LOG[b]]


def inverse(a: int) -> int:
    if a == 0:
        raise ZeroDivisionError("0 has no inverse in GF(256)")
    return _EXP[255 - _LOG[a]]


_TABLES = [bytes(multiply(factor, byte) for byte in range(256)) for factor in range(256)]


def scale(data: bytes, factor: int) -> bytes:
    return data.translate(_TABLES[factor])


def add(left: bytes, right: bytes) -> bytes:
    return (int.from_bytes(left, "big") ^ int.from_bytes(right, "big")).to_bytes(len(left), "big")


def combine(coefficients: list[int], rows: list[bytes]) -> bytes:
    """Σ coefficient · row over the field."""
    return reduce(add, (scale(row, factor) for factor, row in zip(coefficients, rows) if factor))


def scale_int(data: bytes, factor: int) -> int:
    """`scale(data, factor)` as a big integer, ready to be XORed into a row (`as_bytes` back)."""
    return int.from_bytes(data.translate(_TABLES[factor]), "big")


def as_int(data: bytes) -> int:
    return int.from_bytes(data, "big")


def as_bytes(value: int, length: int) -> bytes:
    return value.to_bytes(length, "big")
