"""What Excel hands a user-defined function, cleaned once, here, for every function in `udfs`.

Classic xlwings gives floats for every number (2025.0), `None` for empty cells, strings for text,
`datetime` for date-formatted cells, `bool` for TRUE/FALSE, and an int such as -2146826281 for a
cell holding an error (#DIV/0!); a one-dimensional range arrives as a flat list and a block as a
list of rows. xlwings Lite gives ints for whole numbers and error texts such as "#DIV/0!".
Everything below accepts all of these and turns anything unusable into an `ExcelInputError`,
which the `guarded` decorator returns to the cell as a short text: "#INPUT: quantity must not be
negative (got -5)". No tax rule lives in this module.
"""

from __future__ import annotations

import inspect
import math
from datetime import date, datetime, timedelta
from decimal import Decimal, InvalidOperation
from functools import wraps
from typing import Any, Callable, TypeVar

from xlcredits.cellerrors import CODES, TEXTS, error_text
from xlcredits.limits import FIRST_YEAR, LAST_YEAR  # the years the engine's input model accepts
from xlcredits.numbers import CENT, ENGINE_CONTEXT

CATEGORY = "Tax Credits"  # the Function Wizard category of every xlcredits function

# Excel's error values as classic xlwings passes them (CVErr codes as ints) and as text.
EXCEL_ERROR_CODES = CODES
EXCEL_ERROR_TEXTS = TEXTS

# Amounts above a quadrillion are typing accidents (the engine's own bound, forms/common.LIMIT);
# bounding them keeps every product far inside Decimal precision and float range.
LIMIT = Decimal("1e15")
EXCEL_EPOCH = date(1899, 12, 30)  # serial 1 = 1900-01-01 (Excel's 1900 leap-year bug cancels out)


class ExcelInputError(Exception):
    """A reason a function cannot give a number: becomes "#KIND: message" in the cell."""

    def __init__(self, message: str, kind: str = "INPUT"):
        super().__init__(message)
        self.kind = kind
        self.message = message

    @property
    def text(self) -> str:
        text = f"#{self.kind}: {self.message}"
        return text if len(text) <= 250 else text[:247] + "..."  # a reason, not the 100,000 characters given


def shown(value: Any) -> str:
    """A value as the preparer typed it, short: 'abc', 2025, 12.5."""
    if isinstance(value, float) and value.is_integer():
        text = str(int(value))
    elif isinstance(value, str):
        text = repr(value)
    else:
        text = str(value)
    return text if len(text) <= 30 else text[:27] + "..."


def _type_problem(value: Any, name: str, wanted: str) -> ExcelInputError | None:
    """The complaint for a value that is not even the right kind of thing, if it is not."""
    if isinstance(value, bool):
        return ExcelInputError(f"{name} is {str(value).upper()}; give {wanted}")
    if isinstance(value, (datetime, date)):
        return ExcelInputError(f"{name} is a date; give {wanted}")
    if isinstance(value, int) and value in EXCEL_ERROR_CODES:
        return ExcelInputError(f"{name} holds {EXCEL_ERROR_CODES[value]}")
    if isinstance(value, str) and value.strip().upper() in EXCEL_ERROR_TEXTS:
        return ExcelInputError(f"{name} holds {value.strip().upper()}")
    if isinstance(value, (list, tuple)):
        return ExcelInputError(f"{name} is a range; give one cell")
    return None


def is_empty(value: Any) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def to_decimal(value: Any, name: str, *, required: bool = True, negative: bool = False) -> Decimal | None:
    """A number from a cell: float, int, Decimal or text ("1,250", "$300", "16%")."""
    if is_empty(value):
        if required:
            raise ExcelInputError(f"{name} is required")
        return None
    kind = type(value)
    if kind is float:
        if not math.isfinite(value):
            raise ExcelInputError(f"{name} is not a finite number")
        number = Decimal(repr(value))
    elif kind is int and value not in EXCEL_ERROR_CODES:
        number = Decimal(value)
    elif kind is Decimal:
        number = value
    elif kind is str and _type_problem(value, name, "") is None:
        number = _parse_text_number(value, name)
    else:
        problem = _type_problem(value, name, "a number")
        raise problem or ExcelInputError(f"{name} must be a number (got {shown(value)})")
    if not number.is_finite():
        raise ExcelInputError(f"{name} is not a finite number")
    if number < 0 and not negative:
        raise ExcelInputError(f"{name} must not be negative (got {shown(value)})")
    if abs(number) > LIMIT:
        raise ExcelInputError(f"{name} is too large (got {shown(value)})")
    return number


