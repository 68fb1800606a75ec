"""A COM-level fake of Excel: the objects pywin32 hands xlwings, answering as Excel answers.

What Excel returns through COM, and therefore what this fake returns:

- numbers as float (2025.0), text as str, TRUE/FALSE as bool, an empty cell as None;
- a date cell as a pywintypes datetime (a `datetime` subclass carrying a time zone);
- an error cell as its integer code (#N/A = -2146826246, ...), as VT_ERROR arrives in Python;
- a block as a tuple of row tuples; a single cell as the bare value.

Writing `.Value` behaves like typing: "2025" becomes the number 2025, "=X" a formula, a
leading apostrophe keeps text as text. A Decimal is refused (pywin32 would pass Currency).
A locked cell on a protected sheet refuses every change with Excel's com_error.

Every property get, property set, method call, collection call and enumeration step on any
object is one cross-process round trip in real Excel; `Excel.calls` counts each one
("Range.Value get", "Range.AddComment call", ...). Anything this fake does not model raises
AttributeError: a test that needs more must model it here first.
"""

from __future__ import annotations

import datetime as dt
import re
from collections import Counter
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from . import printing, pywin32

ERRORS = {  # Excel's CVErr codes as pywin32 returns them (xlwings/_xlwindows.py cell_errors)
    "#DIV/0!": -2146826281, "#N/A": -2146826246, "#NAME?": -2146826259, "#NULL!": -2146826288,
    "#NUM!": -2146826252, "#REF!": -2146826265, "#VALUE!": -2146826273,
}
XL_MAX_COL = 16384  # column XFD: a whole row spans 1..XL_MAX_COL
XL_MAX_ROW = 1048576
MISSING = -2147352572  # an Optional VBA argument that was not given (DISP_E_PARAMNOTFOUND)
XL_AUTOMATIC, XL_MANUAL = -4105, -4135  # XlCalculation
XL_COLOR_INDEX_NONE = -4142
RANGE_IID = "{00020846-0000-0000-C000-000000000046}"
PROTECTED = -2146827284  # 0x800A03EC: "The cell or chart you're trying to change is on a protected sheet."


def col_letter(c: int) -> str:  # 1-based
    s = ""
    while c:
        c, r = divmod(c - 1, 26)
        s = chr(65 + r) + s
    return s


def col_number(letters: str) -> int:
    n = 0
    for ch in letters.upper():
        n = n * 26 + ord(ch) - 64
    return n


CELL = re.compile(r"^\$?([A-Za-z]{1,3})\$?(\d+)$")


def parse_a1(ref: str) -> tuple[int, int, int, int]:
    """"$A$1:$B$3" -> (1, 1, 3, 2) as (row1, col1, row2, col2), 1-based."""
    parts = ref.split(":")
    cells = []
    for part in parts:
        m = CELL.match(part.strip())
        if not m:
            raise pywin32.com_error(-2147352567, "Exception occurred.", (0, None, f"bad address {ref!r}", None, 0,
                                                                         -2146827284), None)
        cells.append((int(m.group(2)), col_number(m.group(1))))
    (r1, c1), (r2, c2) = cells[0], cells[-1]
    return min(r1, r2), min(c1, c2), max(r1, r2), max(c1, c2)


@dataclass
class Cell:
    value: Any = None
    formula: str | None = None
    number_format: str = "General"
    fill: int | None = None  # BGR int as Interior.Color; None = no fill
    font_color: int = 0
    comment: str | None = None
    locked: bool = True


class Com:
    """Base of every fake COM object: counts each PascalCase member touched."""

    _excel: "Excel"

    def __getattribute__(self, name):
        if name[:1].isupper():
            object.__getattribute__(self, "_excel").count(type(self).__name__, name, "get")
        return object.__getattribute__(self, name)

    def __setattr__(self, name, value):
        if name[:1].isupper():
            self._excel.count(type(self).__name__, name, "set")
        object.__setattr__(self, name, value)


def _com_value(value: Any) -> Any:
    """A cell's stored value as COM returns it."""
    if isinstance(value, dt.datetime) and not isinstance(value, pywin32.TimeType):
        return pywin32.TimeType(value.year, value.month, value.day, value.hour, value.minute, value.second,
                                tzinfo=pywin32.UTC)
    return value


