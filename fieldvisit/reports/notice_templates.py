"""The office's templates of written notices: TOML files beside `policy.toml` that it may edit.

One file per kind and language, `<templates dir>/<kind>.<lang>.toml` (e.g.
`acceptance.zh-CN.toml`), each with the settings in `SETTINGS`: short texts, and `body` and
`limits` as lists of paragraphs. Texts hold `{placeholders}` from `PLACEHOLDERS`, filled from the
matter; `{{` and `}}` write a brace itself. A paragraph that comes out empty is left out, so a
paragraph made only of `{decision}` disappears when the officer gave no words.

The starter set ships with fieldvisit (`starter_notices/`); whichever file of it is missing from
the templates folder is written there on first use, so deleting a file restores the starter.
Anything wrong in a file (not TOML, an unknown setting or placeholder, a lone brace, a number
where text belongs) is a `TemplateError` naming the file and the line, before anything is printed.
"""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass
from importlib.resources import files
from pathlib import Path

from fieldvisit.core.errors import FieldVisitError
from fieldvisit.core.i18n import LANGUAGES
from fieldvisit.office.notices import KINDS
from fieldvisit.stores.storage import write_atomically

SETTINGS = ("title", "number", "salutation", "body", "limits", "closing", "issuer", "seal", "signer", "date_line")
"""What a template says, in the order a notice prints it."""
REQUIRED = ("title", "salutation", "body")
LISTS = ("body", "limits")
"""Settings that are lists of paragraphs; every other one is one text."""

PLACEHOLDERS = (
    "office", "petitioner", "ref", "title", "demand", "site", "raised_date", "registered_date",
    "accepted_date", "decision", "decision_date", "decision_by", "transfer_to", "request", "request_date",
    "officer", "date", "acceptance_days", "handling_days", "handling_due", "review_days",
    "review_answer_days", "re_review_days", "re_review_answer_days",
)
"""The names a template may use; `README.md` (Written notices) says what each one holds."""

STARTERS = "starter_notices"
_TOKEN = re.compile(r"\{\{|\}\}|\{([A-Za-z_][A-Za-z0-9_]*)\}|[{}]")
_LINE = re.compile(r"at line (\d+)")


class TemplateError(FieldVisitError):
    message_key = "notices.error.unreadable"


@dataclass(frozen=True)
class Template:
    path: str
    """Where it was read from (a file of the templates folder, or the packaged starter)."""
    texts: dict[str, str | list[str]]

    def fill(self, values: dict[str, str]) -> dict[str, str | list[str]]:
        """Every setting with its placeholders replaced; empty paragraphs left out."""
        found: dict[str, str | list[str]] = {}
        for name in SETTINGS:
            text = self.texts.get(name, [] if name in LISTS else "")
            if isinstance(text, list):
                found[name] = [filled for filled in (_fill(part, values).strip() for part in text) if filled]
            else:
                found[name] = _fill(text, values).strip()
        return found


def file_name(kind: str, lang: str) -> str:
    return f"{kind}.{lang}.toml"


def starter_text(kind: str, lang: str) -> str:
    return (files("fieldvisit.reports") / STARTERS / file_name(kind, lang)).read_text(encoding="utf-8")


def write_starters(folder: Path, kinds: tuple[str, ...], langs: tuple[str, ...]) -> list[Path]:
    """Write each starter template missing from `folder`; the ones there are the office's own."""
    written = []
    for kind in kinds:
        for lang in langs:
            target = Path(folder) / file_name(kind, lang)
            if not target.exists():
                target.parent.mkdir(parents=True, exist_ok=True)
                write_atomically(target, starter_text(kind, lang).encode("utf-8"))
                written.append(target)
    return written


def load_template(folder: Path | None, kind: str, lang: str) -> Template:
    """The template of `kind` in `lang` from `folder` (the starter set's missing files are written
    there first), or the packaged starter itself when there is no folder (a store in memory)."""
    if folder is None:
        return parse_template(starter_text(kind, lang), f"{STARTERS}/{file_name(kind, lang)}")
    write_starters(folder, KINDS, LANGUAGES)
    path = Path(folder) / file_name(kind, lang)
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as error:
        raise TemplateError("notices.error.unreadable", path=str(path), reason=str(error)) from error
    return parse_template(text, str(path))


def parse_template(text: str, path: str) -> Template:
    """Check and read one template; `TemplateError` names `path` and the line of the fault."""
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as error:
        found = _LINE.search(str(error))
        raise TemplateError("notices.error.syntax", path=path, line=found.group(1) if found else "?", reason=str(error)) from None
    lines = text.splitlines()
    for name, value in data.items():
        line = _key_line(lines, name)
        if name not in SETTINGS:
            raise TemplateError("notices.error.setting", path=path, line=line, setting=name, known=", ".join(SETTINGS))
        parts = value if name in LISTS and isinstance(value, list) else [value]
        if not all(isinstance(part, str) for part in parts):
            raise TemplateError("notices.error.not_text" if name not in LISTS else "notices.error.not_texts", path=path, line=line, setting=name)
        for part in parts:
            _check_placeholders(part, path, lines, line)
    for name in REQUIRED:
        if name not in data:
            raise TemplateError("notices.error.missing", path=path, setting=name)
    return Template(path, data)


def _check_placeholders(text: str, path: str, lines: list[str], key_line: int) -> None:
    for match in _TOKEN.finditer(text):
        token, name = match.group(0), match.group(1)
        if token in ("{{", "}}"):
            continue
        if name is None:
            raise TemplateError("notices.error.brace", path=path, line=_token_line(lines, key_line, token, lone=True), brace=token)
        if name not in PLACEHOLDERS:
            raise TemplateError("notices.error.placeholder", path=path, line=_token_line(lines, key_line, token), name=name, known=", ".join(PLACEHOLDERS))


def _fill(text: str, values: dict[str, str]) -> str:
    def one(match: re.Match) -> str:
        token = match.group(0)
        if token in ("{{", "}}"):
            return token[0]
        return values.get(match.group(1) or "", "")

    return _TOKEN.sub(one, text)


def _key_line(lines: list[str], name: str) -> int:
    """The 1-based line where setting `name` is given (bare or quoted key), else 1."""
    pattern = re.compile(rf"^\s*(?:{re.escape(name)}|\"{re.escape(name)}\"|'{re.escape(name)}')\s*=")
    return next((number for number, line in enumerate(lines, 1) if pattern.match(line)), 1)


def _token_line(lines: list[str], start: int, token: str, lone: bool = False) -> int:
    """The first line from `start` holding `token` outside a doubled brace (as the check found it)."""
    for number in range(start, len(lines) + 1):
        for match in _TOKEN.finditer(lines[number - 1]):
            if match.group(0) == token and (not lone or match.group(1) is None):
                return number
    return start
