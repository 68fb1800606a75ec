"""Every input problem in the preparer's words: where, what is wrong, what is expected, and a
suggestion when one is likely.

The validation layer (forms/common.py) hands each problem found by the input models here; the
CLI, the workbook filler and the Excel adapter print the result through `render`, which names the
place the way the user knows it: the JSON path with a 1-based row number and the row's
description for JSON users, the cell in A1 terms ("Products!D4 (Products row 4 — Module 400 W)")
for workbook users. No message carries the vocabulary of the libraries underneath.

Inputs are also read the way preparers write them (`normalise`): "7%" for a fraction, "1,000"
with thousands separators, 03/15/2023 for a date, and any capitalisation of a choice.
"""

from __future__ import annotations

import difflib
import re
import types
import typing
from datetime import date
from decimal import Decimal, InvalidOperation
from functools import lru_cache
from typing import Any, Literal, Union

from .cellerrors import error_text

# Words of the libraries underneath that no message may carry (tests/test_preparer_mistakes.py).
DENY_LIST = ("dictionary", "instance of", "Decimal object", "validation error", "Traceback", "pydantic",
             "type=", "input_value", "input should", "valid decimal", "less than or equal to",
             "greater than or equal to", "1E+15")

DATE_FORMATS = "a date written YYYY-MM-DD (2023-03-15) or MM/DD/YYYY (03/15/2023)"
TAX_YEAR_FORMAT = ('a year such as 2025 (a calendar year), or for a fiscal year '
                   '{"begins": "2025-07-01", "ends": "2026-06-30"}')


# --- what a field holds ---------------------------------------------------------------------------

class Kind(typing.NamedTuple):
    """What one field holds, as far as messages and reading need to know."""

    name: str  # "choice", "date", "fraction", "year", "whole", "money", "number", "bool", "text", "rows", "object", "tax_year", "list"
    choices: tuple = ()
    low: Any = None
    high: Any = None
    places: int | None = None
    model: Any = None  # the row or object model ("rows", "object")
    item: Any = None  # the item Kind of a plain list


def _constraints(metadata) -> dict:
    found: dict = {}
    for m in metadata or ():
        for attr in ("ge", "gt", "le", "lt", "decimal_places", "max_length"):
            value = getattr(m, attr, None)
            if value is not None:
                found[attr] = value
        found.update({k: v for k, v in _constraints(getattr(m, "metadata", ())).items()})
    return found


def _kind_of(annotation, metadata=()) -> Kind:
    origin = typing.get_origin(annotation)
    if origin is typing.Annotated:
        base, *extra = typing.get_args(annotation)
        return _kind_of(base, [*metadata, *extra])
    if origin in (Union, types.UnionType):
        options = [a for a in typing.get_args(annotation) if a is not type(None)]
        if len(options) == 1:
            return _kind_of(options[0], metadata)
    if origin is Literal:
        return Kind("choice", choices=tuple(typing.get_args(annotation)))
    if origin is list:
        (item,) = typing.get_args(annotation) or (Any,)
        inner = _kind_of(item)
        if inner.name == "object":
            return Kind("rows", model=inner.model)
        return Kind("list", item=inner)
    c = _constraints(metadata)
    low = c.get("ge", c.get("gt"))
    high = c.get("le", c.get("lt"))
    if annotation is bool:
        return Kind("bool")
    if annotation is date:
        return Kind("date")
    if annotation is int:
        if low is not None and low >= 1900:
            return Kind("year", low=low, high=high)
        return Kind("whole", low=low, high=high)
    if annotation is Decimal:
        if low == 0 and high == 1:
            return Kind("fraction", low=low, high=high, places=c.get("decimal_places"))
        if c.get("decimal_places") == 2:
            return Kind("money", low=low, high=high, places=2)
        return Kind("number", low=low, high=high, places=c.get("decimal_places"))
    if annotation is str:
        return Kind("text", high=c.get("max_length"))
    if isinstance(annotation, type) and hasattr(annotation, "model_fields"):
        if annotation.__name__ == "TaxYear":
            return Kind("tax_year", model=annotation)
        return Kind("object", model=annotation)
    return Kind("text")