def typed(value: Any) -> tuple[Any, str | None]:
    """What Excel stores when `value` is assigned to `.Value`: (value, formula)."""
    if isinstance(value, Decimal):
        raise TypeError("a Decimal goes to Excel as Currency (4 decimals): convert it first")
    if value is None or isinstance(value, bool):
        return value, None
    if isinstance(value, dt.datetime):
        return _com_value(value.replace(tzinfo=None)), None
    if isinstance(value, (int, float)):
        return float(value), None
    if not isinstance(value, str):
        raise TypeError(f"cannot write {type(value).__name__} to a cell")
    if value == "":
        return None, None
    if value.startswith("'"):
        return value[1:], None
    if value.startswith("="):
        return None, value  # computed by Calculate (this fake does not evaluate formulas)
    if value.upper() in ERRORS:
        return ERRORS[value.upper()], None
    if value.strip().upper() in ("TRUE", "FALSE"):
        return value.strip().upper() == "TRUE", None
    try:
        number = float(value.replace(",", ""))
        if number == number and abs(number) != float("inf"):
            return number, None
    except ValueError:
        pass
    return value, None


class Excel:
    """One Excel process: the Application object and the counter of round trips."""

    def __init__(self):
        self.calls: Counter = Counter()
        self.printer_talks = 0  # page set-up changes made while PrintCommunication was on (slow)
        self.app = Application(self)

    def note_page_setup(self) -> None:
        if object.__getattribute__(self.app, "PrintCommunication"):
            self.printer_talks += 1

    def count(self, kind: str, member: str, how: str) -> None:
        self.calls[f"{kind}.{member} {how}"] += 1

    @property
    def total(self) -> int:
        return sum(self.calls.values())

    def reset(self) -> None:
        self.calls.clear()


class Application(Com):
    def __init__(self, excel: Excel):
        object.__setattr__(self, "_excel", excel)
        object.__setattr__(self, "_books", [])
        object.__setattr__(self, "ScreenUpdating", True)
        object.__setattr__(self, "Calculation", XL_AUTOMATIC)
        object.__setattr__(self, "EnableEvents", True)
        object.__setattr__(self, "DisplayAlerts", True)
        object.__setattr__(self, "StatusBar", False)
        object.__setattr__(self, "Hwnd", 4711)
        object.__setattr__(self, "Version", "16.0")
        object.__setattr__(self, "PrintCommunication", True)
        object.__setattr__(self, "calculated", 0)

    @property
    def ActiveWorkbook(self):  # noqa: N802
        return self._books[-1] if self._books else None

    @property
    def Workbooks(self):  # noqa: N802
        return Workbooks(self._excel, "Workbooks", self._books, key=lambda b: b._title)

    def Calculate(self):  # noqa: N802
        object.__setattr__(self, "calculated", self.calculated + 1)

    @property
    def Caller(self):  # noqa: N802 - set by a test for a worksheet function
        return self._caller


class Collection(Com):
    """Workbooks, Worksheets, Names: callable by name or 1-based index, Count, enumerable."""

    def __init__(self, excel, kind, items, key):
        object.__setattr__(self, "_excel", excel)
        object.__setattr__(self, "_kind", kind)
        object.__setattr__(self, "_items", items)
        object.__setattr__(self, "_key", key)

    def _find(self, key):
        if isinstance(key, (int, float)) and not isinstance(key, bool):
            if 1 <= key <= len(self._items):
                return self._items[int(key) - 1]
        else:
            for item in self._items:
                if self._key(item).upper() == str(key).upper():
                    return item
        raise pywin32.com_error(-2147352567, "Exception occurred.", (0, None, None, None, 0, -2147352565), None)

    def __call__(self, key):
        self._excel.count(self._kind, "Item", "call")
        return self._find(key)

    def Item(self, key):  # noqa: N802
        return self._find(key)

    @property
    def Count(self):  # noqa: N802
        return len(self._items)

    def __iter__(self):
        self._excel.count(self._kind, "_NewEnum", "get")
        for item in list(self._items):
            self._excel.count(self._kind, "Next", "call")
            yield item


class Workbooks(Collection):
    def Open(self, Filename, *args, **kwargs):  # noqa: N802, N803 - positional, as pywin32 passes them
        from . import load_workbook

        return load_workbook(self._excel, Filename)


