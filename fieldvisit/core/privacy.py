"""Masking petitioners' personal data on screens, in lists and in copies that leave the office
(`--redact`): shown whole only when a matter is opened."""

from __future__ import annotations

import re

EMPLOYEE_NO_SHOWN = 2
"""Digits of an employee number a redacted copy still shows: the last two, enough to tell two
people of the same name apart on a list, never enough to find them in the HR system."""
_UNIT_PREFIX = re.compile(r"[A-Za-z]{1,3}")


def mask_name(name: str) -> str:
    """张建国 → 张**, 欧阳明 → 欧**: the family name stays, so an officer can still tell people apart."""
    name = (name or "").strip()
    if len(name) <= 1:
        return name
    return name[0] + "*" * (len(name) - 1)


def mask_digits(text: str, keep_start: int = 3, keep_end: int = 2) -> str:
    """13812345678 → 138******78: a phone number's carrier prefix and last two digits stay."""
    text = (text or "").strip()
    if len(text) <= keep_start + keep_end:
        return "*" * len(text)
    return text[:keep_start] + "*" * (len(text) - keep_start - keep_end) + text[-keep_end:]


def mask_employee_no(text: str) -> str:
    """DF123456 → DF****56, 20230117 → ******17, 0815 → ***5, 123 → ***.

    A leading unit code of up to three letters stays (it names a mine or a company, not a
    person); of the rest at most the last two digits are shown, fewer on short numbers (one of
    four or five digits, none of three or less), and every other character is a `*`.
    """
    text = (text or "").strip()
    prefix = _UNIT_PREFIX.match(text)
    head = prefix.group(0) if prefix and len(text) - prefix.end() >= 4 else ""
    rest = text[len(head):]
    digits = sum(char.isdigit() for char in rest)
    shown = EMPLOYEE_NO_SHOWN if digits >= 6 else 1 if digits >= 4 else 0
    tail = ""
    for char in reversed(rest):
        if len(tail) >= shown or not char.isdigit():
            break
        tail = char + tail
    return head + "*" * (len(rest) - len(tail)) + tail
