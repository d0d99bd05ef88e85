"""`SplicingJSONStore` writes exactly the bytes `TinyDBStore` writes, and indexes only real records.

The splicing store never parses the whole file: it finds each table's records in the raw bytes
and splices changed ones in. These tests hold it to the TinyDB store byte for byte, on random
sequences of writes whose content is built to fool an index (record ids inside strings, text
that looks like a record key, braces and escaped quotes in strings, CJK, nested maps keyed by
ULIDs), and on a real import of laptop bundles into an office store.
"""

from __future__ import annotations

import datetime as dt
import itertools
import json
import random
import tempfile
from pathlib import Path
from typing import Any

import orjson
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import fieldvisit.sync.importer as importer
from fieldvisit.demo.laptop import build_demo, write_demo_store
from fieldvisit.editing.editor import Editor
from fieldvisit.core.errors import StoreCorruptError, StoreLockedError
from fieldvisit.core.ids import new_id
from fieldvisit.stores.splice_store import SplicingJSONStore, _index
from fieldvisit.stores.store import IMPORTS, ISSUES, META, META_KEY, VISITS, TinyDBStore
from fieldvisit.sync import bundle as fmt
from fieldvisit.sync.exporter import export_bundle
from fieldvisit.sync.importer import import_bundles

ANCHOR = dt.date(2026, 11, 20)
NOW = dt.datetime(2026, 11, 25, tzinfo=dt.timezone.utc)

_rng = random.Random(20261125)
ULIDS = sorted(new_id(_rng, 1_790_000_000_000 + step * 997) for step in range(12))
ODD_IDS = ["a", "a!", "a\"b", "a#", "store", "中文编号", "x\\y", "", "0" * 26, "Z" * 26]
TABLES = [VISITS, ISSUES, IMPORTS, META, "a table", "zz"]
NASTY = [
    *ULIDS,
    f'"{ULIDS[0]}":{{',
    f'}},"{ULIDS[1]}":{{"conflicts":[',
    f'"{ULIDS[2]}":{{"id":"{ULIDS[2]}"}}',
    '"', '\\', '\\"', '\\\\"', "{", "}", "}}}", "{{", "},", ":{", "{}", "[", "]", "1},",
    "信访人反映", "工资拖欠问题", "\n", "\t", "\x00", "\x1f", "é", "😀",
]

json_leaves = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(min_value=-(2**63), max_value=2**64 - 1),
    st.floats(allow_nan=False, allow_infinity=False),
    st.text(st.characters(exclude_categories=("Cs",)), max_size=6),
    st.lists(st.sampled_from(NASTY) | st.text(max_size=3), max_size=5).map("".join),
)
keys = st.sampled_from(ULIDS + ODD_IDS + ["value", "stamp", "fields", "maps", "conflicts", "id"])
json_values = st.recursive(
    json_leaves,
    lambda children: st.lists(children, max_size=3) | st.dictionaries(keys, children, max_size=4),
    max_leaves=12,
)
record_ids = st.sampled_from(ULIDS) | st.sampled_from(ODD_IDS)


@st.composite
def records(draw: st.DrawFn) -> dict[str, Any]:
    record = draw(st.dictionaries(st.sampled_from(["type", "fields", "history", "conflicts", "note"]), json_values, max_size=4))
    record["maps"] = {"transitions": draw(st.dictionaries(st.sampled_from(ULIDS), st.dictionaries(keys, json_values, max_size=3), max_size=3))}
    record["id"] = draw(record_ids)
    return record


puts = st.tuples(
    st.dictionaries(st.sampled_from(TABLES), st.lists(records(), max_size=4), max_size=3),
    st.none() | st.dictionaries(st.sampled_from(["clock", "device_id", "seq", "中文", ULIDS[0]]), json_values, max_size=3),
)


def canonical_rows(rows: list[dict]) -> list[bytes]:
    return sorted(orjson.dumps(row, option=orjson.OPT_SORT_KEYS) for row in rows)


def assert_same_records(tiny: TinyDBStore, splice: SplicingJSONStore) -> None:
    for table in TABLES:
        assert canonical_rows(splice.all(table)) == canonical_rows(tiny.all(table)), table
        assert canonical_rows(list(splice.records(table))) == canonical_rows(tiny.all(table)), table
        assert splice.record_count(table) == len(tiny.all(table)), table
        for record_id in ULIDS + ODD_IDS:
            assert splice.get(table, record_id) == tiny.get(table, record_id), (table, record_id)
    assert splice.meta() == tiny.meta()


