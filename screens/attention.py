"""What needs action today: overdue, due soon, unassigned, conflicts, dissatisfied, critical and
safety matters, and likely repeat visits. Enter opens a matter; `l` links a suggested repeat."""

from __future__ import annotations

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.screen import Screen
from textual.widgets import Header, OptionList, Static
from textual.widgets.option_list import Option, OptionDoesNotExist
from textual.worker import get_current_worker

from fieldvisit.core.errors import FieldVisitError
from fieldvisit.core.i18n import t
from fieldvisit.office.register import SAVED_FILTERS, RegisterFilter, RegisterRow, due_label
from fieldvisit.office.repeats import RepeatSuggestion
from fieldvisit.screens.widgets.fitting_footer import FittingFooter
from fieldvisit.screens.literal import literal_line

SECTIONS = (
    ("overdue", SAVED_FILTERS["overdue"]),
    ("due_soon", SAVED_FILTERS["due_soon"]),  # the policy's `due_soon_days`, as the register's filter
    ("unassigned", SAVED_FILTERS["unassigned"]),
    ("needs_review", SAVED_FILTERS["needs_review"]),
    ("dissatisfied", SAVED_FILTERS["dissatisfied"]),
    ("safety", RegisterFilter(flags=("safety_hazard",))),
)
PER_SECTION = 8
SEARCHING = "repeats-searching"


