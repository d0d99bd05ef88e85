"""Canonical JSON: sorted keys, no spaces, UTF-8 (not \\u escapes). One text per value, so
digests and byte-for-byte comparisons of stores and bundles mean something."""

from __future__ import annotations

import hashlib
from typing import Any

import orjson


def canonical_bytes(value: Any) -> bytes:
    return orjson.dumps(value, option=orjson.OPT_SORT_KEYS)


def sha256_digest(value: Any) -> str:
    return "sha256:" + hashlib.sha256(canonical_bytes(value)).hexdigest()
