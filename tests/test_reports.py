"""Visit summaries and period reports in the four formats (fieldvisit.reports, issue 7)."""

from __future__ import annotations

import datetime as dt
import os
import re
import shutil
import subprocess
from html.parser import HTMLParser
from pathlib import Path

import pytest
from click.testing import CliRunner

from homes import home_of
from fieldvisit.cli import main
from fieldvisit.demo.laptop import build_demo
from fieldvisit.core.errors import FieldVisitError
from fieldvisit.demo.office import write_office_demo
from fieldvisit.core.records import values
from fieldvisit.reports.data import period_report, visit_summary
from fieldvisit.reports.documents import report_document, summary_document
from fieldvisit.reports.fonts import FontMissingError, FontUnusableError, find_font, packaged_font
from fieldvisit.reports.write import render
from fieldvisit.stores.store import ISSUES, VISITS, TinyDBStore

ANCHOR = dt.date(2026, 11, 25)
NOW = dt.datetime(2026, 11, 25, 10, 0)
GOLDEN = Path(__file__).with_name("golden")
PHONE = re.compile(r"1[3-9]\d{9}")
needs_pdftotext = pytest.mark.skipif(shutil.which("pdftotext") is None, reason="pdftotext (poppler-utils) is not installed")


@pytest.fixture(scope="module")
def field():
    return build_demo(1, ANCHOR)


@pytest.fixture(scope="module")
def office(tmp_path_factory):
    folder = tmp_path_factory.mktemp("office")
    write_office_demo(folder, ANCHOR)
    with TinyDBStore.in_directory(folder) as store:
        yield store


def _longest_visit(store):
    return max(store.all(VISITS), key=lambda v: sum(1 for i in store.all(ISSUES) if values(i).get("visit_id") == v["id"]))["id"]


def _matters(store, visit_id):
    return [values(i) for i in store.all(ISSUES) if values(i).get("visit_id") == visit_id]


def _pdf_text(data: bytes, tmp_path: Path) -> str:
    source = tmp_path / "doc.pdf"
    source.write_bytes(data)
    return subprocess.run(["pdftotext", "-layout", str(source), "-"], capture_output=True, text=True, check=True).stdout


def _pages(data: bytes) -> int:
    return len(re.findall(rb"/Type\s*/Page\b", data))


@needs_pdftotext
def test_summary_pdf_holds_the_chinese_titles_demands_and_references(field, tmp_path):
    visit_id = _longest_visit(field)
    data = render(summary_document(visit_summary(field, visit_id), NOW), "pdf")
    text = re.sub(r"\s+", "", _pdf_text(data, tmp_path))
    assert "下访活动记录" in text
    assert values(field.get(VISITS, visit_id))["title"] in text
    for matter in _matters(field, visit_id):
        assert matter["ref"] in text
        assert matter["demand"].replace(" ", "") in text
    assert "接访领导签字" in text and "记录人签字" in text
    assert text.count("文档编号") == _pages(data)  # the footer on every page


@needs_pdftotext
def test_report_pdf_holds_the_title_and_figures(office, tmp_path):
    report = period_report(office, dt.date(2026, 10, 1), dt.date(2026, 11, 30), today=ANCHOR)
    data = render(report_document(report, NOW), "pdf")
    text = re.sub(r"\s+", "", _pdf_text(data, tmp_path))
    assert "信访工作情况报告" in text and "按类别统计" in text and "超期事项清单" in text
    assert report.stats.overdue > 0 and report.overdue[0].ref in text


def test_page_count_grows_with_content(field):
    short = min(field.all(VISITS), key=lambda v: len(_matters(field, v["id"])))["id"]
    long = _longest_visit(field)
    few = render(summary_document(visit_summary(field, short), NOW), "pdf")
    many = render(summary_document(visit_summary(field, long), NOW), "pdf")
    assert _pages(many) > _pages(few) >= 1


@pytest.mark.parametrize("fmt", ["txt", "md", "html", "pdf"])
def test_redact_leaves_no_phone_number(field, fmt, tmp_path):
    visit_id = _longest_visit(field)
    phones = [m["phone"] for m in _matters(field, visit_id) if m.get("phone")]
    badges = [m["employee_no"] for m in _matters(field, visit_id) if m.get("employee_no") and not m.get("anonymous")]
    names = [m["petitioner_name"] for m in _matters(field, visit_id) if m.get("petitioner_name")]
    assert phones
    data = render(summary_document(visit_summary(field, visit_id, redact=True), NOW), fmt)
    if fmt == "pdf":
        if shutil.which("pdftotext") is None:
            pytest.skip("pdftotext (poppler-utils) is not installed")
        text = _pdf_text(data, tmp_path)
    else:
        text = data.decode("utf-8")
    assert not any(phone in text for phone in phones)
    assert not PHONE.search(text)
    assert not any(name in text for name in names)
    assert badges and not any(badge in text or badge[:-2] in text for badge in badges)
    shown = re.findall(r"DF[\d*]+", text.replace("\\*", "*"))  # employee numbers: at most their last two digits
    assert len(shown) >= len(badges) and all(re.fullmatch(r"DF\*+\d{0,2}", number) for number in shown)
    plain = render(summary_document(visit_summary(field, visit_id), NOW), "txt").decode()
    assert phones[0] in plain and badges[0] in plain  # without --redact the office's own copy is whole