class AttentionScreen(Screen):
    CSS_PATH = "attention.tcss"
    BINDINGS = [
        Binding("l", "link_repeat", t("attention.link")),
        Binding("ctrl+r", "reload", t("attention.reload")),
    ]

    def __init__(self) -> None:
        super().__init__()
        self._repeats: tuple[int, list[RepeatSuggestion]] | None = None
        self._drawn: int | None = None

    def compose(self) -> ComposeResult:
        yield Header()
        yield Static(id="attention-summary")
        yield OptionList(id="attention")
        yield FittingFooter()

    def on_mount(self) -> None:
        self.title = t("app.office_title")
        self.refresh_view()

    def on_screen_resume(self) -> None:
        """Drawn again when the register changed meanwhile (a step taken on a matter opened
        from here); Textual resumes a mode's screen twice on its first switch, and each drawing
        selects among 100,000 rows."""
        if self._drawn != self.app.register_index.version:
            self.refresh_view()

    def action_reload(self) -> None:
        self.refresh_view()

    def refresh_view(self) -> None:
        """Count each section and draw the list: here, or in a thread when the register's counts
        are queries that may read many matters (a database), the screen saying it is counting."""
        index = self.app.register_index
        self._drawn = index.version
        if index.slow_counts:
            options = self.query_one(OptionList)
            options.clear_options()
            options.add_option(Option(t("register_db.counting"), disabled=True))
            self.query_one("#attention-summary", Static).update(t("register_db.counting"))
            self._count_sections(index.version)
        else:
            self._draw(self._sections(), index.version)

    def _sections(self) -> list[tuple[str, str, int, list[RegisterRow]]]:
        """(name, heading, how many, the first few) of each section."""
        index = self.app.register_index
        found = []
        for name, chosen in SECTIONS:
            heading = t("honest_deadlines.due_soon", days=self.app.policy.due_soon_days) if name == "due_soon" else t(f"attention.{name}")
            count, first = index.section(chosen, name != "dissatisfied", PER_SECTION)  # the first few of maybe 100,000
            found.append((name, heading, count, first))
        return found

    @work(thread=True, exclusive=True, group="attention-count")
    def _count_sections(self, version: int) -> None:
        found = self._sections()
        if not get_current_worker().is_cancelled:
            self.app.call_from_thread(self._draw, found, version)

    def _draw(self, sections: list[tuple[str, str, int, list[RegisterRow]]], version: int) -> None:
        if version != self.app.register_index.version:
            self.refresh_view()  # written meanwhile: counted again
            return
        options = self.query_one(OptionList)
        options.clear_options()
        counts, lines = [], []  # the lines added at once: the list lays itself out once
        for name, heading, count, first in sections:
            counts.append(t("attention.count", name=heading, count=count))
            lines.append(Option(f"{heading} ({count})", disabled=True))
            for row in first:
                lines.append(Option(literal_line(f"  {_describe(row)}"), id=f"open|{name}|{row.id}"))
            if count > PER_SECTION:
                lines.append(Option(f"  … {t('attention.more', count=count - PER_SECTION)}", disabled=True))
        if self._repeats is not None and self._repeats[0] == version:
            lines += self._repeat_lines(self._repeats[1])
        else:
            lines.append(Option(f"{t('attention.repeats')} ({t('attention.searching')})", disabled=True, id=SEARCHING))
            self._find_repeats(version)
        options.add_options(lines)
        self.query_one("#attention-summary", Static).update(" · ".join(counts))

    def _repeat_lines(self, suggestions: list[RepeatSuggestion]) -> list[Option]:
        rows = self.app.register_index.rows_of({id_ for suggestion in suggestions for id_ in (suggestion.issue_id, suggestion.earlier_id)})
        lines = [Option(f"{t('attention.repeats')} ({len(suggestions)})", disabled=True)]
        for suggestion in suggestions:
            row, earlier = rows.get(suggestion.issue_id), rows.get(suggestion.earlier_id)
            if row and earlier:
                reason = t(f"attention.repeat_{suggestion.reason}")
                lines.append(Option(literal_line(f"  {row.ref} {row.title} ≈ {earlier.ref} {earlier.title} ({reason})"), id=f"repeat|{row.id}|{earlier.id}"))
        return lines

    @work(thread=True, exclusive=True, group="repeats")
    def _find_repeats(self, version: int) -> None:
        """Repeat suggestions walk every matter's facts in order (`app.matter_facts`, kept in step
        with the store; read from the store the first time when their file does not fit it), so
        on a thread of their own, and kept until the store is written again."""
        found = self.app.matter_facts.repeat_index().suggestions(PER_SECTION)
        if not get_current_worker().is_cancelled:
            self.app.call_from_thread(self._found, version, found)

    def _found(self, version: int, found: list[RepeatSuggestion]) -> None:
        self._repeats = (version, found)
        try:
            self.query_one(OptionList).remove_option(SEARCHING)
        except OptionDoesNotExist:  # the list was drawn again meanwhile, and asked again
            return
        self.query_one(OptionList).add_options(self._repeat_lines(found))

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        """`l` only on a suggested repeat: hidden from the footer and the palette elsewhere."""
        if action == "link_repeat":
            return self._highlighted_repeat() is not None
        return True

    def _highlighted_repeat(self) -> tuple[str, str] | None:
        """(matter, earlier matter) of the highlighted repeat suggestion, or None."""
        found = self.query(OptionList)
        options = found.first() if found else None
        if options is None or options.highlighted is None:
            return None
        option_id = options.get_option_at_index(options.highlighted).id or ""
        if not option_id.startswith("repeat|"):
            return None
        _, issue_id, earlier_id = option_id.split("|")
        return issue_id, earlier_id

    @on(OptionList.OptionHighlighted)
    def _highlighted(self) -> None:
        self.refresh_bindings()

    @on(OptionList.OptionSelected)
    def _open(self, event: OptionList.OptionSelected) -> None:
        # imported when first needed: the app starts without it
        from fieldvisit.screens.office_matter import OfficeMatterScreen

        kind, first, second = event.option.id.split("|")
        self.app.push_screen(OfficeMatterScreen(second if kind == "open" else first))

    def action_link_repeat(self) -> None:
        found = self._highlighted_repeat()
        if found is None:
            self.notify(t("attention.link_hint"), severity="warning")
            return
        issue_id, earlier_id = found
        try:
            self.app.workflow.link_repeat(issue_id, earlier_id)
        except FieldVisitError as error:
            self.notify(str(error), severity="error")
            return
        self.notify(t("attention.linked"))
        self.refresh_view()


def _describe(row: RegisterRow) -> str:
    due = due_label(row.days_left, none="")
    return f"{row.ref}  {row.title}  {row.site}  {row.owner or '—'}  {due}"
