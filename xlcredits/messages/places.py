"""Where a problem is, as the user knows it: the JSON path with a 1-based row number and the row's
description, or the cell in A1 terms for a typed-in workbook."""

from __future__ import annotations

import re
from typing import Any

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
    from ..workbook.filler import display_address
    from ..workbook.inputs import locate, read_inputs
    from ..workbook.layout import parse_address
    from ..workbook.reader import checked

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
