"""Text from a store, bundle, frame, token or form, ready to be shown: never read as markup.

Textual reads a plain `str` given to `Static`, `Label`, a `DataTable` cell, an `OptionList`
prompt or `notify` as content markup, so a title such as `[/b]` or `[link=x]y[/link]` would
crash the screen or be drawn as something it is not. Every screen hands data to a widget through
`literal` (or `literal_line` for a table cell or a list line): a `rich.text.Text`, which is drawn
as it is, with control characters drawn as spaces (`fieldvisit.core.text.printable`). Notifications
are literal for the whole app (`BaseApp.notify`). Translations hold no markup, so a message made
of a translation and data (`t("key", title=...)`) is passed through `literal` whole.
"""

from __future__ import annotations

from rich.text import Text

from fieldvisit.core.text import one_line, printable


def literal(text: object, style: str = "") -> Text:
    """`text` as it is, line breaks kept: for a `Static` or a dialog's body."""
    return Text(printable(text), style=style, end="")


def literal_line(text: object, style: str = "") -> Text:
    """`text` on one line (line breaks and tabs as spaces): for a table cell or a list option."""
    return Text(one_line(text), style=style, end="")
