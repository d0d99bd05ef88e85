"""CI installs poppler's pdftotext when it is missing (.ci/pdf-tools.sh), so the tests that read
printed PDFs run rather than skip; run against fakes, as `.ci/postgres-server.sh` is."""

from __future__ import annotations

import subprocess
from pathlib import Path

from test_ci_postgres import ROOT, commands, fake_machine

SCRIPT = ROOT / ".ci" / "pdf-tools.sh"


def ensure(env: dict[str, str]) -> subprocess.CompletedProcess:
    return subprocess.run([env["PATH"] + "/bash", "-c", f". {SCRIPT} && ensure_pdf_tools && echo DONE"], check=False, env=env, capture_output=True, text=True, timeout=60)


def test_root_without_pdftotext_installs_poppler_from_the_os_packages(tmp_path: Path) -> None:
    env, log = fake_machine(tmp_path)
    result = ensure(env)
    assert commands(log) == ["apt-get update -q", "apt-get install -y -q --no-install-recommends poppler-utils"]
    assert "DONE" in result.stdout, result.stderr


def test_a_machine_with_pdftotext_installs_nothing(tmp_path: Path) -> None:
    env, log = fake_machine(tmp_path)
    for tool in ("pdftotext", "pdftoppm"):
        (Path(env["PATH"]) / tool).write_text("#!/bin/sh\n")
        (Path(env["PATH"]) / tool).chmod(0o755)
    assert "DONE" in ensure(env).stdout and commands(log) == []


def test_a_user_without_sudo_is_told_and_ci_goes_on(tmp_path: Path) -> None:
    env, log = fake_machine(tmp_path, uid=1000)
    result = ensure(env)
    assert commands(log) == [] and "needs root" in result.stderr and "skipped" in result.stderr and "DONE" in result.stdout
