"""JSON in and out without floats: inputs parse to Decimal, outputs print Decimals exactly."""

from __future__ import annotations

import json
import re
from datetime import date
from decimal import Decimal
from typing import Any

from .numbers import EXCEL_DIGITS, plain, significant_digits

MAX_INPUT_BYTES = 50 * 1024 * 1024  # a 50 MB input is a mistake (or an attack), not a return


class InputError(ValueError):
    """The input cannot be read at all (not JSON, too large): a sentence for the user."""


def _reject_constant(name: str):
    raise InputError(f"{name} is not a number a tax form can hold")


def _integer(text: str):
    # Python refuses to convert integers over 4,300 digits (a ValueError mid-parse); as a Decimal
    # such a number parses, and the field's bound then names it.
    return int(text) if len(text) <= 40 else Decimal(text)


class _Object(dict):
    """A JSON object that remembers keys given twice (json keeps the last one silently)."""

    duplicates: tuple = ()


def _object(pairs):
    obj = _Object(pairs)
    if len(obj) != len(pairs):
        seen: set = set()
        obj.duplicates = tuple(dict.fromkeys(k for k, _ in pairs if k in seen or seen.add(k)))
    return obj


# The fast path for the usual input: text without a backslash (so no escapes at all, hence no lone
# surrogate) and without a run of 16 digits (so no number with more significant digits than Excel
# keeps, nor an integer too long for Python to convert) is parsed once, with only a duplicate-key
# check beside it. Any other text takes the full path below, which names every problem.
_DIGITS_AS_ZEROS = str.maketrans("123456789.", "0000000000")


class _Duplicate(Exception):
    pass


def _plain_object(pairs):
    obj = dict(pairs)
    if len(obj) != len(pairs):
        raise _Duplicate
    return obj


def _loads_clean(text: str | bytes) -> Any:
    """The parse of text with nothing suspect in it (see above), or None."""
    if isinstance(text, bytes) or "\\" in text or "0" * 16 in text.translate(_DIGITS_AS_ZEROS):
        return None
    try:
        data = json.loads(text, parse_float=Decimal, parse_constant=_reject_constant)
    except (json.JSONDecodeError, RecursionError):
        return None  # the full path below says what is wrong
    parsed = _keys_parsed(data, text.count("{"))
    # the keys written number at most the colons, exactly the key ends
    if parsed >= 0 and (text.count(":") == parsed or len(_KEY_END.findall(text)) == parsed):
        return data
    try:  # some key may be given twice, or the count above could not tell: a parse that looks at each object
        return json.loads(text, parse_float=Decimal, parse_constant=_reject_constant, object_pairs_hook=_plain_object)
    except (_Duplicate, json.JSONDecodeError, RecursionError):
        return None


# A key given twice is told without a look at each object as it is parsed (the parser's hook for that costs
# a third of the parse): a text without a backslash has no quote inside a string, so every quote followed by
# a colon (whitespace between) ends a key. When the keys so written number as many as the parsed objects
# hold, no key was given twice: the parser keeps one of each.
_KEY_END = re.compile(r'"[ \t\n\r]*:')


def _keys_parsed(data: Any, objects_in_text: int) -> int:
    """How many keys the parsed objects hold, or -1 when some object is not counted here: the top level and
    lists of flat objects (a schedule's rows) are, and the text's "{" count says whether that was all of
    them (a "{" inside a text makes it -1, and the caller then looks at each object as it parses)."""
    if data.__class__ is not dict:
        return -1
    objects, keys = 1, len(data)
    for value in data.values():
        if value.__class__ is dict:
            objects, keys = objects + 1, keys + len(value)
        elif value.__class__ is list and set(map(type, value)) == {dict}:
            objects, keys = objects + len(value), keys + sum(map(len, value))
    return keys if objects == objects_in_text else -1


def loads(text: str | bytes) -> Any:
    clean = _loads_clean(text)
    if clean is not None:
        return clean
    try:
        data = json.loads(text, parse_float=Decimal, parse_int=_integer, parse_constant=_reject_constant,
                          object_pairs_hook=_object)
    except json.JSONDecodeError as exc:
        raise InputError(f"not valid JSON at line {exc.lineno}, column {exc.colno}: {_plain_json_error(exc.msg)}; "
                         f"expected JSON as in the bundled examples (`xlcredits example`)") from None
    except RecursionError:
        raise InputError("not valid JSON: nested too deeply") from None
    problems = problems_in(data)
    if problems:
        more = f" (and {len(problems) - 3} more)" if len(problems) > 3 else ""
        raise InputError("; ".join(problems[:3]) + more)
    return _plain_dicts(data)


