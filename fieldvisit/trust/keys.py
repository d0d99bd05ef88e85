"""Keys and enrollment (docs/architecture.md §6, issue 8): who may hand matters to this office, and how to tell.

The office holds two key pairs (libsodium through PyNaCl): X25519 so laptops can seal bundles
that only the office opens (a lost USB stick or a photographed QR code reveals nothing), and
Ed25519 to sign what the office sends back. A laptop holds one Ed25519 key to sign what it
hands over. Secret keys live in small JSON files readable only by their owner (0600) beside the
store, never in the store itself, so a copied store file or bundle carries no secret.

Fingerprints are what people compare: 80 bits of SHA-256 of the public key(s) as four groups
of four Crockford base32 characters (`7K3Q-M2XA-…`), short enough to read out on the phone.
"""

from __future__ import annotations

import hashlib
import os
from contextlib import suppress
from pathlib import Path
from typing import Any

import base45
import orjson
from nacl import secret
from nacl.exceptions import CryptoError
from nacl.public import PrivateKey
from nacl.signing import SigningKey

from fieldvisit.core.crypto import KDF_LIMITS, b64, new_salt, stretch_passphrase, unb64
from fieldvisit.core.errors import FieldVisitError
from fieldvisit.stores.storage import naming

OFFICE_KEYS_FORMAT = "fieldvisit.office-keys"
DEVICE_KEYS_FORMAT = "fieldvisit.device-keys"
BACKUP_FORMAT = "fieldvisit.office-keys-backup"
TOKEN_FORMAT = "fieldvisit.enrollment"
VERSION = 1
CROCKFORD = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"


class TrustError(FieldVisitError):
    """A key, token or backup that cannot be used; nothing was written."""

    message_key = "error.trust.generic"


def fingerprint(*public_keys: bytes) -> str:
    """`XXXX-XXXX-XXXX-XXXX`: 80 bits of SHA-256, Crockford base32 (no I, L, O, U to mishear)."""
    number = int.from_bytes(hashlib.sha256(b"".join(public_keys)).digest()[:10], "big")
    chars = "".join(CROCKFORD[(number >> shift) & 31] for shift in range(75, -1, -5))
    return "-".join(chars[i : i + 4] for i in range(0, 16, 4))


def normalise_fingerprint(text: str) -> str:
    """What a person types (any case, with or without dashes, O for 0) as the canonical form."""
    chars = text.upper().replace("-", "").replace(" ", "").replace("O", "0").replace("I", "1").replace("L", "1")
    return "-".join(chars[i : i + 4] for i in range(0, len(chars), 4))


# -- files with secrets --------------------------------------------------------------------


