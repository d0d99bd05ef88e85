"""QR transfer end to end: frames, real images through zxing-cpp, the terminal drawing, scanning."""

from __future__ import annotations

import datetime as dt
import random

import pytest
import zxingcpp
from PIL import Image, ImageDraw

from homes import home_of
from fieldvisit.demo.laptop import build_demo
from fieldvisit.editing.editor import Editor
from fieldvisit.apps.office import OfficeApp
from fieldvisit.screens.scan import ScanScreen
from fieldvisit.stores.store import IMPORTS, ISSUES, VISITS, MemoryStore
from fieldvisit.sync.assembler import Assembler
from fieldvisit.sync.canonical import canonical_bytes
from fieldvisit.sync.exporter import export_bundle
from fieldvisit.sync.frames import alphanumeric_capacity, fountain, parse
from fieldvisit.sync.qr_render import half_block_lines, largest_version, matrix, write_png, write_sheet, write_svg
from fieldvisit.sync.qr_transfer import bundle_frames, bundle_json, payloads_from_lines

QR_ALPHANUMERIC = set("0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ $%*+-./:")


def longest_visit_bundle(seed: int = 1) -> dict:
    store = build_demo(seed, dt.date(2026, 11, 20))
    counts = {visit["id"]: 0 for visit in store.all(VISITS)}
    for issue in store.all(ISSUES):
        counts[issue["fields"]["visit_id"]["value"]] += 1
    return export_bundle(store, [max(counts, key=counts.get)])


@pytest.fixture(scope="module")
def bundle() -> dict:
    return longest_visit_bundle()


def test_frames_are_alphanumeric_fit_their_symbol_and_round_trip(bundle):
    frames = bundle_frames(bundle, version=20, ec="M")
    assert len(frames) > 1
    for frame in frames:
        text = frame.text()
        assert set(text) <= QR_ALPHANUMERIC
        assert len(text) <= alphanumeric_capacity(20, "M")
    assembler = Assembler()
    shuffled = [frame.text() for frame in frames]
    random.Random(3).shuffle(shuffled)
    for text in shuffled:
        assembler.add(text)
    [progress] = assembler.bundles.values()
    assert bundle_json(progress) == canonical_bytes(bundle)


def test_real_png_images_decode_back_to_the_bundle(bundle, tmp_path):
    frames = bundle_frames(bundle)
    decoded = []
    for number, frame in enumerate(frames):
        path = write_png(frame.text(), tmp_path / f"{number}.png")
        [result] = zxingcpp.read_barcodes(Image.open(path))
        decoded.append(result.text)
    payloads, problems = payloads_from_lines(decoded, "png")
    assert problems == []
    assert payloads[0][1] == canonical_bytes(bundle)
    svg = write_svg(frames[0].text(), tmp_path / "0.svg").read_text()
    assert svg.startswith("<?xml") and "<path" in svg
    sheet = write_sheet([f.text() for f in frames], tmp_path / "sheet.html", "交接").read_text("utf-8")
    assert sheet.count("<figure>") == len(frames) and "@page" in sheet


def render_cells(lines: list[str], scale: int = 4) -> Image.Image:
    """Paint half-block text as a terminal would: one cell = 1 module wide, 2 modules tall."""
    image = Image.new("L", (len(lines[0]) * scale, len(lines) * 2 * scale), 255)
    draw = ImageDraw.Draw(image)
    for y, line in enumerate(lines):
        for x, char in enumerate(line):
            for half, dark in ((0, char in "▀█"), (1, char in "▄█")):
                if dark:
                    top = (2 * y + half) * scale
                    draw.rectangle([x * scale, top, (x + 1) * scale - 1, top + scale - 1], fill=0)
    return image


@pytest.mark.parametrize("version", [5, 13, 20])
def test_the_terminal_drawing_itself_scans(bundle, version):
    frame = bundle_frames(bundle, version=version, ec="M")[0]
    [result] = zxingcpp.read_barcodes(render_cells(half_block_lines(matrix(frame.text(), "M"))))
    assert result.text == frame.text()


def test_window_sizes_pick_the_largest_code_that_fits():
    assert largest_version(120, 38) == 13
    assert largest_version(80, 22) == 5
    assert largest_version(20, 10) == 0


