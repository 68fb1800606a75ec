"""The Review notes table of a completed workbook: the workbook-level defined name `Review_notes`
over a range of four columns — line or cell, note, status (open or cleared), who. A header row at
the top of the range is recognised by its words and skipped; blank rows are skipped. A workbook
without the name has no notes table (older workbooks): `read_notes` returns None."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

NAME = "Review_notes"
CLEARED_WORDS = {"cleared", "clear", "closed", "resolved", "done"}
_HEADER_WORDS = {"where": ("line", "cell"), "note": ("note", "comment"), "status": ("status",), "who": ("who", "by")}


@dataclass(frozen=True)
class Note:
    where: str  # the line or cell the note is about: "Line 8a", "Products!C7"
    note: str
    status: str  # "open" or "cleared"
    who: str

    def as_json(self) -> dict:
        return {"where": self.where, "note": self.note, "status": self.status, "who": self.who}


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return str(value).strip()


def status_of(value: Any) -> str:
    return "cleared" if _text(value).lower() in CLEARED_WORDS else "open"


def _columns(header: list[str]) -> dict[str, int] | None:
    """Column positions from a header row, or None when the row is not a header."""
    found: dict[str, int] = {}
    for i, text in enumerate(header):
        low = text.lower()
        for key, words in _HEADER_WORDS.items():
            if key not in found and any(w in low for w in words):
                found[key] = i
                break
    return found if {"where", "note"} <= found.keys() else None


def notes_from_rows(rows: list[list[Any]]) -> list[Note]:
    """Notes from the rows of the table (header optional)."""
    rows = [[_text(v) for v in row] for row in rows]
    columns = {"where": 0, "note": 1, "status": 2, "who": 3}
    if rows:
        header = _columns(rows[0])
        if header is not None:
            columns = {**columns, **header}
            rows = rows[1:]
    notes = []
    for row in rows:
        where, note, status, who = (row[columns[k]] if columns[k] < len(row) else ""
                                    for k in ("where", "note", "status", "who"))
        if where or note:
            notes.append(Note(where, note, status_of(status), who))
    return notes


def read_notes(wb) -> list[Note] | None:
    """The notes of an openpyxl workbook (cell values), or None when it has no `Review_notes`."""
    from ..workbook.layout import parse_address

    found = None
    for name, dn in wb.defined_names.items():
        if name.lower() != NAME.lower():
            continue
        try:
            dests = list(dn.destinations)
        except Exception:  # =#REF! or a constant: no table
            return None
        if len(dests) == 1 and dests[0][0] in wb.sheetnames:
            sheet, ref = dests[0]
            found = parse_address(f"'{sheet.replace(chr(39), chr(39) * 2)}'!{ref}")
    if found is None:
        for ws in wb.worksheets:  # an Excel table (list object) of that name
            for table_name, ref in getattr(ws, "tables", {}).items():
                if table_name.lower() == NAME.lower():
                    found = parse_address(f"'{ws.title.replace(chr(39), chr(39) * 2)}'!{ref}")
    if found is None:
        return None
    sheet, r1, c1, r2, c2 = found
    ws = wb[sheet]
    rows = ws.iter_rows(min_row=r1 + 1, max_row=min(r2 + 1, r1 + 5000), min_col=c1 + 1, max_col=max(c2 + 1, c1 + 4),
                        values_only=True)
    return notes_from_rows([list(r) for r in rows])


def open_count(notes: list[Note] | None) -> int:
    return sum(1 for n in notes or () if n.status == "open")
