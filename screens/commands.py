"""Command palette entries: every action a screen binds is also a command, footer or not.

A screen keeps its footer short (`show=False` on the keys used less often, e.g. on a narrow
terminal) and hides what cannot apply now (`check_action`); the palette lists every action of
ours bound on the screen, its focused widget and the app (the F-key modes), each with its key,
and leaves out exactly what `check_action` turns off (False: hidden, None: shown disabled), as
the footer does. Textual's own bindings (focus moves, a text field's editing keys) are not
listed, nor a widget's hidden keys: they are editing, not the user's actions.
"""

from __future__ import annotations

from collections.abc import Iterable
from functools import cache

from textual.app import App, SystemCommand
from textual.binding import Binding
from textual.dom import DOMNode
from textual.screen import Screen

OWN_PACKAGE = "fieldvisit."
NOT_LISTED = frozenset({"command_palette"})
"""Actions not worth a palette entry: opening the palette itself."""


def binding_commands(screen: Screen) -> Iterable[SystemCommand]:
    """One command per action of ours that can run on `screen` now, run as if its key were
    pressed (the same action on the same node), with the key as the footer shows it."""
    app = screen.app
    seen: set[tuple[int, str]] = set()
    for active in screen.active_bindings.values():
        binding, node = active.binding, active.node
        if not active.enabled or not binding.description or binding.action in NOT_LISTED:
            continue
        if binding.action not in own_actions(type(node)) or (id(node), binding.action) in seen:
            continue
        if not binding.show and not isinstance(node, (Screen, App)):
            continue  # a widget's own hidden keys (a text area's new line) are editing, not actions
        seen.add((id(node), binding.action))
        key = app.get_key_display(binding)
        yield SystemCommand(
            binding.description,
            f"{key} · {binding.tooltip}" if binding.tooltip else key,
            lambda action=binding.action, node=node: app.run_action(action, node),
        )


@cache
def own_actions(node_type: type[DOMNode]) -> frozenset[str]:
    """The actions bound by the `BINDINGS` of fieldvisit's own classes among `node_type`'s bases."""
    found = set()
    for cls in node_type.__mro__:
        if not cls.__module__.startswith(OWN_PACKAGE):
            continue
        for binding in cls.__dict__.get("BINDINGS", ()):
            found.add(binding.action if isinstance(binding, Binding) else binding[1])
    return frozenset(found)
