"""The register's export key: the matters in view read and written to a spreadsheet in the
summaries folder, on a thread (100,000 matters take a while: over a database, a query a page),
then a toast that says where."""

from __future__ import annotations

import datetime as dt

from textual.screen import Screen

from fieldvisit.core.errors import FieldVisitError, user_error
from fieldvisit.core.i18n import t
from fieldvisit.office.register import Ordering


def write_in_background(screen: Screen, ordering: Ordering, shown: str, fmt: str, redact: bool) -> None:
    """`ordering`: the register's matters of the filter in view, taken on the app thread (where
    the register is kept in step with the store); its rows are read here, in the worker: an
    in-memory register's are a list already taken, a database register's are asked for anew.
    `shown`: their number as the screen shows it (an estimate until the database has counted)."""
    app = screen.app
    folder = app.home.summaries_dir
    name = f"register-{dt.datetime.now():%Y-%m-%d-%H%M%S}{'-masked' if redact else ''}"
    app.notify(t("export.writing", count=shown))

    def work() -> None:
        # imported when first needed: the app starts without it
        from fieldvisit.reports.exports import register_export, write_sheets

        try:
            found = register_export(app.store, ordering.all(), redact)
            folder.mkdir(parents=True, exist_ok=True)
            target = write_sheets([found.sheet], fmt, folder, name)
        except (FieldVisitError, OSError) as error:
            app.call_from_thread(app.notify, t("export.screen.failed", reason=str(user_error(error) or error)), severity="error", timeout=10)
            return
        app.call_from_thread(app.notify, t("export.written", count=found.count, path=str(target)), timeout=12)

    screen.run_worker(work, thread=True, exclusive=True, group="export")
