"""The print-summary key shared by the field visit screen and the office matter screen."""

from __future__ import annotations

from textual.screen import Screen

from fieldvisit.core.errors import FieldVisitError, user_error
from fieldvisit.core.i18n import t


def print_summary(screen: Screen, visit_id: str) -> None:
    """Write (and print, where a printer is set up) in a thread: a PDF takes seconds to make."""
    app = screen.app
    folder = app.home.summaries_dir
    screen.notify(t("report.printing"))

    def work() -> None:
        # imported when first needed: the app starts without it
        from fieldvisit.reports.printing import print_visit_summary

        try:
            done = print_visit_summary(app.store, visit_id, folder)
        except (FieldVisitError, OSError) as error:
            app.call_from_thread(app.notify, str(user_error(error) or error), severity="error", timeout=10)
            return
        app.call_from_thread(app.notify, done.message(), timeout=12)

    screen.run_worker(work, thread=True, exclusive=True, group="print")
