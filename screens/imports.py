"""The office's import screen: take bundles from USB sticks or folders, and see every import so far."""

from __future__ import annotations

from pathlib import Path

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import Screen
from textual.widgets import DataTable, Header, Static

from fieldvisit.trust.devices import office_gate
from fieldvisit.core.errors import FieldVisitError
from fieldvisit.core.i18n import t
from fieldvisit.screens.widgets.fitting_footer import FittingFooter
from fieldvisit.screens.literal import literal, literal_line
from fieldvisit.screens.widgets.folder_picker import FolderPicker
from fieldvisit.stores.store import IMPORTS, ISSUES, VISITS
from fieldvisit.sync.importer import REJECTED, import_bundles
from fieldvisit.sync.sources import read_sources

LOG_COLUMNS = ("imported_at", "device", "source", "new", "updated", "conflicts", "status")


class ImportsScreen(Screen):
    CSS_PATH = "imports.tcss"
    BINDINGS = [
        Binding("ctrl+o", "choose", t("action.import")),
        Binding("ctrl+g", "scan", t("action.scan")),
    ]

    def compose(self) -> ComposeResult:
        yield Header()
        yield Static(id="imports-summary")
        with Vertical(id="imports-top"):
            yield FolderPicker(t("imports.placeholder"), id="imports-picker")
            yield Static(id="imports-result")
        yield DataTable(id="imports-log", cursor_type="row", zebra_stripes=True)
        yield FittingFooter()

    def on_mount(self) -> None:
        self.title = t("app.office_title")
        table = self.query_one("#imports-log", DataTable)
        for key in LOG_COLUMNS:
            table.add_column(t(f"imports.col.{key}"), key=key)
        self.refresh_log()
        self.query_one(FolderPicker).focus_path()

    def refresh_log(self) -> None:
        store = self.app.store
        devices = {entry.get("device_id") for entry in store.all(IMPORTS)}
        self.query_one("#imports-summary", Static).update(
            t("imports.summary", visits=len(store.all(VISITS)), issues=len(store.all(ISSUES)), devices=len(devices))
        )
        table = self.query_one("#imports-log", DataTable)
        table.clear()
        for entry in sorted(store.all(IMPORTS), key=lambda entry: entry["id"], reverse=True):
            counts = entry.get("counts", {})
            cells = (
                str(entry.get("imported_at", ""))[:16].replace("T", " "),
                entry.get("device_name", ""),
                Path(str(entry.get("source", ""))).name,
                str(counts.get("issues_new", 0)),
                str(counts.get("issues_updated", 0)),
                str(counts.get("conflicts", 0)),
                t(f"imports.status.{entry.get('status', 'imported')}"),
            )
            table.add_row(*(literal_line(cell) for cell in cells))

    def on_screen_resume(self) -> None:
        self.refresh_log()

    def _read_only(self) -> bool:
        """A second office app on the store writes nothing, not even quarantine or the refusals
        log: it says so instead of reading the bundles."""
        if not getattr(self.app, "read_only", False):
            return False
        self._show([t("journal.read_only_step")], False)
        self.notify(t("journal.read_only_step"), severity="error")
        return True

    def action_scan(self) -> None:
        if self._read_only():
            return
        # imported when first needed: the app starts without it
        from fieldvisit.screens.scan import ScanScreen

        self.app.push_screen(ScanScreen(self.app.home.qr_pending_file))

    def action_choose(self) -> None:
        self.query_one(FolderPicker).focus_path()

    @on(FolderPicker.Chosen)
    def _import(self, event: FolderPicker.Chosen) -> None:
        if not self._read_only():
            self.import_from(event.path)

    @work(exclusive=True, thread=True)
    def import_from(self, path: Path) -> None:
        """Reading a stack of USB sticks can take a moment: keep the screen alive."""
        try:
            payloads = read_sources([str(path)], stdin=None)
            reports = import_bundles(self.app.store, payloads, gate=office_gate(self.app.store, self.app.home)) if payloads else []
        except (FieldVisitError, OSError) as error:
            self.app.call_from_thread(self._show, [str(error)], False)
            return
        # payloads.problems: files refused unread (too large), found while the import read them
        lines = [*payloads.problems, *(report.describe() for report in reports)] or [t("imports.nothing", path=str(path))]
        self.app.call_from_thread(self._show, lines, not payloads.problems and all(report.status != REJECTED for report in reports))

    def _show(self, lines: list[str], ok: bool) -> None:
        result = self.query_one("#imports-result", Static)
        result.update(literal("\n".join(lines)))
        result.set_class(not ok, "-failed")
        self.refresh_log()
