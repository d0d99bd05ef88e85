"""UI strings in zh-CN and en, looked up by key from TOML catalogues in `fieldvisit/core/locales/`.

The language follows the locale (any `zh*` locale gives zh-CN, anything else English) unless
`--lang` or `FIELDVISIT_LANG` says otherwise. Set it once at start-up, before the screens are
imported: their key bindings read their descriptions when the classes are defined.
"""

from __future__ import annotations

import string

import locale
import os
import tomllib
from functools import cache
from pathlib import Path

LANGUAGES = ("zh-CN", "en")
FALLBACK = "en"
LANG_ENV = "FIELDVISIT_LANG"
_LOCALES = Path(__file__).with_name("locales")

_current = FALLBACK


def detect_language() -> str:
    """zh-CN for a Chinese locale, otherwise English; `FIELDVISIT_LANG` wins when set."""
    chosen = os.environ.get(LANG_ENV)
    if chosen:
        return normalise(chosen)
    for variable in ("LC_ALL", "LC_MESSAGES", "LANG"):
        value = os.environ.get(variable)
        if value:
            return normalise(value)
    code = locale.getlocale()[0] or ""
    return normalise(code)


def normalise(code: str) -> str:
    return "zh-CN" if code.lower().replace("_", "-").startswith("zh") else "en"


def set_language(code: str | None) -> str:
    global _current
    _current = normalise(code) if code else detect_language()
    return _current


def language() -> str:
    return _current


@cache
def catalogue(code: str) -> dict[str, str]:
    with open(_LOCALES / f"{code}.toml", "rb") as handle:
        return _flatten(tomllib.load(handle))


def t(key: str, **params: object) -> str:
    """The text for `key` in the current language, falling back to English, then to the key.

    A count can pick its noun: `{visits:visit|visits}` gives "1 visit", "2 visits" (English
    needs it; Chinese writes `{visits} 次`)."""
    text = catalogue(_current).get(key) or catalogue(FALLBACK).get(key) or key
    return _PLURALS.format(text, **params) if params else text


class _Plurals(string.Formatter):
    def format_field(self, value: object, format_spec: str) -> str:
        if "|" in format_spec:
            one, other = format_spec.split("|", 1)
            return f"{value} {one if value == 1 else other}"
        return super().format_field(value, format_spec)


_PLURALS = _Plurals()


def label(kind: str, code: str | None) -> str:
    """The display label of a choice, e.g. label("category", "wages") → 工资奖金."""
    return t(f"{kind}.{code}") if code else ""


def field_label(field: str) -> str:
    """The label of a matter or visit field, for messages that name the input to fix."""
    for key in (f"field.{field}", f"visit.{field}", f"honest_deadlines.field.{field}", f"officer.field.{field}", f"capture_field.{field}"):
        if key in catalogue(_current) or key in catalogue(FALLBACK):
            return t(key)
    return field


def _flatten(tree: dict, prefix: str = "") -> dict[str, str]:
    flat: dict[str, str] = {}
    for key, value in tree.items():
        name = f"{prefix}{key}"
        if isinstance(value, dict):
            flat.update(_flatten(value, name + "."))
        else:
            flat[name] = str(value)
    return flat