@lru_cache(maxsize=None)
def field_kinds(model) -> dict[str, Kind]:
    return {name: _kind_of(f.annotation, f.metadata) for name, f in model.model_fields.items()}


def _field_at(model, loc: tuple):
    """The (kind, description) of the field at `loc` in `model`, or (None, "")."""
    kind, description = None, ""
    current = model
    for part in loc:
        if isinstance(part, int):
            if kind is not None and kind.name == "rows":
                current = kind.model
            elif kind is not None and kind.name == "list":
                kind = kind.item
            continue
        if current is None or not hasattr(current, "model_fields") or part not in current.model_fields:
            return None, ""
        kind = field_kinds(current)[part]
        description = current.model_fields[part].description or ""
        current = kind.model if kind.name in ("rows", "object", "tax_year") else None
    return kind, description


def _model_at(model, loc: tuple):
    """The object model that holds the last part of `loc` (for unknown-field suggestions)."""
    current = model
    for part in loc[:-1]:
        if isinstance(part, int) or current is None:
            continue
        kind = field_kinds(current).get(part)
        current = kind.model if kind is not None and kind.name in ("rows", "object", "tax_year") else None
    return current


# --- reading values as preparers write them ---------------------------------------------------------

_US_DATE = re.compile(r"^(\d{1,2})/(\d{1,2})/(\d{4})$")


NUMBER_KINDS = ("fraction", "money", "number", "whole", "year")


def _squash(text: str) -> str:
    return re.sub(r"[^0-9a-z]", "", text.lower())


def read_number(text: str) -> Decimal | None:
    """'1,000', '1,000.50', '12' -> Decimal, read by the one reader of typed numbers
    (`numbers.parse_number`); None when the text is no number (the field's check then says why)."""
    from .numbers import NotANumber, parse_number

    try:
        return parse_number(text)
    except NotANumber:
        return None


def read_percent(text: str) -> Decimal | None:
    """'7%' -> 0.07 (`numbers.parse_number`); None when the text is not a percentage."""
    from .numbers import NotANumber, parse_number

    if not text.strip().endswith("%"):
        return None
    try:
        return parse_number(text, percent=True)
    except NotANumber:
        return None


def read_date(text: str) -> str | None:
    """'03/15/2023' -> '2023-03-15' (US order, as on the forms); None when not that shape."""
    m = _US_DATE.match(text.strip())
    if not m:
        return None
    month, day, year = (int(g) for g in m.groups())
    try:
        return date(year, month, day).isoformat()
    except ValueError:
        return None


def read_choice(text: str, choices: tuple) -> str | None:
    """'Corporation' -> 'corporation', 'cbt100' -> 'CBT-100', 'S corporation' -> 's_corporation'."""
    wanted = _squash(text)
    for choice in choices:
        if isinstance(choice, str) and _squash(choice) == wanted:
            return choice
    return None


def _read(value: Any, kind: Kind) -> Any:
    if kind.name == "list" and isinstance(value, list):
        return [_read(v, kind.item) for v in value]
    if not isinstance(value, str):
        return value
    if kind.name == "choice" and value not in kind.choices:
        return read_choice(value, kind.choices) or value
    if kind.name == "date":
        return read_date(value) or value
    if kind.name in NUMBER_KINDS:
        number = read_percent(value) if kind.name == "fraction" else None
        if number is None:
            number = read_number(value)
        if number is not None and number.is_finite():
            return number  # text that is no number stays text: the field's check names it
    return value


def normalise(model, data: Any) -> Any:
    """The input object with each field read as preparers write it (see the module's docstring)."""
    if not isinstance(data, dict):
        return data
    kinds = field_kinds(model)
    out = None
    for key, value in data.items():
        kind = kinds.get(key)
        if kind is None or value is None:
            continue
        new = _read(value, kind)
        if new is not value:
            if out is None:
                out = dict(data)
            out[key] = new
    return data if out is None else out


# --- what is expected --------------------------------------------------------------------------------

