"""Render a document in one of the four formats and write it where the user asked."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from fieldvisit.core.errors import FieldVisitError
from fieldvisit.reports import FORMATS
from fieldvisit.reports.document import Document
from fieldvisit.core.text import safe_file_name
from fieldvisit.stores.storage import write_atomically


def render(document: Document, fmt: str, font: Path | None = None) -> bytes:
    # Each renderer is imported for its format only: fpdf2 and the CJK font cost a second to load.
    if fmt == "pdf":
        from fieldvisit.reports.fonts import find_font
        from fieldvisit.reports.pdf import render_pdf

        return render_pdf(document, find_font(font))
    if fmt == "html":
        from fieldvisit.reports.html import render_html

        return render_html(document).encode("utf-8")
    if fmt in ("md", "txt"):
        from fieldvisit.reports.text import render_md, render_txt

        return (render_md if fmt == "md" else render_txt)(document).encode("utf-8")
    raise FieldVisitError("error.report.bad_format", format=fmt)


def write(document: Document, fmt: str, out: Path | None, default_name: str, font: Path | None = None) -> Path:
    """Write to `out` (a file, or a folder to put the default name in), else the current folder.
    `default_name` is made from data (a visit's date and id): it is made a safe file name here."""
    if fmt not in FORMATS:
        raise FieldVisitError("error.report.bad_format", format=fmt)
    default_name = safe_file_name(default_name, fallback="report")
    target = Path(out) if out else Path.cwd() / f"{default_name}.{fmt}"
    if target.is_dir():
        target = target / f"{default_name}.{fmt}"
    data = render(document, fmt, font)
    target.parent.mkdir(parents=True, exist_ok=True)
    write_atomically(target, data)  # whole or not at all; a failure leaves no partial file
    return target


def now() -> dt.datetime:
    """The generation time the command line stamps: local wall time, to the minute."""
    return dt.datetime.now().replace(second=0, microsecond=0)
