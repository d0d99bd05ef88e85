"""What `fieldvisit roster import` prints before (or instead of, with --dry-run) saving: which
column became which field, the first people, the counts, and each row left out with why.

Values come from an outside file: the caller prints them through `core.text.printable`."""

from __future__ import annotations

from fieldvisit.core.i18n import field_label, t
from fieldvisit.roster.people import FIELDS
from fieldvisit.roster.reading import RosterFile

FIRST_ROWS = 5
SKIPPED_SHOWN = 10


def preview_lines(found: RosterFile, first_rows: int = FIRST_ROWS, skipped_shown: int = SKIPPED_SHOWN) -> list[str]:
    kind = found.kind.upper() + (f", {t('roster.encoding_' + found.encoding.replace('-', ''))}" if found.encoding else "")
    lines = [t("roster.recognised", path=found.path, kind=kind), t("roster.header_line", line=found.header.line)]
    for name in FIELDS:
        title = found.header.titles.get(name)
        lines.append(t("roster.column", field=field_label(name), title=title) if title else t("roster.no_column", field=field_label(name)))
    if found.header.ignored:
        lines.append(t("roster.ignored", columns="、".join(found.header.ignored)))
    if found.people:
        lines.append(t("roster.first_rows"))
        for person in found.people[:first_rows]:
            lines.append("  " + " | ".join(value or "—" for value in person.as_row()))
    lines.append(t("roster.counts", people=len(found.people), rows=found.rows, skipped=len(found.skipped)))
    for skipped in found.skipped[:skipped_shown]:
        lines.append(t("roster.skipped_line", line=skipped.line, reason=t(f"roster.skip.{skipped.reason}", **skipped.params)))
    if len(found.skipped) > skipped_shown:
        lines.append(t("roster.more_skipped", count=len(found.skipped) - skipped_shown))
    return lines
