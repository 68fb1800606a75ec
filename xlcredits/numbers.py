"""Exact numbers: everything the engine computes is a `Decimal`.

Excel hands us floats (and JSON parsers may too); they are converted here, once, through
`str()` so that 0.1 stays 0.1 instead of 0.1000000000000000055511151231257827.
"""

from __future__ import annotations

import decimal
import re
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

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
    return parse_number(str(value))


class NotANumber(InvalidOperation, ValueError):
    """Text that is not a number as a form shows one. `reason` completes the sentence
    '<field> is "<text>", <reason>' (messages.py builds it with the place and what is expected)."""

    def __init__(self, text: str, reason: str):
        super().__init__(f'"{text}" is {reason}')
        self.text = text
        self.reason = reason


# A number as a preparer types it: optional sign, digits 0-9 with optional thousands commas in
# groups of three, optional decimals or exponent; "7%" where a percentage is expected.
_NUMBER = re.compile(r"^[+-]?(?:[0-9]{1,3}(?:,[0-9]{3})+|[0-9]+)?(?:\.[0-9]*)?(?:[eE][+-]?[0-9]+)?$")
_NON_FINITE = ("nan", "inf", "infinity", "+inf", "-inf", "+infinity", "-infinity", "snan")


def parse_number(text: str, *, percent: bool = False) -> Decimal:
    """Typed text to an exact Decimal, the same for a JSON string and a cell: "1,000" is 1000,
    "7%" is 0.07 where `percent`; "5_00", digits other than 0-9, and "1,00" are refused (Python's
    Decimal would read the first two as 500 — not what a person who typed them meant).

    This is the one reader of typed numbers: the input models (forms/common.py), the reading of
    values as preparers write them (messages.normalise) and the workbook cells all come here."""
    raw = str(text).strip()
    body = raw[:-1].rstrip() if percent and raw.endswith("%") else raw
    if "_" in body:
        raise NotANumber(raw, "not a number as a form shows it (remove the _)")
    if any(ch.isdigit() and ch not in "0123456789" for ch in body):
        raise NotANumber(raw, "written with digits other than 0-9 (type it with 0-9)")
    if body.lower() in _NON_FINITE:
        return Decimal(body)  # the models name non-finite values themselves
    if not body or not any(ch in "0123456789" for ch in body) or not _NUMBER.match(body):
        raise NotANumber(raw, "not a number")
    number = Decimal(body.replace(",", ""))
    return number.scaleb(-2) if body is not raw else number


def _refused(exc: NotANumber):
    """The model's error for text that is no number: its own kind, so that messages.problem says
    it in the standard sentence (place, what is wrong, what is expected)."""
    from pydantic_core import PydanticCustomError

    return PydanticCustomError("not_a_number", "{reason}", {"reason": exc.reason})


def number_from_text(value):
    """A pydantic before-validator for number fields: text is read by `parse_number`; anything
    else is left for the field's own checks."""
    if isinstance(value, str):
        try:
            return parse_number(value)
        except NotANumber as exc:
            raise _refused(exc) from None
    return value


def percent_from_text(value):
    """As `number_from_text`, for a percentage field: "7%" is 0.07."""
    if isinstance(value, str):
        try:
            return parse_number(value, percent=True)
        except NotANumber as exc:
            raise _refused(exc) from None
    return value


# Excel keeps 15 significant digits; a number with more cannot be written to a workbook and read
# back unchanged, so `verify` would contradict `fill`. Such inputs are refused, not rounded.
EXCEL_DIGITS = 15


def significant_digits(value: Decimal) -> int:
    if not value.is_finite() or value == 0:
        return 0 if value == 0 else 1
    return len(value.normalize().as_tuple().digits)


def round_places(value: Decimal, places: int) -> Decimal:
    """Round half up (away from zero for negatives, as Excel's ROUND does). The context is as wide
    as the result needs, so a 10^28 amount rounds instead of raising; past 10^1000 it is refused."""
    if value.is_finite() and value.adjusted() > 1000:
        raise ValueError(f"{value} is too large to be an amount")
    digits = max(28, (value.adjusted() if value.is_finite() and value else 0) + places + 3)
    return value.quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP,
                          context=decimal.Context(prec=digits, rounding=ROUND_HALF_UP))


def cents(value: Decimal) -> Decimal:
    return round_places(value, 2)


def plain(value: Decimal) -> str:
    """A Decimal as plain digits (never exponent notation): 1E+6 -> '1000000'."""
    value = D(value)
    if value.is_finite() and value == 0 and abs(value.as_tuple().exponent) > 100:
        return "0"  # 0E-200 is zero, not two hundred zeros
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
    if "E" in text or not value.is_finite():
        return text  # too large or small to group (never an amount): shown as it is
    sign = "-" if text.startswith("-") else ""
    text = text.lstrip("-")
    whole, _, frac = text.partition(".")
    whole = f"{int(whole):,}"
    return sign + whole + ("." + frac if frac else "")
