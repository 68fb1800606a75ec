"""Read a workbook file: the inputs typed into it, and the cached values of its line cells. Client
files are untrusted: before any part is parsed, the file's size, its unpacked size and its kind are
checked; openpyxl parses XML with defusedxml (no entity expansion, no external entities), and the
sheets `verify` and `extract` stream themselves (`light_book`, `sheet_stream`) refuse entities the
same way; the template's defined names and input cells must be where the template put them. Every
refusal is one sentence naming the file and, where it applies, the sheet, the cell or the name.

The file is only ever read; nothing here saves a workbook (openpyxl would drop cached values)."""

from __future__ import annotations

import zipfile
import zlib
from pathlib import Path
from typing import Any

from ..filekinds import WHAT, not_a_workbook
from .layout import Layout, parse_address
from .writer import WorkbookError

MAX_FILE_BYTES = 50 * 1024 * 1024
# A full form workbook (2,000 rows in every table) unpacks to about 5 MB; a zip bomb to gigabytes.
MAX_UNPACKED_BYTES = 100 * 1024 * 1024
MAX_PARTS = 10_000


def open_workbook(path, data_only: bool = True, light: bool = False):
    """Open an .xlsx for reading, or raise `WorkbookError` with one sentence saying why not.

    `light`: cached values, styles, merges and hidden rows and columns from one streamed pass over
    each sheet (a `LightBook`), not openpyxl's full model of every cell (three to four times slower)."""
    import openpyxl
    from openpyxl.xml import DEFUSEDXML

    if not DEFUSEDXML:  # pragma: no cover - defusedxml is a dependency; never parse client XML without it
        raise WorkbookError("xlcredits cannot read workbooks safely without the defusedxml package: reinstall it")
    p = Path(path)
    _check_package(p, path)
    try:
        if light:
            from .light_book import load_light

            return load_light(p)
        return openpyxl.load_workbook(p, data_only=data_only, keep_vba=False, keep_links=False)
    except Exception as exc:  # a damaged or hostile file can fail anywhere inside openpyxl
        raise WorkbookError(_unreadable(p, exc)) from None


def _check_package(p: Path, path) -> None:
    """Refuse, before any part is parsed, what is not a regular .xlsx file of a sane size."""
    if not p.exists():
        raise WorkbookError(f"{path}: no such file")
    if p.is_dir():
        raise WorkbookError(f"{path} is a folder, not a workbook")
    import stat

    status = p.stat()
    if not stat.S_ISREG(status.st_mode):  # a FIFO would block the first read forever; /dev/zero never ends
        raise WorkbookError(f"{p.name} is not a regular file (a pipe, device or socket): give an .xlsx workbook")
    size = status.st_size
    if size > MAX_FILE_BYTES:
        raise WorkbookError(f"{p.name} is {size:,} bytes; workbooks over {MAX_FILE_BYTES:,} bytes are refused")
    try:
        with open(p, "rb") as f:
            head = f.read(4096)
        with zipfile.ZipFile(p) as z:
            infos = z.infolist()
    except (zipfile.BadZipFile, EOFError):
        raise WorkbookError(not_a_workbook(p, head)) from None
    except OSError as exc:
        raise WorkbookError(f"cannot read {p.name}: {exc.strerror or exc}") from None
    # Sizes are checked as declared before anything is unpacked; zipfile stops at the declared size
    # of each part and rejects a part whose data does not match it, so the declaration cannot lie.
    unpacked = sum(i.file_size for i in infos)
    if len(infos) > MAX_PARTS or unpacked > MAX_UNPACKED_BYTES:
        raise WorkbookError(f"{p.name} unpacks to {unpacked:,} bytes in {len(infos):,} parts; refused as too large "
                            f"(a zip bomb?): form workbooks unpack to a few megabytes")
    names = {i.filename for i in infos}
    if "xl/workbook.xml" not in names:
        other = ("an Excel binary workbook (.xlsb): save it as .xlsx" if "xl/workbook.bin" in names else
                 "an OpenDocument spreadsheet: save it as .xlsx" if "content.xml" in names else
                 "a zip file but not an Excel workbook")
        raise WorkbookError(f"{p.name} is {other}")


