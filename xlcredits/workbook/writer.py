"""Write a `Book` to an .xlsx file with XlsxWriter, which stores each formula's cached value, so
Protected View, mail and phone previews and LibreOffice show every number before recalculating.

Files are written to a temporary file beside the target and renamed into place; an existing file
is replaced only when the caller says so (`force`)."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

from .. import __version__
from ..gcpause import gc_paused
from .a1 import parse_address
from .layout import Book, SheetSpec
from .pages import BOTTOM_MARGIN, DEFAULT_ROW, SIDE_MARGIN, TOP_MARGIN, WRAPPING_ROLES, print_columns
from .print_plan import BookCells, SheetPrint, book_print
from .protection import XLSXWRITER_OPTIONS
from .styles import Formats
from .xlsx_sheet import FormBook, FormSheet

FIXED_DATE = datetime(2025, 1, 1)
LONG_BLOCK = 100  # rows: longer styled blocks use a column format
EXCEL_CALC_ID = 191029  # the calcId Excel 365 writes


class WorkbookError(Exception):
    """A workbook cannot be read or written: one sentence for the user."""


MACRO_SUFFIXES = (".xlsm", ".xltm", ".xlam", ".xlsb", ".xls")


@gc_paused
def save(book: Book, path, *, force: bool = False, tax_year: str = "", taxpayer: str = "",
         deterministic: bool = False) -> Path:
    """Write `book` to `path` atomically (`safefile.atomic_output`): complete or not at all."""
    from xlsxwriter.exceptions import FileCreateError

    from ..safefile import OutputError, atomic_output

    target = Path(path)
    if target.suffix.lower() in MACRO_SUFFIXES:
        raise WorkbookError(f"{target.name}: xlcredits writes .xlsx workbooks, which carry no macros; name the "
                            f"output .xlsx")
    try:
        with atomic_output(target, force=force) as tmp:
            wb = FormBook(str(tmp), {"strings_to_numbers": False, "strings_to_formulas": False,
                                     "strings_to_urls": False, "nan_inf_to_errors": True,
                                     "in_memory": True})  # no client data in the system's temp folder
            wb.set_properties({"title": book.title, "subject": f"{book.header_left} {tax_year}".strip(),
                               "author": "xlcredits", "company": taxpayer[:100],
                               "comments": f"Prepared with xlcredits {__version__}",
                               "created": FIXED_DATE if deterministic else datetime.now().replace(microsecond=0)})
            # Every formula is written with its value, so Excel need not recalculate on open: no
            # fullCalcOnLoad, and the calculation engine id of current Excel (365), because Excel
            # recalculates (and then asks "save changes?" of a reviewer who only looked) a workbook
            # last calculated by an older engine.
            wb.set_calc_mode("auto", calc_id=EXCEL_CALC_ID)
            wb.calc_on_load = False
            formats = Formats(wb)
            plans = print_plans(book, tax_year, taxpayer)
            for spec in book.sheets.values():
                _write_sheet(wb, formats, spec, plans[spec.name])
            for name, ref in sorted(book.names.items()):
                wb.define_name(name, "=" + ref)
            try:
                wb.close()
            except FileCreateError as exc:  # XlsxWriter wraps the OSError (disk full, no access)
                raise exc.args[0] if exc.args and isinstance(exc.args[0], OSError) else OSError(str(exc)) from None
    except OutputError as exc:
        raise WorkbookError(str(exc)) from None
    return target


def print_plans(book: Book, tax_year: str = "", taxpayer: str = "") -> dict:
    """Each sheet's print set-up (`print_plan`), from the book's own cells."""
    def named_value(name: str):
        ref = book.names.get(name)
        if ref is None:
            return None
        sheet, r, c, _, _ = parse_address(ref)
        cell = book.peek(sheet, r, c)
        return None if cell is None else cell.value

    return book_print(book, tax_year, taxpayer, named_value, BookCells, __version__)


def _write_sheet(wb, formats: Formats, spec: SheetSpec, plan: SheetPrint) -> None:
    ws = wb.add_worksheet(spec.name, worksheet_class=FormSheet)  # (FormBook's default; tests swap it)
    for col, width in spec.widths.items():
        ws.set_column(col, col, width)
    merged_firsts = {}
    for row, first, last in spec.merges:
        merged_firsts[(row, first)] = last
    for row, height in _row_heights(spec, merged_firsts).items():
        ws.set_row(row, height)
    # Styled blank ranges: a schedule's thousands of empty rows get their column's default format
    # (one element per column instead of one per cell: the file writes several times faster);
    # the few cells above the block are written plain so headers and titles keep their look.
    cells = spec.cells
    for r1, r2, c, role, unit in spec.blocks:
        fmt = formats.get(role, unit)
        if r2 - r1 >= LONG_BLOCK:
            ws.set_column(c, c, spec.widths.get(c, 8.43), fmt)
            ws.blanks([r for r in range(0, r1) if (r, c) not in cells], c, formats.get("label"))
            continue
        ws.blanks([r for r in range(r1, r2 + 1) if (r, c) not in cells], c, fmt)
    for (r, c), cell in spec.cells.items():
        fmt = formats.get(cell.role, cell.unit, cell.highlight, cell.wrap, cell.align)
        if (r, c) in merged_firsts:
            ws.merge_row(r, c, merged_firsts[(r, c)], fmt)
        ws.put(r, c, cell.value, cell.formula, fmt)
        if cell.note:
            ws.write_comment(r, c, cell.note[:32000], {"author": "xlcredits", "x_scale": 2.2,
                                                       "y_scale": min(6, 1.2 + len(cell.note) / 160)})
    for r1, c1, r2, c2, options in spec.validations:
        ws.data_validation(r1, c1, r2, c2, dict(options))
    if spec.freeze:
        ws.freeze_panes(*spec.freeze)
    if not spec.gridlines:
        ws.hide_gridlines(2)
    if spec.very_hidden:
        ws.very_hidden()
        ws.hide_rows(range(0, spec.last_row() + 1))  # LibreOffice prints hidden sheets, not hidden rows
    if spec.tab_color:
        ws.set_tab_color(spec.tab_color)
    _print_setup(ws, spec, plan)
    ws.set_default_row(DEFAULT_ROW, hide_unused_rows=False)
    ws.protect("", dict(XLSXWRITER_OPTIONS))  # no password: a guard against slips, not a lock


def _print_setup(ws, spec: SheetSpec, plan: SheetPrint) -> None:
    """Letter paper at the plan's zoom (`pages`: one page wide when that keeps type at 8 points or
    more, else at full size with the first two columns repeated on each page), its page breaks,
    header, footer, print area and hidden rows (`print_plan`, which the live fill applies too)."""
    ws.set_paper(1)
    ws.set_landscape() if spec.landscape else ws.set_portrait()
    c1, _ = print_columns(spec)
    ws.set_print_scale(plan.percent)
    if plan.column_breaks:  # several pages wide: the row's first two columns on each
        ws.repeat_columns(c1, c1 + 1)
    ws.set_margins(left=SIDE_MARGIN, right=SIDE_MARGIN, top=TOP_MARGIN, bottom=BOTTOM_MARGIN)
    ws.set_header(plan.header.code(), {"margin": 0.25})
    if plan.first_header is not None:  # page 1 of a table that continues: no "(continued)" (FormSheet)
        ws.first_header = plan.first_header.code()
    ws.set_start_page(1)  # each sheet numbers its own pages "Page k of n" (print_plan)
    ws.set_footer(plan.footer.code(), {"margin": 0.25})
    if plan.hidden:
        ws.hide()
    ws.print_area(*plan.area)
    if spec.repeat_rows:
        ws.repeat_rows(*spec.repeat_rows)
    if plan.row_breaks:
        ws.set_h_pagebreaks(list(plan.row_breaks))
    if plan.column_breaks:
        ws.set_v_pagebreaks(list(plan.column_breaks))
    ws.hide_rows(plan.hidden_rows)


def _row_heights(spec: SheetSpec, merged_firsts: dict) -> dict[int, float]:
    """Explicit heights, raised where wrapped text needs more lines (neither Excel nor LibreOffice
    grows a row for text written by a program, and never for merged cells)."""
    heights = dict(spec.heights)
    for (r, c), cell in spec.cells.items():
        wraps = cell.wrap or cell.role in WRAPPING_ROLES
        if not wraps or not isinstance(cell.value, str) or len(cell.value) < 12:
            continue
        last = merged_firsts.get((r, c), c)
        width = sum(spec.widths.get(col, 8.43) for col in range(c, last + 1))
        # 9-point Calibri: about 1.55 characters per unit of width in print; labels use that, written text
        # (findings, explanations) keeps a margin so a long word never pushes a line out of its row
        chars = max(1.0, width * (1.55 if cell.role in ("label", "label_bold") else 1.4))
        lines = sum(max(1, -(-len(part) // int(chars))) for part in cell.value.split("\n"))
        if lines > 1:
            need = 11 * lines + 2
            if need > heights.get(r, DEFAULT_ROW):
                heights[r] = min(need, 400)
    return heights

