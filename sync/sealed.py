"""The sealed envelope: a bundle only the office can open, signed by the laptop that made it.

    {"format": "fieldvisit.sealed", "version": 1,
     "device": {"id": device ULID, "key": base64 Ed25519 public key},
     "office": office fingerprint,
     "sealed": base64(SealedBox(office X25519 key).encrypt(gzip(canonical bundle JSON))),
     "signature": base64(Ed25519 signature of the canonical JSON of everything else)}

Compress, then seal (ciphertext does not compress). The signature covers the device id, its key
and the office fingerprint as well as the ciphertext, so none of them can be swapped without
breaking it. The device key travels in the envelope so an office can show a device it has
never seen, with its fingerprint, for the officer to approve; until then nothing of it is merged.
The file is gzip of canonical JSON like a bundle (`*.fvb`), so the same USB path carries it.

QR frames carry the same thing in binary (frame codec `"S"`), because base64 inside JSON would
cost a third more frames: the bundle is compressed with the QR text codec "W" first, then

    b"FVS1" | device ULID (26 ASCII) | device key (32) | office fingerprint (19 ASCII)
            | SealedBox ciphertext | Ed25519 signature of everything before it (64)

which adds 193 bytes (under 300 characters of base45) to the plain frames: at most one frame.
Both forms are read into an `Envelope`, and checked the same way.
"""

from __future__ import annotations

import binascii
import gzip
from dataclasses import dataclass
from typing import Any

import orjson
from nacl.exceptions import BadSignatureError, CryptoError
from nacl.public import PrivateKey, PublicKey, SealedBox
from nacl.signing import SigningKey, VerifyKey

from fieldvisit.core.errors import BundleError
from fieldvisit.core.ids import is_id
from fieldvisit.sync.canonical import canonical_bytes

FORMAT = "fieldvisit.sealed"
VERSION = 1
MARKER = b'"fieldvisit.sealed"'
KEYS = {"format", "version", "device", "office", "sealed", "signature"}
BINARY_MAGIC = b"FVS1"
QR_CODEC = "S"
_ID, _KEY, _FP, _SIG = 26, 32, 19, 64


@dataclass(frozen=True)
class Envelope:
    """What either form says: who signed, for which office, the signed bytes and the ciphertext."""

    device_id: str
    key: bytes
    office: str
    signed: bytes
    signature: bytes
    cipher: bytes
    inner: str  # "gzip" (file form) or "W" (QR form): how the bundle was compressed before sealing


def seal(bundle: dict[str, Any], device_id: str, sign_key: SigningKey, office_box: bytes, office_fingerprint: str) -> dict[str, Any]:
    inner = gzip.compress(canonical_bytes(bundle), compresslevel=9, mtime=0)
    envelope: dict[str, Any] = {
        "format": FORMAT,
        "version": VERSION,
        "device": {"id": device_id, "key": _b64(bytes(sign_key.verify_key))},
        "office": office_fingerprint,
        "sealed": _b64(SealedBox(PublicKey(office_box)).encrypt(inner)),
    }
    envelope["signature"] = _b64(sign_key.sign(canonical_bytes(envelope)).signature)
    return envelope


def encode(envelope: dict[str, Any]) -> bytes:
    return gzip.compress(canonical_bytes(envelope), compresslevel=9, mtime=0)


def seal_binary(bundle: dict[str, Any], device_id: str, sign_key: SigningKey, office_box: bytes, office_fingerprint: str) -> bytes:
    """The compact form for QR frames (see the module docstring)."""
    # the QR codec and its word model only for QR frames
    from fieldvisit.sync import qr_codec

    inner = qr_codec.compress(canonical_bytes(bundle), qr_codec.CODEC_TEXT)
    head = BINARY_MAGIC + device_id.encode("ascii") + bytes(sign_key.verify_key) + office_fingerprint.encode("ascii")
    body = head + SealedBox(PublicKey(office_box)).encrypt(inner)
    return body + sign_key.sign(body).signature


def looks_sealed(text: bytes) -> bool:
    """Cheap test on decompressed JSON: only a text naming the format is parsed as an envelope."""
    return MARKER in text


def parse_binary(raw: bytes) -> Envelope:
    fixed = len(BINARY_MAGIC) + _ID + _KEY + _FP
    if len(raw) < fixed + 48 + _SIG:
        raise BundleError("error.trust.bad_envelope")
    at = len(BINARY_MAGIC)
    try:
        device_id = raw[at : at + _ID].decode("ascii")
        office = raw[at + _ID + _KEY : fixed].decode("ascii")
    except UnicodeDecodeError:
        raise BundleError("error.trust.bad_envelope") from None
    if not is_id(device_id):
        raise BundleError("error.trust.bad_envelope")
    return Envelope(device_id, raw[at + _ID : at + _ID + _KEY], office, raw[:-_SIG], raw[-_SIG:], raw[fixed:-_SIG], "W")