class Workbook(Com):
    def __init__(self, excel: Excel, name: str):
        object.__setattr__(self, "_excel", excel)
        object.__setattr__(self, "_title", name)
        object.__setattr__(self, "_sheets", [])
        object.__setattr__(self, "_names", [])
        excel.app._books.append(self)

    @property
    def Name(self):  # noqa: N802
        return self._title

    @property
    def FullName(self):  # noqa: N802
        return "C:\\Users\\Jose\\Documents\\" + self._title

    @property
    def Path(self):  # noqa: N802
        return "C:\\Users\\Jose\\Documents"

    @property
    def Application(self):  # noqa: N802
        return self._excel.app

    @property
    def Worksheets(self):  # noqa: N802
        return Collection(self._excel, "Worksheets", self._sheets, key=lambda s: s.name)

    Sheets = Worksheets

    @property
    def Names(self):  # noqa: N802
        return Collection(self._excel, "Names", self._names, key=lambda n: n.name)

    def add_sheet(self, name: str) -> "Worksheet":
        sheet = Worksheet(self, name)
        self._sheets.append(sheet)
        return sheet

    def sheet(self, name: str) -> "Worksheet":
        return next(s for s in self._sheets if s.name == name)

    def add_name(self, name: str, refers_to: str) -> None:
        self._names.append(Name(self, name, refers_to))


class Name(Com):
    def __init__(self, book: Workbook, name: str, refers_to: str):
        object.__setattr__(self, "_excel", book._excel)
        object.__setattr__(self, "_book", book)
        object.__setattr__(self, "name", name)
        object.__setattr__(self, "refers_to", refers_to)

    @property
    def Name(self):  # noqa: N802
        return self.name

    @property
    def RefersTo(self):  # noqa: N802
        return self.refers_to

    @property
    def RefersToRange(self):  # noqa: N802
        text = self.refers_to.lstrip("=")
        sheet, _, ref = text.rpartition("!")
        sheet = sheet.strip("'").replace("''", "'")
        if not sheet:
            raise pywin32.com_error()
        return self._book.sheet(sheet)._range(*parse_a1(ref))


