"""Where bundles come from on the command line: files, folders (a USB stick), or stdin."""

from __future__ import annotations

from pathlib import Path
from typing import BinaryIO, Iterable

from fieldvisit.errors import NotFoundError

BUNDLE_SUFFIXES = (".fvb", ".json")


def read_sources(names: Iterable[str], stdin: BinaryIO) -> list[tuple[str, bytes]]:
    """(name, bytes) for every bundle named; a folder gives its *.fvb / *.json files, sorted."""
    payloads: list[tuple[str, bytes]] = []
    for name in names:
        if name == "-":
            payloads.append(("<stdin>", stdin.read()))
            continue
        path = Path(name)
        if path.is_dir():
            found = sorted(p for p in path.rglob("*") if p.suffix.lower() in BUNDLE_SUFFIXES and p.is_file())
            payloads.extend((str(p), p.read_bytes()) for p in found)
        elif path.is_file():
            payloads.append((str(path), path.read_bytes()))
        else:
            raise NotFoundError("error.no_such_file", path=name)
    return payloads
