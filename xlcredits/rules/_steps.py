"""A rule's values over time: `steps = [{from_year, value, cites, checked}]` read as `Steps`.

Reached as `xlcredits.rules.Steps` / `rules.steps(...)` (loaded on first use, see __init__.py).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Mapping, Sequence

from ..numbers import D


@dataclass(frozen=True)
class Step:
    """One value of a rule, in force from `from_year` until the next step."""

    from_year: int
    value: Decimal | None  # None: no value applies from this year (a "—" on the statute's table)
    cites: tuple[str, ...]
    checked: date | None = None


@dataclass(frozen=True)
class Steps:
    """A rule's values over time, and which year of a row picks the value."""

    steps: tuple[Step, ...]
    keyed_by: str = ""  # "sold", "produced", "earlier_of_produced_and_sold"

    def at(self, year: int) -> Step | None:
        """The step in force in calendar `year`, or None before the first step."""
        found = None
        for step in self.steps:
            if step.from_year <= year:
                found = step
        return found

    def value_at(self, year: int) -> Decimal | None:
        step = self.at(year)
        return step.value if step is not None else None

    def changes_between(self, first: int, last: int) -> bool:
        """True when the value differs between two calendar years."""
        return self.value_at(first) != self.value_at(last)


def step(data: Mapping) -> Step:
    raw = data.get("value", "")
    return Step(int(data["from_year"]), D(raw) if str(raw).strip() else None, tuple(data.get("cites", ())),
                data.get("checked"))


def steps(data: Sequence[Mapping] | Mapping, keyed_by: str = "") -> Steps:
    """A `Steps` from a list of steps, or from a table with `steps` (and `keyed_by`)."""
    if isinstance(data, Mapping):
        return Steps(tuple(step(s) for s in data["steps"]), data.get("keyed_by", keyed_by))
    return Steps(tuple(step(s) for s in data), keyed_by)