class Worksheet(Com):
    def __init__(self, book: Workbook, name: str):
        object.__setattr__(self, "_excel", book._excel)
        object.__setattr__(self, "_book", book)
        object.__setattr__(self, "name", name)
        object.__setattr__(self, "cells", {})  # (row, col) 1-based -> Cell
        object.__setattr__(self, "protected", False)
        object.__setattr__(self, "password", None)  # a sheet protected with a password holds it (or its hash)
        object.__setattr__(self, "protection", dict(EXCEL_PROTECTION_DEFAULTS))
        # print set-up (printing.py): PageSetup members, page 1's sections, hidden rows (1-based)
        object.__setattr__(self, "page", printing.new_page())
        object.__setattr__(self, "first_page", dict.fromkeys(printing.SECTIONS, ""))
        object.__setattr__(self, "hidden_rows", set())
        object.__setattr__(self, "visible", printing.XL_VISIBLE)
        object.__setattr__(self, "page_breaks", [])  # manual breaks: 1-based rows that start a page
        object.__setattr__(self, "column_breaks", [])  # and columns

    # model access (not COM: tests read and seed the sheet through these)
    def cell(self, row: int, col: int) -> Cell:
        return self.cells.setdefault((row, col), Cell())

    def at(self, a1: str) -> Cell:
        r, c, _, _ = parse_a1(a1)
        return self.cell(r, c)

    def _range(self, r1, c1, r2, c2) -> "Range":
        return Range(self, r1, c1, r2, c2)

    # COM members
    @property
    def Name(self):  # noqa: N802
        return self.name

    @property
    def Parent(self):  # noqa: N802
        return self._book

    @property
    def Index(self):  # noqa: N802
        return self._book._sheets.index(self) + 1

    @property
    def PageSetup(self):  # noqa: N802
        return printing.PageSetup(self)

    @property
    def HPageBreaks(self):  # noqa: N802
        return printing.PageBreaks(self, "HPageBreaks", self.page_breaks)

    @property
    def VPageBreaks(self):  # noqa: N802
        return printing.PageBreaks(self, "VPageBreaks", self.column_breaks)

    def ResetAllPageBreaks(self):  # noqa: N802
        """Removes every manual page break of the sheet (rows and columns)."""
        self._excel.note_page_setup()
        self.page_breaks.clear()
        self.column_breaks.clear()

    @property
    def Visible(self):  # noqa: N802
        return self.visible

    @Visible.setter
    def Visible(self, value):  # noqa: N802
        object.__setattr__(self, "visible", int(value))

    def Range(self, cell1, cell2=None):  # noqa: N802
        if isinstance(cell1, str) and re.fullmatch(r"(\$?\d+:\$?\d+)(,\$?\d+:\$?\d+)*", cell1):
            rows = printing.rows_of(cell1)  # whole rows ("5:9,12:12")
            return Range(self, min(rows), 1, max(rows), XL_MAX_COL, areas=[
                (int(a.replace("$", "")), 1, int(b.replace("$", "")), XL_MAX_COL)
                for a, b in (part.split(":") for part in cell1.split(","))])
        if isinstance(cell1, str) and re.fullmatch(r"\$?[A-Za-z]{1,3}:\$?[A-Za-z]{1,3}", cell1):
            first, last = (col_number(part.replace("$", "")) for part in cell1.split(":"))
            return Range(self, 1, first, XL_MAX_ROW, last)  # whole columns ("J:J")
        if cell2 is not None:
            a, b = cell1, cell2
            return Range(self, min(a.r1, b.r1), min(a.c1, b.c1), max(a.r2, b.r2), max(a.c2, b.c2))
        if isinstance(cell1, Range):
            return cell1
        areas = [parse_a1(part) for part in str(cell1).split(",")]
        if len(areas) == 1:
            return Range(self, *areas[0])
        return Range(self, *areas[0], areas=areas)

    def Cells(self, row, col):  # noqa: N802
        return Range(self, int(row), int(col), int(row), int(col))

    @property
    def ProtectContents(self):  # noqa: N802
        return self.protected and self.protection["Contents"]

    @property
    def ProtectDrawingObjects(self):  # noqa: N802
        return self.protected and self.protection["DrawingObjects"]

    def Protect(self, Password=None, DrawingObjects=True, Contents=True, Scenarios=True,  # noqa: N802, N803
                UserInterfaceOnly=False, AllowFormattingCells=False, AllowFormattingColumns=False,
                AllowFormattingRows=False, AllowInsertingColumns=False, AllowInsertingRows=False,
                AllowInsertingHyperlinks=False, AllowDeletingColumns=False, AllowDeletingRows=False,
                AllowSorting=False, AllowFiltering=False, AllowUsingPivotTables=False):
        """Excel's parameters and defaults (an unknown keyword is a TypeError, as pywin32 raises one)."""
        if self.protected and self.password is not None and Password != self.password:
            raise _password_error()
        options = dict(DrawingObjects=DrawingObjects, Contents=Contents, Scenarios=Scenarios,
                       UserInterfaceOnly=UserInterfaceOnly, AllowFormattingCells=AllowFormattingCells,
                       AllowFormattingColumns=AllowFormattingColumns, AllowFormattingRows=AllowFormattingRows,
                       AllowInsertingColumns=AllowInsertingColumns, AllowInsertingRows=AllowInsertingRows,
                       AllowInsertingHyperlinks=AllowInsertingHyperlinks, AllowDeletingColumns=AllowDeletingColumns,
                       AllowDeletingRows=AllowDeletingRows, AllowSorting=AllowSorting, AllowFiltering=AllowFiltering,
                       AllowUsingPivotTables=AllowUsingPivotTables)
        object.__setattr__(self, "protection", {k: bool(v) for k, v in options.items()})
        object.__setattr__(self, "password", Password or None)
        object.__setattr__(self, "protected", True)

    def Unprotect(self, Password=None):  # noqa: N802, N803
        """No effect on an unprotected sheet; the password is ignored on a sheet protected without one.
        Omitted on a sheet protected with one, Excel shows a password prompt and waits for the user:
        code must never do that (this fake fails loudly)."""
        if not self.protected:
            return
        if self.password is not None:
            if Password is None:
                raise AssertionError(f"Unprotect() without a password on {self.name!r}: Excel would stop and ask "
                                     f"the user for the password")
            if Password != self.password:
                raise _password_error()
        object.__setattr__(self, "protected", False)
        object.__setattr__(self, "password", None)


def _password_error():
    return pywin32.com_error(-2147352567, "Exception occurred.",
                             (0, "Microsoft Excel", "The password you supplied is not correct. Verify that the CAPS "
                              "LOCK key is off and be sure to use the correct capitalization.", "xlmain11.chm", 0,
                              PROTECTED), None)