def _unreadable(p: Path, exc: Exception) -> str:
    from defusedxml import DefusedXmlException
    from openpyxl.utils.exceptions import InvalidFileException

    from xml.parsers.expat import ExpatError

    from .sheet_stream import DamagedSheet

    causes, seen = [], exc
    while seen is not None and len(causes) < 10:
        causes.append(seen)
        seen = seen.__cause__ or seen.__context__
    if any(isinstance(c, DefusedXmlException) for c in causes):
        return (f"{p.name} declares XML entities, which Excel never writes (an XML entity attack?): refused, "
                f"nothing in it was expanded or fetched")
    damaged = next((c for c in causes if isinstance(c, DamagedSheet)), None)
    if damaged is not None:
        return f"{p.name} is damaged: {damaged} (save it again in Excel, or ask for a new copy)"
    if any(isinstance(c, PermissionError) for c in causes):
        return f"{p}: permission denied"
    if any(isinstance(c, MemoryError) for c in causes):
        return f"{p.name} is too large to read"
    if isinstance(exc, InvalidFileException):
        return f"{p.name} is not an .xlsx workbook (name it .xlsx if it is one)"
    unparsed = (zipfile.BadZipFile, zlib.error, KeyError, SyntaxError, EOFError, ExpatError)
    if any(isinstance(c, unparsed) for c in causes):
        return f"{p.name} {WHAT['zip']}"  # bad CRC, a missing part, XML that does not parse
    return f"{p.name} could not be read as a workbook ({type(exc).__name__})"


def input_areas(layout: Layout) -> list[tuple[str, int, int, int, int]]:
    """The input cells of a layout as rectangles (sheet, r1, c1, r2, c2), 0-based."""
    areas = [parse_address(fp.place.address) for fp in layout.fields.values()]
    areas += [parse_address(place.address) for parts in layout.tax_year_parts.values() for place in parts]
    for sp in layout.schedules.values():
        for column in sp.inputs():
            sheet, r1, c, _, _ = parse_address(sp.address(0, column.key))
            areas.append((sheet, r1, c, r1 + sp.max_rows - 1, c))
    return areas


def check_merges(wb, layout: Layout, name: str) -> None:
    """An input cell merged into a range it does not start reads as blank (its value is the first
    cell's): refuse, naming the range and the cell."""
    from .layout import address
    from .filler import display_address

    areas = input_areas(layout)
    for ws in wb.worksheets:
        mine = [a for a in areas if a[0] == ws.title]
        for merged in ws.merged_cells.ranges if mine else ():
            r1, c1, r2, c2 = merged.min_row - 1, merged.min_col - 1, merged.max_row - 1, merged.max_col - 1
            for _, ar1, ac1, ar2, ac2 in mine:
                top, left, bottom, right = max(r1, ar1), max(c1, ac1), min(r2, ar2), min(c2, ac2)
                if top > bottom or left > right or (top, left, bottom, right) == (r1, c1, r1, c1):
                    continue  # no overlap, or only the merge's first cell, whose value is kept
                cell = (top, left) if (top, left) != (r1, c1) else ((top, left + 1) if right > left else (top + 1, left))
                raise WorkbookError(
                    f"{name}: cells {display_address(address(ws.title, r1, c1))}:{merged.coord.split(':')[-1]} are "
                    f"merged over the input cell {display_address(address(ws.title, *cell))}, whose value is lost: "
                    f"unmerge them and type the value again")


