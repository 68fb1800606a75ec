"""The XlsxWriter worksheet the writer uses: XlsxWriter's own, with a first-page header it lacks and
shorter paths for the work every fill repeats thousands of times. What it writes is byte for byte
what XlsxWriter writes (tests/test_fill_speed.py compares whole workbooks and every kind of cell).

- A first-page header (`differentFirst`, ECMA-376 §18.3.1.46: firstHeader/firstFooter follow
  oddFooter) written with the sheet, instead of rewriting the finished file's XML (which cost every
  fill a second pass through the zip).
- Formulas: XlsxWriter runs some thirty regular expressions over every formula to expand newer
  functions (FILTER -> _xlfn._xlws.FILTER). The formulas xlcredits writes use none of them, so one
  search that finds any of those names decides; a formula that has one goes through XlsxWriter's
  own expansion.
- Cells: stored through XlsxWriter's undecorated writers (`_write_number` behind `write_number`: the
  public ones only add A1-notation parsing); a run of styled blank cells shares one record; the
  four kinds of cell a workbook holds (blank, number, shared string, formula) are written as the
  same XML without XlsxWriter's per-attribute escaping of references and style numbers, which need
  none (any other kind goes through XlsxWriter's code); and only rows that hold something are
  visited (XlsxWriter walks every row and column between the first and the last).
- Merged ranges of one row and hidden rows are stored as XlsxWriter stores them, without its
  per-cell argument parsing.
- Shared strings: one with nothing to escape or preserve (no control character, no "_x", no & < >,
  no space at either end: nearly all of them) is written as the plain element XlsxWriter writes
  for it; any other goes through XlsxWriter's code (`FormBook._get_packager`, its hook for this).
- Workbook-level defined names (a form has a few hundred, the same in every fill) are checked
  against Excel's naming rules once per process (`FormBook.define_name`).

XlsxWriter lets a workbook choose its worksheet class (`add_worksheet(name, worksheet_class=...)`);
the methods overridden here are private ones of XlsxWriter 3 (pyproject pins the major version)."""

from __future__ import annotations

import functools
import io
import re
from datetime import date, datetime
from decimal import Decimal

from xlsxwriter.packager import Packager
from xlsxwriter.sharedstrings import SharedStrings
from xlsxwriter.utility import xl_col_to_name, xl_range, xl_rowcol_to_cell_fast
from xlsxwriter.workbook import Workbook
from xlsxwriter.worksheet import (CellBlankTuple, CellFormulaTuple, CellNumberTuple, CellStringTuple, RowInfo,
                                  Worksheet)

# Every function name XlsxWriter's _prepare_formula expands when future functions are off (its
# list for dynamic arrays), matched without the word boundary so the search can only find more.
_DYNAMIC = re.compile(
    r"(?:ANCHORARRAY|BYCOL|BYROW|CHOOSECOLS|CHOOSEROWS|DROP|EXPAND|FILTER|HSTACK|LAMBDA|MAKEARRAY|MAP|"
    r"RANDARRAY|REDUCE|SCAN|INGLE|SEQUENCE|SORT|SORTBY|SWITCH|TAKE|TEXTSPLIT|TOCOL|TOROW|UNIQUE|VSTACK|"
    r"WRAPCOLS|WRAPROWS|XLOOKUP)\(")
_FAST_KINDS = (CellBlankTuple, CellNumberTuple, CellStringTuple, CellFormulaTuple)
_ERROR_CODES = ("#DIV/0!", "#N/A", "#NAME?", "#NULL!", "#NUM!", "#REF!", "#VALUE!")  # XlsxWriter's list


_VALID_NAMES: set[str] = set()  # workbook-level names XlsxWriter has accepted in this process


# A shared string XlsxWriter writes as <si><t>string</t></si>: see SharedStrings._write_si.
_PLAIN_STRING = re.compile(r"[^\x00-\x1f&<>\s](?:[^\x00-\x1f&<>]*[^\x00-\x1f&<>\s])?")


class FormStrings(SharedStrings):
    def _write_sst_strings(self) -> None:
        plain, write = _PLAIN_STRING.fullmatch, self.fh.write
        for string in self.string_table.string_array:
            if plain(string) and "_x" not in string:
                write(f"<si><t>{string}</t></si>")
            else:
                self._write_si(string)


class FormPackager(Packager):
    def _write_shared_strings_file(self) -> None:  # XlsxWriter's, with FormStrings
        sst = FormStrings()
        sst.string_table = self.workbook.str_table
        if not self.workbook.str_table.count:
            return
        sst._set_xml_writer(self._filename("xl/sharedStrings.xml"))
        sst._assemble_xml_file()


