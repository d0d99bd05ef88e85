"""People on the roster and the index a form searches as the recorder types.

A roster holds up to tens of thousands of people; a search runs on every key, so it bisects two
sorted lists (employee numbers and names, casefolded) instead of scanning: a prefix's matches
sit together in a sorted list. Duplicate names are kept apart by their unit and number.
"""

from __future__ import annotations

import bisect
from dataclasses import dataclass
from collections.abc import Iterable

FIELDS = ("employee_no", "petitioner_name", "unit", "phone")
"""A person's values, named as the matter form names them, so a pick fills those fields."""
LIMIT = 8
"""At most this many people offered at once: more would not fit under the field."""


@dataclass(frozen=True)
class Person:
    employee_no: str
    name: str
    unit: str = ""
    phone: str = ""

    def as_fields(self) -> dict[str, str]:
        """The matter form's values for this person."""
        return {"employee_no": self.employee_no, "petitioner_name": self.name, "unit": self.unit, "phone": self.phone}

    def as_row(self) -> list[str]:
        return [self.employee_no, self.name, self.unit, self.phone]

    @classmethod
    def from_row(cls, row: Iterable[str]) -> Person:
        number, name, unit, phone = (str(value) for value in row)
        return cls(number, name, unit, phone)


def _key(text: str) -> str:
    return text.strip().casefold()


class Roster:
    """The people, searchable by employee number or by the first characters of a name."""

    def __init__(self, people: Iterable[Person] = ()):
        self.people: tuple[Person, ...] = tuple(people)
        self._numbers = sorted((_key(person.employee_no), index) for index, person in enumerate(self.people) if person.employee_no)
        self._digits = sorted((_digits(person.employee_no), index) for index, person in enumerate(self.people) if _digits(person.employee_no))
        self._names = sorted((_key(person.name), index) for index, person in enumerate(self.people) if person.name)

    def __len__(self) -> int:
        return len(self.people)

    def __bool__(self) -> bool:
        return bool(self.people)

    def find(self, text: str, limit: int = LIMIT) -> list[Person]:
        """People whose employee number or name starts with `text`: exact matches first, then
        by name, unit and number. Digits alone also match the digits of a number (`102` finds
        `DF102345`), as HR numbers often carry a letter prefix nobody says aloud."""
        key = _key(text)
        if not key:
            return []
        found: dict[int, None] = {}
        for table, wanted in ((self._numbers, key), (self._names, key), (self._digits, key if key.isdigit() else "")):
            if wanted:
                for index in _prefixed(table, wanted, limit * 4):
                    found[index] = None
        people = [self.people[index] for index in found]
        people.sort(key=lambda person: (not _exact(person, key), person.name, person.unit, person.employee_no))
        return people[:limit]

    def exact(self, text: str) -> list[Person]:
        """People whose whole employee number or whole name is `text`."""
        key = _key(text)
        return [person for person in self.find(text, limit=LIMIT * 4) if _exact(person, key)] if key else []


def _exact(person: Person, key: str) -> bool:
    return key in (_key(person.employee_no), _key(person.name)) or (key.isdigit() and key == _digits(person.employee_no))


def _digits(number: str) -> str:
    """The digits of an employee number after its letters: `DF102345` → `102345`."""
    stripped = number.strip().lstrip("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz-_")
    return stripped if stripped.isdigit() and stripped != number.strip() else ""


def _prefixed(table: list[tuple[str, int]], prefix: str, limit: int) -> list[int]:
    start = bisect.bisect_left(table, (prefix, -1))
    found = []
    for key, index in table[start : start + limit]:
        if not key.startswith(prefix):
            break
        found.append(index)
    return found
