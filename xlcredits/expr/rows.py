"""Sums over a schedule's rows (SUMIFS in Excel), and a row's own arithmetic in an explanation."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Iterable, Iterator

from ..numbers import ZERO
from .nodes import Expr, _fmt, _num


@dataclass(frozen=True)
class SumRows(Expr):
    """Sum of one column of a schedule, optionally only rows whose `match` column equals `value`
    (Excel: SUMIFS over the schedule's table, or SUM without a match)."""

    schedule: str
    column: str
    match: str | None = None
    value: str | None = None
    label: str = ""
    positive: tuple[str, ...] = ()  # only rows where each of these columns is above zero

    def _selected(self, env):
        # An environment that indexes its rows (FormEnv.select) answers without scanning every
        # row for every line: the scan made a form's time grow with lines × rows.
        select = getattr(env, "select", None)
        if select is not None:
            return select(self.schedule, self.match, self.value, self.positive)
        return [row for row in env.rows(self.schedule) if matches(row, self.match, self.value, self.positive)]

    def evaluate(self, env):
        total_of = getattr(env, "total", None)  # added up already, while the rows were grouped
        if total_of is not None:
            total = total_of(self.schedule, self.match, self.value, self.positive, self.column)
            if total is not None:
                return total
        total, column = ZERO, self.column
        for row in self._selected(env):
            value = row.get(column)
            total += value if value.__class__ is Decimal else _num(value)
        return total

    def render(self, sheet):
        target = sheet.column_range(self.schedule, self.column)
        criteria = [f'{sheet.column_range(self.schedule, c)},">0"' for c in self.positive]
        if self.match is not None:
            criteria.insert(0, f'{sheet.column_range(self.schedule, self.match)},"{self.value}"')
        if not criteria:
            return f"SUM({target})"
        return f"SUMIFS({target},{','.join(criteria)})"

    def describe(self, names):
        if self.label:
            return self.label
        where = f" where {self.match} is {self.value}" if self.match else ""
        return f"sum of {self.schedule}.{self.column}{where}"

    def substitute(self, env):
        parts = [_row_text(r, self.column) for r in self._selected(env)]
        return " + ".join(parts) if parts else "0 (no rows)"


def sum_nodes(exprs: Iterable[Expr]) -> Iterator[SumRows]:
    """Every SumRows inside these expressions."""
    stack = list(exprs)
    while stack:
        node = stack.pop()
        if isinstance(node, SumRows):
            yield node
            continue
        for value in vars(node).values():
            if isinstance(value, Expr):
                stack.append(value)
            elif isinstance(value, tuple):
                stack.extend(v for v in value if isinstance(v, Expr))


def matches(row: dict, match: str | None, value: str | None, positive: tuple[str, ...]) -> bool:
    """Whether SumRows counts `row`: its `match` column equals `value` (any case, as SUMIFS
    compares) and each `positive` column is above zero."""
    if match is not None and str(row.get(match, "")).lower() != str(value).lower():
        return False
    for column in positive:
        if not _num(row.get(column)) > 0:
            return False
    return True


def _row_text(row: dict, column: str) -> str:
    """A row's amount in an explanation: the arithmetic of the expression that computed it (a row
    keeps its expressions under "#exprs"), or the amount as typed."""
    expr = row.get("#exprs", {}).get(column)
    if expr is None:
        return _fmt(row.get(column))
    return expr.substitute(_RowEnv(row))


class _RowEnv:
    """One schedule row as an environment: its columns are the names."""

    __slots__ = ("get",)

    def __init__(self, row: dict):
        self.get = row.get

    def rows(self, schedule):
        return ()
