"""A device or office fingerprint drawn to be read aloud: big gaps between the four groups."""

from __future__ import annotations

from textual.widgets import Static

from fieldvisit.screens.literal import literal


def spaced(fingerprint: str) -> str:
    """`7K3Q-M2XA-…` as `7 K 3 Q   M 2 X A   …`: each character apart, groups further apart."""
    return "   ".join(" ".join(group) for group in fingerprint.split("-"))


class Fingerprint(Static):
    """Shows `fingerprint` spaced out in bold inside a frame; empty text shows `placeholder`."""

    DEFAULT_CSS = """
    Fingerprint {
        width: auto;
        height: auto;
        padding: 0 2;
        border: round $accent;
        text-style: bold;
        color: $text;
    }
    Fingerprint.-empty {
        border: round $panel-lighten-2;
        text-style: none;
        color: $text-muted;
    }
    """

    def __init__(self, fingerprint: str = "", placeholder: str = "—", **kwargs):
        super().__init__(**kwargs)
        self._placeholder = placeholder
        self.show(fingerprint)

    def show(self, fingerprint: str) -> None:
        self.update(literal(spaced(fingerprint) if fingerprint else self._placeholder))  # from a token or a laptop
        self.set_class(not fingerprint, "-empty")
