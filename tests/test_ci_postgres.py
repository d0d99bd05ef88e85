"""CI gets a PostgreSQL server or says why not (.ci/postgres-server.sh), and the PostgreSQL tests
fail rather than skip on a machine without one unless told to skip (tests/pg_fixtures.py).

The install logic runs against fake `apt-get`, `id` and `sudo` on a PATH of their own, so the
machine running the tests is never changed."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
SCRIPT = ROOT / ".ci" / "postgres-server.sh"


def fake_machine(tmp_path: Path, uid: int = 0, apt: bool = True, sudo: bool = False) -> tuple[dict[str, str], Path]:
    """A PATH holding only bash and env plus fakes; `apt-get install` "installs" a server
    under the fake server root. Returns the environment and the log of commands run."""
    bin_dir, log = tmp_path / "bin", tmp_path / "commands.log"
    bin_dir.mkdir()
    for tool in ("bash", "env"):
        (bin_dir / tool).symlink_to(shutil.which(tool))
    server_root = tmp_path / "postgresql"
    scripts = {"id": f'#!{shutil.which("bash")}\n[ "$1" = -u ] && echo {uid}\n'}
    if apt:
        scripts["apt-get"] = (
            f'#!{shutil.which("bash")}\necho "apt-get $*" >> {log}\n'
            f'if [ "$1" = install ]; then {shutil.which("mkdir")} -p {server_root}/16/bin && : > {server_root}/16/bin/initdb; fi\n'
        )
    if sudo:
        scripts["sudo"] = f'#!{shutil.which("bash")}\n[ "$1" = -n ] && shift\n[ "$1" = true ] && exit 0\necho "sudo $1" >> {log}\nexec "$@"\n'
    for name, text in scripts.items():
        (bin_dir / name).write_text(text)
        (bin_dir / name).chmod(0o755)
    env = {"PATH": str(bin_dir), "FIELDVISIT_CI_PG_ROOT": str(server_root), "HOME": str(tmp_path)}
    return env, log


def ensure(env: dict[str, str]) -> subprocess.CompletedProcess:
    return subprocess.run(
        [env["PATH"] + "/bash", "-c", f". {SCRIPT} && ensure_postgres_server && postgres_server_found && echo FOUND"],
        check=False, env=env, capture_output=True, text=True, timeout=60,
    )


def commands(log: Path) -> list[str]:
    return log.read_text().splitlines() if log.exists() else []


def test_root_on_debian_without_a_server_installs_it_from_the_os_packages(tmp_path: Path) -> None:
    env, log = fake_machine(tmp_path)
    result = ensure(env)
    assert commands(log) == ["apt-get update -q", "apt-get install -y -q --no-install-recommends postgresql"]
    assert "FOUND" in result.stdout, result.stderr


def test_a_machine_with_a_server_installs_nothing(tmp_path: Path) -> None:
    env, log = fake_machine(tmp_path)
    (Path(env["FIELDVISIT_CI_PG_ROOT"]) / "15" / "bin").mkdir(parents=True)
    (Path(env["FIELDVISIT_CI_PG_ROOT"]) / "15" / "bin" / "initdb").touch()
    assert "FOUND" in ensure(env).stdout
    assert commands(log) == []


def test_a_given_server_url_installs_nothing(tmp_path: Path) -> None:
    env, log = fake_machine(tmp_path)
    result = ensure({**env, "FIELDVISIT_TEST_PG_URL": "postgresql://ci@db/fieldvisit"})
    assert commands(log) == [] and "FIELDVISIT_TEST_PG_URL" in result.stdout


def test_a_user_without_sudo_is_told_it_needs_root(tmp_path: Path) -> None:
    env, log = fake_machine(tmp_path, uid=1000)
    result = ensure(env)
    assert commands(log) == [] and "needs root" in result.stderr and "FOUND" not in result.stdout


def test_a_user_with_password_less_sudo_installs_through_it(tmp_path: Path) -> None:
    env, log = fake_machine(tmp_path, uid=1000, sudo=True)
    result = ensure(env)
    assert commands(log) == ["sudo env", "apt-get update -q", "sudo env", "apt-get install -y -q --no-install-recommends postgresql"]
    assert "FOUND" in result.stdout


def test_a_machine_without_apt_get_is_told_what_to_install(tmp_path: Path) -> None:
    env, _ = fake_machine(tmp_path, apt=False)
    result = ensure(env)
    assert "no apt-get" in result.stderr and "FOUND" not in result.stdout


@pytest.mark.parametrize(("allow", "outcome"), [("", "error"), ("1", "skipped")])
def test_without_server_binaries_the_postgresql_tests_fail_unless_skipping_is_allowed(tmp_path: Path, allow: str, outcome: str) -> None:
    env = {key: value for key, value in os.environ.items() if key not in ("FIELDVISIT_TEST_PG_URL", "FIELDVISIT_ALLOW_NO_PG")}
    env.update(PATH=str(Path(sys.executable).parent), FIELDVISIT_CI_PG_ROOT=str(tmp_path / "none"), FIELDVISIT_ALLOW_NO_PG=allow)
    result = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:randomly", "-p", "no:cacheprovider",
         "tests/test_store_postgres.py::test_the_shared_clock_never_moves_back"],
        check=False, cwd=ROOT, env=env, capture_output=True, text=True, timeout=300,
    )
    assert f"1 {outcome}" in result.stdout, result.stdout[-2000:]
    assert "postgresql" in result.stdout
    assert (result.returncode == 0) == (outcome == "skipped")
