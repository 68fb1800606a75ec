"""Run xlcredits through xlwings' real Windows code on Linux.

    from xlfake import harness
    h = harness()                         # pywin32 stand-ins installed, xlwings._xlwindows imported
    book = h.open_xlsx(path)              # a COM-level fake workbook loaded from a real file
    h.call_udf("CREDIT_45X", "1e", 300.0, 100.0, book.sheet("S").Range("A1"))
    h.run_ribbon(book)                    # `import xlcredits; xlcredits.main()` with Book.caller() = book
    h.excel.calls                         # every COM round trip, by member

The worksheet functions are the `udfs` package decorated by xlwings' *Windows* decorators
(`xlwings.udfs.xlfunc`/`xlarg`, what `xw.func`/`xw.arg` are on Windows; on Linux they are no-ops),
and are called through `xlwings.udfs.call_udf`, so each argument goes through xlwings' own
conversion with the function's own options, exactly as the VBA wrapper's call does.

`count_fill_com_calls(data)` (for `xlcredits.bench`: put this repository's `tests/` folder on
`sys.path` and `from xlfake import count_fill_com_calls`) types `data` into a template, loads it
into the fake and returns the COM round trips of one ribbon fill.
"""

from __future__ import annotations

import copy
import datetime as dt
import importlib
import sys
import tempfile
from pathlib import Path
from typing import Any

from . import pywin32
from .excel import ERRORS, MISSING, Excel, Workbook  # noqa: F401
from .printing import load_print_setup

_LOADED = False


def load_xlwings_windows():
    """Import xlwings' Windows modules over the stand-ins (once per process)."""
    global _LOADED
    if not _LOADED:
        pywin32.install()
        saved = pywin32.windows_ctypes()
        try:
            if "xlwings.udfs" in sys.modules:  # imported by the add-in build over its own stand-ins
                importlib.reload(sys.modules["xlwings.udfs"])
            import xlwings._xlwindows  # noqa: F401
            import xlwings.com_server  # noqa: F401
            import xlwings.udfs  # noqa: F401
        finally:
            pywin32.remove_windows_ctypes(saved)
        import xlwings

        if "excel" not in [engine.name for engine in xlwings.engines]:  # as xlwings/__init__.py on Windows
            xlwings.engines.add(xlwings.main.Engine(impl=xlwings._xlwindows.engine))
        _LOADED = True
    import xlwings

    return xlwings


def load_udfs():
    """The `udfs` package as Excel on Windows has it: decorated by xlwings' Windows decorators."""
    xw = load_xlwings_windows()
    # the module in sys.modules, which `from xlwings.udfs import call_udf` uses: the package's
    # attribute `xlwings.udfs` can be another copy when a test imported and dropped it
    xlwings_udfs = importlib.import_module("xlwings.udfs")

    saved = xw.func, xw.arg, xw.ret
    xw.func, xw.arg, xw.ret = xlwings_udfs.xlfunc, xlwings_udfs.xlarg, xlwings_udfs.xlret
    try:
        for name in [m for m in sys.modules if m == "udfs" or m.startswith("udfs.")]:
            del sys.modules[name]
        module = importlib.import_module("udfs")
    finally:
        xw.func, xw.arg, xw.ret = saved
        for name in [m for m in sys.modules if m == "udfs" or m.startswith("udfs.")]:
            del sys.modules[name]  # other tests import the plain (Linux) package again
    xlwings_udfs.udf_modules["udfs"] = {"filename": module.__file__, "filetime": None, "module": module}
    return module


def _bgr(rgb_hex: str | None) -> int | None:
    if not rgb_hex or len(rgb_hex) < 6 or rgb_hex.upper() in ("00000000",):
        return None
    rgb = rgb_hex[-6:]
    r, g, b = int(rgb[0:2], 16), int(rgb[2:4], 16), int(rgb[4:6], 16)
    return r + (g << 8) + (b << 16)


def _cell_value(value: Any) -> Any:
    if isinstance(value, bool) or value is None:
        return value
    if isinstance(value, (int, float)):
        return float(value)
    if isinstance(value, dt.datetime):
        return value
    if isinstance(value, dt.date):
        return dt.datetime(value.year, value.month, value.day)
    if isinstance(value, str) and value in ERRORS:
        return ERRORS[value]
    return value


def load_workbook(excel: Excel, path: Path, name: str | None = None) -> Workbook:
    """A real .xlsx file as Excel would hold it once opened: values, formulas (with the cached
    values the file carries), number formats, fills, font colours, notes, locks, defined names."""
    import openpyxl

    formulas = openpyxl.load_workbook(path)
    values = openpyxl.load_workbook(path, data_only=True)
    book = Workbook(excel, name or Path(path).name)
    for ws in formulas.worksheets:
        sheet = book.add_sheet(ws.title)
        cached = values[ws.title]
        if ws.protection.sheet:
            _protect_as_file(sheet, ws.protection)
        for row in ws.iter_rows():
            for c in row:
                if c.value is None and c.comment is None and not c.has_style:
                    continue
                cell = sheet.cell(c.row, c.column)
                if c.data_type == "f":  # a formula (a text cell may start with "=" too)
                    cell.formula = c.value
                    cell.value = _cell_value(cached.cell(c.row, c.column).value)
                else:
                    cell.value = _cell_value(c.value)
                cell.number_format = c.number_format or "General"
                if c.fill is not None and c.fill.fill_type == "solid":
                    cell.fill = _bgr(c.fill.fgColor.rgb if isinstance(c.fill.fgColor.rgb, str) else None)
                if c.font is not None and c.font.color is not None and isinstance(c.font.color.rgb, str):
                    cell.font_color = _bgr(c.font.color.rgb) or 0
                cell.comment = c.comment.text if c.comment is not None else None
                cell.locked = bool(c.protection.locked) if c.protection is not None else True
    for name, defined in formulas.defined_names.items():
        book.add_name(name, "=" + defined.attr_text)
    load_print_setup(book, path)
    return book


