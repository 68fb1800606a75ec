"""Cell values and the JSON values the engine reads: `from_cell` reads what a cell holds (from
openpyxl or xlwings) as the engine expects it, `to_cell` writes a JSON value as its input cell holds it."""

from __future__ import annotations

import json
from datetime import date, datetime
from decimal import Decimal, InvalidOperation
from typing import Any

from ..cellerrors import error_text
from ..numbers import D, plain

TRUE_WORDS = {"yes", "y", "true", "x", "1", "ja", "oui", "si", "sí"}
FALSE_WORDS = {"no", "n", "false", "0"}


# --- cell value -> JSON value ---------------------------------------------------------------------

def number_normalised(value: Decimal) -> Decimal:
    """Normalise: 250000.0 -> 250000, 0.870 -> 0.87 (exact, never binary noise)."""
    if not value.is_finite() or value.adjusted() >= 28:
        return value  # NaN, Infinity, absurd magnitudes: left for the engine's checks to name
    if value == value.to_integral_value():
        return value.quantize(Decimal(1))
    return value.normalize()


def from_cell(value: Any, unit: str) -> Any:
    """A value read from a cell (openpyxl or xlwings) -> the JSON value the engine expects.

    Text that is not the right kind is passed through unchanged, so the engine's validation names
    the cell's field and says what is wrong ("units: input should be a valid decimal (got 'abc')").
    """
    if value is None:
        return None
    if isinstance(value, str):
        value = value.strip()
        if value == "":
            return None
    if isinstance(value, int) and error_text(value):
        return error_text(value)  # a CVErr code from classic xlwings: "#DIV/0!", never a number
    reader = _READERS.get(unit, _amount_from_cell)
    return reader(value, unit)


def _text_from_cell(value: Any, unit: str) -> str:
    if isinstance(value, bool):
        return "Yes" if value else "No"
    if isinstance(value, (int, float, Decimal)):
        return plain(number_normalised(D(value)))
    if isinstance(value, datetime):
        return value.date().isoformat()
    if isinstance(value, date):
        return value.isoformat()
    return str(value)


def _bool_from_cell(value: Any, unit: str) -> bool | str:
    if isinstance(value, bool):
        return value
    word = str(int(value) if isinstance(value, float) and value.is_integer() else value).strip().lower()
    if word in TRUE_WORDS:
        return True
    if word in FALSE_WORDS:
        return False
    return str(value)


def _date_from_cell(value: Any, unit: str) -> str:
    if isinstance(value, datetime):
        return value.date().isoformat()
    if isinstance(value, date):
        return value.isoformat()
    return str(value)


def _amount_from_cell(value: Any, unit: str) -> Any:
    """A number (money, a count, a year, a fraction): text that is no number passes through."""
    if isinstance(value, bool):
        return str(value)  # TRUE in an amount cell: let the engine say so
    if isinstance(value, (datetime, date)):
        return value.isoformat()[:10]
    try:
        number = number_normalised(D(value))
    except (InvalidOperation, ValueError, TypeError):
        return str(value)
    if not number.is_finite():
        return str(value)
    if unit in ("year", "count", "count_or_number") and number.adjusted() < 28 and number == number.to_integral_value():
        return int(number)
    return number


_READERS = {"text": _text_from_cell, "bool": _bool_from_cell, "date": _date_from_cell}


def to_cell(value: Any, unit: str) -> Any:
    """A JSON value -> what its input cell holds (the inverse of `from_cell`)."""
    if value is None:
        return None
    if unit == "bool" and isinstance(value, bool):
        return "Yes" if value else "No"
    if unit == "date" and isinstance(value, str):
        try:
            return date.fromisoformat(value.strip())
        except ValueError:
            return value
    if isinstance(value, (dict, list)):
        return json.dumps(value, default=str)[:500]  # shape errors stay visible to the engine's check
    if unit == "text":
        return value if isinstance(value, str) else (plain(value) if isinstance(value, Decimal) else str(value))
    if isinstance(value, bool):
        return str(value).upper()
    if isinstance(value, float):
        value = D(value)
    if isinstance(value, Decimal) and not value.is_finite():
        return str(value)  # NaN, Infinity: never a number in a cell; the engine names the field
    if isinstance(value, str) and unit not in ("bool", "date"):
        try:  # "4000" in a JSON amount is a number in the workbook (pydantic reads it as one too)
            number = D(value)
            if number.is_finite() and value.strip() and "," not in value:
                return number
        except (InvalidOperation, ValueError, TypeError):
            pass
    return value