class FormBook(Workbook):
    """XlsxWriter's workbook, whose sheets are FormSheets."""

    worksheet_class = None  # set below: FormSheet

    def _get_packager(self):
        return FormPackager()

    def define_name(self, name: str, formula: str):
        if name in _VALID_NAMES:  # the same entry XlsxWriter makes after its checks
            self.defined_names.append([name, -1, formula.lstrip("=") if formula.startswith("=") else formula,
                                       False])
            return 0
        done = super().define_name(name, formula)
        if done == 0 and "!" not in name:
            _VALID_NAMES.add(name)
        return done


class FormSheet(Worksheet):
    first_header: str | None = None  # set: page 1 carries this header (and the same footer)

    def merge_row(self, row: int, first_col: int, last_col: int, fmt) -> None:
        """`merge_range(row, first_col, row, last_col, "", fmt)`: the range noted and its cells blank
        with the format (the caller then writes the first)."""
        cols = range(first_col, last_col + 1)
        merged, tables = self.merged_cells, self.table_cells
        if (self.constant_memory or first_col >= last_col or self._check_dimensions(row, first_col)
                or self._check_dimensions(row, last_col)
                or any(merged.get((row, c)) or tables.get((row, c)) for c in cols)):
            self.merge_range(row, first_col, row, last_col, "", fmt)  # warns or raises as XlsxWriter does
            return
        cell_range = xl_range(row, first_col, row, last_col)
        self.merge.append([row, first_col, row, last_col])
        cells = self.table[row]
        blank = CellBlankTuple(fmt) if fmt is not None else None
        for c in cols:
            merged[(row, c)] = cell_range
            if blank is not None:  # both ends are inside the dimensions (checked above)
                cells[c] = blank

    def hide_rows(self, rows) -> None:
        """`set_row(r, None, None, {"hidden": True})` for each of `rows`: hidden at the default height."""
        for r in rows:
            if self._check_dimensions(r, self.dim_colmin if self.dim_colmin is not None else 0):
                continue
            height = self.default_row_height
            self.row_info[r] = RowInfo(height=height, row_format=None, hidden=True, level=0, collapsed=False)
            self.row_sizes[r] = [height, True]

    def put(self, r: int, c: int, value, formula: str | None, fmt) -> None:
        """One cell: a formula with its cached value, else the value as its type (text stays text:
        "=cmd|..." typed by a user never becomes a formula)."""
        kind = type(value)
        if formula:
            self._write_formula(r, c, formula, fmt, _cached(value))
        elif kind is str and value:  # the common kinds first, by exact type
            self._write_string(r, c, value, fmt)
        elif kind is Decimal or kind is int or kind is float:
            self._write_number(r, c, float(value), fmt)
        elif value is None or value == "":
            self._write_blank(r, c, None, fmt)
        elif isinstance(value, bool):
            self._write_boolean(r, c, value, fmt)
        elif isinstance(value, (int, float, Decimal)):
            self._write_number(r, c, float(value), fmt)
        elif isinstance(value, (date, datetime)):
            self._write_datetime(r, c, value if isinstance(value, datetime) else
                                 datetime(value.year, value.month, value.day), fmt)
        else:
            self._write_string(r, c, str(value), fmt)

    def blanks(self, rows: list[int], col: int, fmt) -> None:
        """`write_blank` on each of `rows` (ascending) of `col`, as one shared record."""
        if fmt is None or not rows:
            return
        if self.constant_memory or rows[0] < 0 or rows[-1] >= self.xls_rowmax or not 0 <= col < self.xls_colmax:
            for r in rows:
                self._write_blank(r, col, None, fmt)
            return
        self._check_dimensions(rows[0], col)  # the dimensions only widen: the two ends decide
        self._check_dimensions(rows[-1], col)
        blank, table = CellBlankTuple(fmt), self.table
        for r in rows:
            table[r][col] = blank

    def _used_rows(self) -> list[int]:
        rows = set(self.row_info) | set(self.comments) | {r for r, cells in self.table.items() if cells}
        return sorted(r for r in rows if self.dim_rowmin <= r <= self.dim_rowmax)

    def _columns(self, cells) -> list[int]:
        cols = sorted(cells)
        # every stored cell widened the dimensions, so this filter never drops one; kept as XlsxWriter has it
        if cols and (cols[0] < self.dim_colmin or cols[-1] > self.dim_colmax):
            cols = [c for c in cols if self.dim_colmin <= c <= self.dim_colmax]
        return cols

    def _calculate_spans(self) -> None:
        """XlsxWriter's "spans" of each block of 16 rows: the first and last column used in it."""
        if self.constant_memory:
            return super()._calculate_spans()
        ends: dict[int, tuple[int, int]] = {}
        for r in self._used_rows():
            for cells in (self.table.get(r), self.comments.get(r)):
                cols = self._columns(cells) if cells else None
                if cols:
                    low, high = ends.get(r // 16, (cols[0], cols[-1]))
                    ends[r // 16] = (min(low, cols[0]), max(high, cols[-1]))
        self.row_spans = {block: f"{low + 1}:{high + 1}" for block, (low, high) in ends.items()}

    def _write_rows(self) -> None:
        if self.constant_memory:
            return super()._write_rows()
        self._calculate_spans()
        styles: dict[int, str] = {}  # id of a format -> its ' s="N"' (formats live as long as the book)
        write = self.fh.write
        for r in self._used_rows():
            span = self.row_spans.get(r // 16)
            cells = self.table.get(r)
            if cells:
                self._write_row(r, span, self.row_info.get(r))
                number = str(r + 1)
                write("".join([self._cell_xml(r, c, cells[c], _column_letters(c) + number, styles)
                               for c in self._columns(cells)]))
                self._xml_end_tag("row")
            else:
                self._write_empty_row(r, span, self.row_info.get(r))

    def _write_cell(self, row: int, col: int, cell) -> None:
        self.fh.write(self._cell_xml(row, col, cell, xl_rowcol_to_cell_fast(row, col), {}))

    def _cell_xml(self, row: int, col: int, cell, ref: str, styles: dict) -> str:
        """The <c> element of one cell; `ref` is its A1 reference."""
        kind = type(cell)
        if self.constant_memory or kind not in _FAST_KINDS:
            out, self.fh = self.fh, io.StringIO()  # XlsxWriter's own code writes to the file handle
            try:
                super()._write_cell(row, col, cell)
                return self.fh.getvalue()
            finally:
                self.fh = out
        fmt = cell.format  # the cell's format, else its row's, else its column's (as XlsxWriter decides)
        if not fmt:
            fmt = self.row_info[row].row_format if row in self.row_info else None
            if not fmt:
                fmt = self.col_info[col].column_format if col in self.col_info else None
        if fmt is None:
            style = ""
        else:
            style = styles.get(id(fmt))
            if style is None:
                style = styles[id(fmt)] = f' s="{fmt._get_xf_index()}"'
        if kind is CellBlankTuple:
            return f'<c r="{ref}"{style}/>'
        if kind is CellNumberTuple:
            return f'<c r="{ref}"{style}><v>{cell.number:.16G}</v></c>'
        if kind is CellStringTuple:
            return f'<c r="{ref}"{style} t="s"><v>{cell.string}</v></c>'
        value, kind_of = cell.value, ""
        if isinstance(value, bool):
            value, kind_of = (1 if value else 0), ' t="b"'
        elif isinstance(value, str) and value != "":
            kind_of = ' t="e"' if value in _ERROR_CODES else ' t="str"'
        return (f'<c r="{ref}"{style}{kind_of}><f>{self._escape_data(cell.formula)}</f>'
                f'<v>{self._escape_data(value)}</v></c>')

    def _prepare_formula(self, formula, expand_future_functions=False):
        if self.use_future_functions or expand_future_functions or _DYNAMIC.search(formula):
            return super()._prepare_formula(formula, expand_future_functions)
        if formula.startswith("{"):  # the same stripping as XlsxWriter's
            formula = formula[1:]
        if formula.startswith("="):
            formula = formula[1:]
        if formula.endswith("}"):
            formula = formula[:-1]
        return formula

    def _write_header_footer(self) -> None:
        if self.first_header is None or not self.header_footer_changed or not self.header:
            return super()._write_header_footer()
        attributes = [("differentFirst", 1)]
        if not self.header_footer_scales:
            attributes.append(("scaleWithDoc", 0))
        if not self.header_footer_aligns:
            attributes.append(("alignWithMargins", 0))
        self._xml_start_tag("headerFooter", attributes)
        self._xml_data_element("oddHeader", self.header)
        if self.footer:
            self._xml_data_element("oddFooter", self.footer)
        self._xml_data_element("firstHeader", self.first_header)
        if self.footer:
            self._xml_data_element("firstFooter", self.footer)
        self._xml_end_tag("headerFooter")


FormBook.worksheet_class = FormSheet


@functools.lru_cache(maxsize=None)
def _column_letters(col: int) -> str:
    return xl_col_to_name(col)


def _cached(value):
    """A formula's cached value as XlsxWriter takes it."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return value
    if isinstance(value, (int, float, Decimal)):
        return float(value)
    return str(value)
