"""Bounded cost for any QR or file input: limits named, work counted, nothing timed.

Hostile frame streams are made here with valid checksums (anyone can compute a CRC); what is
asserted is how much work they cause (row operations, decodings, bundles kept), never how long.
"""

from __future__ import annotations

import io
import random
import struct
import threading
import zlib
from pathlib import Path

import base45
import pytest
from PIL import Image

from homes import home_of
from fieldvisit.core.errors import BundleError
from fieldvisit.stores.store import MemoryStore
from fieldvisit.sync import assembler as assembler_module
from fieldvisit.sync import frames as frames_module
from fieldvisit.sync import qr_images
from fieldvisit.sync.assembler import (
    FINISHED,
    MAX_BUNDLES_IN_PROGRESS,
    MAX_SAVED_LINES,
    Assembler,
)
from fieldvisit.sync.canonical import canonical_bytes
from fieldvisit.sync.frames import (
    MAX_FRAGMENTS,
    MAX_FRAME_CHARS,
    MAX_PAYLOAD_BYTES,
    coefficients,
    fountain,
    parse,
    split,
)
from fieldvisit.sync.importer import import_bundles
from fieldvisit.sync.qr_images import MAX_IMAGE_PIXELS, decode_image, lines_from_images
from fieldvisit.sync.qr_transfer import bundle_frames, bundle_json, frame_lines, payloads_from_lines
from fieldvisit.sync.sources import read_sources
from fieldvisit.sync.validate import DEFAULT_MAX_BYTES

from test_qr import longest_visit_bundle


def frame_line(tag: str, index: int, count: int, length: int, data: bytes, codec: str = "W") -> str:
    """A frame with a valid checksum, whatever it claims (`Frame.text` without its checks)."""
    head = f"FV1:{codec}:{tag}:{index}/{count}:{length}"
    body = base45.b45encode(data).decode("ascii")
    return f"{head}:{zlib.crc32((head + ':' + body).encode()):08X}:{body}"


