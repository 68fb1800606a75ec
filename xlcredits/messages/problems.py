"""One input problem as a sentence: what is wrong, what is expected, and a suggestion when one is
likely."""

from __future__ import annotations

import difflib
from decimal import Decimal, InvalidOperation
from typing import Any

from ..cellerrors import error_text
from .kinds import Kind, _field_at, _model_at
from .reading import _squash
from .words import DATE_FORMATS, TAX_YEAR_FORMAT


# --- what is expected --------------------------------------------------------------------------------

def _num(value) -> str:
    from ..numbers import grouped

    try:
        number = Decimal(str(value))
        return grouped(number) if number.is_finite() and abs(number.adjusted()) < 30 else str(value)
    except (InvalidOperation, ValueError):
        return str(value)


def _range(kind: Kind, upper: bool = False) -> str:
    """'from 1 to 12', '0 or more'; the largest-amount bound (10^15) only when `upper` (a value
    over it), since it is not a limit a real return meets."""
    low, high = kind.low, kind.high
    if low is not None and high is not None and Decimal(str(high)) < Decimal("1e15"):
        return f"from {_num(low)} to {_num(high)}"
    if upper and high is not None:
        if low is None:
            return f"at most {_num(high)}"
        if low == 0:
            return f"0 or more and at most {_num(high)}"
        return f"from {_num(low)} to {_num(high)}"
    if low is not None:
        return "0 or more" if low == 0 else f"at least {_num(low)}"
    return ""


def expected(kind: Kind | None, description: str = "", upper: bool = False) -> str:
    """'a whole number from 1 to 12 (Line 32: months in the period)'."""
    if kind is None:
        text = "a value this form's input knows"
    elif kind.name == "choice":
        text = "one of " + ", ".join(f'"{c}"' if isinstance(c, str) else str(c) for c in kind.choices)
    elif kind.name == "date":
        text = DATE_FORMATS
    elif kind.name == "tax_year":
        text = TAX_YEAR_FORMAT
    elif kind.name == "fraction":
        text = 'a fraction from 0 to 1 (0.07 for 7%), or a percentage such as "7%"'
    elif kind.name == "year":
        text = f"a four-digit year {_range(kind)}".rstrip()
    elif kind.name == "whole":
        text = f"a whole number {_range(kind, upper)}".rstrip()
    elif kind.name == "money":
        text = f"an amount in dollars, {_range(kind, upper) or 'positive or negative'}, at most 2 decimals"
    elif kind.name == "number":
        text = f"a number, {_range(kind, upper) or 'positive or negative'}"
    elif kind.name == "bool":
        text = "true or false (in a workbook: Yes or No)"
    elif kind.name == "text":
        text = f"text{f' of at most {kind.high} characters' if kind.high else ''}"
    elif kind.name == "rows":
        text = "a list of rows: [ {...}, {...} ]"
    elif kind.name == "list":
        text = f"a list [ ... ] of {expected(kind.item).split(' (')[0]}"
    else:
        fields = ", ".join(kind.model.model_fields) if kind.model is not None else ""
        text = "an object { ... }" + (f" with the fields {fields}" if fields else "")
    if description:
        text += f" ({description.rstrip('.')})"
    return text


# --- one problem, in words ------------------------------------------------------------------------------

def shown(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str):
        text = value if len(value) <= 60 else value[:57] + "..."
        return f'"{text}"'
    if isinstance(value, dict):
        return "an object { ... }"
    if isinstance(value, list):
        return "a list [ ... ]"
    if value is None:
        return "empty (null)"
    if isinstance(value, (int, Decimal)) and _digits(value) > 30:
        return f"a number of {_digits(value):,} digits"  # 10**400 or 4,400 typed digits: not shown in full
    text = _num(value) if isinstance(value, (int, Decimal, float)) else str(value)
    return text if len(text) <= 60 else text[:57] + "..."


