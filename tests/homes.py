"""Tests make apps on stores of every kind: the home of a JSON store is its folder (keys and
quarantine beside it, as a command would give), a store in memory has none."""

from __future__ import annotations

from fieldvisit.locations.paths import Home


def home_of(store) -> Home:
    path = getattr(store, "path", None)
    return Home.beside(path) if path is not None else Home(None)
