"""The office's QR scan screen: frames typed by a barcode scanner, in any order, several bundles at once.

Progress per bundle is drawn as a row of cells (received ■ / missing □) and kept in a text file
next to the store, so closing the app loses nothing. A complete bundle goes through the same
import as a file: validation, merge, import log.

The screen never waits for the frames: scanned lines are queued and taken on a worker thread
(one at a time, in the order scanned, under a lock), and so are replaying the saved progress
when the screen opens and importing a complete bundle; the worker hands the screen the words
and the grid to show. Each line costs at most a bounded amount of work (`sync.assembler`).
"""

from __future__ import annotations

import threading
from collections import deque
from itertools import islice
from pathlib import Path

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.screen import Screen
from textual.widgets import Header, Static

from fieldvisit.trust.devices import office_gate
from fieldvisit.core.errors import BundleError, FieldVisitError, user_error
from fieldvisit.core.i18n import t
from fieldvisit.screens.widgets.fitting_footer import FittingFooter
from fieldvisit.screens.literal import literal
from fieldvisit.screens.widgets.scan_input import ScanInput
from fieldvisit.stores.storage import write_atomically
from fieldvisit.sync.assembler import COMPLETE, DUPLICATE, FINISHED, MAX_SAVED_LINES, Assembler, Progress
from fieldvisit.sync.importer import QUARANTINED, REJECTED, import_bundles
from fieldvisit.sync.qr_transfer import bundle_json, frame_lines

GRID_WIDTH = 40


