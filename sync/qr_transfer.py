"""A bundle to QR frames and back: canonical JSON → codec → frames; frames → JSON for the import."""

from __future__ import annotations

from typing import Any

from fieldvisit.errors import BundleError
from fieldvisit.i18n import t
from fieldvisit.sync import qr_codec, sealed
from fieldvisit.sync.assembler import Assembler, Progress
from fieldvisit.sync.canonical import canonical_bytes
from fieldvisit.sync.frames import Frame, split
from fieldvisit.sync.validate import DEFAULT_MAX_BYTES

DEFAULT_VERSION = 20
DEFAULT_EC = "M"


def bundle_frames(
    bundle: dict[str, Any], version: int = DEFAULT_VERSION, ec: str = DEFAULT_EC, codec: str | None = None, sealed_payload: bytes | None = None
) -> list[Frame]:
    """The plain frames of a bundle for QR symbols of at most `version` at level `ec`; on an
    enrolled laptop, the frames of `sealed_payload` (`sealed.seal_binary`, made once: sealing
    is randomised, and the frames must not change while they are being shown)."""
    if sealed_payload is not None:
        return split(sealed_payload, sealed.QR_CODEC, bundle["bundle_id"], version, ec)
    chosen = codec or qr_codec.DEFAULT_CODEC
    compressed = qr_codec.compress(canonical_bytes(bundle), chosen)
    return split(compressed, chosen, bundle["bundle_id"], version, ec)


def bundle_json(progress: Progress, max_bytes: int = DEFAULT_MAX_BYTES) -> bytes:
    """The canonical JSON a completed set of frames carries (or a sealed envelope, opened by the
    import's trust gate); the import then checks it fully."""
    if progress.codec == sealed.QR_CODEC:
        payload = progress.payload()
        if len(payload) > max_bytes:
            raise BundleError("error.bundle.too_large", limit=f"{max_bytes / 1024 / 1024:g} MiB")
        return payload
    try:
        return qr_codec.decompress(progress.payload(), progress.codec, max_bytes)
    except qr_codec.CodecError as error:
        raise BundleError("error.bundle.corrupt", detail=str(error)) from None


def payloads_from_lines(lines: list[str], source: str) -> tuple[list[tuple[str, bytes]], list[str]]:
    """Assemble scanned lines: (name, canonical JSON) per complete bundle, and what went wrong.

    Blank lines are skipped; a bad line or an incomplete bundle is reported, never fatal for the rest.
    """
    assembler = Assembler()
    problems: list[str] = []
    for number, line in enumerate(lines, 1):
        if not line.strip():
            continue
        try:
            assembler.add(line)
        except BundleError as error:
            problems.append(t("cli.qr_bad_line", source=source, line=number, reason=str(error)))
    payloads = []
    for progress in assembler.bundles.values():
        name = f"{source} (QR …{progress.bundle_id[-6:]})"
        if not progress.complete:
            missing = ", ".join(map(str, progress.missing[:20]))
            problems.append(t("cli.qr_incomplete", source=name, have=progress.rank, count=progress.count, missing=missing))
            continue
        try:
            payloads.append((name, bundle_json(progress)))
        except BundleError as error:
            problems.append(t("cli.import_rejected", source=name, reason=str(error)))
    return payloads, problems
