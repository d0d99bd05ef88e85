"""A passphrase on the field store (issue 8, "at rest"): petitioners' data sealed in the file.

The laptop is the demo store with what a real one gathers over weeks: a corrected name (history)
and a phone changed at the office while the laptop changed it too (a conflict, brought back by
`import --field`). Every petitioner value anywhere in it must vanish from the file's bytes while
every command still works with the passphrase, and a wrong passphrase must change nothing.
Argon2id runs with the light "interactive" limits here (`--fast-kdf`); the default is "moderate".
"""

from __future__ import annotations

import gzip
import json
import re

import orjson
import pytest
from click.testing import CliRunner
from homes import home_of
from fieldvisit.screens.unlock import UnlockScreen
from fieldvisit.screens.visits import VisitsScreen
from textual.widgets import DataTable, Input, Static

from fieldvisit.stores import at_rest
from fieldvisit.stores import storage
from fieldvisit.cli import main
from fieldvisit.editing.editor import Editor
from fieldvisit.core.errors import PassphraseError
from fieldvisit.apps.field import FieldApp
from fieldvisit.core.records import values
from fieldvisit.stores.store import ISSUES, TinyDBStore

PASS = "煤矿 下访 2026"
NEW_PASS = "another passphrase"
SEALED_NAMES = ("petitioner_name", "employee_no", "phone", "representatives")


def invoke(*args, passphrase: str | None = None, input: str | None = None):
    env = {"FIELDVISIT_PASSPHRASE": passphrase} if passphrase is not None else {"FIELDVISIT_PASSPHRASE": ""}
    return CliRunner().invoke(main, [str(arg) for arg in args], env=env, input=input, catch_exceptions=False)


def store_file(data_dir):
    return data_dir / "field" / TinyDBStore.FILE_NAME


def petitioner_texts(data_dir) -> set[str]:
    """Every name, employee number and phone anywhere in the store: fields, history, conflicts."""
    found: set[str] = set()
    with TinyDBStore.in_directory(data_dir / "field") as store:
        if store.locked:
            at_rest.unlock(store, PASS)
        for record in store.all(ISSUES):
            places = [record["fields"].get(name, {}).get("value") for name in SEALED_NAMES]
            places += [register["value"] for name in SEALED_NAMES for register in record["history"].get(name, {}).values()]
            places += [conflict["value"] for conflict in record["conflicts"] if conflict["field"] in SEALED_NAMES]
            for value in places:
                found.update(part for part in re.split("[、,，]", str(value or "")) if len(part) >= 2)
    return found


@pytest.fixture
def laptop(tmp_path):
    """A demo laptop whose matter has a corrected name and a phone in conflict with the office."""
    data, office, stick = tmp_path / "laptop", tmp_path / "office", tmp_path / "stick"
    assert invoke("demo", "--data-dir", data, "--anchor", "2026-11-20", "--no-open").exit_code == 0
    assert invoke("export", "--data-dir", data, "--all", "--out", stick / "up").exit_code == 0
    assert invoke("import", "--data-dir", office, stick / "up").exit_code == 0
    with TinyDBStore.in_directory(data / "field") as field:
        matter = next(record for record in field.all(ISSUES) if values(record).get("phone"))
        device = field.meta()["device_id"]
    with TinyDBStore.in_directory(office / "office") as central:
        Editor(central, device_name="信访办").update_issue(matter["id"], {"phone": "13900000001"})
    assert invoke("export", "--data-dir", office, "--office", "--device", device, "--out", stick / "down").exit_code == 0
    with TinyDBStore.in_directory(data / "field") as field:
        Editor(field).update_issue(matter["id"], {"phone": "13900000002", "petitioner_name": "欧阳振华"})
    return {"data": data, "office": office, "down": stick / "down", "matter": matter["id"]}


def set_passphrase(data_dir, passphrase: str = PASS):
    return invoke("passphrase", "set", "--data-dir", data_dir, "--fast-kdf", input=f"{passphrase}\n{passphrase}\n")


# -- the command line ---------------------------------------------------------------------


