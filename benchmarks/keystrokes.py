"""Keystrokes per matter in quick capture, with and without the roster and the suggestions.

Replays through the real field app (Textual Pilot, 120×40) the keys a recorder types for the same
realistic matters twice, on two identical copies of the demo laptop (seed 1, its 48 matters as
history) with a roster of about 20,000 people (the demo roster padded with colleagues):

- **without**: today's form, every value typed in full (the capture aids switched off);
- **with**: the petitioner picked from the roster's list under the name field (the full name is
  typed, as heard; Down to the person with the petitioner's unit, Enter), and the unit,
  department, first owner and commitment completed from the laptop's history once the
  suggestion shown is the wanted one (Right); a frequent commitment fills the promised date.

The keys typed in the free-text fields (title, demand, what was said, on-site answer) are not
counted: they are the same both ways. Every other key is: characters (one per Han character or
letter, as a terminal delivers an IME's commits), Enter, Tab, arrows, Space, Ctrl+S. The
recorder's choices are taken from what the app shows (the suggestion in the field, the people
in the list), never from the answer. After each run every stored field of every matter is
compared between the two ways: they must be the same. Target (issue 14 §4): at least 40 % fewer
keystrokes with the aids. Keystrokes are counted, not timed: one run gives the figure.

    python benchmarks/keystrokes.py [--matters 20]
"""

from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import random
import sys
from collections import Counter

from textual import events
from textual.keys import _character_to_key
from textual.widgets import Input

from fieldvisit.apps.field import FieldApp
from fieldvisit.core import model
from fieldvisit.core.i18n import t
from fieldvisit.core.records import values
from fieldvisit.demo.laptop import build_demo
from fieldvisit.demo.roster import build_demo_roster
from fieldvisit.demo.text import SITES, make_matter
from fieldvisit.editing.editor import Editor
from fieldvisit.roster.people import Roster
from fieldvisit.screens.visit import VisitScreen
from fieldvisit.screens.widgets import capture_aids, matter_form
from fieldvisit.screens.widgets.person_picker import PersonPicker
from fieldvisit.stores.store import ISSUES, VISITS

ANCHOR = dt.date(2026, 11, 20)
SEED = 1
ROSTER_PER_UNIT = 400
"""About 20,000 people over the demo's 49 units."""
FREE_TEXT = ("title", "demand", "detail", "onsite_answer")
TARGET_REDUCTION = 0.40
COMPARED = tuple(name for name in model.ISSUE_EDITABLE_FIELDS if name != "assignee")
STOCK_COMMITMENTS = ((3, "suggest.commit_3_days"), (7, "suggest.commit_week"), (15, "suggest.commit_15_days"), (30, "suggest.commit_month"))


class Recorder:
    """Types into the app and counts what it types, outside the free-text fields."""

    def __init__(self, pilot):
        self.pilot = pilot
        self.app = pilot.app
        self.counted: Counter[str] = Counter()

    def _count(self, field: str, kind: str, keys: int = 1) -> None:
        if field not in FREE_TEXT:
            self.counted[kind] += keys

    async def press(self, field: str, *keys: str) -> None:
        for key in keys:
            await self.pilot.press(key)
            self._count(field, "navigation" if len(key) > 1 else "characters")

    async def type(self, field: str, text: str, pause_each: bool = False) -> None:
        """One key event per character, as a terminal delivers an IME's commits."""
        for character in text:
            self.app.post_message(events.Key(_character_to_key(character), character))
            if pause_each:
                await self.pilot.pause()
        await self.pilot.pause()
        self._count(field, "characters", len(text))

    def field(self, name: str) -> Input:
        return self.app.screen.query_one(f"#f-{name}", Input)


