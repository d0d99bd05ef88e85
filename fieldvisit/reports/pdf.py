"""The PDF: A4 portrait with fpdf2, the CJK font embedded (subset), a footer on every page.

A matter's block is kept on one page (moved whole to the next page when it would not fit;
only a matter longer than a page breaks inside); tables repeat their header row after a page
break and never split a row; bar charts are drawn with rectangles.
"""

from __future__ import annotations


from fpdf import FPDF
from fpdf.enums import Align, WrapMode, XPos, YPos
from fpdf.fonts import FontFace

from fieldvisit.reports.document import Bars, Document, Entry, Fields, Heading, Paragraph, Signatures, Table
from fieldvisit.reports.fonts import FontChoice

FONT = "cjk"
BODY = 9.5
LINE = 5.0
LABEL_WIDTH = 30.0
BAR_COLOUR = (58, 110, 165)


class _Pdf(FPDF):
    def __init__(self, document: Document, font: FontChoice):
        super().__init__(orientation="P", unit="mm", format="A4")
        self.document = document
        self.set_margins(16, 16, 16)
        self.set_auto_page_break(True, margin=18)
        self.add_font(FONT, "", str(font.path), collection_font_number=font.index)
        self.set_title(f"{document.title} {document.subtitle}")
        self.set_creator("fieldvisit")
        self.set_creation_date(document.generated)
        self.set_font(FONT, size=BODY)

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
            _keep_together(pdf, _entry_height(pdf, block))
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
        pdf.multi_cell(label_width, LINE, name, new_x=XPos.RIGHT, new_y=YPos.TOP, wrapmode=WrapMode.CHAR)
        pdf.set_text_color(0)
        if pdf.get_y() < top:  # the label itself began a new page
            top = pdf.get_y()
        pdf.multi_cell(pdf.body_width - label_width - indent, LINE, value, align=Align.L, new_x=XPos.LMARGIN, new_y=YPos.NEXT, wrapmode=WrapMode.CHAR)


def _entry(pdf: _Pdf, entry: Entry) -> None:
    pdf.set_fill_color(232, 236, 242)
    pdf.set_font(FONT, size=10.5)
    pdf.multi_cell(0, 6.5, entry.heading, fill=True, new_x=XPos.LMARGIN, new_y=YPos.NEXT, wrapmode=WrapMode.CHAR)
    pdf.set_font(FONT, size=BODY)
    pdf.ln(1)
    _pairs(pdf, entry.pairs, indent=2)
    pdf.ln(3)


def _keep_together(pdf: _Pdf, height: float) -> None:
    """Start a new page when a block of `height` would not fit in what is left of this one.

    (fpdf2's `offset_rendering` would measure exactly, but it deep-copies the document, fonts
    included, each time: 0.2 s a block.) A block taller than a page just starts where it is.
    """
    usable = pdf.h - pdf.t_margin - pdf.b_margin
    if height < usable and pdf.will_page_break(height) and pdf.get_y() > pdf.t_margin + 1:
        pdf.add_page()


def _pairs_height(pdf: _Pdf, pairs: list[tuple[str, str]], indent: float = 0.0) -> float:
    label_width = _label_width(pdf, pairs)
    value_width = pdf.body_width - label_width - indent
    total = 0.0
    for name, value in pairs:
        label = pdf.multi_cell(label_width, LINE, name, dry_run=True, output="HEIGHT", wrapmode=WrapMode.CHAR)
        text = pdf.multi_cell(value_width, LINE, value, dry_run=True, output="HEIGHT", wrapmode=WrapMode.CHAR)
        total += max(label, text)
    return total


def _entry_height(pdf: _Pdf, entry: Entry) -> float:
    pdf.set_font(FONT, size=10.5)
    heading = pdf.multi_cell(0, 6.5, entry.heading, dry_run=True, output="HEIGHT", wrapmode=WrapMode.CHAR)
    pdf.set_font(FONT, size=BODY)
    return heading + 1 + _pairs_height(pdf, entry.pairs, indent=2) + 3


def _table(pdf: _Pdf, table: Table) -> None:
    align = tuple("RIGHT" if index in table.numeric else "LEFT" for index in range(len(table.headers)))
    pdf.set_draw_color(150)
    pdf.set_fill_color(255)
    with pdf.table(
        cell_fill_mode="NONE",
        col_widths=table.widths or None,
        text_align=align,
        line_height=LINE,
        repeat_headings=1,
        wrapmode=WrapMode.CHAR,
        headings_style=FontFace(emphasis="", fill_color=(232, 236, 242)),
        first_row_as_headings=True,
    ) as grid:
        for row in [table.headers, *table.rows]:
            line = grid.row()
            for cell in row:
                line.cell(cell)
    pdf.ln(3)


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
