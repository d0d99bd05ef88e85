"""The field app: a manager's laptop on a site visit. Thin: screens do their own work."""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

from textual.app import SystemCommand
from textual.screen import Screen

from fieldvisit import screens
from fieldvisit.apps.base import BaseApp
from fieldvisit.core.i18n import t
from fieldvisit.screens.visits import VisitsScreen


class FieldApp(BaseApp):
    TITLE_KEY = "app.field_title"
    CSS_PATH = [BaseApp.CSS_PATH, Path(screens.__file__).with_name(VisitsScreen.CSS_PATH)]
    """The visits list's .tcss with the app's: Textual reads a screen's own CSS_PATH only when the
    screen is pushed or is a mode, not for the base screen (and reading it later costs a restyle)."""

    def get_default_screen(self) -> Screen:
        """The visits list is the base screen: nothing is drawn before it. A store with a
        passphrase has an empty base instead, under the unlock screen, which the visits list
        replaces once the store is open: nothing with petitioner data exists before."""
        return Screen() if self.store.locked else VisitsScreen()

    def on_mount(self) -> None:
        if self.store.locked:
            from fieldvisit.screens.unlock import UnlockScreen

            self.push_screen(UnlockScreen())

    def get_system_commands(self, screen: Screen) -> Iterable[SystemCommand]:
        yield from super().get_system_commands(screen)
        if not self.store.locked:
            yield SystemCommand(t("passphrase.command"), t("passphrase.command_help"), self.action_passphrase)

    def action_passphrase(self) -> None:
        """Set or change the store's passphrase (the same as `fieldvisit passphrase set|change`)."""
        # imported when first needed: the app starts without it
        from fieldvisit.screens.passphrase import PassphraseScreen

        self.push_screen(PassphraseScreen())
