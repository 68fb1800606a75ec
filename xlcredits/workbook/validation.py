"""Data validation for input cells: drop-downs for choices, bounds for numbers."""

from __future__ import annotations

from ..limits import FIRST_YEAR, LAST_YEAR
from .book import SheetSpec


def _validate(spec: SheetSpec, r1: int, c1: int, r2: int, c2: int, unit: str, choices: tuple[str, ...]) -> None:
    """Data validation for an input range: drop-downs for choices, bounds for numbers."""
    options: dict | None = None
    if choices and len(",".join(choices)) <= 250 and unit == "text":
        options = {"validate": "list", "source": list(choices)}
    elif unit == "count" and choices and all(c.isdigit() for c in choices):
        options = {"validate": "integer", "criteria": "between", "minimum": int(min(choices, key=int)),
                   "maximum": int(max(choices, key=int))}
    elif unit == "bool":
        options = {"validate": "list", "source": ["Yes", "No"]}
    elif unit == "year":
        options = {"validate": "integer", "criteria": "between", "minimum": FIRST_YEAR, "maximum": LAST_YEAR}
    elif unit == "fraction":
        options = {"validate": "decimal", "criteria": "between", "minimum": 0, "maximum": 1}
    elif unit in ("money", "quantity", "watts", "kwh", "kg", "m2"):
        options = {"validate": "decimal", "criteria": ">=", "value": 0}
    elif unit == "date":
        from datetime import date
        options = {"validate": "date", "criteria": "between", "minimum": date(FIRST_YEAR, 1, 1),
                   "maximum": date(LAST_YEAR, 12, 31)}
    if options is None:
        return
    options.setdefault("error_type", "warning")  # a warning the preparer may override, not a wall
    options.setdefault("error_title", "Check this entry")
    options.setdefault("error_message", _validation_message(unit, choices))
    spec.validations.append((r1, c1, r2, c2, options))


def _validation_message(unit: str, choices: tuple[str, ...]) -> str:
    if unit == "bool":
        return "Choose Yes or No."
    if choices:
        shown = ", ".join(choices[:12]) + (", ..." if len(choices) > 12 else "")
        return f"Choose one of: {shown}"[:250]
    return {"year": "Enter a calendar year such as 2025.",
            "fraction": "Enter a fraction between 0 and 1 (e.g. 0.65 or 65%).",
            "date": "Enter a date."}.get(unit, "Enter an amount of zero or more.")
