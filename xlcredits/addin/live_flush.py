"""Writing what a live fill buffered to the book open in Excel, in as few COM round trips as it takes.

- values and formulas per contiguous rectangle, one call each (lines, rows, the Audit and Review
  sheets, the "!N" marks in the margin column);
- highlights per colour, on multi-area ranges ("O5:O9,O12", up to 255 characters), a few calls per
  colour; notes only where a finding applies (the per-row rule explanations live on the Audit
  sheet), cleared in bulk and added one call each, at most `MAX_NOTES` per fill;
- protection: the sheets a flush writes are unprotected with the empty password and protected
  again as `xlcredits fill` protects them (`workbook.protection.EXCEL_PROTECT_ARGS`), two round
  trips a sheet; a sheet with someone else's password stops the fill before anything is written.
"""

from __future__ import annotations

from contextlib import contextmanager
from datetime import datetime
from typing import Any

from ..workbook.protection import EXCEL_PROTECT_ARGS
from ..workbook.styles import HIGHLIGHT, format_props
from .ranges import a1 as _a1
from .ranges import area_chunks, by_sheet as _by_sheet, rectangles, rgb_int as _rgb_int

AUTOMATIC_FONT = "#000000"
MAX_NOTES = 100  # notes cost a round trip each; the Audit sheet lists every finding anyway
XL_NONE = -4142  # xlColorIndexNone


class ProtectedSheet(Exception):
    """Sheets the fill must write are protected with a password (not by xlcredits, which sets none)."""

    def __init__(self, sheets: list[str]):
        self.sheets = sheets
        many = len(sheets) > 1
        super().__init__(
            f"Nothing was changed: the sheet{'s' if many else ''} {', '.join(repr(s) for s in sheets)} "
            f"{'are' if many else 'is'} protected with a password (xlcredits protects its sheets without one). "
            f"Unprotect {'them' if many else 'it'} (Review > Unprotect Sheet, and type the password) and click the "
            f"button again; xlcredits protects {'them' if many else 'it'} again, without a password, when it fills.")


class Flushing:
    """The writing half of `live.XlwingsAdapter`: its buffers (`_writes`, `_looks`, `_notes`) to Excel."""

    def flush(self) -> None:
        """Write everything buffered: values and formulas, then looks, then notes; the sheets
        written are unprotected first and protected again after, as the file path protects them."""
        touched = {sheet for sheet, _, _ in (*self._writes, *self._looks, *self._notes)}
        with self.unprotected([name for name in self.layout.book.sheets if name in touched]):
            for sheet, cells in _by_sheet(self._writes).items():
                self._write_blocks(sheet, cells)
            self._apply_looks()
            self._apply_notes()
        self._writes.clear()
        self._looks.clear()
        self._notes.clear()

    @contextmanager
    def unprotected(self, sheets: list[str]):
        """Unprotect `sheets` for the block, then protect them as `xlcredits fill` does (no password,
        `EXCEL_PROTECT_ARGS`). xlcredits' own protection has no password, so `Unprotect("")` lifts
        it; a sheet someone protected with a password refuses, and then nothing is changed
        (`ProtectedSheet`). The password is always passed: omitted, Excel would stop and prompt.
        Round trips: one `Unprotect` and one `Protect` per sheet (`Unprotect` does nothing on a sheet
        not protected, so its state is not asked first; if a password stops the fill, the sheets
        already lifted are protected again, as every fill leaves them)."""
        apis = [self.sheet_api(name) for name in sheets]
        lifted, refused = [], []
        for name, api in zip(sheets, apis):
            try:
                api.Unprotect("")
                lifted.append(api)
            except Exception:  # noqa: BLE001 - a COM error: the sheet has a password
                refused.append(name)
        if refused:
            for api in lifted:  # as it was: nothing changed
                api.Protect(**EXCEL_PROTECT_ARGS)
            raise ProtectedSheet(refused)
        try:
            yield
        finally:
            for api in apis:
                api.Protect(**EXCEL_PROTECT_ARGS)

    def _write_blocks(self, sheet: str, cells: dict[tuple[int, int], Any]) -> None:
        api = None
        for r1, c1, r2, c2 in rectangles(cells):
            rows = [[cells[(r, c)] for c in range(c1, c2 + 1)] for r in range(r1, r2 + 1)]
            flat = [x for row in rows for x in row]
            if any(isinstance(x, datetime) for x in flat):  # xlwings converts dates for COM
                self._sheet(sheet).range(_a1(r1, c1, r2, c2)).value = rows
                continue
            api = api or self.sheet_api(sheet)
            rng = api.Range(_a1(r1, c1, r2, c2))
            rows = [["" if x is None else x for x in row] for row in rows]  # as xlwings sends an empty cell
            data = rows[0][0] if len(flat) == 1 else rows
            if any(isinstance(x, str) and x.startswith("=") for x in flat):
                rng.Formula = data
            else:
                rng.Value = data

    def _look_of(self, sheet: str, r: int, c: int, severity: str | None) -> tuple[str | None, str]:
        if severity is not None:
            return HIGHLIGHT[severity]
        template = self.layout.book.peek(sheet, r, c)
        role, unit = (template.role, template.unit) if template else \
            (self.layout.book.sheets[sheet].block_at(r, c) or ("label", ""))
        props = format_props(role, unit)
        return props.get("bg_color"), props.get("font_color", AUTOMATIC_FONT)

    def _apply_looks(self) -> None:
        groups: dict[tuple[str, str | None, str], list[tuple[int, int]]] = {}
        for (sheet, r, c), severity in self._looks.items():
            fill, font = self._look_of(sheet, r, c, severity)
            groups.setdefault((sheet, fill, font), []).append((r, c))
        for (sheet, fill, font), cells in groups.items():
            api = self.sheet_api(sheet)
            for chunk in area_chunks(cells):
                rng = api.Range(chunk)
                if fill is None:
                    rng.Interior.ColorIndex = XL_NONE
                else:
                    rng.Interior.Color = _rgb_int(fill)
                rng.Font.Color = _rgb_int(font)

    def _apply_notes(self) -> None:
        # A note goes where a finding is marked now, or where a mark is cleared (a field's help note
        # comes back); rule explanations of lines and rows are on the Audit sheet, not in notes.
        wanted = {cell: text for cell, text in self._notes.items() if text and cell in self._looks}
        by_sheet = _by_sheet(dict.fromkeys(self._notes, None))
        for sheet, cells in by_sheet.items():
            api = self.sheet_api(sheet)
            for chunk in area_chunks(cells):
                api.Range(chunk).ClearComments()
        for (sheet, r, c), text in sorted(wanted.items())[:MAX_NOTES]:
            self.sheet_api(sheet).Range(_a1(r, c)).AddComment(text)
