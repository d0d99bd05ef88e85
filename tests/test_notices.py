"""Written notices (issue 15 §4): each kind built from a matter's history and read back from the
PDF, templates the office edits (and their errors, naming the line), the printed notice recorded
on the matter, the command line and the office matter screen's key."""

from __future__ import annotations

import datetime as dt
import io
import re
import shutil
import subprocess
from pathlib import Path

import pytest
from click.testing import CliRunner
from pypdf import PdfReader
from textual.widgets import OptionList

from fieldvisit.apps.office import OfficeApp
from fieldvisit.cli import main
from fieldvisit.core.i18n import t
from fieldvisit.core.records import entries, values
from fieldvisit.editing.editor import Editor
from fieldvisit.locations.paths import Home
from fieldvisit.office import notices
from fieldvisit.office.policy import Policy, load_policy
from fieldvisit.office.workflow import Workflow
from fieldvisit.reports.notice_templates import TemplateError, load_template, parse_template, starter_text
from fieldvisit.reports.notices import build_notice, print_notice
from fieldvisit.screens.commands import binding_commands
from fieldvisit.screens.history import history_lines
from fieldvisit.screens.notice_choice import NoticeChoiceScreen
from fieldvisit.screens.office_matter import OfficeMatterScreen
from fieldvisit.stores.store import ISSUES, MemoryStore, TinyDBStore
from fieldvisit.trust.keys import init_office_keys

TODAY = dt.date(2026, 11, 25)
NOW = dt.datetime(2026, 11, 25, 10, 30)
OFFICE = "东风煤业集团信访办公室"
POLICY = Policy(review_request_days=25, review_decision_days=28, re_review_request_days=21, re_review_decision_days=27, office_name=OFFICE)
REPLY = "经核实，您九月、十月的井下津贴漏发，已于十一月工资中补发1240元。"
REVIEW = "经复查，夜班津贴确有漏算，另补发360元，原处理意见其余部分维持。"
RE_REVIEW = "经复核，维持复查意见。"


def _matter(store, title: str = "井下津贴少发两个月") -> tuple[Editor, Workflow, str]:
    editor = Editor(store, actor="王敏", device_name="信访办")
    visit = editor.create_visit({"title": "矿领导深入三采区接访", "site": "东风煤矿三采区", "date": "2026-11-02"})
    issue = editor.record_issue(visit["id"], {"title": title, "petitioner_name": "李建军", "demand": "补发九月津贴"})
    return editor, Workflow(editor, POLICY, today=lambda: TODAY), issue["id"]


def _worked(store, kind: str) -> tuple[Editor, str]:
    """A matter whose history holds the decision a notice of `kind` tells."""
    editor, work, issue = _matter(store)
    if kind == "non_acceptance":
        work.not_accept(issue, "属于劳动争议仲裁受理范围")
        return editor, issue
    if kind == "transfer":
        work.transfer(issue, "东风煤矿劳资科", "津贴核发由劳资科负责")
        return editor, issue
    work.accept(issue, "")
    if kind == "acceptance":
        return editor, issue
    work.reply(issue, REPLY)
    if kind == "handling":
        return editor, issue
    work.request_review(issue, "少算了夜班津贴")
    work.decide_review(issue, REVIEW)
    if kind == "review":
        return editor, issue
    work.request_review(issue, "夜班天数仍然不对")
    work.decide_review(issue, RE_REVIEW)
    return editor, issue


def pdf_text(data: bytes) -> str:
    """The PDF's text with line breaks and spaces taken out (Chinese wraps mid-phrase)."""
    text = "".join(page.extract_text() or "" for page in PdfReader(io.BytesIO(data)).pages)
    return re.sub(r"\s+", "", text)


EXPECTED = {
    "acceptance": ["信访事项受理告知书", "决定予以受理", "60日内"],
    "non_acceptance": ["信访事项不予受理告知书", "属于劳动争议仲裁受理范围"],
    "transfer": ["信访事项转送（交办）告知书", "东风煤矿劳资科", "15日内"],
    "handling": ["信访事项处理意见书", REPLY, "25日内", "28日内"],
    "review": ["信访事项复查意见书", REVIEW, "少算了夜班津贴", "21日内", "27日内"],
    "re_review": ["信访事项复核意见书", RE_REVIEW, "夜班天数仍然不对", "最终意见"],
}


