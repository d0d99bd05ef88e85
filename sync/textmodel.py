"""The static Chinese word model shipped with the app, for the QR codec "W" (`qr_codec`).

`models/zh_words_v1.xz` is derived from jieba's `dict.txt` (jieba 0.42.1, MIT licence) by
`benchmarks/build_text_model.py`: every entry made only of CJK ideographs (U+3400–U+9FFF) with a
count of at least that script's `--min-count` (4: 149,225 words), sorted by code point, and its count quantised to
a byte `q = round(12 · log2(count))`. The file (xz) holds

    b"FVWM1\\n" + "\\n".join(words) in UTF-8 + b"\\0" + one q byte per word

The coder gives word `i` the frequency 4 · 2^(q_i / 12), rounded (`quantised_frequency`, in
integers): a unigram model of Chinese words, as word segmenters ship. The file is part of the
codec: changing it changes the codec id.
"""

from __future__ import annotations

import functools
import lzma
import math
from dataclasses import dataclass
from itertools import accumulate
from pathlib import Path

MODEL_PATH = Path(__file__).with_name("models") / "zh_words_v1.xz"
MAGIC = b"FVWM1\n"


class ModelFileError(RuntimeError):
    """The shipped model file is missing or damaged: the installation is broken."""


@dataclass(frozen=True)
class WordModel:
    words: list[str]
    index: dict[str, int]
    cum: list[int]
    """cum[i] = sum of the frequencies of words 0..i-1; cum[-1] is the total."""
    cost: list[float]
    """-log2 P(word i)."""
    max_len: dict[str, int]
    """For each first character, the length of the longest word starting with it."""

    @property
    def total(self) -> int:
        return self.cum[-1]


_SEMITONES = (1048576, 1110928, 1176987, 1246974, 1321123, 1399681, 1482910, 1571089, 1664511, 1763488, 1868350, 1979448)
"""round(2^(i/12) · 2^20): integers, so every platform builds the same table, bit for bit."""


def quantised_frequency(q: int) -> int:
    """round(4 · 2^(q/12)), in integer arithmetic."""
    return ((4 * _SEMITONES[q % 12] << (q // 12)) + (1 << 19)) >> 20


def parse(data: bytes) -> WordModel:
    raw = lzma.decompress(data)
    if not raw.startswith(MAGIC) or b"\0" not in raw:
        raise ModelFileError("not a fieldvisit word model (bad magic)")
    text, qs = raw[len(MAGIC) :].split(b"\0", 1)
    words = text.decode("utf-8").split("\n")
    if len(words) != len(qs) or len(set(words)) != len(words):
        raise ModelFileError("damaged word model (counts disagree)")
    table = [quantised_frequency(q) for q in range(256)]
    freqs = [table[q] for q in qs]
    cum = [0, *accumulate(freqs)]
    log_total = math.log2(cum[-1])
    cost_table = [log_total - math.log2(f) for f in table]
    cost = [cost_table[q] for q in qs]
    max_len: dict[str, int] = {}
    for word in words:
        if len(word) > max_len.get(word[0], 0):
            max_len[word[0]] = len(word)
    return WordModel(words, {word: i for i, word in enumerate(words)}, cum, cost, max_len)


@functools.cache
def word_model() -> WordModel:
    """Loaded once per process, on first use (about 0.1–0.2 s)."""
    try:
        data = MODEL_PATH.read_bytes()
    except OSError as exc:
        raise ModelFileError(f"the word model {MODEL_PATH} is missing: {exc}") from exc
    try:
        return parse(data)
    except (lzma.LZMAError, UnicodeDecodeError, ValueError) as exc:
        raise ModelFileError(f"the word model {MODEL_PATH} is damaged: {exc}") from exc