def _parse_text_number(text: str, name: str) -> Decimal:
    cleaned = text.strip().replace(",", "").replace("$", "").replace(" ", "")
    percent = cleaned.endswith("%")
    if percent:
        cleaned = cleaned[:-1]
    if cleaned.startswith("(") and cleaned.endswith(")"):  # accounting negative: (1,000)
        cleaned = "-" + cleaned[1:-1]
    try:
        number = Decimal(cleaned)
    except InvalidOperation:
        raise ExcelInputError(f"{name} must be a number (got {shown(text)})") from None
    return number / 100 if percent else number


def _number_for(value: Any, name: str, expected: str, hint: str | None = None) -> Decimal:
    """A cell meant to hold `expected` ("a year such as 2025") read as a number: its type problem
    (boolean, error value, ...) or "must be <expected>" when it does not read as a number."""
    problem = _type_problem(value, name, hint or expected)
    if problem:
        raise problem
    try:
        return to_decimal(value, name)
    except ExcelInputError:
        raise ExcelInputError(f"{name} must be {expected} (got {shown(value)})") from None


def to_year(value: Any, name: str, *, required: bool = False) -> int | None:
    """A calendar year: 2025, 2025.0 or "2025"."""
    if is_empty(value):
        if required:
            raise ExcelInputError(f"{name} is required")
        return None
    number = _number_for(value, name, "a year such as 2025", hint="the year, e.g. 2025")
    if number != number.to_integral_value() or not FIRST_YEAR <= number <= LAST_YEAR:
        raise ExcelInputError(f"{name} must be a year from {FIRST_YEAR} to {LAST_YEAR} (got {shown(value)})")
    return int(number)


def to_date(value: Any, name: str, *, required: bool = False) -> date | None:
    """A date: a date cell, an Excel serial number, "2025-07-01", or a year (its 1 January)."""
    if is_empty(value):
        if required:
            raise ExcelInputError(f"{name} is required")
        return None
    if isinstance(value, datetime):
        result = value.date()
    elif isinstance(value, date):
        result = value
    elif isinstance(value, str) and "-" in value.strip()[1:]:
        try:
            result = date.fromisoformat(value.strip()[:10])
        except ValueError:
            raise ExcelInputError(f"{name} must be a date such as 2025-07-01 (got {shown(value)})") from None
    else:
        number = _number_for(value, name, "a date such as 2025-07-01")
        if number != number.to_integral_value():
            raise ExcelInputError(f"{name} must be a date such as 2025-07-01 (got {shown(value)})")
        if FIRST_YEAR <= number <= LAST_YEAR:
            result = date(int(number), 1, 1)
        else:
            try:
                result = EXCEL_EPOCH + timedelta(days=int(number))
            except OverflowError:
                raise ExcelInputError(f"{name} is not a date (got {shown(value)})") from None
    if not FIRST_YEAR <= result.year <= LAST_YEAR:
        raise ExcelInputError(f"{name} must be a date from {FIRST_YEAR} to {LAST_YEAR} (got {result.isoformat()})")
    return result


def to_text(value: Any, name: str, example: str) -> str:
    """A non-empty text such as a line number or a method name."""
    if is_empty(value):
        raise ExcelInputError(f"{name} is required, e.g. {example}")
    if not isinstance(value, str):
        problem = _type_problem(value, name, f"text such as {example}")
        raise problem or ExcelInputError(f"{name} must be text such as {example} (got {shown(value)})")
    problem = _type_problem(value, name, "")
    if problem:
        raise problem
    return value.strip()


