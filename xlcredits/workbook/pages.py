"""Where a printed sheet's pages break, decided when the workbook is written, so every footer can
say "Page k of n" with the sheet's own n in Excel and in LibreOffice alike (issue 13).

Neither program can number a sheet's pages "of n" by itself: their "&N" counts the whole printout.
So the pages are laid out here: each sheet prints at a fixed scale ("Adjust to", not "Fit to":
Excel ignores manual page breaks under "Fit to", as XlsxWriter's documentation of `fit_to_pages`
says), with a manual break before every page — the form's own pages for a form, and for a table
a break wherever the next row might not fit, from row heights estimated on the high side. A page
that holds fewer rows than it could costs some paper; a page that overflows would add a page
the footer does not count, so the estimates err towards short pages.
"""

from __future__ import annotations

import math

from .book import SheetSpec

LETTER = (8.5, 11.0)  # inches
SIDE_MARGIN, TOP_MARGIN, BOTTOM_MARGIN = 0.4, 0.62, 0.45
DEFAULT_ROW = 11.6  # points: one line of 9-point type
WRAPPING_ROLES = ("review_text",)  # their format wraps text: rows grow to hold it
# LibreOffice draws columns about a sixteenth wider than Excel's own pixel widths (measured on the forms'
# PDFs with Carlito); the scale leaves room for that.
WIDER = 1.06
MIN_PERCENT = 90  # 9-point type prints at 8 points or more (8.1: LibreOffice rounds)
PAGE_FILL = 0.92  # share of a page's height the estimated rows may fill
# In the ribbon's live fill, a table longer than this many pages down gets no manual breaks and no
# count ("Page 12"): each break costs two round trips, and a 2,000-row schedule has fifty. A file
# written by `xlcredits fill` (no round trips) breaks and counts every page.
MAX_PAGES_DOWN = 10


def print_columns(spec: SheetSpec) -> tuple[int, int]:
    c1, c2 = spec.print_cols
    return c1, (c2 if spec.mark_col is None else max(c2, spec.mark_col))


def column_points(spec: SheetSpec, c: int) -> float:
    """A column's width in points as Excel draws it: 7 pixels per character plus 5 of padding, at 96 dpi."""
    return (spec.widths.get(c, 8.43) * 7 + 5) * 0.75


def usable(spec: SheetSpec) -> tuple[float, float]:
    """The printable width and height of a Letter page (points), inside the margins."""
    width, height = (LETTER[1], LETTER[0]) if spec.landscape else LETTER
    return (width - 2 * SIDE_MARGIN) * 72, (height - TOP_MARGIN - BOTTOM_MARGIN) * 72


def print_scale(spec: SheetSpec) -> float:
    """The scale fitting the printed columns to the page width in Excel (at most 1)."""
    c1, c2 = print_columns(spec)
    points = sum(column_points(spec, c) for c in range(c1, c2 + 1))
    return min(1.0, usable(spec)[0] / points)


def print_percent(spec: SheetSpec) -> int:
    """The zoom a sheet prints at: its columns on one page's width in both programs when that keeps
    type at 8 points or more, else 100 (the sheet then prints several pages wide)."""
    c1, c2 = print_columns(spec)
    points = sum(column_points(spec, c) for c in range(c1, c2 + 1)) * WIDER
    percent = min(100, math.floor(usable(spec)[0] / points * 100))
    return percent if percent >= MIN_PERCENT else 100


def column_breaks(spec: SheetSpec, percent: int) -> list[int]:
    """Columns that start a page across, for a sheet printed several pages wide: its first two
    columns repeat on every page (`writer` repeats them), the others fill each page in turn."""
    c1, c2 = print_columns(spec)
    room = usable(spec)[0] * 100 / percent / WIDER
    repeated = sum(column_points(spec, c) for c in (c1, c1 + 1))
    if sum(column_points(spec, c) for c in range(c1, c2 + 1)) <= room:
        return []
    breaks, used = [], repeated
    for c in range(c1 + 2, c2 + 1):
        width = column_points(spec, c)
        if used + width > room and used > repeated:
            breaks.append(c)
            used = repeated
        used += width
    return breaks


def row_height(spec: SheetSpec, value, r: int, columns: tuple[int, int]) -> float:
    """A row's printed height, estimated on the high side: its own height, or the lines its wrapped
    text needs (`writer._row_heights` grows such rows with wider lines: this is never less)."""
    height = spec.heights.get(r, DEFAULT_ROW)
    for c in range(columns[0], columns[1] + 1):
        text = value(r, c)
        if not isinstance(text, str) or len(text) < 12:
            continue
        cell = spec.cells.get((r, c))
        role = cell.role if cell is not None else (spec.block_at(r, c) or ("label", ""))[0]
        if not ((cell is not None and cell.wrap) or role in WRAPPING_ROLES):
            continue
        last = next((end for row, first, end in spec.merges if row == r and first == c), c)
        chars = max(1, int(sum(spec.widths.get(col, 8.43) for col in range(c, last + 1)) * 1.3))
        lines = sum(max(1, -(-len(part) // chars)) for part in text.split("\n"))
        height = max(height, min(11 * lines + 2, 400) + 2)
    return height


def row_breaks(spec: SheetSpec, value, last: int, hidden: set[int], percent: int,
               most: int | None) -> list[int] | None:
    """Rows that start a page down: a form's own pages; for a table, the row whose height would
    take its page past `PAGE_FILL` of the page (the repeated heading rows counted on every page
    after the first); None for a table of more than `most` pages (no limit: None)."""
    if spec.page_breaks:
        return [r for r in spec.page_breaks if r <= last]
    columns = print_columns(spec)
    room = usable(spec)[1] * PAGE_FILL * 100 / percent
    heading = 0.0
    if spec.repeat_rows:
        first, end = spec.repeat_rows
        heading = sum(row_height(spec, value, r, columns) for r in range(first, end + 1) if r not in hidden)
    breaks, used = [], 0.0
    for r in range(0, last + 1):
        if r in hidden:
            continue
        height = row_height(spec, value, r, columns)
        if used + height > room and used > heading:
            breaks.append(r)
            if most is not None and len(breaks) >= most:
                return None  # too long to count: the programs break it themselves
            used = heading
        used += height
    return breaks


def page_count(row_starts: list[int], column_starts: list[int], last: int, hidden: set[int]) -> int:
    """Pages printed: the stretches between row breaks that show a row, times the pages across."""
    bounds = [0, *row_starts, last + 1]
    down = sum(1 for a, b in zip(bounds, bounds[1:]) if any(r not in hidden for r in range(a, b)))
    return max(1, down) * (len(column_starts) + 1)
