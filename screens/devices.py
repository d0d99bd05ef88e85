"""The laptops enrolled with this office (F6): who has sent sealed bundles, in which state, how
many bundles wait in quarantine; approve (merges them), reject (deletes them) or revoke one.

Every step is confirmed with the laptop's fingerprint on screen, to compare with what its
manager reads out on the phone. The same core steps as `fieldvisit office devices`
(`devices.approve`, `devices.reject`, `devices.set_state`).
"""

from __future__ import annotations

from fieldvisit.screens.widgets.fitting_footer import FittingFooter
from fieldvisit.screens.widgets.fingerprint import Fingerprint
from fieldvisit.sync.importer import REJECTED as IMPORT_REJECTED
from textual import work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.screen import Screen
from textual.widgets import DataTable, Header, Static

from fieldvisit.trust import devices
from fieldvisit.core.errors import FieldVisitError
from fieldvisit.core.i18n import t
from fieldvisit.screens.literal import literal, literal_line

COLUMNS = ("state", "fingerprint", "name", "code", "first_seen", "waiting", "device_id")
STEP_KEYS = {devices.APPROVED: "approve", devices.REJECTED: "reject", devices.REVOKED: "revoke"}


class DevicesScreen(Screen):
    CSS_PATH = "devices.tcss"
    BINDINGS = [
        Binding("a", "step('approved')", t("devices.approve")),
        Binding("r", "step('rejected')", t("devices.reject")),
        Binding("v", "step('revoked')", t("devices.revoke")),
    ]

    def compose(self) -> ComposeResult:
        yield Header()
        yield Static(id="devices-summary")
        with Horizontal(id="devices-office"):
            with Vertical(id="devices-office-text"):
                yield Static(id="devices-office-name")
                yield Static(t("devices.office_fingerprint"), id="devices-office-hint")
            yield Fingerprint(placeholder=t("devices.no_keys_short"), id="devices-office-fingerprint")
        yield Static(id="devices-no-keys")
        yield DataTable(id="devices", cursor_type="row", zebra_stripes=True)
        yield Static(t("trust.no_devices"), id="devices-empty")
        yield Static(id="devices-result")
        yield FittingFooter()

    def on_mount(self) -> None:
        self.title = t("app.office_title")
        table = self.query_one("#devices", DataTable)
        for key in COLUMNS:
            table.add_column(t(f"devices.col.{key}"), key=key)
        self.refresh_view()

    def on_screen_resume(self) -> None:
        self.refresh_view()

    def _gate(self) -> devices.TrustGate | None:
        """The office's keys and quarantine folder; None (and the reason shown) when the key file is damaged."""
        try:
            return devices.office_gate(self.app.store, self.app.home)
        except FieldVisitError as error:
            self.query_one("#devices-no-keys", Static).update(literal(error))
            return None

    @property
    def _quarantine(self):
        """The folder beside the store: found even when the office key file cannot be read."""
        return self.app.home.quarantine_dir

    def refresh_view(self, select: str | None = None) -> None:
        gate = self._gate()
        keys = gate.keys if gate else None
        self.query_one("#devices-office-name", Static).update(
            literal(t("devices.office", organisation=keys.organisation or "—") if keys else t("devices.no_keys_title"))
        )
        self.query_one("#devices-office-fingerprint", Fingerprint).show(keys.fingerprint if keys else "")
        no_keys = self.query_one("#devices-no-keys", Static)
        if gate is not None:
            no_keys.update("" if keys else t("devices.no_keys"))
        no_keys.display = gate is None or keys is None
        rows = devices.device_rows(self.app.store, self._quarantine)
        self._rows = {row.device_id: row for row in rows}
        pending = sum(row.state == devices.PENDING for row in rows)
        self.query_one("#devices-summary", Static).update(
            t("devices.summary", devices=len(rows), pending=pending, waiting=sum(row.waiting for row in rows))
        )
        table = self.query_one("#devices", DataTable)
        current = select or self._selected_id()
        table.clear()
        for row in rows:
            name = literal_line(row.name)  # as sent by the laptop
            if row.lookalike:
                name.append(f" {t('devices.lookalike')}", style="bold")
            cells = (
                literal_line(t(f"trust.state.{row.state}")),
                literal_line(row.fingerprint),
                name,
                literal_line(row.code),
                literal_line(row.first_seen[:16].replace("T", " ")),
                literal_line(str(row.waiting) if row.waiting else ""),
                literal_line(row.device_id),
            )
            table.add_row(*cells, key=row.device_id)
        table.display = bool(rows)
        self.query_one("#devices-empty").display = not rows
        if current in self._rows:
            table.move_cursor(row=table.get_row_index(current))
        table.focus()

    def _selected_id(self) -> str | None:
        table = self.query_one("#devices", DataTable)
        if table.row_count == 0:
            return None
        return table.coordinate_to_cell_key(table.cursor_coordinate).row_key.value

    # -- approve, reject, revoke ----------------------------------------------------------

    def action_step(self, state: str) -> None:
        if getattr(self.app, "read_only", False):  # a second office app on the store writes nothing
            self._show([t("journal.read_only_step")], False)
            return
        device_id = self._selected_id()
        if device_id is None:
            self.notify(t("trust.no_devices"), severity="warning")
            return
        row = self._rows[device_id]
        if row.state not in devices.STEPS[state]:
            self.notify(
                t("error.trust.bad_step", fingerprint=row.fingerprint, state=t(f"trust.state.{row.state}"), wanted=t(f"trust.state.{state}")),
                severity="error",
            )
            return
        # imported when first needed: the app starts without it
        from fieldvisit.screens.confirm import ConfirmScreen

        step = STEP_KEYS[state]
        body = t(f"devices.{step}_body" if row.waiting or state == devices.REVOKED else f"devices.{step}_body_none", waiting=row.waiting)
        screen = ConfirmScreen(
            t(f"devices.{step}_title", name=row.name),
            t("devices.first_seen", first_seen=row.first_seen[:16].replace("T", " ")) + body,
            t(f"devices.{step}"),
            row.fingerprint,
            t("devices.compare"),
            danger=state != devices.APPROVED,
        )
        self.app.push_screen(screen, lambda confirmed: confirmed and self._take_step(row, state))

    def _take_step(self, row: devices.DeviceRow, state: str) -> None:
        if state == devices.APPROVED:
            self.approve(row.fingerprint)
            return
        try:
            if state == devices.REJECTED:
                _, entry, deleted = devices.reject(self.app.store, self._quarantine, row.fingerprint)
                lines = [_state_line(entry), t("trust.quarantine_deleted", count=deleted)]
            else:
                _, entry = devices.set_state(self.app.store, row.fingerprint, state)
                lines = [_state_line(entry)]
        except (FieldVisitError, OSError) as error:
            self._show([str(error)], False)
            return
        self._show(lines, True, select=row.device_id)

    @work(exclusive=True, thread=True)
    def approve(self, fingerprint: str) -> None:
        """Merging what waited in quarantine is an import: keep the screen alive meanwhile."""
        try:
            gate = devices.office_gate(self.app.store, self.app.home)
            device_id, entry, reports = devices.approve(self.app.store, gate.keys, gate.quarantine, fingerprint, gate.refusals)
        except (FieldVisitError, OSError) as error:
            self.app.call_from_thread(self._show, [str(error)], False)
            return
        lines = [_state_line(entry)] + [report.describe() for report in reports]
        ok = all(report.status != IMPORT_REJECTED for report in reports)
        # the register follows the store's writes by itself (`RegisterIndex.follow`)
        self.app.call_from_thread(self._show, lines, ok, select=device_id)

    def _show(self, lines: list[str], ok: bool, select: str | None = None) -> None:
        result = self.query_one("#devices-result", Static)
        result.update(literal("\n".join(lines)))  # names and file names from laptops
        result.set_class(not ok, "-failed").add_class("-shown")
        self.notify(lines[0], severity="information" if ok else "error")
        self.refresh_view(select)


def _state_line(entry: dict) -> str:
    return t("trust.device_state", name=entry["name"], fingerprint=entry["fingerprint"], state=t(f"trust.state.{entry['state']}"))
