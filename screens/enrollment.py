"""Enroll this laptop with the petition office, and show what it is enrolled with.

The office hands over an enrollment file (`fieldvisit office enroll`): a .json, or a QR code to
photograph. Once enrolled, every hand-over is sealed to that office and signed with this laptop's
key; the officer approves the laptop after comparing its fingerprint, read aloud, with the one
that arrived. The same steps as `fieldvisit enroll FILE`, through `trust.read_token_file` and
`trust.enroll_device`; switching to another office is asked for explicitly.
"""

from __future__ import annotations

from pathlib import Path

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical, VerticalScroll
from textual.screen import Screen
from textual.widgets import Header, Static

from fieldvisit.core.errors import FieldVisitError
from fieldvisit.core.i18n import t
from fieldvisit.screens.widgets.fitting_footer import FittingFooter
from fieldvisit.screens.literal import literal
from fieldvisit.screens.widgets.fingerprint import Fingerprint
from fieldvisit.screens.widgets.folder_picker import FolderPicker
from fieldvisit.trust.keys import DeviceKeys, OfficeChange, enroll_device, load_device_keys, read_token_file


class EnrollmentScreen(Screen):
    CSS_PATH = "enrollment.tcss"
    BINDINGS = [
        Binding("ctrl+o", "choose", t("enroll.choose")),
        Binding("escape", "back", t("action.back")),
    ]

    def compose(self) -> ComposeResult:
        yield Header()
        with VerticalScroll(id="enroll"):
            yield Static(id="enroll-state")
            with Vertical(id="enroll-laptop"):
                yield Static(id="enroll-laptop-label")
                yield Fingerprint(placeholder=t("enroll.no_fingerprint"), id="enroll-fingerprint")
            yield Static(t("enroll.explain"), id="enroll-explain")
            yield FolderPicker(t("enroll.placeholder"), id="enroll-picker")
            yield Static(id="enroll-result")
        yield FittingFooter()

    def on_mount(self) -> None:
        self.title = t("app.field_title")
        self.refresh_state()
        self.query_one(FolderPicker).focus_path()

    @property
    def keys_file(self) -> Path | None:
        return self.app.home.device_keys_file

    def refresh_state(self) -> None:
        """Not enrolled, or enrolled with which office; this laptop's fingerprint when it has a key."""
        try:
            keys = load_device_keys(self.keys_file)
        except FieldVisitError as error:
            keys = None
            state = t("enroll.state_broken", reason=str(error))
        else:
            state = t("enroll.state_none") if keys is None else t("enroll.state_enrolled", organisation=_organisation(keys.office), office=keys.office["fingerprint"])
        self.query_one("#enroll-state", Static).update(literal(state))
        self.query_one("#enroll-state").set_class(keys is not None, "-enrolled")
        self.query_one("#enroll-laptop-label", Static).update(literal(t("enroll.laptop", device=self.app.device_label)))
        self.query_one("#enroll-fingerprint", Fingerprint).show(keys.fingerprint if keys else "")

    def action_choose(self) -> None:
        self.query_one(FolderPicker).focus_path()

    def action_back(self) -> None:
        self.app.pop_screen()

    @on(FolderPicker.Chosen)
    def _chosen(self, event: FolderPicker.Chosen) -> None:
        self.read_token(event.path)

    @work(exclusive=True, thread=True)
    def read_token(self, path: Path) -> None:
        """Decoding a photo of the QR code, or searching a stick, takes a moment."""
        try:
            raw = read_token_file(path)
        except (FieldVisitError, OSError) as error:
            self.app.call_from_thread(self._show, t("enroll.failed", reason=str(error)), False)
            return
        self.app.call_from_thread(self.enroll, raw)

    def enroll(self, raw: bytes, switch_office: bool = False) -> None:
        if self.keys_file is None:
            self._show(t("enroll.failed", reason=t("enroll.no_folder")), False)
            return
        try:
            before = load_device_keys(self.keys_file)
            keys = enroll_device(self.keys_file, raw, switch_office)
        except OfficeChange as change:
            self._confirm_switch(raw, change)
            return
        except (FieldVisitError, OSError) as error:
            self._show(t("enroll.failed", reason=str(error)), False)
            return
        self.refresh_state()
        self._show(self._done_message(before, keys), True)

    def _done_message(self, before: DeviceKeys | None, keys: DeviceKeys) -> str:
        organisation = _organisation(keys.office)
        if before is not None and before.office["fingerprint"] == keys.office["fingerprint"]:
            return t("enroll.already", organisation=organisation, fingerprint=keys.fingerprint)
        return t("trust.enrolled", organisation=organisation, office=keys.office["fingerprint"], device=self.app.editor.device_name, fingerprint=keys.fingerprint)

    def _confirm_switch(self, raw: bytes, change: OfficeChange) -> None:
        # imported when first needed: the app starts without it
        from fieldvisit.screens.confirm import ConfirmScreen

        body = t(
            "enroll.switch_body",
            current_organisation=_organisation(change.current),
            current=change.current["fingerprint"],
            organisation=_organisation(change.new),
        )
        screen = ConfirmScreen(t("enroll.switch_title"), body, t("enroll.switch_confirm"), change.new["fingerprint"], t("enroll.switch_fingerprint"), danger=True)
        self.app.push_screen(screen, lambda confirmed: self._switch_answer(raw, confirmed))

    def _switch_answer(self, raw: bytes, confirmed: bool | None) -> None:
        if confirmed:
            self.enroll(raw, switch_office=True)
        else:
            self._show(t("enroll.switch_cancelled"), False)

    def _show(self, message: str, ok: bool) -> None:
        result = self.query_one("#enroll-result", Static)
        result.update(literal(message))
        result.set_class(not ok, "-failed")
        self.notify(message, severity="information" if ok else "error", timeout=10)


def _organisation(office: dict) -> str:
    return office.get("organisation") or "—"
