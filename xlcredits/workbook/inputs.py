"""Inputs between a workbook and the JSON format: read the typed cells into a JSON-like dict (the
form's input format), write a JSON input into a template's input cells, and find the cell a
finding's JSON path (`components[3].units`) points at."""

from __future__ import annotations

import hashlib
import json
import re
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from ..numbers import D, plain
from .choices import code_of, label_of
from .cellvalues import from_cell, number_normalised, to_cell
from .layout import Book, Layout, parse_address


# --- paths -------------------------------------------------------------------------------------------

_PART = re.compile(r"^(\w+)((?:\[\d+\])*)$")


def _parts(path: str) -> list:
    """'combined.other[2].amount' -> ['combined', 'other', 2, 'amount']."""
    out: list = []
    for piece in path.split("."):
        m = _PART.match(piece)
        if not m:
            out.append(piece)
            continue
        out.append(m.group(1))
        out.extend(int(i) for i in re.findall(r"\[(\d+)\]", m.group(2)))
    return out


def get_path(data: Any, path: str) -> Any:
    for part in _parts(path):
        if isinstance(part, int):
            if not isinstance(data, list) or part >= len(data):
                return None
            data = data[part]
        else:
            if not isinstance(data, dict):
                return None
            data = data.get(part)
    return data


def set_path(data: dict, path: str, value: Any) -> None:
    parts = _parts(path)
    for part, following in zip(parts[:-1], parts[1:]):
        empty = [] if isinstance(following, int) else {}
        if isinstance(part, int):
            while len(data) <= part:
                data.append(None)
            if data[part] is None:
                data[part] = empty
            data = data[part]
        else:
            data = data.setdefault(part, empty)
    last = parts[-1]
    if isinstance(last, int):
        while len(data) <= last:
            data.append(None)
        data[last] = value
    else:
        data[last] = value


# --- reading -----------------------------------------------------------------------------------------

def read_inputs(adapter, layout: Layout) -> tuple[dict, dict[str, list[int]]]:
    """The workbook's inputs as the form's JSON input, and where each schedule row came from
    (positions[schedule][json index] = data-row offset on the sheet)."""
    data: dict[str, Any] = {"form": layout.form}
    lists = getattr(layout.hooks, "LIST_FIELDS", {})
    for path, fp in layout.fields.items():
        if fp.field.type == "tax_year":
            value = _read_tax_year(adapter, layout, path, fp)
        else:
            value = code_of(from_cell(adapter.read(fp.name), field_unit(fp)), fp.field.choices)
            if path in lists and isinstance(value, str):
                value = _split_list(value, lists[path])
        if value is not None:
            set_path(data, path, value)
    positions: dict[str, list[int]] = {}
    for key, sp in layout.schedules.items():
        columns = {c.key: adapter.read_column(sp.names[c.key]) for c in sp.inputs()}
        rows, where = [], []
        kinds = [(ckey, values, len(values), _unit(sp.columns[ckey]), sp.columns[ckey].choices)
                 for ckey, values in columns.items()]
        for i in range(_rows_in_use(columns.values(), sp.max_rows)):
            row = {}
            for ckey, values, count, unit, choices in kinds:
                cell = values[i] if i < count else None
                if cell is None:
                    continue
                value = code_of(from_cell(cell, unit), choices)
                if value is not None:
                    row[ckey] = value
            if row:
                rows.append(row)
                where.append(i)
        positions[key] = where
        if rows:
            set_path(data, sp.schedule.json_field, rows)
    return data, positions


def _rows_in_use(columns, max_rows: int) -> int:
    """How many rows to read: up to the last one anything was typed in (a 2,000-row table is
    mostly empty)."""
    last = 0
    for values in columns:
        for i in range(min(len(values), max_rows) - 1, last - 1, -1):
            if values[i] is not None and values[i] != "":
                last = i + 1
                break
    return last


def field_unit(fp) -> str:
    """How a field's cell reads: a choice of numbers ("7", "15") reads as a whole number."""
    if fp.field.type == "choice" and fp.field.choices and all(c.isdigit() for c in fp.field.choices):
        return "count"
    if fp.unit == "number":
        return "count_or_number"
    return fp.unit


def _split_list(text: str, kind) -> Any:
    items = [t.strip() for t in re.split(r"[,;\s]+", text) if t.strip()]
    try:
        return [kind(t) for t in items]
    except ValueError:
        return text


def _unit(column) -> str:
    return {"text": "text", "bool": "bool", "year": "year", "count": "count"}.get(str(column.unit), "number")


def _read_tax_year(adapter, layout: Layout, path: str, fp) -> Any:
    year = from_cell(adapter.read(fp.name), "year")
    parts = layout.tax_year_parts.get(path)
    if parts:
        begins = from_cell(adapter.read(_part_name(layout, path, "begins")), "date")
        ends = from_cell(adapter.read(_part_name(layout, path, "ends")), "date")
        if begins is not None or ends is not None:
            out = {}
            if begins is not None:
                out["begins"] = begins
            if ends is not None:
                out["ends"] = ends
            return out
    return year


def _part_name(layout: Layout, path: str, suffix: str) -> str:
    from .layout import field_name

    return field_name(layout.prefix, f"{path}.{suffix}")


# --- writing a JSON input into a book ---------------------------------------------------------

