"""The neutral shape of a printed document: a title, a footer identity and a list of blocks.

Builders (`documents.py`) produce it; renderers (`text`, `html`, `pdf`) only lay it out, so the
four formats always say the same thing.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from dataclasses import dataclass, field


@dataclass(frozen=True)
class Heading:
    text: str


@dataclass(frozen=True)
class Fields:
    """Label / value pairs, e.g. the visit's site and date."""

    pairs: list[tuple[str, str]]


@dataclass(frozen=True)
class Paragraph:
    text: str


@dataclass(frozen=True)
class Entry:
    """One matter: a heading, its short facts (who, category, owner, status: the PDF runs them
    together on a line or two) and its texts (demand, what was said: one labelled row each)."""

    heading: str
    pairs: list[tuple[str, str]]
    facts: tuple[tuple[str, str], ...] = ()

    @property
    def all_pairs(self) -> list[tuple[str, str]]:
        return [*self.facts, *self.pairs]


@dataclass(frozen=True)
class Table:
    headers: list[str]
    rows: list[list[str]]
    numeric: tuple[int, ...] = ()
    widths: tuple[float, ...] = ()
    """Relative column widths for the PDF; equal when empty."""
    whole: tuple[int, ...] = ()
    """Columns the PDF never wraps (references, dates), besides the numeric ones."""


@dataclass(frozen=True)
class Bars:
    """A bar chart of counts (PDF rectangles, HTML CSS bars, text █ runs)."""

    title: str
    items: list[tuple[str, int]]


@dataclass(frozen=True)
class Signatures:
    """Lines to sign on: one per label, each with a date line."""

    labels: list[str]
    date_label: str


Block = Heading | Fields | Paragraph | Entry | Table | Bars | Signatures


@dataclass
class Document:
    title: str
    subtitle: str
    kind: str
    """"S" for a visit summary, "R" for a period report: the first letter of the document id."""
    generated: dt.datetime
    blocks: list[Block] = field(default_factory=list)
    doc_id_label: str = ""
    generated_label: str = ""
    page_label: str = ""
    """A format string with {page} and {pages}."""
    continued_label: str = ""
    """After a matter's heading repeated at the top of a page it runs on to."""

    @property
    def doc_id(self) -> str:
        """Stable for the same content: `S-` or `R-` and 10 hex digits of a hash of the blocks."""
        digest = hashlib.sha256(repr((self.title, self.subtitle, self.blocks)).encode("utf-8")).hexdigest()
        return f"{self.kind}-{digest[:10].upper()}"

    @property
    def generated_text(self) -> str:
        return self.generated.strftime("%Y-%m-%d %H:%M")

    def footer(self) -> str:
        return f"{self.doc_id_label} {self.doc_id} · {self.generated_label} {self.generated_text}"
