"""The one place that knows where fieldvisit keeps files on disk."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

from platformdirs import user_cache_path, user_config_path, user_data_path

APP_NAME = "fieldvisit"
DATA_ENV = "FIELDVISIT_DATA"
CONFIG_ENV = "FIELDVISIT_CONFIG"


def data_dir(override: str | os.PathLike | None = None) -> Path:
    """`--data-dir`, else `$FIELDVISIT_DATA`, else the platform's per-user data directory."""
    if override:
        return Path(override).expanduser()
    from_env = os.environ.get(DATA_ENV)
    if from_env:
        return Path(from_env).expanduser()
    return user_data_path(APP_NAME, appauthor=False)


def field_store_dir(base: Path) -> Path:
    """The field laptop's own store lives in `<data dir>/field`."""
    return base / "field"


def office_store_dir(base: Path) -> Path:
    """The petition office's central store lives in `<data dir>/office`."""
    return base / "office"


def field_home(base: Path) -> "Home":
    """Where a laptop keeps its keys and roster: beside its own store."""
    return Home(field_store_dir(base))


def demo_dir(seed: int) -> Path:
    """Where `fieldvisit demo` keeps its sample store when no data dir is given."""
    return user_data_path(APP_NAME, appauthor=False) / "demo" / f"seed-{seed}"


@dataclass(frozen=True)
class Home:
    """Where a laptop or an office keeps its things *beside* its store of records: keys,
    quarantine, policy, templates, roster, summaries, caches.

    The store of records may be a JSON file in `folder` or a PostgreSQL database elsewhere;
    nothing asks the store where it lives. `folder` None: nothing is kept on disk (a store in
    memory, in tests), and every file below is None."""

    folder: Path | None

    @classmethod
    def beside(cls, store_file: str | os.PathLike) -> "Home":
        """The home of a JSON store: the folder its file is in (as before homes had a name)."""
        return cls(Path(store_file).expanduser().parent)

    def _inside(self, name: str) -> Path | None:
        return None if self.folder is None else self.folder / name

    @property
    def qr_pending_file(self) -> Path | None:
        """Frames scanned so far, so a restart of the office app loses none."""
        return self._inside("qr-pending.txt")

    @property
    def policy_file(self) -> Path | None:
        """The office's deadline policy, `policy.toml` (defaults when absent)."""
        return self._inside("policy.toml")

    @property
    def templates_dir(self) -> Path | None:
        """The office's templates of written notices, beside `policy.toml`, editable."""
        return self._inside("templates")

    @property
    def office_keys_file(self) -> Path | None:
        """The office's secret keys, `office-keys.json` (0600), never inside the store."""
        return self._inside("office-keys.json")

    @property
    def device_keys_file(self) -> Path | None:
        """A laptop's signing key and its office's public keys, `device-keys.json` (0600)."""
        return self._inside("device-keys.json")

    @property
    def roster_file(self) -> Path | None:
        """The laptop's employee roster: it stays on the laptop and never travels in bundles."""
        return self._inside("roster.json")

    @property
    def quarantine_dir(self) -> Path | None:
        """Sealed bundles from devices not approved yet, kept as received until the officer decides."""
        return self._inside("quarantine")

    @property
    def refusals_file(self) -> Path | None:
        """Every bundle the office refused, one JSON line each: the store itself stays byte for
        byte as it was, so the refusal is logged outside it."""
        return self._inside("import-refusals.jsonl")

    @property
    def register_cache_dir(self) -> Path | None:
        """The office register's rows kept between runs (derived data, rebuilt when stale)."""
        return self.folder

    @property
    def office_files(self) -> tuple[Path, ...]:
        """What belongs to the office in this home and goes with its register when it moves
        (`fieldvisit office migrate`): its keys, policy, templates, roster, the quarantine, the
        refusals log and scans in progress. Not the register cache (derived from the store, and
        written for the store it came from) and not the store's own files."""
        found = (self.office_keys_file, self.device_keys_file, self.policy_file, self.templates_dir, self.roster_file,
                 self.quarantine_dir, self.refusals_file, self.qr_pending_file)
        return tuple(path for path in found if path is not None)

    @property
    def summaries_dir(self) -> Path:
        """Printed summaries go beside the home's folder: `<data dir>/summaries`."""
        return (self.folder.parent if self.folder is not None else Path.cwd()) / "summaries"


def config_dir() -> Path:
    """`$FIELDVISIT_CONFIG`, else the platform's per-user config directory: settings of the
    person at this operating-system account, whichever store they open."""
    from_env = os.environ.get(CONFIG_ENV)
    if from_env:
        return Path(from_env).expanduser()
    return user_config_path(APP_NAME, appauthor=False)


def officer_file() -> Path:
    """Who the officer at this operating-system account is (`officer.json`), said once."""
    return config_dir() / "officer.json"


def font_cache_dir() -> Path:
    """Where a CJK font prepared for PDFs is kept between runs (it takes seconds to make)."""
    return user_cache_path(APP_NAME, appauthor=False) / "fonts"
