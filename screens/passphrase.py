"""Set or change the field store's passphrase from the app (the palette's "passphrase" command).

The same as `fieldvisit passphrase set|change`: the current passphrase first when there is one
(someone at an unlocked laptop must not lock its owner out), then the new one twice. Argon2id
and the rewrite of the store run in a thread worker while the modal says so.
"""

from __future__ import annotations

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Input, Static

from fieldvisit.roster import keeping
from fieldvisit.stores import at_rest
from fieldvisit.core.errors import FieldVisitError, PassphraseError, user_error
from fieldvisit.core.i18n import t
from fieldvisit.screens.literal import literal


class PassphraseScreen(ModalScreen[bool]):
    """Returns True once the store is sealed with the new passphrase, False when cancelled."""

    CSS_PATH = "passphrase.tcss"
    BINDINGS = [Binding("escape", "cancel", t("action.cancel"))]

    def __init__(self, strength: str = at_rest.DEFAULT_STRENGTH):
        super().__init__()
        self._strength = strength

    def compose(self) -> ComposeResult:
        self._protected = protected = at_rest.is_protected(self.app.store)
        with Vertical(id="passphrase-box"):
            yield Static(t("passphrase.title_change" if protected else "passphrase.title_set"), id="passphrase-title")
            yield Static(t("passphrase.explain"), id="passphrase-explain")
            if protected:
                yield Input(password=True, placeholder=t("passphrase.current"), id="pp-current")
            yield Input(password=True, placeholder=t("passphrase.new"), id="pp-new")
            yield Input(password=True, placeholder=t("passphrase.repeat"), id="pp-repeat")
            yield Static("", id="passphrase-message")
            yield Static(t("passphrase.hint"), id="passphrase-hint")

    def on_mount(self) -> None:
        self.query(Input).first().focus()

    @on(Input.Submitted)
    def _next_or_save(self, event: Input.Submitted) -> None:
        if event.input.id != "pp-repeat":
            self.focus_next()
            return
        current = self.query_one("#pp-current", Input).value if self._protected else None
        new, repeat = self.query_one("#pp-new", Input).value, event.value
        if not new:
            self._say(t("error.passphrase.empty"), error=True)
        elif new != repeat:
            self._say(t("passphrase.mismatch"), error=True)
        else:
            for field in self.query(Input):
                field.disabled = True
            self._say(t("passphrase.working"))
            self._seal(current, new)

    @work(thread=True, exclusive=True, group="passphrase")
    def _seal(self, current: str | None, new: str) -> None:
        store = self.app.store
        try:
            if current is not None:
                at_rest.cipher_for(store.at_rest_settings(), current, store.location)  # checks it, changes nothing
            old = store.cipher
            at_rest.set_passphrase(store, new, self._strength)
            keeping.reseal(self.app.home.roster_file, old, store.cipher)  # the roster follows the store
        except (FieldVisitError, OSError) as error:  # a full disk: the store keeps its old passphrase
            found = user_error(error)
            if found is None:
                raise
            self.app.call_from_thread(self._failed, found)
            return
        self.app.call_from_thread(self._sealed)

    def _failed(self, error: FieldVisitError) -> None:
        for field in self.query(Input):
            field.disabled = False
        first = self.query(Input).first()
        if isinstance(error, PassphraseError):
            first.value = ""
        first.focus()
        self._say(str(error), error=True)

    def _sealed(self) -> None:
        self.app.notify(t("passphrase.saved"))
        self.dismiss(True)

    def _say(self, message: str, error: bool = False) -> None:
        status = self.query_one("#passphrase-message", Static)
        status.update(literal(message))
        status.set_class(error, "error")

    def action_cancel(self) -> None:
        if not self.query_one("#pp-repeat", Input).disabled:  # never while the store is rewritten
            self.dismiss(False)
