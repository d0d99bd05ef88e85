"""The QR compression codecs (`fieldvisit.sync.qr_codec`): exact round trips, clean failures."""

from __future__ import annotations

import datetime as dt
import functools
import hashlib
import os
import random
import subprocess
import sys
import zlib

import orjson
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from fieldvisit.demo.laptop import build_demo
from fieldvisit.core.records import get_value
from fieldvisit.stores.store import ISSUES, VISITS
from fieldvisit.sync import qr_codec
from fieldvisit.sync.canonical import canonical_bytes
from fieldvisit.sync.exporter import export_bundle
from fieldvisit.sync.qr_codec import CODEC_TEXT, CODEC_ZLIB, CodecError, compress, decompress

CODECS = (CODEC_ZLIB, CODEC_TEXT)
ANCHOR = dt.date(2026, 11, 20)
FRAME_BYTES = 800
"""Payload bytes per version-20-M frame: 1,249 alphanumerics less ~40 of header, base45 (3 per 2)."""


@functools.cache
def demo_payload(seed: int, matters: int = 20) -> bytes:
    store = build_demo(seed, ANCHOR)
    issues = store.all(ISSUES)
    for visit in store.all(VISITS):
        if sum(1 for issue in issues if get_value(issue, "visit_id") == visit["id"]) == matters:
            return canonical_bytes(export_bundle(store, [visit["id"]]))
    raise AssertionError(f"seed {seed} has no {matters}-matter visit")


@functools.cache
def demo_all(seed: int) -> bytes:
    return canonical_bytes(export_bundle(build_demo(seed, ANCHOR)))


def canonical(value) -> bytes:
    return orjson.dumps(value, option=orjson.OPT_SORT_KEYS)


def is_model(data: bytes) -> bool:
    """The W stream used its model (mode 0), not the deflate fallback (mode 1)."""
    return data[0] == 0


# -- demo bundles --------------------------------------------------------------------------


@pytest.mark.parametrize("seed", range(1, 31))
def test_demo_visit_round_trips_exactly(seed):
    payload = demo_payload(seed)
    for codec in CODECS:
        assert decompress(compress(payload, codec), codec) == payload
    data = compress(payload)
    assert is_model(data)
    assert len(data) < 0.7 * len(compress(payload, CODEC_ZLIB))


@pytest.mark.parametrize("seed", [1, 7, 19])
def test_whole_demo_store_round_trips(seed):
    payload = demo_all(seed)
    data = compress(payload, CODEC_TEXT)
    assert is_model(data)
    assert decompress(data, CODEC_TEXT) == payload


def test_twenty_matters_fit_six_frames():
    sizes = [len(compress(demo_payload(seed))) for seed in range(1, 11)]
    zlib_sizes = [len(compress(demo_payload(seed), CODEC_ZLIB)) for seed in range(1, 11)]
    assert max(sizes) <= 6 * FRAME_BYTES
    assert sum(sizes) < 0.65 * sum(zlib_sizes)


def test_zlib_codec_is_raw_deflate_level_9():
    payload = demo_payload(2)
    data = compress(payload, CODEC_ZLIB)
    assert zlib.decompressobj(-15).decompress(data) == payload
    compressor = zlib.compressobj(9, zlib.DEFLATED, -15)
    assert data == compressor.compress(payload) + compressor.flush()


def test_default_codec_is_the_text_codec():
    assert qr_codec.DEFAULT_CODEC == CODEC_TEXT
    payload = demo_payload(3)
    assert compress(payload) == compress(payload, CODEC_TEXT)


def test_a_digest_that_does_not_match_is_kept_as_it_is():
    bundle = orjson.loads(demo_payload(4))
    bundle["digest"] = "sha256:" + hashlib.sha256(b"something else").hexdigest()
    payload = canonical(bundle)
    data = compress(payload)
    assert is_model(data) and decompress(data, CODEC_TEXT) == payload


def test_edited_matters_with_history_and_resolves_round_trip():
    bundle = orjson.loads(demo_payload(5))
    issue = bundle["issues"][0]
    stamp, device = issue["stamp"], bundle["device"]["id"]
    later = f"{int(stamp[:13]) + 86_400_123:013d}-0003-{device}"
    other = f"{int(stamp[:13]) + 90_000_000:013d}-0000-01M9ZZZZZZ0FFICEDEV1CE0000"
    issue["fields"]["urgency"] = {"v": "urgent", "s": later, "b": stamp, "r": sorted([stamp, other])}
    issue["history"] = {"urgency": {stamp: {"v": "normal"}, other: {"v": "critical", "b": stamp}}}
    payload = canonical(bundle)
    data = compress(payload)
    assert is_model(data) and decompress(data, CODEC_TEXT) == payload


