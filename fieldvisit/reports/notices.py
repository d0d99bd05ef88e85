"""A written notice to the petitioner, made from a matter and the office's template, as PDF.

`build_notice` gathers the values (`notice_values`: the matter, its visit, the decision from its
history, the time limits of the policy, the office's name), fills the template of the kind and
language and returns a `Notice`; `print_notice` writes it as PDF (`notice_pdf`) and records on the
matter that it was printed (`office.notices.record_printed`). The notice's language is its own
(the template's and the catalogue's of that language), whatever language the app is shown in.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from fieldvisit.core.errors import NotFoundError
from fieldvisit.core.i18n import LANGUAGES, catalogue, normalise
from fieldvisit.core.records import Record, values
from fieldvisit.core.text import printable, safe_file_name
from fieldvisit.editing.editor import Editor
from fieldvisit.locations.paths import Home
from fieldvisit.office import notices
from fieldvisit.office.policy import Policy, PolicyError, deadlines, issue_facts
from fieldvisit.reports.notice_templates import load_template
from fieldvisit.stores.store import ISSUES, VISITS, Store

MONTHS = ("January", "February", "March", "April", "May", "June", "July", "August", "September", "October", "November", "December")


@dataclass(frozen=True)
class Notice:
    kind: str
    lang: str
    ref: str
    texts: dict[str, Any]
    """The template's settings, filled (see `notice_templates.SETTINGS`)."""
    generated: dt.datetime
    office_named: bool = True
    """False when neither the office keys nor the policy name the office (a generic name is printed)."""
    labels: dict[str, str] = field(default_factory=dict)
    """The footer's words in the notice's language."""

    @property
    def doc_id(self) -> str:
        """`N-` and 10 hex digits of the notice's words: the same notice printed again has the same id."""
        digest = hashlib.sha256(repr((self.kind, self.lang, sorted(self.texts.items()))).encode("utf-8")).hexdigest()
        return f"N-{digest[:10].upper()}"

    def footer(self) -> str:
        return f"{self.labels.get('doc_id', '')} {self.doc_id} · {self.labels.get('generated', '')} {self.generated:%Y-%m-%d %H:%M}"


@dataclass(frozen=True)
class Printed:
    path: Path
    notice: Notice
    issue_id: str


def find_matter(store: Store, wanted: str) -> Record:
    """A matter by its id or its reference (as printed on notices and summaries)."""
    wanted = wanted.strip()
    record = store.get(ISSUES, wanted) or store.get(ISSUES, wanted.upper())
    if record is not None:
        return record
    for candidate in store.records(ISSUES):
        if (candidate["fields"].get("ref") or {}).get("value") == wanted:
            return candidate
    raise NotFoundError(record_id=wanted)


def office_name(home: Home, policy: Policy) -> str:
    """The organisation named in the office's keys, else the policy's `office_name`, else ""."""
    keys_file = home.office_keys_file
    if keys_file is not None and keys_file.is_file():
        # imported here: the trust layer (PyNaCl) is needed only when the keys exist
        from fieldvisit.core.errors import FieldVisitError
        from fieldvisit.trust.keys import OfficeKeys

        try:
            organisation = OfficeKeys.load(keys_file).organisation.strip()
        except FieldVisitError:
            organisation = ""
        if organisation:
            return organisation
    return policy.office_name.strip()


def notice_values(record: Record, visit: dict[str, Any], kind: str, lang: str, policy: Policy, office: str, officer: str, today: dt.date) -> dict[str, str]:
    """Every placeholder's text for this matter and kind, dates written in `lang`."""
    words = catalogue(lang)
    issue = values(record)
    found = notices.decision(record, kind)
    facts = issue_facts(record)
    accepted = notices.decision(record, "acceptance").date if "acceptance" in notices.available(record) else str(issue.get("accepted_at") or "")[:10]
    handling_due = ""
    try:
        handling = [step for step in deadlines(facts, policy) if step.step == "handling"]
        handling_due = _date(handling[-1].due.isoformat(), lang) if handling else ""
    except PolicyError:
        pass
    if issue.get("anonymous") or not issue.get("petitioner_name"):
        petitioner = words["notices.anonymous"]
    else:
        petitioner = str(issue["petitioner_name"])
        people = issue.get("people") or 1
        if isinstance(people, int) and people > 1:
            petitioner = words["notices.and_others"].format(name=petitioner, people=people)
    text = {
        "office": office or words["notices.unnamed_office"],
        "petitioner": petitioner,
        "ref": str(issue.get("ref") or issue["id"]),
        "title": str(issue.get("title") or ""),
        "demand": str(issue.get("demand") or ""),
        "site": str(visit.get("site") or ""),
        "raised_date": _date(str(issue.get("raised_at") or "")[:10], lang),
        "registered_date": _date(str(facts.get("arrived_at") or issue.get("registered_at") or "")[:10], lang),
        "accepted_date": _date(accepted, lang),
        "decision": found.text,
        "decision_date": _date(found.date, lang),
        "decision_by": found.by,
        "transfer_to": str(issue.get("transfer_to") or ""),
        "request": found.request,
        "request_date": _date(found.request_date, lang),
        "officer": officer,
        "date": _date(today.isoformat(), lang),
        "acceptance_days": str(policy.acceptance_days),
        "handling_days": str(policy.handling_days + _whole(issue.get("extension_days"))),
        "handling_due": handling_due,
        "review_days": str(policy.review_request_days),
        "review_answer_days": str(policy.review_decision_days),
        "re_review_days": str(policy.re_review_request_days),
        "re_review_answer_days": str(policy.re_review_decision_days),
    }
    return {name: printable(value) for name, value in text.items()}