def _num(value) -> str:
    from .numbers import grouped

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
        ctx = error.get("ctx", {})
        bound = next((ctx[k] for k in ("le", "lt", "ge", "gt") if k in ctx), None)
        relation = {"less_than_equal": "more than", "less_than": "not less than",
                    "greater_than_equal": "less than", "greater_than": "not more than"}[error_type]
        wrong = f"{name} is {shown(value)}" + (f", {relation} {_num(bound)}" if bound is not None else "")
        hint = _suggestion(kind, value, error_type, name, model_here)
        upper = error_type in ("less_than_equal", "less_than")
        return f"{wrong}; expected {expected(kind, description, upper=upper)}. {hint}".strip()
    elif isinstance(value, bool) and kind is not None and kind.name != "bool":
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
    hint = _suggestion(kind, value, error_type, name, model_here)
    return f"{wrong}; expected {expected(kind, description)}. {hint}".strip()


# --- where a problem is, as the user knows it --------------------------------------------------------

_ROW = re.compile(r"^([A-Za-z_]\w*)\[(\d+)\]")


def row_description(row: Any) -> str:
    if not isinstance(row, dict):
        return ""
    for key in ("description", "name", "component", "line"):
        value = row.get(key)
        if isinstance(value, (str, int)) and not isinstance(value, bool) and str(value).strip():
            return str(value).strip()
    return ""


def place(where: str, data: Any = None, sheet_rows: dict | None = None) -> str:
    """'components[0].units' -> 'components[0].units (components row 1 — Module 400 W)'; with the
    intake's `sheet_rows` ({"components[0]": "Products row 4"}) -> '... (Products row 4 — Module 400 W)'."""
    m = _ROW.match(where or "")
    if not m:
        return where or "(input)"
    field, index = m.group(1), int(m.group(2))
    rows = data.get(field) if isinstance(data, dict) else None
    label = row_description(rows[index]) if isinstance(rows, list) and index < len(rows) else ""
    row = (sheet_rows or {}).get(m.group(0)) or f"{field} row {index + 1}"
    return f"{where} ({row}{' — ' + label if label else ''})"


def without_place(where: str, message: str) -> str:
    """Engine messages that begin with their own JSON path lose it (the place is printed once)."""
    if where and where not in ("(input)",) and message.startswith(where):
        rest = message[len(where):]
        if rest[:1] in (":", " ", "."):
            tail = where.rsplit(".", 1)[-1] if "." in where else where
            rest = rest.lstrip(":").lstrip()
            if re.match(r"^\w+\[\d+\]$", tail):  # a whole row: 'components[0]: give either ...'
                return rest[:1].upper() + rest[1:]
            return f"{tail} {rest}" if not rest.startswith(tail) else rest
    return message


def render(finding, data: Any = None, cell: str | None = None) -> str:
    """One finding as a line for the terminal: SEVERITY  place: message."""
    message = without_place(finding.where, finding.message)
    if finding.where in ("", "(input)") and cell is None:
        return f"{finding.severity.upper():8} {message}"  # about the input as a whole
    if cell is None and finding.where and re.match(rf"{re.escape(finding.where)}\b", message) \
            and not _ROW.match(finding.where):
        return f"{finding.severity.upper():8} {message}"  # 'tax_year is "FY2025"...': the place, once
    where = cell or place(finding.where, data)
    return f"{finding.severity.upper():8} {where}: {message}"


def workbook_places(path, findings) -> dict[str, str]:
    """{finding.where: 'Products!D4 (Products row 4 — Module 400 W)'} for a typed-in workbook."""
    from .workbook.filler import display_address
    from .workbook.inputs import locate, read_inputs
    from .workbook.layout import parse_address
    from .workbook.reader import checked

    try:
        adapter, layout = checked(path)
        data, positions = read_inputs(adapter, layout)
    except Exception:  # the fill already reported an unreadable workbook; fall back to JSON paths
        return {}
    places = {}
    for f in findings:
        target = locate(layout, f.where, positions)
        if target is None:
            continue
        shown_cell = display_address(target)
        sheet, r, _, _, _ = parse_address(target)
        m = _ROW.match(f.where or "")
        label = ""
        if m:
            rows = data.get(m.group(1)) if isinstance(data, dict) else None
            index = int(m.group(2))
            desc = row_description(rows[index]) if isinstance(rows, list) and index < len(rows) else ""
            label = f" ({sheet} row {r + 1}{' — ' + desc if desc else ''})"
        else:
            fp = layout.fields.get(f.where) or layout.fields.get(f.where.rsplit(".", 1)[0])
            if fp is not None and getattr(fp, "field", None) is not None:
                line = f"line {fp.field.line}: " if fp.field.line else ""
                label = f" ({line}{fp.field.label})"
        places[f.where] = shown_cell + label
    return places


