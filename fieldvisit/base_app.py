"""What the field app and the office app share: store and editor, theme, translated commands."""

from __future__ import annotations

from pathlib import Path
from typing import Iterable

from textual.app import App, SystemCommand
from textual.binding import Binding
from textual.screen import Screen

from fieldvisit import screens
from fieldvisit.editor import Editor
from fieldvisit.i18n import t
from fieldvisit.references import device_short
from fieldvisit.screens.commands import binding_commands
from fieldvisit.store import Store

LIGHT_THEME = "textual-light"
DARK_THEME = "textual-dark"


class BaseApp(App):
    CSS_PATH = Path(screens.__file__).with_name("app.tcss")
    BINDINGS = [
        Binding("ctrl+t", "toggle_theme", t("action.toggle_theme")),
        Binding("ctrl+q", "quit", t("action.quit"), priority=True),
    ]
    TITLE_KEY = "app.field_title"

    def __init__(self, store: Store, editor: Editor | None = None):
        super().__init__()
        self.store = store
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

    def action_toggle_theme(self) -> None:
        self.theme = LIGHT_THEME if self.theme == DARK_THEME else DARK_THEME

    def get_system_commands(self, screen: Screen) -> Iterable[SystemCommand]:
        """Translated app commands, then every footer binding of the current screen."""
        yield SystemCommand(t("command.theme"), t("command.theme_help"), self.action_change_theme)
        yield SystemCommand(t("action.toggle_theme"), "ctrl+t", self.action_toggle_theme)
        yield SystemCommand(t("command.keys"), t("command.keys_help"), self.action_show_help_panel)
        yield SystemCommand(t("command.screenshot"), t("command.screenshot_help"), self.deliver_screenshot)
        yield SystemCommand(t("action.quit"), "ctrl+q", self.action_quit)
        yield from binding_commands(screen)
