"""QR frame lines → bundle JSON, written from docs/bundle-format.md §10 and docs/qr-codec.md.

Standard library only (zlib for CRC-32 and inflate, hashlib, lzma for the word model file, json
for the canonical serialisation of bundle-format §2.2); it imports nothing from fieldvisit, and
reads the word model file and docs/vectors/w-primer.bin as data. `decode_lines(lines)` returns
{tag: canonical JSON bytes} for every complete bundle.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import lzma
import re
import struct
import zlib
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
MODEL_FILE = ROOT / "sync" / "models" / "zh_words_v1.xz"
PRIMER_FILE = ROOT / "docs" / "vectors" / "w-primer.bin"


class Corrupt(ValueError):
    pass


def canonical(value) -> bytes:
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode("utf-8")


# -- frames (bundle-format §10) -------------------------------------------------------------

B45 = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ $%*+-./:"


def base45_decode(text: str) -> bytes:
    out = bytearray()
    for i in range(0, len(text), 3):
        chunk = [B45.index(c) for c in text[i : i + 3]]
        if len(chunk) == 3:
            n = chunk[0] + chunk[1] * 45 + chunk[2] * 45 * 45
            out += bytes([n >> 8, n & 0xFF])
        else:
            out.append(chunk[0] + chunk[1] * 45)
    return bytes(out)


EXP, LOG = [0] * 512, [0] * 256
_v = 1
for _i in range(255):
    EXP[_i], LOG[_v] = _v, _i
    _v <<= 1
    if _v & 0x100:
        _v ^= 0x11D
for _i in range(255, 512):
    EXP[_i] = EXP[_i - 255]


def gmul(a: int, b: int) -> int:
    return 0 if a == 0 or b == 0 else EXP[LOG[a] + LOG[b]]


def ginv(a: int) -> int:
    return EXP[255 - LOG[a]]


M64 = (1 << 64) - 1


def splitmix(seed: int, count: int) -> list[int]:
    state, out = seed, []
    while len(out) < count:
        state = (state + 0x9E3779B97F4A7C15) & M64
        z = state
        z = ((z ^ (z >> 30)) * 0xBF58476D1CE4E5B9) & M64
        z = ((z ^ (z >> 27)) * 0x94D049BB133111EB) & M64
        z ^= z >> 31
        out += [b for b in z.to_bytes(8, "little") if b]
    return out[:count]


class MT19937:
    def __init__(self, seed: int) -> None:
        key = [seed] if seed else [0]
        mt = [0] * 624
        mt[0] = 19650218
        for i in range(1, 624):
            mt[i] = (1812433253 * (mt[i - 1] ^ (mt[i - 1] >> 30)) + i) & 0xFFFFFFFF
        i, j = 1, 0
        for _ in range(max(624, len(key))):
            mt[i] = ((mt[i] ^ ((mt[i - 1] ^ (mt[i - 1] >> 30)) * 1664525)) + key[j] + j) & 0xFFFFFFFF
            i, j = i + 1, j + 1
            if i >= 624:
                mt[0], i = mt[623], 1
            if j >= len(key):
                j = 0
        for _ in range(623):
            mt[i] = ((mt[i] ^ ((mt[i - 1] ^ (mt[i - 1] >> 30)) * 1566083941)) - i) & 0xFFFFFFFF
            i += 1
            if i >= 624:
                mt[0], i = mt[623], 1
        mt[0] = 0x80000000
        self.mt, self.index = mt, 624

    def next32(self) -> int:
        mt = self.mt
        if self.index >= 624:
            for k in range(624):
                y = (mt[k] & 0x80000000) | (mt[(k + 1) % 624] & 0x7FFFFFFF)
                mt[k] = mt[(k + 397) % 624] ^ (y >> 1) ^ (0x9908B0DF if y & 1 else 0)
            self.index = 0
        y = mt[self.index]
        self.index += 1
        y ^= y >> 11
        y ^= (y << 7) & 0x9D2C5680
        y ^= (y << 15) & 0xEFC60000
        return y ^ (y >> 18)


def legacy(seed: int, count: int) -> list[int]:
    rng, out = MT19937(seed), []
    while len(out) < count:
        b = rng.next32() >> 24
        if b != 255:
            out.append(b + 1)
    return out


def row_of(prefix: str, tag: str, index: int, count: int) -> list[int]:
    if index <= count:
        return [1 if i == index else 0 for i in range(1, count + 1)]
    seed = zlib.crc32(f"{tag}:{index}".encode("ascii"))
    return splitmix(seed, count) if prefix == "FV2" else legacy(seed, count)


class Bundle:
    def __init__(self, codec: str, count: int, length: int) -> None:
        self.codec, self.count, self.length = codec, count, length
        self.rows: dict[int, list[int]] = {}  # pivot column → coefficients + data, reduced echelon

    def add(self, coefficients: list[int], data: bytes) -> None:
        row = coefficients + list(data)
        for pivot, held in self.rows.items():
            f = row[pivot]
            if f:
                row = [a ^ gmul(f, b) for a, b in zip(row, held)]
        lead = next((i for i in range(self.count) if row[i]), None)
        if lead is None:
            return
        inv = ginv(row[lead])
        row = [gmul(inv, a) for a in row]
        for pivot, held in list(self.rows.items()):
            f = held[lead]
            if f:
                self.rows[pivot] = [a ^ gmul(f, b) for a, b in zip(held, row)]
        self.rows[lead] = row

    @property
    def complete(self) -> bool:
        return len(self.rows) == self.count

    def payload(self) -> bytes:
        return b"".join(bytes(self.rows[i][self.count :]) for i in range(self.count))[: self.length]


def decode_lines(lines) -> dict[str, bytes]:
    bundles: dict[str, Bundle] = {}
    for line in lines:
        line = line.strip()
        parts = line.split(":", 6)
        if len(parts) != 7 or parts[0] not in ("FV1", "FV2"):
            continue
        prefix, codec, tag, position, length, crc, data = parts
        if f"{zlib.crc32(':'.join(parts[:5] + [data]).encode('ascii')):08X}" != crc.upper():
            continue
        index, count = map(int, position.split("/"))
        bundle = bundles.setdefault(tag, Bundle(codec, count, int(length)))
        if not bundle.complete:
            bundle.add(row_of(prefix, tag, index, count), base45_decode(data))
    return {tag: decompress(b.payload(), b.codec) for tag, b in bundles.items() if b.complete}


def decompress(payload: bytes, codec: str) -> bytes:
    if codec == "Z":
        return zlib.decompress(payload, -15)
    if codec != "W":
        raise Corrupt(f"codec {codec}")
    mode = payload[0]
    length = shift = 0
    pos = 1
    while True:
        byte = payload[pos]
        pos += 1
        length |= (byte & 0x7F) << shift
        shift += 7
        if not byte & 0x80:
            break
    crc = int.from_bytes(payload[pos : pos + 4], "big")
    pos += 4
    if mode == 1:
        out = zlib.decompress(payload[pos:], -15)
    elif mode == 0:
        state = State(word_model())
        prime(state)
        state.time, state.budget = 0, length
        state.rc = RangeDecoder(payload[pos:])
        value = state.value("", 0, root=True)
        if state.rc.read < len(payload) - pos:
            raise Corrupt("bytes after the end")
        out = canonical(value)
    else:
        raise Corrupt(f"mode {mode}")
    if len(out) != length or zlib.crc32(out) != crc:
        raise Corrupt("length or CRC")
    return out


# -- codec W (docs/qr-codec.md) -------------------------------------------------------------

TOP = 1 << 56


class RangeDecoder:  # §2.1
    def __init__(self, body: bytes) -> None:
        self.body, self.read, self.range, self.r = body, 0, M64, 1
        self.code = 0
        for _ in range(8):
            self.code = (self.code << 8) | self.byte()

    def byte(self) -> int:
        i = self.read
        self.read += 1
        if i < len(self.body):
            return self.body[i]
        if self.read - len(self.body) > 64:
            raise Corrupt("past the end")
        return 0

    def target(self, total: int) -> int:
        self.r = self.range // total
        return min(self.code // self.r, total - 1)

    def consume(self, cum: int, freq: int) -> None:
        self.code -= self.r * cum
        self.range = self.r * freq
        while self.range < TOP:
            self.code = ((self.code << 8) | self.byte()) & M64
            self.range <<= 8

    def uniform(self, span: int) -> int:
        v = self.target(span)
        self.consume(v, 1)
        return v

    def bits(self, n: int) -> int:
        value = 0
        while n > 24:
            n -= 24
            value = (value << 24) | self.uniform(1 << 24)
        if n > 0:
            value = (value << n) | self.uniform(1 << n)
        return value


class Model:  # §3.1
    def __init__(self, n: int, inc: int, limit: int) -> None:
        self.freq, self.inc, self.limit = [1] * n, inc, limit

    def decode(self, rc: RangeDecoder) -> int:
        t = rc.target(sum(self.freq))
        cum = s = 0
        while cum + self.freq[s] <= t:
            cum += self.freq[s]
            s += 1
        rc.consume(cum, self.freq[s])
        self.freq[s] += self.inc
        if sum(self.freq) > self.limit:
            self.freq = [(f + 1) >> 1 for f in self.freq]
        return s


class Growing:  # §3.2 (a plain list: slow, simple)
    def __init__(self) -> None:
        self.freq: list[int] = []

    def add(self, w: int) -> int:
        self.freq.append(w)
        return len(self.freq) - 1

    def bump(self, i: int, w: int) -> None:
        self.freq[i] += w

    def decode(self, rc: RangeDecoder) -> int:
        if not self.freq:
            raise Corrupt("empty model")
        t = rc.target(sum(self.freq))
        cum = 0
        for i, f in enumerate(self.freq):
            if cum + f > t:
                rc.consume(cum, f)
                return i
            cum += f
        raise Corrupt("impossible symbol")


class IntCoder:  # §3.3
    def __init__(self, signed: bool) -> None:
        self.model = Model(130 if signed else 65, 24, 1 << 16)

    def decode(self, rc: RangeDecoder) -> int:
        y = self.model.decode(rc)
        sign, length = (-1, y - 64) if y >= 65 else (1, y)
        if length == 0:
            return 0
        return sign * ((1 << (length - 1)) | (rc.bits(length - 1) if length > 1 else 0))


class WordModel:  # §8
    def __init__(self, raw: bytes) -> None:
        assert raw.startswith(b"FVWM1\n")
        text, qs = raw[6:].split(b"\0", 1)
        self.words = text.decode("utf-8").split("\n")
        assert len(self.words) == len(qs)
        semitones = (1048576, 1110928, 1176987, 1246974, 1321123, 1399681, 1482910, 1571089, 1664511, 1763488, 1868350, 1979448)
        self.cum = [0]
        for q in qs:
            self.cum.append(self.cum[-1] + (((4 * semitones[q % 12] << (q // 12)) + (1 << 19)) >> 20))


_WORDS: list[WordModel] = []


def word_model() -> WordModel:
    if not _WORDS:
        _WORDS.append(WordModel(lzma.decompress(MODEL_FILE.read_bytes())))
    return _WORDS[0]


IDENT = re.compile(r"[a-z_][a-z0-9_]{0,63}\Z")
ULID = re.compile(r"[0-7][0-9A-HJKMNP-TV-Z]{25}\Z")
CROCKFORD = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
RANKED = ("device visits issues bundle_id created_at format version stamp s b r id type fields maps history "
          "petitioner_name recorder first_owner assignee leaders name post unit department site site_kind "
          "employee_no phone representatives title demand commitment onsite_answer detail note").split()
RANK = {key: i for i, key in enumerate(RANKED)}
SEPARATORS = set("，。、：；！？,.;:!?（）()“”0123456789") | {chr(c) for c in range(0x110000) if chr(c).isspace()}
EPOCH = dt.datetime(1970, 1, 1)


def char_class(ch: str) -> int:
    if "0" <= ch <= "9":
        return 1
    if ch.isascii() and ch.isalpha():
        return 2
    if 0x3400 <= ord(ch) <= 0x9FFF:
        return 3
    if ch in "，。、：；！？（）“”":
        return 4
    return 5


def child_context(ctx: str, key: str) -> str:  # §4.1
    if key == "v" or not IDENT.match(key):
        return ctx
    if key in ("s", "b", "r"):
        return "register." + key
    return ctx.split(".")[-1] + "." + key


class State:
    def __init__(self, words: WordModel) -> None:
        self.words = words
        self.rc: RangeDecoder | None = None
        self.models: dict = {}
        self.ints: dict = {}
        self.known: dict[str, list[str]] = {}
        self.last: dict[str, str] = {}
        self.values: dict[str, tuple[Growing, list[str]]] = {}
        self.history: list[str] = []
        self.time = 0
        self.budget = 0
        # text (§7)
        self.cache = Growing()
        self.cache_tokens: list[str] = []
        self.chars: dict[int, tuple[Growing, list[str]]] = {}
        self.han = Model(2, 24, 1 << 16)

    def model(self, key, n: int, inc: int = 32, limit: int = 1 << 13) -> Model:
        if key not in self.models:
            self.models[key] = Model(n, inc, limit)
        return self.models[key]

    def sym(self, key, n: int, inc: int = 32, limit: int = 1 << 13) -> int:
        return self.model(key, n, inc, limit).decode(self.rc)

    def int(self, key, signed: bool) -> int:
        if key not in self.ints:
            self.ints[key] = IntCoder(signed)
        return self.ints[key].decode(self.rc)

    def spend(self, amount: int) -> None:
        self.budget -= amount
        if self.budget < 0:
            raise Corrupt("over budget")

    # §4.2
    def value(self, ctx: str, depth: int, root: bool = False):
        if depth > 64:
            raise Corrupt("too deep")
        kind = self.sym(("type", ctx), 8)
        if kind <= 2:
            self.spend((4, 5, 4)[kind])
            return (None, False, True)[kind]
        if kind == 3:
            n = self.int(("int", ctx), True)
            self.spend(len(str(n)))
            return n
        if kind == 4:
            self.spend(3)
            return struct.unpack(">d", self.rc.bits(64).to_bytes(8, "big"))[0]
        if kind == 5:
            return self.string(ctx)
        self.spend(2)
        if kind == 6:
            items = []
            for i in range(self.int(("len", ctx), False)):
                if i:
                    self.spend(1)
                items.append(self.value(ctx, depth + 1))
            return items
        return self.object(ctx, depth, root)

    # §4.3
    def object(self, ctx: str, depth: int, root: bool) -> dict:
        known = self.known.setdefault(ctx, [])
        keys = [name for name in list(known) if self.sym(("has", ctx, name), 2)]
        for _ in range(self.int(("extra", ctx), False)):
            key = self.string("key:" + ctx)
            self.spend(1)
            keys.append(key)
            if IDENT.match(key) and key not in known and len(known) < 256:
                known.append(key)
        if len(set(keys)) != len(keys):
            raise Corrupt("key twice")
        result: dict = {}
        recompute = False
        rank = lambda key: (10_001 if key == "digest" else RANK.get(key, 10_000), key)  # noqa: E731
        for key in sorted(keys, key=rank):
            if root and key == "digest" and self.sym("digest", 2):
                recompute = True
                continue
            result[key] = self.value(child_context(ctx, key), depth + 1)
        if recompute:
            result["digest"] = "sha256:" + hashlib.sha256(canonical(result)).hexdigest()
            self.spend(73)
        return result

    # §5
    def string(self, ctx: str, nested: bool = False) -> str:
        mode = self.sym(("mode", ctx), 9)
        if mode == 0:
            text = self.last[ctx]
        elif mode == 1:
            age = self.int(("age", ctx), False)
            if age >= len(self.history):
                raise Corrupt("repeat")
            text = self.history[len(self.history) - 1 - age]
        elif mode == 2:
            when = self.time + self.int("ulid-dt", True)
            if not 0 <= when < 1 << 48:
                raise Corrupt("ulid time")
            value = (when << 80) | self.rc.bits(80)
            self.time = when
            text = "".join(CROCKFORD[(value >> shift) & 31] for shift in range(125, -1, -5))
        elif mode == 3:
            wall = self.time + self.int("stamp-dt", True)
            counter = self.int("stamp-counter", False)
            device = self.string("stamp.device", nested=True)
            if not (0 <= wall < 10**13 and counter < 0x10000 and ULID.match(device)):
                raise Corrupt("stamp")
            self.time = wall
            text = f"{wall:013d}-{counter:04x}-{device}"
        elif mode == 4:
            base = self.time // 1000
            delta = self.int("datetime-dt", True)
            zone = self.string("datetime.zone", nested=True)
            seconds = base + delta
            if delta:
                self.time = seconds * 1000
            if zone == "Z":
                offset = 0
            elif re.fullmatch(r"[+-][0-9]{2}:[0-9]{2}", zone) and int(zone[1:3]) <= 23 and int(zone[4:6]) <= 59:
                offset = (int(zone[1:3]) * 3600 + int(zone[4:6]) * 60) * (-1 if zone[0] == "-" else 1)
            else:
                raise Corrupt("zone")
            local = EPOCH + dt.timedelta(seconds=seconds + offset)
            text = local.strftime("%Y-%m-%dT%H:%M:%S") if local.year >= 1000 else f"{local.year:04d}" + local.strftime("-%m-%dT%H:%M:%S")
            text += zone
        elif mode == 5:
            days = self.time // 86_400_000 + self.int(("date-dt", ctx), True)
            text = (dt.date(1970, 1, 1) + dt.timedelta(days=days)).isoformat()
        elif mode == 6:
            text = self.text(ctx, self.budget)
        elif mode == 7:
            prev = self.last.get(ctx, "")
            size = self.sym(("prefix", ctx), 65)
            if not 0 < size <= len(prev):
                raise Corrupt("prefix")
            text = prev[:size] + self.text(ctx, self.budget)
        elif mode == 8:
            model, texts = self.values.get(ctx, (None, []))
            if not texts:
                raise Corrupt("seen")
            text = texts[model.decode(self.rc)]
        else:
            raise Corrupt("mode")
        if not nested:
            self.spend(len(text) + 2)
        self.last[ctx] = text
        if len(text) <= 64:
            model, texts = self.values.setdefault(ctx, (Growing(), []))
            if text in texts:
                model.bump(texts.index(text), 1)
            else:
                model.add(1)
                texts.append(text)
            self.history.append(text)
        return text

    # §7
    def text(self, ctx: str, limit: int) -> str:
        tokens: list[str] = []
        prev, last_class, length = 0, 0, 0
        while True:
            kind = self.sym((ctx, prev), 5, 8, 1 << 13)
            if kind == 0:
                break
            if kind == 1:
                cum = self.words.cum
                t = self.rc.target(cum[-1])
                lo, hi = 0, len(cum) - 1  # the i with cum[i] <= t < cum[i+1]
                while hi - lo > 1:
                    mid = (lo + hi) // 2
                    lo, hi = (mid, hi) if cum[mid] <= t else (lo, mid)
                self.rc.consume(cum[lo], cum[lo + 1] - cum[lo])
                token = self.words.words[lo]
            elif kind == 2:
                token = self.cache_tokens[self.cache.decode(self.rc)]
            elif kind == 3:
                token = self.char(last_class)
            else:
                n = self.sym(("number", ctx), 28)
                if n == 0:
                    raise Corrupt("empty number")
                token = "".join(str(self.rc.uniform(10 ** min(9, n - s))).zfill(min(9, n - s)) for s in range(0, n, 9))
            length += len(token)
            if length > limit:
                raise Corrupt("text too long")
            tokens.append(token)
            last_class = char_class(token[-1])
            prev = kind
        text = "".join(tokens)
        for token in tokens:
            if len(token) > 1 or char_class(token) == 3:
                self.remember(token)
        if len(tokens) > 1 and len(text) <= 24:
            self.remember(text)
        if len(tokens) > 1:
            pieces, piece = [], ""
            for ch in text:
                if ch in SEPARATORS:
                    pieces.append(piece)
                    piece = ""
                else:
                    piece += ch
            pieces.append(piece)
            for piece in pieces:
                if 2 <= len(piece) <= 24 and piece != text and piece not in tokens:
                    self.remember(piece)
        return text

    def char(self, cls: int) -> str:
        if cls not in self.chars:
            model = Growing()
            model.add(1)
            self.chars[cls] = (model, [""])
        model, chars = self.chars[cls]
        i = model.decode(self.rc)
        if i:
            model.bump(i, 1)
            return chars[i]
        model.bump(0, 1)
        if self.han.decode(self.rc):
            code = 0x3400 + self.rc.uniform(27648)
        else:
            code = self.rc.uniform(0x110000)
            if 0xD800 <= code <= 0xDFFF:
                raise Corrupt("surrogate")
        ch = chr(code)
        model.add(1)
        chars.append(ch)
        return ch

    def remember(self, token: str) -> None:
        if token in self.cache_tokens:
            self.cache.bump(self.cache_tokens.index(token), 1)
        else:
            self.cache.add(1)
            self.cache_tokens.append(token)


def prime(state: State) -> None:  # §6
    state.rc = RangeDecoder(PRIMER_FILE.read_bytes())
    state.budget = 1 << 40
    state.value("", 0, root=True)
