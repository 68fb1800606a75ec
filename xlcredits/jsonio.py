"""JSON in and out without floats: inputs parse to Decimal, outputs print Decimals exactly."""

from __future__ import annotations

import json
from datetime import date
from decimal import Decimal
from typing import Any

from .numbers import plain

MAX_INPUT_BYTES = 50 * 1024 * 1024  # a 50 MB input is a mistake (or an attack), not a return


class InputError(ValueError):
    """The input cannot be read at all (not JSON, too large): a sentence for the user."""


def _reject_constant(name: str):
    raise InputError(f"{name} is not a number a tax form can hold")


def loads(text: str | bytes) -> Any:
    try:
        return json.loads(text, parse_float=Decimal, parse_constant=_reject_constant)
    except json.JSONDecodeError as exc:
        raise InputError(f"not valid JSON: {exc.msg} at line {exc.lineno}, column {exc.colno}") from None
    except RecursionError:
        raise InputError("not valid JSON: nested too deeply") from None


def load_path(path) -> Any:
    from pathlib import Path

    p = Path(path)
    try:
        size = p.stat().st_size
        if size > MAX_INPUT_BYTES:
            raise InputError(f"{p.name} is {size:,} bytes; inputs over {MAX_INPUT_BYTES:,} bytes are refused")
        raw = p.read_bytes()
    except FileNotFoundError:
        raise InputError(f"{path}: no such file") from None
    except IsADirectoryError:
        raise InputError(f"{path} is a folder, not a JSON file") from None
    except PermissionError:
        raise InputError(f"{path}: permission denied") from None
    from .filekinds import not_json

    workbook = not_json(p.name, raw)
    if workbook:
        raise InputError(workbook)
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise InputError(f"{p.name} is not UTF-8 text (is it a workbook or a binary file?)") from None
    return loads(text)


def _encode(value: Any, indent: str, step: str) -> str:
    if value is None:
        return "null"
    if value is True:
        return "true"
    if value is False:
        return "false"
    if isinstance(value, Decimal):
        return plain(value)
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        return repr(value)
    if isinstance(value, (str, date)):
        return json.dumps(value if isinstance(value, str) else value.isoformat(), ensure_ascii=False)
    inner = indent + step
    if isinstance(value, dict):
        if not value:
            return "{}"
        items = [f"{inner}{json.dumps(str(k), ensure_ascii=False)}: {_encode(v, inner, step)}" for k, v in value.items()]
        return "{\n" + ",\n".join(items) + "\n" + indent + "}"
    if isinstance(value, (list, tuple)):
        if not value:
            return "[]"
        return "[\n" + ",\n".join(inner + _encode(v, inner, step) for v in value) + "\n" + indent + "]"
    raise TypeError(f"cannot write {type(value).__name__} as JSON")


def dumps(value: Any, indent: int = 2) -> str:
    return _encode(value, "", " " * indent)