def assert_same(tiny: TinyDBStore, splice: SplicingJSONStore, tiny_path: Path, splice_path: Path) -> None:
    """The same records from the journal, then (compacted) the same bytes in the file."""
    if tiny_path.exists():
        assert_same_records(tiny, splice)
    splice.compact()
    assert splice_path.exists() == tiny_path.exists()
    if not tiny_path.exists():
        return
    assert splice_path.read_bytes() == tiny_path.read_bytes()
    assert_same_records(tiny, splice)
    # the index kept up to date by splicing is the index of the file it wrote
    fresh = _index(splice_path.read_bytes())
    assert fresh.keys() == splice._tables.keys()
    for name, table in fresh.items():
        kept = splice._tables[name]
        assert (table.start, table.value, table.end, table.ids) == (kept.start, kept.value, kept.end, kept.ids)
        assert (table.starts, table.values, table.ends) == (kept.starts, kept.values, kept.ends)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(steps=st.lists(puts | st.just("reopen"), min_size=1, max_size=8))
def test_random_puts_write_the_same_bytes_as_tinydb(steps):
    with tempfile.TemporaryDirectory() as folder:
        tiny_path, splice_path = Path(folder) / "tiny" / "store.json", Path(folder) / "splice" / "store.json"
        tiny, splice = TinyDBStore(tiny_path), SplicingJSONStore(splice_path)
        try:
            for step in steps:
                if step == "reopen":
                    tiny.close()
                    splice.close()
                    tiny, splice = TinyDBStore(tiny_path), SplicingJSONStore(splice_path)
                else:
                    batch, meta = step
                    tiny.put(batch, meta)
                    splice.put(batch, meta)
                assert_same(tiny, splice, tiny_path, splice_path)
        finally:
            tiny.close()
            splice.close()


@settings(max_examples=300, deadline=None)
@given(data=st.dictionaries(st.sampled_from(TABLES), st.dictionaries(record_ids, records(), max_size=6), max_size=4))
def test_the_index_finds_exactly_the_records_of_each_table(data):
    """Straight from canonical bytes: every table, every record id in order, each slice its record."""
    raw = orjson.dumps(data, option=orjson.OPT_SORT_KEYS)
    index = _index(raw)
    assert sorted(index) == sorted(data)
    for name, table in index.items():
        assert raw[table.start : table.end] == orjson.dumps({name: data[name]}, option=orjson.OPT_SORT_KEYS)[1:-1]
        assert table.ids == sorted(data[name])
        for number, record_id in enumerate(table.ids):
            value = raw[table.value + table.values[number] : table.value + table.ends[number]]
            assert orjson.loads(value) == data[name][record_id]
            entry = raw[table.value + table.starts[number] : table.value + table.ends[number]]
            assert entry == orjson.dumps({record_id: data[name][record_id]}, option=orjson.OPT_SORT_KEYS)[1:-1]


def test_records_that_mimic_the_layout_are_not_mistaken_for_records():
    """Nested ULID keys at every depth, in-string braces that unbalance a naive count, and ids
    that are not ULIDs between ULID ones."""
    a, b, c, d = ULIDS[:4]
    data = {
        ISSUES: {
            a: {"id": a, "maps": {"transitions": {b: {"value": "}}}"}, c: {"value": {d: {}}}}}, "note": "{{{"},
            "b-not-a-ulid": {"id": "b-not-a-ulid", "text": f'}},"{c}":{{"conflicts":['},
            c: {"id": c, "fields": {"x": {"value": "}"}}, "maps": {d: {a: {b: {}}}}},
            "zz": {"id": "zz"},
        },
        META: {META_KEY: {"device_id": d, d: {"x": 1}}, d: {"id": d}},
        VISITS: {d: {"id": d, "note": "\\\"{\\"}},
    }
    raw = orjson.dumps(data, option=orjson.OPT_SORT_KEYS)
    index = _index(raw)
    assert {name: table.ids for name, table in index.items()} == {name: sorted(rows) for name, rows in data.items()}


def demo_bundle(seed: int) -> bytes:
    return fmt.encode(export_bundle(build_demo(seed, ANCHOR)))


