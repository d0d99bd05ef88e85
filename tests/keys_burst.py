"""Keys as a terminal delivers a burst: all posted at once, none waiting for the one before.

A step is either text (one key event per character, as an IME commits them) or a key name
(`enter`, `tab`, `down`, `space`, `ctrl+s`, …). Shared by the in-order-keys tests.
"""

from __future__ import annotations

from textual import events
from textual.keys import _character_to_key

NAMED = {"enter": "\r", "tab": "\t", "space": " ", "backspace": "\x7f", "escape": "\x1b"}


def key_events(steps) -> list[events.Key]:
    found: list[events.Key] = []
    for step in steps:
        if isinstance(step, Text):
            found.extend(events.Key(_character_to_key(character), character) for character in step)
        else:
            found.append(events.Key(step, NAMED.get(step)))
    return found


class Text(str):
    """Text typed character by character (a plain `str` step is a key name)."""


async def burst(pilot, steps) -> None:
    """Post every key at once, then wait until the app has handed each to its widget and
    everything they set off has run (never a sleep)."""
    app = pilot.app
    for event in key_events(steps):
        app.post_message(event)
    await pilot.pause()
    for _ in range(10_000):
        if not app.keys_pending:
            break
        await pilot.pause()
    await pilot.pause()
    assert not app.keys_pending
