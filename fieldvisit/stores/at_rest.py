"""A passphrase for the field store: petitioners' personal data sealed in the file (issue 8).

A laptop left on a train should not hand over who complained. With a passphrase set, the values
of `SEALED_FIELDS` in every matter are sealed wherever they sit: the winning register
(`fields`), every register it replaced (`history`) and every losing value (`conflicts`). In the
file such a value reads

    "petitioner_name": {"base": null, "stamp": "1794…-0001-01M3…", "value": {"sealed": "<base64>"}}

where the base64 is a 24-byte random nonce and the XSalsa20-Poly1305 ciphertext (libsodium's
SecretBox, via PyNaCl) of the value's JSON. A JSON object where these fields only ever hold text
cannot be mistaken for a real value, and it keeps the file canonical JSON. Everything else stays
readable: stamps, bases, structure, other fields, the visits and the meta, so merging, importing
and the splicing index work on the same shapes; only the sealed values need the key.

Sealed: the values of a draft (the form being typed, whole), and in matters the name, employee
number and phone (`model.IDENTITY_FIELDS`), the representatives of a group (more names) and the
narrative `detail`, because recorders write what they hear and that is
"来访人郑春东反映…". Not sealed: titles, demands, answers, units, categories, dates, the visits'
sites, leaders and recorders, map entries (status changes, feedback notes).

The key is stretched from the passphrase with Argon2id (`trust.stretch_passphrase`); the salt,
the limits and a verifier (a fixed text sealed with the key) are kept in the store's meta under
`at_rest`, so a wrong passphrase is known at once and said plainly, never read as garbage. There
is no other copy of the key: a forgotten passphrase cannot be recovered.

Setting, changing and removing the passphrase rewrite the whole store in one atomic write
(`TinyDBStore.reseal`), so a crash leaves the old file or the new one, never a half-sealed one.
A save seals only the records it changed: `StoreCipher` keeps each record's sealed form beside
its plain one and reuses it while the record is untouched (a thousand matters would otherwise
cost thousands of fresh nonces per save).
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

import orjson
from nacl import pwhash, secret
from nacl.exceptions import CryptoError

from fieldvisit.core import model
from fieldvisit.core.errors import FieldVisitError, PassphraseError, StoreCorruptError
from fieldvisit.core.records import Record
from fieldvisit.stores.storage import SEALED_KEY
from fieldvisit.stores.store import DRAFTS, ISSUES, TinyDBStore
from fieldvisit.core.crypto import KDF_LIMITS, b64, new_salt, stretch_passphrase, unb64

SEALED = SEALED_KEY
SEALED_FIELDS = (*model.IDENTITY_FIELDS, "representatives", "detail")
VERSION = 1
VERIFIER = b"fieldvisit.at-rest.v1"
DEFAULT_STRENGTH = "moderate"
"""Argon2id with 256 MiB and 3 passes: about half a second on a laptop, at every start."""
FAST_STRENGTH = "interactive"
"""64 MiB, 2 passes: for tests (`--fast-kdf`), never the default."""
PASSPHRASE_ENV = "FIELDVISIT_PASSPHRASE"
"""For scripts: the passphrase of the field store, so commands do not prompt for it."""


class StoreCipher:
    """Seals and opens the values of one store's sealed fields with the key from its passphrase."""

    def __init__(self, key: bytes, settings: dict[str, Any]):
        self._box = secret.SecretBox(key)
        self.settings = settings
        self.fields = frozenset(settings["fields"])
        self._known: dict[str, tuple[Record, Record]] = {}  # id → (plain record, its sealed form)
        self.damaged: dict[str, str] = {}  # id → reference of the matters with a value that does not open

    def check(self, settings: dict[str, Any]) -> None:
        """The store's settings must be the ones this cipher was made for (same salt, same key)."""
        if settings is self.settings:
            return
        if (settings.get("salt"), settings.get("verifier")) != (self.settings["salt"], self.settings["verifier"]):
            raise PassphraseError("error.passphrase.wrong")

    # -- whole stores (AtomicJSONStorage's side) ------------------------------------------

    def open(self, data: dict[str, Any], path: Path | str = "") -> dict[str, Any]:
        """The store's data with every sealed value opened; remembers the sealed records.

        A value that does not open (a damaged byte in the file) does not lock the store: its
        matter is opened without the registers that hold such values, is listed in `damaged`
        (id → reference) and cannot be written (`seal` refuses), so its sealed form stays in
        the file as it is; every other matter opens as usual."""
        data = self._open_drafts(data)
        issues = data.get(ISSUES)
        self.damaged = {}
        if not issues:
            return data
        opened: dict[str, Record] = {}
        known: dict[str, tuple[Record, Record]] = {}
        open_value = self._opener(path)
        for record_id, sealed_record in issues.items():
            try:
                plain = _convert(sealed_record, self.fields, open_value)
            except StoreCorruptError:
                plain = _readable_part(sealed_record, self.fields, open_value)
                self.damaged[record_id] = str(((sealed_record.get("fields") or {}).get("ref") or {}).get("value") or record_id)
            opened[record_id] = plain
            known[record_id] = (plain, sealed_record)
        self._known = known
        return {**data, ISSUES: opened}

    def seal(self, data: dict[str, Any], changed: dict[str, Iterable[str]] | None = None) -> dict[str, Any]:
        """The data as the file holds it. A record neither in `changed` nor replaced by another
        object since it was last opened or sealed keeps its sealed form; without `changed`,
        every record is sealed afresh."""
        data = self._seal_drafts(data)
        issues = data.get(ISSUES)
        if not issues:
            return data
        dirty = None if changed is None else set(changed.get(ISSUES, ()))
        known = self._known
        sealed_rows: dict[str, Record] = {}
        for record_id, record in issues.items():
            entry = known.get(record_id)
            if dirty is not None and entry is not None and entry[0] is record and record_id not in dirty:
                sealed_rows[record_id] = entry[1]
                continue
            if record_id in self.damaged:
                raise FieldVisitError("error.fault.damaged_unchangeable", ref=self.damaged[record_id])
            sealed_record = _convert(record, self.fields, self.seal_value)
            known[record_id] = (record, sealed_record)
            sealed_rows[record_id] = sealed_record
        return {**data, ISSUES: sealed_rows}

    # -- drafts (fieldvisit.editing.drafts): the values of a form being typed, sealed whole --

    def _seal_drafts(self, data: dict[str, Any]) -> dict[str, Any]:
        drafts = data.get(DRAFTS)
        if not drafts:
            return data
        sealed = {key: {**draft, "values": self.seal_value(draft["values"])} if draft.get("values") is not None else draft for key, draft in drafts.items()}
        return {**data, DRAFTS: sealed}

    def _open_drafts(self, data: dict[str, Any]) -> dict[str, Any]:
        """A draft that does not open is left out: it is not a saved record, and the store
        opens without it rather than not at all."""
        drafts = data.get(DRAFTS)
        if not drafts:
            return data
        opened = {}
        for key, draft in drafts.items():
            try:
                opened[key] = {**draft, "values": self.open_value(draft.get("values"))}
            except StoreCorruptError:
                continue
        return {**data, DRAFTS: opened}

    # -- values ---------------------------------------------------------------------------

    def seal_value(self, value: Any) -> Any:
        if is_sealed(value):
            return value
        return {SEALED: b64(bytes(self._box.encrypt(orjson.dumps(value))))}

    def open_value(self, value: Any) -> Any:
        return self._opener("")(value)

    def _opener(self, path: Path | str) -> Callable[[Any], Any]:
        def open_value(value: Any) -> Any:
            if not is_sealed(value):
                return value  # a plain value (never expected) is taken as it is
            try:
                return orjson.loads(self._box.decrypt(unb64(value[SEALED])))
            except (CryptoError, ValueError, orjson.JSONDecodeError):
                raise StoreCorruptError(path=str(path), reason="a sealed value does not open") from None

        return open_value


