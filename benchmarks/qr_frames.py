"""QR frames for a realistic 20-matter visit: zlib ("Z") against the Chinese-aware codec ("W").

For each demo seed (another laptop, other wording) the 20-matter visit is exported as a bundle
and its canonical JSON compressed with both codecs (`fieldvisit.sync.qr_codec`). Printed per seed
and on average:

  han     Han characters (U+3400–U+9FFF) in the payload, all strings; `free` counts only those of
          the free-text fields (title, detail, demand, onsite_answer, commitment, note);
  bytes   the canonical JSON, then each codec's output;
  b/han   bits per Han character = 8 × the codec's whole output (JSON structure, ids, stamps,
          numbers and headers included) ÷ `han`: everything the payload costs, charged to its
          Chinese text;
  b45     base45 characters of the output (2 bytes → 3 characters);
  frames  real frames (`fieldvisit.sync.qr_transfer.bundle_frames`) at QR version ≤ 20, level M:
          970 alphanumeric characters per symbol, less each frame's header;
  ms      compress / decompress time (median of 3, model already loaded; W's compress includes
          the decode it does to verify its own output).

Then, against the targets of the QR issue:
  naive   the same bundle as pretty JSON → base64 → split into byte-mode QR codes of version 20-M
          (no header at all): W must need at least 4× fewer frames;
  loss    a display cycling through the plain frames and then fountain frames, with 25% of the
          displayed frames lost at random: the median number displayed until the bundle is
          complete must be ≤ 1.5× the plain frame count (1,000 trials per seed).

Exits 1 when a target is missed (W ≤ 6 frames for the demo's longest visit, ≥ 4× fewer than
naive, fountain median ≤ 1.5×) or W is not better than Z.
"""

from __future__ import annotations

import datetime as dt
import math
import re
import statistics
import sys
import time

from fieldvisit.demo.laptop import build_demo
from fieldvisit.core.records import get_value
from fieldvisit.stores.store import ISSUES, VISITS
from fieldvisit.sync import qr_codec
from fieldvisit.sync.canonical import canonical_bytes
from fieldvisit.sync.exporter import export_bundle
from fieldvisit.sync.assembler import Assembler
from fieldvisit.sync.frames import fountain
from fieldvisit.sync.qr_transfer import bundle_frames
from fieldvisit.sync.textmodel import word_model
import base64
import json
import random
from qrcode import constants
from qrcode.util import BIT_LIMIT_TABLE

SEEDS = range(1, 11)
ANCHOR = dt.date(2026, 11, 20)
VERSION, EC = 20, "M"
LOSS, TRIALS = 0.25, 1000
MATTERS = 20
FREE_TEXT = ("title", "detail", "demand", "onsite_answer", "commitment", "note")
_HAN = re.compile(r"[\u3400-\u9fff]")


def visit_payload(seed: int) -> tuple[bytes, dict]:
    store = build_demo(seed, ANCHOR)
    issues = store.all(ISSUES)
    for visit in store.all(VISITS):
        if sum(1 for issue in issues if get_value(issue, "visit_id") == visit["id"]) == MATTERS:
            bundle = export_bundle(store, [visit["id"]])
            return canonical_bytes(bundle), bundle
    raise SystemExit(f"seed {seed}: no visit with {MATTERS} matters")


def free_text_han(bundle: dict) -> int:
    count = 0
    for record in bundle["visits"] + bundle["issues"]:
        for name, register in record["fields"].items():
            if name in FREE_TEXT and isinstance(register["v"], str):
                count += len(_HAN.findall(register["v"]))
    return count


