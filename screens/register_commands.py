"""The register's sort chooser in the command palette: sort by any column, either way.

The keys `s` / `S` move the sort to the next / previous column and `r` reverses it; here every
column is one entry ("Sort by owner ▲"), so an officer who does not know the keys finds them by
typing "sort" or the column's name. Discovery (the palette opened, nothing typed) lists each
column once, in the direction it is not sorted in now.
"""

from __future__ import annotations

from collections.abc import Iterator
from functools import partial

from fieldvisit.screens.widgets.register_table import ARROWS
from textual.command import DiscoveryHit, Hit, Hits, Provider

from fieldvisit.core.i18n import t


class SortCommands(Provider):
    """Palette entries of the register screen (`RegisterScreen.COMMANDS`)."""

    def _entries(self, every: bool) -> Iterator[tuple[str, str, object]]:
        screen = self.screen
        # imported here: this module is imported by the register screen's own
        from fieldvisit.screens.register import COLUMNS

        for key in COLUMNS:
            column = t(f"register.col.{key}")
            for reverse in (False, True):
                if not every and reverse != (key == screen.sort_key and not screen.sort_reverse):
                    continue
                title = t("register_view.sort_by", column=column, arrow=ARROWS[reverse])
                help_text = t("register_view.descending" if reverse else "register_view.ascending")
                yield title, help_text, partial(screen.sort_by, key, reverse)

    async def discover(self) -> Hits:
        for title, help_text, command in self._entries(every=False):
            yield DiscoveryHit(title, command, help=help_text)

    async def search(self, query: str) -> Hits:
        matcher = self.matcher(query)
        for title, help_text, command in self._entries(every=True):
            score = max(matcher.match(title), matcher.match(f"{title} {help_text}"))
            if score > 0:
                yield Hit(score, matcher.highlight(title), command, text=title, help=help_text)