class _Collector(HTMLParser):
    def __init__(self):
        super().__init__()
        self.text = []
        self.tags = []

    def handle_starttag(self, tag, attrs):
        self.tags.append(tag)
        assert tag not in ("script", "link", "img"), tag  # self-contained: no external assets

    def handle_data(self, data):
        self.text.append(data)


def test_html_parses_and_holds_every_matter(field):
    visit_id = _longest_visit(field)
    html = render(summary_document(visit_summary(field, visit_id), NOW), "html").decode()
    parser = _Collector()
    parser.feed(html)
    parser.close()
    text = "".join(parser.text)
    for matter in _matters(field, visit_id):
        assert matter["ref"] in text and matter["demand"] in text
    assert "@media print" in html and "@page" in html
    assert "http://" not in html and "https://" not in html
    assert html.count('class="entry"') == len(_matters(field, visit_id))


def test_report_html_has_charts(office):
    report = period_report(office, dt.date(2026, 10, 1), dt.date(2026, 11, 30), today=ANCHOR)
    html = render(report_document(report, NOW), "html").decode()
    HTMLParser().feed(html)
    assert html.count('class="bar"') >= len(report.stats.by_category)


@pytest.mark.parametrize("kind", ["summary", "report"])
@pytest.mark.parametrize("fmt", ["txt", "md"])
def test_golden_text(field, office, kind, fmt):
    if kind == "summary":
        document = summary_document(visit_summary(field, _longest_visit(field)), NOW)
    else:
        document = report_document(period_report(office, dt.date(2026, 10, 1), dt.date(2026, 11, 30), today=ANCHOR), NOW)
    found = render(document, fmt).decode("utf-8")
    golden = GOLDEN / f"{kind}.{fmt}"
    if os.environ.get("UPDATE_GOLDEN"):
        golden.write_text(found, "utf-8")
    assert found == golden.read_text("utf-8"), f"{golden} differs; rerun with UPDATE_GOLDEN=1 if the change is meant"


def test_site_filter_and_empty_period(office):
    sites = sorted({values(v)["site"] for v in office.all(VISITS)})
    one = period_report(office, dt.date(2026, 10, 1), dt.date(2026, 11, 30), site=sites[0], today=ANCHOR)
    assert set(one.stats.by_site) <= {sites[0]}
    empty = period_report(office, dt.date(2020, 1, 1), dt.date(2020, 1, 31), today=ANCHOR)
    assert empty.stats.total == 0 and empty.overdue == []
    assert "没有超期事项" in render(report_document(empty, NOW), "txt").decode()


def test_fonts_given_missing_and_without_chinese(tmp_path):
    with pytest.raises(FontUnusableError):
        find_font(tmp_path / "nope.ttf")
    latin = next(Path("/usr/share/fonts").rglob("DejaVuSans.ttf"), None) if Path("/usr/share/fonts").is_dir() else None
    if latin is not None:
        with pytest.raises(FontUnusableError):
            find_font(latin)
    assert issubclass(FontMissingError, FieldVisitError)
    assert "中文字体" in str(FontMissingError())


def test_packaged_font_renders_chinese(field, tmp_path):
    """The font that installs with fieldvisit, used when no system CJK font is found."""
    path = packaged_font(tmp_path)
    if path is None:
        pytest.skip("justmytype-intl-cjk is not installed")
    choice = find_font(path)
    from fieldvisit.reports.pdf import render_pdf

    data = render_pdf(summary_document(visit_summary(field, _longest_visit(field)), NOW), choice)
    if shutil.which("pdftotext"):
        assert "下访活动记录" in _pdf_text(data, tmp_path)


def test_cli_summary_and_report(tmp_path):
    runner = CliRunner()
    data_dir = tmp_path / "data"
    assert runner.invoke(main, ["--data-dir", str(data_dir), "demo", "--no-open", "--anchor", "2026-11-25"]).exit_code == 0
    with TinyDBStore.in_directory(data_dir / "field") as store:
        visit_id = store.all(VISITS)[0]["id"]
    for fmt in ("txt", "md", "html", "pdf"):
        out = tmp_path / f"s.{fmt}"
        result = runner.invoke(main, ["--data-dir", str(data_dir), "summary", visit_id, "--format", fmt, "--out", str(out), "--redact"])
        assert result.exit_code == 0, result.output
        assert out.stat().st_size > 0
    write_office_demo(data_dir / "office", ANCHOR)
    out = tmp_path / "r.txt"
    result = runner.invoke(main, ["--data-dir", str(data_dir), "report", "--from", "2026-10-01", "--to", "2026-11-30", "--format", "txt", "--out", str(out)])
    assert result.exit_code == 0, result.output
    assert "信访工作情况报告" in out.read_text("utf-8")
    bad = runner.invoke(main, ["--data-dir", str(data_dir), "summary", "NOSUCHVISIT"])
    assert bad.exit_code == 1