EXCEL_PROTECTION_DEFAULTS = {"DrawingObjects": True, "Contents": True, "Scenarios": True, "UserInterfaceOnly": False,
                             "AllowFormattingCells": False, "AllowFormattingColumns": False,
                             "AllowFormattingRows": False, "AllowInsertingColumns": False, "AllowInsertingRows": False,
                             "AllowInsertingHyperlinks": False, "AllowDeletingColumns": False,
                             "AllowDeletingRows": False, "AllowSorting": False, "AllowFiltering": False,
                             "AllowUsingPivotTables": False}


class _OleObj:
    """`range._oleobj_`: what xlwings' is_range_instance asks for the interface's IID."""

    def __init__(self, excel, iid):
        self._excel, self._iid = excel, iid

    def GetTypeInfo(self):  # noqa: N802
        self._excel.count("IDispatch", "GetTypeInfo", "call")
        return self

    def GetTypeAttr(self):  # noqa: N802
        return self

    @property
    def iid(self):
        return pywin32.IID(self._iid)


class Range(Com):
    def __init__(self, sheet: Worksheet, r1: int, c1: int, r2: int, c2: int, areas=None):
        object.__setattr__(self, "_excel", sheet._excel)
        object.__setattr__(self, "_sheet", sheet)
        object.__setattr__(self, "r1", r1)
        object.__setattr__(self, "c1", c1)
        object.__setattr__(self, "r2", r2)
        object.__setattr__(self, "c2", c2)
        object.__setattr__(self, "areas", areas or [(r1, c1, r2, c2)])
        object.__setattr__(self, "_oleobj_", _OleObj(sheet._excel, RANGE_IID))

    def _coords(self):
        for r1, c1, r2, c2 in self.areas:
            for r in range(r1, r2 + 1):
                for c in range(c1, c2 + 1):
                    yield r, c

    def _cells(self):
        return [self._sheet.cell(r, c) for r, c in self._coords()]

    def _guard(self):
        if self._sheet.protected and any(cell.locked for cell in self._cells()):
            raise pywin32.com_error(-2147352567, "Exception occurred.",
                                    (0, "Microsoft Excel", "The cell or chart you're trying to change is on a "
                                     "protected sheet.", None, 0, PROTECTED), None)

    def _block(self, getter):
        rows = tuple(tuple(getter(self._sheet.cell(r, c)) for c in range(self.c1, self.c2 + 1))
                     for r in range(self.r1, self.r2 + 1))
        return rows[0][0] if len(rows) == 1 and len(rows[0]) == 1 else rows

    def _assign(self, data, setter):
        self._guard()
        nrows, ncols = self.r2 - self.r1 + 1, self.c2 - self.c1 + 1
        if isinstance(data, (list, tuple)) and data and isinstance(data[0], (list, tuple)):
            grid = data
        elif isinstance(data, (list, tuple)):
            grid = [data] * nrows  # a 1-D array fills each row
        else:
            grid = [[data] * ncols] * nrows
        for i in range(nrows):
            for j in range(ncols):
                row = grid[i] if i < len(grid) else ()
                x = row[j] if j < len(row) else ERRORS["#N/A"]  # Excel pads a short array with #N/A
                setter(self._sheet.cell(self.r1 + i, self.c1 + j), x)

    # values
    @property
    def Value(self):  # noqa: N802
        return self._block(lambda cell: _com_value(cell.value))

    @Value.setter
    def Value(self, data):  # noqa: N802
        self._set_values(data)

    def _set_values(self, data):
        def put(cell, x):
            cell.value, cell.formula = typed(x)
        self._assign(data, put)

    Value2 = Value

    @property
    def Formula(self):  # noqa: N802
        def shown(cell):
            if cell.formula:
                return cell.formula
            v = cell.value
            if v is None:
                return ""
            if isinstance(v, float):
                return repr(int(v)) if v.is_integer() else repr(v)
            if isinstance(v, bool):
                return "TRUE" if v else "FALSE"
            return str(v)
        return self._block(shown)

    @Formula.setter
    def Formula(self, data):  # noqa: N802
        self._set_values(data)

    Formula2 = Formula

    @property
    def HasFormula(self):  # noqa: N802
        flags = {bool(cell.formula) for cell in self._cells()}
        return flags.pop() if len(flags) == 1 else None

    @property
    def NumberFormat(self):  # noqa: N802
        return self._block(lambda cell: cell.number_format)

    @NumberFormat.setter
    def NumberFormat(self, data):  # noqa: N802
        def put(cell, x):
            cell.number_format = x
        self._assign(data, put)

    @property
    def Locked(self):  # noqa: N802
        flags = {cell.locked for cell in self._cells()}
        return flags.pop() if len(flags) == 1 else None

    # formats
    @property
    def Interior(self):  # noqa: N802
        return Interior(self)

    @property
    def Font(self):  # noqa: N802
        return Font(self)

    # notes (legacy comments)
    @property
    def Comment(self):  # noqa: N802
        text = self._sheet.cell(self.r1, self.c1).comment
        return None if text is None else Comment(self, self.r1, self.c1)

    def AddComment(self, Text=None):  # noqa: N802, N803
        cell = self._sheet.cell(self.r1, self.c1)
        if cell.comment is not None or (self.r1, self.c1) != (self.r2, self.c2):
            raise pywin32.com_error(-2147352567, "Exception occurred.", (0, None, None, None, 0, -2146827284), None)
        self._guard_comment()
        cell.comment = "" if Text is None else str(Text)
        return Comment(self, self.r1, self.c1)

    def ClearComments(self):  # noqa: N802
        self._guard_comment()
        for cell in self._cells():
            cell.comment = None

    def _guard_comment(self):
        if self._sheet.protected and self._sheet.protection["DrawingObjects"]:  # notes are drawing objects
            raise pywin32.com_error(-2147352567, "Exception occurred.", (0, "Microsoft Excel", "protected sheet",
                                                                         None, 0, PROTECTED), None)

    # geometry
    @property
    def Address(self):  # noqa: N802
        return ",".join(_a1(*area) for area in self.areas)

    def GetAddress(self, RowAbsolute=True, ColumnAbsolute=True, ReferenceStyle=1, External=False):  # noqa: N802, N803
        text = ",".join(_a1(*area) for area in self.areas)
        text = text if (RowAbsolute and ColumnAbsolute) else text.replace("$", "")
        if External:
            text = f"[{self._sheet._book._title}]{self._sheet.name}!{text}"
        return text

    @property
    def Row(self):  # noqa: N802
        return self.r1

    @property
    def Column(self):  # noqa: N802
        return self.c1

    @property
    def Count(self):  # noqa: N802
        return (self.r2 - self.r1 + 1) * (self.c2 - self.c1 + 1)

    @property
    def Rows(self):  # noqa: N802
        return _Extent(self._excel, self.r2 - self.r1 + 1)

    @property
    def Columns(self):  # noqa: N802
        return _Extent(self._excel, self.c2 - self.c1 + 1)

    @property
    def Worksheet(self):  # noqa: N802
        return self._sheet

    @property
    def Parent(self):  # noqa: N802
        return self._sheet

    def Resize(self, RowSize=None, ColumnSize=None):  # noqa: N802, N803
        rows = self.r2 - self.r1 + 1 if RowSize is None else int(RowSize)
        cols = self.c2 - self.c1 + 1 if ColumnSize is None else int(ColumnSize)
        return Range(self._sheet, self.r1, self.c1, self.r1 + rows - 1, self.c1 + cols - 1)

    def Offset(self, RowOffset=0, ColumnOffset=0):  # noqa: N802, N803
        return Range(self._sheet, self.r1 + RowOffset, self.c1 + ColumnOffset, self.r2 + RowOffset,
                     self.c2 + ColumnOffset)

    def __call__(self, row, col=1):
        """`rng(row, col)`: the default member Item, relative to the range's top-left cell."""
        self._excel.count("Range", "Item", "call")
        return self._item(row, col)

    def Item(self, row, col=1):  # noqa: N802
        return self._item(row, col)

    def _item(self, row, col):
        r, c = self.r1 + int(row) - 1, self.c1 + int(col) - 1
        return Range(self._sheet, r, c, r, c)

    @property
    def Hidden(self):  # noqa: N802
        rows = self._whole_rows()
        return all(r in self._sheet.hidden_rows for r in rows)

    @Hidden.setter
    def Hidden(self, value):  # noqa: N802
        rows = self._whole_rows()
        if self._sheet.protected and not self._sheet.protection["AllowFormattingRows"]:
            raise pywin32.com_error(-2147352567, "Exception occurred.", (0, "Microsoft Excel", "protected sheet",
                                                                         None, 0, PROTECTED), None)
        (self._sheet.hidden_rows.update if value else self._sheet.hidden_rows.difference_update)(rows)

    @property
    def PageBreak(self):  # noqa: N802
        """xlPageBreakManual (-4135) above a whole row / left of a whole column with a manual break, else
        xlPageBreakNone (-4142) (this fake does not compute automatic breaks)."""
        manual = self.r1 in self._sheet.page_breaks if self.c2 == XL_MAX_COL else self.c1 in self._sheet.column_breaks
        return -4135 if manual else -4142

    @PageBreak.setter
    def PageBreak(self, value):  # noqa: N802
        """Only whole rows or columns here (Excel's examples: `Rows(25)`, `Columns("J")`)."""
        self._excel.note_page_setup()
        if (self.c1, self.c2) == (1, XL_MAX_COL):
            breaks, at = self._sheet.page_breaks, self.r1
        elif (self.r1, self.r2) == (1, XL_MAX_ROW):
            breaks, at = self._sheet.column_breaks, self.c1
        else:
            raise AssertionError("PageBreak is set on whole rows or columns only")
        if value == -4135 and at not in breaks:
            breaks.append(at)
            breaks.sort()
        elif value == -4142 and at in breaks:
            breaks.remove(at)

    def _whole_rows(self) -> list[int]:
        if any((c1, c2) != (1, XL_MAX_COL) for _, c1, _, c2 in self.areas):
            return printing.rows_of("bad")  # Excel: "Unable to set the Hidden property"
        return [r for r1, _, r2, _ in self.areas for r in range(r1, r2 + 1)]

    def ClearContents(self):  # noqa: N802
        self._guard()
        for cell in self._cells():
            cell.value, cell.formula = None, None


