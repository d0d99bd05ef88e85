"""The demo laptop's employee roster: the people of its sites' units, as HR would export them.

Everyone who raised a matter in the demo store is on it with the number, unit and phone the
matter holds, among their colleagues: about 150 people per unit of every site, in the name mix
of the site's kind, so common names (王建军, 李秀英) occur several times and are told apart by
unit. Drawn only from the seed, so a seed gives the same roster every time.
"""

from __future__ import annotations

import random
from pathlib import Path

from fieldvisit.core.records import values
from fieldvisit.locations import paths
from fieldvisit.demo.text import SITES, _person_name, _phone
from fieldvisit.roster.keeping import save_roster
from fieldvisit.roster.people import Person
from fieldvisit.stores.store import ISSUES, Store

PER_UNIT = 150
NUMBER_PREFIX = "DF"


def build_demo_roster(store: Store, seed: int, per_unit: int = PER_UNIT) -> list[Person]:
    rng = random.Random(f"roster-{seed}")
    people: list[Person] = []
    numbers: set[str] = set()
    for record in sorted(store.all(ISSUES), key=lambda record: record["id"]):
        issue = values(record)
        number, name = issue.get("employee_no") or "", issue.get("petitioner_name") or ""
        if name and number and number not in numbers:
            numbers.add(number)
            people.append(Person(number, name, issue.get("unit") or "", issue.get("phone") or _phone(rng)))
    for site in SITES:
        for unit in site.units:
            for _ in range(per_unit):
                number = _new_number(rng, numbers)
                people.append(Person(number, _person_name(rng, site.kind), unit, _phone(rng)))
    rng.shuffle(people)  # an HR export is sorted by its own rules, not by who came to a visit
    return people


def write_demo_roster(store: Store, store_dir: Path, seed: int, cipher=None) -> int:
    """The demo roster beside the demo store (sealed with `cipher` when the store has one)."""
    target = paths.Home(Path(store_dir)).roster_file
    return save_roster(target, build_demo_roster(store, seed), cipher, source="demo-hr-export.xlsx")


def _new_number(rng: random.Random, taken: set[str]) -> str:
    while True:
        number = f"{NUMBER_PREFIX}{rng.randrange(10**6):06d}"
        if number not in taken:
            taken.add(number)
            return number
