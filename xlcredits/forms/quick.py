"""A fast path for the rows of a long schedule: a row that is already exactly what its model
accepts (numbers as numbers inside their bounds, texts as short texts, no unknown field) is read
without pydantic, which costs more than the whole credit arithmetic on a 100,000-row return.

The checks are read from the model's own field definitions (bounds, decimal places, lengths), so
the limits stay written once, in the model. Anything else — text in a number field, a float, a
value out of bounds, an unknown field, an Excel error value typed as text — is not judged here: the caller hands the whole input to
pydantic, whose errors and messages stay the only ones a preparer sees. So the fast path accepts
a subset of what the model accepts and reads it to the same values.
"""

from __future__ import annotations

import types
from decimal import Decimal
from functools import cache
from typing import Annotated, Any, Callable, NamedTuple, Union, get_args, get_origin

from annotated_types import Ge, Gt, Le, MaxLen
from pydantic import BaseModel
from pydantic.fields import FieldInfo

from ..cellerrors import error_text
from .common import Strict


class _Spec(NamedTuple):
    base: type  # Decimal, int, str or bool
    optional: bool  # None is accepted
    low: Any = None  # ge
    high: Any = None  # le
    above: Any = None  # gt
    places: int | None = None  # decimal_places
    longest: int | None = None  # max_length


class _Unsupported(Exception):
    pass


def _flatten(annotation, metadata: list) -> tuple[type, bool]:
    """The base type of a field and whether None is allowed, collecting its constraints."""
    origin = get_origin(annotation)
    if origin is Annotated:
        base, *extra = get_args(annotation)
        for item in extra:
            metadata.extend(item.metadata if isinstance(item, FieldInfo) else [item])
        return _flatten(base, metadata)
    if origin in (Union, types.UnionType):
        args = [a for a in get_args(annotation) if a is not type(None)]
        if len(args) != 1:
            raise _Unsupported
        base, _ = _flatten(args[0], metadata)
        return base, True
    if annotation in (Decimal, int, str, bool):
        return annotation, False
    raise _Unsupported


def _spec(field: FieldInfo) -> _Spec:
    metadata = list(field.metadata)
    base, optional = _flatten(field.annotation, metadata)
    found: dict[str, Any] = {}
    for item in metadata:
        if isinstance(item, Ge):
            found["low"] = item.ge
        elif isinstance(item, Le):
            found["high"] = item.le
        elif isinstance(item, Gt):
            found["above"] = item.gt
        elif isinstance(item, MaxLen):
            found["longest"] = item.max_length
        elif getattr(item, "decimal_places", None) is not None:
            found["places"] = item.decimal_places
        elif type(item).__name__ in ("AllowInfNan", "BeforeValidator"):
            continue  # non-finite numbers are refused below; text, the only input a before-validator reads, is never fast
        else:
            raise _Unsupported
    return _Spec(base, optional, **found)


@cache
def _plan(model: type[BaseModel]) -> tuple[dict[str, _Spec], type] | None:
    """Each field's checks, and a light row type with the model's defaults; None when the model
    has something the fast path does not reproduce (then every row goes to pydantic)."""
    decorators = model.__pydantic_decorators__
    # Both validators the fast path tolerates read text only (Strict's number text reader leaves a
    # value that is not text as it is), and text never takes the fast path in a number field.
    if set(decorators.model_validators) - {"_as_preparers_write"} \
            or set(decorators.field_validators) - {"_whole_numbers_as_typed"} \
            or decorators.validators or model.model_config.get("extra") != "forbid" \
            or not issubclass(model, Strict) or not model.model_config.get("str_strip_whitespace"):
        return None
    try:
        specs = {name: _spec(field) for name, field in model.model_fields.items()}
    except _Unsupported:
        return None
    defaults = {name: field.default for name, field in model.model_fields.items()}
    if any(default not in (None, "", False) for default in defaults.values()):
        return None  # a mutable or computed default would be shared between rows
    row_type = type(f"Quick{model.__name__}", (_QuickRow,), {**defaults, "__doc__": model.__doc__})
    return {name: _check(spec) for name, spec in specs.items()}, row_type


class _QuickRow:
    """A row read by the fast path: attributes as on the model, unset ones from its defaults."""

    def __init__(self, values: dict):
        self.__dict__ = values


_BAD = object()  # what a check returns for a value the fast path leaves to pydantic
BAD = _BAD


def field_checks(model: type[BaseModel]) -> dict[str, Callable[[Any], Any]] | None:
    """Each field's check (a value as the model reads it, or `BAD`), or None when the model has
    something the fast path does not reproduce."""
    plan = _plan(model)
    return None if plan is None else plan[0]


