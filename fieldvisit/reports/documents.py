"""Visit summaries and period reports as documents: the words, in the current language.

Every label comes from the locale catalogues (`report.*`, plus the app's `field.*`, `category.*`,
`status.*`, `flag.*`, `deadline.*`), so a summary printed with `--lang en` is English throughout.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from fieldvisit.core import model
from fieldvisit.core.i18n import label, t
from fieldvisit.reports.data import PeriodReport, VisitSummary
from fieldvisit.reports.document import Bars, Document, Entry, Fields, Heading, Paragraph, Signatures, Table


def summary_document(summary: VisitSummary, now: dt.datetime) -> Document:
    visit = summary.visit
    document = _document(t("report.summary_title"), visit.get("title") or "", "S", now)
    document.blocks.append(
        Fields(
            [
                (t("report.visit_title"), visit.get("title") or ""),
                (t("report.site"), _join(visit.get("site"), label("site_kind", visit.get("site_kind")))),
                (t("report.date"), visit.get("date") or ""),
                (t("report.leaders"), model.leaders_text(visit.get("leaders"))),
                (t("report.recorder"), visit.get("recorder") or ""),
                (t("report.device"), summary.device),
                (t("report.matter_count"), str(len(summary.matters))),
            ]
            + ([(t("report.note"), visit["note"])] if visit.get("note") else [])
        )
    )
    document.blocks.append(Heading(t("report.matters")))
    if not summary.matters:
        document.blocks.append(Paragraph(t("report.no_matters")))
    for number, issue in enumerate(summary.matters, 1):
        facts, texts = _matter_pairs(issue)
        steps = summary.steps.get(issue["id"])
        if steps:  # who did each office step: the officer's name, as the history shows it
            texts.append((t("officer.steps"), "；".join(f"{day} {label('status', status)}（{by or '—'}）" for day, status, by in steps)))
        document.blocks.append(Entry(f"{number}. {issue.get('ref') or issue['id']}  {issue.get('title') or ''}", texts, facts))
    document.blocks.append(Heading(t("report.by_category")))
    rows = [[label("category", code), str(count)] for code, count in summary.by_category.items()]
    rows.append([t("report.total"), str(sum(summary.by_category.values()))])
    if summary.withdrawn:
        rows.append([label("status", "withdrawn"), str(summary.withdrawn)])
    document.blocks.append(Table([t("report.category"), t("report.count")], rows, numeric=(1,), widths=(3, 1)))
    document.blocks.append(Signatures([t("report.sign_leader"), t("report.sign_recorder")], t("report.sign_date")))
    return document


def _matter_pairs(issue: dict[str, Any]) -> tuple[tuple[tuple[str, str], ...], list[tuple[str, str]]]:
    """The matter's short facts and its texts, each without the empty ones."""
    if issue.get("anonymous"):
        petitioner = t("report.anonymous")
    else:
        petitioner = _join(issue.get("petitioner_name"), issue.get("unit"))
    contact = [] if issue.get("anonymous") else [(t(f"field.{name}"), issue.get(name) or "") for name in ("employee_no", "phone")]
    commitment = issue.get("commitment") or ""
    if issue.get("promised_date"):
        commitment = f"{commitment}（{t('field.promised_date')} {issue['promised_date']}）" if commitment else issue["promised_date"]
    facts = [
        (t("field.petitioner_name"), petitioner),
        *contact,
        (t("field.people"), str(issue.get("people") or 1) + (f"（{t('field.representatives')} {issue['representatives']}）" if issue.get("representatives") else "")),
        (t("field.category"), _join(label("category", issue.get("category") or "other"), label("urgency", issue.get("urgency")) if issue.get("urgency") not in (None, "", "normal") else "")),
        (t("field.first_owner"), issue.get("first_owner") or ""),
        (t("field.department"), issue.get("department") or ""),
        (t("report.flags"), "、".join(label("flag", flag) for flag in model.FLAGS if issue.get(flag))),
        (t("report.status"), label("status", issue.get("status") or "recorded")),
    ]
    texts = [
        (t("field.demand"), issue.get("demand") or ""),
        (t("field.detail"), issue.get("detail") or ""),
        (t("field.onsite_answer"), issue.get("onsite_answer") or ""),
        (t("field.commitment"), commitment),
    ]
    return tuple((name, value) for name, value in facts if value), [(name, value) for name, value in texts if value]