def later_bundle() -> bytes:
    """Laptop 1's second hand-over: two matters withdrawn, so it updates what the office has."""
    laptop = build_demo(1, ANCHOR)
    later = int(dt.datetime(2026, 11, 22, 9, 0, tzinfo=dt.timezone.utc).timestamp() * 1000)
    editor = Editor(laptop, actor="唐芳", wall=lambda: later, rng=random.Random(7))
    for issue in sorted(laptop.all(ISSUES), key=lambda record: record["id"])[:2]:
        editor.withdraw_issue(issue["id"], "信访人表示问题已解决")
    return fmt.encode(export_bundle(laptop))


def test_importing_into_a_demo_store_gives_the_bytes_tinydb_gives(tmp_path, monkeypatch):
    write_demo_store(tmp_path / "demo", seed=3, anchor=ANCHOR)
    original = (tmp_path / "demo" / TinyDBStore.FILE_NAME).read_bytes()
    batches = [[("laptop1.fvb", demo_bundle(1)), ("laptop2.fvb", demo_bundle(2))], [("laptop1-later.fvb", later_bundle())]]
    results = {}
    for kind, opener in (("tiny", TinyDBStore), ("splice", SplicingJSONStore)):
        path = tmp_path / kind / TinyDBStore.FILE_NAME
        path.parent.mkdir()
        path.write_bytes(original)
        counter = itertools.count()
        monkeypatch.setattr(importer, "new_id", lambda: f"01LOG{next(counter):021d}")
        for batch in batches:
            with opener(path) as store:
                reports = import_bundles(store, batch, now=NOW)
            assert [report.status for report in reports] == ["imported"] * len(batch)
        results[kind] = path.read_bytes()
    assert results["splice"] == results["tiny"]
    assert results["splice"] != original


def test_a_new_office_store_via_editor_and_import_matches_tinydb(tmp_path, monkeypatch):
    """What `fieldvisit import` does on first use: an identity for the office, then the import."""
    results = {}
    bundle = demo_bundle(3)
    for kind, opener in (("tiny", TinyDBStore), ("splice", SplicingJSONStore)):
        path = tmp_path / kind / TinyDBStore.FILE_NAME
        counter = itertools.count()
        monkeypatch.setattr(importer, "new_id", lambda: f"01LOG{next(counter):021d}")
        with opener(path) as store:
            editor = Editor(store, wall=lambda: 1_790_000_000_000, rng=random.Random(1), device_name="信访办")
            assert store.meta()["device_id"] == editor.device_id
            Editor(store)  # a second editor reuses the identity
            assert import_bundles(store, [("laptop3.fvb", bundle)], now=NOW)[0].status == "imported"
            assert import_bundles(store, [("laptop3.fvb", bundle)], now=NOW)[0].status == "already_imported"
        with opener(path) as store:
            assert len(store.all(IMPORTS)) == 1
            assert len(store.all(ISSUES)) == len(build_demo(3, ANCHOR).all(ISSUES))
        results[kind] = path.read_bytes()
    assert results["splice"] == results["tiny"]


def test_splicing_and_tinydb_stores_exclude_each_other(tmp_path):
    path = tmp_path / "store.json"
    with SplicingJSONStore(path):
        with pytest.raises(StoreLockedError):
            TinyDBStore(path)
        with pytest.raises(StoreLockedError):
            SplicingJSONStore(path)
    with TinyDBStore(path):
        with pytest.raises(StoreLockedError):
            SplicingJSONStore(path)
    with SplicingJSONStore(path) as store:  # both released on close
        store.put({ISSUES: [{"id": ULIDS[0]}]})
    with TinyDBStore(path) as store:
        assert store.get(ISSUES, ULIDS[0]) == {"id": ULIDS[0]}


@pytest.mark.parametrize(
    "damage",
    [
        b'{"issues": {"01J',
        b'{"issues":{"' + ULIDS[0].encode() + b'":{"id":"x"}',
        b'{"issues":{"' + ULIDS[0].encode() + b'":{"id":"x}}}',
        b"[]",
        b"not json at all",
        b'{"issues":{}} trailing',
        b"\xff\xfe{}",
    ],
)
def test_a_corrupt_file_is_reported_and_left_untouched(tmp_path, damage):
    path = tmp_path / "store.json"
    path.write_bytes(damage)
    with pytest.raises(StoreCorruptError):
        SplicingJSONStore(path)
    assert path.read_bytes() == damage
    with SplicingJSONStore.in_directory(tmp_path / "other"):  # the failed open released its lock
        pass
    TinyDBStore(path).close()  # and so it can be opened again


