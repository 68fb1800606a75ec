"""Cell addresses and blocks for COM calls: every call is a round trip, so cells are grouped into
rectangles and multi-area addresses (Excel takes up to 255 characters), rows into runs."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Any

from ..workbook.layout import col_letter

MAX_AREA_ADDRESS = 255  # Excel's limit for a multi-area Range("A1,B2:B9,...") address


def a1(r1: int, c1: int, r2: int | None = None, c2: int | None = None) -> str:
    """0-based positions -> "$A$1" or "$A$1:$C$9"."""
    first = f"${col_letter(c1)}${r1 + 1}"
    if r2 is None or (r2, c2) == (r1, c1):
        return first
    return f"{first}:${col_letter(c2)}${r2 + 1}"


def column_runs(cells) -> list[tuple[int, int, int]]:
    """(col, first row, last row) for each run of vertically adjacent cells, by column then row."""
    out = []
    for r, c in sorted(cells, key=lambda rc: (rc[1], rc[0])):
        if out and out[-1][0] == c and out[-1][2] == r - 1:
            out[-1] = (c, out[-1][1], r)
        else:
            out.append((c, r, r))
    return out


def rectangles(cells) -> list[tuple[int, int, int, int]]:
    """(r1, c1, r2, c2) blocks covering exactly `cells`: column runs, side-by-side runs merged."""
    blocks: list[list[int]] = []
    open_by_rows: dict[tuple[int, int], list[int]] = {}
    for c, r1, r2 in column_runs(cells):
        block = open_by_rows.get((r1, r2))
        if block is not None and block[3] == c - 1:
            block[3] = c
        else:
            block = [r1, c, r2, c]
            blocks.append(block)
            open_by_rows[(r1, r2)] = block
    return [tuple(b) for b in blocks]


def _chunks(areas) -> list[str]:
    chunks, current = [], ""
    for area in areas:
        if current and len(current) + 1 + len(area) > MAX_AREA_ADDRESS:
            chunks.append(current)
            current = ""
        current = f"{current},{area}" if current else area
    if current:
        chunks.append(current)
    return chunks


def area_chunks(cells) -> list[str]:
    """Multi-area addresses ("$O$5:$O$9,$O$12") covering `cells`, each within Excel's 255 characters."""
    return _chunks(a1(*rect) for rect in rectangles(cells))


def runs(rows) -> list[list[int]]:
    """Sorted runs of consecutive rows: {4, 5, 6, 9} -> [[4, 6], [9, 9]] (0-based)."""
    out: list[list[int]] = []
    for r in sorted(rows):
        if out and out[-1][1] == r - 1:
            out[-1][1] = r
        else:
            out.append([r, r])
    return out


def rows_of_runs(kept) -> list[int]:
    return [r for first, last in kept for r in range(int(first), int(last) + 1)]


def row_chunks(rows) -> list[str]:
    """Whole-row addresses ("$5:$7,$10:$10", 1-based as Excel writes them) covering the 0-based `rows`."""
    return _chunks(f"${first + 1}:${last + 1}" for first, last in runs(rows))


def grid(data) -> list:
    """A COM block (a tuple of row tuples; a bare value for one cell) as a list of rows."""
    if isinstance(data, tuple) and data and isinstance(data[0], tuple):
        return [list(row) for row in data]
    return [[data]]


def by_sheet(cells: dict) -> dict[str, dict[tuple[int, int], Any]]:
    out: dict[str, dict[tuple[int, int], Any]] = {}
    for (sheet, r, c), value in cells.items():
        out.setdefault(sheet, {})[(r, c)] = value
    return out


def rgb_int(color: str) -> int:
    """"#RRGGBB" -> the BGR integer of Interior.Color / Font.Color."""
    r, g, b = int(color[1:3], 16), int(color[3:5], 16), int(color[5:7], 16)
    return r + (g << 8) + (b << 16)


def excel_value(value: Any) -> Any:
    """A value as Excel should hold it: numbers as floats; text always as text (the leading
    apostrophe stops Excel from reading "2025", "0.1.0" or "=..." as a number, date or formula);
    empty text clears the cell, as XlsxWriter does."""
    if value is None or value == "":
        return None
    if isinstance(value, (bool, datetime)):
        return value
    if isinstance(value, date):
        return datetime(value.year, value.month, value.day)
    if isinstance(value, (int, float, Decimal)):
        return float(value)
    return "'" + str(value)
