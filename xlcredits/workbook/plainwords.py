"""Findings in the preparer's words: a JSON path such as `components[3].units` becomes the row and
column as the workbook shows them ("Products row 4 — Module, 200 W, column “Units”"), and a field
path such as `attestations.prohibited_foreign_entity` becomes the field's label on the form."""

from __future__ import annotations

import re
from typing import Any

from .a1 import col_letter, parse_address
from .inputs import get_path
from .places import Layout, SchedulePlace

_ROW_PATH = re.compile(r"\b([a-z_]+)\[(\d+)\](?:\.([a-z_]+))?")
_BOOL_WORDS = {" to false (or true)": " to No (or Yes)", " to true (or false)": " to Yes (or No)",
               " to false": " to No", " to true": " to Yes"}  # longest first


def row_text(sp: SchedulePlace, index: int, data: dict) -> str:
    """"Products row 4 — Module, 200 W": the table's sheet, the row as numbered there, its description."""
    rows = get_path(data, sp.schedule.json_field) if isinstance(data, dict) else None
    row = rows[index] if isinstance(rows, list) and index < len(rows) and isinstance(rows[index], dict) else {}
    label = next((str(row[k]) for k in ("description", "name", "credit") if row.get(k) not in (None, "")), "")
    where = f"{sp.sheet} row {index + 1}"
    return f"{where} — {label}" if label else where


def _schedule_by_field(layout: Layout, json_field: str) -> SchedulePlace | None:
    return next((sp for sp in layout.schedules.values() if sp.schedule.json_field == json_field), None)


def where_text(layout: Layout, where: str, data: dict) -> str:
    """A finding's `where` in plain words ("" when it names nothing the workbook shows)."""
    m = _ROW_PATH.fullmatch(where or "")
    if m:
        sp = _schedule_by_field(layout, m.group(1))
        if sp is not None:
            text = row_text(sp, int(m.group(2)), data)
            column = sp.columns.get(m.group(3) or "")
            return f"{text}, column “{column.label}”" if column is not None else text
    fp = layout.fields.get(where or "")
    if fp is not None:
        return f"“{fp.field.label}”"
    return ""


def plain(layout: Layout, text: str, data: dict) -> str:
    """`text` with every JSON path replaced by the row, column or field label it names."""
    def row(m: re.Match) -> str:
        found = where_text(layout, m.group(0), data)
        return found or m.group(0)

    out = _ROW_PATH.sub(row, text)
    for path in sorted(layout.fields, key=len, reverse=True):
        if ("." in path or "_" in path) and path in out:  # a plain word ("units") stays a word
            fp = layout.fields[path]
            label = f"“{fp.field.label}”"
            if fp.field.type == "bool":
                for word, shown in _BOOL_WORDS.items():
                    out = out.replace(path + word, label + shown)
            out = re.sub(rf"(?<![\w.\[]){re.escape(path)}(?![\w\[])", label, out)
    return out


def display_address(target: str) -> str:
    """"'Products'!$D$4" -> "Products!D4"; "'Form 7207'!$F$20" keeps its quotes."""
    sheet, r, c, _, _ = parse_address(target)
    shown = sheet if sheet.replace("_", "").isalnum() else "'" + sheet.replace("'", "''") + "'"
    return f"{shown}!{col_letter(c)}{r + 1}"


def line_of(layout: Layout, target: str | None, where: str, result: Any, data: dict | None = None) -> str:
    """The form line a finding is about: the line whose cell it marks, the Part I line of an input,
    or a schedule row's line (as the engine placed it; as typed when the form was not computed)."""
    m = _ROW_PATH.match(where or "")
    if m:
        sp = _schedule_by_field(layout, m.group(1))
        if sp is not None and sp.schedule.line_column:
            index = int(m.group(2))
            for row in result.rows.get(sp.schedule.key, []):
                if row.get("#index") == index:
                    return str(row.get(sp.schedule.line_column) or "")
            rows = get_path(data, sp.schedule.json_field) if isinstance(data, dict) else None
            typed = rows[index] if isinstance(rows, list) and index < len(rows) else None
            if isinstance(typed, dict) and typed.get(sp.schedule.line_column) not in (None, ""):
                return str(typed[sp.schedule.line_column])
    if target is None:
        return ""
    for key, place in layout.line_places.items():
        if place.address == target:
            return key
    sheet, r, _, _, _ = parse_address(target)
    cell = layout.book.peek(sheet, r, 0) if sheet in layout.book.sheets else None
    return str(cell.value) if cell is not None and cell.role == "line_no" and cell.value else ""
