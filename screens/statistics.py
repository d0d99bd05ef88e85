"""Statistics for a period: counts by category, site, status and month, rates, and the categories
rising against the previous period (the early warning the work asks for), drawn as bars."""

from __future__ import annotations

import datetime as dt

from rich.cells import cell_len
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, VerticalScroll
from textual.screen import Screen
from textual.widgets import Header, Input, Label, Sparkline, Static
from textual.worker import get_current_worker

from fieldvisit.core import clock
from fieldvisit.core.errors import InputError
from fieldvisit.core.i18n import label, t
from fieldvisit.core.model import check_range, parse_date
from fieldvisit.screens.widgets.fitting_footer import FittingFooter
from fieldvisit.screens.literal import literal
from fieldvisit.core.text import one_line
from fieldvisit.office.stats import PeriodStats

BAR_WIDTH = 30


class StatisticsScreen(Screen):
    CSS_PATH = "statistics.tcss"
    BINDINGS = [Binding("ctrl+r", "recompute", t("stats.recompute"))]

    def compose(self) -> ComposeResult:
        end = clock.today()
        start = end.replace(day=1) - dt.timedelta(days=1)
        start = start.replace(day=1)
        yield Header()
        with Horizontal(id="stats-period"):
            yield Label(t("stats.from"))
            yield Input(start.isoformat(), id="stats-from", compact=True)
            yield Label(t("stats.to"))
            yield Input(end.isoformat(), id="stats-to", compact=True)
        with VerticalScroll(id="stats-body"):
            yield Static(id="stats-summary")
            yield Sparkline([], id="stats-spark")
            yield Static(id="stats-tables")
        yield FittingFooter()

    def on_mount(self) -> None:
        self.title = t("app.office_title")
        self.action_recompute()

    @on(Input.Submitted)
    def _period_changed(self) -> None:
        self.action_recompute()

    def action_recompute(self) -> None:
        """Count the period typed; a date that cannot be read, or an end before the start, is
        refused with the reason, on the field to correct, and the last figures stay."""
        try:
            start = _day(self.query_one("#stats-from", Input).value, "date_from")
            end = _day(self.query_one("#stats-to", Input).value, "date_to")
            check_range(start, end)
        except InputError as error:
            self.notify(str(error), severity="error")
            self.query_one("#stats-summary", Static).update(literal(str(error)))
            self.query_one("#stats-from" if error.field == "date_from" else "#stats-to", Input).focus()
            return
        self.query_one("#stats-summary", Static).update(t("stats.computing"))
        self._count(start, end)

    @work(thread=True, exclusive=True, group="statistics")
    def _count(self, start: dt.date, end: dt.date) -> None:
        """One pass over the matters' facts (`app.matter_facts`: the dates its history fixes, the
        rating that counts, as the period report reads them; a database's counted in groups), on
        a thread of its own: the first count reads the store when the facts' file does not fit
        it (seconds at 100,000)."""
        stats = self.app.matter_facts.figures(start, end, self.app.policy, clock.today())
        if not get_current_worker().is_cancelled:  # a newer period was asked for meanwhile
            self.app.call_from_thread(self._show, stats)

    def _show(self, stats: PeriodStats) -> None:
        self.query_one("#stats-summary", Static).update(_summary(stats, self.app.policy.due_soon_days))
        self.query_one("#stats-spark", Sparkline).data = list(stats.by_month.values()) or [0]
        sections = [
            _bars(t("stats.by_category"), {label("category", k): v for k, v in stats.by_category.items()}),
            _bars(t("stats.by_site"), stats.by_site),
            _bars(t("stats.by_status"), {label("status", k): v for k, v in stats.by_status.items()}),
            _bars(t("stats.by_month"), stats.by_month),
            _bars(t("report.satisfaction"), {label("satisfaction", k): v for k, v in stats.satisfaction.items()})
            + "\n" + t("report.followup.stats_face_to_face", count=stats.satisfaction_face_to_face),
        ]
        rising = [t("stats.rising_line", category=label("category", r.category), now=r.now, before=r.before, change="∞" if r.change is None else f"+{r.change:.0%}") for r in stats.rising]
        sections.append("\n".join([t("stats.rising"), *rising]) if rising else t("stats.no_rising"))
        self.query_one("#stats-tables", Static).update(literal("\n\n".join(sections)))  # site names are data


def _day(text: str, field: str) -> dt.date:
    """A typed date (any form `model.parse_date` reads); an empty one is refused as unreadable."""
    found = parse_date(text, field)
    if found is None:
        raise InputError(field, "error.bad_date", value="")
    return dt.date.fromisoformat(found)


def _summary(stats, due_soon_days: int) -> str:
    def rate(value: float | None) -> str:
        return "—" if value is None else f"{value:.0%}"

    return t(
        "stats.summary",
        start=stats.start.isoformat(), end=stats.end.isoformat(), total=stats.total, new=stats.new, closed=stats.closed,
        on_time=rate(stats.on_time_rate), satisfied=rate(stats.satisfaction_rate), repeat=stats.repeat,
        collective=stats.collective, skip_level=stats.skip_level, overdue=stats.overdue,
    ) + t("honest_deadlines.stats_due_soon", count=stats.due_soon, days=due_soon_days)


def _bars(title: str, counts: dict[str, int]) -> str:
    """A heading and one bar per entry: terminal charts that read in any font."""
    if not counts:
        return f"{title}\n  —"
    lines_of: dict[str, int] = {}
    for name, count in counts.items():  # site names come from laptops: one line each, as typed
        lines_of[one_line(name)] = lines_of.get(one_line(name), 0) + count
    counts = lines_of
    top = max(counts.values()) or 1
    width = max(cell_len(name) for name in counts)
    lines = [title]
    for name, count in counts.items():
        bar = "█" * max(1 if count else 0, round(count / top * BAR_WIDTH))
        lines.append(f"  {name}{' ' * (width - cell_len(name))}  {bar} {count}")
    return "\n".join(lines)
