"""The office's QR scan screen: frames typed by a barcode scanner, in any order, several bundles at once.

Progress per bundle is drawn as a row of cells (received ■ / missing □) and kept in a text file
next to the store, so closing the app loses nothing. A complete bundle goes through the same
import as a file: validation, merge, import log.
"""

from __future__ import annotations

from pathlib import Path

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.screen import Screen
from textual.widgets import Footer, Header, Static

from fieldvisit.devices import office_gate
from fieldvisit.errors import BundleError
from fieldvisit.i18n import t
from fieldvisit.screens.widgets.scan_input import ScanInput
from fieldvisit.storage import write_atomically
from fieldvisit.sync.assembler import COMPLETE, DUPLICATE, Assembler, Progress
from fieldvisit.sync.importer import REJECTED, import_bundles
from fieldvisit.sync.qr_transfer import bundle_json

GRID_WIDTH = 40


class ScanScreen(Screen):
    CSS_PATH = "scan.tcss"
    BINDINGS = [Binding("escape", "back", t("action.back"))]

    def __init__(self, pending_file: Path | None):
        super().__init__()
        self.pending_file = pending_file
        lines = pending_file.read_text("utf-8").splitlines() if pending_file and pending_file.exists() else []
        self.assembler = Assembler.restore(lines)

    def compose(self) -> ComposeResult:
        yield Header()
        yield Static(t("scan.explain"), id="scan-explain")
        yield ScanInput(placeholder=t("scan.placeholder"), id="scan-input")
        yield Static(id="scan-message")
        with VerticalScroll(id="scan-progress"):
            yield Static(id="scan-grid")
        yield Footer()

    def on_mount(self) -> None:
        self.title = t("app.office_title")
        self.query_one(ScanInput).focus()
        self._draw()

    @on(ScanInput.Lines)
    def _scanned(self, event: ScanInput.Lines) -> None:
        messages = [self._take(line) for line in event.lines]
        self._save()
        self._draw()
        shown = messages[-1] if len(messages) == 1 else t("scan.many", count=len(messages)) + "\n" + "\n".join(messages[-5:])
        self.query_one("#scan-message", Static).update(shown)

    def _take(self, line: str) -> str:
        try:
            result = self.assembler.add(line)
        except BundleError as error:
            self.query_one("#scan-message").add_class("-bad")
            return t("scan.refused", reason=str(error))
        self.query_one("#scan-message").remove_class("-bad")
        if result.status == DUPLICATE:
            return t("scan.duplicate", index=result.index, bundle=result.bundle_id[-6:])
        if result.status == COMPLETE:
            return self._import(self.assembler.bundles[result.bundle_id])
        return t("scan.accepted", index=result.index, count=result.count, bundle=result.bundle_id[-6:])

    def _import(self, progress: Progress) -> str:
        """Decode and import a complete bundle; it is forgotten either way, with the reason shown."""
        self.assembler.forget(progress.bundle_id)
        try:
            payload = bundle_json(progress)
        except BundleError as error:
            self.query_one("#scan-message").add_class("-bad")
            return t("scan.refused", reason=str(error))
        [report] = import_bundles(self.app.store, [(f"QR …{progress.bundle_id[-6:]}", payload)], gate=office_gate(self.app.store))
        self.query_one("#scan-message").set_class(report.status == REJECTED, "-bad")
        return report.describe()

    def _save(self) -> None:
        if self.pending_file is not None:
            write_atomically(self.pending_file, "\n".join(self.assembler.saved_lines()).encode("utf-8"))

    def _draw(self) -> None:
        rows = []
        for progress in self.assembler.bundles.values():
            cells = "".join("■" if index in progress.fragments else "□" for index in range(1, progress.count + 1))
            wrapped = "\n    ".join(cells[i : i + GRID_WIDTH] for i in range(0, len(cells), GRID_WIDTH))
            missing = ", ".join(str(index) for index in progress.missing[:12]) + ("…" if len(progress.missing) > 12 else "")
            rows.append(t("scan.row", bundle=progress.bundle_id[-6:], have=progress.rank, count=progress.count, missing=missing))
            rows.append(f"    {wrapped}")
        self.query_one("#scan-grid", Static).update("\n".join(rows) if rows else t("scan.none"))

    def action_back(self) -> None:
        self.app.pop_screen()
