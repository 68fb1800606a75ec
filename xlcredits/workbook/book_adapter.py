"""The in-memory adapter of the file path: a `WorkbookAdapter` over a `Book` that `writer.save`
then writes with cached values."""

from __future__ import annotations

from typing import Any

from .a1 import address, parse_address
from .book import Book


class InputCellWritten(AssertionError):
    pass


class BookAdapter:
    """A `WorkbookAdapter` over an in-memory `Book` (then saved by `writer.save`)."""

    def __init__(self, book: Book):
        self.book = book
        self._last_rows: dict[str, int] = {}  # sheet -> its last row holding a cell (read_column)

    def _where(self, target: str) -> tuple[str, int, int, int, int]:
        return parse_address(self.book.names.get(target, target))

    def read(self, name: str) -> Any:
        ref = self.book.names.get(name)
        if ref is None:
            return None
        sheet, r, c, _, _ = parse_address(ref)
        cell = self.book.peek(sheet, r, c)
        return None if cell is None else cell.value

    def read_column(self, name: str) -> list[Any]:
        """Down to the sheet's last cell only: the rest of the range is blank (a 2,000-row table is
        mostly empty), and the protocol lets a shorter list say so."""
        sheet, r1, c, r2, _ = parse_address(self.book.names[name])
        cells = self.book.sheets[sheet].cells
        last = self._last_rows.get(sheet)
        if last is None:
            last = self._last_rows[sheet] = max((r for r, _ in cells), default=-1)
        get = cells.get
        return [None if (cell := get((r, c))) is None else cell.value for r in range(r1, min(r2, last) + 1)]

    def _cell(self, sheet: str, r: int, c: int):
        if sheet in self._last_rows and r > self._last_rows[sheet]:
            self._last_rows[sheet] = r
        return self.book.cell_at(sheet, r, c)

    def write(self, target: str, value: Any, formula: str | None = None) -> None:
        sheet, r, c, _, _ = self._where(target)
        cell = self._cell(sheet, r, c)
        if cell.role == "input":
            raise InputCellWritten(f"the filler tried to write input cell {address(sheet, r, c)}")
        cell.value, cell.formula = value, formula

    def note(self, target: str, text: str | None) -> None:
        sheet, r, c, _, _ = self._where(target)
        self._cell(sheet, r, c).note = text or None

    def highlight(self, target: str, severity: str | None) -> None:
        sheet, r, c, _, _ = self._where(target)
        self._cell(sheet, r, c).highlight = severity