# The JSON parser's own words, said the way a person editing the file reads them.
_JSON_ERRORS = (
    ("Expecting property name enclosed in double quotes", "a field name in double quotes was expected (a comma "
                                                          "after the last field?)"),
    ("Expecting value", "a value was expected: a number, text in double quotes, true, false, null, { or ["),
    ("Expecting ',' delimiter", "a comma was expected between two items"),
    ("Expecting ':' delimiter", "a colon was expected after the field name"),
    ("Extra data", "there is more after the end of the input (one { ... } object per file)"),
    ("Unterminated string", "text in double quotes is not closed"),
    ("Invalid control character", "text in double quotes holds a line break or tab; write it as \\n or \\t"),
    ("Invalid \\escape", "a backslash in text starts no known escape; write \\\\ for a backslash"),
)


def _plain_json_error(message: str) -> str:
    for start, plain_words in _JSON_ERRORS:
        if message.startswith(start):
            return plain_words
    return "the text is not JSON"


def _path(parent: str, key) -> str:
    if isinstance(key, int):
        return f"{parent}[{key}]"
    return f"{parent}.{key}" if parent else str(key)


def problems_in(data: Any, limit: int = 20) -> list[str]:
    """What JSON accepts but a return cannot: a key given twice, a broken character (lone UTF-16
    surrogate), a number with more significant digits than Excel keeps. Each names its JSON path.
    Iterative, so a deeply nested input cannot exhaust the stack."""
    problems: list[str] = []
    stack: list[tuple[str, Any]] = [("", data)]
    while stack and len(problems) < limit:
        path, value = stack.pop()
        where = path or "the input"
        if isinstance(value, dict):
            for key in getattr(value, "duplicates", ()):
                problems.append(f"{_path(path, key)} is given twice in one object (JSON would keep only the "
                                f"last): keep one")
            for key, item in reversed(list(value.items())):
                if _broken(key):
                    problems.append(f"{where} has a key with a broken character (a lone UTF-16 surrogate): "
                                    f"retype it")
                stack.append((_path(path, key), item))
        elif isinstance(value, list):
            stack.extend((_path(path, i), item) for i, item in reversed(list(enumerate(value))))
        elif isinstance(value, str) and _broken(value):
            problems.append(f"{where} holds a broken character (a lone UTF-16 surrogate such as \\ud800): "
                            f"retype the text")
        elif isinstance(value, (Decimal, int)) and not isinstance(value, bool):
            number = Decimal(value)
            if number.is_finite() and abs(number.adjusted()) <= 100 and significant_digits(number) > EXCEL_DIGITS:
                problems.append(f"{where} has {significant_digits(number)} significant digits; Excel keeps "
                                f"{EXCEL_DIGITS}, so a workbook could not hold it exactly: round it to "
                                f"{EXCEL_DIGITS} digits")
    return problems


def _broken(text: str) -> bool:
    return any("\ud800" <= ch <= "\udfff" for ch in text)


def _plain_dicts(value: Any) -> Any:
    """Back to ordinary dicts (iteratively), so nothing downstream sees the parser's helper type."""
    if not isinstance(value, (dict, list)):
        return value
    root = dict(value) if isinstance(value, dict) else list(value)
    stack = [root]
    while stack:
        node = stack.pop()
        items = node.items() if isinstance(node, dict) else enumerate(node)
        for key, item in list(items):
            if isinstance(item, (dict, list)):
                copy = dict(item) if isinstance(item, dict) else list(item)
                node[key] = copy
                stack.append(copy)
    return root


def _read_regular(p) -> bytes:
    """The file's bytes, at most MAX_INPUT_BYTES of them; a FIFO, device or socket is refused before
    a byte is read (opened without blocking, then checked: st_size is 0 for /dev/zero, so the size
    limit is enforced on the bytes actually read)."""
    import os
    import stat

    flags = os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_BINARY", 0)
    fd = os.open(p, flags)
    try:
        mode = os.fstat(fd).st_mode
        if stat.S_ISDIR(mode):
            raise IsADirectoryError
        if not stat.S_ISREG(mode):
            raise InputError(f"{p.name} is not a regular file (a pipe, device or socket): give a JSON file")
        chunks, total = [], 0
        while True:
            chunk = os.read(fd, min(1 << 20, MAX_INPUT_BYTES + 1 - total))
            if not chunk:
                break
            chunks.append(chunk)
            total += len(chunk)
            if total > MAX_INPUT_BYTES:
                raise InputError(f"{p.name} is over {MAX_INPUT_BYTES:,} bytes; larger inputs are refused")
        return b"".join(chunks)
    finally:
        os.close(fd)


def load_path(path) -> Any:
    from pathlib import Path

    p = Path(path)
    try:
        raw = _read_regular(p)
    except FileNotFoundError:
        raise InputError(f"{path}: no such file") from None
    except IsADirectoryError:
        raise InputError(f"{path} is a folder, not a JSON file") from None
    except PermissionError:
        raise InputError(f"{path}: permission denied") from None
    except OSError as exc:
        raise InputError(f"cannot read {path}: {exc.strerror or exc}") from None
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