def is_sealed(value: Any) -> bool:
    return isinstance(value, dict) and len(value) == 1 and isinstance(value.get(SEALED), str)


def _readable_part(record: Record, fields: frozenset[str], open_value: Callable[[Any], Any]) -> Record:
    """A damaged matter as far as it can be read: the registers whose values open, opened; the
    ones that do not, left out wherever they sit, so nothing shows, exports or merges a
    stand-in under their stamps."""
    unreadable = object()

    def opened(value: Any) -> Any:
        try:
            return open_value(value)
        except StoreCorruptError:
            return unreadable

    copy = _convert(record, fields, opened)
    copy["fields"] = {name: register for name, register in (copy.get("fields") or {}).items() if register["value"] is not unreadable}
    history = {name: {stamp: kept for stamp, kept in registers.items() if kept["value"] is not unreadable} for name, registers in (copy.get("history") or {}).items()}
    copy["history"] = {name: registers for name, registers in history.items() if registers}
    copy["conflicts"] = [conflict for conflict in copy.get("conflicts") or [] if conflict["value"] is not unreadable]
    return copy


def _convert(record: Record, fields: frozenset[str], change: Callable[[Any], Any]) -> Record:
    """A copy of `record` with `change` applied to the values of `fields` in its registers,
    history and conflicts; everything else is shared with the original, not copied."""
    current = record.get("fields") or {}
    history = record.get("history") or {}
    conflicts = record.get("conflicts") or []
    in_fields = [name for name in current if name in fields]
    in_history = [name for name in history if name in fields]
    in_conflicts = any(conflict.get("field") in fields for conflict in conflicts)
    if not (in_fields or in_history or in_conflicts):
        return record
    copy = dict(record)
    if in_fields:
        copy["fields"] = {**current, **{name: {**current[name], "value": change(current[name]["value"])} for name in in_fields}}
    if in_history:
        copy["history"] = {
            **history,
            **{name: {stamp: {**register, "value": change(register["value"])} for stamp, register in history[name].items()} for name in in_history},
        }
    if in_conflicts:
        copy["conflicts"] = [{**conflict, "value": change(conflict["value"])} if conflict.get("field") in fields else conflict for conflict in conflicts]
    return copy


