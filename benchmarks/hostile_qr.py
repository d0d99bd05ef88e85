"""Hostile QR input (issue 13 §3): 400-frame storms against the real command, beside a real visit.

Each storm is a text file of 400 QR frame lines with valid checksums (anyone can compute a
CRC), the way an attacker would type them into the office's scanner or hand over a `--qr-text`
file:

  claims    the issue's input (18 KB): fountain frames claiming 10,000 fragments of 1 byte.
            Before the limits each frame was solved against every earlier one as 10,000-long
            Python lists: 30 of them took 1.8 s, and the work grows with the square (two
            minutes and more for 400).
  dense     fountain frames of one bundle at the cap: 256 fragments (`frames.MAX_FRAGMENTS`)
            of 512 bytes, the largest payload allowed (`MAX_PAYLOAD_BYTES`, 128 KiB): the most
            row operations a bundle can cause. It completes after 256 frames and its random
            payload is refused by the decompressor; the last 144 are answered from their header.
  bundles   400 bundles of 256 fragments, one frame each: 8 are received
            (`MAX_BUNDLES_IN_PROGRESS`), 392 refused.
  long      one bundle of 45 fragments of 2,830 bytes, the longest lines a QR code holds.

The legitimate input is the demo's 20-matter visit (seed 1): its plain frames at version 20-M,
a quarter of them lost, then fountain frames until complete, as a scanner reads a cycling
display — assembled, decompressed and imported.

1. The command itself: `fieldvisit import --data-dir TMP --qr-text FILE` in a fresh process on
   a fresh office store, RUNS times per input, wall time from start to exit (interpreter and
   imports included). Baseline in the same run: the legitimate visit, and `fieldvisit --help`
   (the interpreter and the command line alone).
2. In process, as the command does it: `qr_transfer.payloads_from_lines` and reading every
   payload it gives (decompression), median of RUNS; the row operations done are printed too.

Target: every storm's median through the command < 1 s. Exits 1 when one takes ≥ 1 s.
"""

from __future__ import annotations

import datetime as dt
import os
import random
import statistics
import subprocess
import sys
import tempfile
import time
import zlib
from pathlib import Path

import base45

from fieldvisit.demo.laptop import build_demo
from fieldvisit.core.records import get_value
from fieldvisit.stores.store import ISSUES, VISITS
from fieldvisit.sync.assembler import MAX_BUNDLES_IN_PROGRESS, Assembler
from fieldvisit.sync.exporter import export_bundle
from fieldvisit.sync.frames import MAX_FRAGMENTS, MAX_FRAME_CHARS, MAX_PAYLOAD_BYTES, fountain
from fieldvisit.sync.qr_transfer import bundle_frames, payloads_from_lines

RUNS = 7
FRAMES = 400
TARGET_S = 1.0
ANCHOR = dt.date(2026, 11, 20)


def frame_line(tag: str, index: int, count: int, length: int, data: bytes) -> str:
    head = f"FV1:W:{tag}:{index}/{count}:{length}"
    body = base45.b45encode(data).decode("ascii")
    return f"{head}:{zlib.crc32((head + ':' + body).encode()):08X}:{body}"


def storm(count: int, fragment: int, tags: int = 1, seed: int = 1) -> list[str]:
    rng = random.Random(seed)
    return [frame_line(f"STORM{i % tags:05d}", count + 1 + i, count, count * fragment, rng.randbytes(fragment)) for i in range(FRAMES)]


