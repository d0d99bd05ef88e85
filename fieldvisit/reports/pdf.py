"""The PDF: A4 portrait with fpdf2, the CJK font embedded (subset), a footer on every page.

Compact, because a visit's record is printed and signed: a matter's short facts (who, category,
owner, status) run together on a line or two, its texts get one labelled row each, and a matter
continues on the next page rather than leaving the foot of a page blank (its heading never sits
alone there, and the next page repeats it, marked as continued). Tables repeat their header row
after a page break and never split a row; English is wrapped between words, each column
at least as wide as its longest English word. Bar charts are drawn with rectangles.
"""

from __future__ import annotations


import re
from dataclasses import dataclass

from fpdf import FPDF
from fpdf.enums import Align, WrapMode, XPos, YPos
from fpdf.fonts import FontFace

from fieldvisit.reports.document import Bars, Document, Entry, Fields, Heading, Paragraph, Signatures, Table
from fieldvisit.reports.fonts import FontChoice

FONT = "cjk"
BODY = 9.5
LINE = 5.0
ENTRY_LINE = 4.4
"""A matter's lines: 9.5 pt Chinese is 3.4 mm tall, so 4.4 mm leaves a clear gap between lines."""
LABEL_WIDTH = 30.0
FACT_GAP = 5.0
"""Room between two facts on one line."""
HEADER_PAD = 1.2
"""A table cell's padding left and right; a column is at least its longest header word plus this twice."""
BAR_COLOUR = (58, 110, 165)
MUTED = 85
_LATIN_WORD = re.compile(r"[A-Za-z][A-Za-z'’.-]*")
NO_LINE_START = set("。，、；：？！）」』》〉】〕”’…·%,.;:?!)]}")
"""Punctuation Chinese typesetting never begins a line with (禁则): it hangs at the end of the one before."""


class _Pdf(FPDF):
    def __init__(self, document: Document, font: FontChoice):
        super().__init__(orientation="P", unit="mm", format="A4")
        self.document = document
        self.set_margins(15, 14, 15)
        self.set_auto_page_break(True, margin=17)
        self.continued = ""
        """The heading of the matter running on: a page break inside it repeats it at the top."""
        self.add_font(FONT, "", str(font.path), collection_font_number=font.index)
        self.set_title(f"{document.title} {document.subtitle}")
        self.set_creator("fieldvisit")
        self.set_creation_date(document.generated)
        self.set_font(FONT, size=BODY)

    def header(self) -> None:
        if not self.continued:
            return
        self.set_font(FONT, size=8.5)
        self.set_text_color(MUTED)
        self.cell(0, 5, f"{self.continued} {self.document.continued_label}", new_x=XPos.LMARGIN, new_y=YPos.NEXT)
        self.set_text_color(0)
        self.set_font(FONT, size=BODY)
        self.ln(0.8)

    def footer(self) -> None:
        self.set_y(-13)
        self.set_font(FONT, size=7.5)
        self.set_text_color(90)
        self.set_draw_color(160)
        self.line(self.l_margin, self.get_y() - 1, self.w - self.r_margin, self.get_y() - 1)
        page = self.document.page_label.format(page=self.page_no(), pages=self.alias_nb_pages_text)
        self.cell(0, 4, self.document.footer(), align=Align.L)
        self.set_x(self.l_margin)
        self.cell(0, 4, page, align=Align.R)
        self.set_text_color(0)
        self.set_font(FONT, size=BODY)

    @property
    def alias_nb_pages_text(self) -> str:
        return self.str_alias_nb_pages

    @property
    def body_width(self) -> float:
        return self.w - self.l_margin - self.r_margin


def render_pdf(document: Document, font: FontChoice) -> bytes:
    pdf = _Pdf(document, font)
    pdf.add_page()
    _title(pdf, document)
    for block in document.blocks:
        if isinstance(block, Heading):
            _heading(pdf, block.text)
        elif isinstance(block, Fields):
            _pairs(pdf, block.pairs)
            pdf.ln(2)
        elif isinstance(block, Paragraph):
            pdf.multi_cell(0, LINE, block.text, new_x=XPos.LMARGIN, new_y=YPos.NEXT, wrapmode=WrapMode.CHAR)
            pdf.ln(2)
        elif isinstance(block, Entry):
            _entry(pdf, block)
        elif isinstance(block, Table):
            _table(pdf, block)
        elif isinstance(block, Bars):
            _keep_together(pdf, len(block.items) * (LINE + 1) + 3)
            _bars(pdf, block)
        elif isinstance(block, Signatures):
            _keep_together(pdf, 40)
            _signatures(pdf, block)
    return bytes(pdf.output())