async def test_the_print_key_writes_the_visit_summary_beside_the_store(tmp_path):
    """Ctrl+O on a visit writes its summary PDF to <data dir>/summaries and says where."""
    from fieldvisit.editing.editor import Editor
    from fieldvisit.apps.field import FieldApp
    from fieldvisit.stores.store import TinyDBStore

    with TinyDBStore(tmp_path / "field" / "fieldvisit.json") as store:
        editor = Editor(store)
        visit = editor.create_visit({"title": "矿领导深入三采区接访", "site": "东风煤矿三采区", "date": "2026-11-20"})
        editor.record_issue(visit["id"], {"title": "井下津贴少发", "demand": "补发九月津贴"})
        app = FieldApp(store, editor, home=home_of(store))
        async with app.run_test(size=(120, 40)) as pilot:
            await pilot.press("o")
            await pilot.pause()
            await pilot.press("ctrl+o")
            await app.workers.wait_for_complete()  # the PDF is made on a thread, however long it takes
            await pilot.pause()
    [pdf] = (tmp_path / "summaries").glob("*.pdf")
    assert pdf.read_bytes().startswith(b"%PDF")


def _cff_font_with_chinese(path: Path) -> Path:
    """A tiny OpenType font with CFF outlines holding the probe's characters (empty glyphs):
    the kind of face Debian's fonts-noto-cjk installs."""
    from fontTools.fontBuilder import FontBuilder
    from fontTools.misc.psCharStrings import T2CharString

    from fieldvisit.reports.fonts import PROBE

    names = [".notdef", *(f"uni{ord(char):04X}" for char in dict.fromkeys(PROBE))]
    builder = FontBuilder(1000, isTTF=False)
    builder.setupGlyphOrder(names)
    builder.setupCharacterMap({ord(char): f"uni{ord(char):04X}" for char in PROBE})
    builder.setupCFF("TestSansSC", {"FullName": "Test Sans SC"}, {name: T2CharString(program=["endchar"]) for name in names}, {})
    builder.setupHorizontalMetrics({name: (1000, 0) for name in names})
    builder.setupHorizontalHeader(ascent=880, descent=-120)
    builder.setupNameTable({"familyName": "Test Sans SC", "styleName": "Regular"})
    builder.setupOS2()
    builder.setupPost()
    builder.save(str(path))
    return path


def test_a_system_font_with_cff_outlines_is_passed_over_and_a_given_one_is_used(tmp_path, monkeypatch):
    """A PDF made with a CFF face reads back with a NUL before every character in pypdf, so a
    system font must have TrueType outlines; one given with --font is used as it is."""
    from fieldvisit.reports import fonts

    cff = _cff_font_with_chinese(tmp_path / "TestSansSC.otf")
    monkeypatch.setattr(fonts, "_system_candidates", lambda: [cff])
    chosen = find_font()  # the packaged font, from the cache every PDF test shares
    assert chosen.path != cff and chosen.source == "packaged"
    assert find_font(cff) == fonts.FontChoice(cff, 0, "given")


def test_office_summary_reads_only_the_visit_when_the_facts_fit(tmp_path, monkeypatch):
    """`summary --office` with the matters' facts beside the store (as the app, imports and the
    report leave them) reads the visit's matters alone, and prints the same as a full read."""
    from fieldvisit.locations.paths import Home
    from fieldvisit.office.facts import FactsIndex
    from fieldvisit.office.facts_cache import FactsCache
    from fieldvisit.stores.splice_store import SplicingJSONStore

    folder = tmp_path / "office"
    folder.mkdir()
    write_office_demo(folder, ANCHOR)
    with TinyDBStore.in_directory(folder) as store:
        visit_id = _longest_visit(store)
        assert len(_matters(store, visit_id)) > 1
    runner = CliRunner()

    def printed(name: str) -> str:
        out = tmp_path / f"{name}.txt"
        result = runner.invoke(main, ["--lang", "zh-CN", "summary", visit_id, "--office", "--data-dir", str(tmp_path), "--format", "txt", "--out", str(out)])
        assert result.exit_code == 0, result.output
        return re.sub(r"文档编号.*", "", out.read_text("utf-8"))  # its number and time: when it was made

    whole = printed("whole")
    with SplicingJSONStore(folder / TinyDBStore.FILE_NAME) as store:
        facts = FactsIndex(store, FactsCache.of(Home.beside(store.path)))
        facts.ready()
        facts.save()
    every_matter = SplicingJSONStore.records

    def refused(store, table):
        assert table != ISSUES, "the summary read every matter although the facts fit"
        return every_matter(store, table)

    monkeypatch.setattr(SplicingJSONStore, "records", refused)
    assert printed("from-facts") == whole
    assert "下访活动记录" in whole
