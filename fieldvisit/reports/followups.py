"""The follow-up list to take to a site (回访清单), and the words for one matter's follow-up,
shared by the printed list and the field app's follow-up view so both always say the same.

Per matter: the petitioner, what was asked, what was answered on site and promised (kept or
not), the office's status, owner and reply, its deadlines, what is still owed, and the
feedback already given face to face; then space to write what was said this time.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, replace
from typing import Any

from fieldvisit.core import clock
from fieldvisit.core.i18n import label, t
from fieldvisit.core.records import values
from fieldvisit.office.followups import FollowUpMatter, site_matters
from fieldvisit.office.policy import DEFAULT_POLICY, Policy
from fieldvisit.reports.data import _by_prefix, redacted
from fieldvisit.reports.document import Document, Entry, Fields, Paragraph, Signatures
from fieldvisit.stores.store import VISITS, Store


@dataclass(frozen=True)
class FollowUpList:
    site: str
    as_of: dt.date
    matters: list[FollowUpMatter]


def follow_up_list(
    store: Store,
    visit_id: str,
    on_visit: bool = False,
    today: dt.date | None = None,
    policy: Policy = DEFAULT_POLICY,
    redact: bool = False,
) -> FollowUpList:
    """The matters due for follow-up at the site of `visit_id` (its full id or a unique end).
    With `on_visit`, as seen from that visit: its own and later visits' matters left out."""
    record = store.get(VISITS, visit_id) or _by_prefix(store, visit_id)
    visit = values(record)
    today = today or clock.today()
    matters = site_matters(store, visit.get("site") or "", visit["id"] if on_visit else None, today, policy)
    if redact:
        matters = [replace(item, issue=redacted(item.issue)) for item in matters]
    return FollowUpList(visit.get("site") or "", today, matters)


# -- words for one matter -------------------------------------------------------------------


def promise_text(item: FollowUpMatter) -> str:
    kept = item.promise
    params: dict[str, Any] = {"days": kept.days, "due": kept.due.isoformat() if kept.due else ""}
    return t(f"followup.promise.{kept.state}", **params)


def owed_texts(item: FollowUpMatter) -> list[str]:
    found = []
    for key, params in item.owed:
        shown = dict(params)
        if "step" in shown:
            shown["step"] = label("deadline", shown["step"])
        found.append(t(f"followup.owed.{key}", **shown))
    return found


def followup_text(entry: dict[str, Any]) -> str:
    line = t("followup.line", date=entry.get("date") or "", by=entry.get("by") or "", content=entry.get("content") or "—")
    level = entry.get("satisfaction")
    if level:
        reason = entry.get("reason") or ""
        line += t("followup.rated_reason", level=label("satisfaction", level), reason=reason) if reason else t("followup.rated", level=label("satisfaction", level))
    return line


def petitioner_text(issue: dict[str, Any]) -> str:
    if issue.get("anonymous"):
        return t("report.anonymous")
    parts = [issue.get("petitioner_name"), issue.get("unit"), issue.get("employee_no"), issue.get("phone")]
    return "  ".join(str(part) for part in parts if part)


def owner_text(issue: dict[str, Any]) -> str:
    return " / ".join(str(issue[name]) for name in ("first_owner", "department", "assignee") if issue.get(name))


def deadlines_text(item: FollowUpMatter) -> str:
    parts = []
    for step, left in zip(item.deadlines, item.days_left):
        if step.done is not None:
            state = t("deadline.done_on_time" if step.on_time else "deadline.done_late", date=step.done.isoformat())
        else:
            state = t("deadline.left", days=left) if left >= 0 else t("deadline.overdue", days=-left)
        parts.append(f"{t(f'deadline.{step.step}')} {step.due.isoformat()}{state}")
    return " · ".join(parts)


def matter_pairs(item: FollowUpMatter) -> list[tuple[str, str]]:
    """Label / text pairs for one matter, empty ones left out (calendar days in `deadlines_text`)."""
    issue = item.issue
    commitment = issue.get("commitment") or ""
    promised = f"{commitment}  {promise_text(item)}" if commitment or item.promise.due else ""
    status = label("status", issue.get("status") or "recorded")
    if item.rating is not None and item.rating.source == "office":
        status += "  " + t("followup.office_rated", level=label("satisfaction", item.rating.level))
    owed = owed_texts(item)
    notes = [followup_text(entry) for entry in item.followups]
    pairs = [
        (t("followup.petitioner"), petitioner_text(issue)),
        (t("followup.asked"), issue.get("demand") or issue.get("detail") or ""),
        (t("followup.onsite"), issue.get("onsite_answer") or ""),
        (t("followup.promised"), promised),
        (t("followup.status"), status),
        (t("followup.owner"), owner_text(issue)),
        (t("followup.reply"), issue.get("reply") or t("followup.no_reply")),
        (t("followup.deadlines"), deadlines_text(item)),
        (t("followup.owed_heading"), "；".join(owed) if owed else t("followup.nothing_owed")),
        (t("followup.earlier"), "\n".join(notes) if notes else t("followup.none_yet")),
    ]
    return [(name, value) for name, value in pairs if value]


def matter_heading(item: FollowUpMatter) -> str:
    issue = item.issue
    return f"{issue.get('ref') or issue['id']}  {issue.get('title') or ''}  ({item.visit.get('date') or ''})"


# -- the printed list -----------------------------------------------------------------------


def follow_up_document(found: FollowUpList, now: dt.datetime) -> Document:
    document = Document(
        title=t("report.followup.title"),
        subtitle=found.site,
        kind="F",
        generated=now,
        doc_id_label=t("report.doc_id"),
        generated_label=t("report.generated"),
        page_label=t("report.page"),
    )
    document.blocks.append(Fields([(t("report.followup.site"), found.site), (t("report.date"), found.as_of.isoformat()), (t("report.followup.count"), str(len(found.matters)))]))
    if not found.matters:
        document.blocks.append(Paragraph(t("report.followup.none")))
    for number, item in enumerate(found.matters, 1):
        pairs = matter_pairs(item) + [(t("report.followup.told"), "____________________________________"), ("", t("report.followup.rating"))]
        document.blocks.append(Entry(f"{number}. {matter_heading(item)}", pairs))
    document.blocks.append(Signatures([t("report.followup.sign_leader"), t("report.sign_recorder")], t("report.sign_date")))
    return document