class OpenpyxlAdapter:
    """A read-only `WorkbookAdapter` over an openpyxl workbook (cached values when data_only)."""

    def __init__(self, wb):
        self.wb = wb
        self._grids: dict[str, dict] = {}  # sheet -> {(row, col) 0-based: value}, built on first read
        self.names: dict[str, tuple] = {}  # NAME -> (sheet, r1, c1, r2, c2), as `parse_address`
        for name, dn in wb.defined_names.items():
            try:
                dests = list(dn.destinations)
                if len(dests) == 1 and dests[0][0] in wb.sheetnames:  # a name on a deleted sheet is gone
                    sheet, ref = dests[0]
                    self.names[name.upper()] = parse_address(f"'{sheet.replace(chr(39), chr(39) * 2)}'!{ref}")
            except Exception:  # =#REF!, constants, several areas: not a name the template made
                continue

    def read(self, name: str) -> Any:
        found = self.names.get(name.upper())
        if found is None:
            return None
        return self._value(found[0], found[1], found[2])

    def _grid(self, sheet: str) -> dict | None:
        """The sheet's stored values by position, read once: `ws.cell()` creates a cell object for
        every blank it is asked about (10,000 of them in a verify of 2,000 rows), a dict does not."""
        grid = self._grids.get(sheet)
        if grid is None:
            if sheet not in self.wb.sheetnames:
                return None
            ws = self.wb[sheet]
            held = getattr(ws, "values", None)  # a `LightSheet` holds its values by position already
            grid = self._grids[sheet] = held if isinstance(held, dict) else dict(stored_values(ws))
        return grid

    def values_of(self, sheet: str) -> dict:
        """{(row, col) 0-based: stored value} of a sheet (empty for a sheet the file lacks); read-only."""
        return self._grid(sheet) or {}

    def _value(self, sheet: str, r: int, c: int) -> Any:
        grid = self._grid(sheet)
        return None if grid is None else grid.get((r, c))

    def value_in(self, sheet: str, r: int, c: int) -> Any:
        """The stored value at a 0-based position."""
        return self._value(sheet, r, c)

    def value_at(self, target: str) -> Any:
        sheet, r, c, _, _ = parse_address(target)
        return self._value(sheet, r, c)

    def read_column(self, name: str) -> list[Any]:
        found = self.names.get(name.upper())
        if found is None or found[0] not in self.wb.sheetnames:
            return []
        sheet, r1, c, r2, _ = found
        grid = self._grid(sheet)
        return [grid.get((r, c)) for r in range(r1, r2 + 1)]

    def address_of(self, name: str) -> str | None:
        from .layout import address, range_address

        found = self.names.get(name.upper())
        if found is None:
            return None
        return address(*found[:3]) if found[1:3] == found[3:5] else range_address(*found)

    def write(self, target, value, formula=None):  # pragma: no cover - read-only by design
        raise NotImplementedError("workbook files are never modified; `xlcredits fill` writes a new file")

    note = highlight = write


def checked(path, data_only: bool = True, light: bool = False) -> tuple[OpenpyxlAdapter, Layout]:
    """Open a form workbook file and check it still has its template's layout: its defined names
    where the template put them, no input cell merged away. Every problem is a `WorkbookError`."""
    from .filler import NotAWorkbook, check_layout, layout_of

    adapter = OpenpyxlAdapter(open_workbook(path, data_only=data_only, light=light))
    try:
        layout = layout_of(adapter)
        check_layout(layout, adapter.names)
    except NotAWorkbook as exc:
        raise WorkbookError(f"{Path(path).name}: {exc}") from None
    check_merges(adapter.wb, layout, Path(path).name)
    check_below_tables(adapter, layout, Path(path).name)
    return adapter, layout


def check_below_tables(adapter: "OpenpyxlAdapter", layout: Layout, name: str) -> None:
    """Rows typed below a schedule's last row would be silently ignored (its formulas and defined
    names end there): refuse, naming the first such cell.

    Only the cells the file holds are looked at (openpyxl keeps them in a dict): walking the rows
    from the table's end to `max_row` would create a million empty cells for one value — or one
    border — at row 1,048,576 (3 GB and a minute)."""
    from .filler import display_address
    from .layout import address

    for sp in layout.schedules.values():
        bounds = [adapter.names.get(sp.names[c.key].upper()) for c in sp.inputs()]  # (sheet, r1, c1, r2, c2)
        bounds = [b for b in bounds if b is not None]
        if not bounds or bounds[0][0] not in adapter.wb.sheetnames:
            continue
        ws = adapter.wb[bounds[0][0]]
        last = max(b[3] for b in bounds)  # 0-based last row of the table
        spec = layout.book.sheets.get(ws.title)
        if spec is None or any(r > last for r, _ in spec.cells):
            continue  # a table inside the form (Part III) has the form's next part below it
        cols = {b[2] for b in bounds}
        stray = min(((r, c) for (r, c), value in stored_values(ws)
                     if r > last and c in cols and value not in (None, "")), default=None)
        if stray is not None:
            raise WorkbookError(
                f"{name}: {display_address(address(ws.title, *stray))} holds data below the table, whose last "
                f"row is {last + 1}; it would be ignored. Move it into the table (at most {sp.max_rows} rows), "
                f"or split the input across workbooks.")