# -- edge cases ----------------------------------------------------------------------------

EDGE_VALUES = [
    {},
    [],
    None,
    0,
    "",
    {"format": "fieldvisit.bundle", "version": 1, "visits": [], "issues": [], "bundle_id": "01M7Q5CQG0EEMVXX4SQFTDS97J",
     "created_at": "2026-11-18T11:10:00Z", "device": {"id": "01M7Q5CQG0YPRPA8JAB2VS3WER", "name": ""}, "digest": ""},
    {"a": "\u0001\u0000\u001f\"\\\n\t\r\b\f/\u007f\u2028\u2029"},
    {"emoji": "😀🀄𝄞🇨🇳 👨‍👩‍👧", "cjk_ext_b": "𠀀𪚥𫝀", "private": "\ue000\uf8ff"},
    {"punct": "，。、；：？！“”（）《》…—" * 50, "only": "！！！"},
    {"en": "The quick brown fox jumps over the lazy dog. 1234567890 " * 40},
    {"long": "掘进二队职工反映工资问题" * 2000},
    {"ints": [0, -1, 1, 2**63 - 1, -(2**63), 2**64 - 1, 10**18, 255, 256]},
    {"floats": [0.5, -0.0, 1e300, 2.2250738585072014e-308, 3.141592653589793, 1e16]},
    {"fields": {name: {"v": ""} for name in ("title", "detail", "demand", "note", "phone", "unit")}},
    {"fields": {name: {"v": None} for name in ("a", "b", "c")}, "flags": [True, False, None, [], {}, ""]},
    {"almost": ["01M7Q5CQG0YPRPA8JAB2VS3WEr", "81M7Q5CQG0YPRPA8JAB2VS3WER", "1795000000000-0001-01M7Q5CQG0YPRPA8JAB2VS3WE",
                "2026-02-30", "2026-11-18T25:00:00Z", "2026-11-18T11:10:00+24:00", "0000-01-01", "0001-01-01T00:00:00+01:00",
                "9999-12-31T23:59:59-01:00", "2026-11-18T11:10:00.5Z", "1795000000000-FFFF-01M7Q5CQG0YPRPA8JAB2VS3WER"]},
    {"ids": ["00000000000000000000000000", "7ZZZZZZZZZZZZZZZZZZZZZZZZZ", "1795000000000-ffff-7ZZZZZZZZZZZZZZZZZZZZZZZZZ",
             "0000000000000-0000-00000000000000000000000000"]},
    {"键": {"中文键": 1, "\ue000": 2, "𝄞": 3}, "A": {"B": {"C": [[[[]]]]}}},
    {"deep": functools.reduce(lambda inner, _: {"x": inner}, range(70), 1)},
    [[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]],
]


@pytest.mark.parametrize("value", EDGE_VALUES, ids=range(len(EDGE_VALUES)))
def test_edge_cases_round_trip(value):
    payload = canonical(value)
    for codec in CODECS:
        assert decompress(compress(payload, codec), codec) == payload


@pytest.mark.parametrize(
    "payload",
    [b"", b" ", b'{"b":1,"a":2}', b'{"a": 1}', b'{"a":1,"a":2}', b'"\\u4e2d"', b"\xff\xfe\x00", b"[1.0]", b"1e5",
     b'{"a":18446744073709551616}', b"\xef\xbb\xbf{}", b'{"a":"\\/"}', b"-0", b"[01]", b"{}\n", b"\x00" * 1000],
)
def test_anything_not_canonical_falls_back_to_deflate_inside_w(payload):
    data = compress(payload, CODEC_TEXT)
    assert not is_model(data)
    assert decompress(data, CODEC_TEXT) == payload


def test_many_records_round_trip():
    bundle = orjson.loads(demo_all(3))
    rng = random.Random(1)
    issues = []
    for n in range(1500):
        issue = orjson.loads(orjson.dumps(rng.choice(bundle["issues"])))
        issue["id"] = issue["id"][:10] + "".join(rng.choice("0123456789ABCDEFGHJKMNPQRSTVWXYZ") for _ in range(16))
        issue["fields"]["people"] = {"v": n}
        issues.append(issue)
    bundle["issues"] = sorted(issues, key=lambda issue: issue["id"])
    payload = canonical(bundle)
    data = compress(payload)
    assert is_model(data) and decompress(data, CODEC_TEXT) == payload


