"""Exact cents for whole columns of Excel floats, without building a Decimal per row.

A row's credit is quantity × capacity × (a per-unit factor the engine gives as a Decimal). When
the inputs are floats that Excel shows as plain decimals (2.5, 125000.5), the product can be done
in integers exactly and rounded half up to cents: the same answer as the Decimal path, faster.
No tax rule lives here: the factor and the size bounds come from the engine.
"""

from __future__ import annotations

from decimal import Decimal

_POW10 = [10 ** k for k in range(40)]


def _scaled(x: float) -> tuple[int, int] | None:
    """A non-integral float as Excel shows it, exactly: 2.5 -> (25, 1), i.e. 25 / 10**1; None for exponent forms
    (those take the Decimal path). repr() is the shortest text that reads back as the same float,
    the same digits `Decimal(str(x))` sees at the boundary."""
    text = repr(x)
    if "e" in text:
        return None
    whole, _, frac = text.partition(".")
    return int(whole + frac), len(frac)


class Factor:
    """The engine's credit for one unit of column (d), as exact integer parts: unit = num / den,
    plus the line's size bounds per unit as floats (an Excel float compares with them exactly as
    the typed number would)."""

    __slots__ = ("unit", "entry", "per_unit", "num", "den2", "num200", "half", "float_limit", "bounds")

    def __init__(self, unit: Decimal, entry, bounds: tuple = ()):
        self.unit, self.entry = unit, entry
        self.per_unit = entry.measure == "capacity"
        self.num, den = unit.as_integer_ratio()
        self.den2 = 2 * den  # cents = (200 × d × num + den) // (2 × den): half up
        self.num200, self.half = 200 * self.num, den
        # the largest column (d) for which d × num × 200 + den stays an exact float
        self.float_limit = float((2 ** 53 - den) // max(self.num200, 1)) if self.num else float(2 ** 53)
        self.bounds = bounds  # ((kind, float bound), ...): "above", "at_least", "at_most"

    def size_ok(self, capacity: float) -> bool:
        for kind, bound in self.bounds:
            if (kind == "above" and not capacity > bound) or (kind == "at_least" and not capacity >= bound) \
                    or (kind == "at_most" and not capacity <= bound):
                return False
        return True


def exact_cents(f: Factor, quantity, capacity, limit: float) -> float | None:
    """Credit in dollars for float inputs with plain decimals, by exact integer arithmetic; None
    when the row needs the Decimal path (text numbers, exponent forms, a capacity out of place)."""
    if quantity.__class__ is not float or not 0.0 <= quantity <= limit:
        return None
    q = (int(quantity), 0) if quantity.is_integer() else _scaled(quantity)
    if q is None:
        return None
    qm, scale = q
    if f.per_unit:
        if capacity.__class__ is not float or not 0.0 <= capacity <= limit:
            return None
        c = (int(capacity), 0) if capacity.is_integer() else _scaled(capacity)
        if c is None:
            return None
        qm, scale = qm * c[0], scale + c[1]
    elif capacity is not None:
        return None  # the Decimal path says what is wrong
    d2 = f.den2 * _POW10[scale]
    return ((qm * f.num200 + d2 // 2) // d2) / 100