def _title(pdf: _Pdf, document: Document) -> None:
    pdf.set_font(FONT, size=18)
    pdf.cell(0, 10, document.title, align=Align.C, new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    pdf.set_font(FONT, size=12)
    pdf.multi_cell(0, 7, document.subtitle, align=Align.C, new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    pdf.set_font(FONT, size=BODY)
    pdf.ln(3)


def _heading(pdf: _Pdf, text: str) -> None:
    if pdf.will_page_break(LINE * 6):  # a heading never sits alone at the foot of a page
        pdf.add_page()
    pdf.ln(2)
    pdf.set_font(FONT, size=12.5)
    pdf.cell(0, 8, text, new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    pdf.set_draw_color(60)
    pdf.line(pdf.l_margin, pdf.get_y(), pdf.w - pdf.r_margin, pdf.get_y())
    pdf.set_font(FONT, size=BODY)
    pdf.ln(2)


def _label_width(pdf: _Pdf, pairs: list[tuple[str, str]]) -> float:
    """Room for the longest label, between LABEL_WIDTH and a third of the line."""
    widest = max((pdf.get_string_width(name) for name, _ in pairs), default=0.0) + 3
    return min(max(LABEL_WIDTH, widest), pdf.body_width / 3)


def _pairs(pdf: _Pdf, pairs: list[tuple[str, str]], indent: float = 0.0) -> None:
    label_width = _label_width(pdf, pairs)
    for name, value in pairs:
        top = pdf.get_y()
        pdf.set_x(pdf.l_margin + indent)
        pdf.set_text_color(70)
        pdf.multi_cell(label_width, LINE, name, new_x=XPos.RIGHT, new_y=YPos.TOP, wrapmode=WrapMode.WORD)
        pdf.set_text_color(0)
        if pdf.get_y() < top:  # the label itself began a new page
            top = pdf.get_y()
        pdf.multi_cell(pdf.body_width - label_width - indent, LINE, value, align=Align.L, new_x=XPos.LMARGIN, new_y=YPos.NEXT, wrapmode=WrapMode.CHAR)


def _entry(pdf: _Pdf, entry: Entry) -> None:
    """A matter: its heading, its facts run together, then one labelled row per text. It may go
    on over a page break; what starts it (heading, facts, first lines of text) never does."""
    _keep_together(pdf, _entry_start_height(pdf, entry))
    pdf.set_fill_color(232, 236, 242)
    pdf.set_font(FONT, size=10)
    pdf.multi_cell(0, 5.6, entry.heading, fill=True, new_x=XPos.LMARGIN, new_y=YPos.NEXT, wrapmode=WrapMode.CHAR)
    pdf.set_font(FONT, size=BODY)
    pdf.ln(0.6)
    pdf.continued = entry.heading
    _facts(pdf, entry.facts, indent=2)
    label_width = _text_label_width(pdf, entry.pairs)
    for name, value in entry.pairs:
        if pdf.will_page_break(min(_text_height(pdf, value, label_width), ENTRY_LINE * 2)):
            pdf.add_page()  # a label is never left at the foot of a page without its first lines
        top = pdf.get_y()
        pdf.set_x(pdf.l_margin + 2)
        pdf.set_text_color(MUTED)
        pdf.multi_cell(label_width, ENTRY_LINE, name, new_x=XPos.RIGHT, new_y=YPos.TOP, wrapmode=WrapMode.WORD)
        pdf.set_text_color(0)
        pdf.set_y(top)
        pdf.set_x(pdf.l_margin + 2 + label_width)
        text, width = _hung(pdf, value, pdf.body_width - 2 - label_width)
        pdf.multi_cell(width, ENTRY_LINE, text, align=Align.L, new_x=XPos.LMARGIN, new_y=YPos.NEXT, wrapmode=WrapMode.CHAR)
    pdf.continued = ""
    pdf.ln(2.2)


@dataclass(frozen=True)
class _Fact:
    name: str
    value: str
    name_width: float
    value_width: float

    @property
    def width(self) -> float:
        return self.name_width + self.value_width


def _fact_lines(pdf: _Pdf, facts: tuple[tuple[str, str], ...], room: float) -> list[list[_Fact]]:
    """Facts in lines of `room` mm: as many whole facts on a line as fit, in order; a fact too
    long for a line has one of its own (its value wraps)."""
    lines: list[list[_Fact]] = []
    used = room
    for name, value in facts:
        fact = _Fact(name, value, pdf.get_string_width(name) + 1.6, pdf.get_string_width(value) + 0.4)
        if used + FACT_GAP + fact.width > room or "\n" in value:
            lines.append([fact])
            used = fact.width
        else:
            lines[-1].append(fact)
            used += FACT_GAP + fact.width
    return lines


def _facts(pdf: _Pdf, facts: tuple[tuple[str, str], ...], indent: float) -> None:
    room = pdf.body_width - indent
    for line in _fact_lines(pdf, facts, room):
        if pdf.will_page_break(ENTRY_LINE):
            pdf.add_page()
        x, y = pdf.l_margin + indent, pdf.get_y()
        for fact in line:
            pdf.set_xy(x, y)
            pdf.set_text_color(MUTED)
            pdf.cell(fact.name_width, ENTRY_LINE, fact.name)
            pdf.set_text_color(0)
            if fact.width > room:
                pdf.multi_cell(room - fact.name_width, ENTRY_LINE, fact.value, new_x=XPos.LMARGIN, new_y=YPos.NEXT, wrapmode=WrapMode.CHAR)
                break
            pdf.cell(fact.value_width, ENTRY_LINE, fact.value)
            x += fact.width + FACT_GAP
        else:
            pdf.set_xy(pdf.l_margin, y + ENTRY_LINE)


def _facts_height(pdf: _Pdf, facts: tuple[tuple[str, str], ...], indent: float) -> float:
    room = pdf.body_width - indent
    total = 0.0
    for line in _fact_lines(pdf, facts, room):
        fact = line[0]
        if fact.width > room:
            total += pdf.multi_cell(room - fact.name_width, ENTRY_LINE, fact.value, dry_run=True, output="HEIGHT", wrapmode=WrapMode.CHAR)
        else:
            total += ENTRY_LINE
    return total


def _hung(pdf: _Pdf, text: str, width: float) -> tuple[str, float]:
    """`text` broken into lines of `width` mm by character, with a closing punctuation mark that
    would begin a line hung at the end of the line before instead, and the width that takes."""
    lines = pdf.multi_cell(width, ENTRY_LINE, text, dry_run=True, output="LINES", wrapmode=WrapMode.CHAR)
    if not any(line[:1] in NO_LINE_START for line in lines[1:]):
        return text, width
    hung = [lines[0]]
    for line in lines[1:]:
        lead = len(line) - len(line.lstrip("".join(NO_LINE_START)))
        hung[-1] += line[:lead]
        if line[lead:] or not lead:
            hung.append(line[lead:])
    widest = max(pdf.get_string_width(line) for line in hung) + 2 * pdf.c_margin + 0.1
    return "\n".join(hung), max(width, widest)


def _text_label_width(pdf: _Pdf, pairs: list[tuple[str, str]]) -> float:
    """Room for the longest text label, at most a quarter of the line."""
    widest = max((pdf.get_string_width(name) for name, _ in pairs), default=0.0) + 2.5
    return min(widest, pdf.body_width / 4)


def _text_height(pdf: _Pdf, value: str, label_width: float) -> float:
    text, width = _hung(pdf, value, pdf.body_width - 2 - label_width)
    return pdf.multi_cell(width, ENTRY_LINE, text, dry_run=True, output="HEIGHT", wrapmode=WrapMode.CHAR)


def _heading_height(pdf: _Pdf, entry: Entry) -> float:
    pdf.set_font(FONT, size=10)
    height = pdf.multi_cell(0, 5.6, entry.heading, dry_run=True, output="HEIGHT", wrapmode=WrapMode.CHAR)
    pdf.set_font(FONT, size=BODY)
    return height + 0.6


def _entry_start_height(pdf: _Pdf, entry: Entry) -> float:
    """What must share a page: the heading, the facts and the first two lines of text."""
    return _heading_height(pdf, entry) + _facts_height(pdf, entry.facts, 2) + (ENTRY_LINE * 2 if entry.pairs else 0)


def _keep_together(pdf: _Pdf, height: float) -> None:
    """Start a new page when a block of `height` would not fit in what is left of this one.

    (fpdf2's `offset_rendering` would measure exactly, but it deep-copies the document, fonts
    included, each time: 0.2 s a block.) A block taller than a page just starts where it is.
    """
    usable = pdf.h - pdf.t_margin - pdf.b_margin
    if height < usable and pdf.will_page_break(height) and pdf.get_y() > pdf.t_margin + 1:
        pdf.add_page()


def _table(pdf: _Pdf, table: Table) -> None:
    align = tuple("RIGHT" if index in table.numeric else "LEFT" for index in range(len(table.headers)))
    widths = _column_widths(pdf, table)
    room = [width - 2 * HEADER_PAD for width in widths]
    rows = [[_wrap_words(pdf, cell, room[index]) for index, cell in enumerate(row)] for row in [table.headers, *table.rows]]
    pdf.set_draw_color(150)
    pdf.set_fill_color(255)
    with pdf.table(
        cell_fill_mode="NONE",
        col_widths=widths,
        width=sum(widths),
        text_align=align,
        line_height=LINE - 0.4,
        padding=(0.5, HEADER_PAD),
        repeat_headings=1,
        wrapmode=WrapMode.CHAR,
        headings_style=FontFace(emphasis="", fill_color=(232, 236, 242)),
        first_row_as_headings=True,
    ) as grid:
        for row in rows:
            line = grid.row()
            for cell in row:
                line.cell(cell)
    pdf.ln(3)


def _column_widths(pdf: _Pdf, table: Table) -> list[float]:
    """Widths in mm across the page, shared as `table.widths` say, but each column at least its
    longest English word (so no word breaks) and, for numbers, references and dates, its widest
    cell. Chinese text wraps by character in whatever is left."""
    count = len(table.headers)
    shares = list(table.widths) if len(table.widths) == count else [1.0] * count
    least = []
    for index, header in enumerate(table.headers):
        cells = [row[index] for row in table.rows if index < len(row)]
        words = [pdf.get_string_width(word) for word in header.split()] or [0.0]
        words += [pdf.get_string_width(word) for cell in cells for word in _LATIN_WORD.findall(cell)]
        if index in table.numeric or index in table.whole:
            words += [pdf.get_string_width(cell) for cell in cells]
        least.append(max(words) + 2 * HEADER_PAD + 0.6)
    total = pdf.body_width
    widths = [total * share / sum(shares) for share in shares]
    for _ in range(count):  # give each narrow column its least width, taken from the others
        short = [index for index in range(count) if widths[index] < least[index] - 1e-6]
        if not short:
            break
        fixed = {index for index in range(count) if widths[index] <= least[index] + 1e-6}
        free = total - sum(least[index] for index in fixed)
        rest = sum(shares[index] for index in range(count) if index not in fixed)
        widths = [least[index] if index in fixed else free * shares[index] / rest for index in range(count)]
    return widths


def _wrap_words(pdf: _Pdf, text: str, room: float) -> str:
    """`text` broken into lines between words, each at most `room` mm where its words allow.
    Text without spaces (Chinese) is left to wrap by character."""
    words = text.split()
    if len(words) < 2:
        return text
    lines = [words[0]]
    for word in words[1:]:
        joined = f"{lines[-1]} {word}"
        if pdf.get_string_width(joined) <= room:
            lines[-1] = joined
        else:
            lines.append(word)
    return "\n".join(lines)


def _bars(pdf: _Pdf, bars: Bars) -> None:
    label_width, count_width = 46.0, 14.0
    room = pdf.body_width - label_width - count_width
    top = max((count for _, count in bars.items), default=0) or 1
    for name, count in bars.items:
        y = pdf.get_y()
        pdf.set_x(pdf.l_margin)
        pdf.cell(label_width, LINE + 1, name)
        pdf.set_fill_color(*BAR_COLOUR)
        length = room * count / top
        if length > 0:
            pdf.rect(pdf.l_margin + label_width, y + 1.2, max(length, 0.4), LINE - 1.4, style="F")
        pdf.set_xy(pdf.l_margin + label_width + room, y)
        pdf.cell(count_width, LINE + 1, str(count), align=Align.R, new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    pdf.ln(3)


def _signatures(pdf: _Pdf, signatures: Signatures) -> None:
    pdf.ln(10)
    column = pdf.body_width / max(1, len(signatures.labels))
    y = pdf.get_y()
    for index, name in enumerate(signatures.labels):
        x = pdf.l_margin + index * column
        pdf.set_xy(x, y)
        pdf.cell(column - 8, LINE, name)
        pdf.line(x, y + 16, x + column - 10, y + 16)
        pdf.set_xy(x, y + 20)
        pdf.cell(column - 8, LINE, f"{signatures.date_label}：        年      月      日")
    pdf.set_y(y + 28)