def parse(text: bytes) -> Envelope | None:
    """The envelope in `text`, checked for shape; None when `text` is some other JSON (a bundle)."""
    try:
        value = orjson.loads(text)
    except orjson.JSONDecodeError:
        return None
    if not isinstance(value, dict) or value.get("format") != FORMAT:
        return None
    version = value.get("version")
    if isinstance(version, int) and not isinstance(version, bool) and version > VERSION:
        raise BundleError("error.bundle.newer", version=version, supported=VERSION)
    device = value.get("device")
    if (
        set(value) != KEYS
        or version != VERSION
        or not isinstance(device, dict)
        or set(device) != {"id", "key"}
        or not is_id(device.get("id"))
        or not all(isinstance(value.get(key), str) for key in ("office", "sealed", "signature"))
        or not isinstance(device.get("key"), str)
    ):
        raise BundleError("error.trust.bad_envelope")
    key = _unb64(device["key"])
    if len(key) != _KEY:
        raise BundleError("error.trust.bad_envelope")
    body = {name: item for name, item in value.items() if name != "signature"}
    return Envelope(device["id"], key, value["office"], canonical_bytes(body), _unb64(value["signature"]), _unb64(value["sealed"]), "gzip")


def verify(envelope: Envelope) -> None:
    """The signature matches the device key the envelope names; raise `error.trust.signature` if not."""
    try:
        VerifyKey(envelope.key).verify(envelope.signed, envelope.signature)
    except (BadSignatureError, ValueError, CryptoError):
        raise BundleError("error.trust.signature", device=envelope.device_id) from None


def unseal(envelope: Envelope, box_key: PrivateKey, max_bytes: int) -> bytes:
    """The bundle inside (gzip or canonical JSON, as `read_bundle` takes it); damaged ciphertext
    or the wrong office key cannot be opened."""
    try:
        inner = SealedBox(box_key).decrypt(envelope.cipher)
    except (CryptoError, ValueError):
        raise BundleError("error.trust.unseal") from None
    if envelope.inner == "gzip":
        return inner
    # the QR codec and its word model only for QR frames
    from fieldvisit.sync import qr_codec

    try:
        return qr_codec.decompress(inner, qr_codec.CODEC_TEXT, max_bytes)
    except qr_codec.CodecError as error:
        raise BundleError("error.bundle.corrupt", detail=str(error)) from None


# -- office → laptop: signed by the office --------------------------------------------------

SIGNED_FORMAT = "fieldvisit.signed"
SIGNED_MARKER = b'"fieldvisit.signed"'
SIGNED_KEYS = {"format", "version", "office", "bundle", "signature"}


def sign_office(bundle: dict[str, Any], sign_key: SigningKey, office_fingerprint: str, for_device: str | None = None) -> dict[str, Any]:
    """What the office sends back to a laptop: `{"format": "fieldvisit.signed", "version": 1,
    "office": fingerprint, ["device": the laptop it is for,] "bundle": base64(gzip(canonical
    bundle)), "signature": base64(Ed25519 over the canonical JSON of the rest)}`. Signed, not
    sealed: the laptop has no sealing key. With `device`, any other laptop refuses it."""
    envelope: dict[str, Any] = {
        "format": SIGNED_FORMAT,
        "version": VERSION,
        "office": office_fingerprint,
        "bundle": _b64(gzip.compress(canonical_bytes(bundle), compresslevel=9, mtime=0)),
    }
    if for_device:
        envelope["device"] = for_device
    envelope["signature"] = _b64(sign_key.sign(canonical_bytes(envelope)).signature)
    return envelope


def parse_signed(text: bytes) -> dict[str, Any] | None:
    """The office-signed envelope in `text`, checked for shape; None for any other JSON."""
    if SIGNED_MARKER not in text:
        return None
    try:
        value = orjson.loads(text)
    except orjson.JSONDecodeError:
        return None
    if not isinstance(value, dict) or value.get("format") != SIGNED_FORMAT:
        return None
    if set(value) - {"device"} != SIGNED_KEYS or value.get("version") != VERSION or not all(isinstance(value[key], str) for key in ("office", "bundle", "signature")):
        raise BundleError("error.trust.bad_envelope")
    if "device" in value and not is_id(value["device"]):
        raise BundleError("error.trust.bad_envelope")
    return value


def verify_office(envelope: dict[str, Any], office_sign: bytes) -> bytes:
    """The gzip bundle inside, once the office's signature over everything else checks out."""
    body = {key: value for key, value in envelope.items() if key != "signature"}
    try:
        VerifyKey(office_sign).verify(canonical_bytes(body), _unb64(envelope["signature"]))
    except (BadSignatureError, ValueError, CryptoError):
        raise BundleError("error.trust.office_signature") from None
    return _unb64(envelope["bundle"])


def _b64(data: bytes) -> str:
    return binascii.b2a_base64(data, newline=False).decode("ascii")


def _unb64(text: str) -> bytes:
    try:
        return binascii.a2b_base64(text.encode("ascii"), strict_mode=True)
    except (binascii.Error, UnicodeEncodeError):
        raise BundleError("error.trust.bad_envelope") from None
