"""`fieldvisit office migrate --to PATH` moves the whole office: the records, and the office's keys,
policy, templates, roster and quarantine into the new folder — never over a file already there."""

from __future__ import annotations

import datetime as dt
import os
import stat

from click.testing import CliRunner

from fieldvisit.cli import main
from fieldvisit.core.i18n import set_language, t
from fieldvisit.demo.office import write_office_demo
from fieldvisit.locations.paths import Home
from fieldvisit.stores.splice_store import SplicingJSONStore
from fieldvisit.stores.store import ISSUES, VISITS
from fieldvisit.trust import keys as trust

ANCHOR = dt.date(2026, 11, 20)


def office_with_things(data) -> Home:
    folder = data / "office"
    write_office_demo(folder, ANCHOR)
    home = Home(folder)
    trust.OfficeKeys.generate("东风煤业信访办").save(home.office_keys_file)
    home.policy_file.write_text("acceptance_days = 10\n", encoding="utf-8")
    home.templates_dir.mkdir(exist_ok=True)
    (home.templates_dir / "reply.toml").write_text('title = "答复意见书"\n', encoding="utf-8")
    home.roster_file.write_text('{"people": []}', encoding="utf-8")
    (home.quarantine_dir / "01KC00000000000000000000AA").mkdir(parents=True)
    (home.quarantine_dir / "01KC00000000000000000000AA" / "bundle.fvs").write_bytes(b"sealed")
    return home


def migrate(data, target) -> str:
    set_language("en")
    result = CliRunner().invoke(main, ["office", "migrate", "--data-dir", str(data), "--to", str(target), "--lang", "en"])
    assert result.exit_code == 0, result.output
    return result.output


def test_moving_to_a_new_folder_takes_the_offices_files_along(tmp_path):
    data = tmp_path / "data"
    home = office_with_things(data)
    target = tmp_path / "new-office"
    said = migrate(data, target)
    moved = Home(target)
    originals = [item for path in home.office_files for item in ([*path.rglob("*")] if path.is_dir() else [path]) if item.is_file()]
    assert len(originals) == 5  # keys, policy, a template, the roster, a quarantined bundle
    for item in originals:
        copy = target / item.relative_to(home.folder)
        assert copy.read_bytes() == item.read_bytes(), copy
        assert t("migrate_home.copied", path=str(copy)) in said
    assert stat.S_IMODE(os.stat(moved.office_keys_file).st_mode) == stat.S_IMODE(os.stat(home.office_keys_file).st_mode) == 0o600
    assert not (target / "register-cache.json").exists()  # derived data: rebuilt for the new store
    with SplicingJSONStore(data / "office" / "fieldvisit.json", read_only=True) as old, SplicingJSONStore(target / "fieldvisit.json", read_only=True) as new:
        assert new.record_count(ISSUES) == old.record_count(ISSUES) > 0
        assert new.record_count(VISITS) == old.record_count(VISITS)


def test_a_file_the_new_folder_has_already_is_left_as_it_is(tmp_path):
    data = tmp_path / "data"
    home = office_with_things(data)
    target = tmp_path / "new-office"
    target.mkdir()
    (target / "policy.toml").write_text("acceptance_days = 5\n", encoding="utf-8")
    said = migrate(data, target)
    assert (target / "policy.toml").read_text(encoding="utf-8") == "acceptance_days = 5\n"  # not overwritten
    assert t("migrate_home.kept", path=str(target / "policy.toml")) in said
    assert (target / "office-keys.json").read_bytes() == home.office_keys_file.read_bytes()
    assert t("migrate_home.copied", path=str(target / "office-keys.json")) in said