@pytest.mark.parametrize("kind", notices.KINDS)
def test_each_kind_is_built_from_the_matters_history_and_printed_in_chinese(kind, tmp_path):
    store = MemoryStore()
    editor, issue = _worked(store, kind)
    home = Home(tmp_path / "office")
    done = print_notice(store, editor, home, POLICY, issue, kind, "zh-CN", now=NOW)
    assert done.path.parent == tmp_path / "summaries" and done.path.suffix == ".pdf"
    text = pdf_text(done.path.read_bytes())
    ref = values(store.get(ISSUES, issue))["ref"]
    for words in [OFFICE, "李建军：", ref, "2026年11月25日", "（盖章）", "经办人：王敏", done.notice.doc_id, *EXPECTED[kind]]:
        assert re.sub(r"\s+", "", words) in text, (kind, words)
    assert "{" not in text and "}" not in text  # every placeholder was filled


def test_an_english_notice_and_the_office_name_from_the_keys(tmp_path):
    store = MemoryStore()
    editor, issue = _worked(store, "handling")
    home = Home(tmp_path / "office")
    init_office_keys(home.office_keys_file, "Dongfeng Coal Petition Office")
    done = print_notice(store, editor, home, POLICY, issue, "handling", "en", now=NOW)
    text = done.path.read_bytes()
    words = pdf_text(text)
    for expected in ["DongfengCoalPetitionOffice", "HandlingOpiniononaPetition", "Dear李建军", "within25daysofreceiving", "within28days", "25November2026", "(seal)", "Officerincharge:王敏"]:
        assert expected in words, expected
    assert OFFICE not in words  # the keys' organisation wins over the policy's name


def test_without_any_office_name_a_generic_one_is_printed_and_flagged():
    store = MemoryStore()
    _, issue = _worked(store, "acceptance")
    notice = build_notice(store, issue, "acceptance", "zh-CN", Policy(), Home(None), "王敏", TODAY, NOW)
    assert not notice.office_named and notice.texts["issuer"] == "信访工作机构"


def test_a_notice_needs_its_decision_and_fitting_follows_the_status(tmp_path):
    store = MemoryStore()
    editor, work, issue = _matter(store)
    assert notices.fitting(store.get(ISSUES, issue)) == []
    with pytest.raises(notices.NoticeUnavailableError, match="受理告知书"):
        print_notice(store, editor, Home(tmp_path), POLICY, issue, "acceptance", "zh-CN", now=NOW)
    assert not (tmp_path.parent / "summaries").exists()
    work.accept(issue)
    assert notices.fitting(store.get(ISSUES, issue)) == ["acceptance"]
    work.reply(issue, REPLY)
    assert notices.fitting(store.get(ISSUES, issue)) == ["handling"]
    work.request_review(issue, "少算了夜班津贴")
    work.decide_review(issue, REVIEW)
    assert notices.fitting(store.get(ISSUES, issue)) == ["review", "handling"]
    assert notices.decision(store.get(ISSUES, issue), "handling").text == REPLY
    assert notices.decision(store.get(ISSUES, issue), "review").request == "少算了夜班津贴"
    with pytest.raises(notices.NoticeUnavailableError):
        notices.decision(store.get(ISSUES, issue), "transfer")


def test_printing_is_recorded_on_the_matter_and_shown_in_its_history(tmp_path):
    store = MemoryStore()
    editor, issue = _worked(store, "review")
    first = print_notice(store, editor, Home(tmp_path / "office"), POLICY, issue, "handling", "zh-CN", now=NOW)
    print_notice(store, editor, Home(tmp_path / "office"), POLICY, issue, "review", "en", now=NOW)
    record = store.get(ISSUES, issue)
    found = entries(record, notices.NOTICES)
    assert [(entry["kind"], entry["lang"], entry["by"]) for entry in found] == [("handling", "zh-CN", "王敏"), ("review", "en", "王敏")]
    assert found[0]["doc_id"] == first.notice.doc_id and found[0]["at"]
    lines = history_lines(record)
    assert any("王敏  打印处理意见书（中文）" in line for line in lines)
    assert any("王敏  打印复查意见书（英文）" in line for line in lines)


# -- templates ------------------------------------------------------------------------------


