"""The ribbon fill's print set-up: the same plan `xlcredits fill` writes into the file
(`workbook.print_plan`), applied to the book open in Excel.

The open book is a template (its set-up written for an empty form) or a book filled before; what a
fill last applied is kept in the fill state (`"print"`: per sheet, the sections written, the print
area, the hidden rows as runs, whether the sheet is hidden), so a fill changes only what differs —
each change is a COM round trip. Without that record the template's own plan is the starting point.

Excel talks to the printer driver on every PageSetup change unless `Application.PrintCommunication`
is False (Excel 2010 and later), so it is switched off around the changes and on again after.
Excel allows page set-up and (with `AllowFormattingRows`, as xlcredits protects) hiding rows on a
protected sheet, so no sheet is unprotected for this.
"""

from __future__ import annotations

from typing import Any

from .. import __version__
from ..workbook.pages import MAX_PAGES_DOWN
from ..workbook.print_plan import Sections, SheetPrint, book_print, shown  # noqa: F401 - shown: for live
from ..workbook.layout import col_letter
from .ranges import a1, row_chunks, runs, rows_of_runs

XL_VISIBLE, XL_HIDDEN = -1, 0
XL_PAGE_BREAK_MANUAL, XL_PAGE_BREAK_NONE = -4135, -4142
HEADER = ("LeftHeader", "CenterHeader", "RightHeader")
FOOTER = ("LeftFooter", "CenterFooter", "RightFooter")


class LiveCells:
    """One sheet's cells as they stand after the fill: the values written, else the block read."""

    def __init__(self, adapter, sheet: str):
        self.adapter, self.sheet = adapter, sheet

    def value(self, r: int, c: int) -> Any:
        written = self.adapter.written.get((self.sheet, r, c), self)
        return self.adapter.value_in(self.sheet, r, c) if written is self else written

    def last_row(self) -> int:
        spec = self.adapter.layout.book.sheets[self.sheet]
        return max([spec.last_row()] + [r for sheet, r, _ in self.adapter.written if sheet == self.sheet])

    def rows_in_use(self, first_row: int) -> list[int]:
        values = self.adapter.values(self.sheet)
        used = {(r, c) for r in range(first_row, len(values)) for c, v in enumerate(values[r])
                if v not in (None, "") or self.adapter.formula_at(self.sheet, r, c)}
        for (sheet, r, c), value in self.adapter.written.items():
            if sheet == self.sheet and r >= first_row:
                (used.discard if value in (None, "") else used.add)((r, c))
        return sorted({r for r, _ in used})


def plans_after_fill(adapter, tax_year: str, taxpayer: str) -> dict[str, SheetPrint]:
    book = adapter.layout.book
    return book_print(book, tax_year, taxpayer, adapter.value_after_fill, lambda spec: LiveCells(adapter, spec.name),
                      __version__, sheets=[n for n, s in book.sheets.items() if not s.very_hidden],
                      most_pages_down=MAX_PAGES_DOWN)


def template_plans(layout) -> dict[str, SheetPrint]:
    """What the template was written with (`xlcredits new`: no name, no tax year, no fingerprint)."""
    from ..workbook.writer import print_plans

    return {name: plan for name, plan in print_plans(layout.book).items() if not layout.book.sheets[name].very_hidden}


def record(plan: SheetPrint, before: SheetPrint | None) -> dict:
    """What the fill state keeps of a plan applied (JSON). A hidden sheet's page set-up is not
    written (`_apply_sheet`): its record keeps what it had before."""
    if plan.hidden and before is not None:
        plan = SheetPrint(plan.sheet, before.header, before.footer, before.first_header, before.area,
                          plan.hidden_rows, True)
    first = plan.first_header
    return {"h": [plan.header.left, plan.header.center, plan.header.right],
            "f": [plan.footer.left, plan.footer.center, plan.footer.right],
            "p": None if first is None else [first.left, first.center, first.right],
            "a": list(plan.area), "r": runs(plan.hidden_rows), "x": plan.hidden,
            "b": [list(plan.row_breaks), list(plan.column_breaks)]}


def from_record(sheet: str, kept: Any) -> SheetPrint | None:
    try:
        first = kept["p"]
        rows, columns = kept["b"]
        return SheetPrint(sheet, Sections(*map(str, kept["h"])), Sections(*map(str, kept["f"])),
                          None if first is None else Sections(*map(str, first)), tuple(int(x) for x in kept["a"]),
                          tuple(rows_of_runs(kept["r"])), bool(kept["x"]), row_breaks=tuple(map(int, rows)),
                          column_breaks=tuple(map(int, columns)))
    except (KeyError, TypeError, ValueError):
        return None


