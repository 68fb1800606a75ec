"""Checks every computed result gets, whatever the form: no line beyond what a form (or Excel) can
hold, and no Excel error text standing in for a name or number a person must type.

Each input is bounded by its model (`forms.common.LIMIT`), but products of bounded inputs are not:
10^15 units of 10^15 W would give a $7 x 10^28 credit that no return holds and that Excel cannot
show to the cent. Such a result is refused with a finding naming the line and the limit."""

from __future__ import annotations

from decimal import Decimal
from typing import TYPE_CHECKING, Any

from .cellerrors import error_text
from .numbers import grouped

if TYPE_CHECKING:  # the worksheet functions import the year bounds below and must stay light
    from .lines import Result

# The largest amount a line may hold: Excel shows 15 significant digits, so cents are exact up to
# 10^13; a dollar amount up to 10^15 still shows every dollar. Inputs are bounded the same way.
MAX_LINE = Decimal("1e15")

# The calendar years any year or date input may name (a tax year, a year sold or produced, a
# period's first day). Not law: a sanity bound that catches a mistyped year ("225", "20255")
# before it reaches a rule. The law's own years (when a credit starts, phases out, ends) are
# in xlcredits/rules/. The input models, the worksheet functions and the workbook's data
# validation all use these two numbers.
FIRST_YEAR, LAST_YEAR = 1980, 2100  # also the JSON Schema's tax-year bounds (schema.py)


def check_result(result: Result, data: Any) -> Result:
    """Add the findings of the checks above to `result` (in place) and return it."""
    for key, value in list(result.lines.items()):
        if isinstance(value, Decimal) and value.is_finite() and abs(value) >= MAX_LINE:
            result.findings.error(
                f"line {key}", f"line {key} would be {_short(value)}, more than the largest amount a line may "
                f"hold ({grouped(MAX_LINE)}): check the units, capacities and amounts typed", blocking=True)
            result.lines, result.rows = {}, {}  # nothing of it may reach a cell or a total
            break  # one is enough: every line after it follows from it
    named = {f.where for f in result.findings}  # a number field's error value is named already
    if result.texts_checked and isinstance(data, dict):  # e.g. 100,000 product rows read by the fast path
        data = {key: value for key, value in data.items() if key not in result.texts_checked}
    for where, text in _error_texts(data):
        if where in named:
            continue
        result.findings.error(where, f"{where} holds the Excel error text {text}: type the real value (a "
                                     f"formula or a pasted cell gave the error)")
    return result


def _short(value: Decimal) -> str:
    return f"{value:.3E}" if abs(value) >= Decimal("1e18") else grouped(value, 2)


def _has_error_text(data: Any) -> bool:
    """Whether any text in the input is an Excel error value: a walk without paths, since nearly
    every input has none (every error text starts with "#")."""
    stack = [data]
    while stack:
        value = stack.pop()
        if isinstance(value, dict):
            for item in value.values():
                if item.__class__ is str:  # most values are read here, without a trip through the stack
                    if "#" in item and error_text(item):
                        return True
                elif isinstance(item, (dict, list, str)):
                    stack.append(item)
        elif isinstance(value, list):
            stack.extend(value)
        elif isinstance(value, str) and "#" in value and error_text(value):
            return True
    return False


def _error_texts(data: Any, limit: int = 50) -> list[tuple[str, str]]:
    """(JSON path, "#REF!") for every text in the input that is an Excel error value."""
    if not _has_error_text(data):
        return []
    found: list[tuple[str, str]] = []
    stack: list[tuple[str, Any]] = [("", data)]
    while stack and len(found) < limit:
        path, value = stack.pop()
        if isinstance(value, dict):
            stack.extend((f"{path}.{k}" if path else str(k), v) for k, v in reversed(list(value.items())))
        elif isinstance(value, list):
            stack.extend((f"{path}[{i}]", v) for i, v in reversed(list(enumerate(value))))
        elif isinstance(value, str):
            text = error_text(value)
            if text:
                found.append((path or "the input", text))
    return found
