"""What the field app and the office app share: store and editor, theme, translated commands."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Iterable

import rich
from textual import events, on
from textual.app import SystemCommand
from textual.binding import Binding
from textual.notifications import SeverityLevel
from textual.screen import Screen

from fieldvisit import screens
from fieldvisit.apps import wide_cells
from fieldvisit.apps.key_order import InOrderKeys
from fieldvisit.editing.editor import Editor
from fieldvisit.core.errors import user_error
from fieldvisit.core.i18n import t
from fieldvisit.core.references import device_short
from fieldvisit.screens.commands import binding_commands
from fieldvisit.stores.store import Store
from fieldvisit.core.text import printable
from fieldvisit.locations.paths import Home

wide_cells.apply()  # Chinese under a toast or the palette's key stays whole (Textual #6357)

QUIT_QUESTION = "quit-question"
"""The id of the question Ctrl+Q asks when typing would be lost."""
LIGHT_THEME = "textual-light"
DARK_THEME = "textual-dark"


class BaseApp(InOrderKeys):
    CSS_PATH = Path(screens.__file__).with_name("app.tcss")
    BINDINGS = [
        Binding("ctrl+t", "toggle_theme", t("action.toggle_theme")),
        Binding("ctrl+q", "quit", t("action.quit"), priority=True),
        # Textual's own palette binding, translated (given here, Textual adds none of its own)
        Binding("ctrl+p", "command_palette", t("palette.key"), show=False, priority=True, tooltip=t("palette.tooltip")),
    ]
    TITLE_KEY = "app.field_title"

    def __init__(self, store: Store, editor: Editor | None = None, home: Home | None = None):
        """`home`: where this laptop or office keeps its keys, quarantine, policy, summaries;
        none given, nothing is kept on disk (a store in memory, tests)."""
        super().__init__()
        self.store = store
        self.home = home if home is not None else Home(None)
        self._editor = editor
        self.title = t(self.TITLE_KEY)

    @property
    def editor(self) -> Editor:
        """Made on first use: it reads the store's meta, and the office app reads its store only
        after the register is on screen."""
        if self._editor is None:
            self._editor = Editor(self.store)
        return self._editor

    @property
    def device_label(self) -> str:
        return f"{self.editor.device_name} ({device_short(self.editor.device_id)})"

    def notify(
        self,
        message: str,
        *,
        title: str = "",
        severity: SeverityLevel = "information",
        timeout: float | None = None,
        markup: bool = True,
    ) -> None:
        """Every toast of the app is literal: messages carry titles, names and paths from data,
        and our translations hold no markup, so `markup` is ignored; control characters are
        drawn as spaces. (Textual's own markup toasts are replaced below.)"""
        super().notify(printable(message), title=printable(title), severity=severity, timeout=timeout, markup=False)

    def action_command_palette(self) -> None:
        """The command palette, with its search field's placeholder in the user's language."""
        from textual.command import CommandPalette

        if self.use_command_palette and not CommandPalette.is_open(self):
            self.push_screen(CommandPalette(placeholder=t("palette.placeholder"), id="--command-palette"))

    def action_quit(self) -> None:
        """Ctrl+Q quits at once unless a screen holds typing not yet saved: then it asks, with
        the words of the screen that would lose it (`before_quit`), topmost screen first. A
        second Ctrl+Q on that question quits."""
        from fieldvisit.screens.confirm import ConfirmScreen

        if isinstance(self.screen, ConfirmScreen) and self.screen.id == QUIT_QUESTION:
            self.exit()
            return
        for screen in reversed(self.screen_stack):
            ask = getattr(screen, "before_quit", None)
            question = ask() if ask is not None else None
            if question is not None:
                title, body, confirm = question
                self.push_screen(ConfirmScreen(title, body, confirm, id=QUIT_QUESTION), lambda yes: self.exit() if yes else None)
                return
        self.exit()

    def action_help_quit(self) -> None:
        """Ctrl+C does not quit: say which key does (Textual's own hint is markup)."""
        self.notify(t("text.quit_hint"))

    @on(events.DeliveryComplete)
    def _screenshot_saved(self, event: events.DeliveryComplete) -> None:
        if event.name == "screenshot":
            event.prevent_default()  # Textual's own toast names the path in markup
            self.notify(t("text.screenshot_saved", path=str(event.path or "")), title=t("command.screenshot"))

    def action_toggle_theme(self) -> None:
        self.theme = LIGHT_THEME if self.theme == DARK_THEME else DARK_THEME

    def _fatal_error(self) -> None:
        """How the app ends on an exception nobody handled. Textual's own report is a traceback
        with every frame's local values, and on a laptop those hold petitioners' names, even with
        a passphrase set. A refusal (a FieldVisitError, or the OS saying the disk is full) ends
        the app with its one translated line; anything else, a bug, with a traceback that shows
        where it happened but no values."""
        # imported only on a crash: rich.traceback alone costs the app's start ~30 ms
        from rich.segment import Segments
        from rich.text import Text
        from rich.traceback import Traceback

        error = sys.exc_info()[1]
        found = user_error(error) if error is not None else None
        self.bell()
        if found is not None:
            shown = Text(f"fieldvisit: {found}")  # Text: a path is never read as markup
        else:
            shown = Traceback(show_locals=False, width=None, suppress=[rich])
        self._exit_renderables.append(Segments(self.console.render(shown, self.console.options)))
        self._close_messages_no_wait()

    def get_system_commands(self, screen: Screen) -> Iterable[SystemCommand]:
        """Translated app commands that have no key, then every action bound on the current
        screen and the app that can run now, in the footer or not (`binding_commands`): the
        theme switch, quitting and the F-key modes among them."""
        yield SystemCommand(t("command.theme"), t("command.theme_help"), self.action_change_theme)
        yield SystemCommand(t("command.keys"), t("command.keys_help"), self.action_show_help_panel)
        yield SystemCommand(t("command.screenshot"), t("command.screenshot_help"), self.deliver_screenshot)
        yield from binding_commands(screen)
