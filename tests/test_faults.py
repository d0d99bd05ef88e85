"""Faults (issue 13 §4): a full disk, a read-only or missing folder, no permission, a USB stick
pulled out mid-export. Every command says what and where in one line, exits 1, leaves the
stores byte for byte as they were and no temporary file behind, and never prints a traceback
(whose values would name petitioners, passphrase or not).

The faults are injected in-process (`os.fsync` / `os.replace` raising the OS's error), so the
tests behave the same as root, in CI and on any file system.
"""

from __future__ import annotations

import errno
import os
import shutil

import pytest

from fieldvisit.office import facts_cache
from fieldvisit.stores import span_index
from click.testing import CliRunner

from fieldvisit.cli import main
from fieldvisit.editing.editor import Editor
from fieldvisit.core.i18n import t
from fieldvisit.stores.splice_store import SplicingJSONStore
from fieldvisit.stores.store import ISSUES, TinyDBStore

ANCHOR = "2026-11-20"
PASS = "煤矿 下访 2026"


def invoke(*args, input: str | None = None, passphrase: str = ""):
    runner = CliRunner()
    return runner.invoke(main, [str(arg) for arg in args], input=input, env={"FIELDVISIT_PASSPHRASE": passphrase})


DERIVED = (".lock", span_index.SUFFIX, facts_cache.FILE)
"""Files a command may write beside a store and still have changed nothing: lock files (the pid
of the last opener), and data derived from the store, each naming the store state it was made
for and checked against it when read (`stores.span_index`, `office.facts_cache`)."""


def files(folder) -> dict[str, bytes]:
    """Every file under `folder` but the `DERIVED` ones."""
    found = {}
    for root, _, names in os.walk(folder):
        for name in names:
            if not name.endswith(DERIVED):
                path = os.path.join(root, name)
                found[os.path.relpath(path, folder)] = open(path, "rb").read()
    return found


def leftovers(folder) -> list[str]:
    return [name for name in files(folder) if name.endswith((".tmp", ".part"))]


def fail(monkeypatch, code: int, target: str = "fsync", before=None) -> None:
    """Make `os.<target>` fail as the OS does when the disk is full (ENOSPC), read-only, …"""

    def refuse(*args, **kwargs):
        if before is not None:
            before()
        raise OSError(code, os.strerror(code))

    monkeypatch.setattr(os, target, refuse)


def assert_one_line_fault(result, reason_key: str, where) -> str:
    assert result.exit_code == 1, result.output
    assert not isinstance(result.exception, OSError), result.exception
    assert "Traceback" not in result.output
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert t(f"error.fault.reason.{reason_key}") in lines[0]
    assert str(where) in lines[0]
    return lines[0]


@pytest.fixture(scope="module")
def made(tmp_path_factory):
    """A demo laptop and the office holding its visits, then an edit on each side: the stick
    holds the laptop's new export (news to the office), the office's export for the laptop
    (news to the laptop) and the office's enrollment file."""
    base = tmp_path_factory.mktemp("faults")
    laptop, office, stick = base / "laptop", base / "office", base / "stick"
    assert invoke("demo", "--data-dir", laptop, "--anchor", ANCHOR, "--no-open").exit_code == 0
    assert invoke("export", "--data-dir", laptop, "--all", "--out", base / "first.json").exit_code == 0
    assert invoke("import", "--data-dir", office, base / "first.json").exit_code == 0
    with TinyDBStore.in_directory(laptop / "field") as store:
        visit_id = store.all("visits")[0]["id"]
        matters = [record["id"] for record in store.all(ISSUES)]
        device = store.meta()["device_id"]
    with TinyDBStore.in_directory(office / "office") as central:
        Editor(central, device_name="信访办").update_issue(matters[0], {"department": "劳资科"})
    assert invoke("export", "--data-dir", office, "--office", "--device", device, "--out", stick / "down.json").exit_code == 0
    with TinyDBStore.in_directory(laptop / "field") as store:
        Editor(store).update_issue(matters[1], {"commitment": "三日内答复"})
    assert invoke("export", "--data-dir", laptop, "--all", "--out", stick / "plain.json").exit_code == 0
    assert invoke("office", "keys", "init", "--data-dir", office).exit_code == 0
    assert invoke("office", "enroll", "--data-dir", office, "--out", stick / "enroll.json").exit_code == 0
    return {"base": base, "laptop": laptop, "office": office, "stick": stick, "visit": visit_id}


@pytest.fixture
def world(made, tmp_path):
    """A fresh copy of the laptop, the office and the stick for one test."""
    copy = {}
    for name in ("laptop", "office", "stick"):
        copy[name] = tmp_path / name
        shutil.copytree(made[name], copy[name])
    copy["visit"] = made["visit"]
    copy["usb"] = tmp_path / "usb"
    copy["usb"].mkdir()
    return copy


def command_lines(world) -> dict[str, tuple]:
    laptop, office, usb, stick = world["laptop"], world["office"], world["usb"], world["stick"]
    return {
        "export": ("export", "--data-dir", laptop, "--all", "--out", usb),
        "import": ("import", "--data-dir", office, stick / "plain.json"),
        "import_field": ("import", "--field", "--data-dir", laptop, stick / "down.json"),
        "qr": ("qr", "--data-dir", laptop, "--visit", world["visit"], "--out", usb / "qr"),
        "summary": ("summary", "--data-dir", laptop, world["visit"], "--format", "txt", "--out", usb / "summary.txt"),
        "report": ("report", "--data-dir", office, "--from", "2026-10-01", "--to", ANCHOR, "--format", "md", "--out", usb / "report.md"),
        "demo": ("demo", "--data-dir", usb / "new-laptop", "--no-open"),
        "keys_init": ("office", "keys", "init", "--data-dir", usb / "new-office"),
        "keys_backup": ("office", "keys", "backup", "--data-dir", office, "--out", usb / "keys.backup", "--fast-kdf"),
        "office_enroll": ("office", "enroll", "--data-dir", office, "--out", usb / "enroll.json"),
        "enroll": ("enroll", "--data-dir", laptop, stick / "enroll.json"),
        "passphrase": ("passphrase", "set", "--data-dir", laptop, "--fast-kdf"),
    }