def storms() -> dict[str, list[str]]:
    longest = (MAX_FRAME_CHARS - 45) // 3 * 2  # room for the header
    found = {
        "claims": [frame_line("ABCDEFGHIJ", 10_001 + i, 10_000, 10_000, bytes([i % 256])) for i in range(FRAMES)],
        "dense": storm(MAX_FRAGMENTS, MAX_PAYLOAD_BYTES // MAX_FRAGMENTS),
        "bundles": storm(MAX_FRAGMENTS, MAX_PAYLOAD_BYTES // MAX_FRAGMENTS, tags=FRAMES),
        "long": storm(MAX_PAYLOAD_BYTES // longest, longest),
    }
    assert all(len(line) <= MAX_FRAME_CHARS for line in found["long"])
    return found


def visit_lines() -> list[str]:
    """The 20-matter visit as a scanner reads a cycling display, a quarter of the frames lost."""
    store = build_demo(1, ANCHOR)
    issues = store.all(ISSUES)
    visit = next(v for v in store.all(VISITS) if sum(get_value(i, "visit_id") == v["id"] for i in issues) == 20)
    plain = bundle_frames(export_bundle(store, [visit["id"]]))
    rng, assembler, lines, shown = random.Random(3), Assembler(), [], 0
    while True:
        shown += 1
        frame = plain[shown - 1] if shown <= len(plain) else fountain(plain, shown)
        if rng.random() < 0.25:
            continue
        lines.append(frame.text())
        if assembler.add(frame.text()).status == "complete":
            return lines


def command(*args: str) -> float:
    start = time.perf_counter()
    subprocess.run([sys.executable, "-m", "fieldvisit", *args], capture_output=True, env={**os.environ, "FIELDVISIT_LANG": "en"}, check=False)
    return time.perf_counter() - start


def through_command(path: Path, folder: Path) -> list[float]:
    times = []
    for run in range(RUNS):
        data_dir = folder / f"office-{path.stem}-{run}"
        times.append(command("import", "--data-dir", str(data_dir), "--qr-text", str(path)))
    return times


def in_process(lines: list[str]) -> tuple[list[float], int, int, int]:
    times = []
    for _ in range(RUNS):
        start = time.perf_counter()
        payloads, problems = payloads_from_lines(lines, "bench")
        complete = sum(1 for _ in payloads)
        times.append(time.perf_counter() - start)
    assembler = Assembler()
    for line in lines:
        try:
            assembler.add(line)
        except Exception:
            pass
    operations = sum(progress.operations for progress in assembler.bundles.values())
    return times, complete, len(problems), operations


def spread(times: list[float]) -> str:
    return f"median {statistics.median(times) * 1000:7.0f} ms  (min {min(times) * 1000:5.0f}, max {max(times) * 1000:5.0f}, n = {len(times)})"


def main() -> int:
    inputs = {"visit": visit_lines(), **storms()}
    print(f"limits: {MAX_FRAGMENTS} fragments per bundle, {MAX_PAYLOAD_BYTES // 1024} KiB per bundle, "
          f"{MAX_FRAME_CHARS:,} characters per line, {MAX_BUNDLES_IN_PROGRESS} bundles in progress")
    met = True
    with tempfile.TemporaryDirectory() as temporary:
        folder = Path(temporary)
        print("\n1. fieldvisit import --qr-text FILE, fresh process and office store each run")
        bare = [command("--help") for _ in range(RUNS)]
        print(f"  {'fieldvisit --help':<28}{'':>16}  {spread(bare)}")
        for name, lines in inputs.items():
            path = folder / f"{name}.txt"
            path.write_text("\n".join(lines) + "\n", "utf-8")
            times = through_command(path, folder)
            size = path.stat().st_size
            verdict = ""
            if name != "visit":
                ok = statistics.median(times) < TARGET_S
                met &= ok
                verdict = "OK" if ok else "MISSED"
            print(f"  {name:<10}{len(lines):>5} lines {size / 1024:8,.0f} KB  {spread(times)}  {verdict}")
        print("\n2. in process: assemble (payloads_from_lines) and decompress what completed")
        for name, lines in inputs.items():
            times, complete, problems, operations = in_process(lines)
            print(f"  {name:<10}{spread(times)}  complete {complete}, problem lines {problems:>3}, row operations {operations:>7,}")
    print(f"\ntarget: every storm through the command < {TARGET_S:.0f} s: {'OK' if met else 'MISSED'}")
    return 0 if met else 1


if __name__ == "__main__":
    sys.exit(main())
