"""Human references for matters: `<visit date>-<device short>-<seq>`, e.g. `20261125-7K3Q-004`.

Unique without coordination (the device part differs between laptops, the sequence counts per
visit date on one laptop) and short enough to read aloud over a phone.
"""

from __future__ import annotations

DEVICE_SHORT_LENGTH = 4


def device_short(device_id: str) -> str:
    """The last characters of the device ULID: its random part, so laptops rarely share them."""
    return device_id[-DEVICE_SHORT_LENGTH:]


def issue_reference(visit_date: str, device_id: str, seq: int) -> str:
    return f"{visit_date.replace('-', '')}-{device_short(device_id)}-{seq:03d}"
