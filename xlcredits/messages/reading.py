"""Inputs read the way preparers write them (`normalise`): "7%" for a fraction, "1,000" with
thousands separators, 03/15/2023 for a date, and any capitalisation of a choice."""

from __future__ import annotations

import re
from datetime import date
from decimal import Decimal
from typing import Any

from .kinds import Kind, field_kinds

_US_DATE = re.compile(r"^(\d{1,2})/(\d{1,2})/(\d{4})$")


NUMBER_KINDS = ("fraction", "money", "number", "whole", "year")


def _squash(text: str) -> str:
    return re.sub(r"[^0-9a-z]", "", text.lower())


def read_number(text: str) -> Decimal | None:
    """'1,000', '1,000.50', '12' -> Decimal, read by the one reader of typed numbers
    (`numbers.parse_number`); None when the text is no number (the field's check then says why)."""
    from ..numbers import NotANumber, parse_number

    try:
        return parse_number(text)
    except NotANumber:
        return None


def read_percent(text: str) -> Decimal | None:
    """'7%' -> 0.07 (`numbers.parse_number`); None when the text is not a percentage."""
    from ..numbers import NotANumber, parse_number

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