def test_passphrase_seals_every_petitioner_value_and_every_command_still_works(laptop, tmp_path):
    data = laptop["data"]
    assert invoke("import", "--data-dir", data, "--field", laptop["down"]).exit_code == 0  # the conflict
    texts = petitioner_texts(data)
    with TinyDBStore.in_directory(data / "field") as field:
        record = field.get(ISSUES, laptop["matter"])
        assert record["history"]["petitioner_name"] and record["conflicts"][0]["field"] == "phone"
        plain_issues = sorted((values(issue) for issue in field.all(ISSUES)), key=lambda issue: issue["id"])
    visits_before = invoke("visits", "--data-dir", data, "--json").output
    assert {"欧阳振华", "13900000001", "13900000002"} <= texts and len(texts) > 100

    made = set_passphrase(data)
    assert made.exit_code == 0, made.output
    raw = store_file(data).read_bytes()
    leaked = [text for text in texts if text.encode() in raw]
    assert not leaked
    assert raw.count(b'{"sealed":"') >= len(texts)
    settings = orjson.loads(raw)["meta"]["store"]["at_rest"]
    assert settings["kdf"] == "argon2id" and settings["opslimit"] == at_rest.KDF_LIMITS["interactive"][0]
    assert "东风" in raw.decode() or "矿" in raw.decode()  # titles, sites and demands stay readable

    assert invoke("visits", "--data-dir", data, "--json", passphrase=PASS).output == visits_before
    prompted = invoke("visits", "--data-dir", data, "--json", input=f"{PASS}\n")
    assert prompted.exit_code == 0 and json.loads(prompted.stdout[prompted.stdout.index("[") :]) == json.loads(visits_before)

    out = tmp_path / "bundle.fvb"
    assert invoke("export", "--data-dir", data, "--all", "--out", out, passphrase=PASS).exit_code == 0
    bundle = orjson.loads(gzip.decompress(out.read_bytes()))
    exported = {issue["id"]: issue for issue in bundle["issues"]}
    assert len(exported) == len(plain_issues)
    assert "欧阳振华" in gzip.decompress(out.read_bytes()).decode()  # not enrolled: the plain values travel

    visit_id = json.loads(visits_before)[0]["id"]
    summary = tmp_path / "summary.txt"
    written = invoke("summary", visit_id, "--data-dir", data, "--format", "txt", "--out", summary, passphrase=PASS)
    assert written.exit_code == 0, written.output
    with TinyDBStore.in_directory(data / "field") as field:
        at_rest.unlock(field, PASS)
        names = {values(issue).get("petitioner_name") for issue in field.all(ISSUES) if values(issue)["visit_id"] == visit_id}
        assert sorted((values(issue) for issue in field.all(ISSUES)), key=lambda issue: issue["id"]) == plain_issues
    assert any(name and name in summary.read_text() for name in names)


@pytest.mark.parametrize(
    "command",
    [
        ("visits", "--json"),
        ("export", "--all", "--out", "{tmp}/out.fvb"),
        ("summary", "{visit}", "--format", "txt", "--out", "{tmp}/s.txt"),
        ("qr", "--out", "{tmp}/qr"),
        ("import", "--field", "{down}"),
        ("passphrase", "change", "--fast-kdf"),
        ("passphrase", "remove"),
        ("demo", "--no-open"),
    ],
)
def test_a_wrong_passphrase_is_one_clear_line_and_changes_nothing(laptop, tmp_path, command):
    data = laptop["data"]
    assert set_passphrase(data).exit_code == 0
    visit = json.loads(invoke("visits", "--data-dir", data, "--json", passphrase=PASS).output)[0]["id"]
    before = store_file(data).read_bytes()
    args = [part.format(tmp=tmp_path, visit=visit, down=laptop["down"]) for part in command]
    result = invoke(*args, "--data-dir", data, "--lang", "en", passphrase="not it", input=f"{NEW_PASS}\n{NEW_PASS}\n")
    assert result.exit_code == 1
    assert result.stderr.strip().splitlines() == ["fieldvisit: Wrong passphrase: the field store was not opened and nothing was changed."]
    assert store_file(data).read_bytes() == before
    assert not (tmp_path / "out.fvb").exists() and not (tmp_path / "s.txt").exists() and not (tmp_path / "qr").exists()


