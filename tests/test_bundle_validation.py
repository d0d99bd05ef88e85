"""Every way a bundle is refused on import, and that a refusal changes nothing (docs/architecture.md §6).

Each case imports a damaged or hostile bundle into a real office store file and checks three
things: the report says "rejected", its reason names the problem in the officer's language
(zh-CN in tests), and the store file is byte for byte what it was before. Where a bundle is
edited on purpose, its digest is recomputed so that only the one defect under test is wrong.
"""

from __future__ import annotations

import copy
import datetime as dt
import json
import random
import tracemalloc
import zlib
from pathlib import Path
from typing import Any, Callable

import pytest

from fieldvisit.core.clock import Stamp
from fieldvisit.demo.laptop import build_demo
from fieldvisit.editing.editor import Editor
from fieldvisit.stores.store import IMPORTS, ISSUES, VISITS, TinyDBStore
from fieldvisit.sync import bundle as fmt
from fieldvisit.sync.canonical import canonical_bytes
from fieldvisit.sync.exporter import export_bundle
from fieldvisit.sync.importer import import_bundles

ANCHOR = dt.date(2026, 11, 20)
NOW = dt.datetime(2026, 11, 25, tzinfo=dt.timezone.utc)
NOW_MS = int(NOW.timestamp() * 1000)
DAY_MS = 24 * 3600 * 1000
MIB = 1024 * 1024

# Distinctive words of the zh-CN messages in fieldvisit/core/locales/zh-CN.toml [error.bundle].
NOT_BUNDLE = "不是 fieldvisit 交接文件"
TRUNCATED = "不完整"
TOO_LARGE = "超过"
DIGEST = "校验值不符"
NEWER = "第 2 版"
SCHEMA = "结构不对"
DUPLICATE = "出现了两次"
FUTURE = "比本机时间晚"
TYPE_CLASH = "另一种记录"


# -- fixtures and helpers -----------------------------------------------------------------


@pytest.fixture(scope="module")
def bundles() -> dict[int, dict[str, Any]]:
    """Three laptops' worth of demo records (4 visits, 48 matters each), as exported bundles."""
    return {seed: export_bundle(build_demo(seed, ANCHOR)) for seed in (1, 2, 3)}


@pytest.fixture(scope="module")
def office_baseline(tmp_path_factory, bundles) -> bytes:
    """The bytes of an office store that has its own identity and has imported laptop 1."""
    path = tmp_path_factory.mktemp("baseline") / "office.json"
    with TinyDBStore(path) as store:
        Editor(store, actor="信访办", device_name="信访办台式机")
        reports = import_bundles(store, [("laptop1.fvb", fmt.encode(bundles[1]))], now=NOW)
    assert [report.status for report in reports] == ["imported"]
    return path.read_bytes()


@pytest.fixture
def office(tmp_path: Path, office_baseline: bytes) -> Path:
    path = tmp_path / "office.json"
    path.write_bytes(office_baseline)
    return path


def edited(bundle: dict[str, Any], change: Callable[[dict[str, Any]], object], reseal: bool = True) -> dict[str, Any]:
    """A deep copy with `change` applied and, unless told otherwise, a digest that fits again."""
    copied = copy.deepcopy(bundle)
    change(copied)
    if reseal:
        copied["digest"] = fmt.digest_of(copied)
    return copied


def import_into(path: Path, *sources: tuple[str, bytes], **options: Any):
    """Open the store file, import, close: what one `fieldvisit import` run does."""
    options.setdefault("now", NOW)
    with TinyDBStore(path) as store:
        return import_bundles(store, list(sources), **options)


def assert_refused(path: Path, raw: bytes, *words: str, **options: Any):
    """Import `raw` alone: rejected, the reason contains every word, the file is untouched."""
    before = path.read_bytes()
    [report] = import_into(path, ("bad.fvb", raw), **options)
    assert report.status == "rejected", report
    assert not report.reason.startswith("error."), f"an untranslated message key: {report.reason}"
    for word in words:
        assert word in report.reason, f"{word!r} not in {report.reason!r}"
    assert path.read_bytes() == before, "a rejected bundle changed the store file"
    return report