def test_missing_empty_and_non_canonical_files(tmp_path):
    """A file that is valid JSON but not laid out as orjson writes it is read all the same, and
    the first write makes it canonical, exactly as TinyDB's first write does."""
    record = {"id": ULIDS[1], "note": "中文", "maps": {ULIDS[2]: {"x": 1}}}
    contents = {
        "missing": None,
        "empty": b"",
        "blank": b" \n",
        "object": b"{}",
        "indented": json.dumps({ISSUES: {ULIDS[1]: record}, META: {META_KEY: {"device_id": "D"}}}, indent=2).encode(),
        "unsorted": json.dumps({VISITS: {}, ISSUES: {ULIDS[1]: record, ULIDS[0]: {"id": ULIDS[0]}}}, ensure_ascii=False, separators=(",", ":")).encode(),
    }
    for name, content in contents.items():
        results = []
        for kind, opener in (("tiny", TinyDBStore), ("splice", SplicingJSONStore)):
            path = tmp_path / name / kind / "store.json"
            path.parent.mkdir(parents=True)
            if content is not None:
                path.write_bytes(content)
            with opener(path) as store:
                assert store.get(ISSUES, ULIDS[1]) == (record if name in ("indented", "unsorted") else None)
                results.append(store.meta())
                store.put({VISITS: [{"id": ULIDS[3]}]}, {"clock": "c"})
                if kind == "splice":
                    store.compact()  # the step is in the journal; compaction writes the file
                results.append(path.read_bytes())
        assert results[:2] == results[2:], name


def test_put_keeps_its_promises(tmp_path):
    """Later records of a batch win; an empty batch still creates the table; a failed encode
    writes nothing and leaves the store usable."""
    tiny, splice = TinyDBStore(tmp_path / "t.json"), SplicingJSONStore(tmp_path / "s.json")
    for store in (tiny, splice):
        store.put({ISSUES: [{"id": "b", "n": 1}, {"id": "a"}, {"id": "b", "n": 2}], "empty": []})
    splice.compact()
    assert (tmp_path / "s.json").read_bytes() == (tmp_path / "t.json").read_bytes()
    assert splice.get(ISSUES, "b") == {"id": "b", "n": 2}
    before = (tmp_path / "s.json").read_bytes()
    with pytest.raises(TypeError):
        splice.put({ISSUES: [{"id": "c", "bad": object()}]})
    with pytest.raises(TypeError):
        splice.put({ISSUES: [{"id": 5}]})
    assert (tmp_path / "s.json").read_bytes() == before
    assert splice.get(ISSUES, "c") is None and splice.record_count(ISSUES) == 2
    tiny.close()
    splice.close()


def test_get_hands_out_copies(tmp_path):
    with SplicingJSONStore(tmp_path / "s.json") as store:
        store.put({ISSUES: [{"id": "a", "fields": {}}]})
        first = store.get(ISSUES, "a")
        first["fields"] = {"changed": True}
        assert store.get(ISSUES, "a") == {"id": "a", "fields": {}}


def test_cli_import_uses_the_splicing_store(tmp_path, monkeypatch):
    """`fieldvisit import` writes the office store through SplicingJSONStore, byte-compatible."""
    from click.testing import CliRunner

    from fieldvisit import cli
    from fieldvisit.stores import splice_store

    opened = []
    original = splice_store.SplicingJSONStore.__init__

    def spy(self, path, deferred=False):
        opened.append(Path(path))
        original(self, path, deferred)

    monkeypatch.setattr(splice_store.SplicingJSONStore, "__init__", spy)
    bundle = tmp_path / "laptop1.fvb"
    bundle.write_bytes(demo_bundle(1))
    result = CliRunner().invoke(cli.main, ["--data-dir", str(tmp_path / "data"), "import", str(bundle)])
    assert result.exit_code == 0, result.output
    assert len(opened) == 1 and opened[0].name == TinyDBStore.FILE_NAME
    with TinyDBStore(opened[0]) as store:
        assert store.meta()["device_id"]
        assert len(store.all(ISSUES)) == len(build_demo(1, ANCHOR).all(ISSUES))
        assert len(store.all(IMPORTS)) == 1


def test_ids_sort_like_orjson_sorts_keys():
    ids = ["a", "a!", "a\"", "a#", "a\\", "ab", "é", "中", "😀", "", "Z", "\x00"]
    data = {ISSUES: {record_id: {"id": record_id} for record_id in ids}}
    raw = orjson.dumps(data, option=orjson.OPT_SORT_KEYS)
    assert _index(raw)[ISSUES].ids == sorted(ids) == list(orjson.loads(raw)[ISSUES])
