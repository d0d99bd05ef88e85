"""The command line as a script or a newcomer uses it: real subprocesses, real files."""

from __future__ import annotations

import json
import subprocess
import sys

ANCHOR = "2026-11-20"


def run(*args: str, env_lang: str = "en") -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "fieldvisit", *args],
        capture_output=True,
        text=True,
        env={"PATH": "/usr/bin:/bin", "FIELDVISIT_LANG": env_lang, "HOME": "/nonexistent"},
        timeout=60,
    )


def demo(data_dir, seed: int = 1) -> subprocess.CompletedProcess:
    return run("demo", "--data-dir", str(data_dir), "--seed", str(seed), "--anchor", ANCHOR, "--no-open")


def test_demo_writes_a_realistic_store_and_visits_lists_it(tmp_path):
    result = demo(tmp_path)
    assert result.returncode == 0, result.stderr
    listed = run("visits", "--data-dir", str(tmp_path), "--json")
    visits = json.loads(listed.stdout)
    assert len(visits) >= 3
    kinds = {visit["site_kind"] for visit in visits}
    assert {"mine_district", "workshop", "retirees"} <= kinds or {"team", "workshop", "retirees"} <= kinds
    assert sum(visit["matters"] + visit["withdrawn"] for visit in visits) >= 40
    assert all({"id", "date", "site", "title", "matters"} <= set(visit) for visit in visits)


def test_demo_store_has_the_variety_the_issue_asks_for(tmp_path):
    from fieldvisit.core.records import values
    from fieldvisit.stores.store import ISSUES, TinyDBStore

    assert demo(tmp_path).returncode == 0
    with TinyDBStore(tmp_path / "field" / "fieldvisit.json") as store:
        issues = [values(record) for record in store.all(ISSUES)]
    assert len({issue["category"] for issue in issues}) == 10
    assert any(issue["urgency"] != "normal" for issue in issues)
    assert any(issue.get("collective") for issue in issues)
    assert any(issue.get("repeat") for issue in issues)
    assert any(issue.get("anonymous") for issue in issues)
    assert any(issue["status"] == "withdrawn" for issue in issues)
    assert all(any("\u4e00" <= ch <= "\u9fff" for ch in issue["title"] + issue["demand"]) for issue in issues)


def test_each_seed_is_another_laptop_and_a_seed_is_reproducible(tmp_path):
    for name, seed in (("a", 1), ("b", 1), ("c", 2)):
        assert demo(tmp_path / name, seed).returncode == 0
    store_a = (tmp_path / "a" / "field" / "fieldvisit.json").read_bytes()
    store_b = (tmp_path / "b" / "field" / "fieldvisit.json").read_bytes()
    store_c = (tmp_path / "c" / "field" / "fieldvisit.json").read_bytes()
    assert store_a == store_b
    device = lambda raw: json.loads(raw)["meta"]["store"]["device_id"]  # noqa: E731
    assert device(store_a) != device(store_c)


def test_demo_never_overwrites_real_data(tmp_path):
    from fieldvisit.editing.editor import Editor
    from fieldvisit.stores.store import TinyDBStore

    path = tmp_path / "field" / "fieldvisit.json"
    with TinyDBStore(path) as store:
        Editor(store).create_visit({"title": "真实下访", "site": "一号井"})
    before = path.read_bytes()
    result = demo(tmp_path)
    assert result.returncode == 1
    assert "real data" in result.stderr
    assert path.read_bytes() == before


def test_errors_go_to_stderr_in_the_chosen_language(tmp_path):
    store = tmp_path / "field"
    store.mkdir()
    (store / "fieldvisit.json").write_text("{broken", "utf-8")
    result = run("visits", "--data-dir", str(tmp_path), "--lang", "zh-CN")
    assert result.returncode == 1
    assert "无法读取" in result.stderr and result.stdout == ""
    assert (store / "fieldvisit.json").read_text("utf-8") == "{broken"


def test_data_dir_from_the_environment(tmp_path):
    assert demo(tmp_path).returncode == 0
    result = subprocess.run(
        [sys.executable, "-m", "fieldvisit", "visits"],
        capture_output=True,
        text=True,
        env={"PATH": "/usr/bin:/bin", "FIELDVISIT_DATA": str(tmp_path), "FIELDVISIT_LANG": "en"},
        timeout=60,
    )
    assert result.returncode == 0 and "20 matters" in result.stdout
