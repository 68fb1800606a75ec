"""What each sheet prints, computed once for both fills: `xlcredits fill` writes it into the .xlsx
(`writer._print_setup`), the ribbon's live fill applies it to the book open in Excel
(`addin.live_print`). Issue 13: the header of every page carries the form, revision, tax year,
name and identifiers; the footer the page number and the input fingerprint; a completed workbook
prints only the rows in use and no empty schedule.

The plan depends on the sheet's layout (`SheetSpec`) and on the values its cells hold after the
fill, read through a `Cells` view: `BookCells` over the in-memory book of the file path, the live
adapter's own view over the blocks it read and the values it wrote.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Callable, Iterable, Protocol

from . import pages as paging
from .book import Book, SheetSpec

MAX_HEADER = 255  # characters Excel allows in a header


class Cells(Protocol):
    def value(self, r: int, c: int) -> Any: ...  # the value a cell holds after the fill (None: empty)

    def rows_in_use(self, first_row: int) -> list[int]: ...  # rows >= first_row with a value or formula

    def last_row(self) -> int: ...  # the last row holding a cell (the template's or one the fill wrote)


class BookCells:
    """The cells of one sheet of an in-memory `Book` (the file path)."""

    def __init__(self, spec: SheetSpec):
        self.spec = spec

    def value(self, r: int, c: int) -> Any:
        cell = self.spec.cells.get((r, c))
        return None if cell is None else cell.value

    def rows_in_use(self, first_row: int) -> list[int]:
        return sorted({r for (r, _), cell in self.spec.cells.items()
                       if r >= first_row and (cell.value is not None or cell.formula)})

    def last_row(self) -> int:
        return self.spec.last_row()


@dataclass(frozen=True)
class Sections:
    """A header or footer in Excel's three sections, each with its own codes ("&9", "&P")."""

    left: str = ""
    center: str = ""
    right: str = ""

    def code(self) -> str:
        """The whole text as a file stores it ("&L...&C...&R..."), empty sections left out."""
        return "".join(f"&{at}{text}" for at, text in (("L", self.left), ("C", self.center), ("R", self.right))
                       if text)


@dataclass(frozen=True)
class SheetPrint:
    sheet: str
    header: Sections  # every page (pages 2 and on when `first_header` is set)
    footer: Sections
    first_header: Sections | None  # page 1 of a table that continues: without "(continued)"
    area: tuple[int, int, int, int]  # rows and columns printed (0-based, inclusive)
    hidden_rows: tuple[int, ...]  # rows not printed (unused lines; every row of a hidden sheet)
    hidden: bool  # an empty schedule of a completed workbook: the sheet is hidden
    percent: int = 100  # the print zoom ("Adjust to")
    row_breaks: tuple[int, ...] = ()  # rows that start a page (manual breaks)
    column_breaks: tuple[int, ...] = ()  # columns that start a page across
    pages: int | None = 1  # None: a table too long to count in a live fill (`pages.MAX_PAGES_DOWN`)


def escape(text: str) -> str:
    return str(text).replace("&", "&&").replace("\n", " ")


def page_header(left: str, tax_year: str, taxpayer: str, identifiers: str = "") -> Sections:
    """Every page: form and revision on the left; on the right the name and tax year over the
    identifying number (and, for Form 7207, the facility), so pages of several taxpayers' or
    facilities' returns never look alike. The left part is the template's own: a live fill changes
    only the right part (each change a round trip). Excel allows 255 characters in a header: the
    name and identifiers are shortened to fit."""
    year = f"Tax year {escape(tax_year)}" if tax_year else ""
    first_line = " · ".join(part for part in (escape(taxpayer)[:70], year) if part)
    right = first_line + ("\n" + escape(identifiers)[:110] if identifiers else "")
    return Sections(left=f"&9{escape(left)}", right=f"&9{right}")


def identifiers(book: Book, named_value: Callable[[str], Any]) -> str:
    """"EIN 12-3456789 · Facility ...": the book's header names that hold a value."""
    parts = []
    for label, name in book.header_names:
        value = named_value(name)
        if value not in (None, ""):
            parts.append(f"{label} {shown(value)}")
    return " · ".join(parts)


