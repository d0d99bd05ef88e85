"""The register's export key: the matters in view written to a spreadsheet in the summaries
folder, on a thread (100,000 matters take a while), then a toast that says where."""

from __future__ import annotations

import datetime as dt

from textual.screen import Screen

from fieldvisit.core.errors import FieldVisitError, user_error
from fieldvisit.core.i18n import t
from fieldvisit.office.register import RegisterFilter, RegisterIndex, RegisterRow


def export_rows(index: RegisterIndex, chosen: RegisterFilter, sort_key: str, reverse: bool) -> list[RegisterRow]:
    """Read on the app thread, where the index is kept in step with the store."""
    # imported when first needed: the app starts without it
    from fieldvisit.reports.exports import register_rows

    return register_rows(index, chosen, sort_key, reverse)


def write_in_background(screen: Screen, rows: list[RegisterRow], fmt: str, redact: bool) -> None:
    app = screen.app
    folder = app.home.summaries_dir
    name = f"register-{dt.datetime.now():%Y-%m-%d-%H%M%S}{'-masked' if redact else ''}"
    app.notify(t("export.writing", count=len(rows)))

    def work() -> None:
        # imported when first needed: the app starts without it
        from fieldvisit.reports.exports import register_export, write_sheets

        try:
            found = register_export(app.store, rows, redact)
            folder.mkdir(parents=True, exist_ok=True)
            target = write_sheets([found.sheet], fmt, folder, name)
        except (FieldVisitError, OSError) as error:
            app.call_from_thread(app.notify, t("export.screen.failed", reason=str(user_error(error) or error)), severity="error", timeout=10)
            return
        app.call_from_thread(app.notify, t("export.written", count=found.count, path=str(target)), timeout=12)

    screen.run_worker(work, thread=True, exclusive=True, group="export")