def _a1(r1, c1, r2, c2) -> str:
    first = f"${col_letter(c1)}${r1}"
    return first if (r1, c1) == (r2, c2) else f"{first}:${col_letter(c2)}${r2}"


class _Extent(Com):
    def __init__(self, excel, n):
        object.__setattr__(self, "_excel", excel)
        object.__setattr__(self, "n", n)

    @property
    def Count(self):  # noqa: N802
        return self.n


class Interior(Com):
    def __init__(self, rng: Range):
        object.__setattr__(self, "_excel", rng._excel)
        object.__setattr__(self, "_rng", rng)

    @property
    def Color(self):  # noqa: N802
        fills = {cell.fill for cell in self._rng._cells()}
        fill = fills.pop() if len(fills) == 1 else None
        return 16777215 if fill is None else fill

    @Color.setter
    def Color(self, value):  # noqa: N802
        self._rng._guard_format()
        for cell in self._rng._cells():
            cell.fill = int(value)

    @property
    def ColorIndex(self):  # noqa: N802
        return XL_COLOR_INDEX_NONE if all(cell.fill is None for cell in self._rng._cells()) else 1

    @ColorIndex.setter
    def ColorIndex(self, value):  # noqa: N802
        self._rng._guard_format()
        if value == XL_COLOR_INDEX_NONE:
            for cell in self._rng._cells():
                cell.fill = None


