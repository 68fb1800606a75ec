"""The reviewer's notes travel with the workbook: `fill` on a typed workbook copies its Review notes
rows into the completed one (the filler itself never writes them, so the ribbon's fill keeps them
in place)."""

from __future__ import annotations

from .a1 import parse_address
from .book import Book


def read_review_notes(path) -> list[tuple]:
    """The non-empty rows of the `Review_notes` range of a workbook file, as typed (up to 4 values)."""
    import openpyxl

    wb = openpyxl.load_workbook(path, read_only=True, data_only=True, keep_links=False)
    try:
        dn = wb.defined_names.get("Review_notes")
        if dn is None:
            return []
        dests = list(dn.destinations)
        if len(dests) != 1 or dests[0][0] not in wb.sheetnames:
            return []
        sheet, ref = dests[0]
        _, r1, c1, r2, c2 = parse_address(f"'{sheet}'!{ref}")
        rows = wb[sheet].iter_rows(min_row=r1 + 1, max_row=r2 + 1, min_col=c1 + 1, max_col=c2 + 1, values_only=True)
        return [tuple(row) for row in rows if any(v not in (None, "") for v in row)]
    finally:
        wb.close()


def put_review_notes(book: Book, rows: list[tuple]) -> int:
    """Write `rows` into the book's Review notes table from its first row; returns how many fit."""
    ref = book.names.get("Review_notes")
    if ref is None:
        return 0
    sheet, r1, c1, r2, c2 = parse_address(ref)
    count = min(len(rows), r2 - r1 + 1)
    for i, row in enumerate(rows[:count]):
        for j, value in enumerate(row[: c2 - c1 + 1]):
            book.cell_at(sheet, r1 + i, c1 + j).value = value
    return count
