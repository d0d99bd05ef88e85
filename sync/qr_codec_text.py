"""Coding one string of free text for the QR codec "W" (`qr_codec`).

A string is coded as a sequence of tokens, each preceded by its kind (an adaptive model per
string context and previous kind):

  WORD   a word of the static Chinese word model (`textmodel`), by its unigram probability;
  CACHE  a token already seen in this bundle, by its adaptive count: every word and Han
         character coded so far, every string of up to 24 characters, and every clause (the
         runs between punctuation, spaces and digits): names, units and phrases come back;
  CHAR   one character from an adaptive character model (context: the class of the previous
         character), escaping to its code point for a character not seen yet;
  NUMBER a run of ASCII digits: its length (adaptive, per context), then the digits as a
         number (phone numbers, employee numbers, amounts);
  END    the end of the string.

The encoder picks the cheapest token sequence by dynamic programming over the string (a Viterbi
segmentation over the dictionary and the cache, with CHAR as the fallback that always exists),
so every string can be coded, whatever it holds. The decoder just follows the kinds.
"""

from __future__ import annotations

import math
import re
from bisect import bisect_right

from fieldvisit.sync.qr_codec_rc import Decoder, Encoder, GrowingModel, Model, RangeError
from fieldvisit.sync.textmodel import WordModel

END, WORD, CACHE, CHAR, NUMBER = 0, 1, 2, 3, 4
KINDS = 5
MAX_NUMBER = 27
"""Digit runs longer than this are coded as several NUMBER tokens."""
_LOG10 = math.log2(10)
_START = 0
_INF = float("inf")
_HAN_LO, _HAN_HI = 0x3400, 0x9FFF
_HAN_SPAN = _HAN_HI - _HAN_LO + 1
_UNICODE_SPAN = 0x110000
_HAN_RAW_COST = math.log2(_HAN_SPAN)
_OTHER_RAW_COST = math.log2(_UNICODE_SPAN)
CACHE_MAX_STRING = 24
"""Whole strings up to this many characters are remembered as one cache token."""


_CLAUSE_RE = re.compile(r"[，。、：；！？,.;:!?（）()“”\s0-9]+")


class Channel:
    """The range coder seen from the models: encodes when `enc` is set, else decodes from `dec`.

    Each method takes the symbol to encode (ignored when decoding) and returns the symbol coded,
    so the model logic is written once and updates the same state on both sides.
    """

    __slots__ = ("enc", "dec")

    def __init__(self, enc: Encoder | None = None, dec: Decoder | None = None) -> None:
        self.enc = enc
        self.dec = dec

    def sym(self, model: Model, symbol: int | None) -> int:
        if self.enc is not None:
            model.encode(self.enc, symbol)
            return symbol
        return model.decode(self.dec)

    def grow(self, model: GrowingModel, index: int | None) -> int:
        if self.enc is not None:
            model.encode(self.enc, index)
            return index
        return model.decode(self.dec)

    def int(self, coder, value: int | None) -> int:
        if self.enc is not None:
            coder.encode(self.enc, value)
            return value
        return coder.decode(self.dec)

    def bits(self, value: int | None, count: int) -> int:
        if self.enc is not None:
            self.enc.bits(value, count)
            return value
        return self.dec.bits(count)

    def uniform(self, value: int | None, span: int) -> int:
        if self.enc is not None:
            self.enc.encode(value, 1, span)
            return value
        value = self.dec.target(span)
        self.dec.consume(value, 1)
        return value

    def cumulative(self, cum: list[int], index: int | None) -> int:
        """Symbol `index` of a static table given by its cumulative frequencies."""
        if self.enc is not None:
            self.enc.encode(cum[index], cum[index + 1] - cum[index], cum[-1])
            return index
        target = self.dec.target(cum[-1])
        index = bisect_right(cum, target) - 1
        self.dec.consume(cum[index], cum[index + 1] - cum[index])
        return index


def char_class(ch: str) -> int:
    if "0" <= ch <= "9":
        return 1
    if "a" <= ch <= "z" or "A" <= ch <= "Z":
        return 2
    if "\u3400" <= ch <= "\u9fff":
        return 3
    if ch in "，。、：；！？（）“”":
        return 4
    return 5


