"""Schedules: tables of rows behind a form line (products sold, vessels, minerals, vintages).

A schedule's input columns are what the preparer types; its rule columns are values Python sets
from the rule book (a rate, a phase-out factor) with a note saying why; its computed columns are
per-row expressions. Form lines sum schedule columns with `SumRows`.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from .lines import Kind, Unit


@dataclass(frozen=True)
class Column:
    key: str
    label: str
    kind: Kind
    unit: Unit | str = "quantity"
    width: int = 14
    choices: tuple[str, ...] = ()  # offered as a drop-down in the workbook
    help: str = ""


@dataclass(frozen=True)
class Schedule:
    key: str
    title: str
    json_field: str  # where its rows live in the JSON input
    columns: tuple[Column, ...]
    max_rows: int
    help: str = ""
    line_column: str | None = None  # the column a SumRows matches on
    extra: dict = field(default_factory=dict)

    def column(self, key: str) -> Column:
        for c in self.columns:
            if c.key == key:
                return c
        raise KeyError(f"{self.key} has no column {key}")

    def inputs(self) -> tuple[Column, ...]:
        return tuple(c for c in self.columns if c.kind == "input")