def report_document(report: PeriodReport, now: dt.datetime) -> Document:
    stats = report.stats
    period = t("report.period_line", start=stats.start.isoformat(), end=stats.end.isoformat())
    subtitle = f"{period}  {report.site}" if report.site else period
    document = _document(t("report.report_title"), subtitle, "R", now)
    add = document.blocks.append
    add(
        Fields(
            [
                (t("report.period"), period),
                (t("report.site"), report.site or t("report.all_sites")),
                (t("report.new"), str(stats.new)),
                (t("report.closed"), str(stats.closed)),
                (t("report.withdrawn"), str(stats.withdrawn)),
                (t("report.on_time_rate"), _rate(stats.on_time_rate)),
                (t("report.satisfaction_rate"), _rate(stats.satisfaction_rate)),
                (t("report.repeat"), str(stats.repeat)),
                (t("report.collective"), str(stats.collective)),
                (t("report.skip_level"), str(stats.skip_level)),
                (t("report.safety_hazard"), str(stats.safety_hazard)),
                (t("report.overdue_count", day=report.as_of.isoformat()), str(stats.overdue)),
                (t("honest_deadlines.due_soon_count", days=report.due_soon_days, day=report.as_of.isoformat()), str(stats.due_soon)),
            ]
        )
    )
    add(Heading(t("report.by_category")))
    add(Bars(t("report.by_category"), [(label("category", code), count) for code, count in stats.by_category.items()]))
    add(Heading(t("report.by_site")))
    add(Bars(t("report.by_site"), [(site or t("report.unknown_site"), count) for site, count in stats.by_site.items()]))
    add(Heading(t("report.by_status")))
    add(Table([t("report.status"), t("report.count")], [[label("status", code), str(n)] for code, n in stats.by_status.items()] or [[t("report.none"), "0"]], numeric=(1,), widths=(3, 1)))
    if len(stats.by_month) > 1:
        add(Heading(t("report.by_month")))
        add(Bars(t("report.by_month"), list(stats.by_month.items())))
    add(Heading(t("report.satisfaction")))
    add(Table([t("report.rating"), t("report.count")], [[label("satisfaction", code), str(n)] for code, n in stats.satisfaction.items()], numeric=(1,), widths=(3, 1)))
    if stats.satisfaction_face_to_face:
        add(Paragraph(t("report.followup.stats_face_to_face", count=stats.satisfaction_face_to_face)))
    add(Heading(t("report.rising")))
    if stats.rising:
        add(Table(
            [t("report.category"), t("report.now"), t("report.before"), t("report.change")],
            [[label("category", item.category), str(item.now), str(item.before), t("report.new_from_zero") if item.change is None else f"+{item.change:.0%}"] for item in stats.rising],
            numeric=(1, 2, 3), widths=(3, 1, 1, 1.4),
        ))
    else:
        add(Paragraph(t("report.no_rising")))
    add(Heading(t("report.overdue_list", day=report.as_of.isoformat())))
    if report.overdue:
        add(Table(
            [t("report.ref"), t("field.title"), t("report.step"), t("report.due"), t("report.days_over"), t("field.department"), t("field.assignee"), t("field.first_owner")],
            [[item.ref, item.title, label("deadline", item.step), item.due.isoformat(), str(item.days), item.department, item.assignee, item.first_owner] for item in report.overdue],
            numeric=(4,), widths=(3.2, 4, 1.6, 2, 1, 1.8, 1.3, 1.3), whole=(0, 3),
        ))
        if stats.overdue > len(report.overdue):
            add(Paragraph(t("report.overdue_more", count=stats.overdue - len(report.overdue))))
    else:
        add(Paragraph(t("report.no_overdue")))
    return document


def _document(title: str, subtitle: str, kind: str, now: dt.datetime) -> Document:
    return Document(
        title=title,
        subtitle=subtitle,
        kind=kind,
        generated=now,
        doc_id_label=t("report.doc_id"),
        generated_label=t("report.generated"),
        page_label=t("report.page"),
        continued_label=t("report.compact.continued"),
    )


def _rate(value: float | None) -> str:
    return t("report.no_rate") if value is None else f"{value:.1%}"


def _join(*parts: Any) -> str:
    return "  ".join(str(part) for part in parts if part)
