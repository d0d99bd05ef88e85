"""The one place that knows where fieldvisit keeps files on disk."""

from __future__ import annotations

import os
from pathlib import Path

from platformdirs import user_cache_path, user_data_path

APP_NAME = "fieldvisit"
DATA_ENV = "FIELDVISIT_DATA"


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


def demo_dir(seed: int) -> Path:
    """Where `fieldvisit demo` keeps its sample store when no data dir is given."""
    return user_data_path(APP_NAME, appauthor=False) / "demo" / f"seed-{seed}"


def qr_pending_file(store_path: Path | None) -> Path | None:
    """Frames scanned so far, beside the office store, so a restart loses none."""
    return None if store_path is None else Path(store_path).with_name("qr-pending.txt")


def policy_file(store_path: Path | None) -> Path | None:
    """The office's deadline policy, `policy.toml` beside its store (defaults when absent)."""
    return None if store_path is None else Path(store_path).with_name("policy.toml")


def office_keys_file(store_path: Path | None) -> Path | None:
    """The office's secret keys, `office-keys.json` (0600) beside its store, never inside it."""
    return None if store_path is None else Path(store_path).with_name("office-keys.json")


def device_keys_file(store_path: Path | None) -> Path | None:
    """A laptop's signing key and its office's public keys, `device-keys.json` (0600) beside its store."""
    return None if store_path is None else Path(store_path).with_name("device-keys.json")


def quarantine_dir(store_path: Path | None) -> Path | None:
    """Sealed bundles from devices not approved yet, kept as received until the officer decides."""
    return None if store_path is None else Path(store_path).with_name("quarantine")


def refusals_file(store_path: Path | None) -> Path | None:
    """Every bundle the office refused, one JSON line each, beside its store: the store itself
    stays byte for byte as it was, so the refusal is logged outside it."""
    return None if store_path is None else Path(store_path).with_name("import-refusals.jsonl")


def font_cache_dir() -> Path:
    """Where a CJK font prepared for PDFs is kept between runs (it takes seconds to make)."""
    return user_cache_path(APP_NAME, appauthor=False) / "fonts"


def summaries_dir(store_path: Path | None) -> Path:
    """Printed summaries go beside the store's folder: `<data dir>/summaries`."""
    return (Path(store_path).parent.parent if store_path else Path.cwd()) / "summaries"
