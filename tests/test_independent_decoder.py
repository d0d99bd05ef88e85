"""A decoder written from the documents alone (tests/independent_decoder.py) reads the app's frames."""

from __future__ import annotations

import json

import pytest

import independent_decoder as independent
from fieldvisit.sync.canonical import canonical_bytes
from fieldvisit.sync.frames import fountain
from fieldvisit.sync.qr_transfer import bundle_frames

from make_vectors import BUNDLES, VECTORS
from test_qr import longest_visit_bundle


def test_the_documented_generators_give_the_published_coefficients():
    document = json.loads((VECTORS / "fountain-coefficients.json").read_text("utf-8"))
    for row in document["rows"]:
        seed = document["seeds"][f"{row['tag']}:{row['index']}"]
        assert independent.row_of("FV2", row["tag"], row["index"], row["count"]) == row["FV2"]
        assert independent.row_of("FV1", row["tag"], row["index"], row["count"]) == row["FV1"]
        assert independent.splitmix(seed, row["count"]) == row["FV2"]


@pytest.mark.parametrize("name", list(BUNDLES))
@pytest.mark.parametrize("kind", ["W.frames", "Z.frames", "W.fountain-fv2", "W.fountain-fv1"])
def test_it_decodes_every_vector(name, kind):
    lines = (VECTORS / f"{name}.{kind}.txt").read_text("ascii").splitlines()
    [decoded] = independent.decode_lines(lines).values()
    assert decoded == (VECTORS / f"{name}.json").read_bytes()


def test_it_decodes_a_w_stream_in_mode_1():
    assert independent.decompress((VECTORS / "example.W-mode1.bin").read_bytes(), "W") == (VECTORS / "example.json").read_bytes()


def test_it_decodes_the_apps_frames_for_a_demo_visit():
    bundle = longest_visit_bundle(seed=2)
    plain = bundle_frames(bundle)
    assert len(plain) > 2
    lines = [frame.text() for frame in plain[1:]] + [fountain(plain, len(plain) + 1).text()]
    [decoded] = independent.decode_lines(lines).values()
    assert decoded == canonical_bytes(bundle)