# -- properties ----------------------------------------------------------------------------

json_scalars = (
    st.none() | st.booleans() | st.integers(min_value=-(2**63), max_value=2**64 - 1)
    | st.floats(allow_nan=False, allow_infinity=False) | st.text()
)
json_values = st.recursive(
    json_scalars,
    lambda children: st.lists(children, max_size=6) | st.dictionaries(st.text(max_size=12), children, max_size=6),
    max_leaves=40,
)
han_text = st.text(st.characters(min_codepoint=0x4E00, max_codepoint=0x9FFF) | st.sampled_from("，。、0123456789：；A-z （）"),
                   max_size=150)
ulids = st.builds(lambda t, r: "".join("0123456789ABCDEFGHJKMNPQRSTVWXYZ"[((t << 80 | r) >> s) & 31] for s in range(125, -1, -5)),
                  st.integers(0, 2**48 - 1), st.integers(0, 2**80 - 1))
stamps = st.builds(lambda ms, c, u: f"{ms:013d}-{c:04x}-{u}", st.integers(0, 10**13 - 1), st.integers(0, 0xFFFF), ulids)
field_values = han_text | ulids | stamps | st.integers(-5, 500) | st.booleans() | st.lists(
    st.dictionaries(st.sampled_from(["name", "post"]), han_text, max_size=2), max_size=3)
records = st.fixed_dictionaries(
    {"id": ulids, "type": st.sampled_from(["visit", "issue"]), "stamp": stamps,
     "fields": st.dictionaries(st.sampled_from(["title", "detail", "demand", "unit", "phone", "people", "ref", "status"]),
                               st.fixed_dictionaries({"v": field_values}, optional={"s": stamps, "b": stamps,
                                                                                     "r": st.lists(stamps, max_size=2)}))},
    optional={"maps": st.dictionaries(st.just("transitions"), st.dictionaries(ulids, st.fixed_dictionaries(
        {"v": st.dictionaries(st.sampled_from(["at", "by", "from", "to", "reason"]), han_text | st.none())}), max_size=3)),
              "history": st.dictionaries(st.sampled_from(["status", "title"]), st.dictionaries(stamps, st.fixed_dictionaries(
                  {"v": field_values}), max_size=2))},
)
bundles = st.fixed_dictionaries(
    {"format": st.just("fieldvisit.bundle"), "version": st.just(1), "bundle_id": ulids,
     "created_at": st.datetimes(min_value=dt.datetime(1971, 1, 1)).map(lambda d: d.strftime("%Y-%m-%dT%H:%M:%SZ")),
     "device": st.fixed_dictionaries({"id": ulids, "name": han_text}),
     "visits": st.lists(records, max_size=3), "issues": st.lists(records, max_size=6), "digest": st.text(max_size=80)},
)


def with_digest(bundle: dict) -> dict:
    rest = {key: value for key, value in bundle.items() if key != "digest"}
    return {**rest, "digest": "sha256:" + hashlib.sha256(canonical(rest)).hexdigest()}


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(json_values)
def test_any_json_value_round_trips(value):
    payload = canonical(value)
    for codec in CODECS:
        assert decompress(compress(payload, codec), codec) == payload


@settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
@given(bundles, st.booleans())
def test_any_bundle_shape_round_trips_through_the_model(bundle, digest_ok):
    payload = canonical(with_digest(bundle) if digest_ok else bundle)
    data = compress(payload, CODEC_TEXT)
    assert decompress(data, CODEC_TEXT) == payload
    assert decompress(compress(payload, CODEC_ZLIB), CODEC_ZLIB) == payload


@settings(max_examples=100, deadline=None)
@given(st.binary(max_size=300))
def test_any_bytes_round_trip(payload):
    for codec in CODECS:
        assert decompress(compress(payload, codec), codec) == payload


# -- corrupt, truncated, oversized ---------------------------------------------------------


def mutations(data: bytes, rng: random.Random, count: int):
    for _ in range(count):
        kind = rng.randrange(6)
        buf = bytearray(data)
        if kind == 0:
            pos = rng.randrange(len(buf))
            buf[pos] ^= 1 << rng.randrange(8)
        elif kind == 1:
            pos = rng.randrange(len(buf))
            buf[pos] = rng.randrange(256)
        elif kind == 2:
            buf = buf[: rng.randrange(len(buf))]
        elif kind == 3:
            pos = rng.randrange(len(buf))
            del buf[pos : pos + rng.randrange(1, 20)]
        elif kind == 4:
            pos = rng.randrange(len(buf) + 1)
            buf[pos:pos] = rng.randbytes(rng.randrange(1, 8))
        else:
            start = rng.randrange(len(buf))
            buf[start : start + 8] = rng.randbytes(8)
        if bytes(buf) != data:
            yield bytes(buf)


