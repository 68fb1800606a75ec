"""The fill's speed-ups change nothing a workbook holds (issue 17).

- `FormSheet` (workbook/xlsx_sheet.py) writes cells, rows and formulas by its own shorter paths:
  every part of a completed workbook must be byte for byte what XlsxWriter's own code writes.
- A copied book shares its template's cells until one is changed (copy on write).
- The in-memory adapter reads a column only down to the sheet's last cell.
- The cycle collector is paused during a fill and comes back as it was.
"""

from __future__ import annotations

import gc
import io
import zipfile
from datetime import date, datetime
from decimal import Decimal

import pytest
import xlsxwriter
from xlsxwriter.worksheet import Worksheet

from conftest import EXAMPLES, load_json
from xlcredits.bench import generated_return
from xlcredits.workbook import writer
from xlcredits.workbook.book_adapter import BookAdapter
from xlcredits.workbook.files import fill_book
from xlcredits.gcpause import gc_paused
from xlcredits.workbook.registry import layout_for
from xlcredits.workbook.xlsx_sheet import FormBook, FormSheet


class StockSheet(FormSheet):
    """FormSheet with every fast path replaced by XlsxWriter's own code (the reference)."""

    _write_cell = Worksheet._write_cell
    _write_rows = Worksheet._write_rows
    _calculate_spans = Worksheet._calculate_spans
    _prepare_formula = Worksheet._prepare_formula

    def put(self, r, c, value, formula, fmt):
        if formula:
            self.write_formula(r, c, formula, fmt, _stock_cached(value))
        elif value is None or value == "":
            self.write_blank(r, c, None, fmt)
        elif isinstance(value, bool):
            self.write_boolean(r, c, value, fmt)
        elif isinstance(value, (int, float, Decimal)):
            self.write_number(r, c, float(value), fmt)
        elif isinstance(value, (date, datetime)):
            self.write_datetime(r, c, value if isinstance(value, datetime) else
                                datetime(value.year, value.month, value.day), fmt)
        else:
            self.write_string(r, c, str(value), fmt)

    def blanks(self, rows, col, fmt):
        for r in rows:
            self.write_blank(r, col, None, fmt)

    def merge_row(self, row, first_col, last_col, fmt):
        self.merge_range(row, first_col, row, last_col, "", fmt)

    def hide_rows(self, rows):
        for r in rows:
            self.set_row(r, None, None, {"hidden": True})


def _stock_cached(value):
    if value is None:
        return ""
    if isinstance(value, (bool, str)):
        return value
    return float(value)


def members(path) -> dict[str, bytes]:
    with zipfile.ZipFile(path) as z:
        return {i.filename: z.read(i) for i in z.infolist() if i.filename != "docProps/core.xml"}


def _bad_input() -> dict:
    data = generated_return(40, seed=4)
    data["components"][2]["line"] = "9z"  # an unknown line: an error finding on the row
    data["components"][3]["units"] = -5
    return data


INPUTS = {
    "example 7207": lambda: load_json(EXAMPLES / "form7207_acme_2025.json"),
    "NJ-306": lambda: load_json(EXAMPLES / "nj306_asc_combined_2025.json"),
    "300 rows": lambda: generated_return(300),
    "findings": _bad_input,
}


@pytest.mark.parametrize("name", list(INPUTS))
def test_completed_workbook_is_what_xlsxwriter_itself_writes(name, tmp_path, monkeypatch):
    data = INPUTS[name]()
    fast, stock = tmp_path / "fast.xlsx", tmp_path / "stock.xlsx"
    book, _, _ = fill_book(data)
    writer.save(book, fast, deterministic=True, tax_year="2025", taxpayer="Acme")
    monkeypatch.setattr(writer, "FormSheet", StockSheet)
    monkeypatch.setattr(writer, "FormBook", xlsxwriter.Workbook)
    book, _, _ = fill_book(data)
    writer.save(book, stock, deterministic=True, tax_year="2025", taxpayer="Acme")
    ours, theirs = members(fast), members(stock)
    assert list(ours) == list(theirs)
    for part in theirs:
        assert ours[part] == theirs[part], part


def _one_sheet(sheet_class, write) -> bytes:
    out = io.BytesIO()
    wb = (FormBook if sheet_class is FormSheet else xlsxwriter.Workbook)(out, {"in_memory": True})
    ws = wb.add_worksheet("S", worksheet_class=sheet_class)
    write(wb, ws)
    wb.close()
    with zipfile.ZipFile(out) as z:
        return z.read("xl/worksheets/sheet1.xml") + z.read("xl/sharedStrings.xml")


