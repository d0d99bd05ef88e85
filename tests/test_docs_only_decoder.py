"""A decoder written from the documents alone (tests/docs_only_decoder.py) reads the app's frames:
the proof that docs/bundle-format.md §10 and docs/qr-codec.md are enough for a second implementation."""

from __future__ import annotations

import json
import random

import pytest

import docs_only_decoder as outsider
from fieldvisit.sync.canonical import canonical_bytes
from fieldvisit.sync.frames import fountain
from fieldvisit.sync.qr_transfer import bundle_frames

from make_vectors import BUNDLES, VECTORS
from test_qr import longest_visit_bundle


def decode(lines: list[str]) -> list[bytes]:
    """The canonical JSON of every bundle the lines complete, as the outsider's command prints it."""
    bundles, errors = outsider.assemble(lines)
    assert not errors, errors
    found = []
    for bundle in bundles.values():
        assert bundle.complete(), f"{len(bundle.pivots)} of {bundle.count} fragments"
        canonical, digest_ok = outsider.check_bundle(outsider.decode_payload(bundle.codec, bundle.payload()))
        assert digest_ok
        found.append(canonical)
    return found


def test_the_documented_generators_give_the_published_coefficients():
    document = json.loads((VECTORS / "fountain-coefficients.json").read_text("utf-8"))
    for row in document["rows"]:
        for prefix in ("FV1", "FV2"):
            assert outsider.coefficients(prefix, row["tag"], row["index"], row["count"]) == row[prefix]


@pytest.mark.parametrize("name", list(BUNDLES))
@pytest.mark.parametrize("kind", ["W.frames", "Z.frames", "W.fountain-fv2", "W.fountain-fv1"])
def test_it_decodes_every_vector(name, kind):
    lines = (VECTORS / f"{name}.{kind}.txt").read_text("ascii").splitlines()
    assert decode(lines) == [(VECTORS / f"{name}.json").read_bytes()]


def test_it_decodes_a_w_stream_in_mode_1():
    assert outsider.decode_payload("W", (VECTORS / "example.W-mode1.bin").read_bytes()) == (VECTORS / "example.json").read_bytes()


def test_it_decodes_the_apps_frames_for_a_demo_visit_with_frames_missing():
    bundle = longest_visit_bundle(seed=2)
    plain = bundle_frames(bundle)
    assert len(plain) > 2
    lines = [frame.text() for frame in plain[2:]] + [fountain(plain, len(plain) + n).text() for n in (1, 2)]
    random.Random(7).shuffle(lines)
    assert decode(lines + lines[:3]) == [canonical_bytes(bundle)]
