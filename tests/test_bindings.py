"""§1 of issue 14: no binding of the field app is swallowed by a text field.

Textual's `Input` and `TextArea` take keys of their own (Ctrl+E is end-of-line, Ctrl+K deletes
to the end, …) and every printable character. On each field-app screen that holds a text field,
every key the screen and the app bind must be one of neither.
"""

from __future__ import annotations

from textual.app import App
from textual.screen import Screen
from textual.widgets import Input, TextArea

from fieldvisit.apps.field import FieldApp
from fieldvisit.screens.enrollment import EnrollmentScreen
from fieldvisit.screens.handover import HandoverScreen
from fieldvisit.screens.matter import MatterScreen
from fieldvisit.screens.passphrase import PassphraseScreen
from fieldvisit.screens.reason import ReasonScreen
from fieldvisit.screens.visit import VisitScreen
from fieldvisit.screens.visit_form import VisitFormScreen
from fieldvisit.screens.visits import VisitsScreen

TEXT_FIELD_KEYS = frozenset(Input._merged_bindings.key_to_bindings) | frozenset(TextArea._merged_bindings.key_to_bindings)
TEXTUAL_OWN = {
    (binding.key, binding.action)
    for cls in (App, Screen)
    for binding in cls._merged_bindings.key_to_bindings.values()
    for binding in binding
}
"""Textual's own bindings (Tab, copy, Ctrl+C's hint): a text field taking them is meant."""


def test_text_fields_take_these_keys():
    """The list checked against is Textual's own, read from the widgets' BINDINGS."""
    assert {"ctrl+e", "ctrl+k", "ctrl+a", "ctrl+u", "enter", "ctrl+z", "f6"} <= TEXT_FIELD_KEYS


def clashes(app: App) -> list[str]:
    """Keys bound by the app or the current screen that a text field on it would take."""
    found = []
    for node in (app.screen, app):
        for key, bindings in node._bindings.key_to_bindings.items():
            for binding in bindings:
                if (binding.key, binding.action) in TEXTUAL_OWN:
                    continue
                if key in TEXT_FIELD_KEYS or len(key) == 1 or key == "space":
                    found.append(f"{type(node).__name__}: {key} → {binding.action}")
    return found


async def test_no_binding_is_taken_by_a_text_field(store, editor, visit):
    editor.record_issue(visit["id"], {"title": "井下津贴连续两月少发"})
    app = FieldApp(store, editor)
    seen: set[type] = set()

    def check() -> None:
        screen = app.screen
        if screen.query("Input, TextArea"):
            assert clashes(app) == [], type(screen).__name__
            seen.add(type(screen))
        else:
            # a screen without text fields may bind letters: say so, so a field added later is caught
            assert type(screen) in {VisitsScreen}, type(screen).__name__

    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        check()
        await pilot.press("n")
        check()
        await pilot.press("escape")
        await pilot.press("k")
        check()
        await pilot.press("escape")
        await pilot.press("o")
        await pilot.pause()
        check()
        app.push_screen(PassphraseScreen())
        await pilot.pause()
        check()
        await pilot.press("escape")
        await pilot.press("ctrl+g")
        check()
        await pilot.press("escape")
        await pilot.press("enter")  # the matter under the cursor
        await pilot.pause()
        check()
        await pilot.press("ctrl+r")
        check()
    assert seen == {VisitFormScreen, EnrollmentScreen, VisitScreen, PassphraseScreen, HandoverScreen, MatterScreen, ReasonScreen}


def test_the_old_hand_over_key_would_be_caught(store, editor):
    """The check itself: Ctrl+E, which Input takes for end-of-line, is reported."""

    class Old(FieldApp):
        BINDINGS = [*FieldApp.BINDINGS, ("ctrl+e", "handover", "Hand over")]

    assert _app_clashes(Old(store, editor)) == ["Old: ctrl+e → handover"]
    assert _app_clashes(FieldApp(store, editor)) == []


def _app_clashes(app: App) -> list[str]:
    return [
        f"{type(app).__name__}: {key} → {binding.action}"
        for key, bindings in app._bindings.key_to_bindings.items()
        for binding in bindings
        if (binding.key, binding.action) not in TEXTUAL_OWN and (key in TEXT_FIELD_KEYS or len(key) == 1)
    ]
