"""The laptop's side of trust: what it accepts from the office once it is enrolled (issue 8).

An enrolled laptop knows its office's signing key from the enrollment token, so an office export
(`export --office --device ID`) must carry the office's signature: one signed by another office
or altered on the way is refused before anything is read, and a plain bundle is refused unless
the recorder allows it (`import --field --allow-unsigned`). A laptop not enrolled keeps taking
plain bundles as before; a signed one it cannot check is refused rather than trusted blindly.
"""

from __future__ import annotations

from typing import Any

from fieldvisit.locations.paths import Home
from fieldvisit.core.errors import BundleError
from fieldvisit.stores.store import Store
from fieldvisit.sync import sealed
from fieldvisit.sync.validate import DEFAULT_MAX_BYTES, decompress
from fieldvisit.trust.keys import DeviceKeys, load_device_keys


class FieldGate:
    """Same interface as `devices.TrustGate`, for `import_bundles` on a laptop's store."""

    def __init__(self, keys: DeviceKeys | None, allow_unsigned: bool = False, device_id: str | None = None):
        """`device_id` is this laptop's: an office export made for another laptop is refused."""
        self.keys, self.allow_unsigned, self.device_id = keys, allow_unsigned, device_id

    def open(self, raw: bytes, max_bytes: int = DEFAULT_MAX_BYTES) -> tuple[bytes, str | None]:
        envelope = sealed.parse_signed(decompress(raw, max_bytes))
        if envelope is None:
            if self.keys is not None and not self.allow_unsigned:
                raise BundleError("error.trust.unsigned_office")
            return raw, None
        if self.keys is None:
            raise BundleError("error.trust.not_enrolled")
        if envelope["office"] != self.keys.office["fingerprint"]:
            raise BundleError("error.trust.other_office", office=envelope["office"][:19], ours=self.keys.office["fingerprint"])
        inner = sealed.verify_office(envelope, self.keys.office_sign)
        if envelope.get("device") and envelope["device"] != self.device_id:
            raise BundleError("error.trust.for_other_device", device=envelope["device"], ours=self.device_id or "—")
        return inner, None

    def writer(self, data: dict[str, Any], signer: str | None, now_ms: int) -> None:
        """No rights table on a laptop: what its office sends is the register's authority."""
        return None

    def refused(self, source: str, raw: bytes, error: BundleError) -> None:
        """A laptop keeps no refusal log: the recorder sees the reason at once."""

    def meta_update(self) -> dict[str, Any]:
        return {}


def field_gate(store: Store, home: Home, allow_unsigned: bool = False) -> FieldGate:
    return FieldGate(load_device_keys(home.device_keys_file), allow_unsigned, store.meta().get("device_id"))
