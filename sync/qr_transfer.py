"""A bundle to QR frames and back: canonical JSON → codec → frames; frames → JSON for the import."""

from __future__ import annotations

from typing import Any, Iterable, Iterator, TextIO

from fieldvisit.core.errors import BundleError
from fieldvisit.core.i18n import t
from fieldvisit.sync import qr_codec, sealed
from fieldvisit.sync.assembler import Assembler, Progress
from fieldvisit.sync.canonical import canonical_bytes
from fieldvisit.sync.frames import MAX_FRAME_CHARS, Frame, split
from fieldvisit.sync.sources import Payloads

DEFAULT_VERSION = 20
DEFAULT_EC = "M"
MAX_QR_JSON_BYTES = 4 * 1024 * 1024
"""The largest bundle a QR hand-over may decompress to: `frames.MAX_PAYLOAD_BYTES` of the
Chinese-aware codec at the ~7× it reaches on real visits is under 1 MiB."""
MAX_EXPANSION = 100
"""A QR payload decompresses to at most this many times its own size (and at least 64 KiB):
real visits expand ~7×, a visit whose every matter repeats the same text ~30×. Stops a few
lines of frames from turning into megabytes of JSON to import."""
MAX_REPORTED_LINES = 20
"""Bad lines described one by one; beyond these, one line says how many more were refused."""


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


def bundle_json(progress: Progress, max_bytes: int | None = None) -> bytes:
    """The canonical JSON a completed set of frames carries (or a sealed envelope, opened by the
    import's trust gate); the import then checks it fully. At most `max_bytes`: by default
    `MAX_QR_JSON_BYTES`, and `MAX_EXPANSION` × the payload."""
    payload = progress.payload()
    if max_bytes is None:
        max_bytes = min(MAX_QR_JSON_BYTES, max(64 * 1024, MAX_EXPANSION * len(payload)))
    if progress.codec == sealed.QR_CODEC:
        if len(payload) > max_bytes:
            raise BundleError("error.bundle.too_large", limit=f"{max_bytes / 1024 / 1024:g} MiB")
        return payload
    try:
        return qr_codec.decompress(payload, progress.codec, max_bytes)
    except qr_codec.CodecError as error:
        raise BundleError("error.bundle.corrupt", detail=str(error)) from None


def frame_lines(handle: TextIO) -> Iterator[str]:
    """The lines of a text file of scanned frames, read one at a time; a line longer than any QR
    code is cut just past `MAX_FRAME_CHARS` (and refused as such), so no line fills memory."""
    while line := handle.readline(MAX_FRAME_CHARS + 2):
        if not line.endswith("\n"):
            while (rest := handle.readline(64 * 1024)) and not rest.endswith("\n"):
                pass
        yield line


def payloads_from_lines(lines: Iterable[str], source: str) -> tuple[Payloads, list[str]]:
    """Assemble scanned lines: (name, canonical JSON) per complete bundle, and what went wrong.

    Blank lines are skipped; a bad line or an incomplete bundle is reported, never fatal for the
    rest. The bundles are decompressed one at a time as the import reads them; one that cannot
    be adds its line to the problems (the same list) then.
    """
    assembler = Assembler()
    problems: list[str] = []
    bad = 0
    for number, line in enumerate(lines, 1):
        if not line.strip():
            continue
        try:
            assembler.add(line)
        except BundleError as error:
            bad += 1
            if bad <= MAX_REPORTED_LINES:
                problems.append(t("cli.qr_bad_line", source=source, line=number, reason=str(error)))
    if bad > MAX_REPORTED_LINES:
        problems.append(t("error.qr_limit.more_lines", source=source, count=bad - MAX_REPORTED_LINES))
    complete = []
    for progress in assembler.bundles.values():
        name = f"{source} (QR …{progress.bundle_id[-6:]})"
        if not progress.complete:
            missing = ", ".join(map(str, progress.missing[:20]))
            problems.append(t("cli.qr_incomplete", source=name, have=progress.rank, count=progress.count, missing=missing))
            continue
        complete.append((name, lambda name=name, progress=progress: _decoded(name, progress)))
    return Payloads(complete, problems), problems


def _decoded(name: str, progress: Progress) -> bytes:
    try:
        return bundle_json(progress)
    except BundleError as error:
        raise BundleError("cli.import_rejected", source=name, reason=str(error)) from None
