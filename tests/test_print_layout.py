"""The printed summary is compact and well set (issue 14 §6): a 20-matter visit on at most five
A4 pages in a regular-weight font, no English table header broken inside a word, a matter that
runs over a page break named again on the next page, no line begun with a closing mark."""

from __future__ import annotations

import datetime as dt
import io
import re

import pytest
from fontTools.ttLib import TTFont
from pypdf import PdfReader

from fieldvisit.core.i18n import set_language
from fieldvisit.core.records import values
from fieldvisit.demo.laptop import build_demo
from fieldvisit.demo.office import write_office_demo
from fieldvisit.demo.text import han_count
from fieldvisit.reports.data import period_report, visit_summary
from fieldvisit.reports.document import Document, Entry, Table
from fieldvisit.reports.documents import report_document, summary_document
from fieldvisit.reports.pdf import NO_LINE_START
from fieldvisit.reports.write import render
from fieldvisit.stores.store import ISSUES, VISITS, TinyDBStore

ANCHOR = dt.date(2026, 11, 25)
NOW = dt.datetime(2026, 11, 25, 10, 0)
TEXTS = ("title", "demand", "detail", "onsite_answer", "commitment")


@pytest.fixture(scope="module")
def field():
    return build_demo(1, ANCHOR)


@pytest.fixture
def english():
    set_language("en")
    yield
    set_language("zh-CN")


def _twenty(store) -> tuple[str, list[dict]]:
    """The demo's long visit: 20 matters of real-looking Chinese text."""
    visit = max(store.all(VISITS), key=lambda v: sum(values(i).get("visit_id") == v["id"] for i in store.all(ISSUES)))
    return visit["id"], [values(i) for i in store.all(ISSUES) if values(i).get("visit_id") == visit["id"]]


def _fragments(data: bytes) -> list[str]:
    """Every piece of text the PDF draws, in order: each is one line of a cell."""
    found: list[str] = []
    for page in PdfReader(io.BytesIO(data)).pages:
        page.extract_text(visitor_text=lambda text, *_: found.append(text) if text.strip() else None)
    return [text.strip() for text in found]


@pytest.mark.parametrize("language", ["zh-CN", "en"])
def test_a_twenty_matter_visit_fits_five_pages(field, language):
    visit_id, matters = _twenty(field)
    assert len(matters) == 20
    assert sum(han_count(" ".join(str(m.get(k) or "") for k in TEXTS)) for m in matters) / 20 >= 110
    set_language(language)
    try:
        data = render(summary_document(visit_summary(field, visit_id), NOW), "pdf")
    finally:
        set_language("zh-CN")
    reader = PdfReader(io.BytesIO(data))
    assert len(reader.pages) <= 5
    text = "".join(page.extract_text() for page in reader.pages)
    for matter in matters:  # compact, not cut: every matter's reference and demand is there
        assert matter["ref"] in text
        assert re.sub(r"\s", "", matter["demand"])[:12] in re.sub(r"\s", "", text)


def test_the_font_is_regular_weight(field):
    data = render(summary_document(visit_summary(field, _twenty(field)[0]), NOW), "pdf")
    fonts = PdfReader(io.BytesIO(data)).pages[0]["/Resources"]["/Font"]
    for ref in fonts.values():
        font = ref.get_object()
        assert not re.search(r"Thin|Light|Bold|Black", str(font["/BaseFont"]))
        descriptor = font["/DescendantFonts"][0].get_object()["/FontDescriptor"].get_object()
        embedded = TTFont(io.BytesIO(descriptor["/FontFile2"].get_object().get_data()))
        assert 350 <= embedded["OS/2"].usWeightClass <= 500
        assert "Thin" not in (embedded["name"].getDebugName(4) or "")


def _words(text: str) -> set[str]:
    return set(re.findall(r"[A-Za-z][A-Za-z.'-]*", text))


def test_english_in_tables_breaks_between_words_only(english):
    headers = ["Reference", "Responsible department", "Days overdue", "First-inquiry owner", "Assignee", "Satisfaction", "Step", "Due"]
    cells = ["20261015-3WER-007", "Human resources", "25", "Accept by", "Wang Zhigang", "Basically satisfied", "Reply by", "2026-10-31"]
    document = Document("Report", "", "R", NOW, [Table(headers, [cells], numeric=(2,), widths=(4, 1, 1, 1, 1, 1, 1, 1))])
    whole = _words(" ".join(headers + cells)) | {"Report"}
    for fragment in _fragments(render(document, "pdf")):
        if not re.search(r"\d", fragment):  # the footer's id, date and page number
            assert _words(fragment) <= whole, fragment


def test_the_report_overdue_table_headers_are_whole_words(english, tmp_path):
    write_office_demo(tmp_path, ANCHOR)
    with TinyDBStore.in_directory(tmp_path) as office:
        report = period_report(office, dt.date(2026, 10, 1), dt.date(2026, 11, 30), today=ANCHOR)
    assert report.overdue
    document = report_document(report, NOW)
    [table] = [block for block in document.blocks if isinstance(block, Table) and len(block.headers) == 8]
    pieces = _fragments(render(Document("", "", "R", NOW, [table]), "pdf"))
    header_words = _words(" ".join(table.headers))
    for fragment in pieces:
        for word in _words(fragment):
            broken = [whole for whole in header_words if word != whole and (whole.startswith(word) or whole.endswith(word))]
            assert word in header_words or not broken or len(word) < 2, (word, broken)


def test_a_long_matter_runs_on_with_its_heading_repeated_and_no_line_starts_with_a_closing_mark():
    long = "井下一班反映，" * 500 + "。"
    entry = Entry("1. 20261120-3WER-001 井下津贴少发", [("诉求", "补发九月津贴。"), ("反映内容", long)], (("反映人", "张**"), ("状态", "已记录")))
    document = Document("下访活动记录", "测试", "S", NOW, [entry], continued_label="（续）")
    data = render(document, "pdf")
    assert len(PdfReader(io.BytesIO(data)).pages) >= 2
    fragments = _fragments(data)
    assert "1. 20261120-3WER-001 井下津贴少发 （续）" in fragments
    assert not any(fragment[:1] in NO_LINE_START for fragment in fragments)