def storm(count: int, frames: int = 400, tags: int = 1, seed: int = 1, prefix: str = "STORM") -> list[str]:
    """`frames` fountain frames of random data for bundles of `count` fragments, as big as allowed."""
    rng = random.Random(seed)
    length = min(MAX_PAYLOAD_BYTES, count * 512)
    size = -(-length // count)
    return [frame_line(f"{prefix}{i % tags:05d}", count + 1 + i, count, length, rng.randbytes(size)) for i in range(frames)]


@pytest.fixture(scope="module")
def bundle() -> dict:
    return longest_visit_bundle()


def count_calls(monkeypatch, owner, name: str) -> list:
    calls = []
    original = getattr(owner, name)

    def counted(*args, **kwargs):
        calls.append(threading.get_ident())
        return original(*args, **kwargs)

    monkeypatch.setattr(owner, name, counted)
    return calls


# --- frames beyond the limits -------------------------------------------------------------


def test_a_frame_claiming_more_fragments_than_the_cap_is_refused_by_name():
    with pytest.raises(BundleError) as refused:
        parse(frame_line("ABCDEFGHIJ", MAX_FRAGMENTS + 2, MAX_FRAGMENTS + 1, MAX_FRAGMENTS + 1, b"x"))
    assert refused.value.message_key == "error.qr_limit.frames"
    assert str(MAX_FRAGMENTS) in str(refused.value)


def test_a_frame_claiming_more_bytes_than_a_qr_hand_over_carries_is_refused():
    with pytest.raises(BundleError) as refused:
        parse(frame_line("ABCDEFGHIJ", 1, 100, MAX_PAYLOAD_BYTES + 1, b"x" * 100))
    assert refused.value.message_key == "error.qr_limit.bytes"
    assert "128 KiB" in str(refused.value)


def test_a_line_longer_than_any_qr_code_is_refused_before_decoding(monkeypatch):
    decodings = count_calls(monkeypatch, base45, "b45decode")
    line = frame_line("ABCDEFGHIJ", 1, 2, 6000, b"\0" * 3000)
    assert len(line) > MAX_FRAME_CHARS
    with pytest.raises(BundleError) as refused:
        parse(line)
    assert refused.value.message_key == "error.qr_limit.line" and decodings == []


def test_data_must_be_the_fragment_length_the_header_implies():
    # the header claims 1 byte in 1 fragment; 2,000 bytes of data would be solved as rows of 2,000
    with pytest.raises(BundleError) as refused:
        parse(frame_line("ABCDEFGHIJ", 2, 1, 1, b"\0" * 2000))
    assert refused.value.message_key == "error.frame.malformed"


def test_a_hostile_storm_claiming_a_huge_count_is_refused_at_the_first_frame(monkeypatch):
    """The 18 KB of QR text that cost two minutes: 400 fountain frames claiming 10,000 fragments."""
    mixes = count_calls(monkeypatch, assembler_module, "coefficients")
    lines = [frame_line("ABCDEFGHIJ", 10_001 + i, 10_000, 10_000, bytes([i % 256])) for i in range(400)]
    assert 17_000 < sum(len(line) + 1 for line in lines) < 20_000
    assembler = Assembler()
    for line in lines:
        with pytest.raises(BundleError) as refused:
            assembler.add(line)
        assert refused.value.message_key == "error.qr_limit.frames"
    assert assembler.bundles == {} and mixes == []


# --- the work one bundle can cause ---------------------------------------------------------


def test_dense_fountain_frames_at_the_cap_cost_at_most_two_row_operations_per_row_held(monkeypatch):
    decodings = count_calls(monkeypatch, frames_module.base45, "b45decode")
    assembler = Assembler()
    lines = storm(MAX_FRAGMENTS, frames=400)
    for line in lines:
        before = sum(p.operations for p in assembler.bundles.values())
        rows_before = sum(p.rank for p in assembler.bundles.values())
        assembler.add(line)
        done = sum(p.operations for p in assembler.bundles.values()) - before
        assert done <= 2 * rows_before  # each frame: reduce against every row, clear its column from every row
    [progress] = assembler.bundles.values()
    assert progress.complete and progress.rank == MAX_FRAGMENTS == len(progress.rows)
    assert progress.operations <= MAX_FRAGMENTS * MAX_FRAGMENTS
    # once complete, the remaining 144 frames are answered from their header: never decoded
    assert len(decodings) == MAX_FRAGMENTS


def test_a_progress_never_holds_more_rows_than_its_count(bundle):
    plain = bundle_frames(bundle, version=10, ec="M")
    rng = random.Random(4)
    lines = [frame.text() for frame in plain] + [fountain(plain, index).text() for index in range(len(plain) + 1, 4 * len(plain))]
    lines += rng.sample(lines, k=len(lines) // 2)
    rng.shuffle(lines)
    assembler = Assembler()
    for line in lines:
        assembler.add(line)
        for progress in assembler.bundles.values():
            assert len(progress.rows) <= progress.count
            assert set(progress.rows) <= set(range(1, progress.count + 1))
            assert len(progress.lines) <= progress.count
    [progress] = assembler.bundles.values()
    assert bundle_json(progress) == canonical_bytes(bundle)


def test_fountain_coefficients_are_the_documented_ones():
    """Drawn in bulk, they must stay exactly `randrange(1, 256)` per fragment (frame format)."""
    rng = random.Random(9)
    for _ in range(300):
        count = rng.randint(1, MAX_FRAGMENTS)
        index = count + rng.randint(1, 3000)
        tag = "".join(rng.choice("0123456789ABCDEFGHJKMNPQRSTVWXYZ") for _ in range(10))
        reference = random.Random(zlib.crc32(f"{tag}:{index}".encode()))
        assert coefficients(tag, index, count) == [reference.randrange(1, 256) for _ in range(count)]


def test_the_number_of_bundles_in_progress_is_capped():
    assembler = Assembler()
    lines = storm(4, frames=400, tags=400)
    refused = []
    for line in lines:
        try:
            assembler.add(line)
        except BundleError as error:
            refused.append(error.message_key)
    assert len(assembler.bundles) == MAX_BUNDLES_IN_PROGRESS
    assert refused == ["error.qr_limit.bundles"] * (400 - MAX_BUNDLES_IN_PROGRESS)
    assert assembler.clear() == MAX_BUNDLES_IN_PROGRESS
    assembler.add(lines[-1])
    assert len(assembler.bundles) == 1


def test_a_complete_bundle_makes_room_for_another(bundle):
    assembler = Assembler()
    for line in storm(4, frames=MAX_BUNDLES_IN_PROGRESS - 1, tags=MAX_BUNDLES_IN_PROGRESS - 1):
        assembler.add(line)
    for frame in bundle_frames(bundle):
        assembler.add(frame.text())
    assert assembler.in_progress == MAX_BUNDLES_IN_PROGRESS - 1
    assembler.add(storm(4, frames=1, prefix="OTHER")[0])
    assert assembler.in_progress == MAX_BUNDLES_IN_PROGRESS


def test_frames_of_a_finished_bundle_are_answered_without_work(bundle, monkeypatch):
    plain = bundle_frames(bundle)
    assembler = Assembler()
    for frame in plain:
        assembler.add(frame.text())
    [progress] = assembler.bundles.values()
    decodings = count_calls(monkeypatch, frames_module.base45, "b45decode")
    assert assembler.add(fountain(plain, len(plain) + 1).text()).status == "duplicate"  # complete: not taken
    assembler.forget(progress.bundle_id, finished=True)
    assert assembler.add(plain[0].text()).status == FINISHED
    assert assembler.bundles == {} and decodings == []


def test_saved_progress_is_replayed_within_its_bound(monkeypatch):
    lines = storm(2, frames=MAX_SAVED_LINES + 500, tags=1)
    taken = count_calls(monkeypatch, Assembler, "add")
    Assembler.restore(lines)
    assert len(taken) == MAX_SAVED_LINES


def test_an_endless_line_in_a_text_file_is_cut_and_refused(bundle):
    good = bundle_frames(bundle)[0].text()
    text = io.StringIO("FV1:" + "A" * 1_000_000 + "\n" + good + "\n")
    lines = list(frame_lines(text))
    assert len(lines) == 2 and len(lines[0]) <= MAX_FRAME_CHARS + 2 and lines[1].strip() == good
    payloads, problems = payloads_from_lines(lines, "scan.txt")
    assert problems[0].startswith("scan.txt") and "FV1:AAAA" in problems[0]


def test_many_bad_lines_are_summed_up(bundle):
    lines = ["HELLO"] * 500 + [frame.text() for frame in bundle_frames(bundle)]
    payloads, problems = payloads_from_lines(lines, "scan.txt")
    assert len(payloads) == 1 and len(problems) == 21 and "480" in problems[-1]


def test_a_qr_bundle_decompresses_to_a_bounded_size():
    bomb = zlib.compressobj(9, zlib.DEFLATED, -15)
    compressed = bomb.compress(b"{" + b" " * (20 * 1024 * 1024)) + bomb.flush()  # 20 MiB from ~20 KB
    [*plain] = split(compressed, "Z", "01TESTBOMB0000000000000000", 40, "L")
    assembler = Assembler()
    for frame in plain:
        assembler.add(frame.text())
    [progress] = assembler.bundles.values()
    with pytest.raises(BundleError) as refused:
        bundle_json(progress)
    assert refused.value.message_key == "error.bundle.corrupt"


def test_the_sender_refuses_more_than_a_scanner_takes(bundle):
    with pytest.raises(BundleError) as refused:
        split(b"\1" * (MAX_PAYLOAD_BYTES + 1), "Z", bundle["bundle_id"], 20, "M")
    assert refused.value.message_key == "error.qr_limit.send_bytes"
    with pytest.raises(BundleError) as refused:
        split(b"\1" * 40_000, "Z", bundle["bundle_id"], 3, "M")  # 14-byte fragments: ~2,900 frames
    assert refused.value.message_key == "error.qr_limit.send_frames"
    assert str(MAX_FRAGMENTS) in str(refused.value)


# --- images ------------------------------------------------------------------------------


def png_claiming(width: int, height: int) -> bytes:
    """A tiny PNG file whose header claims `width` × `height` pixels."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    header = struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(b"\0" * 64)) + chunk(b"IEND", b"")


@pytest.mark.parametrize("width, height", [(10_000, 6_000), (100_000, 100_000)])
def test_a_huge_png_header_is_refused_without_decoding(tmp_path, monkeypatch, width, height):
    assert width * height > MAX_IMAGE_PIXELS
    path = tmp_path / "bomb.png"
    path.write_bytes(png_claiming(width, height))
    loads = count_calls(monkeypatch, Image.Image, "load")
    with pytest.raises(BundleError) as refused:
        decode_image(path)
    assert refused.value.message_key == "error.source_limit.image"
    assert str(path) in str(refused.value) and f"{MAX_IMAGE_PIXELS // 1_000_000} " in str(refused.value)
    assert loads == []


def test_images_that_cannot_be_read_are_reported_and_the_rest_decoded(bundle, tmp_path):
    from fieldvisit.sync.qr_render import write_png

    frames = bundle_frames(bundle)
    paths = [write_png(frame.text(), tmp_path / f"{number:02d}.png") for number, frame in enumerate(frames)]
    (tmp_path / "bomb.png").write_bytes(png_claiming(100_000, 100_000))
    (tmp_path / "junk.png").write_bytes(b"\x89PNG\r\n\x1a\n" + b"x" * 40)
    refused: list[str] = []
    lines = list(lines_from_images([tmp_path / "bomb.png", *paths, tmp_path / "junk.png"], refused))
    assert len(lines) == len(frames) and len(refused) == 2
    assert "bomb.png" in refused[0] and "junk.png" in refused[1]
    assert qr_images.MAX_IMAGE_PIXELS == MAX_IMAGE_PIXELS


# --- folders -----------------------------------------------------------------------------


def exported(tmp_path, bundle) -> bytes:
    from fieldvisit.sync.exporter import write_bundle

    return write_bundle(bundle, tmp_path / "export.fvb").read_bytes()


def test_a_folder_with_an_oversized_file_reports_it_and_imports_the_rest(tmp_path, bundle, monkeypatch):
    usb = tmp_path / "usb"
    usb.mkdir()
    (usb / "a.fvb").write_bytes(exported(tmp_path, bundle))
    with open(usb / "b-huge.fvb", "wb") as huge:  # sparse: no disk used
        huge.truncate(DEFAULT_MAX_BYTES + 1)
    reads = []
    original = Path.read_bytes
    monkeypatch.setattr(Path, "read_bytes", lambda self: reads.append(self.name) or original(self))
    payloads = read_sources([str(usb)], stdin=None)
    store = MemoryStore()
    [report] = import_bundles(store, payloads)
    assert report.status == "imported" and reads == ["a.fvb"]
    [problem] = payloads.problems
    assert "b-huge.fvb" in problem and "64 MiB" in problem and f"{DEFAULT_MAX_BYTES + 1:,}" in problem


def test_a_folder_is_read_one_file_at_a_time(tmp_path, bundle, monkeypatch):
    usb = tmp_path / "usb"
    usb.mkdir()
    raw = exported(tmp_path, bundle)
    for name in ("a.fvb", "b.fvb", "c.fvb"):
        (usb / name).write_bytes(raw)
    reads = []
    original = Path.read_bytes
    monkeypatch.setattr(Path, "read_bytes", lambda self: reads.append(self.name) or original(self))
    payloads = read_sources([str(usb)], stdin=None)
    assert len(payloads) == 3 and reads == []
    seen = []
    for name, _ in payloads:
        seen.append(len(reads))
    assert seen == [1, 2, 3]
    # and the import asks for them one at a time
    reads.clear()
    pulled = []

    def watched():
        for name, data in read_sources([str(usb)], stdin=None):
            pulled.append(len(reads))
            yield name, data

    import_bundles(MemoryStore(), watched())
    assert pulled == [1, 2, 3]


def test_a_missing_source_is_refused_before_anything_is_read(tmp_path):
    from fieldvisit.core.errors import NotFoundError

    with pytest.raises(NotFoundError):
        read_sources([str(tmp_path), str(tmp_path / "nope")], stdin=None)


# --- the scanner screen --------------------------------------------------------------------


async def test_the_scanner_screen_takes_a_storm_off_the_ui_thread(tmp_path, bundle, monkeypatch):
    from fieldvisit.editing.editor import Editor
    from fieldvisit.apps.office import OfficeApp
    from fieldvisit.screens.scan import ScanScreen
    from fieldvisit.screens.widgets.scan_input import ScanInput
    from fieldvisit.stores.store import IMPORTS

    lines = [frame_line("ABCDEFGHIJ", 10_001 + i, 10_000, 10_000, bytes([i])) for i in range(50)]
    lines += [frame.text() for frame in bundle_frames(bundle)] * 2  # imported once; then "finished"
    lines += storm(MAX_FRAGMENTS, frames=40, tags=MAX_BUNDLES_IN_PROGRESS + 2)
    office = MemoryStore()
    Editor(office)
    app = OfficeApp(office, home=home_of(office))
    taken_on = count_calls(monkeypatch, Assembler, "add")
    async with app.run_test(size=(100, 30)) as pilot:
        screen = ScanScreen(tmp_path / "qr-pending.txt")
        await app.push_screen(screen)
        await app.workers.wait_for_complete()
        screen.query_one(ScanInput).post_message(ScanInput.Lines(lines))
        await pilot.pause()
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert len(office.all(IMPORTS)) == 1
        assert len(screen.assembler.bundles) == MAX_BUNDLES_IN_PROGRESS  # storm bundles, capped
        assert threading.main_thread().ident not in taken_on and len(taken_on) == len(lines)
        saved = (tmp_path / "qr-pending.txt").read_text("utf-8").splitlines()
        assert len(saved) <= MAX_SAVED_LINES
        # the officer clears the storm's bundles
        await pilot.press("ctrl+l")
        await app.workers.wait_for_complete()
        assert screen.assembler.bundles == {}
