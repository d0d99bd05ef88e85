"""The office app opens on its register without importing what only other keys need (issue 16 §4).

Every module imported before the first rows is time an officer waits at each start; the other
modes' screens and what they stand on (the trust gate and its crypto, bundle imports, statistics,
repeats) are imported when their key is first pressed. Checked in a fresh interpreter, whose
`sys.modules` says exactly what the start imported.
"""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap

import pytest

LATER = (
    "fieldvisit.screens.attention",
    "fieldvisit.screens.statistics",
    "fieldvisit.screens.imports",
    "fieldvisit.screens.devices",
    "fieldvisit.office.repeats",
    "fieldvisit.office.stats",
    "fieldvisit.trust.devices",
    "fieldvisit.trust.keys",
    "fieldvisit.sync.importer",
    "fieldvisit.sync.sealed",
    "nacl",
)
"""Imported when first needed, never by the register's first paint."""

OPEN_AND_PRESS = textwrap.dedent(
    """
    import asyncio, json, sys
    from pathlib import Path

    from fieldvisit.core.i18n import set_language

    set_language("zh-CN")
    from fieldvisit.apps.office import OfficeApp

    target, later = sys.argv[1], json.loads(sys.argv[2])
    if target.startswith("postgresql://"):
        from fieldvisit.stores.postgres import PostgresStore

        store = PostgresStore(target)
    else:
        from fieldvisit.stores.store import TinyDBStore

        store = TinyDBStore.in_directory(Path(target))
    found = {}

    async def drive():
        async with OfficeApp(store).run_test(size=(120, 40)) as pilot:
            await pilot.pause()
            found["register"] = type(pilot.app.screen).__name__
            found["at_open"] = [name for name in later if name in sys.modules]
            await pilot.press("f6")
            await pilot.pause()
            found["after_f6"] = type(pilot.app.screen).__name__

    try:
        asyncio.run(drive())
    finally:
        store.close()
    print(json.dumps(found))
    """
)


def opened(target: str) -> dict:
    done = subprocess.run([sys.executable, "-c", OPEN_AND_PRESS, target, json.dumps(LATER)], capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr[-3000:]
    return json.loads(done.stdout.strip().splitlines()[-1])


@pytest.mark.parametrize("back_end", ["json", "postgresql"])
def test_the_office_app_opens_its_register_without_the_other_modes_modules(back_end, tmp_path, request):
    target = request.getfixturevalue("postgres_store_url") if back_end == "postgresql" else str(tmp_path / "office")
    found = opened(target)
    assert found["register"] == "RegisterScreen"
    assert found["at_open"] == []
    assert found["after_f6"] == "DevicesScreen"  # imported when its key is pressed