def test_every_kind_of_cell_is_written_as_xlsxwriter_writes_it():
    def write(wb, ws):
        bold, money = wb.add_format({"bold": True}), wb.add_format({"num_format": "#,##0.00"})
        ws.set_column(5, 5, 12, money)  # a column format: a blank in it takes it
        ws.set_row(3, 30, bold)  # a row format, and a row with only a height
        ws.set_row(40, None, None, {"hidden": True})
        ws.put(0, 0, "text & <more>", None, bold)
        ws.put(0, 1, Decimal("1234.5678"), None, money)
        ws.put(0, 2, True, None, None)
        ws.put(0, 3, date(2025, 7, 4), None, None)
        ws.put(1, 0, Decimal("12.5"), "=ROUND(A1*2,2)", money)
        ws.put(1, 1, True, "=A1>0", None)
        ws.put(1, 2, "#N/A", "=NA()", None)
        ws.put(1, 3, "yes", '=IF(A1>0,"yes","no")', None)
        ws.put(1, 4, None, "=A1", None)
        ws.put(1, 5, None, "=FILTER(A1:A3,A1:A3>0)", None)  # a newer function: XlsxWriter's expansion
        ws.put(1, 6, None, "=SINGLE(A1)", None)
        ws.put(3, 2, "", None, None)  # a blank in the row with a format
        ws.write_blank(5, 5, None)  # no format of its own: the column's
        ws.blanks([7, 8, 9, 12], 1, bold)
        ws.merge_row(20, 0, 3, bold)
        ws.put(20, 0, "merged", None, bold)
        ws.merge_row(22, 1, 2, bold)
        ws.hide_rows([24, 25, 60])
        ws.write_comment(30, 7, "a note on an empty row")
        ws.write_comment(0, 9, "a note beside data")
        ws.write_boolean(50, 20, False)
        for i, text in enumerate([" leading space", "trailing space ", "two\nlines", "tab\there", "_x0041_ kept",
                                  "a & b < c > d", 'say "so"', "Ünïcødé — ok", "no\u00a0break\u00a0", "<r>rich?</r>"]):
            ws.put(60 + i, 0, text, None, None)
        ws.write_url(51, 0, "https://example.com/a")  # a kind FormSheet leaves to XlsxWriter

    assert _one_sheet(FormSheet, write) == _one_sheet(StockSheet, write)


def test_overlapping_merges_are_refused_as_xlsxwriter_refuses_them():
    from xlsxwriter.exceptions import OverlappingRange

    def write(wb, ws):
        ws.merge_row(3, 0, 2, None)
        ws.merge_row(3, 2, 4, None)

    with pytest.raises(OverlappingRange, match="A4:C4"):
        _one_sheet(FormSheet, write)


def test_defined_names_are_checked_as_xlsxwriter_checks_them():
    out = io.BytesIO()
    wb = FormBook(out, {"in_memory": True})
    wb.add_worksheet("S")
    for _ in range(2):  # the second time from the names already accepted
        assert wb.define_name("XLC_ok_name", "=S!$A$1") == 0
    with pytest.warns(UserWarning):
        assert wb.define_name("A1", "=S!$A$1") == -1  # looks like a cell
    assert wb.defined_names == [["XLC_ok_name", -1, "S!$A$1", False]] * 2
    wb.close()


def test_formulas_with_newer_functions_are_expanded_as_xlsxwriter_does():
    sheet = FormSheet.__new__(FormSheet)
    sheet.use_future_functions = False
    for formula in ("=ROUND(SUMIFS(A:A,B:B,\"1a\"),2)", "=XLOOKUP(1,A:A,B:B)", "{=SORT(A1:A9)}",
                    "=SINGLE(A1)+FILTER(A1:A2,A1:A2>0)", "=_xlfn.XLOOKUP(1,A:A,B:B)"):
        assert sheet._prepare_formula(formula) == Worksheet._prepare_formula(sheet, formula)
    sheet.use_future_functions = True
    assert sheet._prepare_formula("=STDEV.S(A1:A9)") == "_xlfn.STDEV.S(A1:A9)"


def test_a_copied_book_shares_cells_until_one_is_changed():
    template = layout_for("7207").book.copy()  # never change the cached layout's own book
    sheet = template.sheets["Products"]
    (r, c), original = next((at, cell) for at, cell in sheet.cells.items() if cell.value)
    first, second = template.copy(), template.copy()
    assert first.sheets["Products"].cells[(r, c)] is original  # shared, not copied
    first.cell_at("Products", r, c).value = "changed in the first copy"
    assert original.value != "changed in the first copy"
    assert second.peek("Products", r, c).value == original.value
    template.cell_at("Products", r, c).value = "changed in the source"
    assert second.peek("Products", r, c).value == original.value
    assert first.peek("Products", r, c).value == "changed in the first copy"
    third = first.copy()  # a copy of a copy: the first copy's own cell is shared again
    third.cell_at("Products", r, c).value = "changed in the third"
    assert first.peek("Products", r, c).value == "changed in the first copy"


def test_a_column_is_read_down_to_the_last_cell_of_its_sheet():
    book, layout, _ = fill_book(load_json(EXAMPLES / "form7207_acme_2025.json"))
    adapter = BookAdapter(book)
    name = layout.schedules["products"].names["description"]
    values = adapter.read_column(name)
    assert values[:2] == ["Thin-film PV cell, 100 W", "Crystalline PV cell, 200 W"]
    assert len(values) < layout.schedules["products"].max_rows  # stops where the sheet's cells stop
    sp = layout.schedules["products"]
    adapter.write(sp.address(500, "credit"), 1)  # a cell further down: the column now reaches it
    assert len(adapter.read_column(name)) == 501 and adapter.read_column(name)[500] is None


def test_the_cycle_collector_is_paused_during_a_fill_and_comes_back():
    seen = []

    @gc_paused
    def inner():
        seen.append(gc.isenabled())

    @gc_paused
    def outer():
        inner()
        seen.append(gc.isenabled())
        raise ValueError("a fill that fails")

    assert gc.isenabled()
    with pytest.raises(ValueError):
        outer()
    assert seen == [False, False] and gc.isenabled()
    gc.disable()
    try:
        inner()
        assert not gc.isenabled()  # left as the caller had it
    finally:
        gc.enable()