def write_private(path: Path, value: dict[str, Any]) -> None:
    """Write JSON readable by the owner only (0600), atomically: the mode is set before any byte."""
    path.parent.mkdir(parents=True, exist_ok=True)
    temp = path.with_name(path.name + ".tmp")
    if temp.exists():
        temp.unlink()
    try:
        handle = os.open(temp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        try:
            os.write(handle, orjson.dumps(value, option=orjson.OPT_SORT_KEYS | orjson.OPT_INDENT_2))
            os.fsync(handle)
        finally:
            os.close(handle)
        os.replace(temp, path)
    except OSError as error:  # a full disk: no half-written key file left, and the error names `path`
        with suppress(OSError):  # the folder may have gone with the stick
            temp.unlink(missing_ok=True)
        raise naming(error, path) from None


def _read_json(path: Path, expected: str) -> dict[str, Any]:
    try:
        value = orjson.loads(Path(path).read_bytes())
    except FileNotFoundError:
        raise TrustError("error.trust.no_file", path=str(path)) from None
    except orjson.JSONDecodeError:
        raise TrustError("error.trust.bad_file", path=str(path)) from None
    if not isinstance(value, dict) or value.get("format") != expected:
        raise TrustError("error.trust.bad_file", path=str(path))
    return value


# -- the office ----------------------------------------------------------------------------


class OfficeKeys:
    """The office's sealing (X25519) and signing (Ed25519) key pairs and its organisation name."""

    def __init__(self, box_key: PrivateKey, sign_key: SigningKey, organisation: str = ""):
        self.box_key, self.sign_key, self.organisation = box_key, sign_key, organisation

    @classmethod
    def generate(cls, organisation: str = "") -> "OfficeKeys":
        return cls(PrivateKey.generate(), SigningKey.generate(), organisation)

    @property
    def box_public(self) -> bytes:
        return bytes(self.box_key.public_key)

    @property
    def sign_public(self) -> bytes:
        return bytes(self.sign_key.verify_key)

    @property
    def fingerprint(self) -> str:
        return fingerprint(self.box_public, self.sign_public)

    def as_json(self) -> dict[str, Any]:
        return {
            "format": OFFICE_KEYS_FORMAT,
            "version": VERSION,
            "organisation": self.organisation,
            "box_secret": b64(bytes(self.box_key)),
            "sign_seed": b64(bytes(self.sign_key)),
            "fingerprint": self.fingerprint,
        }

    @classmethod
    def from_json(cls, value: dict[str, Any], path: str = "") -> "OfficeKeys":
        try:
            return cls(PrivateKey(unb64(value["box_secret"])), SigningKey(unb64(value["sign_seed"])), str(value.get("organisation", "")))
        except (KeyError, ValueError, TypeError, CryptoError):
            raise TrustError("error.trust.bad_file", path=path) from None

    def save(self, path: Path) -> None:
        write_private(path, self.as_json())

    @classmethod
    def load(cls, path: Path) -> "OfficeKeys":
        return cls.from_json(_read_json(path, OFFICE_KEYS_FORMAT), str(path))

    def token(self) -> dict[str, Any]:
        """What a laptop needs to seal to this office and check its signature; nothing secret."""
        return {
            "format": TOKEN_FORMAT,
            "version": VERSION,
            "organisation": self.organisation,
            "office": {"box": b64(self.box_public), "sign": b64(self.sign_public)},
            "fingerprint": self.fingerprint,
        }


def init_office_keys(path: Path, organisation: str = "") -> OfficeKeys:
    """Make the office's keys once; a second `init` would orphan every enrolled laptop, so refuse."""
    if Path(path).exists():
        raise TrustError("error.trust.keys_exist", path=str(path))
    keys = OfficeKeys.generate(organisation)
    keys.save(path)
    return keys


def backup_office_keys(keys: OfficeKeys, passphrase: str, strength: str = "moderate") -> dict[str, Any]:
    """The key file encrypted with a key stretched from the passphrase (Argon2id), for a safe place."""
    ops, mem = KDF_LIMITS[strength]
    salt = new_salt()
    key = stretch_passphrase(passphrase, salt, ops, mem)
    box = secret.SecretBox(key).encrypt(orjson.dumps(keys.as_json(), option=orjson.OPT_SORT_KEYS))
    return {"format": BACKUP_FORMAT, "version": VERSION, "kdf": "argon2id", "opslimit": ops, "memlimit": mem, "salt": b64(salt), "box": b64(bytes(box)), "fingerprint": keys.fingerprint}


def restore_office_keys(backup: dict[str, Any], passphrase: str) -> OfficeKeys:
    """The keys inside a backup; a wrong passphrase and a damaged file both say so plainly."""
    if backup.get("format") != BACKUP_FORMAT or backup.get("kdf") != "argon2id":
        raise TrustError("error.trust.bad_backup")
    try:
        salt, box = unb64(backup["salt"]), unb64(backup["box"])
        key = stretch_passphrase(passphrase, salt, int(backup["opslimit"]), int(backup["memlimit"]))
    except (KeyError, ValueError, TypeError):
        raise TrustError("error.trust.bad_backup") from None
    try:
        plain = secret.SecretBox(key).decrypt(box)
    except CryptoError:
        raise TrustError("error.trust.wrong_passphrase") from None
    return OfficeKeys.from_json(orjson.loads(plain))


def read_backup(path: Path) -> dict[str, Any]:
    return _read_json(path, BACKUP_FORMAT)


# -- enrollment on a laptop ----------------------------------------------------------------

TOKEN_QR_PREFIX = "FVE1:"
"""A token as a QR code: this prefix and base45 of its canonical JSON, all in QR's alphanumeric
alphabet, so a Chinese organisation name survives any scanner (byte mode guesses encodings)."""


def token_qr_text(token: dict[str, Any]) -> str:

    return TOKEN_QR_PREFIX + base45.b45encode(orjson.dumps(token, option=orjson.OPT_SORT_KEYS)).decode("ascii")


def token_from_qr_texts(texts: list[str]) -> bytes:
    """The token JSON from the texts decoded off an image (the first enrollment code in it)."""

    for text in texts:
        if text.startswith(TOKEN_QR_PREFIX):
            try:
                return base45.b45decode(text[len(TOKEN_QR_PREFIX) :])
            except ValueError:
                raise TrustError("error.trust.bad_token") from None
    raise TrustError("error.trust.no_token_qr")


TOKEN_MAX_BYTES = 64 * 1024
"""A token is a few hundred bytes; anything much larger is not one (and is not read whole)."""


def read_token_file(path: Path) -> bytes:
    """The token's JSON from what the office handed over: the .json itself, or a photo / PNG of
    its QR code. A folder (a USB stick) is searched for one, .json files before images.
    Shared by `fieldvisit enroll FILE` and the enrollment screen."""
    from fieldvisit.sync.qr_images import IMAGE_SUFFIXES, decode_image  # zxing-cpp and Pillow only for a photo

    path = Path(path)
    if path.is_dir():
        return _token_in_folder(path, IMAGE_SUFFIXES)
    try:
        if path.suffix.lower() in IMAGE_SUFFIXES:
            return token_from_qr_texts(decode_image(path))
        if path.stat().st_size > TOKEN_MAX_BYTES:
            raise TrustError("error.trust.bad_token")
        return path.read_bytes()
    except FileNotFoundError:
        raise TrustError("error.trust.no_token_file", path=str(path)) from None
    except OSError as error:
        raise TrustError("error.trust.token_unreadable", path=str(path), reason=error.strerror or str(error)) from None


def _token_in_folder(folder: Path, image_suffixes: tuple[str, ...]) -> bytes:
    """The first valid token directly inside `folder` (every token of one office is the same)."""
    try:
        files = sorted(entry for entry in folder.iterdir() if entry.is_file())
    except OSError as error:
        raise TrustError("error.trust.token_unreadable", path=str(folder), reason=error.strerror or str(error)) from None
    jsons = [entry for entry in files if entry.suffix.lower() == ".json"]
    images = [entry for entry in files if entry.suffix.lower() in image_suffixes]
    for candidate in jsons + images:
        try:
            raw = read_token_file(candidate)
            read_token(raw)
            return raw
        except FieldVisitError:
            continue
    raise TrustError("error.trust.no_token_in_folder", path=str(folder))


def read_token(raw: bytes) -> dict[str, Any]:
    """A checked enrollment token: its fingerprint must match the keys it carries."""
    try:
        token = orjson.loads(raw)
        office = token["office"]
        box, sign = unb64(office["box"]), unb64(office["sign"])
    except (orjson.JSONDecodeError, KeyError, TypeError, ValueError):
        raise TrustError("error.trust.bad_token") from None
    if token.get("format") != TOKEN_FORMAT or len(box) != 32 or len(sign) != 32:
        raise TrustError("error.trust.bad_token")
    if token.get("version") != VERSION:
        raise TrustError("error.trust.bad_token")
    if token.get("fingerprint") != fingerprint(box, sign):
        raise TrustError("error.trust.token_fingerprint")
    return token


class DeviceKeys:
    """A laptop's signing key and the office it hands over to (from the enrollment token)."""

    def __init__(self, sign_key: SigningKey, office: dict[str, Any]):
        self.sign_key, self.office = sign_key, office

    @property
    def public(self) -> bytes:
        return bytes(self.sign_key.verify_key)

    @property
    def fingerprint(self) -> str:
        return fingerprint(self.public)

    @property
    def office_box(self) -> bytes:
        return unb64(self.office["office"]["box"])

    @property
    def office_sign(self) -> bytes:
        return unb64(self.office["office"]["sign"])

    def save(self, path: Path) -> None:
        write_private(path, {"format": DEVICE_KEYS_FORMAT, "version": VERSION, "sign_seed": b64(bytes(self.sign_key)), "office": self.office, "fingerprint": self.fingerprint})

    @classmethod
    def load(cls, path: Path) -> "DeviceKeys":
        value = _read_json(path, DEVICE_KEYS_FORMAT)
        try:
            return cls(SigningKey(unb64(value["sign_seed"])), read_token(orjson.dumps(value["office"])))
        except (KeyError, ValueError, TypeError, CryptoError):
            raise TrustError("error.trust.bad_file", path=str(path)) from None


def load_device_keys(path: Path | None) -> DeviceKeys | None:
    """The laptop's keys when it is enrolled, else None (exports stay plain bundles)."""
    return DeviceKeys.load(path) if path is not None and Path(path).exists() else None


class OfficeChange(TrustError):
    """The token is another office's than the one this laptop hands over to. Switching would send
    every later hand-over there, so it is only done when asked for (`switch_office`)."""

    message_key = "error.trust.office_change"

    def __init__(self, current: dict[str, Any], new: dict[str, Any]):
        super().__init__(
            current_organisation=current.get("organisation") or "—",
            current=current["fingerprint"],
            organisation=new.get("organisation") or "—",
            office=new["fingerprint"],
        )
        self.current, self.new = current, new


def enroll_device(path: Path, token_raw: bytes, switch_office: bool = False) -> DeviceKeys:
    """Enroll with an office: keep the laptop's key if it has one (re-enrolling after the office
    restored its keys keeps the fingerprint the officer approved), else make one. A token from
    another office than the current one raises `OfficeChange` unless `switch_office`."""
    token = read_token(token_raw)
    existing = load_device_keys(path)
    if existing is not None and existing.office["fingerprint"] != token["fingerprint"] and not switch_office:
        raise OfficeChange(existing.office, token)
    keys = DeviceKeys(existing.sign_key if existing else SigningKey.generate(), token)
    keys.save(path)
    return keys
