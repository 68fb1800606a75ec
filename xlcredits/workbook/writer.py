"""Write a `Book` to an .xlsx file with XlsxWriter, which stores each formula's cached value, so
Protected View, mail and phone previews and LibreOffice show every number before recalculating.

Files are written to a temporary file beside the target and renamed into place; an existing file
is replaced only when the caller says so (`force`)."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from pathlib import Path

from .. import __version__
from .layout import Book, Cell, SheetSpec
from .styles import Formats

FIXED_DATE = datetime(2025, 1, 1)
LONG_BLOCK = 100  # rows: longer styled blocks use a column format


class WorkbookError(Exception):
    """A workbook cannot be read or written: one sentence for the user."""


MACRO_SUFFIXES = (".xlsm", ".xltm", ".xlam", ".xlsb", ".xls")


def save(book: Book, path, *, force: bool = False, tax_year: str = "", taxpayer: str = "",
         deterministic: bool = False) -> Path:
    """Write `book` to `path` atomically (`safefile.atomic_output`): complete or not at all."""
    import xlsxwriter
    from xlsxwriter.exceptions import FileCreateError

    from ..safefile import OutputError, atomic_output

    target = Path(path)
    if target.suffix.lower() in MACRO_SUFFIXES:
        raise WorkbookError(f"{target.name}: xlcredits writes .xlsx workbooks, which carry no macros; name the "
                            f"output .xlsx")
    try:
        with atomic_output(target, force=force) as tmp:
            wb = xlsxwriter.Workbook(str(tmp), {"strings_to_numbers": False, "strings_to_formulas": False,
                                                "strings_to_urls": False, "nan_inf_to_errors": True,
                                                "in_memory": True})  # no client data in the system's temp folder
            wb.set_properties({"title": book.title, "subject": f"{book.header_left} {tax_year}".strip(),
                               "author": "xlcredits", "company": taxpayer[:100],
                               "comments": f"Prepared with xlcredits {__version__}",
                               "created": FIXED_DATE if deterministic else datetime.now().replace(microsecond=0)})
            formats = Formats(wb)
            header = _header_text(book.header_left, tax_year, taxpayer)
            for spec in book.sheets.values():
                _write_sheet(wb, formats, spec, header)
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


def _header_text(left: str, tax_year: str, taxpayer: str) -> str:
    right = _escape(taxpayer)[:80]
    centre = f"Tax year {_escape(tax_year)}" if tax_year else ""
    return f"&L&9{_escape(left)}&C&9{centre}&R&9{right}"


def _write_sheet(wb, formats: Formats, spec: SheetSpec, header: str) -> None:
    ws = wb.add_worksheet(spec.name)
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
    for r1, r2, c, role, unit in spec.blocks:
        fmt = formats.get(role, unit)
        if r2 - r1 >= LONG_BLOCK:
            ws.set_column(c, c, spec.widths.get(c, 8.43), fmt)
            for r in range(0, r1):
                if (r, c) not in spec.cells:
                    ws.write_blank(r, c, None, formats.get("label"))
            continue
        for r in range(r1, r2 + 1):
            if (r, c) not in spec.cells:
                ws.write_blank(r, c, None, fmt)
    for (r, c), cell in spec.cells.items():
        fmt = formats.get(cell.role, cell.unit, cell.highlight, cell.wrap, cell.align)
        if (r, c) in merged_firsts:
            ws.merge_range(r, c, r, merged_firsts[(r, c)], "", fmt)
        _write_cell(ws, r, c, cell, fmt)
        if cell.note:
            ws.write_comment(r, c, cell.note[:32000], {"author": "xlcredits", "x_scale": 2.2,
                                                       "y_scale": min(6, 1.2 + len(cell.note) / 160)})
    for r1, c1, r2, c2, options in spec.validations:
        ws.data_validation(r1, c1, r2, c2, dict(options))
    if spec.freeze:
        ws.freeze_panes(*spec.freeze)
    if not spec.gridlines:
        ws.hide_gridlines(2)
    if spec.tab_color:
        ws.set_tab_color(spec.tab_color)
    # print setup: letter paper, fit to one page wide, header/footer with form, tax year, taxpayer
    ws.set_paper(1)
    ws.set_landscape() if spec.landscape else ws.set_portrait()
    ws.fit_to_pages(1, 0)
    ws.set_margins(left=0.4, right=0.4, top=0.6, bottom=0.6)
    ws.set_header(header, {"margin": 0.25})
    ws.set_footer(f"&L&8{_escape(spec.name)}&C&8Page &P of &N&R&8xlcredits {__version__}", {"margin": 0.25})
    c1, c2 = spec.print_cols
    last = spec.last_row()
    if spec.schedule_rows:
        first_data, minimum = spec.schedule_rows
        used = [r for (r, c), cell in spec.cells.items() if r >= first_data and (cell.value is not None or cell.formula)]
        last = max(max(used, default=first_data), first_data + minimum - 1)
    ws.print_area(0, c1, last, c2)
    if spec.repeat_rows:
        ws.repeat_rows(*spec.repeat_rows)
    ws.set_default_row(hide_unused_rows=False)


def _row_heights(spec: SheetSpec, merged_firsts: dict) -> dict[int, float]:
    """Explicit heights, raised where wrapped text needs more lines (neither Excel nor LibreOffice
    grows a row for text written by a program, and never for merged cells)."""
    heights = dict(spec.heights)
    for (r, c), cell in spec.cells.items():
        if not cell.wrap or not isinstance(cell.value, str) or len(cell.value) < 12:
            continue
        last = merged_firsts.get((r, c), c)
        width = sum(spec.widths.get(col, 8.43) for col in range(c, last + 1))
        chars = max(1.0, width * (1.2 if cell.role in ("audit_text", "help") else 1.0))
        lines = sum(max(1, -(-len(part) // int(chars))) for part in cell.value.split("\n"))
        if lines > 1:
            need = 11.5 * lines + 2
            if need > heights.get(r, 15):
                heights[r] = min(need, 400)
    return heights


def _write_cell(ws, r: int, c: int, cell: Cell, fmt) -> None:
    value = cell.value
    if cell.formula:
        ws.write_formula(r, c, cell.formula, fmt, _cached(value))
    elif value is None or value == "":
        ws.write_blank(r, c, None, fmt)
    elif isinstance(value, bool):
        ws.write_boolean(r, c, value, fmt)
    elif isinstance(value, (int, float, Decimal)):
        ws.write_number(r, c, float(value), fmt)
    elif isinstance(value, (date, datetime)):
        ws.write_datetime(r, c, value if isinstance(value, datetime) else datetime(value.year, value.month, value.day), fmt)
    else:
        # Text is always text: "=cmd|..." typed by a user never becomes a formula.
        ws.write_string(r, c, str(value), fmt)


def _cached(value):
    if value is None:
        return ""
    if isinstance(value, bool):
        return value
    if isinstance(value, (int, float, Decimal)):
        return float(value)
    return str(value)
