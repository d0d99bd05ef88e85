"""The published test vectors (docs/vectors/): up to date, decoded by the app, reproduced byte for byte."""

from __future__ import annotations

import gzip
import json
import zlib

import orjson
import pytest

from fieldvisit.sync import qr_codec
from fieldvisit.sync.assembler import Assembler
from fieldvisit.sync.frames import legacy_coefficients, parse, splitmix_coefficients
from fieldvisit.sync.qr_codec_rc import Decoder
from fieldvisit.sync.qr_codec_text import Channel
from fieldvisit.sync.qr_codec_tree import PRIMER, TreeCoder
from fieldvisit.sync.qr_transfer import bundle_json
from fieldvisit.sync.textmodel import word_model
from fieldvisit.sync.validate import read_bundle

from make_vectors import BUNDLES, DEFLATE_DEPENDENT, VECTORS, build

NAMES = list(BUNDLES)


@pytest.fixture(scope="module")
def generated() -> dict[str, bytes]:
    return build()


def vector(name: str) -> bytes:
    return (VECTORS / name).read_bytes()


def lines(name: str) -> list[str]:
    return vector(name).decode("ascii").splitlines()


def assembled(frame_lines: list[str]) -> bytes:
    assembler = Assembler()
    for line in frame_lines:
        assembler.add(line)
    [progress] = assembler.bundles.values()
    assert progress.complete
    return bundle_json(progress)


def test_the_vectors_are_up_to_date(generated):
    """Regenerate with `.venv/bin/python tests/make_vectors.py` when this fails (and check the docs)."""
    published = {path.name for path in VECTORS.iterdir()} - {"README.md"}
    assert published == set(generated), "docs/vectors/ holds other files than tests/make_vectors.py writes"
    recorded_zlib = json.loads(vector("manifest.json"))["zlib"]
    for name, content in generated.items():
        if name.endswith(DEFLATE_DEPENDENT) or name == "manifest.json":
            if zlib.ZLIB_RUNTIME_VERSION != recorded_zlib:
                continue  # another deflate implementation: only what these decompress to is fixed
        assert vector(name) == content, f"docs/vectors/{name} is out of date"


def test_the_manifest_names_every_file_by_its_hash():
    import hashlib

    manifest = json.loads(vector("manifest.json"))
    for name, digest in manifest["files"].items():
        assert hashlib.sha256(vector(name)).hexdigest() == digest, name


@pytest.mark.parametrize("name", NAMES)
def test_every_encoding_decodes_to_the_canonical_json(name):
    data = vector(f"{name}.json")
    bundle = read_bundle(data, now_ms=1_800_000_000_000)
    assert orjson.dumps(bundle, option=orjson.OPT_SORT_KEYS) == data
    assert gzip.decompress(vector(f"{name}.fvb")) == data
    assert read_bundle(vector(f"{name}.fvb"), now_ms=1_800_000_000_000) == bundle
    assert qr_codec.decompress(vector(f"{name}.W.bin"), "W") == data
    assert qr_codec.decompress(vector(f"{name}.Z.bin"), "Z") == data
    for codec in qr_codec.CODECS:
        assert assembled(lines(f"{name}.{codec}.frames.txt")) == data


@pytest.mark.parametrize("name", NAMES)
def test_fountain_vectors_complete_alone_and_mixed(name):
    data = vector(f"{name}.json")
    plain = lines(f"{name}.W.frames.txt")
    fv2, fv1 = lines(f"{name}.W.fountain-fv2.txt"), lines(f"{name}.W.fountain-fv1.txt")
    count = len(plain)
    assert {line[:4] for line in fv2} == {"FV2:"} and {line[:4] for line in fv1} == {"FV1:"}
    assert [parse(line).index for line in fv2] == [parse(line).index for line in fv1] == list(range(count + 1, 2 * count + 2))
    assert assembled(fv2) == data  # count + 1 fountain frames, no plain one
    assert assembled(fv1) == data
    # the same index under both generators is two equations; half the plain frames missing
    mixed = plain[::2] + [line for pair in zip(fv2, fv1) for line in pair]
    assert assembled(mixed) == data


def test_a_w_stream_in_mode_1_is_read():
    assert qr_codec.decompress(vector("example.W-mode1.bin"), "W") == vector("example.json")


def test_decoding_the_primer_stream_primes_a_decoder_as_the_encoder_does():
    """docs/qr-codec.md §5: a decoder may prime itself by decoding docs/vectors/w-primer.bin."""
    assert vector("w-primer.json") == orjson.dumps(PRIMER, option=orjson.OPT_SORT_KEYS)
    stream = vector("w-primer.bin")
    assert bytes.fromhex(vector("w-primer.hex").decode()) == stream
    for name in NAMES:
        data = vector(f"{name}.W.bin")
        coder = TreeCoder(Channel(), word_model())
        coder.ch.dec = Decoder(stream)
        coder.budget = 1 << 40
        assert coder.root(None) == PRIMER
        length, pos = qr_codec._read_varint(data, 1)
        coder.time_ms = 0
        coder.ch.dec = Decoder(data, pos + 4)
        coder.budget = length
        assert orjson.dumps(coder.root(None), option=orjson.OPT_SORT_KEYS) == vector(f"{name}.json")


def test_the_coefficient_vectors():
    document = json.loads(vector("fountain-coefficients.json"))
    for row in document["rows"]:
        assert splitmix_coefficients(row["tag"], row["index"], row["count"]) == row["FV2"]
        assert legacy_coefficients(row["tag"], row["index"], row["count"]) == row["FV1"]
        assert 0 not in row["FV2"] and 0 not in row["FV1"]
