"""Where bundles come from on the command line: files, folders (a USB stick), or stdin.

Bundles are read one at a time, as the import asks for them, so a folder of many bundles is
never held in memory at once; a file larger than the bundle limit is refused by its size, before
it is read, with a line saying which file and what the limit is (`Payloads.problems`), and the
rest goes on.
"""

from __future__ import annotations

from pathlib import Path
from typing import BinaryIO, Callable, Iterable, Iterator

from fieldvisit.core.errors import BundleError, NotFoundError
from fieldvisit.sync.validate import DEFAULT_MAX_BYTES

BUNDLE_SUFFIXES = (".fvb", ".json")


class Payloads:
    """Bundles as (name, bytes), each read (or decoded) only when the import asks for it.

    `len()` is the number of bundles found; one that cannot be read (its reader raises a
    `BundleError` that names it) is skipped while iterating and its message added to `problems`,
    so the others still import."""

    def __init__(self, items: list[tuple[str, Callable[[], bytes]]], problems: list[str] | None = None):
        self.items = items
        self.problems = [] if problems is None else problems

    def __len__(self) -> int:
        return len(self.items)

    def __getitem__(self, position: int) -> tuple[str, bytes]:
        """One bundle read on its own (`BundleError` if it cannot be)."""
        name, read = self.items[position]
        return name, read()

    def __iter__(self) -> Iterator[tuple[str, bytes]]:
        for name, read in self.items:
            try:
                raw = read()
            except BundleError as error:
                self.problems.append(str(error))
                continue
            yield name, raw


def read_sources(names: Iterable[str], stdin: BinaryIO | None, max_bytes: int = DEFAULT_MAX_BYTES) -> Payloads:
    """(name, bytes) for every bundle named, one file at a time; a folder gives its *.fvb / *.json files, sorted.

    Every name is checked at once (`NotFoundError` for a missing one, before anything is read);
    a file larger than `max_bytes` is refused by its size, unread, and listed in `problems`."""
    found: list[tuple[str, Callable[[], bytes]]] = []
    for name in names:
        path = Path(name)
        if name == "-":
            found.append(("<stdin>", lambda: _read_stdin(stdin, max_bytes)))
        elif path.is_dir():
            files = sorted(p for p in path.rglob("*") if p.suffix.lower() in BUNDLE_SUFFIXES and p.is_file())
            found.extend((str(p), lambda p=p: _read_file(p, max_bytes)) for p in files)
        elif path.is_file():
            found.append((str(path), lambda path=path: _read_file(path, max_bytes)))
        else:
            raise NotFoundError("error.no_such_file", path=name)
    return Payloads(found)


def _read_file(path: Path, max_bytes: int) -> bytes:
    size = path.stat().st_size
    if size > max_bytes:
        raise BundleError("error.source_limit.file", path=str(path), size=f"{size:,}", limit=_mib(max_bytes))
    return path.read_bytes()


def _read_stdin(stdin: BinaryIO | None, max_bytes: int) -> bytes:
    raw = stdin.read(max_bytes + 1) if stdin is not None else b""
    if len(raw) > max_bytes:
        raise BundleError("error.source_limit.stdin", limit=_mib(max_bytes))
    return raw


def _mib(size: int) -> str:
    return f"{size / 1024 / 1024:g} MiB"
