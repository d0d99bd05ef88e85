"""The passphrase screen: a field store with a passphrase shows this before anything else.

Nothing with petitioner data exists until the store opens: the visits list is made only after
`at_rest.unlock` succeeded. Argon2id takes about half a second on purpose, so it runs in a
thread worker while the screen says it is checking; a wrong passphrase is said on the screen,
which stays open for another try.
"""

from __future__ import annotations

from textual import on, work
from textual.app import ComposeResult
from textual.containers import Vertical
from textual.screen import Screen
from textual.widgets import Header, Input, Static

from fieldvisit.stores import at_rest
from fieldvisit.core.errors import FieldVisitError
from fieldvisit.core.i18n import t
from fieldvisit.screens.widgets.fitting_footer import FittingFooter
from fieldvisit.screens.literal import literal


class UnlockScreen(Screen):
    CSS_PATH = "unlock.tcss"

    def compose(self) -> ComposeResult:
        yield Header()
        with Vertical(id="unlock-box"):
            yield Static(t("unlock.title"), id="unlock-title")
            yield Static(t("unlock.explain"), id="unlock-explain")
            yield Input(password=True, placeholder=t("unlock.placeholder"), id="passphrase")
            yield Static("", id="unlock-message")
            yield Static(t("unlock.hint"), id="unlock-hint")
        yield FittingFooter()

    def on_mount(self) -> None:
        self.title = t("app.field_title")
        self.query_one("#passphrase", Input).focus()

    @on(Input.Submitted, "#passphrase")
    def _submit(self, event: Input.Submitted) -> None:
        if not event.value:
            self._say(t("error.passphrase.empty"), error=True)
            return
        event.input.disabled = True
        self._say(t("unlock.working"))
        self._unlock(event.value)

    @work(thread=True, exclusive=True, group="unlock")
    def _unlock(self, passphrase: str) -> None:
        try:
            at_rest.unlock(self.app.store, passphrase)
        except FieldVisitError as error:  # wrong passphrase, or a damaged store
            self.app.call_from_thread(self._failed, str(error))
            return
        self.app.call_from_thread(self._unlocked)

    def _failed(self, message: str) -> None:
        field = self.query_one("#passphrase", Input)
        field.disabled = False
        field.value = ""
        field.focus()
        self._say(message, error=True)

    def _unlocked(self) -> None:
        # imported when first needed: the app starts without it
        from fieldvisit.screens.visits import VisitsScreen

        self.app.switch_screen(VisitsScreen())

    def _say(self, message: str, error: bool = False) -> None:
        status = self.query_one("#unlock-message", Static)
        status.update(literal(message))
        status.set_class(error, "error")