def test_the_starter_set_is_written_on_first_use_and_the_offices_edits_are_used(tmp_path):
    store = MemoryStore()
    _, issue = _worked(store, "acceptance")
    home = Home(tmp_path / "office")
    build_notice(store, issue, "acceptance", "zh-CN", POLICY, home, "王敏", TODAY, NOW)
    written = sorted(path.name for path in home.templates_dir.iterdir())
    assert written == sorted(f"{kind}.{lang}.toml" for kind in notices.KINDS for lang in ("zh-CN", "en"))
    mine = home.templates_dir / "acceptance.zh-CN.toml"
    mine.write_text(mine.read_text("utf-8").replace('closing = "特此告知。"', 'closing = "联系电话：{{0391}}-1234，{officer}。"'), "utf-8")
    notice = build_notice(store, issue, "acceptance", "zh-CN", POLICY, home, "王敏", TODAY, NOW)
    assert notice.texts["closing"] == "联系电话：{0391}-1234，王敏。"
    mine.unlink()  # deleting a template brings the starter back
    assert build_notice(store, issue, "acceptance", "zh-CN", POLICY, home, "王敏", TODAY, NOW).texts["closing"] == "特此告知。"
    assert mine.read_text("utf-8") == starter_text("acceptance", "zh-CN")


@pytest.mark.parametrize(
    "change, line, words",
    [
        (('closing = "特此告知。"', 'closing = "特此告知。'), 21, "不是有效的 TOML"),
        (("    \"{decision}\",", "    {decision},"), 16, "不是有效的 TOML"),
        (("（{handling_due}前）", "（{handling_deadline}前）"), 19, "不认识的占位符 {handling_deadline}"),
        (("（{handling_due}前）", "（{handling_due前）"), 19, "“{”不属于任何 {占位符}"),
        (('closing = "特此告知。"', 'closing = "特此告知。}"'), 21, "“}”不属于任何"),
        (('closing = "特此告知。"', "closing = 3"), 21, "“closing”应为引号中的文字"),
        (('closing = "特此告知。"', 'closeing = "特此告知。"'), 21, "不认识的设置“closeing”"),
    ],
)
def test_a_broken_template_is_an_error_naming_the_file_and_the_line(tmp_path, change, line, words):
    folder = tmp_path / "templates"
    load_template(folder, "acceptance", "zh-CN")
    path = folder / "acceptance.zh-CN.toml"
    text = path.read_text("utf-8")
    assert change[0] in text
    broken = text.replace(change[0], change[1], 1)
    assert broken.splitlines()[line - 1].strip(), "the line named must be the one changed"
    path.write_text(broken, "utf-8")
    with pytest.raises(TemplateError) as caught:
        load_template(folder, "acceptance", "zh-CN")
    message = str(caught.value)
    assert f"{path} 第 {line} 行" in message and words in message, message
    assert change[1].strip().split("\n")[-1][:6] in broken.splitlines()[line - 1]


def test_a_template_missing_its_body_is_refused():
    with pytest.raises(TemplateError, match="缺少“body”"):
        parse_template('title = "告知书"\nsalutation = "{petitioner}："\n', "x.toml")


def test_every_starter_template_is_valid_and_uses_only_known_placeholders():
    for kind in notices.KINDS:
        for lang in ("zh-CN", "en"):
            parse_template(starter_text(kind, lang), f"{kind}.{lang}")


def test_office_name_in_the_policy_file_and_a_number_there_is_refused(tmp_path):
    path = tmp_path / "policy.toml"
    path.write_text('office_name = "东风煤业信访办"\nreview_request_days = 20\n', "utf-8")
    assert load_policy(path).office_name == "东风煤业信访办" and load_policy(path).review_request_days == 20
    path.write_text("office_name = 3\n", "utf-8")
    with pytest.raises(Exception, match="office_name"):
        load_policy(path)


# -- the command line ----------------------------------------------------------------------


def _office_store(tmp_path: Path, kind: str) -> tuple[Path, str]:
    folder = tmp_path / "data" / "office"
    with TinyDBStore.in_directory(folder) as store:
        _, issue = _worked(store, kind)
        ref = values(store.get(ISSUES, issue))["ref"]
    (folder / "policy.toml").write_text(f'office_name = "{OFFICE}"\n', "utf-8")
    return folder, ref