@pytest.mark.parametrize("codec", CODECS)
def test_corrupt_data_raises_codec_error_only(codec):
    payload = demo_payload(6)
    data = compress(payload, codec)
    rng = random.Random(20261120)
    errors = 0
    for broken in mutations(data, rng, 300):
        try:
            out = decompress(broken, codec, max_bytes=len(payload) * 2)
        except CodecError:
            errors += 1
            continue
        if codec == CODEC_TEXT:
            assert out == payload  # only a change the decoder never reads can pass, and then nothing changed
        assert len(out) <= len(payload) * 2
    if codec == CODEC_TEXT:
        assert errors >= 290  # "Z" (raw deflate) has no checksum: many changes decode to other bytes


def test_corrupt_fallback_stream_raises_codec_error_only():
    payload = b'{"b":1,"a":"not canonical"}' * 20
    data = compress(payload, CODEC_TEXT)
    assert not is_model(data)
    for broken in mutations(data, random.Random(3), 200):
        try:
            assert decompress(broken, CODEC_TEXT) == payload
        except CodecError:
            pass


@pytest.mark.parametrize("data", [b"", b"\x00", b"\x07", b"\x00\x80", b"\x00\xff\xff\xff\xff\xff\xff\xff\xff\xff", b"\x02abc",
                                  b"\x00\x10\x00\x00\x00\x00", b"\x00\x10\x00\x00\x00\x00" + bytes(range(256))])
def test_garbage_raises_codec_error(data):
    with pytest.raises(CodecError):
        decompress(data, CODEC_TEXT)


def test_random_garbage_raises_codec_error():
    rng = random.Random(7)
    for _ in range(300):
        data = bytes([rng.choice([0, 0, 1, 2])]) + rng.randbytes(rng.randrange(0, 400))
        with pytest.raises(CodecError):
            decompress(data, CODEC_TEXT)
        try:
            decompress(data[1:], CODEC_ZLIB)
        except CodecError:
            pass


def test_unknown_codec_is_refused():
    with pytest.raises(CodecError, match="unknown QR codec"):
        decompress(b"\x00", "Q")
    with pytest.raises(CodecError, match="unknown QR codec"):
        compress(b"{}", "W9")


@pytest.mark.parametrize("codec", CODECS)
def test_max_bytes_is_respected(codec):
    payload = demo_payload(8)
    data = compress(payload, codec)
    assert decompress(data, codec, max_bytes=len(payload)) == payload
    with pytest.raises(CodecError):
        decompress(data, codec, max_bytes=len(payload) - 1)
    with pytest.raises(CodecError):
        decompress(data, codec, max_bytes=100)


def test_decompression_bombs_are_stopped():
    bomb = compress(b"\x00" * 50_000_000, CODEC_ZLIB)
    with pytest.raises(CodecError, match="more than"):
        decompress(bomb, CODEC_ZLIB, max_bytes=1_000_000)
    wrapped = compress(b"[" + b"0," * 600_000 + b"0]", CODEC_TEXT)
    with pytest.raises(CodecError, match="more than"):
        decompress(wrapped, CODEC_TEXT, max_bytes=1_000_000)


def test_a_stream_claiming_a_huge_length_ends_quickly():
    data = bytearray(compress(demo_payload(9)))
    data[1:3] = b"\xff\xff\x1f"  # LEB128 length about 4 MB instead of about 27 kB
    with pytest.raises(CodecError):
        decompress(bytes(data), CODEC_TEXT)


# -- determinism ---------------------------------------------------------------------------


def test_same_input_same_bytes_across_processes():
    payload = demo_payload(10)
    here = compress(payload)
    assert compress(payload) == here
    script = (
        "import sys; from fieldvisit.sync.qr_codec import compress; "
        "sys.stdout.buffer.write(compress(sys.stdin.buffer.read()))"
    )
    for hash_seed in ("1", "12345"):
        env = {**os.environ, "PYTHONHASHSEED": hash_seed}
        out = subprocess.run([sys.executable, "-c", script], input=payload, capture_output=True, env=env, check=True)
        assert out.stdout == here
