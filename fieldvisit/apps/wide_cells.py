"""Wide characters under an overlay stay whole (Textual issue #6357).

The compositor cuts every line at the edges of every widget on it, and fills each piece from the
topmost widget there. A toast, the palette's footer key or a Select's list drawn over other
widgets is cut at *their* edges too, and `Strip.divide` turns a double-width character (Chinese)
that straddles such a cut into spaces: 已保存 over the form's border showed as ` 存`. Here a
widget's line is divided only where the piece next to it goes to another widget: consecutive
pieces it wins are one piece (the others get an empty strip, so nothing below claims them).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import cast

from textual._compositor import Compositor
from textual.geometry import Region
from textual.strip import Strip

EMPTY = Strip([], 0)


def _render_chops(self: Compositor, crop: Region, is_rendered_line: Callable[[int], bool]) -> Sequence[Mapping[int, Strip]]:
    cuts = self.cuts
    chops: list[dict[int, Strip | None]] = [dict.fromkeys(cut_set[:-1]) for cut_set in cuts]
    intersection = Region.intersection
    for region, clip, strips in self._get_renders(crop):
        render_region = intersection(region, clip)
        render_x = render_region.x
        first_cut, last_cut = render_region.column_span
        for y, strip in zip(render_region.line_range, strips):
            if not is_rendered_line(y):
                continue
            line = chops[y]
            final_cuts = [cut for cut in cuts[y] if last_cut >= cut >= first_cut]
            starts = final_cuts[:-1] if len(final_cuts) > 1 else final_cuts
            wins = [line.get(cut) is None for cut in starts]
            # divide only where winning changes, or at the region's end
            boundaries = [final_cuts[index] for index in range(1, len(starts)) if wins[index] != wins[index - 1] or not wins[index]]
            if len(final_cuts) > 1:
                boundaries.append(final_cuts[-1])
            pieces = strip.divide([cut - render_x for cut in boundaries]) if boundaries else [strip]
            piece_starts = [starts[0], *boundaries[:-1]] if boundaries else starts[:1]
            by_start = dict(zip(piece_starts, pieces))
            for cut, won in zip(starts, wins):
                if not won:
                    continue
                line[cut] = by_start.get(cut, EMPTY)
    return cast("Sequence[Mapping[int, Strip]]", chops)


def apply() -> None:
    """Replace Textual's `Compositor._render_chops` (checked against textual 8.2) with the one above."""
    Compositor._render_chops = _render_chops  # type: ignore[method-assign]