def rows_of(value: Any, name: str) -> list | None:
    """The cells of a one-column (or one-row) range as a list; None for a single value.

    A 1-D list is a column or a row as classic xlwings gives it; a 2-D list must be a single
    column (or a single row): a wider block has no one value per row.
    """
    if not isinstance(value, (list, tuple)):
        return None
    if not value:
        return []
    if isinstance(value[0], (list, tuple)):
        try:  # one column: the fast, common case (a ragged or wider block fails to unpack)
            cells = [cell for (cell,) in value]
            if isinstance(value[-1], (list, tuple)):
                return cells
        except (TypeError, ValueError):
            pass
        if len(value) == 1:
            return list(value[0])
        raise ExcelInputError(f"{name} must be a single column (got {len(value)} rows × {len(value[0])} columns)")
    return list(value)


def cells_of(value: Any) -> list:
    """Every cell of a value, range or block, row by row (for lists of amounts)."""
    if isinstance(value, (list, tuple)):
        return [cell for item in value for cell in cells_of(item)]
    return [value]


def table_of(value: Any) -> list[list]:
    """A range as a list of rows (a 1-D list is one row, a scalar a 1×1 table)."""
    if not isinstance(value, (list, tuple)):
        return [[value]]
    if value and all(isinstance(row, (list, tuple)) for row in value):
        return [list(row) for row in value]
    return [list(value)]


def money(value: Decimal) -> float:
    """Dollars for a cell: rounded half up to cents (exactly, in the engine's context), as a float."""
    return float(value.quantize(CENT, context=ENGINE_CONTEXT))


def number(value: Decimal) -> float:
    return float(value)


F = TypeVar("F", bound=Callable[..., Any])


def _refuse_errors(names: list[str], args: tuple, kwargs: dict, ranges: bool) -> None:
    """"#INPUT: year_sold holds #N/A" for the first argument holding an Excel error — including an
    argument this call would not use (a broken reference is worth saying even when it is ignored).
    `ranges`: look inside ranges too (a function answering one value per row reports per row)."""
    for name, value in [*zip(names, args), *kwargs.items()]:
        is_range = isinstance(value, (list, tuple))
        if is_range and not ranges:
            continue
        for item in (cells_of(value) if is_range else (value,)):
            text = error_text(item)
            if text:
                raise ExcelInputError(f"{name} holds {text}")


def described(text: str) -> Callable[[F], F]:
    """Give a worksheet function a docstring built at import (from the rules data, say): put it
    right above the `def`, so `guarded` copies it and xlwings' `func` reads it as the function's
    description, as it reads a written docstring."""

    def describe(function: F) -> F:
        function.__doc__ = text
        return function

    return describe


def guarded(function: F) -> F:
    """Never a traceback in a cell: input problems become "#INPUT: ...", anything else "#ERROR: ...".

    `functools.wraps` keeps the name, docstring, signature and type hints xlwings reads.
    """

    names = list(inspect.signature(function).parameters)

    @wraps(function)
    def cell_function(*args, **kwargs):
        try:
            _refuse_errors(names, args, kwargs, ranges=False)
            result = function(*args, **kwargs)
            if not isinstance(result, list):  # one answer: an error anywhere in a range spoils it
                _refuse_errors(names, args, kwargs, ranges=True)
            return result
        except ExcelInputError as exc:
            return exc.text
        except Exception as exc:  # noqa: BLE001 - a cell shows a reason, never a traceback
            detail = str(exc).splitlines()[0][:100] if str(exc) else ""
            return f"#ERROR: {type(exc).__name__}" + (f": {detail}" if detail else "")

    return cell_function  # type: ignore[return-value]


def errors_as_text(*modules) -> None:
    """Set xlwings' `err_to_str=True` on every argument of every worksheet function in `modules`.

    Without it classic xlwings turns a cell holding #N/A, #DIV/0!, ... into None — an empty cell —
    before the function sees it (`xlwings/_xlwindows.py`, `_clean_value_data_element`), so an
    error upstream would silently become a default (a year of "the tax year", a QRE of 0). With it
    the function gets the text "#N/A" and answers "#INPUT: year_sold holds #N/A".

    xlwings' Windows decorators keep each argument's options in `function.__xlfunc__` and
    `call_udf` reads them on every call, so one pass over the finished functions covers every
    argument, including any a later edit adds. On other platforms the decorators record nothing
    and there is nothing to set.
    """
    for module in modules:
        for value in vars(module).values():
            info = getattr(value, "__xlfunc__", None)
            if not isinstance(info, dict):
                continue
            for arg in info.get("args", []):
                arg.setdefault("options", {})["err_to_str"] = True
