"""The Review sheet (printed first) and the Review notes sheet of every form workbook.

The Review sheet's top is fixed: status, taxpayer, identifying number, tax year, open review
notes, input fingerprint, then the totals a reviewer checks. Below the findings heading the filler
writes the numbered findings and the statements of excluded amounts and phase-out
(`review_fill.py`); the template styles that area so written text wraps and prints.

The Review notes sheet is the reviewer's: unlocked cells, never written by the filler, carried
over by `fill` from a typed workbook. Its body is the defined name `Review_notes` (columns: line
or cell, note, status, who) and its status column `Review_notes_status`."""

from __future__ import annotations

from dataclasses import dataclass, field

from .a1 import address, range_address
from .styles import LEGEND
from .validation import _validate

REVIEW_SHEET, NOTES_SHEET = "Review", "Review notes"
NOTES_ROWS = 100  # under the writer's LONG_BLOCK: each cell is written unlocked
DYNAMIC_ROWS = 600  # findings and statements written by the filler
NOTE_STATUSES = ("open", "cleared")
# Review sheet columns: number, severity, line, cell (or amount), text
NO, SEVERITY, LINE, CELL, TEXT = range(5)


@dataclass
class ReviewPlace:
    sheet: str
    meta: dict[str, str] = field(default_factory=dict)  # key -> address of its value cell
    totals: dict[str, tuple[str, str]] = field(default_factory=dict)  # line key -> (value, remark) address
    findings_row: int = 0  # first row the filler writes
    notes_sheet: str = NOTES_SHEET
    notes_first_row: int = 0

    def notes_addresses(self) -> set[str]:
        return {address(self.notes_sheet, self.notes_first_row + i, c) for i in range(NOTES_ROWS) for c in range(4)}


META = (("status", "Status"), ("name", "Name"), ("tin", "Identifying number"), ("tax_year", "Tax year"),
        ("open_notes", "Open review notes"), ("fingerprint", "Input fingerprint"),
        ("engine", "Prepared with"))


def build_review_sheets(b) -> ReviewPlace:
    """Add the Review sheet (moved to the front) and the Review notes sheet to builder `b`."""
    place = _review_sheet(b)
    _notes_sheet(b, place)
    sheets = b.book.sheets
    b.book.sheets = {REVIEW_SHEET: sheets[REVIEW_SHEET],
                     **{k: v for k, v in sheets.items() if k != REVIEW_SHEET}}
    return place


def _review_sheet(b) -> ReviewPlace:
    form_name = b.title.split(" — ")[0]
    sb = b.sheet(REVIEW_SHEET, {NO: 6, SEVERITY: 10, LINE: 8, CELL: 20, TEXT: 58}, (NO, TEXT), gridlines=False)
    sb.title("", f"Review: {form_name} (Rev. {b.revision})",
             "Read this page first: status, the totals to check, every finding (marked !N beside its line or "
             "input on the form), and the statements of amounts left out and phase-out.")
    sb.help(LEGEND, NO, TEXT, height=24)
    place = ReviewPlace(REVIEW_SHEET)
    for key, label in META:
        sb.put(sb.row, NO, label, "label_bold")
        sb.merge(sb.row, NO, LINE)
        sb.put(sb.row, CELL, None, "meta_value", "count" if key == "open_notes" else "text", align="left")
        sb.merge(sb.row, CELL, TEXT)
        place.meta[key] = address(REVIEW_SHEET, sb.row, CELL)
        sb.row += 1
    open_cell = sb.spec.cells[_rc(place.meta["open_notes"])]
    open_cell.formula, open_cell.value = '=COUNTIF(Review_notes_status,"open")', 0
    sb.row += 1
    sb.section("Totals a reviewer checks")
    sb.headings({NO: "Line", SEVERITY: "Description", CELL: "Amount", TEXT: "Where it goes"}, height=16)
    sb.merge(sb.row - 1, SEVERITY, LINE)
    for key, label in getattr(b.hooks, "REVIEW_TOTALS", ()):
        if key not in b.line_defs:
            continue
        sb.put(sb.row, NO, key, "line_no")
        sb.put(sb.row, SEVERITY, label, "label", wrap=True)
        sb.merge(sb.row, SEVERITY, LINE)
        sb.put(sb.row, CELL, None, "computed", "money")
        sb.put(sb.row, TEXT, None, "review_text")
        place.totals[key] = (address(REVIEW_SHEET, sb.row, CELL), address(REVIEW_SHEET, sb.row, TEXT))
        sb.spec.heights[sb.row] = 24
        if key in getattr(b.hooks, "REVIEW_TOTALS_WHEN_USED", ()):  # printed only when the line has a value
            sb.spec.hide_unused.append((sb.row, sb.row, CELL, CELL, False))
        sb.row += 1
    sb.row += 1
    sb.section("Findings")
    head = sb.headings({NO: "No.", SEVERITY: "Severity", LINE: "Line", CELL: "Cell", TEXT: "Finding"}, height=16)
    place.findings_row = sb.row
    last = sb.row + DYNAMIC_ROWS - 1
    for col in (NO, SEVERITY, LINE, CELL):
        sb.spec.blocks.append((sb.row, last, col, "review_cell", ""))
    sb.spec.blocks.append((sb.row, last, TEXT, "review_text", ""))
    sb.spec.schedule_rows = (sb.row, 1)  # print only the rows the filler wrote
    sb.spec.repeat_rows = (head, head)
    return place


def _notes_sheet(b, place: ReviewPlace) -> None:
    sb = b.sheet(NOTES_SHEET, {0: 16, 1: 62, 2: 10, 3: 14}, (0, 3), gridlines=False)
    sb.title("", "Review notes")
    sb.help("For the reviewer: one note a row (the line or cell it is about, the note, its status and who wrote "
            "it). Status: open or cleared. xlcredits never changes these rows; `fill` carries them over.", height=24)
    head = sb.headings({0: "Line or cell", 1: "Note", 2: "Status", 3: "Who"}, height=16)
    first, last = sb.row, sb.row + NOTES_ROWS - 1
    for col in range(4):
        sb.spec.blocks.append((first, last, col, "input", "text"))
    _validate(sb.spec, first, 2, last, 2, "text", NOTE_STATUSES)
    b.name("Review_notes", range_address(NOTES_SHEET, first, 0, last, 3))
    b.name("Review_notes_status", range_address(NOTES_SHEET, first, 2, last, 2))
    sb.spec.schedule_rows = (first, 3)
    sb.spec.repeat_rows = (head, head)
    place.notes_first_row = first


def _rc(target: str) -> tuple[int, int]:
    from .a1 import parse_address

    _, r, c, _, _ = parse_address(target)
    return r, c
