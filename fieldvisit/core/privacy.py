"""Masking petitioners' personal data on screens and in lists: shown whole only when a matter is opened."""

from __future__ import annotations


def mask_name(name: str) -> str:
    """张建国 → 张**, 欧阳明 → 欧**: the family name stays, so an officer can still tell people apart."""
    name = (name or "").strip()
    if len(name) <= 1:
        return name
    return name[0] + "*" * (len(name) - 1)


def mask_digits(text: str, keep_start: int = 3, keep_end: int = 2) -> str:
    """13812345678 → 138******78; DF123456 → DF1***56."""
    text = (text or "").strip()
    if len(text) <= keep_start + keep_end:
        return "*" * len(text)
    return text[:keep_start] + "*" * (len(text) - keep_start - keep_end) + text[-keep_end:]
