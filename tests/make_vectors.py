"""The test vectors in docs/vectors/ (docs/vectors/README.md says what each file is).

    .venv/bin/python tests/make_vectors.py          # rewrite docs/vectors/
    .venv/bin/python tests/make_vectors.py --check  # exit 1 when a file is out of date

`tests/test_vectors.py` builds the same files in memory and compares them with the published
ones byte for byte, so a change of the codecs, the frames or the bundle format that changes any
encoding fails until the vectors are regenerated (and the documents checked).

The bundles are made by the project's own code with every clock and random source fixed, in
the time zone Asia/Shanghai (only `raised_at` and `at` depend on it).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import os
import random
import sys
import time
import zlib
from contextlib import contextmanager
from pathlib import Path
from typing import Any, Iterator

ROOT = Path(__file__).resolve().parent.parent
VECTORS = ROOT / "docs" / "vectors"
WALL = 1795000000000  # 2026-11-18T11:06:40Z, as docs/bundle-format.md §9
VERSION, EC = 10, "M"
"""The QR symbol the frame vectors are cut for: version 10, level M (213 characters a frame)."""


@contextmanager
def shanghai() -> Iterator[None]:
    saved = os.environ.get("TZ")
    os.environ["TZ"] = "Asia/Shanghai"
    time.tzset()
    try:
        yield
    finally:
        if saved is None:
            del os.environ["TZ"]
        else:
            os.environ["TZ"] = saved
        time.tzset()


def example_bundle() -> dict[str, Any]:
    """The worked example of docs/bundle-format.md §9, exactly."""
    from fieldvisit.core.ids import new_id
    from fieldvisit.editing.editor import Editor
    from fieldvisit.stores.store import MemoryStore
    from fieldvisit.sync.bundle import build_bundle

    store = MemoryStore()
    editor = Editor(store, actor="wangli", wall=lambda: WALL, rng=random.Random(1), device_name="下访笔记本-01")
    visit = editor.create_visit({"title": "三采区现场接访", "site": "东风煤矿三采区", "site_kind": "mine_district",
                                 "date": "2026-11-18", "leaders": "张建国（矿长）", "recorder": "王丽"})
    editor.record_issue(visit["id"], {"petitioner_name": "刘强", "people": 2, "category": "wages", "demand": "补发十月份夜班津贴"})
    return build_bundle({"visits": store.all("visits"), "issues": store.all("issues")},
                        device_id=editor.device_id, device_name=editor.device_name,
                        bundle_id=new_id(random.Random(2), WALL),
                        created_at=dt.datetime(2026, 11, 18, 11, 10, tzinfo=dt.timezone.utc))


def demo_bundle() -> dict[str, Any]:
    """One visit of the demo laptop (seed 1, anchor 2026-11-20): the one with the fewest matters."""
    from fieldvisit.core.ids import new_id
    from fieldvisit.demo.laptop import build_demo
    from fieldvisit.stores.store import ISSUES, VISITS
    from fieldvisit.sync.bundle import build_bundle
    from fieldvisit.sync.exporter import select_records

    store = build_demo(1, dt.date(2026, 11, 20))
    counts = {visit["id"]: 0 for visit in store.all(VISITS)}
    for issue in store.all(ISSUES):
        counts[issue["fields"]["visit_id"]["value"]] += 1
    visit_id = min(counts, key=lambda key: (counts[key], key))
    meta = store.meta()
    return build_bundle(select_records(store, [visit_id]), device_id=meta["device_id"], device_name=meta["device_name"],
                        bundle_id=new_id(random.Random(3), WALL + 60_000),
                        created_at=dt.datetime(2026, 11, 20, 9, 30, tzinfo=dt.timezone.utc))


def edge_bundle() -> dict[str, Any]:
    """Written by hand: the less common paths of codec "W" (history, `s`/`b`/`r`, other time
    zones, negative and 64-bit integers, digit runs longer than 27, Latin text, characters
    outside the BMP and escapes). Valid: the importer takes it."""
    from fieldvisit.sync.canonical import sha256_digest

    device = "01M7Q5CQG0YPRPA8JAB2VS3WER"
    other = "01M7Q5CQG1K9W3ZTJ8D0ANX2QF"
    s0 = f"1795000000000-0000-{device}"
    s1 = f"1795000360000-0003-{device}"
    s2 = f"1795000360001-0000-{other}"
    s3 = f"1795086400000-0000-{device}"
    visit = "01M7Q5CQG060Z63KE4QE3C69RG"
    body: dict[str, Any] = {
        "format": "fieldvisit.bundle", "version": 1,
        "bundle_id": "01M7Q5CQG0Z8XG1N4T5V6W7Y8A", "created_at": "2026-11-19T11:06:40Z",
        "device": {"id": device, "name": "Laptop \"B\" \\ 笔记本 😀"},
        "visits": [{"id": visit, "type": "visit", "stamp": s0, "fields": {
            "title": {"v": "Night-shift visit / 夜班接访 (No. 7)"}, "site": {"v": "Shaft №2 𠀋𠀍 east"},
            "site_kind": {"v": "workshop"}, "date": {"v": "2026-11-18"}, "status": {"v": "closed", "s": s3, "b": s0},
            "leaders": {"v": [{"name": "Li Wei", "post": "deputy director"}, {"name": "陈晓", "post": "工会主席"}]},
            "recorder": {"v": "王丽"}, "device": {"v": device}, "note": {"v": "tab\tnew line\nctrl \u0001 end"},
        }, "history": {"status": {s0: {"v": "open"}}}}],
        "issues": [{"id": "01M7Q5CQG07GT4RGC9XCQHXN3Y", "type": "issue", "stamp": s1, "fields": {
            "petitioner_name": {"v": "张三丰"}, "employee_no": {"v": "DF-004711"}, "phone": {"v": "+86 139 0000 1234"},
            "people": {"v": 7}, "collective": {"v": True}, "anonymous": {"v": False},
            "title": {"v": "账户 6222020200112233445566778899 的补贴未到"},
            "detail": {"v": "He said: \"the bonus of ¥1,250.50 for 2026-10 was not paid\"; 他说十月份的奖金没有发。", "s": s2, "b": s1, "r": [s1, s2]},
            "demand": {"v": "补发奖金"}, "category": {"v": "wages"}, "urgency": {"v": "urgent"}, "visit_id": {"v": visit},
            "ref": {"v": "20261118-3WER-002"}, "raised_at": {"v": "2026-11-18T06:30:00-05:00"},
            "promised_date": {"v": "2026-12-31"}, "count_check": {"v": -9223372036854775808}, "big": {"v": 18446744073709551615},
        }, "history": {"detail": {s1: {"v": "奖金没发"}}}, "maps": {"transitions": {
            "01M7Q5CQG08HQWXGN3V08Q7SBR": {"v": {"at": "2026-11-18T19:30:00+08:00", "by": "wangli", "from": None, "reason": "", "to": "recorded"}},
            "01M7Q5D1F0AB3CD4EF5GH6JK7M": {"v": {"at": "2026-11-19T19:06:40+08:00", "by": "li.wei", "from": "recorded", "reason": "", "to": "registered"}, "s": s3},
        }}}],
    }
    body["digest"] = sha256_digest(body)
    return body


BUNDLES = {"example": example_bundle, "demo-visit": demo_bundle, "edge": edge_bundle}


def _hex_lines(data: bytes) -> bytes:
    return b"".join(data[i : i + 32].hex().encode() + b"\n" for i in range(0, len(data), 32))


def _lines(frames) -> bytes:
    return "".join(frame.text() + "\n" for frame in frames).encode("ascii")


def primer_stream() -> bytes:
    """The primer coded by a fresh codec "W" coder: decoding it primes a decoder (docs/qr-codec.md §5)."""
    from fieldvisit.sync.qr_codec_rc import Encoder
    from fieldvisit.sync.qr_codec_text import Channel
    from fieldvisit.sync.qr_codec_tree import PRIMER, TreeCoder
    from fieldvisit.sync.textmodel import word_model

    encoder = Encoder()
    coder = TreeCoder(Channel(encoder), word_model())
    coder.budget = 1 << 40
    coder.root(PRIMER)
    return encoder.finish()


def coefficient_vectors() -> bytes:
    from fieldvisit.sync.frames import legacy_coefficients, splitmix_coefficients

    rows = []
    for tag, index, count in (("TDS97J0000", 2, 1), ("EEMVXX4SQF", 7, 6), ("0000000000", 300, 40), ("ZZZZZZZZZZ", 12345, 256)):
        rows.append({"tag": tag, "index": index, "count": count, "FV2": splitmix_coefficients(tag, index, count),
                     "FV1": legacy_coefficients(tag, index, count)})
    state = 0
    outputs = []
    for _ in range(4):  # SplitMix64 from seed 0: the generator alone, to check an implementation
        state = (state + 0x9E3779B97F4A7C15) & (1 << 64) - 1
        z = state
        z = ((z ^ (z >> 30)) * 0xBF58476D1CE4E5B9) & (1 << 64) - 1
        z = ((z ^ (z >> 27)) * 0x94D049BB133111EB) & (1 << 64) - 1
        outputs.append(f"{z ^ (z >> 31):016x}")
    document = {"splitmix64_seed_0": outputs, "seeds": {f"{r['tag']}:{r['index']}": zlib.crc32(f"{r['tag']}:{r['index']}".encode()) for r in rows}, "rows": rows}
    return (json.dumps(document, ensure_ascii=False, indent=1) + "\n").encode()


def build() -> dict[str, bytes]:
    """Every generated file of docs/vectors/, by name."""
    from fieldvisit.sync import qr_codec
    from fieldvisit.sync.bundle import encode
    from fieldvisit.sync.canonical import canonical_bytes
    from fieldvisit.sync.frames import PREFIX, fountain, split
    from fieldvisit.sync.qr_codec_tree import PRIMER
    from fieldvisit.sync.textmodel import MODEL_PATH

    files: dict[str, bytes] = {}
    with shanghai():
        bundles = {name: make() for name, make in BUNDLES.items()}
    manifest: dict[str, Any] = {"qr_symbol": f"{VERSION}-{EC}", "zlib": zlib.ZLIB_RUNTIME_VERSION, "bundles": {}}
    for name, bundle in bundles.items():
        data = canonical_bytes(bundle)
        files[f"{name}.json"] = data
        files[f"{name}.fvb"] = encode(bundle)
        entry: dict[str, Any] = {"json_bytes": len(data), "bundle_id": bundle["bundle_id"], "digest": bundle["digest"]}
        for codec in qr_codec.CODECS:
            payload = qr_codec.compress(data, codec)
            files[f"{name}.{codec}.bin"] = payload
            plain = split(payload, codec, bundle["bundle_id"], VERSION, EC)
            files[f"{name}.{codec}.frames.txt"] = _lines(plain)
            entry[codec] = {"bytes": len(payload), "frames": len(plain)}
            if codec == qr_codec.CODEC_TEXT:
                entry[codec]["mode"] = payload[0]
                extra = range(len(plain) + 1, 2 * len(plain) + 2)
                files[f"{name}.{codec}.fountain-fv2.txt"] = _lines(fountain(plain, index) for index in extra)
                files[f"{name}.{codec}.fountain-fv1.txt"] = _lines(fountain(plain, index, PREFIX) for index in extra)
        manifest["bundles"][name] = entry
    # a "W" stream in mode 1 (deflate), as any "W" encoder may write: the decoder must read it
    example = files["example.json"]
    files["example.W-mode1.bin"] = (bytes([1]) + qr_codec._varint(len(example)) + zlib.crc32(example).to_bytes(4, "big")
                                    + qr_codec._deflate(example))
    files["w-primer.json"] = canonical_bytes(PRIMER)
    primer = primer_stream()
    files["w-primer.bin"] = primer
    files["w-primer.hex"] = _hex_lines(primer)
    files["fountain-coefficients.json"] = coefficient_vectors()
    manifest["word_model"] = {"file": "sync/models/zh_words_v1.xz", "sha256": hashlib.sha256(MODEL_PATH.read_bytes()).hexdigest()}
    manifest["files"] = {name: hashlib.sha256(content).hexdigest() for name, content in sorted(files.items())}
    files["manifest.json"] = (json.dumps(manifest, ensure_ascii=False, indent=1, sort_keys=True) + "\n").encode()
    return files


DEFLATE_DEPENDENT = (".fvb", ".Z.bin", ".Z.frames.txt", "W-mode1.bin")
"""Files whose bytes depend on the deflate implementation (zlib's level 9); the formats fix only
what they decompress to."""


def stale(files: dict[str, bytes]) -> list[str]:
    """Names of generated files missing from docs/vectors/ or different there."""
    return [name for name, content in sorted(files.items()) if not (VECTORS / name).is_file() or (VECTORS / name).read_bytes() != content]


def main() -> int:
    sys.path.insert(0, str(ROOT))
    files = build()
    if "--check" in sys.argv:
        out_of_date = stale(files)
        for name in out_of_date:
            print(f"out of date: docs/vectors/{name}")
        return 1 if out_of_date else 0
    VECTORS.mkdir(parents=True, exist_ok=True)
    for name, content in files.items():
        (VECTORS / name).write_bytes(content)
    print(f"wrote {len(files)} files to {VECTORS}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