def _digits(value) -> int:
    """Digits before the decimal point of a finite number (0 for others), without turning a
    4,400-digit integer into text (Python refuses to, over 4,300 digits)."""
    if isinstance(value, int):
        bits = abs(value).bit_length()
        return len(str(abs(value))) if bits < 10_000 else int(bits * 0.30103) + 1
    if value.is_finite() and value != 0 and value.adjusted() >= 0:
        return value.adjusted() + 1
    return 0


def closest(word: str, options) -> str | None:
    options = [str(o) for o in options]
    by_squash = {_squash(o): o for o in options}
    match = difflib.get_close_matches(_squash(str(word)), list(by_squash), n=1, cutoff=0.6)
    return by_squash[match[0]] if match else None


_RANGE_ERRORS = {"greater_than_equal", "greater_than", "less_than_equal", "less_than"}



def _finite(value: Any) -> Decimal | None:
    """A number given as a number (not text, not true/false, not NaN or infinite), else None."""
    if isinstance(value, bool) or not isinstance(value, (int, float, Decimal)):
        return None
    try:
        number = Decimal(str(value))
    except (InvalidOperation, ValueError):
        return None
    return number if number.is_finite() and abs(number.adjusted()) < 30 else None


def _suggestion(kind: Kind | None, value: Any, error_type: str, name: str, model_here) -> str:
    number = _finite(value)
    if kind is not None and kind.name == "fraction" and error_type in _RANGE_ERRORS and number is not None:
        if 1 < number <= 100:
            return f'If you mean {_num(number)}%, write {_num(number / 100)} or "{_num(number)}%".'
    if kind is not None and kind.name in ("year", "tax_year") and number is not None and 0 <= number < 100 \
            and number == int(number):
        return f"Write all four digits, e.g. {2000 + int(number)}."
    if kind is not None and kind.name == "choice" and isinstance(value, str):
        near = closest(value, kind.choices)
        if near:
            return f'Did you mean "{near}"?'
    if error_type == "extra_forbidden" and model_here is not None:
        near = closest(name, model_here.model_fields)
        if near:
            return f'Did you mean "{near}"?'
    if kind is not None and kind.name in ("money", "number", "whole", "fraction") and isinstance(value, str):
        if value.strip().startswith("$"):
            return "Leave out the $ sign."
        if "," in value:
            return "Write the digits with a decimal point; commas only between thousands (1,000.50)."
    if kind is not None and kind.name == "date" and isinstance(value, str) and "/" in value:
        return "Write the month first and all four digits of the year (03/15/2023), or 2023-03-15."
    return ""