def test_fountain_frames_complete_a_set_with_missing_frames(bundle):
    frames = bundle_frames(bundle, version=10, ec="M")
    lost = set(random.Random(5).sample(range(1, len(frames) + 1), k=max(2, len(frames) // 4)))
    assembler = Assembler()
    for frame in frames:
        if frame.index not in lost:
            assembler.add(frame.text())
    [progress] = assembler.bundles.values()
    index = len(frames)
    while not progress.complete:
        index += 1
        assert index < len(frames) * 6, "fountain frames never completed the set"
        assembler.add(fountain(frames, index).text())
    assert bundle_json(progress) == canonical_bytes(bundle)


def test_mutated_frames_never_crash_and_never_assemble_wrongly(bundle):
    frames = [frame.text() for frame in bundle_frames(bundle, version=8, ec="M")]
    rng = random.Random(11)
    alphabet = sorted(QR_ALPHANUMERIC)
    assembled = 0
    for case in range(1200):
        lines = list(frames)
        victim = rng.randrange(len(lines))
        text = list(lines[victim])
        for _ in range(rng.randint(1, 4)):
            operation = rng.random()
            position = rng.randrange(len(text))
            if operation < 0.5:
                text[position] = rng.choice(alphabet)
            elif operation < 0.75:
                del text[position]
            else:
                text.insert(position, rng.choice(alphabet))
        lines[victim] = "".join(text) if case % 10 else "".join(text)[: rng.randrange(len(text))]
        payloads, problems = payloads_from_lines(lines, "fuzz")
        for _, payload in payloads:
            assert payload == canonical_bytes(bundle), "a mutated frame assembled into a different bundle"
            assembled += 1
    assert assembled < 1200  # most mutations are caught by the frame checksum


async def test_scanner_input_in_any_order_with_repeats_noise_and_two_bundles(tmp_path):
    first, second = longest_visit_bundle(1), longest_visit_bundle(2)
    lines = [f.text() for f in bundle_frames(first, version=12)] + [f.text() for f in bundle_frames(second, version=12)]
    rng = random.Random(7)
    rng.shuffle(lines)
    lines.insert(3, lines[5])  # a repeat
    corrupt = lines[8][:-5] + ("A" if lines[8][-5] != "A" else "B") + lines[8][-4:]
    lines.insert(9, corrupt)  # one misread
    lines.insert(1, "HTTPS://EXAMPLE.COM/NOT-OURS")  # a foreign code
    office = MemoryStore()
    Editor(office)
    app = OfficeApp(office, home=home_of(office))
    pending = tmp_path / "qr-pending.txt"
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.press("f5", "ctrl+g")
        await pilot.pause()
        assert isinstance(app.screen, ScanScreen)
        app.screen.pending_file = pending
        half = len(lines) // 2
        for line in lines[:half]:
            await type_and_enter(pilot, line)
        saved = pending.read_text("utf-8").splitlines()
        assert saved, "progress was not saved"
        assert len(office.all(IMPORTS)) <= 1
    # Close the app and start again: the frames received so far are still there.
    app = OfficeApp(office, home=home_of(office))
    async with app.run_test(size=(100, 30)) as pilot:
        screen = ScanScreen(pending)
        await app.push_screen(screen)
        await app.workers.wait_for_complete()  # the saved progress is replayed on a thread
        await pilot.pause()
        received_before = sum(p.rank for p in screen.assembler.bundles.values())
        assert received_before > 0
        for line in lines[half:]:
            await type_and_enter(pilot, line)
    assert len(office.all(IMPORTS)) == 2
    assert len(office.all(ISSUES)) == len(first["issues"]) + len(second["issues"])


async def type_and_enter(pilot, line: str) -> None:
    from textual import events
    from textual.keys import _character_to_key

    for character in line:
        pilot.app.post_message(events.Key(_character_to_key(character), character))
    await pilot.press("enter")
    await pilot.pause()
    await pilot.app.workers.wait_for_complete()  # lines are taken, and bundles imported, on a thread


def test_parse_rejects_foreign_and_corrupt_lines(bundle):
    from fieldvisit.core.errors import BundleError

    good = bundle_frames(bundle)[0].text()
    for bad in ("", "HELLO", "FV1:Z:ABC", good.replace("FV1", "FV9", 1), good[:-1] + ("0" if good[-1] != "0" else "1")):
        with pytest.raises(BundleError):
            parse(bad)
