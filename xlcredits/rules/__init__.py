"""Tax parameters as data: rates, phase-outs, thresholds, tables, each with its citation.

The files beside this module are the single place such numbers live; forms read them through
the small helpers here and never spell a rate or a year in code.
"""

from __future__ import annotations

import csv
import tomllib
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from functools import cache
from importlib import resources
from typing import Mapping

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
