"""What a field of an input model holds (a `Kind`), as far as messages and reading need to know."""

from __future__ import annotations

import types
import typing
from datetime import date
from decimal import Decimal
from functools import lru_cache
from typing import Any, Literal, Union


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
