"""Compiled evaluation: a schedule's row expressions as closures over the row dict."""

from __future__ import annotations

from decimal import Decimal
from typing import Callable

from ..numbers import ONE, D
from .functions import Min
from .nodes import Const, Expr, Mul, Ref, _num
from .rows import _RowEnv

# --- compiled evaluation -------------------------------------------------------------------------
# A schedule's row expressions run once per row (100,000 times on a large return). `compiled`
# turns the same tree into nested closures over the row dict: the same operations in the same
# order as `evaluate`, without building an environment and dispatching per node.

_ONE = D(1)


def compiled(expr: Expr) -> Callable[[dict], object]:
    if isinstance(expr, Ref):
        key = expr.key
        return lambda row: row.get(key)
    if isinstance(expr, Const):
        value = expr.value
        return lambda row: value
    if isinstance(expr, Mul) and all(isinstance(a, Ref) for a in expr.args):
        keys = [a.key for a in expr.args]  # the common case, a product of columns: one loop, no calls
        first, rest = keys[0], keys[1:]

        def product_of_columns(row):
            total = row.get(first)
            if total.__class__ is not Decimal:  # blank, or a plain int: 1 × it, as `evaluate` gives
                total = _ONE * _num(total)
            for key in rest:
                value = row.get(key)
                if value is ONE:  # exactly 1 (exponent 0): the product is unchanged to the last digit
                    continue
                total *= value if value.__class__ is Decimal else _num(value)
            return total
        return product_of_columns
    if isinstance(expr, Mul):
        parts = [_numeric(compiled(a)) for a in expr.args]

        def product(row):
            total = _ONE
            for part in parts:
                total *= part(row)
            return total
        return product
    if isinstance(expr, Min) and len(expr.args) == 2:
        first, second = (_numeric(compiled(a)) for a in expr.args)
        return lambda row: min(first(row), second(row))
    return lambda row: expr.evaluate(_RowEnv(row))


def _numeric(fn: Callable[[dict], object]) -> Callable[[dict], Decimal]:
    return lambda row: _num(fn(row))


def known_factors(expr: Expr, known: dict) -> tuple[str, tuple[Decimal, ...]] | None:
    """For a product of columns all of whose columns but the first hold the values in `known` (the
    same for many rows): the first column, and the other factors that `compiled(expr)` multiplies
    by, in order (a factor of exactly 1 is skipped there too). Then `compiled(expr)(row)` is the
    first column's value as a Decimal times each factor in turn. None for any other expression."""
    if not (isinstance(expr, Mul) and all(isinstance(a, Ref) for a in expr.args)):
        return None
    first, *rest = (a.key for a in expr.args)
    if first in known or any(key not in known for key in rest):
        return None
    factors = []
    for key in rest:
        value = known[key]
        if value is not ONE:
            factors.append(value if value.__class__ is Decimal else _num(value))
    return first, tuple(factors)


def as_first_factor(value) -> Decimal:
    """The first column's value as `compiled` starts a product of columns with it."""
    return value if value.__class__ is Decimal else _ONE * _num(value)
