"""Keys typed with no pause reach the field that has focus at that point of the sequence.

Textual routes a key the moment the app reads it from the terminal: to the widget focused *then*.
Everything a key sets off happens later, in the widgets' own message queues: Enter in a field
posts `Input.Submitted`, which bubbles to the form, which moves the focus; Ctrl+S saves and puts
the cursor back on the title through `Widget.focus()`, which is itself a message to the app. A
burst of keys (a practised typist, a paste, a keyboard-wedge device, `tmux send-keys`) is routed
before any of that has run, so the keys after Enter land in the previous field.

`InOrderKeys` routes keys as before while they cannot move the focus (printable characters). A
key that may (Enter, Tab, Space, Backspace, arrows, Ctrl+…, Esc, F-keys: any binding) is routed
only once everything the earlier keys set off has been handled, and the keys after it wait until
everything *it* set off has been handled too. Waiting never blocks the app: held keys are routed
from a callback once the screen's widgets have emptied their queues.
"""

from __future__ import annotations

import sys
from collections import deque

from textual import events
from textual.app import App, ScreenStackError
from textual.message_pump import MessagePump
from textual.widget import Widget

MAX_ROUNDS = 50
"""A screen whose widgets never fall quiet (a timer firing faster than it is handled) still
gets its keys: after this many rounds of waiting the held key is routed anyway."""


def moves_focus(event: events.Key, focused: Widget | None) -> bool:
    """Whether a key may set off a binding: a change of focus, a read of the form, or an edit
    that must not overtake the characters typed after it (Textual runs a widget's bindings only
    once the key has bubbled up to the app, while characters are inserted by the widget itself:
    Backspace would otherwise delete the character typed after it). A character is only text
    in a text field: on a list, `o` opens a visit."""
    typed = event.is_printable and event.character != " "
    return not (typed and _is_text_field(focused))


def _typed(message: object) -> bool:
    """A key or paste from the terminal, not yet routed: it waits its turn in `InOrderKeys`."""
    return isinstance(message, (events.Key, events.Paste)) and not message.is_forwarded


def _busy(node: MessagePump) -> bool:
    """Messages queued (or the next one taken out to be looked at: Textual's message loop peeks
    ahead to combine messages), or still composing and mounting (a screen just pushed: its
    compose and mount run outside its queue, and its `on_mount` may move the focus)."""
    return bool(node._message_queue.qsize()) or node._pending_message is not None or not node._is_mounted


TEXT_FIELDS = (("textual.widgets._input", "Input"), ("textual.widgets._text_area", "TextArea"))


def _is_text_field(widget: Widget | None) -> bool:
    """Whether `widget` is an Input or a TextArea, without importing them (a field of a class
    never imported cannot be focused; importing them would slow the app's start)."""
    for module, name in TEXT_FIELDS:
        cls = getattr(sys.modules.get(module), name, None)
        if cls is not None and isinstance(widget, cls):
            return True
    return False


class InOrderKeys(App):
    """An app whose keys are handled in the order typed, whatever the speed (see the module)."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._keys_held: deque[events.Event] = deque()
        self._keys_unsettled = False
        self._keys_waiting = False
        self._keys_rounds = 0

    @property
    def keys_pending(self) -> bool:
        """Keys typed but not yet handed to a widget, or the last one's effects still running
        (tests wait on this instead of sleeping)."""
        return bool(self._keys_held) or self._keys_waiting or (self._keys_unsettled and not self._keys_quiet())

    async def on_event(self, event: events.Event) -> None:
        if not isinstance(event, (events.Key, events.Paste)) or event.is_forwarded or getattr(event, "_in_order", False):
            await super().on_event(event)
            return
        event._in_order = True  # type: ignore[attr-defined]
        self._keys_held.append(event)
        if not self._keys_waiting:
            await self._route_held_keys()

    async def _route_held_keys(self) -> None:
        """Route held keys in order, stopping to wait whenever the screen is not yet quiet."""
        self._keys_waiting = False
        while self._keys_held:
            event = self._keys_held[0]
            barrier = isinstance(event, events.Paste) or moves_focus(event, self.focused)
            if (self._keys_unsettled or barrier) and self._keys_rounds < MAX_ROUNDS and not self._keys_quiet():
                self._keys_rounds += 1
                self._wait_for_quiet_keys()
                return
            self._keys_rounds = 0
            self._keys_held.popleft()
            self._keys_unsettled = barrier
            await super().on_event(event)

    def _screen_nodes(self) -> list:
        try:
            return list(self.screen.walk_children(with_self=True))
        except ScreenStackError:  # no screen yet, or the app is closing
            return []

    def _keys_quiet(self) -> bool:
        """Nothing queued on the current screen's widgets, and nothing but newly typed keys on
        the app (a key bubbling up to the app's bindings, a callback: `Widget.focus()` is one)."""
        if any(_busy(node) for node in self._screen_nodes()):
            return False
        waiting = [*self._message_queue.values, self._pending_message]
        return all(message is None or _typed(message) for message in waiting)

    def _wait_for_quiet_keys(self) -> None:
        """Come back (as an app callback, after whatever is queued on the app) once each busy
        widget has handled what it holds now."""
        self._keys_waiting = True
        busy = [node for node in self._screen_nodes() if _busy(node)]
        remaining = 0

        def one_done() -> None:
            nonlocal remaining
            remaining -= 1
            if remaining == 0:
                self.call_later(self._route_held_keys)

        scheduled = [node for node in busy if node.call_later(one_done)]
        remaining = len(scheduled)
        if not scheduled:
            self.call_later(self._route_held_keys)

