"""What `verify` (and `extract`) read of a workbook file, in one streamed pass over each sheet.

openpyxl's read-only loader reads the workbook part, its defined names, styles and shared strings
(small parts, through defusedxml); each sheet's XML is then read once by `sheet_stream` into plain
dicts of values, style ids and formulas. Cell objects are made only for the few cells whose look
is checked (`LightSheet.cell`), so openpyxl's styles answer for number formats, fonts and fills."""

from __future__ import annotations

from types import SimpleNamespace
from typing import Any

from .sheet_stream import Conversions, DamagedSheet, SheetCells, parse_sheet


class LightBook:
    """The part of openpyxl's `Workbook` the checks use: `sheetnames`, `defined_names`, `book[name]`,
    `worksheets`, with each sheet parsed when the file is opened (a damaged part is refused there,
    as with a full load)."""

    def __init__(self, book):
        self.sheetnames = book.sheetnames
        self.defined_names = book.defined_names
        self.epoch = book.epoch
        # What a cell's look is read from (openpyxl's `ReadOnlyCell` asks its sheet's parent). Not the
        # book itself: a sheet pointing back at its book is a cycle, which only the cycle collector
        # frees; without one, the 20,000 values of a 2,000-row book go the moment the check ends.
        self.styles = SimpleNamespace(_cell_styles=book._cell_styles, _number_formats=book._number_formats,
                                      _fonts=book._fonts, _fills=book._fills)
        try:
            self._sheets = {ws.title: LightSheet(self, ws) for ws in book.worksheets}
        finally:
            book.close()

    def __getitem__(self, name: str) -> "LightSheet":
        found = self._sheets.get(name)
        if found is None:  # a chart sheet: no cells
            found = self._sheets[name] = LightSheet(self, None, name)
        return found

    @property
    def worksheets(self) -> list:
        return [self[name] for name in self.sheetnames]

    def formulas(self) -> dict[str, dict[tuple[int, int], str]] | None:
        """Every formula of every sheet as `verify_checks.read_formulas` gives them, read in the same
        pass as the values; None when a sheet has shared formulas (read them with `read_formulas`)."""
        if any(sheet.shared_formulas for sheet in self._sheets.values()):
            return None
        return {name: self[name].formulas for name in self.sheetnames}


class LightSheet:
    """One sheet's stored values (`values`, 0-based positions), formulas, merged ranges, hidden rows
    and columns and state."""

    def __init__(self, book: LightBook, ws, title: str = ""):
        from openpyxl.worksheet.cell_range import CellRange

        self.parent, self.title = book.styles, ws.title if ws is not None else title
        self.sheet_state = getattr(ws, "sheet_state", "visible") if ws is not None else "visible"
        self._found = SheetCells()
        if ws is not None:
            conv = Conversions(ws._shared_strings, ws.parent._date_formats, ws.parent._timedelta_formats,
                               book.epoch, len(book.styles._cell_styles))
            with ws._get_source() as src:
                try:
                    self._found = parse_sheet(src, conv)
                except DamagedSheet as exc:
                    raise DamagedSheet(f"on its sheet {ws.title!r}, {exc}") from None
        self.values: dict[tuple[int, int], Any] = self._found.values
        self.formulas: dict[tuple[int, int], str] = self._found.formulas
        self.shared_formulas = self._found.shared_formulas
        self.merged_cells = SimpleNamespace(ranges=[CellRange(ref) for ref in self._found.merged])

    def cell(self, row: int, column: int):
        """The cell at a 1-based position, carrying its style; blank, with the default style, if the
        file has none."""
        from openpyxl.cell.read_only import ReadOnlyCell

        key = (row - 1, column - 1)
        return ReadOnlyCell(self, row, column, self.values.get(key), "n", self._found.styles.get(key, 0))

    def row_hidden(self, row: int) -> bool:
        return row in self._found.hidden_rows

    def column_hidden(self, column: int) -> bool:
        """Hidden when any <col> range covering the 1-based column is (LibreOffice saves A:E as one)."""
        return any(low <= column <= high for low, high in self._found.hidden_columns)