def realistic_matters(store, roster: Roster, count: int) -> tuple[str, list[dict]]:
    """The open visit of the demo laptop and `count` matters raised there: petitioners with an
    employee number are people of the roster (HR knows everyone with a badge)."""
    visit = next(values(record) for record in store.all(VISITS) if values(record).get("status") == "open")
    site = next(profile for profile in SITES if profile.name == visit["site"])
    rng = random.Random(2026)
    by_unit: dict[str, list] = {}
    for person in roster.people:
        by_unit.setdefault(person.unit, []).append(person)
    matters = []
    for number in range(count):
        category = model.DEFAULT_CATEGORIES[number % len(model.DEFAULT_CATEGORIES)]
        matter = make_matter(rng, category, site)
        days = matter.pop("commitment_days")
        matter.update(dict.fromkeys(model.FLAGS, False), category=category)
        if matter["employee_no"]:
            person = rng.choice(by_unit[matter["unit"]])
            matter.update(person.as_fields())
        if days:
            stock_days, key = next(((stock, key) for stock, key in STOCK_COMMITMENTS if days <= stock), STOCK_COMMITMENTS[-1])
            matter["commitment"] = t(key)
            matter["promised_date"] = (dt.date.fromisoformat(visit["date"]) + dt.timedelta(days=stock_days)).isoformat()
        else:
            matter["commitment"], matter["promised_date"] = "", ""
        leaders = visit["leaders"]
        matter["first_owner"] = leaders[0]["name"] if matter["urgency"] == "normal" else leaders[-1]["name"]
        matter["people"] = str(matter["people"])
        matters.append(matter)
    return visit["id"], matters


async def type_matter(recorder: Recorder, matter: dict, aided: bool) -> None:
    """The keys for one matter, field by field in the form's order, then Ctrl+S."""
    for name in matter_form.LAYOUT:
        wanted = matter.get(name)
        if name in matter_form.CHOICES:
            await choose(recorder, name, wanted)
        elif name == "anonymous":
            await recorder.press(name, *(["space"] if wanted else []), "tab")
        elif name in matter_form.TEXT_AREAS:
            await recorder.type(name, wanted or "")
            await recorder.press(name, "tab")
        elif name == "petitioner_name" and aided and matter.get("employee_no") and await pick(recorder, matter):
            continue_from = matter_form.LAYOUT.index(capture_aids.AFTER_PICK)
            return await finish(recorder, matter, aided, continue_from)
        elif name in ("employee_no", "unit", "phone") and aided and not recorder.field(name).disabled and recorder.field(name).value == (wanted or ""):
            await recorder.press(name, "enter")
        else:
            await text_field(recorder, name, wanted or "", aided)
    await recorder.press("save", "ctrl+s")


async def finish(recorder: Recorder, matter: dict, aided: bool, start: int) -> None:
    """The rest of the form after a pick moved the cursor to `AFTER_PICK`."""
    for name in matter_form.LAYOUT[start:]:
        wanted = matter.get(name) or ""
        if name in matter_form.TEXT_AREAS:
            await recorder.type(name, wanted)
            await recorder.press(name, "tab")
        else:
            await text_field(recorder, name, wanted, aided)
    await recorder.press("save", "ctrl+s")


async def choose(recorder: Recorder, name: str, wanted: str) -> None:
    select = recorder.app.screen.query_one(f"#f-{name}")
    codes = list(matter_form.CHOICES[name])
    if select.value != wanted:
        await recorder.press(name, "space")
        moves = codes.index(wanted) - codes.index(select.value)
        await recorder.press(name, *(["down"] * moves if moves > 0 else ["up"] * -moves), "enter")
    await recorder.press(name, "tab")


async def text_field(recorder: Recorder, name: str, wanted: str, aided: bool) -> None:
    """Type `wanted` (replacing what the field holds), or, with the aids, as much of it as it
    takes for the suggestion shown to be `wanted`, then Right to accept it; then Enter."""
    field = recorder.field(name)
    if field.disabled:  # name, number and phone of an anonymous petitioner: Tab passed them
        return
    assert recorder.app.focused is field, (name, recorder.app.focused)
    if field.value == wanted:
        await recorder.press(name, "enter")
        return
    if field.value and not _all_selected(field):
        await recorder.press(name, "ctrl+u")  # typing replaces a selected value; else clear it first
    if not aided:
        await recorder.type(name, wanted)
    for character in wanted if aided else ():
        if field.value and field._suggestion == wanted:
            await recorder.press(name, "right")
            break
        await recorder.type(name, character, pause_each=True)
        await recorder.app.workers.wait_for_complete()
        await recorder.pilot.pause()
    assert field.value == wanted, (name, field.value, wanted)
    await recorder.press(name, "enter")


def _all_selected(field: Input) -> bool:
    """A field reached by Tab or Enter has its text selected (`select_on_focus`)."""
    return sorted((field.selection.start, field.selection.end)) == [0, len(field.value)]


