"""Hand a visit over to the office: write it as a bundle file onto a USB stick or into a folder."""

from __future__ import annotations

from pathlib import Path

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import Screen
from textual.widgets import Header, Static

from fieldvisit.core.errors import FieldVisitError, user_error
from fieldvisit.core.i18n import t
from fieldvisit.core.records import values
from fieldvisit.screens.widgets.fitting_footer import FittingFooter
from fieldvisit.screens.literal import literal
from fieldvisit.screens.widgets.folder_picker import FolderPicker
from fieldvisit.sync.exporter import export_bundle, write_bundle
from fieldvisit.trust.handover import qr_payload_if_enrolled, seal_if_enrolled


class HandoverScreen(Screen):
    CSS_PATH = "handover.tcss"
    BINDINGS = [
        Binding("ctrl+g", "qr", t("action.qr")),
        Binding("escape", "back", t("action.back")),
    ]

    def __init__(self, visit_id: str):
        super().__init__()
        self.visit_id = visit_id

    def compose(self) -> ComposeResult:
        visit = values(self.app.store.get("visits", self.visit_id))
        yield Header()
        with Vertical(id="handover"):
            yield Static(literal(t("handover.heading", title=visit.get("title", ""), site=visit.get("site", ""))), id="handover-heading")
            yield Static(t("handover.explain"), id="handover-explain")
            yield Static(t("handover.qr_hint"), id="handover-qr-hint")
            yield FolderPicker(t("handover.placeholder"), fallback=Path.home(), id="handover-picker")
            yield Static(id="handover-result")
        yield FittingFooter()

    def on_mount(self) -> None:
        self.title = t("app.field_title")
        self.query_one(FolderPicker).focus_path()

    @on(FolderPicker.Chosen)
    def _write(self, event: FolderPicker.Chosen) -> None:
        self.export_to(event.path)

    @work(exclusive=True, thread=True)
    def export_to(self, folder: Path) -> None:
        """Writing to a slow USB stick must not freeze the screen."""
        try:
            bundle = export_bundle(self.app.store, [self.visit_id])
            target = write_bundle(bundle, folder, seal_if_enrolled(self.app.home, bundle))
        except (FieldVisitError, OSError) as error:
            self.app.call_from_thread(self._show, t("handover.failed", reason=str(user_error(error) or error)), False)
            return
        size = target.stat().st_size
        message = t("handover.done", path=str(target), issues=len(bundle["issues"]), kb=f"{size / 1024:.1f}")
        self.app.call_from_thread(self._show, message, True)

    def _show(self, message: str, ok: bool) -> None:
        result = self.query_one("#handover-result", Static)
        result.update(literal(message))
        result.set_class(not ok, "-failed")
        self.notify(message, severity="information" if ok else "error", timeout=10)

    def action_qr(self) -> None:
        # imported when first needed: the app starts without it
        from fieldvisit.screens.qr_display import QrScreen

        bundle = export_bundle(self.app.store, [self.visit_id])
        self.app.push_screen(QrScreen(bundle, sealed_payload=qr_payload_if_enrolled(self.app.home, bundle)))

    def action_back(self) -> None:
        self.app.pop_screen()