# --- messages the engine asks for by name -----------------------------------------------------------

def unknown_product_line(field: str, value: Any) -> str:
    """An unknown Form 7207 Part II line or component name, with the closest one and the full list."""
    from .forms.f7207 import catalog

    entries = [catalog.PART_II[k] for k in catalog.PRODUCT_LINES]
    names = {e.line: e for e in entries} | {e.component: e for e in entries}
    near = closest(catalog.normalise_name(value), names)
    hint = ""
    if near:
        e = names[near]
        hint = f' Did you mean line {e.line}, "{e.component}" ({e.label})?'
    listing = "; ".join(f"{e.line} {e.component}" for e in entries)
    return (f"{field} is {shown(value)}, not a Form 7207 Part II line or component.{hint} Expected a line "
            f"number or component name: {listing}.")


NOTHING = "Nothing to compute"


def nothing_to_compute(data: Any) -> str | None:
    """A sentence naming what is missing when a parsed input has nothing the form can compute
    (an untouched blank form, an intake row without amounts), else None."""
    if not isinstance(data, dict):
        return None
    form = str(data.get("form", "")).strip().upper()
    if form == "7207":
        rows = [data.get(k) for k in ("components", "vessels", "critical_minerals", "metallurgical_coal")]
        if any(isinstance(r, list) and r for r in rows) or _nonzero(data.get("passthrough_credit")):
            return None
        return (f"{NOTHING}: the input has no product rows (components: Part II lines 1-5), no vessels "
                f"(Part III), no critical minerals (Part IV), no metallurgical coal and no passthrough "
                f"credit (line 7). Enter what the facility sold in the tax year.")
    if form == "NJ-306":
        qre = data.get("qre") if isinstance(data.get("qre"), dict) else {}
        amounts = [*qre.values(), data.get("energy_consortia"), data.get("basic_research_payments")]
        paid = data.get("contract_research_paid")
        if isinstance(paid, dict):
            amounts += list(paid.values())
        if any(_nonzero(a) for a in amounts) or data.get("carryforward"):
            return None
        return (f"{NOTHING}: the input has no qualified research expenses (qre: lines 5-8 or 16-19), no "
                f"energy consortia or basic research payments (lines 1-2) and no carryforward (line 29). "
                f"Enter this year's New Jersey research expenses.")
    return None


def _nonzero(value: Any) -> bool:
    if value is None or isinstance(value, bool):
        return False
    try:
        return Decimal(str(value).replace(",", "")) != 0
    except (InvalidOperation, ValueError):
        return True  # not a number: validation names it


# --- the command line's workbook outputs -------------------------------------------------------------

def refuse_output(path) -> str | None:
    """`fill -o out.csv` would write a workbook under a CSV name: refuse with a sentence."""
    from pathlib import Path

    from .safefile import not_a_file

    if not_a_file(path):  # a pipe or a device: say that, whatever its name
        return not_a_file(path)
    suffix = Path(str(path)).suffix.lower()
    if suffix in (".xlsx", ".xlsm") or Path(str(path)).is_dir():
        return None  # a folder: the writer says it is one
    named = f"a {suffix} name" if suffix else "a name without .xlsx"
    return (f"{path}: fill writes an Excel workbook (.xlsx), not under {named}; "
            f"name the output like {Path(str(path)).stem or 'return'}.xlsx")


def fill_problem_lines(source, result) -> list[str]:
    """The findings of a fill, each with its place: the cell for a typed-in workbook, the JSON path
    with the row for a JSON input."""
    from pathlib import Path

    data = None
    places: dict[str, str] = {}
    if Path(str(source)).suffix.lower() in (".xlsx", ".xlsm"):
        if any(f.severity != "note" for f in result.findings):
            places = workbook_places(source, result.findings)
    else:
        from .jsonio import InputError, load_path

        try:
            data = load_path(source)
        except (InputError, OSError):
            data = None
    return [render(f, data, places.get(f.where)) for f in result.findings]
