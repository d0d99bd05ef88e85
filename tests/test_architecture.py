"""The layer contracts of docs/architecture.md §2, checked with import-linter on every test run.

import-linter reads the package from disk as it is installed, with `screens/` and `sync/` inside
`fieldvisit/` (pyproject's `package-dir`), so the check runs on a copy laid out that way.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="module")
def installed_layout(tmp_path_factory) -> Path:
    target = tmp_path_factory.mktemp("layout")
    ignore = shutil.ignore_patterns("__pycache__", "*.pyc")
    shutil.copytree(ROOT / "fieldvisit", target / "fieldvisit", ignore=ignore)
    for folder in ("screens", "sync"):
        shutil.copytree(ROOT / folder, target / "fieldvisit" / folder, ignore=ignore)
    shutil.copy(ROOT / "pyproject.toml", target / "pyproject.toml")
    return target


def lint(folder: Path) -> subprocess.CompletedProcess:
    env = {**os.environ, "PYTHONPATH": str(folder)}
    command = [sys.executable, "-c", "import sys; from importlinter.cli import lint_imports_command; sys.exit(lint_imports_command())"]
    return subprocess.run(command, cwd=folder, env=env, capture_output=True, text=True, timeout=300)


def test_every_layer_contract_holds(installed_layout):
    contracts = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["importlinter"]["contracts"]
    assert {contract["type"] for contract in contracts} == {"layers", "forbidden"}
    done = lint(installed_layout)
    assert done.returncode == 0, done.stdout[-4000:] + done.stderr[-2000:]
    assert f"Contracts: {len(contracts)} kept, 0 broken" in done.stdout, done.stdout[-2000:]


def test_a_lower_layer_importing_a_higher_one_breaks_the_build(installed_layout, tmp_path):
    """The check can fail: the store layer reaching up into the office's logic is caught."""
    broken = tmp_path / "broken"
    shutil.copytree(installed_layout, broken)
    store = broken / "fieldvisit" / "stores" / "store.py"
    store.write_text(store.read_text() + "\nfrom fieldvisit.office import policy  # noqa\n")
    done = lint(broken)
    assert done.returncode != 0 and "fieldvisit.stores.store -> fieldvisit.office.policy" in done.stdout, done.stdout[-3000:]
