"""Command palette entries: every binding a screen shows in its footer is also a command."""

from __future__ import annotations

from typing import Iterable

from textual.app import SystemCommand
from textual.binding import Binding
from textual.screen import Screen


def binding_commands(screen: Screen) -> Iterable[SystemCommand]:
    """One palette command per visible binding of `screen`, run as if the key were pressed."""
    for binding in screen.BINDINGS:
        if not isinstance(binding, Binding) or not binding.show or not binding.description:
            continue
        key = binding.key.split(",")[0]
        yield SystemCommand(
            binding.description,
            binding.tooltip or key,
            lambda action=binding.action: screen.run_action(action),
        )