class TooManyRows(ValueError):
    pass


def put_inputs(book: Book, layout: Layout, data: dict) -> dict[str, list[int]]:
    """Write a JSON input's values into the input cells of `book` (a copy of the layout's
    template). Returns the row positions (contiguous)."""
    for path, fp in layout.fields.items():
        value = get_path(data, path)
        if fp.field.type == "tax_year":
            _put_tax_year(book, layout, path, fp, value)
            continue
        if isinstance(value, list) and all(isinstance(v, (int, str, Decimal)) for v in value):
            value = ", ".join(str(v) for v in value)
        value = label_of(value, fp.field.choices) if fp.labels else value
        _set(book, fp.place.sheet, fp.place.row, fp.place.col, to_cell(value, field_unit(fp)))
    positions = {}
    hooks = layout.hooks
    check_row_counts(layout, data)
    for key, sp in layout.schedules.items():
        rows = get_path(data, sp.schedule.json_field)
        if not isinstance(rows, list):
            positions[key] = []
            continue
        normalise = getattr(hooks, "normalise_row", None)
        first_key = next(iter(sp.cols))
        columns = [(ckey, col, sp.columns[ckey].choices, _unit(sp.columns[ckey]))
                   for ckey, col in sp.cols.items() if sp.columns[ckey].kind == "input"]
        for i, row in enumerate(rows):
            if normalise is not None:
                row = normalise(key, row)
            if not isinstance(row, dict):
                row = {first_key: row}
            for ckey, col, choices, unit in columns:
                value = row.get(ckey)
                if value is not None:
                    _set(book, sp.sheet, sp.first_row + i, col, to_cell(label_of(value, choices), unit))
        positions[key] = list(range(len(rows)))
    return positions


def check_row_counts(layout: Layout, data: dict) -> None:
    """Refuse an input with more rows than a table of the workbook holds: counted before anything is
    computed, so 100,000 rows are refused at once, not after computing them."""
    for sp in layout.schedules.values():
        rows = get_path(data, sp.schedule.json_field)
        if isinstance(rows, list) and len(rows) > sp.max_rows:
            raise TooManyRows(f"the input has {len(rows):,} {sp.schedule.json_field} rows; the workbook's "
                              f"{sp.sheet} table holds {sp.max_rows:,}")


def _put_tax_year(book: Book, layout: Layout, path: str, fp, value) -> None:
    parts = layout.tax_year_parts.get(path)
    if isinstance(value, dict) and parts:
        for place, part in zip(parts, ("begins", "ends")):
            _set(book, place.sheet, place.row, place.col, to_cell(value.get(part), "date"))
        return
    _set(book, fp.place.sheet, fp.place.row, fp.place.col, to_cell(value, "year"))


def _set(book: Book, sheet: str, row: int, col: int, value: Any) -> None:
    if value is None:
        return
    cell = book.cell_at(sheet, row, col)
    cell.value = value


# --- where a finding points -----------------------------------------------------------------------

_ROW = re.compile(r"^([A-Za-z_][\w.]*)\[(\d+)\](?:\.(\w+))?")


def locate(layout: Layout, where: str, positions: dict[str, list[int]]) -> str | None:
    """The address of the input cell a finding's `where` names, or None (Audit sheet only)."""
    if not where:
        return None
    if where in layout.fields:
        return layout.fields[where].place.address
    m = _ROW.match(where)
    if m:
        for key, sp in layout.schedules.items():
            if sp.schedule.json_field == m.group(1):
                index = int(m.group(2))
                rows = positions.get(key, [])
                if index >= len(rows):
                    return None
                column = m.group(3) if m.group(3) in sp.cols else None
                if column is None and m.group(3) == "component":
                    column = sp.schedule.line_column
                if column is None:
                    column = sp.inputs()[0].key
                return sp.address(rows[index], column)
    path = where
    while path:
        if path in layout.fields:
            return layout.fields[path].place.address
        if path in layout.tax_year_parts:
            return layout.fields[path].place.address
        if path in layout.line_places:
            return layout.line_places[path].address
        if "." not in path:
            break
        parent, _, last = path.rpartition(".")
        if path.startswith(tuple(f"{p}." for p in layout.tax_year_parts)) and last in ("begins", "ends"):
            begins, ends = layout.tax_year_parts[parent]
            return (begins if last == "begins" else ends).address
        path = parent
    return None


# --- fingerprint ------------------------------------------------------------------------------------

def canonical(data: Any) -> str:
    """The canonical JSON text of an input: sorted keys, no spaces, exact numbers."""
    def norm(value):
        if isinstance(value, dict):
            return {str(k): norm(v) for k, v in value.items()}
        if isinstance(value, (list, tuple)):
            return [norm(v) for v in value]
        if isinstance(value, Decimal):
            return plain(number_normalised(value))
        if isinstance(value, float):
            return plain(number_normalised(D(value)))
        if isinstance(value, (date, datetime)):
            return value.isoformat()
        return value
    return json.dumps(norm(data), sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def fingerprint(data: Any) -> str:
    return hashlib.sha256(canonical(data).encode("utf-8")).hexdigest()


def address_cell(book: Book, target: str):
    sheet, r, c, _, _ = parse_address(book.names.get(target, target))
    return sheet, r, c
