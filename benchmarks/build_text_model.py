"""Build `sync/models/zh_words_v1.xz`, the static Chinese word model of the QR codec "W".

Source: `jieba/dict.txt` from the jieba 0.42.1 source distribution on PyPI
(https://pypi.org/project/jieba/0.42.1/, https://github.com/fxsjy/jieba), released under the
MIT licence (Copyright (c) 2013 Sun Junyi). The dictionary lists about 349,000 words with a
corpus count and a part-of-speech tag per line (`word count tag`). We keep only what a unigram
model needs, so the shipped file is a derived work under the same MIT terms:

  * entries made only of CJK ideographs U+3400–U+9FFF (others, such as `B超` or `c++`, dropped);
  * counts of the same word under several tags added up;
  * only words with a count of at least --min-count (default 4: about 150,000 words);
  * words sorted by code point; each count quantised to q = round(12·log2(count)), one byte.

Format (xz, preset 9e): b"FVWM1\\n" + "\\n".join(words).encode() + b"\\0" + bytes(q per word);
see `sync/textmodel.py`, which reads it. The same input and options give the same bytes.

Usage (from the repository root):

    python benchmarks/build_text_model.py                 # pip-downloads jieba==0.42.1 itself
    python benchmarks/build_text_model.py --sdist jieba-0.42.1.tar.gz

Changing the model changes the codec: bump the codec id in `sync/qr_codec.py` and keep the old
file as long as old frames must still be read.
"""

from __future__ import annotations

import argparse
import hashlib
import lzma
import math
import subprocess
import sys
import tarfile
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "sync" / "models" / "zh_words_v1.xz"
JIEBA = "jieba==0.42.1"
DICT_MEMBER = "jieba-0.42.1/jieba/dict.txt"
DICT_SHA256 = "7197c3211ddd98962b036cdf40324d1ea2bfaa12bd028e68faa70111a88e12a8"
"""The dict.txt the shipped model was built from; a different one is reported, not refused."""


def is_han(word: str) -> bool:
    return all("\u3400" <= ch <= "\u9fff" for ch in word)


def read_dict(sdist: Path) -> bytes:
    with tarfile.open(sdist, "r:gz") as archive:
        member = archive.extractfile(DICT_MEMBER)
        if member is None:
            raise SystemExit(f"{sdist} has no {DICT_MEMBER}")
        return member.read()


def download_sdist(folder: Path) -> Path:
    subprocess.run(
        [sys.executable, "-m", "pip", "download", JIEBA, "--no-deps", "--no-binary", ":all:", "-d", str(folder)],
        check=True,
    )
    return next(folder.glob("jieba-0.42.1.tar.gz"))


def build(dict_txt: bytes, min_count: int) -> bytes:
    counts: dict[str, int] = {}
    for line in dict_txt.decode("utf-8").splitlines():
        parts = line.split()
        if len(parts) < 2:
            continue
        word, count = parts[0], int(parts[1])
        if is_han(word):
            counts[word] = counts.get(word, 0) + count
    words = sorted(word for word, count in counts.items() if count >= min_count)
    qs = bytes(min(255, round(12 * math.log2(counts[word]))) for word in words)
    raw = b"FVWM1\n" + "\n".join(words).encode("utf-8") + b"\0" + qs
    return lzma.compress(raw, format=lzma.FORMAT_XZ, preset=9 | lzma.PRESET_EXTREME)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sdist", type=Path, help="jieba-0.42.1.tar.gz (downloaded with pip when omitted)")
    parser.add_argument("--min-count", type=int, default=4)
    parser.add_argument("--out", type=Path, default=OUT)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        sdist = args.sdist or download_sdist(Path(tmp))
        dict_txt = read_dict(sdist)
    digest = hashlib.sha256(dict_txt).hexdigest()
    print(f"dict.txt: {len(dict_txt):,} bytes, sha256 {digest}" + ("" if digest == DICT_SHA256 else " (NOT the one the shipped model came from)"))
    data = build(dict_txt, args.min_count)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_bytes(data)
    sys.path.insert(0, str(ROOT))
    from fieldvisit.sync.textmodel import parse  # noqa: PLC0415 - check what we wrote reads back

    model = parse(data)
    print(f"{args.out}: {len(data):,} bytes, {len(model.words):,} words, sha256 {hashlib.sha256(data).hexdigest()}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