class _CharModel:
    """Characters seen after one class of character; symbol 0 is the escape to a new one."""

    __slots__ = ("model", "index", "chars")

    def __init__(self) -> None:
        self.model = GrowingModel(64)
        self.model.add(1)
        self.index: dict[str, int] = {}
        self.chars: list[str] = [""]

    def cost(self, ch: str) -> float:
        index = self.index.get(ch)
        if index is not None:
            return self.model.cost(index)
        return self.model.cost(0) + (_HAN_RAW_COST if _HAN_LO <= ord(ch) <= _HAN_HI else _OTHER_RAW_COST + 1)


class TextCoder:
    """State shared by all the strings of one bundle: the cache and the adaptive models."""

    def __init__(self, channel: Channel, words: WordModel) -> None:
        self.ch = channel
        self.words = words
        self.cache = GrowingModel(1024)
        self.cache_index: dict[str, int] = {}
        self.cache_tokens: list[str] = []
        self.cache_max_len: dict[str, int] = {}
        self.kinds: dict[tuple[str, int], Model] = {}
        self.chars: dict[int, _CharModel] = {}
        self.han_escape = Model(2)
        self.numbers: dict[str, Model] = {}

    # -- models ----------------------------------------------------------------------------

    def _kind_model(self, ctx: str, prev: int) -> Model:
        model = self.kinds.get((ctx, prev))
        if model is None:
            model = self.kinds[(ctx, prev)] = Model(KINDS, inc=8, limit=1 << 13)
        return model

    def _number_model(self, ctx: str) -> Model:
        model = self.numbers.get(ctx)
        if model is None:
            model = self.numbers[ctx] = Model(MAX_NUMBER + 1, inc=32, limit=1 << 13)
        return model

    def _code_number(self, digits: str | None, ctx: str) -> str:
        channel = self.ch
        length = channel.sym(self._number_model(ctx), None if digits is None else len(digits))
        if length == 0:
            raise RangeError("an empty number")
        parts = []
        for start in range(0, length, 9):
            size = min(9, length - start)
            value = None if digits is None else int(digits[start : start + size])
            parts.append(str(channel.uniform(value, 10**size)).zfill(size))
        return "".join(parts)

    def _char_model(self, cls: int) -> _CharModel:
        model = self.chars.get(cls)
        if model is None:
            model = self.chars[cls] = _CharModel()
        return model

    def _remember(self, token: str) -> None:
        index = self.cache_index.get(token)
        if index is None:
            self.cache_index[token] = self.cache.add(1)
            self.cache_tokens.append(token)
            if len(token) > self.cache_max_len.get(token[0], 0):
                self.cache_max_len[token[0]] = len(token)
        else:
            self.cache.bump(index, 1)

    # -- one character ---------------------------------------------------------------------

    def _code_char(self, ch: str | None, cls: int) -> str:
        model = self._char_model(cls)
        channel = self.ch
        index = channel.grow(model.model, None if ch is None else model.index.get(ch, 0))
        if index:
            model.model.bump(index, 1)
            return model.chars[index]
        model.model.bump(0, 1)
        if ch is None:
            is_han = channel.sym(self.han_escape, None)
            if is_han:
                ch = chr(_HAN_LO + channel.uniform(None, _HAN_SPAN))
            else:
                ch = chr(channel.uniform(None, _UNICODE_SPAN))
        else:
            code = ord(ch)
            if channel.sym(self.han_escape, int(_HAN_LO <= code <= _HAN_HI)):
                channel.uniform(code - _HAN_LO, _HAN_SPAN)
            else:
                channel.uniform(code, _UNICODE_SPAN)
        model.index[ch] = model.model.add(1)
        model.chars.append(ch)
        return ch

    # -- one string ------------------------------------------------------------------------

    def cost(self, text: str, ctx: str) -> float:
        return self._parse(text, ctx)[0]

    def code(self, text: str | None, ctx: str, limit: int) -> str:
        """Encode `text`, or decode a string of at most `limit` characters (None when decoding)."""
        channel = self.ch
        tokens: list[str] = []
        prev = _START
        last_class = 0
        if text is not None:
            for kind, ref, token in self._parse(text, ctx)[1]:
                channel.sym(self._kind_model(ctx, prev), kind)
                if kind == WORD:
                    channel.cumulative(self.words.cum, ref)
                elif kind == CACHE:
                    channel.grow(self.cache, ref)
                elif kind == NUMBER:
                    self._code_number(token, ctx)
                else:
                    self._code_char(token, last_class)
                tokens.append(token)
                last_class = char_class(token[-1])
                prev = kind
            channel.sym(self._kind_model(ctx, prev), END)
        else:
            length = 0
            while True:
                kind = channel.sym(self._kind_model(ctx, prev), None)
                if kind == END:
                    break
                if kind == WORD:
                    token = self.words.words[channel.cumulative(self.words.cum, None)]
                elif kind == CACHE:
                    index = channel.grow(self.cache, None)
                    token = self.cache_tokens[index]
                elif kind == NUMBER:
                    token = self._code_number(None, ctx)
                else:
                    token = self._code_char(None, last_class)
                length += len(token)
                if length > limit:
                    raise RangeError("a string longer than the data can hold")
                tokens.append(token)
                last_class = char_class(token[-1])
                prev = kind
            text = "".join(tokens)
        for token in tokens:
            if len(token) > 1 or char_class(token) == 3:
                self._remember(token)
        if len(tokens) > 1 and len(text) <= CACHE_MAX_STRING:
            self._remember(text)
        if len(tokens) > 1:
            for clause in _CLAUSE_RE.split(text):
                if 2 <= len(clause) <= CACHE_MAX_STRING and clause != text and clause not in tokens:
                    self._remember(clause)
        return text

    def _parse(self, text: str, ctx: str) -> tuple[float, list[tuple[int, object, str]]]:
        """The cheapest token sequence for `text`: (cost in bits, [(kind, ref, token)])."""
        n = len(text)
        kind_cost = [self._kind_model(ctx, prev).freq for prev in range(KINDS)]
        kind_cost = [[math.log2(sum(freq) / f) for f in freq] for freq in kind_cost]
        words = self.words
        word_index, word_cost, word_max = words.index, words.cost, words.max_len
        cache_index, cache_freq = self.cache_index, self.cache.freq
        cache_max = self.cache_max_len
        cache_log_total = math.log2(self.cache.total) if self.cache.total else 0.0
        number_cost = [math.log2(sum(f) / x) for f in [self._number_model(ctx).freq] for x in f]
        best = [[_INF] * KINDS for _ in range(n + 1)]
        back: list[list[tuple | None]] = [[None] * KINDS for _ in range(n + 1)]
        digits_end = n
        best[0][_START] = 0.0
        prev_class = 0
        for i in range(n):
            row = best[i]
            ch = text[i]
            candidates = []
            if "0" <= ch <= "9":
                if i == 0 or not "0" <= text[i - 1] <= "9":
                    digits_end = i + 1
                    while digits_end < n and "0" <= text[digits_end] <= "9":
                        digits_end += 1
                size = min(digits_end - i, MAX_NUMBER)
                candidates.append((i + size, NUMBER, number_cost[size] + size * _LOG10, None))
            limit = min(n, i + word_max.get(ch, 0))
            for j in range(i + 1, limit + 1):
                index = word_index.get(text[i:j])
                if index is not None:
                    candidates.append((j, WORD, word_cost[index], index))
            limit = min(n, i + cache_max.get(ch, 0))
            for j in range(i + 1, limit + 1):
                index = cache_index.get(text[i:j])
                if index is not None:
                    candidates.append((j, CACHE, cache_log_total - math.log2(cache_freq[index]), index))
            candidates.append((i + 1, CHAR, self._char_model(prev_class).cost(ch), None))
            prev_class = char_class(ch)
            for j, kind, cost, ref in candidates:
                target = best[j]
                for prev in range(KINDS):
                    base = row[prev]
                    if base == _INF:
                        continue
                    value = base + cost + kind_cost[prev][kind]
                    if value < target[kind]:
                        target[kind] = value
                        back[j][kind] = (i, prev, ref)
        final = best[n]
        end_state = min(range(KINDS), key=lambda prev: final[prev] + kind_cost[prev][END])
        total = final[end_state] + kind_cost[end_state][END]
        tokens = []
        j, state = n, end_state
        while j > 0:
            i, prev, ref = back[j][state]
            tokens.append((state, ref, text[i:j]))
            j, state = i, prev
        tokens.reverse()
        return total, tokens
