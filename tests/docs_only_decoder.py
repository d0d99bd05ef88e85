#!/usr/bin/env python3
"""Independent fieldvisit QR-frame decoder, written from docs/bundle-format.md §10 and
docs/qr-codec.md only, by an engineer who read none of fieldvisit's code (their notes on what the
documents left open were folded back into the documents). Pure Python 3.11, standard library only;
tests/test_docs_only_decoder.py runs it on the vectors and on the app's own frames.

Usage:  decoder.py FRAMES.txt [MORE.txt ...]     -> prints canonical JSON of each complete bundle
        decoder.py --payload CODEC FILE.bin      -> decompress one payload
"""
import bisect
import datetime
import hashlib
import json
import lzma
import os
import re
import struct
import sys
import zlib

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.environ.get("FIELDVISIT_REPO", os.path.dirname(HERE))  # the checkout: tests/ is in it
WORD_MODEL_PATH = os.environ.get("FV_WORD_MODEL", os.path.join(REPO, "sync/models/zh_words_v1.xz"))
PRIMER_PATH = os.environ.get("FV_PRIMER", os.path.join(REPO, "docs/vectors/w-primer.bin"))


class DecodeError(Exception):
    pass


def canonical(obj):
    return json.dumps(obj, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode("utf-8")


# ---------------------------------------------------------------- base45 (RFC 9285)
B45 = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ $%*+-./:"
B45I = {c: i for i, c in enumerate(B45)}


def b45decode(s):
    out = bytearray()
    try:
        vals = [B45I[c] for c in s]
    except KeyError as e:
        raise DecodeError("bad base45 char %r" % e.args[0])
    i = 0
    while i + 3 <= len(vals):
        n = vals[i] + vals[i + 1] * 45 + vals[i + 2] * 2025
        if n > 0xFFFF:
            raise DecodeError("bad base45 triple")
        out += bytes((n >> 8, n & 0xFF))
        i += 3
    rest = len(vals) - i
    if rest == 2:
        n = vals[i] + vals[i + 1] * 45
        if n > 0xFF:
            raise DecodeError("bad base45 pair")
        out.append(n)
    elif rest == 1:
        raise DecodeError("bad base45 length")
    return bytes(out)


# ---------------------------------------------------------------- GF(2^8), poly 0x11D
EXP = [0] * 512
LOG = [0] * 256
_x = 1
for _i in range(255):
    EXP[_i] = _x
    LOG[_x] = _i
    _x <<= 1
    if _x & 0x100:
        _x ^= 0x11D
for _i in range(255, 512):
    EXP[_i] = EXP[_i - 255]


def gmul(a, b):
    if a == 0 or b == 0:
        return 0
    return EXP[LOG[a] + LOG[b]]


def ginv(a):
    return EXP[255 - LOG[a]]


MUL_TABLE = [bytes(gmul(a, b) for b in range(256)) for a in range(256)]


def row_axpy(dst, src, c):
    """dst ^= c*src (bytearrays)"""
    if c == 0:
        return
    t = MUL_TABLE[c]
    for k in range(len(dst)):
        dst[k] ^= t[src[k]]


def row_scale(row, c):
    t = MUL_TABLE[c]
    for k in range(len(row)):
        row[k] = t[row[k]]


# ---------------------------------------------------------------- coefficient generators
M64 = (1 << 64) - 1


def splitmix64(seed):
    state = seed & M64
    while True:
        state = (state + 0x9E3779B97F4A7C15) & M64
        z = state
        z = ((z ^ (z >> 30)) * 0xBF58476D1CE4E5B9) & M64
        z = ((z ^ (z >> 27)) * 0x94D049BB133111EB) & M64
        yield z ^ (z >> 31)


def coeffs_fv2(seed, count):
    out = []
    for z in splitmix64(seed):
        for k in range(8):
            b = (z >> (8 * k)) & 0xFF
            if b:
                out.append(b)
                if len(out) == count:
                    return out


class MT19937:
    """mt19937ar.c, init_by_array"""

    def __init__(self, key):
        mt = [0] * 624
        mt[0] = 19650218
        for i in range(1, 624):
            mt[i] = (1812433253 * (mt[i - 1] ^ (mt[i - 1] >> 30)) + i) & 0xFFFFFFFF
        i, j = 1, 0
        klen = len(key)
        for _ in range(max(624, klen)):
            mt[i] = ((mt[i] ^ ((mt[i - 1] ^ (mt[i - 1] >> 30)) * 1664525)) + key[j] + j) & 0xFFFFFFFF
            i += 1
            j += 1
            if i >= 624:
                mt[0] = mt[623]
                i = 1
            if j >= klen:
                j = 0
        for _ in range(623):
            mt[i] = ((mt[i] ^ ((mt[i - 1] ^ (mt[i - 1] >> 30)) * 1566083941)) - i) & 0xFFFFFFFF
            i += 1
            if i >= 624:
                mt[0] = mt[623]
                i = 1
        mt[0] = 0x80000000
        self.mt = mt
        self.idx = 624

    def genrand(self):
        mt = self.mt
        if self.idx >= 624:
            for k in range(624):
                y = (mt[k] & 0x80000000) | (mt[(k + 1) % 624] & 0x7FFFFFFF)
                mt[k] = mt[(k + 397) % 624] ^ (y >> 1) ^ (0x9908B0DF if y & 1 else 0)
            self.idx = 0
        y = mt[self.idx]
        self.idx += 1
        y ^= y >> 11
        y ^= (y << 7) & 0x9D2C5680
        y ^= (y << 15) & 0xEFC60000
        y ^= y >> 18
        return y & 0xFFFFFFFF


def coeffs_fv1(seed, count):
    mt = MT19937([seed] if seed else [0])
    out = []
    while len(out) < count:
        b = mt.genrand() >> 24
        while b == 255:
            b = mt.genrand() >> 24
        out.append(b + 1)
    return out


def frame_seed(tag, index):
    return zlib.crc32(("%s:%d" % (tag, index)).encode("ascii"))


def coefficients(prefix, tag, index, count):
    seed = frame_seed(tag, index)
    if prefix == "FV2":
        return coeffs_fv2(seed, count)
    return coeffs_fv1(seed, count)


# ---------------------------------------------------------------- frames and assembly
FRAME_RE = re.compile(r"(FV[12]):([0-9A-Z]{1,8}):([0-9A-HJKMNP-TV-Z]{10}):([0-9]{1,5})/([0-9]{1,5}):([0-9]{1,9}):([0-9A-F]{8}):(.*)", re.S)


def parse_frame(line):
    line = line.rstrip("\r\n")
    if len(line) > 4296:
        raise DecodeError("frame too long")
    parts = line.split(":", 6)
    if len(parts) != 7:
        raise DecodeError("not a frame")
    m = FRAME_RE.fullmatch(line)
    if not m:
        raise DecodeError("bad frame header")
    prefix, codec, tag, index, count, length, crc, data = m.groups()
    for num in (index, count, length):
        if len(num) > 1 and num[0] == "0":
            raise DecodeError("leading zero")
    index, count, length = int(index), int(count), int(length)
    if not (1 <= count <= 10000) or index < 1:
        raise DecodeError("bad index/count")
    text = "%s:%s:%s:%d/%d:%d:%s" % (prefix, codec, tag, index, count, length, data)
    if zlib.crc32(text.encode("ascii")) != int(crc, 16):
        raise DecodeError("bad crc")
    size = -(-length // count)
    raw = b45decode(data)
    if len(raw) != size:
        raise DecodeError("data is %d bytes, expected %d" % (len(raw), size))
    return dict(prefix=prefix, codec=codec, tag=tag, index=index, count=count, length=length, data=raw)


class Bundle:
    def __init__(self, f):
        self.codec, self.count, self.length = f["codec"], f["count"], f["length"]
        self.size = -(-self.length // self.count)
        self.tag = f["tag"]
        self.pivots = {}  # pivot column -> (coef row, data row); rows reduced (RREF kept incrementally)
        self.seen = set()

    def add(self, f):
        if (f["codec"], f["count"], f["length"]) != (self.codec, self.count, self.length):
            raise DecodeError("frame disagrees with earlier frames of this tag")
        key = (f["index"], f["prefix"] if f["index"] > f["count"] else "plain")
        if key in self.seen or self.complete():
            return
        self.seen.add(key)
        n = self.count
        if f["index"] <= n:
            coef = bytearray(n)
            coef[f["index"] - 1] = 1
        else:
            coef = bytearray(coefficients(f["prefix"], f["tag"], f["index"], n))
        data = bytearray(f["data"])
        # eliminate existing pivots
        for col, (pc, pd) in self.pivots.items():
            c = coef[col]
            if c:
                row_axpy(coef, pc, c)
                row_axpy(data, pd, c)
        piv = next((k for k in range(n) if coef[k]), None)
        if piv is None:
            return  # dependent
        inv = ginv(coef[piv])
        row_scale(coef, inv)
        row_scale(data, inv)
        for col, (pc, pd) in self.pivots.items():
            c = pc[piv]
            if c:
                row_axpy(pc, coef, c)
                row_axpy(pd, data, c)
        self.pivots[piv] = (coef, data)

    def complete(self):
        return len(self.pivots) == self.count

    def payload(self):
        out = b"".join(bytes(self.pivots[k][1]) for k in range(self.count))
        return out[: self.length]


def assemble(lines):
    bundles = {}
    errors = []
    for ln, line in enumerate(lines, 1):
        if not line.strip():
            continue
        try:
            f = parse_frame(line)
            b = bundles.get(f["tag"])
            if b is None:
                b = bundles[f["tag"]] = Bundle(f)
            b.add(f)
        except DecodeError as e:
            errors.append((ln, str(e)))
    return bundles, errors


# ---------------------------------------------------------------- codec W: range decoder
TOP = 1 << 56
MASK = (1 << 64) - 1


class RangeDecoder:
    def __init__(self, body):
        self.body = body
        self.pos = 0
        self.range = MASK
        code = 0
        for _ in range(8):
            code = (code << 8) | self._next()
        self.code = code
        self.r = 1

    def _next(self):
        p = self.pos
        self.pos += 1
        if p < len(self.body):
            return self.body[p]
        if p - len(self.body) >= 64:
            raise DecodeError("read too far past the end")
        return 0

    def target(self, total):
        self.r = self.range // total
        return min(self.code // self.r, total - 1)

    def consume(self, cum, freq):
        self.code -= self.r * cum
        self.range = self.r * freq
        while self.range < TOP:
            self.code = ((self.code << 8) | self._next()) & MASK
            self.range <<= 8

    def uniform(self, span):
        v = self.target(span)
        self.consume(v, 1)
        return v

    def bits(self, n):
        value = 0
        while n > 24:
            n -= 24
            value = (value << 24) | self.uniform(1 << 24)
        if n > 0:
            value = (value << n) | self.uniform(1 << n)
        return value


class Model:
    __slots__ = ("freq", "total", "inc", "limit")

    def __init__(self, n, inc, limit):
        self.freq = [1] * n
        self.total = n
        self.inc = inc
        self.limit = limit

    def decode(self, rc):
        t = rc.target(self.total)
        cum = 0
        for s, f in enumerate(self.freq):
            if cum + f > t:
                break
            cum += f
        else:
            raise DecodeError("model overflow")
        rc.consume(cum, f)
        self.freq[s] += self.inc
        self.total += self.inc
        if self.total > self.limit:
            self.freq = [(x + 1) >> 1 for x in self.freq]
            self.total = sum(self.freq)
        return s


class Growing:
    def __init__(self):
        self.freq = []
        self.total = 0

    def add(self, w):
        self.freq.append(w)
        self.total += w
        return len(self.freq) - 1

    def bump(self, i, w):
        self.freq[i] += w
        self.total += w

    def decode(self, rc):
        if not self.freq:
            raise DecodeError("empty growing model")
        t = rc.target(self.total)
        cum = 0
        for i, f in enumerate(self.freq):
            if cum + f > t:
                rc.consume(cum, f)
                return i
            cum += f
        raise DecodeError("growing overflow")


# ---------------------------------------------------------------- word model
SEMITONES = [1048576, 1110928, 1176987, 1246974, 1321123, 1399681,
             1482910, 1571089, 1664511, 1763488, 1868350, 1979448]


class WordModel:
    def __init__(self, path=WORD_MODEL_PATH):
        raw = lzma.open(path).read()
        if not raw.startswith(b"FVWM1\n"):
            raise DecodeError("bad word model")
        raw = raw[6:]
        z = raw.index(0)
        self.words = raw[:z].decode("utf-8").split("\n")
        qs = raw[z + 1:]
        if len(qs) != len(self.words):
            raise DecodeError("word model sizes differ")
        cum = [0]
        for q in qs:
            cum.append(cum[-1] + (((4 * SEMITONES[q % 12]) << (q // 12)) + (1 << 19) >> 20))
        self.cum = cum
        self.T = cum[-1]

    def decode(self, rc):
        t = rc.target(self.T)
        i = bisect.bisect_right(self.cum, t) - 1
        rc.consume(self.cum[i], self.cum[i + 1] - self.cum[i])
        return self.words[i]


_WORDS = None


def word_model():
    global _WORDS
    if _WORDS is None:
        _WORDS = WordModel()
    return _WORDS


# ---------------------------------------------------------------- codec W: tree decoder
IDENT = re.compile(r"[a-z_][a-z0-9_]{0,63}")
ULID_RE = re.compile(r"[0-7][0-9A-HJKMNP-TV-Z]{25}")
ZONE_RE = re.compile(r"Z|[+-]([0-9]{2}):([0-9]{2})")
CROCK = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
RANK_KEYS = ("device visits issues bundle_id created_at format version stamp s b r id type fields "
             "maps history petitioner_name recorder first_owner assignee leaders name post unit "
             "department site site_kind employee_no phone representatives title demand commitment "
             "onsite_answer detail note").split()
RANK = {k: i for i, k in enumerate(RANK_KEYS)}
PUNCT4 = set("，。、：；！？（）“”")
SPLIT_CHARS = set("，。、：；！？,.;:!?（）()“”")
EPOCH = datetime.datetime(1970, 1, 1)


def key_rank(k):
    if k == "digest":
        return (10001, k)
    return (RANK.get(k, 10000), k)


def char_class(ch):
    o = ord(ch)
    if 0x30 <= o <= 0x39:
        return 1
    if (0x41 <= o <= 0x5A) or (0x61 <= o <= 0x7A):
        return 2
    if 0x3400 <= o <= 0x9FFF:
        return 3
    if ch in PUNCT4:
        return 4
    return 5


def is_sep(ch):
    return ch in SPLIT_CHARS or ("0" <= ch <= "9") or ch.isspace()


def child_context(c, k):
    if k == "v" or not IDENT.fullmatch(k):
        return c
    if k in ("s", "b", "r"):
        return "register." + k
    return c.rsplit(".", 1)[-1] + "." + k


class WState:
    def __init__(self):
        self.models = {}
        self.ints = {}
        self.known = {}
        self.last = {}
        self.values = {}   # ctx -> (Growing, [strings], {string: index})
        self.history = []
        self.time = 0
        self.budget = 0
        # text coder
        self.cache = Growing()
        self.cache_tokens = []
        self.cache_index = {}
        self.char_models = {}  # class -> (Growing, [chars])
        self.han = Model(2, 24, 1 << 16)
        self.rc = None

    # --- models
    def model(self, key, n, inc=32, limit=1 << 13):
        m = self.models.get(key)
        if m is None:
            m = self.models[key] = Model(n, inc, limit)
        return m

    def sym(self, key, n, inc=32, limit=1 << 13):
        return self.model(key, n, inc, limit).decode(self.rc)

    def integer(self, key, signed):
        m = self.ints.get(key)
        if m is None:
            m = self.ints[key] = Model(130 if signed else 65, 24, 1 << 16)
        y = m.decode(self.rc)
        neg = False
        if y >= 65:
            L = y - 64
            neg = True
        else:
            L = y
        if L == 0:
            return 0
        x = (1 << (L - 1)) | (self.rc.bits(L - 1) if L > 1 else 0)
        return -x if neg else x

    def spend(self, n):
        self.budget -= n
        if self.budget < 0:
            raise DecodeError("budget exhausted")

    # --- values
    def value(self, c, d, root=False):
        if d > 64:
            raise DecodeError("too deep")
        t = self.sym(("type", c), 8)
        if t == 0:
            self.spend(4)
            return None
        if t == 1:
            self.spend(5)
            return False
        if t == 2:
            self.spend(4)
            return True
        if t == 3:
            x = self.integer(("int", c), True)
            self.spend(len(str(x)))
            return x
        if t == 4:
            self.spend(3)
            return struct.unpack(">d", self.rc.bits(64).to_bytes(8, "big"))[0]
        if t == 5:
            return self.string(c)
        if t == 6:
            n = self.integer(("len", c), False)
            self.spend(2)
            out = []
            for i in range(n):
                if i:
                    self.spend(1)
                out.append(self.value(c, d + 1))
            return out
        if t == 7:
            self.spend(2)
            return self.obj(c, d, root)
        raise DecodeError("bad type")

    def obj(self, c, d, root):
        keys = []
        known = self.known.setdefault(c, [])
        for name in list(known):
            if self.sym(("has", c, name), 2):
                keys.append(name)
        n = self.integer(("extra", c), False)
        for _ in range(n):
            k = self.string("key:" + c)
            self.spend(1)
            if k in keys:
                raise DecodeError("duplicate key")
            keys.append(k)
            if IDENT.fullmatch(k) and k not in known and len(known) < 256:
                known.append(k)
        out = {}
        auto_digest = False
        for k in sorted(keys, key=key_rank):
            if root and k == "digest":
                if self.sym("digest", 2):
                    auto_digest = True
                    continue
            out[k] = self.value(child_context(c, k), d + 1)
        if auto_digest:
            out["digest"] = "sha256:" + hashlib.sha256(canonical(out)).hexdigest()
            self.spend(73)
        return out

    # --- strings
    def string(self, c, nested=False):
        mode = self.sym(("mode", c), 9)
        if mode == 0:
            if c not in self.last:
                raise DecodeError("PREV without last")
            s = self.last[c]
        elif mode == 1:
            age = self.integer(("age", c), False)
            if age >= len(self.history):
                raise DecodeError("bad age")
            s = self.history[len(self.history) - 1 - age]
        elif mode == 2:
            s = self.ulid()
        elif mode == 3:
            s = self.stamp()
        elif mode == 4:
            s = self.datetime_()
        elif mode == 5:
            s = self.date(c)
        elif mode == 6:
            s = self.text(c, self.budget)
        elif mode == 7:
            size = self.sym(("prefix", c), 65)
            last = self.last.get(c, "")
            if not (0 < size <= len(last)):
                raise DecodeError("bad prefix size")
            s = last[:size] + self.text(c, self.budget)
        elif mode == 8:
            v = self.values.get(c)
            if v is None or not v[1]:
                raise DecodeError("SEEN with no values")
            s = v[1][v[0].decode(self.rc)]
        else:
            raise DecodeError("bad mode")
        if not nested:
            self.spend(len(s) + 2)
        self.last[c] = s
        if len(s) <= 64:
            v = self.values.get(c)
            if v is None:
                v = self.values[c] = (Growing(), [], {})
            i = v[2].get(s)
            if i is None:
                v[2][s] = v[0].add(1)
                v[1].append(s)
            else:
                v[0].bump(i, 1)
            self.history.append(s)
        return s

    def ulid(self):
        delta = self.integer("ulid-dt", True)
        when = self.time + delta
        if not (0 <= when < (1 << 48)):
            raise DecodeError("bad ulid time")
        rand = self.rc.bits(80)
        self.time = when
        n = (when << 80) | rand
        return "".join(CROCK[(n >> (5 * i)) & 31] for i in range(25, -1, -1))

    def stamp(self):
        delta = self.integer("stamp-dt", True)
        wall = self.time + delta
        counter = self.integer("stamp-counter", False)
        dev = self.string("stamp.device", nested=True)
        if not (0 <= wall < 10 ** 13) or counter >= 65536 or not ULID_RE.fullmatch(dev):
            raise DecodeError("bad stamp")
        self.time = wall
        return "%013d-%04x-%s" % (wall, counter, dev)

    def datetime_(self):
        base = self.time // 1000
        delta = self.integer("datetime-dt", True)
        zone = self.string("datetime.zone", nested=True)
        m = ZONE_RE.fullmatch(zone)
        if not m:
            raise DecodeError("bad zone")
        if zone == "Z":
            off = 0
        else:
            hh, mm = int(m.group(1)), int(m.group(2))
            if hh > 23 or mm > 59:
                raise DecodeError("bad zone")
            off = hh * 3600 + mm * 60
            if zone[0] == "-":
                off = -off
        seconds = base + delta
        if delta != 0:
            self.time = seconds * 1000
        try:
            t = EPOCH + datetime.timedelta(seconds=seconds + off)
        except OverflowError:
            raise DecodeError("bad datetime")
        if t.year < 1:
            raise DecodeError("bad datetime")
        return "%04d-%02d-%02dT%02d:%02d:%02d" % (t.year, t.month, t.day, t.hour, t.minute, t.second) + zone

    def date(self, c):
        base = self.time // 86400000
        delta = self.integer(("date-dt", c), True)
        try:
            d = datetime.date(1970, 1, 1) + datetime.timedelta(days=base + delta)
        except OverflowError:
            raise DecodeError("bad date")
        return "%04d-%02d-%02d" % (d.year, d.month, d.day)

    # --- free text
    def remember(self, tok):
        i = self.cache_index.get(tok)
        if i is None:
            self.cache_index[tok] = self.cache.add(1)
            self.cache_tokens.append(tok)
        else:
            self.cache.bump(i, 1)

    def char(self, cls):
        cm = self.char_models.get(cls)
        if cm is None:
            g = Growing()
            g.add(1)
            cm = self.char_models[cls] = (g, [None])
        g, chars = cm
        i = g.decode(self.rc)
        if i > 0:
            g.bump(i, 1)
            return chars[i]
        g.bump(0, 1)
        if self.han.decode(self.rc):
            ch = chr(0x3400 + self.rc.uniform(27648))
        else:
            cp = self.rc.uniform(1114112)
            if 0xD800 <= cp <= 0xDFFF:
                raise DecodeError("surrogate")
            ch = chr(cp)
        g.add(1)
        chars.append(ch)
        return ch

    def text(self, c, limit):
        tokens = []
        prev = 0
        total = 0
        last_cls = 0
        while True:
            kind = self.sym((c, prev), 5, 8, 1 << 13)
            if kind == 0:
                break
            if kind == 1:
                tok = word_model().decode(self.rc)
            elif kind == 2:
                if not self.cache_tokens:
                    raise DecodeError("empty cache")
                tok = self.cache_tokens[self.cache.decode(self.rc)]
            elif kind == 3:
                tok = self.char(last_cls)
            else:
                n = self.sym(("numlen", c), 28, 32, 1 << 13)
                if n < 1:
                    raise DecodeError("empty number")
                parts = []
                rem = n
                while rem > 0:
                    g = min(9, rem)
                    parts.append(str(self.rc.uniform(10 ** g)).zfill(g))
                    rem -= g
                tok = "".join(parts)
            tokens.append(tok)
            total += len(tok)
            if total > limit:
                raise DecodeError("text too long")
            last_cls = char_class(tok[-1])
            prev = kind
        s = "".join(tokens)
        for tok in tokens:
            if len(tok) > 1 or char_class(tok) == 3:
                self.remember(tok)
        if len(tokens) >= 2:
            if len(s) <= 24:
                self.remember(s)
            pieces = []
            cur = []
            for ch in s:
                if is_sep(ch):
                    if cur:
                        pieces.append("".join(cur))
                        cur = []
                else:
                    cur.append(ch)
            if cur:
                pieces.append("".join(cur))
            toks = set(tokens)
            for p in pieces:
                if 2 <= len(p) <= 24 and p != s and p not in toks:
                    self.remember(p)
        return s


_PRIMED = None


def primed_state():
    """A fresh state primed with w-primer.bin (deep-copied per use)."""
    import copy
    global _PRIMED
    if _PRIMED is None:
        st = WState()
        body = open(PRIMER_PATH, "rb").read()
        st.rc = RangeDecoder(body)
        st.budget = 1 << 40
        st.time = 0
        primer = st.value("", 0, root=True)
        if st.rc.pos < len(body):
            raise DecodeError("primer: bytes after its end")
        st.primer = primer
        _PRIMED = st
    rc = _PRIMED.rc
    _PRIMED.rc = None
    st = copy.deepcopy(_PRIMED)
    _PRIMED.rc = rc
    return st


def read_leb128(data, pos):
    value = 0
    shift = 0
    for k in range(9):
        if pos >= len(data):
            raise DecodeError("truncated length")
        b = data[pos]
        pos += 1
        value |= (b & 0x7F) << shift
        shift += 7
        if not b & 0x80:
            return value, pos
    raise DecodeError("length too long")


def inflate_exact(data, length):
    d = zlib.decompressobj(-15)
    out = d.decompress(data, length + 1)
    if not d.eof or d.unused_data or d.unconsumed_tail or len(out) != length:
        raise DecodeError("deflate stream does not match")
    return out


def decode_w(payload, max_len=64 << 20):
    if len(payload) < 6:
        raise DecodeError("W stream too short")
    mode = payload[0]
    length, pos = read_leb128(payload, 1)
    if length > max_len:
        raise DecodeError("length too large")
    crc = int.from_bytes(payload[pos:pos + 4], "big")
    body = payload[pos + 4:]
    if mode == 1:
        out = inflate_exact(body, length)
    elif mode == 0:
        st = primed_state()
        st.time = 0
        st.budget = length
        st.rc = RangeDecoder(body)
        value = st.value("", 0, root=True)
        if st.rc.pos < len(body):
            raise DecodeError("bytes after its end")
        out = canonical(value)
        if len(out) != length:
            raise DecodeError("length mismatch %d != %d" % (len(out), length))
    else:
        raise DecodeError("unknown W mode %d" % mode)
    if zlib.crc32(out) != crc:
        raise DecodeError("CRC mismatch")
    return out


def decode_payload(codec, payload):
    if codec == "Z":
        d = zlib.decompressobj(-15)
        out = d.decompress(payload)
        if not d.eof:
            raise DecodeError("deflate stream truncated")
        return out
    if codec == "W":
        return decode_w(payload)
    raise DecodeError("codec %s not supported" % codec)


def check_bundle(raw):
    """Re-serialise canonically and check the digest (bundle-format §2.2)."""
    b = json.loads(raw)
    body = {k: v for k, v in b.items() if k != "digest"}
    dig = "sha256:" + hashlib.sha256(canonical(body)).hexdigest()
    return canonical(b), dig == b.get("digest")


def main(argv):
    if len(argv) >= 3 and argv[0] == "--payload":
        out = decode_payload(argv[1], open(argv[2], "rb").read())
        sys.stdout.buffer.write(out)
        return 0
    lines = []
    for p in argv or ["-"]:
        fh = sys.stdin if p == "-" else open(p, encoding="ascii", newline="")
        lines += fh.read().split("\n")
    bundles, errors = assemble(lines)
    for ln, e in errors:
        print("line %d refused: %s" % (ln, e), file=sys.stderr)
    rc = 0
    first = True
    for tag, b in bundles.items():
        if not b.complete():
            print("bundle %s incomplete: %d of %d fragments" % (tag, len(b.pivots), b.count), file=sys.stderr)
            rc = 1
            continue
        out = decode_payload(b.codec, b.payload())
        canon, ok = check_bundle(out)
        if not ok:
            print("bundle %s: digest mismatch" % tag, file=sys.stderr)
            rc = 1
        if canon != out:
            print("bundle %s: payload was not canonical JSON" % tag, file=sys.stderr)
        print("bundle %s: codec %s, %d frames, %d bytes, digest %s" % (tag, b.codec, b.count, len(out), "ok" if ok else "BAD"), file=sys.stderr)
        if not first:
            sys.stdout.buffer.write(b"\n")
        sys.stdout.buffer.write(canon)
        first = False
    return rc


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