def applied_before(kept: Any, layout) -> dict[str, SheetPrint]:
    """What the open book's sheets were last set up with: the fill state's record, else the template's."""
    plans = template_plans(layout)
    if isinstance(kept, dict):
        for name in plans:
            found = from_record(name, kept.get(name))
            if found is not None:
                plans[name] = found
    return plans


def apply(adapter, plans: dict[str, SheetPrint], before: dict[str, SheetPrint]) -> None:
    """Change what differs between `before` (applied last) and `plans`, sheet by sheet."""
    app = adapter.app_api()
    app.PrintCommunication = False
    try:
        for name, plan in plans.items():
            _apply_sheet(adapter.sheet_api(name), plan, before.get(name))
    finally:
        app.PrintCommunication = True


def _apply_sheet(api, plan: SheetPrint, old: SheetPrint | None) -> None:
    if old is None or old.hidden != plan.hidden:
        api.Visible = XL_HIDDEN if plan.hidden else XL_VISIBLE
    old_rows = set(old.hidden_rows) if old else set()
    for rows, hide in ((old_rows - set(plan.hidden_rows), False), (set(plan.hidden_rows) - old_rows, True)):
        for chunk in row_chunks(rows):
            api.Range(chunk).Hidden = hide
    if plan.hidden:
        return  # not printed: its page set-up is written when it is shown again (`record` keeps the old)
    page = None
    if old is None or old.area != plan.area:
        page = api.PageSetup
        page.PrintArea = _area(plan.area)
    if old is None or (old.row_breaks, old.column_breaks) != (plan.row_breaks, plan.column_breaks):
        _page_breaks(api, plan, old)
    changes = _section_changes(plan, old)
    if not changes:
        return
    page = page or api.PageSetup
    if (plan.first_header is None) != (old is None or old.first_header is None):
        page.DifferentFirstPageHeaderFooter = plan.first_header is not None
    first_page = None
    for member, text, first in changes:
        if first:
            first_page = first_page or page.FirstPage
            getattr(first_page, member).Text = text
        else:
            setattr(page, member, text)


def _page_breaks(api, plan: SheetPrint, old: SheetPrint | None) -> None:
    """The plan's manual breaks, and no other: each break added or removed is two round trips
    (`Range("59:59").PageBreak`, Excel VBA reference); when more were there before than stay, all
    are removed at once (`ResetAllPageBreaks`, rows and columns) and the plan's added."""
    rows = [(f"${r + 1}:${r + 1}", r) for r in plan.row_breaks]
    columns = [(f"${col_letter(c)}:${col_letter(c)}", c) for c in plan.column_breaks]
    before = set() if old is None else {*(("r", r) for r in old.row_breaks), *(("c", c) for c in old.column_breaks)}
    wanted = {*(("r", r) for _, r in rows), *(("c", c) for _, c in columns)}
    if old is None or len(before - wanted) > len(wanted) // 2:
        api.ResetAllPageBreaks()
        before = set()
    for address, kind, at in [(a, "r", r) for a, r in rows] + [(a, "c", c) for a, c in columns]:
        if (kind, at) not in before:
            api.Range(address).PageBreak = XL_PAGE_BREAK_MANUAL
    for kind, at in sorted(before - wanted):
        address = f"${at + 1}:${at + 1}" if kind == "r" else f"${col_letter(at)}:${col_letter(at)}"
        api.Range(address).PageBreak = XL_PAGE_BREAK_NONE


def _section_changes(plan: SheetPrint, old: SheetPrint | None) -> list[tuple[str, str, bool]]:
    """(member, text, page 1?) for each section that differs."""
    out = []
    pairs = [(HEADER, plan.header, old.header if old else None, False),
             (FOOTER, plan.footer, old.footer if old else None, False)]
    if plan.first_header is not None:
        old_first = old.first_header if old else None
        old_footer = old.footer if old and old.first_header is not None else None
        pairs += [(HEADER, plan.first_header, old_first, True), (FOOTER, plan.footer, old_footer, True)]
    for members, new, was, first in pairs:
        for member, text, old_text in zip(members, _parts(new), _parts(was) if was else (None,) * 3):
            if text != old_text:
                out.append((member, text, first))
    return out


def _parts(s: Sections) -> tuple[str, str, str]:
    return s.left, s.center, s.right


def _area(area: tuple[int, int, int, int]) -> str:
    return a1(*area)