def test_change_and_remove_the_passphrase(laptop):
    data = laptop["data"]
    texts = petitioner_texts(data)
    assert set_passphrase(data).exit_code == 0
    again = set_passphrase(data)
    assert again.exit_code == 1 and "passphrase change" in again.stderr

    changed = invoke("passphrase", "change", "--data-dir", data, "--fast-kdf", input=f"{PASS}\n{NEW_PASS}\n{NEW_PASS}\n")
    assert changed.exit_code == 0, changed.output
    assert invoke("visits", "--data-dir", data, passphrase=PASS).exit_code == 1
    assert invoke("visits", "--data-dir", data, passphrase=NEW_PASS).exit_code == 0
    raw = store_file(data).read_bytes()
    assert not [text for text in texts if text.encode() in raw]

    removed = invoke("passphrase", "remove", "--data-dir", data, passphrase=NEW_PASS)
    assert removed.exit_code == 0, removed.output
    raw = store_file(data).read_bytes()
    assert b'"sealed"' not in raw and b"at_rest" not in raw and "欧阳振华".encode() in raw
    assert invoke("visits", "--data-dir", data).exit_code == 0  # nothing asked any more
    assert invoke("passphrase", "remove", "--data-dir", data).exit_code == 1


def test_import_field_into_a_sealed_store_merges_and_seals(laptop):
    data = laptop["data"]
    assert set_passphrase(data).exit_code == 0
    imported = invoke("import", "--data-dir", data, "--field", laptop["down"], passphrase=PASS)
    assert imported.exit_code == 0, imported.output
    raw = store_file(data).read_bytes()
    assert b"13900000001" not in raw and b"13900000002" not in raw
    with TinyDBStore.in_directory(data / "field") as field:
        at_rest.unlock(field, PASS)
        record = field.get(ISSUES, laptop["matter"])
    assert {conflict["value"] for conflict in record["conflicts"]} | {values(record)["phone"]} == {"13900000001", "13900000002"}
    again = invoke("import", "--data-dir", data, "--field", laptop["down"], passphrase=PASS)
    assert again.exit_code == 0 and store_file(data).read_bytes() == raw  # a replay writes nothing


def test_a_protected_demo_store_made_afresh_stays_protected(laptop):
    data = laptop["data"]
    assert set_passphrase(data).exit_code == 0
    remade = invoke("demo", "--data-dir", data, "--anchor", "2026-11-20", "--no-open", passphrase=PASS)
    assert remade.exit_code == 0, remade.output
    assert "欧阳振华".encode() not in store_file(data).read_bytes()
    assert invoke("visits", "--data-dir", data, passphrase=PASS).exit_code == 0
    assert invoke("visits", "--data-dir", data, passphrase="not it").exit_code == 1


def test_enroll_needs_no_passphrase(laptop, tmp_path):
    data, office = laptop["data"], laptop["office"]
    assert set_passphrase(data).exit_code == 0
    assert invoke("office", "keys", "init", "--data-dir", office).exit_code == 0
    assert invoke("office", "enroll", "--data-dir", office, "--out", tmp_path / "enroll.json").exit_code == 0
    before = store_file(data).read_bytes()
    enrolled = invoke("enroll", "--data-dir", data, tmp_path / "enroll.json")
    assert enrolled.exit_code == 0, enrolled.output
    assert store_file(data).read_bytes() == before


# -- the store ----------------------------------------------------------------------------


def test_a_save_reseals_only_the_record_it_changed(store, editor, visit):
    for number in range(3):
        editor.record_issue(visit["id"], {"title": f"事项{number}", "petitioner_name": f"张{number}", "phone": f"1380000000{number}"})
    at_rest.set_passphrase(store, PASS, at_rest.FAST_STRENGTH)

    def sealed():
        return orjson.loads(store.path.read_bytes())[ISSUES]

    before = sealed()
    first = min(before)
    editor.update_issue(first, {"title": "改过的标题"})
    after = sealed()
    assert {key: after[key] for key in after if key != first} == {key: before[key] for key in before if key != first}
    assert after[first]["fields"]["title"]["value"] == "改过的标题"
    assert at_rest.is_sealed(after[first]["fields"]["petitioner_name"]["value"])
    assert values(store.get(ISSUES, first))["petitioner_name"] == "张0"


def test_turning_it_on_is_one_atomic_write(store, editor, visit, monkeypatch):
    editor.record_issue(visit["id"], {"title": "事项", "petitioner_name": "李四"})
    before = store.path.read_bytes()

    def crash(path, payload):
        raise OSError("power cut")

    monkeypatch.setattr(storage, "write_atomically", crash)
    with pytest.raises(OSError):
        at_rest.set_passphrase(store, PASS, at_rest.FAST_STRENGTH)
    assert store.path.read_bytes() == before
    monkeypatch.undo()
    assert not store.locked and values(store.all(ISSUES)[0])["petitioner_name"] == "李四"
    editor.record_issue(visit["id"], {"title": "又一件"})  # still a plain store that saves
    assert b"sealed" not in store.path.read_bytes()


