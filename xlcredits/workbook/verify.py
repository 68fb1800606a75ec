"""Verify a completed workbook: recompute from its inputs and compare every line cell (and every
schedule row's computed and rule cells) with the values the file holds."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from ..lines import Result
from ..numbers import D, grouped
from .filler import line_values
from .inputs import read_inputs
from .layout import Layout
from .reader import OpenpyxlAdapter, checked


@dataclass
class Difference:
    name: str  # defined name, or "" for a schedule cell
    cell: str  # "'Form 7207'!$F$24"
    workbook: Any
    engine: Any
    unit: str

    def __str__(self) -> str:
        where = f"{self.name} ({self.cell.replace('$', '')})" if self.name else self.cell.replace("$", "")
        return f"{where}: workbook {_show(self.workbook, self.unit)}, engine {_show(self.engine, self.unit)}"


def _show(value: Any, unit: str) -> str:
    if value is None:
        return "blank"
    if isinstance(value, (int, float, Decimal)) and not isinstance(value, bool):
        return grouped(D(value), 2 if unit == "money" else None)
    return repr(value)


def same(workbook: Any, engine: Any, unit: str) -> bool:
    """Equal to the cent for money; to a relative 1e-9 for other numbers; blank equals zero only
    for inputs (handled by the caller)."""
    if workbook is None or workbook == "":
        return engine is None
    if engine is None:
        return False
    if isinstance(workbook, bool) or isinstance(engine, str) or isinstance(workbook, str):
        return str(workbook) == str(engine)
    try:
        a, b = D(workbook), D(engine)
    except Exception:
        return False
    if unit == "money":
        return abs(a - b) < Decimal("0.005")
    return abs(a - b) <= Decimal("1e-9") * max(Decimal(1), abs(b))


def compare(adapter: OpenpyxlAdapter, layout: Layout, result: Result, positions: dict) -> list[Difference]:
    values = line_values(result)
    diffs = []
    for line in layout.lines:
        if line.key not in layout.line_places or line.kind == "input":
            continue
        name = layout.line_name(line.key)
        got, want = adapter.read(name), values.get(line.key)
        if not same(got, want, line.unit):
            diffs.append(Difference(name, layout.line_places[line.key].address, got, want, line.unit))
    for key, sp in layout.schedules.items():
        where = positions.get(key, [])
        for row in result.rows.get(key, []):
            index = row.get("#index")
            if index is None or index >= len(where):
                continue
            for column in sp.outputs():
                target = sp.address(where[index], column.key)
                got, want = adapter.value_at(target), row.get(column.key)
                if not same(got, want, str(column.unit)):
                    diffs.append(Difference("", target, got, want, str(column.unit)))
    return diffs


def verify(path) -> tuple[Layout, Result, list[Difference]]:
    from ..forms import compute

    adapter, layout = checked(path)
    data, positions = read_inputs(adapter, layout)
    result = compute(data)
    if not result.computed:
        return layout, result, []
    diffs = compare(adapter, layout, result, positions)
    if result.revision != layout.revision:
        diffs.insert(0, Difference("XLC_revision", adapter.address_of("XLC_revision") or "", layout.revision,
                                   result.revision, "text"))
    return layout, result, diffs