def test_cli_prints_a_notice_by_reference_and_records_it(tmp_path):
    folder, ref = _office_store(tmp_path, "transfer")
    out = tmp_path / "out" / "transfer.pdf"
    runner = CliRunner()
    result = runner.invoke(main, ["--data-dir", str(tmp_path / "data"), "notice", ref, "--kind", "transfer", "--out", str(out), "--officer", "周敏"])
    assert result.exit_code == 0, result.output
    assert str(out) in result.output and "转送（交办）告知书" in result.output
    text = pdf_text(out.read_bytes())
    assert OFFICE in text and "东风煤矿劳资科" in text and "经办人：周敏" in text
    with TinyDBStore.in_directory(folder) as store:
        [record] = store.all(ISSUES)
        [entry] = entries(record, notices.NOTICES)
    assert (entry["kind"], entry["by"], entry["lang"]) == ("transfer", "周敏", "zh-CN")

    english = runner.invoke(main, ["--data-dir", str(tmp_path / "data"), "notice", record["id"], "--kind", "transfer", "--out", str(tmp_path / "out"), "--lang", "en"])
    assert english.exit_code == 0, english.output
    [written] = [path for path in (tmp_path / "out").glob("*.pdf") if path != out]
    assert "NoticeofTransferofaPetition" in pdf_text(written.read_bytes())
    assert "Wrote the transfer notice" in english.output

    chinese = runner.invoke(main, ["--data-dir", str(tmp_path / "data"), "--lang", "en", "notice", ref, "--kind", "transfer", "--notice-lang", "ZH-cn", "--out", str(tmp_path / "zh.pdf")])
    assert chinese.exit_code == 0 and "Wrote the transfer notice" in chinese.output, chinese.output
    assert "信访事项转送（交办）告知书" in pdf_text((tmp_path / "zh.pdf").read_bytes())
    with TinyDBStore.in_directory(folder) as store:
        assert [entry["lang"] for entry in entries(store.all(ISSUES)[0], notices.NOTICES)] == ["zh-CN", "en", "zh-CN"]


def test_cli_refuses_a_notice_the_matter_has_no_decision_for_and_an_unknown_matter(tmp_path):
    folder, ref = _office_store(tmp_path, "transfer")
    runner = CliRunner()
    result = runner.invoke(main, ["--data-dir", str(tmp_path / "data"), "notice", ref, "--kind", "handling", "--out", str(tmp_path / "h.pdf")])
    assert result.exit_code == 1 and "无法打印处理意见书" in result.output
    assert not (tmp_path / "h.pdf").exists()
    result = runner.invoke(main, ["--data-dir", str(tmp_path / "data"), "notice", "20260101-ZZZZ-009", "--kind", "handling"])
    assert result.exit_code == 1 and "20260101-ZZZZ-009" in result.output
    with TinyDBStore.in_directory(folder) as store:
        assert entries(store.all(ISSUES)[0], notices.NOTICES) == []


# -- the office matter screen -------------------------------------------------------------


def _app(store, tmp_path: Path) -> OfficeApp:
    return OfficeApp(store, Editor(store, actor="周敏"), policy=POLICY, today=TODAY, home=Home(tmp_path / "office"))


async def test_the_notice_key_prints_the_one_that_fits_and_says_where(tmp_path):
    with TinyDBStore(tmp_path / "office" / "fieldvisit.json") as store:
        _, issue = _worked(store, "acceptance")
        app = _app(store, tmp_path)
        async with app.run_test(size=(120, 40)) as pilot:
            await pilot.pause()
            app.push_screen(OfficeMatterScreen(issue))
            await pilot.pause()
            assert "w" in app.screen.active_bindings  # in the footer, and so in the palette:
            assert t("notices.print") in [command.title for command in binding_commands(app.screen)]
            await pilot.press("w")
            await app.workers.wait_for_complete()
            await pilot.pause()
            [pdf] = (tmp_path / "summaries").glob("*.pdf")
            assert any(str(pdf) in str(note.message) for note in app._notifications)
            assert "已打印的书面告知书" in str(app.screen.query_one("#om-notices").render())
        [entry] = entries(store.get(ISSUES, issue), notices.NOTICES)
    assert entry["kind"] == "acceptance" and entry["by"] == "周敏"
    assert "信访事项受理告知书" in pdf_text(pdf.read_bytes())