def base45_length(size: int) -> int:
    return 3 * (size // 2) + 2 * (size % 2)


def naive_frames(bundle: dict) -> int:
    """Pretty JSON → base64 → byte-mode QR codes of version 20-M, no header, no compression."""
    text = base64.b64encode(json.dumps(bundle, ensure_ascii=False, indent=1).encode("utf-8"))
    capacity = (BIT_LIMIT_TABLE[constants.ERROR_CORRECT_M][VERSION] - 4 - 16) // 8
    return math.ceil(len(text) / capacity)


def displayed_until_complete(frames: list, rng: random.Random) -> int:
    """Frames shown (plain, then fountain) until a scanner missing LOSS of them has the bundle."""
    assembler = Assembler()
    shown = 0
    while True:
        shown += 1
        frame = frames[shown - 1] if shown <= len(frames) else fountain(frames, shown)
        if rng.random() < LOSS:
            continue
        if assembler.add(frame.text()).status == "complete":
            return shown


def timed(function, *args) -> tuple[object, float]:
    times = []
    for _ in range(3):
        start = time.perf_counter()
        result = function(*args)
        times.append(time.perf_counter() - start)
    return result, statistics.median(times) * 1000


def main() -> int:
    start = time.perf_counter()
    word_model()
    load_ms = (time.perf_counter() - start) * 1000
    codecs = (qr_codec.CODEC_ZLIB, qr_codec.CODEC_TEXT)
    print(f"QR frames for the {MATTERS}-matter demo visit, seeds {SEEDS.start}..{SEEDS.stop - 1}; "
          f"real frames at version ≤ {VERSION}, level {EC} (970 alphanumerics per symbol)")
    print(f"word model: {qr_codec.__name__.rsplit('.', 1)[0]}.textmodel, {len(word_model().words):,} words, "
          f"loaded in {load_ms:.0f} ms (once per process)")
    header = f"{'seed':>4} {'han':>5} {'free':>5} {'json':>6} |"
    for codec in codecs:
        header += f" {codec}:{'bytes':>6} {'b/han':>6} {'b45':>6} {'frames':>6} {'comp ms':>7} {'dec ms':>6} |"
    print(header + " W/Z")
    rows = []
    for seed in SEEDS:
        payload, bundle = visit_payload(seed)
        han = len(_HAN.findall(payload.decode("utf-8")))
        row = {"seed": seed, "han": han, "free": free_text_han(bundle), "json": len(payload)}
        line = f"{seed:>4} {han:>5} {row['free']:>5} {len(payload):>6} |"
        for codec in codecs:
            data, comp_ms = timed(qr_codec.compress, payload, codec)
            back, dec_ms = timed(qr_codec.decompress, data, codec)
            if back != payload:
                print(f"seed {seed}: codec {codec} did not round-trip", file=sys.stderr)
                return 1
            size = len(data)
            row[codec] = (size, size * 8 / han, base45_length(size), len(bundle_frames(bundle, VERSION, EC, codec)), comp_ms, dec_ms)
            line += (f" {size:>8} {size * 8 / han:>6.2f} {base45_length(size):>6} {row[codec][3]:>6}"
                     f" {comp_ms:>7.1f} {dec_ms:>6.1f} |")
        print(line + f" {row['W'][0] / row['Z'][0]:.3f}")
        rows.append(row)
    mean = {key: statistics.mean(row[key] for row in rows) for key in ("han", "free", "json")}
    line = f"{'mean':>4} {mean['han']:>5.0f} {mean['free']:>5.0f} {mean['json']:>6.0f} |"
    means = {}
    for codec in codecs:
        means[codec] = [statistics.mean(row[codec][i] for row in rows) for i in range(6)]
        size, bits, b45, frames, comp_ms, dec_ms = means[codec]
        line += f" {size:>8.0f} {bits:>6.2f} {b45:>6.0f} {frames:>6.1f} {comp_ms:>7.1f} {dec_ms:>6.1f} |"
    print(line + f" {means['W'][0] / means['Z'][0]:.3f}")
    z_frames, w_frames = means["Z"][3], means["W"][3]
    print(f"frames: Z {z_frames:.1f}, W {w_frames:.1f}; bits per Han character: Z {means['Z'][1]:.2f}, W {means['W'][1]:.2f}")

    failures = []
    first_payload, first_bundle = visit_payload(SEEDS.start)
    w_first = len(bundle_frames(first_bundle, VERSION, EC, qr_codec.CODEC_TEXT))
    naive = naive_frames(first_bundle)
    print(f"demo's longest visit (seed {SEEDS.start}): W {w_first} frames (target ≤ 6); "
          f"naive JSON→base64→byte mode {naive} frames = {naive / w_first:.1f}× more (target ≥ 4×)")
    if w_first > 6:
        failures.append("more than 6 frames")
    if naive < 4 * w_first:
        failures.append("fewer than 4× below naive")
    ratios = []
    for seed in SEEDS:
        _, bundle = visit_payload(seed)
        frames = bundle_frames(bundle, VERSION, EC, qr_codec.CODEC_TEXT)
        rng = random.Random(seed)
        shown = sorted(displayed_until_complete(frames, rng) for _ in range(TRIALS))
        ratios.append(statistics.median(shown) / len(frames))
        print(f"  seed {seed:>2}: {len(frames)} plain frames; with {LOSS:.0%} lost, frames displayed until complete: "
              f"median {statistics.median(shown):.0f}, p90 {shown[int(TRIALS * 0.9)]} ({ratios[-1]:.2f}× plain)")
    worst = max(ratios)
    print(f"fountain with {LOSS:.0%} loss: median displayed ≤ {worst:.2f}× the plain frames over all seeds (target ≤ 1.5×)")
    if worst > 1.5:
        failures.append("fountain median above 1.5×")
    if not w_frames < z_frames:
        failures.append("W not better than Z")
    for failure in failures:
        print(f"MISSED: {failure}", file=sys.stderr)
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
