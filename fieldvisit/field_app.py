"""The field app: a manager's laptop on a site visit. Thin: screens do their own work."""

from __future__ import annotations

from collections.abc import Iterable

from textual.app import SystemCommand
from textual.screen import Screen

from fieldvisit.base_app import BaseApp
from fieldvisit.i18n import t
from fieldvisit.screens.visits import VisitsScreen


class FieldApp(BaseApp):
    TITLE_KEY = "app.field_title"

    def get_default_screen(self) -> Screen:
        """An empty base: the first real screen is pushed onto it in `on_mount`, because Textual
        reads the .tcss only of screens it pushes (or installs as modes), not of the base one."""
        return Screen()

    def on_mount(self) -> None:
        """The visits list, or, for a store with a passphrase, the unlock screen, which the visits
        list replaces once the store is open: nothing with petitioner data exists before."""
        if self.store.locked:
            from fieldvisit.screens.unlock import UnlockScreen

            self.push_screen(UnlockScreen())
        else:
            self.push_screen(VisitsScreen())

    def get_system_commands(self, screen: Screen) -> Iterable[SystemCommand]:
        yield from super().get_system_commands(screen)
        if not self.store.locked:
            yield SystemCommand(t("passphrase.command"), t("passphrase.command_help"), self.action_passphrase)

    def action_passphrase(self) -> None:
        """Set or change the store's passphrase (the same as `fieldvisit passphrase set|change`)."""
        from fieldvisit.screens.passphrase import PassphraseScreen

        self.push_screen(PassphraseScreen())
