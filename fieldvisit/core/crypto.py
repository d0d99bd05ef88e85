"""The small crypto helpers two layers share: base64 text and Argon2id passphrase stretching.

The office's key backup (`fieldvisit.trust.keys`) and the field store's passphrase
(`fieldvisit.stores.at_rest`) both turn a passphrase into a SecretBox key; one module does it for
both, so neither layer imports the other.
"""

from __future__ import annotations

import base64
import os
from typing import Any

from nacl import pwhash, secret

KDF_LIMITS = {
    "moderate": (pwhash.argon2id.OPSLIMIT_MODERATE, pwhash.argon2id.MEMLIMIT_MODERATE),
    "interactive": (pwhash.argon2id.OPSLIMIT_INTERACTIVE, pwhash.argon2id.MEMLIMIT_INTERACTIVE),
}
"""Argon2id cost by name: "moderate" for the office's key backup, "interactive" where a person waits."""


def b64(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii")


def unb64(text: Any) -> bytes:
    if not isinstance(text, str):
        raise ValueError("not base64 text")
    return base64.b64decode(text.encode("ascii"), validate=True)


def new_salt() -> bytes:
    return os.urandom(pwhash.argon2id.SALTBYTES)


def stretch_passphrase(passphrase: str, salt: bytes, opslimit: int, memlimit: int) -> bytes:
    """A SecretBox key from a passphrase (Argon2id): for the office key backup and the field
    store's at-rest key alike. Slow on purpose: each guess costs an attacker the same."""
    return pwhash.argon2id.kdf(secret.SecretBox.KEY_SIZE, passphrase.encode("utf-8"), salt, opslimit=opslimit, memlimit=memlimit)