def build_notice(
    store: Store,
    issue_id: str,
    kind: str,
    lang: str,
    policy: Policy,
    home: Home,
    officer: str,
    today: dt.date,
    now: dt.datetime,
) -> Notice:
    """The notice of `kind` for the matter, in `lang` ("zh-CN" or "en"), from the office's template."""
    lang = lang if lang in LANGUAGES else normalise(lang)
    record = find_matter(store, issue_id)
    visit_record = store.get(VISITS, (record["fields"].get("visit_id") or {}).get("value") or "")
    visit = values(visit_record) if visit_record is not None else {}
    name = office_name(home, policy)
    filled = load_template(home.templates_dir, kind, lang).fill(notice_values(record, visit, kind, lang, policy, name, officer, today))
    words = catalogue(lang)
    labels = {"doc_id": words["notices.doc_id"], "generated": words["notices.generated"], "page": words["notices.page"]}
    return Notice(kind, lang, str(values(record).get("ref") or record["id"]), filled, now, bool(name), labels)


def write_notice(
    store: Store,
    home: Home,
    policy: Policy,
    issue_id: str,
    kind: str,
    lang: str,
    officer: str,
    out: Path | None = None,
    font: Path | None = None,
    today: dt.date | None = None,
    now: dt.datetime | None = None,
) -> Printed:
    """Write the notice as PDF to `out` (a file, or a folder; default `home.summaries_dir`), whole
    or not at all. Nothing is recorded: `print_notice` does both, the app records on its thread."""
    # imported when printing: fpdf2 and the CJK font cost a second to load
    from fieldvisit.reports.fonts import find_font
    from fieldvisit.reports.notice_pdf import render_notice
    from fieldvisit.stores.storage import write_atomically

    now = now or dt.datetime.now().replace(second=0, microsecond=0)
    record = find_matter(store, issue_id)
    notice = build_notice(store, record["id"], kind, lang, policy, home, officer, today or now.date(), now)
    default = safe_file_name(f"notice-{kind}-{notice.ref}-{notice.lang}", fallback="notice") + ".pdf"
    target = Path(out) if out is not None else home.summaries_dir / default
    if target.is_dir():
        target = target / default
    data = render_notice(notice, find_font(font))
    target.parent.mkdir(parents=True, exist_ok=True)
    write_atomically(target, data)
    return Printed(target, notice, record["id"])


def print_notice(store: Store, editor: Editor, home: Home, policy: Policy, issue_id: str, kind: str, lang: str, **how: Any) -> Printed:
    """`write_notice`, then record on the matter that it was printed, by the editor's officer.
    A notice that could not be written is not recorded."""
    done = write_notice(store, home, policy, issue_id, kind, lang, editor.actor, **how)
    notices.record_printed(editor, done.issue_id, kind, done.notice.lang, done.notice.doc_id)
    return done


def _whole(value: Any) -> int:
    """Extension days as stored (a number, or digits from an older write); 0 otherwise."""
    if isinstance(value, int) and not isinstance(value, bool):
        return value
    return int(value) if isinstance(value, str) and value.strip().isdigit() else 0


def _date(day: str, lang: str) -> str:
    """2026-12-01 as 2026年12月1日 or 1 December 2026; "" stays ""."""
    try:
        value = dt.date.fromisoformat(day)
    except ValueError:
        return day
    if lang == "zh-CN":
        return f"{value.year}年{value.month}月{value.day}日"
    return f"{value.day} {MONTHS[value.month - 1]} {value.year}"