INPUTS = {"keys_backup": "pass phrase\npass phrase\n", "passphrase": f"{PASS}\n{PASS}\n"}
WHERE = {  # the path the line must name
    "export": "usb", "qr": "usb", "summary": "usb", "report": "usb", "demo": "usb", "keys_init": "usb",
    "keys_backup": "usb", "office_enroll": "usb", "import": "office", "import_field": "laptop",
    "enroll": "laptop", "passphrase": "laptop",
}


@pytest.mark.parametrize("command", sorted(WHERE))
@pytest.mark.parametrize("code, reason", [(errno.ENOSPC, "enospc"), (errno.EROFS, "erofs"), (errno.EACCES, "eacces")])
def test_a_refused_write_is_one_line_exit_1_and_changes_nothing(world, monkeypatch, command, code, reason):
    args = command_lines(world)[command]
    before = {name: files(world[name]) for name in ("laptop", "office", "stick", "usb")}
    fail(monkeypatch, code)
    result = invoke(*args, input=INPUTS.get(command))
    monkeypatch.undo()
    assert_one_line_fault(result, reason, world[WHERE[command]])
    after = {name: files(world[name]) for name in ("laptop", "office", "stick", "usb")}
    assert after == before
    assert not any(leftovers(world[name]) for name in after)


def test_a_stick_pulled_out_mid_export(world, monkeypatch):
    usb = world["usb"] / "stick"
    usb.mkdir()
    before = files(world["laptop"])
    fail(monkeypatch, errno.EIO, before=lambda: shutil.rmtree(usb))
    result = invoke("export", "--data-dir", world["laptop"], "--all", "--out", usb)
    monkeypatch.undo()
    assert_one_line_fault(result, "eio", usb)
    assert files(world["laptop"]) == before and not usb.exists()


def test_the_rename_failing_leaves_no_temp_file(world, monkeypatch):
    """An import into the office's store is one journal line, appended and fsync'd: the rename
    that fails is the compaction's when the command closes the store. The import stands (in the
    journal), the file is as it was, no temp file is left, and the next opening compacts it."""
    store_file = next(world["office"].rglob("fieldvisit.json"))
    before = store_file.read_bytes()
    with SplicingJSONStore(store_file, read_only=True) as store:
        issues_before = store.all(ISSUES)
    fail(monkeypatch, errno.ENOSPC, target="replace")
    result = invoke("import", "--data-dir", world["office"], world["stick"] / "plain.json")
    monkeypatch.undo()
    assert result.exit_code == 0, result.output
    assert store_file.read_bytes() == before and not leftovers(world["office"])
    with SplicingJSONStore(store_file, read_only=True) as store:
        imported = store.all(ISSUES)
    assert imported != issues_before  # the laptop's edit is in
    with SplicingJSONStore(store_file):
        pass  # closing compacts, the disk being fine again
    assert store_file.read_bytes() != before and not leftovers(world["office"])
    with TinyDBStore(store_file) as store:
        assert store.all(ISSUES) == imported


@pytest.mark.parametrize("command", ["export", "qr", "summary", "report", "demo", "office_enroll", "keys_init"])
def test_a_folder_that_is_not_there(world, command):
    """The target lies under a regular file (ENOTDIR), as a mistyped stick path can: a real
    fault, no injection."""
    blocker = world["usb"] / "not-a-folder"
    blocker.write_text("x")
    args = tuple(blocker / "sub" if arg == world["usb"] else _under(arg, world["usb"], blocker) for arg in command_lines(world)[command])
    before = {name: files(world[name]) for name in ("laptop", "office", "usb")}
    result = invoke(*args)
    assert_one_line_fault(result, "enotdir", blocker)
    assert {name: files(world[name]) for name in before} == before


def test_office_devices_on_a_missing_data_folder(world):
    blocker = world["usb"] / "file"
    blocker.write_text("x")
    result = invoke("office", "devices", "--data-dir", blocker / "data")
    assert_one_line_fault(result, "enotdir", blocker)


def _under(arg, usb, blocker):
    """`usb/x` → `blocker/x`: a path whose parent is a file."""
    text = str(arg)
    return blocker / os.path.relpath(text, usb) if text.startswith(str(usb) + os.sep) else arg


# -- no petitioner data in any output -------------------------------------------------------


def petitioner_names(laptop) -> set[str]:
    with TinyDBStore.in_directory(laptop / "field") as store:
        return {name for name in (r["fields"].get("petitioner_name", {}).get("value") for r in store.all(ISSUES)) if isinstance(name, str) and len(name) >= 2}


@pytest.mark.parametrize("command", ["export", "import_field", "summary", "qr"])
def test_with_a_passphrase_a_full_disk_prints_no_petitioner(world, monkeypatch, command):
    names = petitioner_names(world["laptop"])
    assert names
    assert invoke("passphrase", "set", "--data-dir", world["laptop"], "--fast-kdf", input=f"{PASS}\n{PASS}\n").exit_code == 0
    before = files(world["laptop"])
    fail(monkeypatch, errno.ENOSPC)
    result = invoke(*command_lines(world)[command], passphrase=PASS)
    monkeypatch.undo()
    assert_one_line_fault(result, "enospc", world[WHERE[command]])
    assert not [name for name in names if name in result.output + result.stderr]
    assert files(world["laptop"]) == before
