"""Tax parameters as data: rates, phase-outs, thresholds, tables, each with its citation.

The files beside this module are the single place such numbers live; forms read them through
the small helpers here and never spell a rate or a year in code.

One vocabulary for when a value applies (see the head of `f7207.toml`):
- `steps = [{from_year, value, cites, checked}]`: a value in force from a calendar year on,
  read with `Steps.at(year)`;
- `in_force = {tax_years_beginning_after = DATE}`: a rule for tax years beginning after a date,
  read with `in_force(rule, begins)`.
"""

from __future__ import annotations

import csv
import tomllib
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from functools import cache
from importlib import resources
from typing import Mapping, Sequence

from ..numbers import D


@cache
def load(name: str) -> dict:
    """Parse `<name>.toml` from this package (once per process)."""
    with resources.files(__package__).joinpath(f"{name}.toml").open("rb") as handle:
        return tomllib.load(handle)


@cache
def load_csv(name: str) -> tuple[dict, ...]:
    with resources.files(__package__).joinpath(name).open(encoding="utf-8", newline="") as handle:
        return tuple(csv.DictReader(handle))


@dataclass(frozen=True)
class YearTable:
    """Values in force from a calendar year on: {2023: 1.00, 2030: 0.75, ...}."""

    values: Mapping[int, Decimal]
    reference: str = ""

    @classmethod
    def from_data(cls, table: Mapping, reference: str = "") -> "YearTable":
        return cls({int(k): D(v) for k, v in table.items()}, reference)

    def at(self, year: int) -> Decimal | None:
        """The value for `year`, or None before the table starts."""
        keys = [k for k in self.values if k <= year]
        return self.values[max(keys)] if keys else None


def applies(rule: Mapping, tax_year_begins: date) -> bool:
    """True when a rule with `applies_to_tax_years_beginning_after` is in force for the year."""
    after = rule.get("applies_to_tax_years_beginning_after")
    return after is None or tax_year_begins > after


# --- the one vocabulary: steps and in_force ---------------------------------------------------

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


def in_force(rule: Mapping, tax_year_begins: date) -> bool:
    """True when a rule applies to a tax year beginning on `tax_year_begins` (its `in_force` window;
    a rule without one always applies)."""
    window = rule.get("in_force") or {}
    after = window.get("tax_years_beginning_after")
    return after is None or tax_year_begins > after


def cites(rule: Mapping) -> tuple[str, ...]:
    """A rule table's citations."""
    return tuple(rule.get("cites", ()))


def cite_text(citations: Sequence[str]) -> str:
    """Citations as a renderer shows them: '26 U.S.C. 45X(b)(3)(A); P.L. 119-21 sec. 70514'."""
    return "; ".join(dict.fromkeys(c for c in citations if c))


def decisions(name: str) -> dict:
    """A form's project decisions by ID (`decisions_<name>.toml`): rule, sources, tested_by."""
    return load(f"decisions_{name}")
