"""Write a `Book` to an .xlsx file with XlsxWriter, which stores each formula's cached value, so
Protected View, mail and phone previews and LibreOffice show every number before recalculating.

Files are written to a temporary file beside the target and renamed into place; an existing file
is replaced only when the caller says so (`force`)."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

from .. import __version__
from .gcpause import gc_paused
from .layout import Book, SheetSpec
from .protection import XLSXWRITER_OPTIONS
from .styles import Formats
from .xlsx_sheet import FormBook, FormSheet

FIXED_DATE = datetime(2025, 1, 1)
LONG_BLOCK = 100  # rows: longer styled blocks use a column format
WRAPPING_ROLES = ("review_text",)
DEFAULT_ROW = 11.6
EXCEL_CALC_ID = 191029  # the calcId Excel 365 writes  # points: one line of 9-point type  # their format wraps text: rows grow to hold it


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
            header = _header_text(book.header_left, tax_year, taxpayer, _identifiers(book))
            footer = _footer_note(book)
            filled = _named_value(book, "XLC_fingerprint") not in (None, "")
            for spec in book.sheets.values():
                _write_sheet(wb, formats, spec, header, footer, filled)
            for name, ref in sorted(book.names.items()):
                wb.define_name(name, "=" + ref)
            try:
                wb.close()
            except FileCreateError as exc:  # XlsxWriter wraps the OSError (disk full, no access)
                raise exc.args[0] if exc.args and isinstance(exc.args[0], OSError) else OSError(str(exc)) from None
    except OutputError as exc:
        raise WorkbookError(str(exc)) from None
    return target


def _escape(text: str) -> str:
    return str(text).replace("&", "&&").replace("\n", " ")


def _header_text(left: str, tax_year: str, taxpayer: str, identifiers: str = "") -> str:
    """Every page: form and revision, tax year; the name over the identifying number (and, for Form
    7207, the facility), so pages of several taxpayers' or facilities' returns never look alike.
    Excel allows 255 characters in a header: the name and identifiers are shortened to fit."""
    left_text = _escape(left) + (f" · Tax year {_escape(tax_year)}" if tax_year else "")
    right = _escape(taxpayer)[:70] + ("\n" + _escape(identifiers)[:110] if identifiers else "")
    return f"&L&9{left_text}&R&9{right}"


def _identifiers(book: Book) -> str:
    parts = []
    for label, name in book.header_names:
        value = _named_value(book, name)
        if value not in (None, ""):
            parts.append(f"{label} {value}")
    return " · ".join(parts)


def _named_value(book: Book, name: str):
    from .a1 import parse_address

    ref = book.names.get(name)
    if ref is None:
        return None
    sheet, r, c, _, _ = parse_address(ref)
    cell = book.peek(sheet, r, c)
    return None if cell is None else cell.value


def _footer_note(book: Book) -> str:
    fingerprint = _named_value(book, "XLC_fingerprint")
    return f"Inputs {str(fingerprint)[:12]}" if fingerprint else "Blank template"


def _write_sheet(wb, formats: Formats, spec: SheetSpec, header: str, footer_note: str = "",
                 filled: bool = False) -> None:
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
    _print_setup(ws, spec, header, footer_note, filled)
    ws.set_default_row(DEFAULT_ROW, hide_unused_rows=False)
    ws.protect("", dict(XLSXWRITER_OPTIONS))  # no password: a guard against slips, not a lock


# 9-point type prints at 8 points or more: LibreOffice fits about 5% tighter than this estimate.
MIN_PRINT_SCALE = 0.95


def print_scale(spec: SheetSpec) -> float:
    """The scale fitting the printed columns to the page width (Letter, 0.4" margins); column widths
    in characters become pixels as Excel draws them (7 per character plus 5 of padding) at 96 dpi."""
    c1, c2 = print_columns(spec)
    points = sum(spec.widths.get(c, 8.43) * 7 + 5 for c in range(c1, c2 + 1)) * 0.75
    usable = ((11 if spec.landscape else 8.5) - 0.8) * 72
    return min(1.0, usable / points)


def print_columns(spec: SheetSpec) -> tuple[int, int]:
    c1, c2 = spec.print_cols
    return c1, (c2 if spec.mark_col is None else max(c2, spec.mark_col))


def _print_setup(ws, spec: SheetSpec, header: str, footer_note: str, filled: bool) -> None:
    """Letter paper; one page wide when that keeps type at 8 points or more, else at full size with
    the first two columns repeated on each page; header and footer on every page; only used rows.
    A sheet other than a form says "<sheet> (continued)" in the header of its pages 2 and on, over
    its repeated heading rows; page 1 has its own header without it (`FormSheet.first_header`)."""
    ws.set_paper(1)
    ws.set_landscape() if spec.landscape else ws.set_portrait()
    c1, c2 = print_columns(spec)
    if print_scale(spec) >= MIN_PRINT_SCALE:
        ws.fit_to_pages(1, 0)
    else:
        ws.set_print_scale(100)
        ws.repeat_columns(c1, c1 + 1)
    ws.set_margins(left=0.4, right=0.4, top=0.62, bottom=0.45)
    # Every sheet but a form (whose pages are the form's own pages) says so when it runs on
    # (the Worksheets' carry-forward table, schedules, the Review and Audit sheets).
    section = continued_section(spec.name) if not spec.page_breaks and not spec.very_hidden else ""
    if len(header) + len(section) > MAX_HEADER:
        section = ""
    ws.set_header(_with_centre(header, section), {"margin": 0.25})
    if section:
        ws.first_header = _with_centre(header, section).replace(section, "")
    # LibreOffice's "first page" is the first page number 1: such a sheet numbers its own pages from 1,
    # and its footer says "Page 2" (the document's total would read "Page 2 of 16" for a 9-page table).
    pages = "Page &P" if section else "Page &P of &N"
    if section:
        ws.set_start_page(1)
    ws.set_footer(f"&L&9{_escape(spec.name)}&C&9{pages}&R&9{_escape(footer_note)} · xlcredits {__version__}",
                  {"margin": 0.25})
    last = spec.last_row()
    if spec.schedule_rows:
        first_data, minimum = spec.schedule_rows
        used = [r for (r, c), cell in spec.cells.items() if r >= first_data and (cell.value is not None or cell.formula)]
        last = max(max(used, default=first_data), first_data + (1 if filled else minimum) - 1)
        if filled and not used and spec.mark_col is not None:
            # An empty schedule of a completed workbook does not print: Excel skips a hidden sheet,
            # LibreOffice prints one unless all its rows are hidden too (unhide them to type).
            ws.hide()
            ws.hide_rows(range(0, last + 1))
    ws.print_area(0, c1, last, c2)
    if spec.repeat_rows:
        ws.repeat_rows(*spec.repeat_rows)
    if spec.page_breaks:
        ws.set_h_pagebreaks(list(spec.page_breaks))
    ws.hide_rows(spec.hidden_rows() if filled else ())


MAX_HEADER = 255  # characters Excel allows in a header


def continued_section(sheet: str) -> str:
    """A second line of the header's left part: in the centre it ran into a long name on the right."""
    return f"\n&B{_escape(sheet)} (continued)"


def _with_centre(header: str, section: str) -> str:
    """The section ends the header's left part (just before its right part, &R)."""
    if not section:
        return header
    at = header.find("&R")
    return header + section if at < 0 else header[:at] + section + header[at:]


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