# -- passphrases --------------------------------------------------------------------------


def new_cipher(passphrase: str, strength: str = DEFAULT_STRENGTH) -> StoreCipher:
    """A cipher with a fresh salt, and the settings that will describe it in the store's meta."""
    if not passphrase:
        raise PassphraseError("error.passphrase.empty")
    ops, mem = KDF_LIMITS[strength]
    salt = new_salt()
    key = stretch_passphrase(passphrase, salt, ops, mem)
    settings = {
        "version": VERSION,
        "kdf": "argon2id",
        "opslimit": ops,
        "memlimit": mem,
        "salt": b64(salt),
        "cipher": "xsalsa20poly1305",
        "fields": sorted(SEALED_FIELDS),
        "verifier": b64(bytes(secret.SecretBox(key).encrypt(VERIFIER))),
    }
    return StoreCipher(key, settings)


def cipher_for(settings: dict[str, Any], passphrase: str, path: Path | str = "") -> StoreCipher:
    """The cipher of a store with these settings; PassphraseError when the passphrase is wrong."""
    try:
        if settings.get("kdf") != "argon2id" or settings.get("version") != VERSION:
            raise ValueError("passphrase settings of an unknown kind or version")
        ops, mem = int(settings["opslimit"]), int(settings["memlimit"])
        if not (pwhash.argon2id.OPSLIMIT_MIN <= ops <= pwhash.argon2id.OPSLIMIT_SENSITIVE):
            raise ValueError("passphrase settings out of range")
        if not (pwhash.argon2id.MEMLIMIT_MIN <= mem <= pwhash.argon2id.MEMLIMIT_SENSITIVE):
            raise ValueError("passphrase settings out of range")
        salt, verifier = unb64(settings["salt"]), unb64(settings["verifier"])
        if len(salt) != pwhash.argon2id.SALTBYTES or not all(isinstance(name, str) for name in settings["fields"]):
            raise ValueError("passphrase settings damaged")
    except (KeyError, ValueError, TypeError, AttributeError) as error:
        raise StoreCorruptError(path=str(path), reason=str(error) or "passphrase settings damaged") from None
    key = stretch_passphrase(passphrase, salt, ops, mem)
    try:
        if secret.SecretBox(key).decrypt(verifier) != VERIFIER:
            raise CryptoError
    except CryptoError:
        raise PassphraseError("error.passphrase.wrong") from None
    return StoreCipher(key, settings)


def is_protected(store: TinyDBStore) -> bool:
    return store.at_rest_settings() is not None


def unlock(store: TinyDBStore, passphrase: str) -> None:
    """Open a store that has a passphrase (nothing to do for one that has none)."""
    settings = store.at_rest_settings()
    if settings is not None:
        store.unlock(cipher_for(settings, passphrase, store.location))


def set_passphrase(store: TinyDBStore, passphrase: str, strength: str = DEFAULT_STRENGTH) -> None:
    """Seal the store with a new passphrase (first time, or a change on an unlocked store)."""
    if store.locked:
        raise PassphraseError("error.passphrase.required", path=store.location)
    store.reseal(new_cipher(passphrase, strength))


def remove_passphrase(store: TinyDBStore) -> None:
    """Write the unlocked store back in plain JSON."""
    if store.locked:
        raise PassphraseError("error.passphrase.required", path=store.location)
    store.reseal(None)


def passphrase_from_env() -> str | None:
    return os.environ.get(PASSPHRASE_ENV) or None
