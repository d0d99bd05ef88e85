"""Text from outside (stores, bundles, QR frames, tokens, forms) made safe to show or to name a file.

Anything a laptop, a token or a person typed may hold control characters: an escape sequence
(ESC [ 31 m) recolours or moves a terminal's cursor, BEL rings it, a C1 character is a second
escape on some terminals. Screens and the command line pass such text through `printable` (or
`one_line` where a line break would break the layout) before it reaches the terminal; forms
strip them when saving (`model.clean_text`); file names made from data go through `safe_file_name`.
No Textual here: the screens' side of it (never reading data as markup) is `screens/literal.py`.
"""

from __future__ import annotations

import re

CONTROL_CODES = frozenset((*range(0x00, 0x20), 0x7F, *range(0x80, 0xA0))) - {0x09, 0x0A}
"""C0 controls except tab and newline, DEL, and the C1 controls."""

_AS_SPACES = {code: " " for code in CONTROL_CODES}
_ONE_LINE = {**_AS_SPACES, 0x09: " ", 0x0A: " "}
_STRIPPED = {code: None for code in CONTROL_CODES}
_JSON_C1 = re.compile("[\x7f-\x9f]")
_FILE_UNSAFE = re.compile(r'[\\/:*?"<>|\s]+')


def printable(text: object) -> str:
    """`text` with every control character (see `CONTROL_CODES`) drawn as a space; newline and
    tab kept. Spaces rather than nothing, so what is shown keeps its length and place."""
    return str(text).translate(_AS_SPACES)


def one_line(text: object) -> str:
    """Like `printable`, and line breaks and tabs become spaces too: for table cells and lists."""
    return str(text).translate(_ONE_LINE)


def strip_controls(text: str, multi_line: bool = False) -> str:
    """`text` without control characters, as a form saves it. A multi-line field keeps its line
    breaks and tabs (a Windows line break becomes one); a one-line field gets spaces for them."""
    text = text.replace("\r\n", "\n")
    if not multi_line:
        text = text.replace("\n", " ").replace("\t", " ")
    return text.translate(_STRIPPED)


def printable_json(dumped: str) -> str:
    """JSON text (`json.dumps(..., ensure_ascii=False)`) with DEL and the C1 controls written as
    `\\u` escapes: JSON already escapes C0, and the same data reads back from either form."""
    return _JSON_C1.sub(lambda match: f"\\u{ord(match[0]):04x}", dumped)


def safe_file_name(text: str, fallback: str = "fieldvisit", limit: int = 80) -> str:
    """A file name made from data: no control characters, no path separators or characters a FAT
    USB stick refuses (they and runs of spaces become `_`), no leading dot (no hidden file, no
    `..`), at most `limit` characters; `fallback` when nothing is left."""
    safe = _FILE_UNSAFE.sub("_", strip_controls(str(text))).strip("._-")
    return safe[:limit].rstrip("._") or fallback