def test_a_locked_store_reads_its_meta_but_no_record(tmp_path, store, editor, visit):
    editor.record_issue(visit["id"], {"title": "事项", "petitioner_name": "王五"})
    at_rest.set_passphrase(store, PASS, at_rest.FAST_STRENGTH)
    store.close()
    with TinyDBStore(store.path) as reopened:
        assert reopened.locked and reopened.meta()["device_name"] == "测试笔记本"
        with pytest.raises(PassphraseError):
            reopened.all(ISSUES)
        with pytest.raises(PassphraseError):
            at_rest.unlock(reopened, "王五")
        assert reopened.locked
        at_rest.unlock(reopened, PASS)
        assert values(reopened.all(ISSUES)[0])["petitioner_name"] == "王五"


# -- the field app ------------------------------------------------------------------------


async def test_unlock_screen_wrong_then_right(store, editor, visit):
    editor.record_issue(visit["id"], {"title": "井下津贴少发", "petitioner_name": "赵六"})
    at_rest.set_passphrase(store, PASS, at_rest.FAST_STRENGTH)
    store.close()
    with TinyDBStore(store.path) as locked:
        before = locked.path.read_bytes()
        app = FieldApp(locked, home=home_of(locked))
        async with app.run_test(size=(100, 30)) as pilot:
            await pilot.pause()
            assert isinstance(app.screen, UnlockScreen)
            assert not app.screen.query(DataTable)
            field = app.screen.query_one("#passphrase", Input)
            assert field.password and app.focused is field

            field.value = "不是这个"
            await pilot.press("enter")
            await app.workers.wait_for_complete()
            await pilot.pause()
            assert isinstance(app.screen, UnlockScreen)
            message = str(app.screen.query_one("#unlock-message", Static).render())
            assert "口令错误" in message
            assert app.screen.query_one("#passphrase", Input).value == ""
            assert locked.path.read_bytes() == before

            app.screen.query_one("#passphrase", Input).value = PASS
            await pilot.press("enter")
            await app.workers.wait_for_complete()
            await pilot.pause()
            assert isinstance(app.screen, VisitsScreen)
            assert app.screen.query_one("#visits", DataTable).row_count == 1
        assert locked.path.read_bytes() == before


async def test_set_then_change_the_passphrase_from_the_app(store, editor, visit):
    from fieldvisit.screens.passphrase import PassphraseScreen

    editor.record_issue(visit["id"], {"title": "澡堂没有热水", "petitioner_name": "钱七"})
    app = FieldApp(store, editor, home=home_of(store))
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.pause()
        app.push_screen(PassphraseScreen(at_rest.FAST_STRENGTH))
        await pilot.pause()
        assert not app.screen.query("#pp-current")
        app.screen.query_one("#pp-new", Input).value = PASS
        await pilot.press("enter")
        app.screen.query_one("#pp-repeat", Input).value = "typo"
        await pilot.press("enter")
        await pilot.pause()
        assert "不一致" in str(app.screen.query_one("#passphrase-message", Static).render())
        app.screen.query_one("#pp-repeat", Input).value = PASS
        await pilot.press("enter")
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert isinstance(app.screen, VisitsScreen)
        assert "钱七".encode() not in store.path.read_bytes() and at_rest.is_protected(store)

        app.push_screen(PassphraseScreen(at_rest.FAST_STRENGTH))
        await pilot.pause()
        for selector, value in (("#pp-current", "wrong"), ("#pp-new", NEW_PASS), ("#pp-repeat", NEW_PASS)):
            app.screen.query_one(selector, Input).value = value
        app.screen.query_one("#pp-repeat", Input).focus()
        before = store.path.read_bytes()
        await pilot.press("enter")
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert isinstance(app.screen, PassphraseScreen) and store.path.read_bytes() == before
        assert "口令错误" in str(app.screen.query_one("#passphrase-message", Static).render())
        app.screen.query_one("#pp-current", Input).value = PASS
        app.screen.query_one("#pp-repeat", Input).focus()
        await pilot.press("enter")
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert isinstance(app.screen, VisitsScreen)
    store.close()
    with TinyDBStore(store.path) as reopened:
        with pytest.raises(PassphraseError):
            at_rest.unlock(reopened, PASS)
        at_rest.unlock(reopened, NEW_PASS)
        assert values(reopened.all(ISSUES)[0])["petitioner_name"] == "钱七"
