"""A written notice as a one-to-two page A4 letter (fpdf2, the CJK font of `fonts.find_font`).

Laid out as such notices are in China: the office's name and the notice's title centred, its
reference on the right, the petitioner addressed, paragraphs indented by two characters (in
Chinese), then the signature and seal area (盖章处): the officer's signature line on the left, the
issuing office, a circle marking where the seal goes and the date on the right, kept together on
one page. The footer names the document id and when it was printed.
"""

from __future__ import annotations

from fpdf import FPDF
from fpdf.enums import Align, WrapMode, XPos, YPos

from fieldvisit.reports.fonts import FontChoice

FONT = "cjk"
BODY = 12.0
LINE = 8.0
SEAL = 38.0
"""Diameter of the seal's circle, mm (an official seal is 40–42 mm)."""
SIGNATURE_HEIGHT = 58.0
INDENT = "\u3000\u3000"
"""Two ideographic spaces: a Chinese paragraph's first-line indent."""


class _Letter(FPDF):
    def __init__(self, notice, font: FontChoice):
        super().__init__(orientation="P", unit="mm", format="A4")
        self.notice = notice
        self.set_margins(25, 22, 25)
        self.set_auto_page_break(True, margin=22)
        self.add_font(FONT, "", str(font.path), collection_font_number=font.index)
        self.set_title(f"{notice.texts['title']} {notice.ref}")
        self.set_creator("fieldvisit")
        self.set_creation_date(notice.generated)
        self.set_font(FONT, size=BODY)

    def footer(self) -> None:
        self.set_y(-15)
        self.set_font(FONT, size=7.5)
        self.set_text_color(110)
        self.cell(0, 4, self.notice.footer(), align=Align.L)
        self.set_x(self.l_margin)
        self.cell(0, 4, self.notice.labels.get("page", "{page}/{pages}").format(page=self.page_no(), pages=self.str_alias_nb_pages), align=Align.R)
        self.set_text_color(0)
        self.set_font(FONT, size=BODY)

    @property
    def body_width(self) -> float:
        return self.w - self.l_margin - self.r_margin


def render_notice(notice, font: FontChoice) -> bytes:
    """The notice (`reports.notices.Notice`) as PDF bytes."""
    pdf = _Letter(notice, font)
    texts = notice.texts
    chinese = notice.lang == "zh-CN"
    wrap = WrapMode.CHAR if chinese else WrapMode.WORD
    pdf.add_page()
    if texts["issuer"]:
        pdf.set_font(FONT, size=15)
        pdf.multi_cell(0, 9, texts["issuer"], align=Align.C, new_x=XPos.LMARGIN, new_y=YPos.NEXT, wrapmode=wrap)
    pdf.set_font(FONT, size=19)
    pdf.multi_cell(0, 12, texts["title"], align=Align.C, new_x=XPos.LMARGIN, new_y=YPos.NEXT, wrapmode=wrap)
    if texts["number"]:
        pdf.set_font(FONT, size=10.5)
        pdf.cell(0, 7, texts["number"], align=Align.R, new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    pdf.set_draw_color(170, 30, 30)
    pdf.set_line_width(0.6)
    pdf.line(pdf.l_margin, pdf.get_y() + 1, pdf.w - pdf.r_margin, pdf.get_y() + 1)
    pdf.set_line_width(0.2)
    pdf.ln(6)
    pdf.set_font(FONT, size=BODY)
    pdf.multi_cell(0, LINE, texts["salutation"], align=Align.L, new_x=XPos.LMARGIN, new_y=YPos.NEXT, wrapmode=wrap)
    if not chinese:
        pdf.ln(2)
    for paragraph in [*texts["body"], *texts["limits"]]:
        _paragraph(pdf, paragraph, chinese, wrap)
    if texts["closing"]:
        _paragraph(pdf, texts["closing"], chinese, wrap)
    _signature_area(pdf, texts, wrap)
    return bytes(pdf.output())


def _paragraph(pdf: _Letter, text: str, chinese: bool, wrap: WrapMode) -> None:
    for line in text.splitlines() or [""]:
        pdf.multi_cell(0, LINE, (INDENT + line) if chinese else line, align=Align.J if chinese else Align.L, new_x=XPos.LMARGIN, new_y=YPos.NEXT, wrapmode=wrap)
    if not chinese:
        pdf.ln(2)


def _signature_area(pdf: _Letter, texts: dict, wrap: WrapMode) -> None:
    """Officer's signature on the left; office, seal circle and date on the right, one page."""
    pdf.ln(8)
    if pdf.will_page_break(SIGNATURE_HEIGHT):
        pdf.add_page()
    top = pdf.get_y()
    column = pdf.body_width * 0.5
    right = pdf.l_margin + pdf.body_width - column
    # where the seal goes: a dashed circle over the office's name and the date, as a seal is pressed
    centre_x, centre_y = right + column / 2, top + 6 + SEAL / 2
    pdf.set_draw_color(200, 60, 60)
    with pdf.local_context(dash_pattern={"dash": 1.6, "gap": 1.2}):
        pdf.circle(centre_x, centre_y, SEAL / 2, style="D")
    pdf.set_text_color(200, 60, 60)
    pdf.set_font(FONT, size=9)
    pdf.set_xy(right, centre_y - SEAL / 2 + 4)
    pdf.cell(column, 5, texts["seal"], align=Align.C)
    pdf.set_text_color(0)
    pdf.set_font(FONT, size=BODY)
    pdf.set_xy(right, centre_y - 2)
    pdf.multi_cell(column, LINE, texts["issuer"], align=Align.C, new_x=XPos.LEFT, new_y=YPos.NEXT, wrapmode=wrap)
    pdf.set_x(right)
    pdf.multi_cell(column, LINE, texts["date_line"], align=Align.C, new_x=XPos.LMARGIN, new_y=YPos.NEXT, wrapmode=wrap)
    if texts["signer"]:
        pdf.set_xy(pdf.l_margin, centre_y + SEAL / 2 - LINE)
        pdf.multi_cell(column - 6, LINE, texts["signer"], new_x=XPos.LMARGIN, new_y=YPos.NEXT, wrapmode=wrap)
        pdf.set_draw_color(90)
        pdf.line(pdf.l_margin, pdf.get_y() + 1, pdf.l_margin + column - 12, pdf.get_y() + 1)
    pdf.set_y(max(pdf.get_y(), top + SIGNATURE_HEIGHT))