class ScanScreen(Screen):
    CSS_PATH = "scan.tcss"
    BINDINGS = [Binding("escape", "back", t("action.back")), Binding("ctrl+l", "clear", t("scan.work.clear"))]

    def __init__(self, pending_file: Path | None):
        super().__init__()
        self.pending_file = pending_file
        self.assembler = Assembler()
        self._lock = threading.Lock()  # the assembler and the saved file are the worker's
        self._waiting: deque[str] = deque()  # lines scanned, not yet taken

    def compose(self) -> ComposeResult:
        yield Header()
        yield Static(t("scan.explain"), id="scan-explain")
        yield ScanInput(placeholder=t("scan.placeholder"), id="scan-input")
        yield Static(id="scan-message")
        with VerticalScroll(id="scan-progress"):
            yield Static(id="scan-grid")
        yield FittingFooter()

    def on_mount(self) -> None:
        self.title = t("app.office_title")
        self.query_one(ScanInput).focus()
        if self.pending_file is not None and self.pending_file.exists():
            self._show(t("scan.work.restoring"), False)
        self._take_lines(restore=True)

    @on(ScanInput.Lines)
    def _scanned(self, event: ScanInput.Lines) -> None:
        self._waiting.extend(event.lines)
        self._take_lines()

    def action_clear(self) -> None:
        self._take_lines(clear=True)

    @work(thread=True, group="scan")
    def _take_lines(self, restore: bool = False, clear: bool = False) -> None:
        """Take every line waiting, then import what they completed; show what happened."""
        with self._lock:
            messages: list[tuple[str, bool]] = []
            if restore:
                self.assembler = Assembler.restore(self._saved_lines())
            if clear:
                messages.append((t("scan.work.cleared", count=self.assembler.clear()), False))
            taken = 0
            while self._waiting:
                messages.append(self._take(self._waiting.popleft()))
                taken += 1
            complete = [progress for progress in self.assembler.bundles.values() if progress.complete]
            if not (restore or clear or taken or complete):
                return
            if taken or clear:
                self._save()
            if complete and not taken:  # completed by the saved progress (stopped mid-import)
                messages += [(t("scan.work.importing", bundle=progress.bundle_id[-6:]), False) for progress in complete]
            self._report(messages, taken, restore)
            if complete:
                messages = [self._import(progress) for progress in complete]
                self._save()
                self._report(messages, len(messages))

    def _report(self, messages: list[tuple[str, bool]], taken: int, restore: bool = False) -> None:
        """Hand the screen the latest words and the grid (from the worker)."""
        texts = [text for text, _ in messages]
        if len(texts) == 1:
            shown: str | None = texts[0]
        elif taken > 1:
            shown = t("scan.many", count=taken) + "\n" + "\n".join(texts[-5:])
        else:
            shown = "\n".join(texts[-5:]) or ("" if restore else None)
        try:
            self.app.call_from_thread(self._show, shown, bool(messages) and messages[-1][1], self._grid())
        except RuntimeError:  # the app has closed meanwhile: the progress is saved
            pass

    def _saved_lines(self) -> list[str]:
        if self.pending_file is None or not self.pending_file.exists():
            return []
        with open(self.pending_file, encoding="utf-8", errors="replace") as handle:
            return list(islice(frame_lines(handle), MAX_SAVED_LINES))

    def _take(self, line: str) -> tuple[str, bool]:
        """The words for one scanned line, and whether it was refused."""
        try:
            result = self.assembler.add(line)
        except BundleError as error:
            return t("scan.refused", reason=str(error)), True
        bundle = result.bundle_id[-6:]
        if result.status == DUPLICATE:
            return t("scan.duplicate", index=result.index, bundle=bundle), False
        if result.status == FINISHED:
            return t("scan.work.finished", index=result.index, bundle=bundle), False
        if result.status == COMPLETE:
            return t("scan.work.importing", bundle=bundle), False
        return t("scan.accepted", index=result.index, count=result.count, bundle=bundle), False

    def _import(self, progress: Progress) -> tuple[str, bool]:
        """Decode and import a complete bundle; it is forgotten either way, with the reason shown.

        One that imported is remembered as finished, so a display still cycling through its
        frames is answered at once; a refused or quarantined one can be scanned again."""
        try:
            payload = bundle_json(progress)
        except BundleError as error:
            self.assembler.forget(progress.bundle_id)
            return t("scan.refused", reason=str(error)), True
        try:
            [report] = import_bundles(self.app.store, [(f"QR …{progress.bundle_id[-6:]}", payload)], gate=office_gate(self.app.store, self.app.home))
        except (FieldVisitError, OSError) as error:
            found = user_error(error)
            if found is None:
                raise
            return t("scan.refused", reason=str(found)), True  # kept: it can be imported once the fault is fixed
        self.assembler.forget(progress.bundle_id, finished=report.status not in (REJECTED, QUARANTINED))
        return report.describe(), report.status == REJECTED

    def _save(self) -> None:
        if self.pending_file is not None:
            write_atomically(self.pending_file, "\n".join(self.assembler.saved_lines()).encode("utf-8"))

    def _grid(self) -> str:
        rows = []
        for progress in self.assembler.bundles.values():
            known, missing = progress.fragments, progress.missing
            cells = "".join("■" if index in known else "□" for index in range(1, progress.count + 1))
            wrapped = "\n    ".join(cells[i : i + GRID_WIDTH] for i in range(0, len(cells), GRID_WIDTH))
            listed = ", ".join(str(index) for index in missing[:12]) + ("…" if len(missing) > 12 else "")
            rows.append(t("scan.row", bundle=progress.bundle_id[-6:], have=progress.rank, count=progress.count, missing=listed))
            rows.append(f"    {wrapped}")
        return "\n".join(rows) if rows else t("scan.none")

    def _show(self, message: str | None, bad: bool, grid: str | None = None) -> None:
        """On the app's thread: the latest words (text, never markup) and the progress grid."""
        if not self.is_attached:
            return
        if message is not None:
            shown = self.query_one("#scan-message", Static)
            shown.update(literal(message))
            shown.set_class(bad, "-bad")
        if grid is not None:
            self.query_one("#scan-grid", Static).update(literal(grid))

    def action_back(self) -> None:
        self.app.pop_screen()
