"""One way to open the office's store (`--store` / FIELDVISIT_STORE), and nothing asking a store
where it lives (issue 16 §1)."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

import pytest

from fieldvisit.core.errors import FieldVisitError
from fieldvisit.locations.paths import Home
from fieldvisit.stores import factory
from fieldvisit.stores.splice_store import SplicingJSONStore
from fieldvisit.stores.store import MemoryStore, TinyDBStore
from fieldvisit.sync.validate import read_bundle

ROOT = Path(__file__).resolve().parent.parent
ANCHOR = "2026-11-20"


def test_nothing_given_is_the_json_store_in_the_office_folder(tmp_path, monkeypatch):
    monkeypatch.delenv(factory.STORE_ENV, raising=False)
    spec = factory.parse_spec(None, tmp_path / "office")
    assert spec == factory.StoreSpec(file=tmp_path / "office" / TinyDBStore.FILE_NAME)
    assert spec.home(tmp_path / "office") == Home(tmp_path / "office")
    assert not spec.is_postgres


def test_a_folder_or_a_json_file_is_a_json_store_whose_home_is_its_folder(tmp_path, monkeypatch):
    monkeypatch.delenv(factory.STORE_ENV, raising=False)
    folder = factory.parse_spec(str(tmp_path / "central"), tmp_path / "office")
    assert folder.file == tmp_path / "central" / TinyDBStore.FILE_NAME
    named = factory.parse_spec(tmp_path / "elsewhere" / "register.json", tmp_path / "office")
    assert named.file == tmp_path / "elsewhere" / "register.json"
    assert named.home(tmp_path / "office").office_keys_file == tmp_path / "elsewhere" / "office-keys.json"


def test_the_environment_is_used_when_the_option_is_not(tmp_path, monkeypatch):
    monkeypatch.setenv(factory.STORE_ENV, str(tmp_path / "from-env"))
    assert factory.parse_spec(None, tmp_path / "office").file == tmp_path / "from-env" / TinyDBStore.FILE_NAME
    assert factory.parse_spec(str(tmp_path / "given"), tmp_path / "office").file == tmp_path / "given" / TinyDBStore.FILE_NAME


@pytest.mark.parametrize("url", ["postgresql://office@db.example/fieldvisit", "postgres://u:secret@localhost:5433/fv?sslmode=disable"])
def test_a_postgresql_url_is_the_database_and_its_home_stays_in_the_data_dir(tmp_path, url):
    spec = factory.parse_spec(url, tmp_path / "office")
    assert spec.is_postgres and spec.url == url and spec.file is None
    assert spec.home(tmp_path / "office") == Home(tmp_path / "office")
    assert "secret" not in spec.describe()


def test_the_password_never_reaches_a_message():
    assert factory.without_password("postgresql://u:s3cret@host:5432/db") == "postgresql://u:***@host:5432/db"
    assert factory.without_password("postgresql://host/db") == "postgresql://host/db"


def test_the_json_store_opens_indexed_or_parsed(tmp_path):
    spec = factory.StoreSpec(file=tmp_path / TinyDBStore.FILE_NAME)
    with factory.open_office_store(spec) as store:
        assert isinstance(store, SplicingJSONStore)
        store.put({"visits": [{"id": "01KC0000000000000000000001", "fields": {}}]})
        assert store.location == str(spec.file)
        store.compact()  # the journal into the file, as closing does
        token = store.state_token()
    with factory.open_office_store(spec, parsed=True) as store:
        assert isinstance(store, TinyDBStore)
        assert store.state_token() == token  # the same file, not written since
        assert store.get("visits", "01KC0000000000000000000001") is not None
    with factory.open_office_store(spec, read_only=True) as store:
        assert isinstance(store, SplicingJSONStore) and store.read_only
        assert store.state_token() == token


def test_a_database_without_its_driver_says_what_to_install(monkeypatch):
    monkeypatch.setitem(sys.modules, "fieldvisit.stores.postgres", None)  # import fails as if absent
    with pytest.raises(FieldVisitError) as raised:
        factory.open_office_store(factory.StoreSpec(url="postgresql://localhost/fv"))
    assert "fieldvisit[postgres]" in str(raised.value)


def test_a_store_in_memory_has_no_location_and_no_token():
    store = MemoryStore()
    assert store.location == "" and store.state_token() is None
    home = Home(None)
    assert home.office_keys_file is None and home.quarantine_dir is None and home.policy_file is None


def test_nothing_outside_the_stores_asks_a_store_for_its_path():
    """The refactor's point: a store without a file (PostgreSQL) must not silently export
    unsealed bundles or open the import gate without keys because `path` was missing."""
    asking = re.compile(r"getattr\(\s*[\w.]*store[\w.]*\s*,\s*[\"']path[\"']|\bstore\.path\b")
    offenders = []
    for folder in ("fieldvisit", "screens", "sync"):
        for source in (ROOT / folder).rglob("*.py"):
            if source.parent.name == "stores":
                continue
            for number, line in enumerate(source.read_text(encoding="utf-8").splitlines(), 1):
                if asking.search(line):
                    offenders.append(f"{source.relative_to(ROOT)}:{number}: {line.strip()}")
    assert offenders == []


def run(*args: str, env: dict | None = None) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "fieldvisit", *args],
        capture_output=True,
        text=True,
        env={"PATH": "/usr/bin:/bin", "FIELDVISIT_LANG": "en", "HOME": "/nonexistent", **(env or {})},
        timeout=120,
        cwd=ROOT,
    )


def test_every_office_command_takes_the_store_from_the_option_or_the_environment(tmp_path):
    """A laptop's export imported into a store named by --store, reported on with the store from
    FIELDVISIT_STORE: the default office folder is never touched."""
    data = tmp_path / "data"
    assert run("demo", "--data-dir", str(data), "--seed", "2", "--anchor", ANCHOR, "--no-open").returncode == 0
    bundle = tmp_path / "visit.fvb"
    exported = run("export", "--data-dir", str(data), "--all", "--out", str(bundle), "--json")
    assert exported.returncode == 0, exported.stderr
    central = tmp_path / "central"
    imported = run("import", "--data-dir", str(data), "--store", str(central), str(bundle), "--json")
    assert imported.returncode == 0, imported.stderr
    assert (central / TinyDBStore.FILE_NAME).exists()
    assert not (data / "office").exists()
    issues = json.loads(exported.stdout)["issues"]
    office_export = tmp_path / "office.fvb"
    again = run("export", "--office", "--all", "--data-dir", str(data), "--out", str(office_export), "--json", env={factory.STORE_ENV: str(central)})
    assert again.returncode == 0, again.stderr
    assert json.loads(again.stdout)["issues"] == issues
    report = run("report", "--data-dir", str(data), "--from", "2026-01-01", "--to", "2026-12-31", "--format", "txt", "--out", str(tmp_path / "r.txt"), env={factory.STORE_ENV: str(central)})
    assert report.returncode == 0, report.stderr
    assert not (data / "office").exists()


def test_the_same_commands_work_on_postgresql(tmp_path, postgres_url):
    """init-db once, then a laptop's export imported into the database and exported back by the
    office with --store URL, and the report from FIELDVISIT_STORE: what the office exports from
    PostgreSQL is what it exports from the JSON store given the same bundle."""
    from fieldvisit.stores.postgres import drop_schema

    drop_schema(postgres_url)
    created = run("office", "init-db", postgres_url)
    assert created.returncode == 0, created.stderr
    assert run("office", "init-db", postgres_url).returncode == 0  # again: nothing changes
    data = tmp_path / "data"
    assert run("demo", "--data-dir", str(data), "--seed", "3", "--anchor", ANCHOR, "--no-open").returncode == 0
    bundle = tmp_path / "visit.fvb"
    assert run("export", "--data-dir", str(data), "--all", "--out", str(bundle)).returncode == 0
    exported = {}
    for name, store in (("json", str(tmp_path / "central")), ("postgres", postgres_url)):
        imported = run("import", "--data-dir", str(data), "--store", store, str(bundle))
        assert imported.returncode == 0, imported.stderr
        out = tmp_path / f"{name}.fvb"
        again = run("export", "--office", "--all", "--data-dir", str(data), "--out", str(out), "--json", env={factory.STORE_ENV: store})
        assert again.returncode == 0, again.stderr
        exported[name] = read_bundle(out.read_bytes())
    assert [issue["id"] for issue in exported["json"]["issues"]] == [issue["id"] for issue in exported["postgres"]["issues"]]
    assert exported["json"]["issues"] == exported["postgres"]["issues"]
    report = run("report", "--data-dir", str(data), "--from", "2026-01-01", "--to", "2026-12-31", "--format", "txt", "--out", str(tmp_path / "r.txt"), env={factory.STORE_ENV: postgres_url})
    assert report.returncode == 0, report.stderr
    assert not (data / "office" / TinyDBStore.FILE_NAME).exists()


def test_a_register_moves_to_postgresql_and_back_losing_nothing(tmp_path, postgres_store_url):
    """`office migrate --to URL` then `--to PATH`: the office exports before and after are equal,
    and a second migration into a store that is in use is refused, changing nothing."""
    data = tmp_path / "data"
    assert run("demo", "--data-dir", str(data), "--seed", "4", "--anchor", ANCHOR, "--no-open").returncode == 0
    bundle = tmp_path / "visit.fvb"
    assert run("export", "--data-dir", str(data), "--all", "--out", str(bundle)).returncode == 0
    assert run("import", "--data-dir", str(data), str(bundle)).returncode == 0

    def office_export(store: str) -> dict:
        out = tmp_path / "out.fvb"
        done = run("export", "--office", "--all", "--data-dir", str(data), "--store", store, "--out", str(out))
        assert done.returncode == 0, done.stderr
        found = read_bundle(out.read_bytes())
        return {key: found[key] for key in ("device", "visits", "issues")}

    json_store = str(data / "office")
    before = office_export(json_store)
    there = run("office", "migrate", "--data-dir", str(data), "--to", postgres_store_url)
    assert there.returncode == 0, there.stderr
    assert office_export(postgres_store_url) == before
    back = tmp_path / "back"
    returned = run("office", "migrate", "--data-dir", str(data), "--store", postgres_store_url, "--to", str(back))
    assert returned.returncode == 0, returned.stderr
    assert office_export(str(back)) == before
    again = run("office", "migrate", "--data-dir", str(data), "--to", postgres_store_url)
    assert again.returncode == 1 and "already holds records" in again.stderr
    assert office_export(postgres_store_url) == before


def test_migrating_refuses_a_target_in_use_and_leaves_it_as_it_was(tmp_path):
    from fieldvisit.stores.migrate import migrate

    source, target = MemoryStore(), MemoryStore()
    source.put({"visits": [{"id": "01KC0000000000000000000001", "fields": {}}]}, {"device_id": "01KC00000000000000000000AA"})
    target.put({"issues": [{"id": "01KC0000000000000000000002", "fields": {}}]})
    with pytest.raises(FieldVisitError):
        migrate(source, target)
    assert target.all("visits") == [] and target.meta() == {}
    assert migrate(source, MemoryStore()) == {"visits": 1, "issues": 0, "imports": 0}