def _more_places(value: Decimal, places: int) -> bool:
    """Whether a finite Decimal has more than `places` decimals as written (its exponent is below
    -places), read from its text, which is cheaper than `as_tuple` for the usual plain number."""
    text = str(value)
    if "E" in text:
        return value.as_tuple().exponent < -places
    dot = text.find(".")
    return dot >= 0 and len(text) - dot - 1 > places


def _check(spec: _Spec) -> Callable[[Any], Any]:
    """One field's check, built once: the value as the model reads it, or _BAD. Each check is a
    single call with its bounds bound locally: it runs for every value of every row."""
    if spec.base is str:
        return _text_check(spec)
    if spec.base is bool:
        return _bool_check(spec)
    if spec.base is int:
        return _whole_check(spec)
    low, high, above = (None if b is None else Decimal(b) for b in (spec.low, spec.high, spec.above))
    if low is not None and high is not None and above is None and spec.places is not None:
        return _amount_check(spec, low, high)  # the usual number field
    return _number_check(spec, low, high, above)


def _text_check(spec: _Spec) -> Callable[[Any], Any]:
    optional, longest = spec.optional, spec.longest
    seen: dict[str, str] = {}  # texts repeat (line numbers, descriptions): each stripped once

    def check(value):
        if value.__class__ is str:
            stripped = seen.get(value)
            if stripped is None and "#" in value and error_text(value):
                return _BAD  # an Excel error value typed as text: pydantic reads it, check_result names it
            if stripped is None and (longest is None or len(value) <= longest):
                stripped = value.strip()  # the models strip whitespace (Strict.model_config)
                if len(seen) < 10_000:
                    seen[value] = stripped
            return _BAD if stripped is None else stripped
        return None if value is None and optional else _BAD
    return check


def _bool_check(spec: _Spec) -> Callable[[Any], Any]:
    optional = spec.optional

    def check(value):
        if value.__class__ is bool or (value is None and optional):
            return value
        return _BAD
    return check


def _whole_check(spec: _Spec) -> Callable[[Any], Any]:
    optional, low, high, above = spec.optional, spec.low, spec.high, spec.above

    def check(value):
        if value.__class__ is int:
            out_of_bounds = (low is not None and value < low) or (high is not None and value > high) \
                or (above is not None and value <= above)
            return _BAD if out_of_bounds else value
        return None if value is None and optional else _BAD
    return check


def _amount_check(spec: _Spec, low: Decimal, high: Decimal) -> Callable[[Any], Any]:
    """An amount between bounds with at most so many decimals, written out (a Decimal compares
    faster with a Decimal than with an int)."""
    optional, places = spec.optional, spec.places
    within: dict[int, Decimal] = {}  # whole numbers repeat (units): each in bounds converted once

    def check(value):
        if value.__class__ is int:
            known = within.get(value)
            if known is not None:
                return known
            number = Decimal(value)
            if not low <= number <= high:
                return _BAD
            if len(within) < 10_000:
                within[value] = number
            return number
        if value.__class__ is Decimal:
            if not value.is_finite():
                return _BAD
            text = str(value)  # see `_more_places`
            if "E" in text:
                if value.as_tuple().exponent < -places:
                    return _BAD
            else:
                dot = text.find(".")
                if dot >= 0 and len(text) - dot - 1 > places:
                    return _BAD
        else:
            return None if value is None and optional else _BAD
        return value if low <= value <= high else _BAD
    return check


def _number_check(spec: _Spec, low, high, above) -> Callable[[Any], Any]:
    optional, places = spec.optional, spec.places

    def check(value):
        kind = value.__class__
        if kind is Decimal:
            if not value.is_finite() or (places is not None and _more_places(value, places)):
                return _BAD
        elif kind is int:
            value = Decimal(value)
        else:
            return None if value is None and optional else _BAD
        if (low is not None and value < low) or (high is not None and value > high) \
                or (above is not None and value <= above):
            return _BAD
        return value
    return check


def quick_rows(model: type[BaseModel], rows: Any, longest: int, into: dict | None = None) -> list | None:
    """`rows` read as `model` rows, or None when any row needs pydantic (see the module's docstring).
    Each row is an object with the model's attributes, or with `into` a copy of that dict with the
    row's fields set (the caller's own row layout, built without a second copy)."""
    plan = _plan(model)
    if plan is None or rows.__class__ is not list or len(rows) > longest:
        return None
    checks, row_type = plan
    find, bad = checks.get, _BAD
    blank, finish = (into.copy, None) if into is not None else (dict, row_type)
    out = []
    append = out.append
    for row in rows:
        if row.__class__ is not dict:
            return None
        values = blank()
        for name, value in row.items():
            check = find(name)
            if check is None:
                return None
            value = check(value)
            if value is bad:
                return None
            values[name] = value
        append(values if finish is None else finish(values))
    return out
