"""The print-summary key shared by the field visit screen and the office matter screen."""

from __future__ import annotations

from pathlib import Path
from typing import Any, Callable

from textual.screen import Screen

from fieldvisit.core.errors import FieldVisitError, user_error
from fieldvisit.core.i18n import t


def print_summary(screen: Screen, visit_id: str) -> None:
    """Write (and print, where a printer is set up) in a thread: a PDF takes seconds to make."""

    def make(store, folder):
        # imported when first needed: the app starts without it
        from fieldvisit.reports.printing import print_visit_summary

        return print_visit_summary(store, visit_id, folder)

    _print(screen, make)


def print_follow_ups(screen: Screen, visit_id: str, on_visit: bool) -> None:
    """The follow-up list (回访清单) of the visit's site, as the follow-up view shows it."""

    def make(store, folder):
        # imported when first needed: the app starts without it
        from fieldvisit.reports.printing import print_follow_up_list

        return print_follow_up_list(store, visit_id, folder, on_visit)

    _print(screen, make)


def _print(screen: Screen, make: Callable[[Any, Path | None], Any]) -> None:
    app = screen.app
    folder = app.home.summaries_dir
    screen.notify(t("report.printing"))

    def work() -> None:
        try:
            done = make(app.store, folder)
        except (FieldVisitError, OSError) as error:
            app.call_from_thread(app.notify, str(user_error(error) or error), severity="error", timeout=10)
            return
        app.call_from_thread(app.notify, done.message(), timeout=12)

    screen.run_worker(work, thread=True, exclusive=True, group="print")
