"""§2 of issue 14: the matter being typed is kept in the store, sealed, and never travels."""

from __future__ import annotations

import json

from fieldvisit.sync.exporter import export_bundle, write_bundle
from fieldvisit.sync.validate import read_bundle

from fieldvisit.editing import drafts
from fieldvisit.editing.editor import Editor
from fieldvisit.stores import at_rest
from fieldvisit.stores.store import TinyDBStore

TYPED = {"title": "井下津贴连续两月少发", "petitioner_name": "郑春东", "phone": "13900000000", "first_owner": "王志刚", "anonymous": False}
DEFAULTS = {"first_owner": "王志刚", "raised_on": "2026-11-20"}


def test_typed_tells_defaults_from_what_was_typed():
    assert not drafts.typed({"title": "", "first_owner": "王志刚", "raised_on": "2026-11-20", "anonymous": False, "category": "wages"}, DEFAULTS)
    assert drafts.typed({"title": "", "first_owner": "王志", "anonymous": False}, DEFAULTS)
    assert drafts.typed({"title": "", "repeat": True}, DEFAULTS)


def test_a_draft_survives_closing_the_store_and_is_discarded(tmp_path):
    key = drafts.capture_key("V1")
    with TinyDBStore.in_directory(tmp_path) as store:
        drafts.keep(store, key, TYPED)
    with TinyDBStore.in_directory(tmp_path) as store:  # as after a crash: a new process opens the file
        assert drafts.load(store, key) == TYPED
        assert drafts.kept_at(store, key)
        drafts.discard(store, key)
        assert drafts.load(store, key) is None
    with TinyDBStore.in_directory(tmp_path) as store:
        assert drafts.load(store, key) is None


def test_a_draft_is_sealed_with_the_passphrase(tmp_path):
    key = drafts.capture_key("V1")
    with TinyDBStore.in_directory(tmp_path) as store:
        Editor(store)
        at_rest.set_passphrase(store, "correct horse battery", strength=at_rest.FAST_STRENGTH)
        drafts.keep(store, key, TYPED)
        assert drafts.load(store, key) == TYPED
    text = (tmp_path / TinyDBStore.FILE_NAME).read_text(encoding="utf-8")
    assert "郑春东" not in text and "13900000000" not in text and "井下津贴" not in text
    with TinyDBStore.in_directory(tmp_path) as store:
        assert store.locked
        at_rest.unlock(store, "correct horse battery")
        assert drafts.load(store, key) == TYPED


def test_a_draft_never_travels_in_a_bundle(tmp_path, editor, visit, store):
    editor.record_issue(visit["id"], {"title": "要求恢复夜班班车"})
    drafts.keep(store, drafts.capture_key(visit["id"]), TYPED)
    written = write_bundle(export_bundle(store, [visit["id"]]), tmp_path / "visit.json")
    bundle = json.loads(written.read_bytes())
    assert read_bundle(written.read_bytes())["issues"]
    assert set(bundle) == {"format", "version", "bundle_id", "created_at", "device", "visits", "issues", "digest"}
    assert "郑春东" not in json.dumps(bundle, ensure_ascii=False)