class Font(Com):
    def __init__(self, rng: Range):
        object.__setattr__(self, "_excel", rng._excel)
        object.__setattr__(self, "_rng", rng)

    @property
    def Color(self):  # noqa: N802
        colors = {cell.font_color for cell in self._rng._cells()}
        return colors.pop() if len(colors) == 1 else None

    @Color.setter
    def Color(self, value):  # noqa: N802
        self._rng._guard_format()
        for cell in self._rng._cells():
            cell.font_color = int(value)


def _guard_format(self):
    if self._sheet.protected and not self._sheet.protection["AllowFormattingCells"]:
        raise pywin32.com_error(-2147352567, "Exception occurred.", (0, "Microsoft Excel", "protected sheet", None,
                                                                     0, PROTECTED), None)


Range._guard_format = _guard_format


class Comment(Com):
    def __init__(self, rng: Range, row: int, col: int):
        object.__setattr__(self, "_excel", rng._excel)
        object.__setattr__(self, "_cell", rng._sheet.cell(row, col))
        object.__setattr__(self, "_rng", rng)

    def Text(self, Text=None, Start=None, Overwrite=None):  # noqa: N802, N803
        if Text is not None:
            self._cell.comment = str(Text)
        return self._cell.comment

    def Delete(self):  # noqa: N802
        self._cell.comment = None

    @property
    def Parent(self):  # noqa: N802
        return self._rng
