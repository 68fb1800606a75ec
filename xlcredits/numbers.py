"""Exact numbers: everything the engine computes is a `Decimal`.

Excel hands us floats (and JSON parsers may too); they are converted here, once, through
`str()` so that 0.1 stays 0.1 instead of 0.1000000000000000055511151231257827.
"""

from __future__ import annotations

import decimal
from decimal import ROUND_HALF_UP, Decimal

CENT = Decimal("0.01")
ZERO = Decimal(0)
ONE = Decimal(1)

# 28 significant digits (Python's default) is not enough for a $10^15 amount times a rate
# with several decimals; 60 is far beyond any real return and still fast.
ENGINE_CONTEXT = decimal.Context(prec=60, rounding=ROUND_HALF_UP, traps=[decimal.InvalidOperation,
                                                                       decimal.DivisionByZero,
                                                                       decimal.Overflow])


def D(value) -> Decimal:
    """Convert an int, float, str or Decimal to Decimal exactly as a person would read it."""
    if isinstance(value, Decimal):
        return value
    if isinstance(value, bool):
        raise TypeError("a true/false value is not a number")
    if isinstance(value, int):
        return Decimal(value)
    if isinstance(value, float):
        return Decimal(repr(value))
    return Decimal(str(value).strip().replace(",", ""))


def round_places(value: Decimal, places: int) -> Decimal:
    """Round half up (away from zero for negatives, as Excel's ROUND does)."""
    return value.quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP)


def cents(value: Decimal) -> Decimal:
    return round_places(value, 2)


def plain(value: Decimal) -> str:
    """A Decimal as plain digits (never exponent notation): 1E+6 -> '1000000'."""
    value = D(value)
    if not value.is_finite() or abs(value.adjusted()) > 100:
        return str(value)  # NaN, Infinity, 1E+999999: never an amount; shown as given, not a million digits
    text = format(value, "f")  # positive exponents too: format(Decimal("1E+6"), "f") == "1000000"
    return "0" if text in ("-0", "-0.0") else text


def grouped(value: Decimal | None, places: int | None = None) -> str:
    """1234567.5 -> '1,234,567.5' (or with fixed places) for explanations and text output."""
    if value is None:
        return "—"
    if places is not None:
        value = round_places(value, places)
    text = plain(value)
    sign = "-" if text.startswith("-") else ""
    text = text.lstrip("-")
    whole, _, frac = text.partition(".")
    whole = f"{int(whole):,}"
    return sign + whole + ("." + frac if frac else "")