def table_ids(path: Path, table: str) -> set[str]:
    with TinyDBStore(path) as store:
        return {record["id"] for record in store.all(table)}


def records_of(path: Path) -> bytes:
    with TinyDBStore(path) as store:
        return canonical_bytes({table: sorted(store.all(table), key=lambda r: r["id"]) for table in (VISITS, ISSUES)})


def stamp_at(wall_ms: int, device: str) -> str:
    return str(Stamp(wall_ms, 0, device))


def gzip_bomb(spaces: int) -> bytes:
    """`{"a":"<spaces>"}` gzip-compressed, built in 1 MiB pieces so the test itself stays small."""
    packer = zlib.compressobj(9, zlib.DEFLATED, 31)
    parts = [packer.compress(b'{"a":"')]
    chunk = b" " * MIB
    for _ in range(spaces // MIB):
        parts.append(packer.compress(chunk))
    parts.append(packer.compress(b'"}'))
    parts.append(packer.flush())
    return b"".join(parts)


# -- not a bundle at all ------------------------------------------------------------------


def test_random_bytes_are_not_a_bundle(office):
    """Whatever lands on a USB stick by mistake is refused as 'not a hand-over file'."""
    raw = random.Random(7).randbytes(4096)
    assert not raw.startswith((b"\x1f\x8b", b"{"))  # the precondition of this case
    assert_refused(office, raw, NOT_BUNDLE)


def test_a_png_is_not_a_bundle(office):
    """A photo picked instead of the bundle (same folder on the stick) is refused."""
    png = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x01\x00\x00\x00\x01\x00\x08\x06\x00\x00\x00" + bytes(200)
    assert_refused(office, png, NOT_BUNDLE)


# -- truncated ----------------------------------------------------------------------------


def test_fvb_cut_in_half_is_truncated(office, bundles):
    """A copy pulled out of the USB port half way: the gzip stream ends early."""
    raw = fmt.encode(bundles[2])
    assert_refused(office, raw[: len(raw) // 2], TRUNCATED)


def test_fvb_cut_by_its_trailer_is_truncated(office, bundles):
    """Only the last bytes (CRC and size) missing: still incomplete, never half-imported."""
    raw = fmt.encode(bundles[2])
    assert_refused(office, raw[:-4], TRUNCATED)


@pytest.mark.parametrize(
    "where",
    [
        "half",
        "last_byte",
        "inside_a_character",
        "early",
        "right_after_an_inner_brace",
    ],
)
def test_plain_json_cut_short_says_incomplete(office, bundles, where):
    """A plain JSON bundle cut anywhere is refused, and the officer is told to copy it again."""
    text = canonical_bytes(bundles[2])
    assert_refused(office, _cut_plain(text, where), TRUNCATED)


def test_plain_json_cut_after_a_brace_is_still_rejected(office, bundles):
    """Whatever the message, a cut that happens to end in '}' changes nothing."""
    assert_refused(office, _cut_plain(canonical_bytes(bundles[2]), "right_after_an_inner_brace"))


def _cut_plain(text: bytes, where: str) -> bytes:
    if where == "half":
        return text[: len(text) // 2]
    if where == "last_byte":
        return text[:-1]
    if where == "inside_a_character":
        start = text.index("下访".encode())  # the device name, a 3-byte character
        return text[: start + 1]
    if where == "right_after_an_inner_brace":
        return text[: text.index(b'},"digest"') + 1]  # ends with the device object's "}"
    return text[: text.index(b'"device"')]  # before any non-ASCII text


# -- digest, format, version -----------------------------------------------------------------


@pytest.mark.parametrize("encoding", ["fvb", "json"])
def test_changed_title_without_new_digest_is_refused(office, bundles, encoding):
    """One matter's title edited by hand (or a flipped bit that still parses): digest mismatch."""
    tampered = edited(bundles[2], lambda b: b["issues"][5]["fields"]["title"].__setitem__("v", "标题被人改过"), reseal=False)
    raw = fmt.encode(tampered) if encoding == "fvb" else canonical_bytes(tampered)
    assert_refused(office, raw, DIGEST)


def test_foreign_format_is_refused(office, bundles):
    """Some other program's JSON: named by the format it claims, even with a fitting digest."""
    foreign = edited(bundles[2], lambda b: b.__setitem__("format", "other.thing"))
    assert_refused(office, fmt.encode(foreign), NOT_BUNDLE, "other.thing")


def test_json_that_is_not_an_object_is_refused(office):
    """A JSON list is valid JSON but no bundle."""
    assert_refused(office, b'[{"format": "fieldvisit.bundle"}]', NOT_BUNDLE)


@pytest.mark.parametrize("extra_key", [None, "photos"], ids=["same_keys", "with_a_new_key"])
def test_newer_version_asks_for_an_upgrade(office, bundles, extra_key):
    """A version 2 bundle says 'upgrade', not 'structure wrong', even if it has new keys."""

    def to_v2(bundle):
        bundle["version"] = 2
        if extra_key:
            bundle[extra_key] = []

    report = assert_refused(office, fmt.encode(edited(bundles[2], to_v2)), NEWER, "升级")
    assert SCHEMA not in report.reason


SCHEMA_VIOLATIONS = {
    "missing_issues": (lambda b: b.pop("issues"), "issues"),
    "bad_ulid_id": (lambda b: b["issues"][3].__setitem__("id", "matter-0004"), "issues[3].id"),
    "bad_stamp_in_register": (lambda b: b["issues"][3]["fields"]["title"].__setitem__("s", "2026-11-15 08:00"), "issues[3].fields.title.s"),
    "unknown_top_level_key": (lambda b: b.__setitem__("comment", "请查收"), "comment"),
    "field_value_is_object": (lambda b: b["issues"][3]["fields"]["title"].__setitem__("v", {"zh": "标题"}), "issues[3].fields.title.v"),
    "record_type_in_wrong_table": (lambda b: b["visits"][0].__setitem__("type", "issue"), "visits"),
    "version_zero": (lambda b: b.__setitem__("version", 0), "version"),
}


@pytest.mark.parametrize("case", SCHEMA_VIOLATIONS)
def test_schema_violation_is_refused_and_located(office, bundles, case):
    """Structure errors are refused before anything is merged, and the reason says where."""
    change, where = SCHEMA_VIOLATIONS[case]
    assert_refused(office, fmt.encode(edited(bundles[2], change)), SCHEMA, where)


# -- size -----------------------------------------------------------------------------------


@pytest.mark.parametrize("encoding", ["fvb", "json"])
def test_bundle_over_the_size_limit_is_refused(office, bundles, encoding):
    """`max_bytes` bounds the uncompressed size, for gzip and plain JSON alike."""
    raw = fmt.encode(bundles[2]) if encoding == "fvb" else canonical_bytes(bundles[2])
    assert_refused(office, raw, TOO_LARGE, max_bytes=1000)


@pytest.fixture(scope="module")
def bomb() -> bytes:
    raw = gzip_bomb(70 * MIB)
    assert len(raw) < MIB  # 70 MiB of spaces squeeze into a few dozen KB
    return raw


def test_gzip_bomb_is_refused(office, bomb):
    """70 MiB of spaces in a ~70 KB file: refused under the default 64 MiB limit (how little it
    inflates on the way is the next test's business; how long it takes is a benchmark's)."""
    assert_refused(office, bomb, TOO_LARGE)


def test_gzip_bomb_is_not_inflated_past_the_limit(office, bomb):
    """With a 1 MiB limit the import must stop inflating at ~1 MiB: peak memory stays far below 70 MiB."""
    before = office.read_bytes()
    with TinyDBStore(office) as store:
        tracemalloc.start()
        try:
            [report] = import_bundles(store, [("bomb.fvb", bomb)], max_bytes=MIB, now=NOW)
            _, peak = tracemalloc.get_traced_memory()
        finally:
            tracemalloc.stop()
    assert report.status == "rejected" and TOO_LARGE in report.reason, report
    assert peak < 16 * MIB, f"peak {peak / MIB:.1f} MiB: the bomb was inflated well past the limit"
    assert office.read_bytes() == before


# -- ids and stamps -----------------------------------------------------------------------------


def test_duplicate_id_within_a_bundle_is_refused(office, bundles):
    """The same matter twice in one bundle cannot come from an honest export."""
    twice = edited(bundles[2], lambda b: b["issues"].append(copy.deepcopy(b["issues"][7])))
    report = assert_refused(office, fmt.encode(twice), DUPLICATE)
    assert bundles[2]["issues"][7]["id"] in report.reason


def test_same_id_as_visit_and_matter_within_a_bundle_is_refused(office, bundles):
    """One id used by a visit and a matter of the same bundle counts as a duplicate too."""

    def reuse(bundle):
        bundle["issues"][0]["id"] = bundle["visits"][0]["id"]

    report = assert_refused(office, fmt.encode(edited(bundles[2], reuse)), DUPLICATE)
    assert bundles[2]["visits"][0]["id"] in report.reason


def _closed_visit(bundle):
    return next(visit for visit in bundle["visits"] if "history" in visit)


FUTURE_PLACES = {
    "register": lambda b, stamp: b["issues"][4]["fields"]["status"].__setitem__("s", stamp),
    "record_stamp": lambda b, stamp: b["issues"][4].__setitem__("stamp", stamp),
    "history": lambda b, stamp: _closed_visit(b)["history"]["status"].__setitem__(stamp, {"v": "open"}),
    "map_entry": lambda b, stamp: next(
        iter(next(issue for issue in b["issues"] if "maps" in issue)["maps"]["transitions"].values())
    ).__setitem__("s", stamp),
    "resolves": lambda b, stamp: b["issues"][4]["fields"]["title"].__setitem__("r", [stamp]),
}


@pytest.mark.parametrize("place", FUTURE_PLACES)
def test_stamp_thirty_days_ahead_is_refused(office, bundles, place):
    """A laptop whose clock is a month fast would make its edits win every merge to come."""
    future = stamp_at(NOW_MS + 30 * DAY_MS, bundles[2]["device"]["id"])
    fast = edited(bundles[2], lambda b: FUTURE_PLACES[place](b, future))
    report = assert_refused(office, fmt.encode(fast), FUTURE)
    assert future in report.reason and "30" in report.reason


def test_stamp_one_day_ahead_is_accepted(office, bundles):
    """Within the 2-day allowance (time zones, slightly fast clocks) the bundle is imported."""
    device = bundles[2]["device"]["id"]
    ahead = stamp_at(NOW_MS + DAY_MS, device)
    slightly_fast = edited(bundles[2], lambda b: b["issues"][4]["fields"]["status"].__setitem__("s", ahead))
    [report] = import_into(office, ("ahead.fvb", fmt.encode(slightly_fast)))
    assert report.status == "imported", report.reason


def test_future_stamp_cannot_hide_behind_a_full_width_digit_stamp(office, bundles):
    """Stamps compare as strings: a full-width-digit stamp would sort above all others, hide a far
    future one from the check and win every merge. Only ASCII digits may appear in a stamp."""
    device = bundles[2]["device"]["id"]
    future = stamp_at(NOW_MS + 30 * DAY_MS, device)
    wall, rest = stamp_at(NOW_MS - 30 * DAY_MS, device).split("-", 1)
    full_width = wall.translate(str.maketrans("0123456789", "０１２３４５６７８９")) + "-" + rest

    def disguise(bundle):
        bundle["issues"][4]["fields"]["status"]["s"] = future
        bundle["issues"][5]["fields"]["status"]["s"] = full_width

    assert_refused(office, fmt.encode(edited(bundles[2], disguise)))


def test_visit_with_the_id_of_an_existing_matter_is_refused(office, bundles):
    """A type clash is only visible against the store: the importer must refuse it."""
    with TinyDBStore(office) as store:
        existing_issue = sorted(store.all(ISSUES), key=lambda r: r["id"])[10]["id"]

    def clash(bundle):
        bundle["visits"][0]["id"] = existing_issue  # type stays "visit", in "visits": schema-clean

    report = assert_refused(office, fmt.encode(edited(bundles[2], clash)), TYPE_CLASH)
    assert existing_issue in report.reason


def test_type_clash_with_an_earlier_bundle_of_the_same_batch_is_refused(office, bundles):
    """Bundle A brings matter X, bundle B a visit X: A is imported, B refused, nothing of B lands."""
    clashing_id = bundles[2]["issues"][0]["id"]
    second = edited(bundles[3], lambda b: b["visits"][0].__setitem__("id", clashing_id))
    reports = import_into(office, ("laptop2.fvb", fmt.encode(bundles[2])), ("laptop3.fvb", fmt.encode(second)))
    assert [r.status for r in reports] == ["imported", "rejected"]
    assert TYPE_CLASH in reports[1].reason and clashing_id in reports[1].reason
    assert clashing_id not in table_ids(office, VISITS)
    assert not {r["id"] for r in bundles[3]["issues"]} & table_ids(office, ISSUES)


# -- batches, replays, plain JSON -----------------------------------------------------------------


@pytest.mark.parametrize("bad_first", [True, False], ids=["bad_then_good", "good_then_bad"])
def test_good_bundle_beside_a_bad_one_is_imported_alone(office, bundles, bad_first):
    """One broken stick must not block the others; the broken one adds nothing."""
    good = ("laptop2.fvb", fmt.encode(bundles[2]))
    broken = edited(bundles[3], lambda b: b["issues"][0]["fields"]["title"].__setitem__("v", "改过"), reseal=False)
    bad = ("laptop3.fvb", fmt.encode(broken))
    reports = import_into(office, *((bad, good) if bad_first else (good, bad)))
    by_source = {report.source: report for report in reports}
    assert by_source["laptop2.fvb"].status == "imported"
    assert by_source["laptop2.fvb"].counts["issues_new"] == len(bundles[2]["issues"])
    assert by_source["laptop3.fvb"].status == "rejected" and DIGEST in by_source["laptop3.fvb"].reason
    issues = table_ids(office, ISSUES)
    assert {r["id"] for r in bundles[2]["issues"]} <= issues
    assert not {r["id"] for r in bundles[3]["issues"]} & issues
    assert not {r["id"] for r in bundles[3]["visits"]} & table_ids(office, VISITS)
    with TinyDBStore(office) as store:
        assert {entry["bundle_id"] for entry in store.all(IMPORTS)} == {bundles[1]["bundle_id"], bundles[2]["bundle_id"]}


def test_reimport_says_already_imported_and_writes_nothing(office, bundles):
    """The same stick plugged in twice: reported as a replay, the store file untouched."""
    before = office.read_bytes()
    [report] = import_into(office, ("laptop1-again.fvb", fmt.encode(bundles[1])))
    assert report.status == "already_imported", report
    assert report.counts["issues_unchanged"] == len(bundles[1]["issues"])
    assert office.read_bytes() == before


def test_same_bundle_twice_in_one_batch_is_imported_once(office, bundles):
    """Two copies of one file in the same import: the second is a replay, one log entry."""
    raw = fmt.encode(bundles[2])
    reports = import_into(office, ("a/laptop2.fvb", raw), ("b/laptop2.fvb", raw))
    assert [r.status for r in reports] == ["imported", "already_imported"]
    with TinyDBStore(office) as store:
        assert [entry["bundle_id"] for entry in store.all(IMPORTS)].count(bundles[2]["bundle_id"]) == 1


def _pretty(bundle: dict[str, Any]) -> bytes:
    return json.dumps(bundle, ensure_ascii=False, indent=2).encode()


@pytest.mark.parametrize(
    "as_plain",
    [canonical_bytes, _pretty, lambda b: b"\xef\xbb\xbf\r\n" + _pretty(b)],
    ids=["canonical", "indented", "bom_and_indented"],
)
def test_plain_json_bundle_imports_like_the_fvb(office, bundles, tmp_path, as_plain):
    """`*.json` bundles (for people and scripts, maybe re-saved by an editor) import the same records."""
    twin = tmp_path / "twin.json"
    twin.write_bytes(office.read_bytes())
    [from_json] = import_into(office, ("laptop2.json", as_plain(bundles[2])))
    [from_fvb] = import_into(twin, ("laptop2.fvb", fmt.encode(bundles[2])))
    assert from_json.status == from_fvb.status == "imported", from_json.reason
    assert from_json.counts == from_fvb.counts
    assert records_of(office) == records_of(twin)
