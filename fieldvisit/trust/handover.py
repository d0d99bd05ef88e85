"""What an enrolled laptop or an office with keys hands over: sealed, signed, or plain.

The keys live in the laptop's or office's home (`fieldvisit.locations.paths.Home`); a laptop without keys, or an office
that has not made them, hands over plain bundles as before enrollment existed.
"""

from __future__ import annotations

from typing import Any

from fieldvisit.locations.paths import Home
from fieldvisit.sync import sealed
from fieldvisit.sync.exporter import seal_bundle
from fieldvisit.trust.keys import OfficeKeys, load_device_keys


def seal_if_enrolled(home: Home, bundle: dict[str, Any]) -> dict[str, Any] | None:
    """The sealed envelope when this laptop is enrolled with an office, else None."""
    keys = load_device_keys(home.device_keys_file)
    return None if keys is None else seal_bundle(bundle, keys)


def qr_payload_if_enrolled(home: Home, bundle: dict[str, Any]) -> bytes | None:
    """The sealed binary payload for QR frames when this laptop is enrolled, else None."""
    keys = load_device_keys(home.device_keys_file)
    if keys is None:
        return None
    return sealed.seal_binary(bundle, bundle["device"]["id"], keys.sign_key, keys.office_box, keys.office["fingerprint"])


def sign_if_office_keys(home: Home, bundle: dict[str, Any], for_device: str | None = None) -> dict[str, Any] | None:
    """An office export signed with the office's key when it has made one, else None (plain);
    `for_device` binds it to the one laptop it was made for."""
    keys_file = home.office_keys_file
    if keys_file is None or not keys_file.exists():
        return None
    keys = OfficeKeys.load(keys_file)
    return sealed.sign_office(bundle, keys.sign_key, keys.fingerprint, for_device)