async def pick(recorder: Recorder, matter: dict) -> bool:
    """Type the name as heard, then take the person from the list: Down to the one with the
    petitioner's unit and number when the name is shared, Enter."""
    await recorder.type("petitioner_name", matter["petitioner_name"], pause_each=True)
    picker = recorder.app.screen.query_one(PersonPicker)
    offered = picker.people
    wanted = next((index for index, person in enumerate(offered) if person.employee_no == matter["employee_no"]), None)
    if wanted is None:
        return False
    await recorder.press("petitioner_name", *(["down"] * (wanted + 1)), "enter")
    await recorder.pilot.pause()
    return recorder.app.focused is recorder.field(capture_aids.AFTER_PICK)


async def run(matters: list[dict], visit_id: str, roster: Roster, aided: bool) -> tuple[Counter, list[dict]]:
    store = build_demo(seed=SEED, anchor=ANCHOR)
    app = FieldApp(store, Editor(store, actor="赵敏"))
    capture_aids.set_roster(app, roster if aided else Roster())
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        app.push_screen(VisitScreen(visit_id))
        await pilot.pause()
        await pilot.press("ctrl+n")
        await pilot.pause()
        recorder = Recorder(pilot)
        before = {record["id"] for record in store.all(ISSUES)}
        for matter in matters:
            await type_matter(recorder, matter, aided)
            await pilot.pause()
        saved = sorted((values(record) for record in store.all(ISSUES) if record["id"] not in before), key=lambda issue: issue["ref"])
    return recorder.counted, saved


def without_aids():
    """Today's form: the capture aids switched off for the run."""
    originals = (capture_aids.suggest, capture_aids.watch_roster, capture_aids.fill_promised_date)
    capture_aids.suggest = capture_aids.watch_roster = capture_aids.fill_promised_date = lambda *args, **kwargs: None
    return originals


def restore(originals) -> None:
    capture_aids.suggest, capture_aids.watch_roster, capture_aids.fill_promised_date = originals


async def main_async(count: int) -> int:
    history = build_demo(seed=SEED, anchor=ANCHOR)
    roster = Roster(build_demo_roster(history, SEED, per_unit=ROSTER_PER_UNIT))
    visit_id, matters = realistic_matters(history, roster, count)
    originals = without_aids()
    try:
        plain, plain_saved = await run(matters, visit_id, roster, aided=False)
    finally:
        restore(originals)
    aided, aided_saved = await run(matters, visit_id, roster, aided=True)
    same = len(plain_saved) == len(aided_saved) == count and all(
        {name: one.get(name) for name in COMPARED} == {name: other.get(name) for name in COMPARED} for one, other in zip(plain_saved, aided_saved)
    )
    for one, other in zip(plain_saved, aided_saved):
        differing = [name for name in COMPARED if one.get(name) != other.get(name)]
        if differing:
            print(f"  differs in {one['ref']}: " + ", ".join(f"{name}: {one.get(name)!r} / {other.get(name)!r}" for name in differing))
    plain_total, aided_total = sum(plain.values()), sum(aided.values())
    reduction = 1 - aided_total / plain_total
    print(f"roster: {len(roster)} people; {count} matters of the demo's open visit; free text ({', '.join(FREE_TEXT)}) not counted")
    for label, counted, total in (("without roster and suggestions", plain, plain_total), ("with roster and suggestions", aided, aided_total)):
        print(f"{label:>32}: {total:5d} keystrokes, {total / count:5.1f} per matter "
              f"({counted['characters']} characters, {counted['navigation']} navigation and other keys)")
    print(f"{'reduction':>32}: {reduction:.1%} fewer keystrokes per matter (target ≥ {TARGET_REDUCTION:.0%})")
    print(f"{'stored fields':>32}: {'the same both ways' if same else 'DIFFER'} ({len(COMPARED)} fields × {count} matters)")
    passed = same and reduction >= TARGET_REDUCTION
    print("PASS" if passed else "MISS")
    return 0 if passed else 1


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--matters", type=int, default=20, help="How many matters to type each way (default 20, a long visit).")
    return asyncio.run(main_async(parser.parse_args().matters))


if __name__ == "__main__":
    sys.exit(main())