async def test_the_notice_key_asks_which_when_several_fit(tmp_path):
    with TinyDBStore(tmp_path / "office" / "fieldvisit.json") as store:
        _, issue = _worked(store, "review")
        app = _app(store, tmp_path)
        async with app.run_test(size=(120, 40)) as pilot:
            await pilot.pause()
            app.push_screen(OfficeMatterScreen(issue))
            await pilot.pause()
            await pilot.press("w")
            await pilot.pause()
            assert isinstance(app.screen, NoticeChoiceScreen)
            options = app.screen.query_one(OptionList)
            assert [options.get_option_at_index(i).id for i in range(options.option_count)] == ["review", "handling"]
            await pilot.press("down", "enter")
            await app.workers.wait_for_complete()
            await pilot.pause()
            assert isinstance(app.screen, OfficeMatterScreen)
        [entry] = entries(store.get(ISSUES, issue), notices.NOTICES)
    assert entry["kind"] == "handling"
    [pdf] = (tmp_path / "summaries").glob("*.pdf")
    assert "信访事项处理意见书" in pdf_text(pdf.read_bytes())


async def test_the_notice_key_is_not_offered_when_none_fits(tmp_path):
    """Issue 15 §3: a key that cannot apply is hidden (footer and palette) and does nothing."""
    with TinyDBStore(tmp_path / "office" / "fieldvisit.json") as store:
        _, _, issue = _matter(store)
        app = _app(store, tmp_path)
        async with app.run_test(size=(120, 40)) as pilot:
            await pilot.pause()
            app.push_screen(OfficeMatterScreen(issue))
            await pilot.pause()
            assert "w" not in app.screen.active_bindings
            assert t("notices.print") not in [command.title for command in binding_commands(app.screen)]
            await pilot.press("w")
            await pilot.pause()
            assert isinstance(app.screen, OfficeMatterScreen)
    assert not (tmp_path / "summaries").exists()


# -- what the page looks like ---------------------------------------------------------------


@pytest.mark.skipif(shutil.which("pdftotext") is None or shutil.which("pdftoppm") is None, reason="poppler-utils is not installed")
def test_the_page_lays_out_title_reference_and_seal_area(tmp_path):
    """pdftotext's layout: title above the reference, the seal area and date below the text."""
    store = MemoryStore()
    editor, issue = _worked(store, "handling")
    done = print_notice(store, editor, Home(tmp_path / "office"), POLICY, issue, "handling", "zh-CN", now=NOW)
    layout = subprocess.run(["pdftotext", "-layout", str(done.path), "-"], capture_output=True, text=True, check=True).stdout
    lines = [line.strip() for line in layout.splitlines() if line.strip()]
    order = [next(i for i, line in enumerate(lines) if words in line) for words in ("信访事项处理意见书", "编号：", "李建军：", "特此答复。", "（盖章）", "2026年11月25日")]
    assert order == sorted(order), lines
    subprocess.run(["pdftoppm", "-r", "40", "-png", "-singlefile", str(done.path), str(tmp_path / "page")], check=True)
    assert (tmp_path / "page.png").stat().st_size > 1000


def test_snapshot_of_the_choice_when_several_notices_fit(snap_compare, monkeypatch):
    import random

    monkeypatch.setattr("fieldvisit.core.clock.today", lambda: TODAY)
    store = MemoryStore()
    ms = int(dt.datetime(2026, 11, 20, 9, 0, tzinfo=dt.timezone.utc).timestamp() * 1000)
    editor = Editor(store, actor="王敏", wall=lambda: ms, rng=random.Random(7), device_name="信访办")
    visit = editor.create_visit({"title": "矿领导深入三采区接访", "site": "东风煤矿三采区", "date": "2026-11-02"})
    issue = editor.record_issue(visit["id"], {"title": "井下津贴少发两个月", "petitioner_name": "李建军", "demand": "补发九月津贴"})["id"]
    work = Workflow(editor, POLICY, today=lambda: TODAY)
    work.accept(issue)
    work.reply(issue, REPLY)
    work.request_review(issue, "少算了夜班津贴")
    work.decide_review(issue, REVIEW)
    app = OfficeApp(store, editor, policy=POLICY, today=TODAY, home=Home(None))

    async def open_and_ask(pilot) -> None:
        await pilot.pause()
        app.push_screen(OfficeMatterScreen(issue))
        await pilot.pause()
        await pilot.press("w")
        await pilot.pause()

    assert snap_compare(app, run_before=open_and_ask, terminal_size=(100, 30))
