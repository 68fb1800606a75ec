"""What `verify` (and `extract`) read of a workbook file, in one streamed pass over each sheet.

openpyxl's read-only loader reads the workbook part, its defined names, styles and shared strings
(small parts, through defusedxml); each sheet's XML is then read once by `sheet_stream` into plain
dicts of values, style ids and formulas. Cell objects are made only for the few cells whose look
is checked (`LightSheet.cell`), so openpyxl's styles answer for number formats, fonts and fills."""

from __future__ import annotations

from types import SimpleNamespace
from typing import Any

from .sheet_stream import Conversions, DamagedSheet, SheetCells, parse_sheet


def load_light(path) -> "LightBook":
    """Open a workbook file as openpyxl's read-only `load_workbook` does — the package's manifest,
    shared strings, workbook part (sheets, defined names, 1904 dates) and styles, all through
    defusedxml — and then read each worksheet once with `sheet_stream`. Left out: what the checks
    never look at (document properties, theme, a first parse of every sheet for its dimensions)."""
    from openpyxl.reader.excel import ExcelReader
    from openpyxl.styles.stylesheet import apply_stylesheet
    from openpyxl.workbook.defined_name import DefinedNameDict

    reader = ExcelReader(path, read_only=True, keep_vba=False, data_only=True, keep_links=False)
    try:
        reader.read_manifest()
        reader.read_strings()
        reader.read_workbook()
        apply_stylesheet(reader.archive, reader.wb)
        sheets = [(sheet.name, rel, sheet.state) for sheet, rel in reader.parser.find_sheets()
                  if rel.target in reader.valid_files]
        names = reader.parser.defined_names.by_sheet().get("global", DefinedNameDict())  # as `assign_names`
        return LightBook(reader, sheets, names)
    finally:
        reader.archive.close()


class LightBook:
    """The part of openpyxl's `Workbook` the checks use: `sheetnames`, `defined_names`, `book[name]`,
    `worksheets`, with each sheet parsed when the file is opened (a damaged part is refused there,
    as with a full load)."""

    def __init__(self, reader, sheets: list, defined_names):
        book = reader.wb
        self.sheetnames = [name for name, _, _ in sheets]
        self.defined_names = defined_names
        self.epoch = book.epoch
        # What a cell's look is read from (openpyxl's `ReadOnlyCell` asks its sheet's parent). Not the
        # book itself: a sheet pointing back at its book is a cycle, which only the cycle collector
        # frees; without one, the 20,000 values of a 2,000-row book go the moment the check ends.
        self.styles = SimpleNamespace(_cell_styles=book._cell_styles, _number_formats=book._number_formats,
                                      _fonts=book._fonts, _fills=book._fills)
        conv = Conversions(reader.shared_strings, book._date_formats, book._timedelta_formats, book.epoch,
                           len(book._cell_styles))
        self._sheets = {name: LightSheet(self, name, state, reader.archive, rel.target, conv)
                        for name, rel, state in sheets if "chartsheet" not in rel.Type}

    def __getitem__(self, name: str) -> "LightSheet":
        found = self._sheets.get(name)
        if found is None:  # a chart sheet: no cells
            found = self._sheets[name] = LightSheet(self, name)
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

    def __init__(self, book: LightBook, title: str, state: str = "visible", archive=None, part: str = "",
                 conv: Conversions | None = None):
        from openpyxl.worksheet.cell_range import CellRange

        self.parent, self.title, self.sheet_state = book.styles, title, state or "visible"
        self._found = SheetCells()
        if archive is not None:
            with archive.open(part) as src:
                try:
                    self._found = parse_sheet(src, conv)
                except DamagedSheet as exc:
                    raise DamagedSheet(f"on its sheet {title!r}, {exc}") from None
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
