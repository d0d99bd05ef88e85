"""The structure-aware part of the QR codec "W" (`qr_codec`): a JSON value tree coded with
adaptive models that know what bundles hold.

The canonical JSON is parsed and its tree is coded; the decoder rebuilds the tree and
serialises it canonically again (`qr_codec` checks that this gives the input back byte for byte
before it uses this coder at all). What is coded:

* each value's type, from an adaptive model per context (the context is the last two key names
  on the path: `fields.detail`, `transitions.at`, ...; `v` and keys that are ids or stamps do
  not count);
* objects: for every key name already seen in this context, a present/absent flag; then the
  number of other keys and those keys as strings (ids, stamps). Values follow in a fixed
  priority order (stamps and ids first, short text before long text, the digest last), which
  the decoder knows from the keys; canonical output sorts them again;
* strings, in one of these modes: the same as the last string in this context; a repeat of an
  earlier string (by how many strings ago); a ULID (time as a difference from the last time
  seen, then its 80 random bits); a stamp (wall time difference, counter, device as a string);
  an ISO date-time or date (difference in seconds or days); else free text (`qr_codec_text`);
* the top-level `digest`, when it is the SHA-256 of the rest as §2.2 of the bundle format
  says, as one flag: the decoder recomputes it;
* integers as (sign, bit length, bits); floats as their 64 bits.

Before coding, the models are primed by coding `PRIMER` (a made-up bundle in the v1 format)
into a throw-away encoder, on both sides. `PRIMER`, the key priorities and every model's
parameters are part of the codec: changing any of them needs a new codec id.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import re
import struct
from typing import Any

import orjson

from fieldvisit.sync.qr_codec_rc import Encoder, GrowingModel, IntCoder, Model, RangeError
from fieldvisit.sync.qr_codec_text import Channel, TextCoder
from fieldvisit.sync.textmodel import WordModel

MAX_DEPTH = 64
NULL, FALSE, TRUE, INT, FLOAT, STR, LIST, DICT = range(8)
PREV, REPEAT, ULID, STAMP, DATETIME, DATE, TEXT, PREFIX, SEEN = range(9)
MODES = 9
_CROCKFORD = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
_CROCKFORD_VALUE = {ch: i for i, ch in enumerate(_CROCKFORD)}
_ULID_RE = re.compile(r"[0-7][0-9A-HJKMNP-TV-Z]{25}\Z")
_STAMP_RE = re.compile(r"([0-9]{13})-([0-9a-f]{4})-([0-7][0-9A-HJKMNP-TV-Z]{25})\Z")
_DATETIME_RE = re.compile(r"([0-9]{4})-([0-9]{2})-([0-9]{2})T([0-9]{2}):([0-9]{2}):([0-9]{2})(Z|[+-][0-9]{2}:[0-9]{2})\Z")
_DATE_RE = re.compile(r"([0-9]{4})-([0-9]{2})-([0-9]{2})\Z")
_IDENT_RE = re.compile(r"[a-z_][a-z0-9_]{0,63}\Z")
_EPOCH = dt.datetime(1970, 1, 1)
_EPOCH_DAY = dt.date(1970, 1, 1).toordinal()
_MAX_KNOWN_KEYS = 256
_REPEAT_MAX_LEN = 64
_TEXT_INSTEAD_OF_REPEAT = 32

PRIORITY = {
    key: rank
    for rank, key in enumerate(
        (
            "device", "visits", "issues", "bundle_id", "created_at", "format", "version",
            "stamp", "s", "b", "r", "id", "type", "fields", "maps", "history",
            "petitioner_name", "recorder", "first_owner", "assignee", "leaders", "name", "post",
            "unit", "department", "site", "site_kind", "employee_no", "phone", "representatives",
            "title", "demand", "commitment", "onsite_answer", "detail", "note",
        )
    )
}
_LAST = 10_000
"""Rank of `digest` (coded after everything it covers) and, after the ranked keys, the rest."""


def _order(key: str) -> tuple[int, str]:
    if key == "digest":
        return (_LAST + 1, key)
    return (PRIORITY.get(key, _LAST), key)


def _child_context(ctx: str, key: str) -> str:
    if key == "v" or not _IDENT_RE.match(key):
        return ctx
    if key in ("s", "b", "r"):
        return "register." + key
    return ctx.rsplit(".", 1)[-1] + "." + key


def ulid_value(text: str) -> int:
    value = 0
    for ch in text:
        value = (value << 5) | _CROCKFORD_VALUE[ch]
    return value


def ulid_text(value: int) -> str:
    return "".join(_CROCKFORD[(value >> shift) & 31] for shift in range(125, -1, -5))


def _datetime_parts(text: str) -> tuple[int, str] | None:
    """(UTC seconds since 1970, zone suffix) for an ISO date-time this coder can rebuild exactly."""
    match = _DATETIME_RE.match(text)
    if match is None:
        return None
    zone = match[7]
    try:
        local = dt.datetime(*(int(match[i]) for i in range(1, 7)))
        offset = _zone_seconds(zone)
    except ValueError:
        return None
    seconds = int((local - _EPOCH).total_seconds()) - offset
    return (seconds, zone) if _datetime_text(seconds, zone) == text else None


def _zone_seconds(zone: str) -> int:
    if zone == "Z":
        return 0
    hours, minutes = int(zone[1:3]), int(zone[4:6])
    if hours > 23 or minutes > 59:
        raise ValueError(zone)
    return (hours * 3600 + minutes * 60) * (-1 if zone[0] == "-" else 1)


def _datetime_text(seconds: int, zone: str) -> str:
    local = _EPOCH + dt.timedelta(seconds=seconds + _zone_seconds(zone))
    return (
        f"{local.year:04d}-{local.month:02d}-{local.day:02d}T"
        f"{local.hour:02d}:{local.minute:02d}:{local.second:02d}{zone}"
    )


def _date_days(text: str) -> int | None:
    match = _DATE_RE.match(text)
    if match is None:
        return None
    try:
        day = dt.date(int(match[1]), int(match[2]), int(match[3]))
    except ValueError:
        return None
    return day.toordinal() - _EPOCH_DAY if day.isoformat() == text else None


def _date_text(days: int) -> str:
    return dt.date.fromordinal(days + _EPOCH_DAY).isoformat()


def expected_digest(body: dict[str, Any]) -> str:
    rest = {key: value for key, value in body.items() if key != "digest"}
    return "sha256:" + hashlib.sha256(orjson.dumps(rest, option=orjson.OPT_SORT_KEYS)).hexdigest()


class Unsupported(ValueError):
    """The encoder met something this coder does not represent (the caller falls back)."""


class TreeCoder:
    def __init__(self, channel: Channel, words: WordModel) -> None:
        self.ch = channel
        self.text = TextCoder(channel, words)
        self.models: dict[Any, Model] = {}
        self.ints: dict[Any, IntCoder] = {}
        self.known_keys: dict[str, list[str]] = {}
        self.last: dict[str, str] = {}
        self.values: dict[str, tuple[GrowingModel, dict[str, int], list[str]]] = {}
        """Per context, the short strings seen there, with adaptive counts (codes, units, names)."""
        self.history: list[str] = []
        self.seen: dict[str, int] = {}
        self.time_ms = 0
        self.budget = 0

    # -- models ----------------------------------------------------------------------------

    def _model(self, key: Any, n: int, inc: int = 32, limit: int = 1 << 13) -> Model:
        model = self.models.get(key)
        if model is None:
            model = self.models[key] = Model(n, inc=inc, limit=limit)
        return model

    def _int(self, key: Any, signed: bool = False) -> IntCoder:
        coder = self.ints.get(key)
        if coder is None:
            coder = self.ints[key] = IntCoder(signed)
        return coder

    def _values(self, ctx: str) -> tuple[GrowingModel, dict[str, int], list[str]]:
        values = self.values.get(ctx)
        if values is None:
            values = self.values[ctx] = (GrowingModel(16), {}, [])
        return values

    def _spend(self, amount: int) -> None:
        self.budget -= amount
        if self.budget < 0:
            raise RangeError("the data decodes to more than it says it holds")

    # -- values ----------------------------------------------------------------------------

    def root(self, value: Any) -> Any:
        return self.value(value, "", 0, root=True)

    def value(self, value: Any, ctx: str, depth: int, root: bool = False) -> Any:
        encoding = self.ch.enc is not None
        if depth > MAX_DEPTH:
            if encoding:
                raise Unsupported("nested too deeply")
            raise RangeError("nested too deeply")
        kind = None
        if encoding:
            kind = _type_of(value)
        kind = self.ch.sym(self._model(("type", ctx), 8), kind)
        if kind == NULL:
            self._spend(4)
            return None
        if kind == FALSE:
            self._spend(5)
            return False
        if kind == TRUE:
            self._spend(4)
            return True
        if kind == INT:
            result = self.ch.int(self._int(("int", ctx), signed=True), value)
            self._spend(len(str(result)))
            return result
        if kind == FLOAT:
            self._spend(3)
            bits = self.ch.bits(struct.unpack(">Q", struct.pack(">d", value))[0] if encoding else None, 64)
            return struct.unpack(">d", struct.pack(">Q", bits))[0]
        if kind == STR:
            return self.string(value, ctx)
        self._spend(2)
        if kind == LIST:
            count = self.ch.int(self._int(("len", ctx)), len(value) if encoding else None)
            items = []
            for i in range(count):
                if i:
                    self._spend(1)
                items.append(self.value(value[i] if encoding else None, ctx, depth + 1))
            return items
        return self.object(value, ctx, depth, root)

    def object(self, obj: dict[str, Any] | None, ctx: str, depth: int, root: bool) -> dict[str, Any]:
        encoding = obj is not None
        known = self.known_keys.setdefault(ctx, [])
        keys = []
        for key in known:
            present = self.ch.sym(self._model(("has", ctx, key), 2), int(key in obj) if encoding else None)
            if present:
                keys.append(key)
        known_set = set(known)
        extra = sorted(key for key in obj if key not in known_set) if encoding else []
        count = self.ch.int(self._int(("extra", ctx)), len(extra) if encoding else None)
        for i in range(count):
            key = self.string(extra[i] if encoding else None, "key:" + ctx)
            self._spend(1)
            keys.append(key)
            if _IDENT_RE.match(key) and len(known) < _MAX_KNOWN_KEYS and key not in known_set:
                known.append(key)
                known_set.add(key)
        if len(set(keys)) != len(keys):
            raise RangeError("a key given twice")
        result: dict[str, Any] = {}
        digest_recomputed = False
        for key in sorted(keys, key=_order):
            if root and key == "digest":
                flag = None
                if encoding:
                    flag = int(isinstance(obj[key], str) and obj[key] == expected_digest(obj))
                if self.ch.sym(self._model("digest", 2), flag):
                    digest_recomputed = True
                    continue
            result[key] = self.value(obj[key] if encoding else None, _child_context(ctx, key), depth + 1)
        if digest_recomputed:
            result["digest"] = obj["digest"] if encoding else expected_digest(result)
            self._spend(73)
        return result

    # -- strings ---------------------------------------------------------------------------

    def string(self, text: str | None, ctx: str, nested: bool = False) -> str:
        """Code a string (None when decoding); `nested` for parts of a string, not spent twice."""
        ch = self.ch
        encoding = text is not None
        mode = self._choose_mode(text, ctx) if encoding else None
        mode = ch.sym(self._model(("mode", ctx), MODES), mode)
        if mode == PREV:
            if ctx not in self.last:
                raise RangeError("no previous string to repeat")
            text = self.last[ctx]
        elif mode == SEEN:
            model, index, texts = self._values(ctx)
            if not texts:
                raise RangeError("no string seen in this context")
            text = texts[ch.grow(model, index[text] if encoding else None)]
        elif mode == REPEAT:
            age = ch.int(self._int(("age", ctx)), len(self.history) - self.seen[text] - 1 if encoding else None)
            if age >= len(self.history):
                raise RangeError("a repeat of a string never seen")
            text = self.history[len(self.history) - 1 - age]
        elif mode == ULID:
            text = self._ulid(text)
        elif mode == STAMP:
            parts = _STAMP_RE.match(text) if encoding else None
            wall = ch.int(self._int("stamp-dt", signed=True), int(parts[1]) - self.time_ms if encoding else None)
            wall += self.time_ms
            counter = ch.int(self._int("stamp-counter"), int(parts[2], 16) if encoding else None)
            device = self.string(parts[3] if encoding else None, "stamp.device", nested=True)
            if not (0 <= wall < 10**13 and counter < 0x10000 and _ULID_RE.match(device)):
                raise RangeError("an impossible stamp")
            self.time_ms = wall
            text = f"{wall:013d}-{counter:04x}-{device}"
        elif mode == DATETIME:
            seconds, zone = _datetime_parts(text) if encoding else (None, None)
            base = self.time_ms // 1000
            delta = ch.int(self._int("datetime-dt", signed=True), seconds - base if encoding else None)
            zone = self.string(zone, "datetime.zone", nested=True)
            seconds = base + delta
            if delta:
                self.time_ms = seconds * 1000
            if not encoding:
                text = _datetime_text(seconds, zone)
        elif mode == DATE:
            base = self.time_ms // 86_400_000
            delta = ch.int(self._int(("date-dt", ctx), signed=True), _date_days(text) - base if encoding else None)
            text = _date_text(base + delta)
        elif mode == PREFIX:
            prev = self.last.get(ctx, "")
            size = ch.sym(self._model(("prefix", ctx), _REPEAT_MAX_LEN + 1), _common_prefix(text, prev) if encoding else None)
            if not 0 < size <= len(prev):
                raise RangeError("a prefix longer than the string it copies")
            text = prev[:size] + self.text.code(text[size:] if encoding else None, ctx, self.budget)
        else:
            text = self.text.code(text, ctx, self.budget)
        if not nested:
            self._spend(len(text) + 2)
        self.last[ctx] = text
        if len(text) <= _REPEAT_MAX_LEN:
            model, index, texts = self._values(ctx)
            if text in index:
                model.bump(index[text], 1)
            else:
                index[text] = model.add(1)
                texts.append(text)
            self.seen[text] = len(self.history)
            self.history.append(text)
        return text

    def _choose_mode(self, text: str, ctx: str) -> int:
        if self.last.get(ctx) == text:
            return PREV
        if text in self.seen:
            modes = self._model(("mode", ctx), MODES)
            age = len(self.history) - self.seen[text] - 1
            costs = {REPEAT: modes.cost(REPEAT) + self._int(("age", ctx)).cost(age)}
            model, index, _ = self._values(ctx)
            if text in index:
                costs[SEEN] = modes.cost(SEEN) + model.cost(index[text])
            if len(text) <= _TEXT_INSTEAD_OF_REPEAT:
                costs[TEXT] = modes.cost(TEXT) + self.text.cost(text, ctx)
            best = min(costs, key=lambda mode: (costs[mode], mode))
            if best != TEXT:
                return best
        if _ULID_RE.match(text):
            return ULID
        if _STAMP_RE.match(text):
            return STAMP
        if _datetime_parts(text) is not None:
            return DATETIME
        if _date_days(text) is not None:
            return DATE
        if len(text) <= _REPEAT_MAX_LEN:
            size = _common_prefix(text, self.last.get(ctx, ""))
            if size > 1:
                prefix_cost = self._model(("prefix", ctx), _REPEAT_MAX_LEN + 1).cost(size) + self.text.cost(text[size:], ctx)
                if prefix_cost < self.text.cost(text, ctx):
                    return PREFIX
        return TEXT

    def _ulid(self, text: str | None) -> str:
        ch = self.ch
        value = ulid_value(text) if text is not None else None
        delta = ch.int(self._int("ulid-dt", signed=True), (value >> 80) - self.time_ms if value is not None else None)
        when = self.time_ms + delta
        if not 0 <= when < 1 << 48:
            raise RangeError("an impossible ULID time")
        rand = ch.bits(value & ((1 << 80) - 1) if value is not None else None, 80)
        self.time_ms = when
        return ulid_text((when << 80) | rand)


def _common_prefix(a: str, b: str) -> int:
    size = 0
    for x, y in zip(a, b):
        if x != y:
            break
        size += 1
    return size


def _type_of(value: Any) -> int:
    if value is None:
        return NULL
    if value is False:
        return FALSE
    if value is True:
        return TRUE
    if isinstance(value, int):
        if not -(1 << 63) <= value < 1 << 64:
            raise Unsupported("an integer outside 64 bits")
        return INT
    if isinstance(value, float):
        return FLOAT
    if isinstance(value, str):
        return STR
    if isinstance(value, list):
        return LIST
    if isinstance(value, dict):
        return DICT
    raise Unsupported(f"a {type(value).__name__}")


def prime(coder: TreeCoder) -> None:
    """Run the made-up bundle through the models (into a throw-away encoder)."""
    channel = coder.ch
    saved_enc, saved_dec = channel.enc, channel.dec
    channel.enc, channel.dec = Encoder(), None
    coder.budget = 1 << 40
    try:
        coder.root(PRIMER)
    finally:
        channel.enc, channel.dec = saved_enc, saved_dec
    coder.time_ms = 0


def _primer() -> dict[str, Any]:
    """A made-up two-matter bundle: the v1 keys and codes, typical shapes, generic wording."""
    device = "01M0000000DEV1CE000000000Z"
    stamp = "1790000000000-0000-" + device
    transition = {"at": "2026-01-05T09:00:00+08:00", "by": "张伟", "from": None, "reason": "", "to": "recorded"}
    issue_fields = {
        "petitioner_name": "王明", "employee_no": "DF000123", "unit": "综采一队", "phone": "13800000000",
        "representatives": "王明、李强", "title": "要求补发工资", "detail": "来访人反映，单位拖欠工资三个月，多次找车间主任没有结果。",
        "demand": "要求尽快补发拖欠的工资", "onsite_answer": "现场答复由人力资源部核实后按规定办理", "commitment": "15日内答复",
        "first_owner": "张伟", "department": "人力资源部", "assignee": "", "anonymous": False, "people": 2,
        "category": "wages", "urgency": "normal", "promised_date": "2026-01-20", "status": "recorded",
        "raised_at": "2026-01-05T09:00:00+08:00", "ref": "20260105-000Z-001", "visit_id": "01M0000000V1S1T000000000AA",
        "safety_hazard": True, "repeat": True, "skip_level": True, "collective": True, "vulnerable": True,
        "legacy": True, "latent_risk": True, "note": "",
    }
    other = dict(issue_fields, category="social_insurance", urgency="urgent", status="registered", people=1)
    codes = ["work_safety", "working_conditions", "housing", "retirees_benefits", "legacy", "discipline", "land", "other",
             "critical", "accepted", "not_accepted", "transferred", "in_progress", "replied", "review", "re_review",
             "closed", "withdrawn", "mine_district", "workshop", "team", "retirees", "office", "open"]
    return {
        "bundle_id": "01M0000001BXND1E000000000A", "created_at": "2026-01-05T10:00:00Z",
        "device": {"id": device, "name": "下访笔记本"},
        "format": "fieldvisit.bundle", "version": 1,
        "visits": [{"id": "01M0000000V1S1T000000000AA", "type": "visit", "stamp": stamp, "fields": {
            name: {"v": value} for name, value in {
                "title": "现场接访", "site": "采区", "recorder": "张伟", "site_kind": "mine_district",
                "date": "2026-01-05", "leaders": [{"name": "李军", "post": "矿长"}], "device": device,
                "status": "open", "note": "",
            }.items()}}],
        "issues": [
            {"id": "01M000000111SSXE00000000AA", "type": "issue", "stamp": stamp,
             "fields": {name: {"v": value} for name, value in fields.items()},
             "maps": {"transitions": {"01M000000111SSXE00000000AB": {"v": transition}}}}
            for fields in (issue_fields, other)
        ] + [{"id": "01M000000111SSXE00000000AC", "type": "issue", "stamp": stamp, "fields": {
            "status": {"v": "withdrawn", "s": stamp, "b": stamp}, "note": {"v": " ".join(codes)}},
            "history": {"status": {stamp: {"v": "recorded"}}}}],
        "digest": "",
    }


PRIMER = _primer()
