"""fieldvisit: record the matters raised on leaders' site visits, offline, and hand them to the petition office."""

from pathlib import Path as _Path

__version__ = "0.1.0"

# Installed, `screens/` and `sync/` sit inside this package (pyproject's `package-dir`). Run from a
# checkout (`python -m fieldvisit` in the repository root) they are its siblings: look there too.
_checkout = _Path(__file__).resolve().parent.parent
if (_checkout / "pyproject.toml").is_file() and (_checkout / "sync" / "__init__.py").is_file():
    __path__.append(str(_checkout))  # noqa: F821 - a package's __path__ is set before its body runs
