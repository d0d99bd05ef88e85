"""`fieldvisit qr --text FILE`: the frame lines as text, plain frames then fountain frames."""

from __future__ import annotations

import orjson
import pytest
from click.testing import CliRunner

from fieldvisit.cli import main
from fieldvisit.sync.assembler import Assembler
from fieldvisit.sync.frames import FOUNTAIN_PREFIX, PREFIX, parse
from fieldvisit.sync.qr_transfer import bundle_json


@pytest.fixture(scope="module")
def laptop(tmp_path_factory):
    data = tmp_path_factory.mktemp("laptop")
    result = CliRunner().invoke(main, ["demo", "--data-dir", str(data), "--no-open", "--lang", "en"])
    assert result.exit_code == 0, result.output
    return data


def qr_text(laptop, *args: str):
    return CliRunner().invoke(main, ["qr", "--data-dir", str(laptop), "--lang", "en", *args])


def test_text_holds_the_plain_frames_then_as_many_fountain_frames(laptop, tmp_path):
    target = tmp_path / "frames.txt"
    result = qr_text(laptop, "--text", str(target))
    assert result.exit_code == 0, result.output
    raw = target.read_bytes()
    assert raw.endswith(b"\n") and b"\r" not in raw
    frames = [parse(line) for line in raw.decode("ascii").splitlines()]
    count = frames[0].count
    assert len(frames) == 2 * count and f"{count} frames and {count} fountain frames" in result.output
    assert [frame.index for frame in frames] == list(range(1, 2 * count + 1))
    assert {frame.prefix for frame in frames[:count]} == {PREFIX} and {frame.prefix for frame in frames[count:]} == {FOUNTAIN_PREFIX}


def test_the_text_imports_with_plain_frames_missing(laptop, tmp_path):
    target = tmp_path / "frames.txt"
    assert qr_text(laptop, "--text", str(target), "--fountain", "5").exit_code == 0
    lines = target.read_text("ascii").splitlines()
    count = parse(lines[0]).count
    assert len(lines) == count + 5
    kept = lines[3:]  # the first three plain frames were never scanned
    assembler = Assembler()
    for line in kept:
        assembler.add(line)
    [progress] = assembler.bundles.values()
    assert progress.complete
    bundle = orjson.loads(bundle_json(progress))
    assert len(bundle["visits"]) == 4 and len(bundle["issues"]) == 48
    (tmp_path / "scanned.txt").write_text("\n".join(kept) + "\n", "ascii")
    office = tmp_path / "office"
    result = CliRunner().invoke(main, ["import", "--data-dir", str(office), "--lang", "en", "--qr-text", str(tmp_path / "scanned.txt")])
    assert result.exit_code == 0, result.output
    assert "48 new matters" in result.output


def test_text_to_stdout_with_json_and_no_fountain_frames(laptop):
    result = qr_text(laptop, "--text", "-", "--fountain", "0", "--json")
    assert result.exit_code == 0, result.output
    lines = result.stdout.splitlines()
    written = orjson.loads(result.stderr)
    assert written["plain"] == len(lines) == parse(lines[0]).count and written["fountain"] == 0 and written["path"] == "-"


def test_fountain_frames_are_bounded_and_need_text(laptop, tmp_path):
    too_many = qr_text(laptop, "--text", str(tmp_path / "f.txt"), "--fountain", "100000")
    assert too_many.exit_code == 2 and "at most" in too_many.output and not (tmp_path / "f.txt").exists()
    alone = qr_text(laptop, "--fountain", "3")
    assert alone.exit_code == 2 and "--text" in alone.output