def shown(value: Any) -> str:
    """A value as typed: Excel holds every number as a float (12345 reads back 12345.0)."""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def footer_note(fingerprint: Any) -> str:
    return f"Inputs {str(fingerprint)[:12]}" if fingerprint else "Blank template"


def continued_section(sheet: str) -> str:
    """A second line of the header's left part: in the centre it ran into a long name on the right."""
    return f"\n&B{escape(sheet)} (continued)"


def continues(spec: SheetSpec) -> bool:
    """Every sheet but a form (whose pages are the form's own pages) says so when it runs on
    (the Worksheets' carry-forward table, schedules, the Review and Audit sheets)."""
    return not spec.page_breaks and not spec.very_hidden


def sheet_print(spec: SheetSpec, header: Sections, note: str, filled: bool, cells: Cells,
                version: str, most_pages_down: int | None = None) -> SheetPrint:
    """One sheet's plan: header and footer (and page 1's header of a continued table), the rows
    printed, the rows and sheet hidden, where its pages break and how many there are."""
    last, hidden = _rows(spec, filled, cells)
    rows = tuple(range(0, last + 1)) if hidden else tuple(spec.hidden_rows(cells.value) if filled else ())
    percent = paging.print_percent(spec)
    columns = tuple(paging.column_breaks(spec, percent))
    found = paging.row_breaks(spec, cells.value, last, set(rows), percent, most_pages_down)
    breaks = tuple(found or ())
    pages = None if found is None else paging.page_count(list(breaks), list(columns), last, set(rows))
    first_header = None
    if continues(spec) and (pages is None or pages > 1):
        section = continued_section(spec.name)
        with_section = Sections(header.left + section, header.center, header.right)
        if len(with_section.code()) <= MAX_HEADER:
            header, first_header = with_section, header
    # Every sheet numbers its own pages from 1 (`FirstPageNumber`), "of" its own count: the
    # programs' "&N" would count the whole printout ("Page 2 of 16" for a 9-page table).
    count = f"Page &P of {pages}" if pages else "Page &P"
    footer = Sections(f"&9{escape(spec.name)}", f"&9{count}", f"&9{escape(note)} · xlcredits {version}")
    c1, c2 = paging.print_columns(spec)
    return SheetPrint(spec.name, header, footer, first_header, (0, c1, last, c2), rows, hidden, percent, breaks,
                      columns, pages)


def _rows(spec: SheetSpec, filled: bool, cells: Cells) -> tuple[int, bool]:
    """The last row printed, and whether the sheet is an empty schedule not printed at all."""
    if not spec.schedule_rows:
        return cells.last_row(), False
    first_data, minimum = spec.schedule_rows
    used = cells.rows_in_use(first_data)
    last = max(max(used, default=first_data), first_data + (1 if filled else minimum) - 1)
    # An empty schedule of a completed workbook does not print: Excel skips a hidden sheet,
    # LibreOffice prints one unless all its rows are hidden too (unhide them to type).
    return last, filled and not used and spec.mark_col is not None


def book_print(book: Book, tax_year: str, taxpayer: str, named_value: Callable[[str], Any],
               cells_of: Callable[[SheetSpec], Cells], version: str,
               sheets: Iterable[str] | None = None, most_pages_down: int | None = None) -> dict[str, SheetPrint]:
    """Every sheet's plan (or those named in `sheets`). `named_value(name)`: a defined name's value
    after the fill (the identifiers, the fingerprint). `most_pages_down`: a longer table gets no
    manual breaks and no page count (the live fill's round-trip budget, `pages.MAX_PAGES_DOWN`)."""
    header = page_header(book.header_left, tax_year, taxpayer, identifiers(book, named_value))
    fingerprint = named_value("XLC_fingerprint")
    filled = fingerprint not in (None, "")
    note = footer_note(fingerprint)
    return {name: sheet_print(spec, header, note, filled, cells_of(spec), version, most_pages_down)
            for name, spec in book.sheets.items() if sheets is None or name in sheets}