def problem(error: dict, model) -> str:
    """One validation problem as a sentence: '<field> is "abc", not a number; expected ... .'"""
    loc = tuple(p for p in error["loc"] if not (isinstance(p, str) and p.startswith("function-")))
    names = [p for p in loc if isinstance(p, str)]
    name = names[-1] if names else "the input"
    error_type = error["type"]
    value = error.get("input")
    kind, description = _field_at(model, loc) if loc else (None, "")
    model_here = _model_at(model, loc) if loc else None
    if error_type == "extra_forbidden":
        fields = ", ".join(model_here.model_fields) if model_here is not None else ""
        text = f"{name} is not a field of this form's input (a misspelling?)" + (
            f"; expected one of the fields {fields}" if fields else "")
        hint = _suggestion(None, value, error_type, name, model_here)
        return f"{text}. {hint}".strip()
    if isinstance(value, str) and error_text(value):
        return (f"{name} holds the Excel error {error_text(value)}: correct the formula that gives it, or type "
                f"the value; expected {expected(kind, description)}.")
    if error_type == "missing":
        return f"{name} is required: expected {expected(kind, description)}."
    if error_type == "not_a_number":  # text no number reader accepts (numbers.parse_number says why)
        reason = error.get("ctx", {}).get("reason") or "not a number"
        hint = _suggestion(kind, value, error_type, name, model_here)
        return f"{name} is {shown(value)}, {reason}; expected {expected(kind, description)}. {hint}".strip()
    if error_type == "value_error":  # our own validators already speak in sentences
        text = error["msg"].removeprefix("Value error, ").rstrip(".")
        if kind is not None and kind.name == "tax_year":
            given = "" if isinstance(value, dict) or value is None else f" {shown(value)}"
            text = f"tax_year{given}: {text[0].lower() + text[1:]}"
        hint = _suggestion(kind, value, error_type, name, model_here)
        return f"{text}. {hint}".strip()
    if error_type in ("too_long", "too_short") and isinstance(value, list):
        limit = error.get("ctx", {}).get("max_length" if error_type == "too_long" else "min_length")
        many = "at most" if error_type == "too_long" else "at least"
        return f"{name} has {len(value):,} entries; it takes {many} {limit:,} ({description or 'see the schema'})."
    if error_type == "string_too_long":
        return f"{name} is longer than {error.get('ctx', {}).get('max_length', 500)} characters; shorten it."
    if error_type == "decimal_max_places":
        places = error.get("ctx", {}).get("decimal_places")
        return f"{name} is {shown(value)}, with more than {places} decimal places; expected {expected(kind, description)}."
    if error_type in _RANGE_ERRORS:
        return _out_of_range(error, name, kind, description, model_here)
    wrong = _what_is_wrong(name, value, kind, error_type)
    hint = _suggestion(kind, value, error_type, name, model_here)
    return f"{wrong}; expected {expected(kind, description)}. {hint}".strip()


def _what_is_wrong(name: str, value: Any, kind: Kind | None, error_type: str) -> str:
    """'<name> is <value>, <why it cannot be read>' for a value of the wrong type or shape."""
    if isinstance(value, bool) and kind is not None and kind.name != "bool":
        what = {"money": "an amount", "number": "a number", "fraction": "a number", "whole": "a number",
                "year": "a year", "date": "a date", "choice": "one of the choices"}.get(kind.name, "a yes/no field")
        wrong = f"{name} is {shown(value)}, a yes/no value where {what} belongs"
    elif error_type == "literal_error":
        wrong = f"{name} is {shown(value)}, not one of the choices"
    elif kind is not None and kind.name == "tax_year":
        wrong = f"tax_year is {shown(value)}, which is not a tax year"
    elif value is None:
        wrong = f"{name} is empty (null)"
    else:
        wrong = f"{name} is {shown(value)}, which cannot be read as {('a ' + kind.name) if kind else 'this field'}"
        if kind is not None and kind.name in ("money", "number", "fraction", "whole", "year"):
            wrong = f"{name} is {shown(value)}, not a number" if not isinstance(value, (int, Decimal)) else \
                f"{name} is {shown(value)}, not a whole number"
        elif kind is not None and kind.name in ("date", "bool", "text", "rows", "object", "list"):
            wrong = f"{name} is {shown(value)}"
    return wrong


def _out_of_range(error: dict, name: str, kind: Kind | None, description: str, model_here) -> str:
    """'<name> is 13, more than 12; expected a whole number from 1 to 12 (...).'"""
    error_type, value = error["type"], error.get("input")
    ctx = error.get("ctx", {})
    bound = next((ctx[k] for k in ("le", "lt", "ge", "gt") if k in ctx), None)
    relation = {"less_than_equal": "more than", "less_than": "not less than",
                "greater_than_equal": "less than", "greater_than": "not more than"}[error_type]
    wrong = f"{name} is {shown(value)}" + (f", {relation} {_num(bound)}" if bound is not None else "")
    hint = _suggestion(kind, value, error_type, name, model_here)
    upper = error_type in ("less_than_equal", "less_than")
    return f"{wrong}; expected {expected(kind, description, upper=upper)}. {hint}".strip()