def _protect_as_file(sheet, protection) -> None:
    """A sheet protected in the file, as Excel holds it once opened: the file's options (in the file,
    a true attribute means the action is *refused*, except for objects and scenarios, which are
    protected when true); a password's hash stands for a password nobody typed here."""
    def refused(attr: str) -> bool:
        return bool(getattr(protection, attr))

    type(sheet).Protect(sheet, DrawingObjects=refused("objects"), Contents=True, Scenarios=refused("scenarios"),
                  AllowFormattingCells=not refused("formatCells"), AllowFormattingColumns=not refused("formatColumns"),
                  AllowFormattingRows=not refused("formatRows"), AllowInsertingColumns=not refused("insertColumns"),
                  AllowInsertingRows=not refused("insertRows"), AllowInsertingHyperlinks=not refused("insertHyperlinks"),
                  AllowDeletingColumns=not refused("deleteColumns"), AllowDeletingRows=not refused("deleteRows"),
                  AllowSorting=not refused("sort"), AllowFiltering=not refused("autoFilter"),
                  AllowUsingPivotTables=not refused("pivotTables"),
                  Password=protection.password or None)


class Harness:
    def __init__(self):
        self.xw = load_xlwings_windows()
        self.excel = Excel()
        self.message_boxes = pywin32.message_boxes
        self._udfs = None

    @property
    def udfs(self):
        registered = importlib.import_module("xlwings.udfs").udf_modules.get("udfs", {}).get("module")
        if self._udfs is None or registered is not self._udfs:
            self._udfs = load_udfs()
        return self._udfs

    def open_xlsx(self, path, name: str | None = None) -> Workbook:
        return load_workbook(self.excel, Path(path), name)

    def new_book(self, name: str = "Book1.xlsx", sheets=("Sheet1",)) -> Workbook:
        book = Workbook(self.excel, name)
        for sheet in sheets:
            book.add_sheet(sheet)
        return book

    # --- worksheet functions -----------------------------------------------------------------------
    def call_udf(self, function: str, *args, caller=None) -> Any:
        """What the VBA wrapper of `function` does: `Py.CallUDF "udfs", name, Array(args...),
        ActiveWorkbook, Application.Caller`. A cell reference is passed as the Range object, a
        literal as its value, an omitted Optional argument as MISSING."""
        self.udfs  # noqa: B018 - loaded with the Windows decorators
        call_udf = importlib.import_module("xlwings.udfs").call_udf
        book = self.excel.app.ActiveWorkbook
        if caller is None:
            if book is None:
                book = self.new_book()
            caller = book._sheets[0].Cells(1, 1)
        return call_udf("udfs", function, tuple(args), book, caller)

    # --- the ribbon button ---------------------------------------------------------------------------
    def run_ribbon(self, book: Workbook | None, tag: str = "main") -> list:
        """Click a button: run the Python text the add-in's VBA passes to RunPython for `tag`
        ("main": `import xlcredits;xlcredits.main()`), with `xw.Book.caller()` the book whose
        button was clicked. Returns the message boxes shown."""
        import xlwings._xlwindows as xlwindows

        from xlcredits.addin.build import python_command

        before = len(self.message_boxes)
        xlwindows.BOOK_CALLER = book
        try:
            exec("import xlcredits;xlcredits.main()" if tag == "main" else python_command(tag), {})
        finally:
            xlwindows.BOOK_CALLER = None
        return self.message_boxes[before:]

    def xw_book(self, book: Workbook):
        import xlwings._xlwindows as xlwindows

        return self.xw.Book(impl=xlwindows.Book(xl=book))


def harness() -> Harness:
    return Harness()


def typed_workbook(data: dict, folder: Path) -> Path:
    """The template for `data`'s form with `data` typed into its input cells, as a file."""
    from xlcredits.workbook.files import fill_book, template_book
    from xlcredits.workbook.inputs import put_inputs
    from xlcredits.workbook.writer import save

    _, layout, _ = fill_book(copy.deepcopy(data))
    book = template_book(layout)
    put_inputs(book, layout, copy.deepcopy(data))
    path = Path(folder) / f"typed-{layout.form}.xlsx"
    save(book, path, force=True)
    return path


def count_fill_com_calls(data, times: int = 1) -> int:
    """COM round trips of one ribbon fill of `data` (a JSON input: dict, JSON text or file path;
    or a number of rows: a Form 7207 schedule that long), typed into a fresh template. With `times` > 1, the last of that many fills on the same book."""
    import json

    from xlcredits.addin.live import fill

    if isinstance(data, int):  # a Form 7207 products schedule of that many rows (line 3a, no finding)
        data = {"form": "7207", "tax_year": 2025, "filer": {"name": "Bench Co", "tin": "12-0000000"},
                "components": [{"line": "3a", "units": 10 + i, "capacity_per_unit": 1_500_000} for i in range(data)]}
    elif isinstance(data, (str, Path)) and Path(str(data)).suffix == ".json":
        data = json.loads(Path(data).read_text(encoding="utf-8"))
    elif isinstance(data, str):
        data = json.loads(data)
    h = harness()
    with tempfile.TemporaryDirectory() as folder:
        fake = h.open_xlsx(typed_workbook(data, Path(folder)))
    book = h.xw_book(fake)
    total = 0
    for _ in range(times):
        h.excel.reset()
        fill(book)
        total = h.excel.total
    return total