def stored_cells(ws):
    """((row, column), cell) for the cells a worksheet file actually holds, 1-based, in no order;
    never the empty cells between them (`iter_rows` would create every one)."""
    cells = getattr(ws, "_cells", None)
    if cells is None:  # a read-only worksheet streams its rows and creates none
        return (((c.row, c.column), c) for row in ws.rows for c in row if getattr(c, "row", None))
    return list(cells.items())


def stored_values(ws):
    """((row, column), value) for the cells a worksheet file holds, 0-based, in no order."""
    values = getattr(ws, "values", None)
    if isinstance(values, dict):  # a `LightSheet`: read into a dict already
        return values.items()
    return (((r - 1, c - 1), cell.value) for (r, c), cell in stored_cells(ws))


def sheet_rows(ws) -> dict[int, tuple]:
    """{row number: the row's values from column A} for the rows a worksheet file holds (1-based),
    built from its stored cells only: bounded by what the file holds, not by `max_row`."""
    found: dict[int, dict[int, Any]] = {}
    for (r, c), cell in stored_cells(ws):
        found.setdefault(r, {})[c] = cell.value
    return {r: tuple(cells.get(c) for c in range(1, max(cells) + 1)) for r, cells in found.items()}


def read_file_inputs(path) -> tuple[dict, object]:
    """The inputs typed into a workbook file, as the form's JSON input, and its layout (values read
    in one streamed pass, as `verify` reads them: a third of the time of openpyxl's full model)."""
    from .inputs import read_inputs

    adapter, layout = checked(path, light=True)
    data, _ = read_inputs(adapter, layout)
    return data, layout


def macro_note(path) -> str | None:
    """A sentence when a workbook carries macros (an .xlsm): they are never run, and never copied."""
    try:
        with zipfile.ZipFile(path) as z:
            macros = [n for n in z.namelist() if n.lower().endswith("vbaproject.bin")]
    except (OSError, zipfile.BadZipFile):
        return None
    if not macros:
        return None
    return (f"{Path(path).name} contains macros ({macros[0]}): xlcredits never runs them, and the completed "
            f"workbook carries none")


def stored_formulas(path) -> dict[str, dict[tuple[int, int], str]]:
    """Every formula of every sheet, {sheet: {(row, col): "=..."}} 0-based, from the cells the file
    holds. Each sheet's XML is streamed once and only its stored rows are looked at: openpyxl's
    `iter_rows` fills every missing row up to the sheet's last one, so one border at row 1,048,576
    would cost a million rows of empty cells (seconds of CPU for `verify`, issue 15 problem 1)."""
    import openpyxl

    wb = openpyxl.load_workbook(path, read_only=True, data_only=False, keep_links=False)
    try:
        return {ws.title: _sheet_formulas(wb, ws) for ws in wb.worksheets}
    finally:
        wb.close()


def _sheet_formulas(wb, ws) -> dict[tuple[int, int], str]:
    found: dict[tuple[int, int], str] = {}
    for row, column, value in _stored_values(wb, ws):
        if isinstance(value, str) and value.startswith("="):
            found[(row - 1, column - 1)] = value
        elif value is not None and type(value).__name__ == "ArrayFormula":
            found[(row - 1, column - 1)] = "=" + str(getattr(value, "text", "")).lstrip("=")
    return found


def _stored_values(wb, ws):
    """(row, column, value) of the cells a read-only worksheet's file holds, 1-based."""
    from openpyxl.worksheet._reader import WorkSheetParser

    source = getattr(ws, "_get_source", None)
    if source is None or not hasattr(ws, "_shared_strings"):  # not a streamed sheet: its cells are stored
        yield from (((r, c, cell.value) for (r, c), cell in stored_cells(ws)))
        return
    with source() as src:
        parser = WorkSheetParser(src, ws._shared_strings, data_only=False, epoch=wb.epoch,
                                 date_formats=wb._date_formats, timedelta_formats=wb._timedelta_formats)
        for _, cells in parser.parse():  # only the rows the XML holds; no filler for the gaps
            for cell in cells:
                yield cell["row"], cell["column"], cell["value"]
