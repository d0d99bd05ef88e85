"""Pick a folder or file: plugged-in USB sticks listed first, or a path typed or pasted."""

from __future__ import annotations

from pathlib import Path

from textual import on
from textual.app import ComposeResult
from textual.containers import Vertical
from textual.message import Message
from textual.widgets import Input, Label, OptionList
from textual.widgets.option_list import Option

from fieldvisit.core.i18n import t
from fieldvisit.locations.removable import removable_folders
from fieldvisit.screens.literal import literal_line


class FolderPicker(Vertical):
    """Enter on a listed stick or on the typed path posts `Chosen`."""

    DEFAULT_CSS = """
    FolderPicker {
        height: auto;
    }
    FolderPicker OptionList {
        height: auto;
        max-height: 6;
        margin-bottom: 1;
    }
    FolderPicker .picker-label {
        color: $text-muted;
    }
    """

    class Chosen(Message):
        def __init__(self, picker: "FolderPicker", path: Path):
            super().__init__()
            self.picker = picker
            self.path = path

        @property
        def control(self) -> "FolderPicker":
            return self.picker

    def __init__(self, placeholder: str, fallback: Path | None = None, **kwargs):
        super().__init__(**kwargs)
        self._placeholder = placeholder
        self._fallback = fallback

    def compose(self) -> ComposeResult:
        sticks = removable_folders()
        yield Label(t("picker.sticks") if sticks else t("picker.no_sticks"), classes="picker-label")
        options = [Option(literal_line(folder), id=str(folder)) for folder in sticks]  # a stick's label is anyone's
        yield OptionList(*options, id="picker-sticks")
        yield Label(t("picker.path"), classes="picker-label")
        start = str(sticks[0] if sticks else self._fallback or "")
        yield Input(value=start, placeholder=self._placeholder, id="picker-path")

    def on_mount(self) -> None:
        self.query_one("#picker-sticks").display = bool(self.query_one("#picker-sticks", OptionList).option_count)

    def focus_path(self) -> None:
        self.query_one("#picker-path", Input).focus()

    @on(OptionList.OptionSelected, "#picker-sticks")
    def _stick(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        self.post_message(self.Chosen(self, Path(event.option.id)))

    @on(Input.Submitted, "#picker-path")
    def _typed(self, event: Input.Submitted) -> None:
        event.stop()
        text = event.value.strip().strip('"').strip("'")
        if text:
            self.post_message(self.Chosen(self, Path(text).expanduser()))
