"""Read a workbook file with openpyxl (defusedxml installed: no XML entity expansion from client
files): the inputs typed into it, and the cached values of its line cells.

The file is only ever read; nothing here saves a workbook (openpyxl would drop cached values)."""

from __future__ import annotations

import zipfile
from pathlib import Path
from typing import Any

from .layout import parse_address
from .writer import WorkbookError

MAX_FILE_BYTES = 50 * 1024 * 1024
MAX_UNPACKED_BYTES = 400 * 1024 * 1024


def open_workbook(path, data_only: bool = True):
    """Open an .xlsx for reading, or raise `WorkbookError` with one sentence saying why not."""
    import openpyxl
    from openpyxl.utils.exceptions import InvalidFileException

    p = Path(path)
    if not p.exists():
        raise WorkbookError(f"{path}: no such file")
    if p.is_dir():
        raise WorkbookError(f"{path} is a folder, not a workbook")
    size = p.stat().st_size
    if size > MAX_FILE_BYTES:
        raise WorkbookError(f"{p.name} is {size:,} bytes; workbooks over {MAX_FILE_BYTES:,} bytes are refused")
    try:
        with zipfile.ZipFile(p) as z:
            unpacked = sum(i.file_size for i in z.infolist())
            names = set(z.namelist())
    except zipfile.BadZipFile:
        raise WorkbookError(f"{p.name} is not an .xlsx workbook (not a zip file; .xls and .csv are not read)") from None
    except OSError as exc:
        raise WorkbookError(f"cannot read {p.name}: {exc.strerror or exc}") from None
    if unpacked > MAX_UNPACKED_BYTES:
        raise WorkbookError(f"{p.name} unpacks to {unpacked:,} bytes; refused as too large")
    if "xl/workbook.xml" not in names:
        raise WorkbookError(f"{p.name} is a zip file but not an Excel workbook")
    try:
        return openpyxl.load_workbook(p, data_only=data_only, keep_vba=False, keep_links=False)
    except InvalidFileException:
        raise WorkbookError(f"{p.name} is not an .xlsx workbook") from None
    except PermissionError:
        raise WorkbookError(f"{path}: permission denied") from None
    except Exception as exc:  # a damaged file can fail anywhere inside openpyxl
        raise WorkbookError(f"{p.name} could not be read as a workbook ({type(exc).__name__})") from None


class OpenpyxlAdapter:
    """A read-only `WorkbookAdapter` over an openpyxl workbook (cached values when data_only)."""

    def __init__(self, wb):
        self.wb = wb
        self.names = {}
        for name, dn in wb.defined_names.items():
            try:
                dests = list(dn.destinations)
            except Exception:
                continue
            if len(dests) == 1:
                sheet, ref = dests[0]
                self.names[name.upper()] = (sheet, ref)

    def _ref(self, name: str):
        return self.names.get(name.upper())

    def read(self, name: str) -> Any:
        found = self._ref(name)
        if found is None:
            return None
        return self.value_at(f"'{found[0]}'!{found[1]}")

    def value_at(self, target: str) -> Any:
        sheet, r, c, _, _ = parse_address(target)
        if sheet not in self.wb.sheetnames:
            return None
        return self.wb[sheet].cell(row=r + 1, column=c + 1).value

    def read_column(self, name: str) -> list[Any]:
        found = self._ref(name)
        if found is None:
            return []
        sheet, r1, c, r2, _ = parse_address(f"'{found[0]}'!{found[1]}")
        if sheet not in self.wb.sheetnames:
            return []
        ws = self.wb[sheet]
        return [row[0] for row in ws.iter_rows(min_row=r1 + 1, max_row=r2 + 1, min_col=c + 1, max_col=c + 1,
                                                values_only=True)]

    def address_of(self, name: str) -> str | None:
        found = self._ref(name)
        return None if found is None else f"'{found[0]}'!{found[1]}"

    def write(self, target, value, formula=None):  # pragma: no cover - read-only by design
        raise NotImplementedError("workbook files are never modified; `xlcredits fill` writes a new file")

    note = highlight = write


def read_file_inputs(path) -> tuple[dict, object]:
    """The inputs typed into a workbook file, as the form's JSON input, and its layout."""
    from .filler import NotAWorkbook, layout_of
    from .inputs import read_inputs

    adapter = OpenpyxlAdapter(open_workbook(path, data_only=True))
    try:
        layout = layout_of(adapter)
    except NotAWorkbook as exc:
        raise WorkbookError(f"{Path(path).name}: {exc}") from None
    data, _ = read_inputs(adapter, layout)
    return data, layout
