"""The office matter screen's written-notice key: the notice that fits the matter's status (a
choice when several do), written as PDF to the summaries folder in a thread, recorded on the
matter, and where it went said in a toast."""

from __future__ import annotations

from collections.abc import Callable

from textual.screen import Screen

from fieldvisit.core.errors import FieldVisitError, user_error
from fieldvisit.core.i18n import label, language, t
from fieldvisit.core.records import get_value
from fieldvisit.office.notices import fitting, record_printed
from fieldvisit.stores.store import ISSUES


def offer_notice(screen: Screen, issue_id: str, done: Callable[[], None]) -> None:
    """Print the one notice that fits, or ask which when several do; `done` runs after recording."""
    record = screen.app.store.get(ISSUES, issue_id)
    kinds = fitting(record) if record is not None else []
    if not kinds:
        screen.notify(t("notices.none_fit", status=label("status", get_value(record or {"fields": {}}, "status") or "recorded")), severity="warning")
        return
    if len(kinds) == 1:
        print_notice(screen, issue_id, kinds[0], done)
        return
    # imported when first needed: the app starts without it
    from fieldvisit.screens.notice_choice import NoticeChoiceScreen

    def chosen(kind: str | None) -> None:
        if kind:
            print_notice(screen, issue_id, kind, done)

    screen.app.push_screen(NoticeChoiceScreen(kinds), chosen)


def print_notice(screen: Screen, issue_id: str, kind: str, done: Callable[[], None]) -> None:
    """Write the notice in the app's language (a PDF takes a second or two: in a thread)."""
    app = screen.app
    screen.notify(t("notices.printing"))

    def work() -> None:
        # imported when first needed: the app starts without it
        from fieldvisit.reports.notices import write_notice

        try:
            printed = write_notice(app.store, app.home, app.policy, issue_id, kind, language(), app.editor.actor)
        except (FieldVisitError, OSError) as error:
            app.call_from_thread(app.notify, str(user_error(error) or error), severity="error", timeout=10)
            return
        app.call_from_thread(recorded, printed)

    def recorded(printed) -> None:
        """On the app's thread, like every other write: the entry saying the notice was printed."""
        try:
            record_printed(app.editor, printed.issue_id, kind, printed.notice.lang, printed.notice.doc_id)
        except FieldVisitError as error:
            app.notify(str(error), severity="error", timeout=10)
            return
        if not printed.notice.office_named:
            app.notify(t("notices.unnamed_warning", name=printed.notice.texts["issuer"], path=str(app.home.policy_file)), severity="warning", timeout=15)
        app.notify(t("notices.written", kind=t(f"notices.kind.{kind}"), path=str(printed.path)), timeout=12)
        done()

    screen.run_worker(work, thread=True, exclusive=True, group="notice")
