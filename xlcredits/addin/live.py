"""The live-Excel adapter: the shared filler (`workbook.filler`) working on the book open in Excel.

`XlwingsAdapter(book)` implements `WorkbookAdapter` over an `xlwings.Book`; `fill(book)` is the
whole ribbon fill: plan (read, validate, compute), check the book still has the template's
layout, apply, flush. The file path (`xlcredits fill`) runs the same plan through `BookAdapter`.

The xlwings calls used, all documented (xlwings 0.37):

    book.names (iterated)  Name.name  Name.refers_to
    book.sheets[name]      sheet.range("$A$1" | "$A$1:$A$9")
    Range.value (get/set)  Range.formula (set)
    Range.note  Range.add_note(text)  Note.text (set)  Note.delete()
    Range.color (set)      Range.font.color (set)

Every COM call is a round trip, so: names are indexed once, a named column is read with one
`.value`, and value/formula writes are buffered and written one contiguous column run per call
(`flush`). Notes and colours are set per cell; a fill marks few cells.
"""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Any

from ..lines import Result
from ..workbook.filler import InputCellWritten, LayoutChanged, check_layout, layout_of, plan_fill
from ..workbook.layout import Layout, address, col_letter, parse_address
from ..workbook.styles import HIGHLIGHT, format_props

AUTOMATIC_FONT = "#000000"

__all__ = ["XlwingsAdapter", "LayoutChanged", "fill"]


class XlwingsAdapter:
    """A `WorkbookAdapter` over an open `xlwings.Book`. Value and formula writes are buffered
    until `flush()`; notes and highlights are applied at once."""

    def __init__(self, book):
        self.book = book
        self._names: dict[str, tuple] | None = None  # NAME -> (sheet, r1, c1, r2, c2)
        self._sheets: dict[str, Any] = {}
        self._layout: Layout | None = None
        self._inputs: set[str] = set()
        self._pending: dict[tuple[str, int, int], tuple[str, Any]] = {}  # cell -> ("value"|"formula", x)

    # --- addressing ---------------------------------------------------------------------------
    @property
    def names(self) -> dict[str, tuple]:
        if self._names is None:
            self._names = {}
            for name in self.book.names:
                key, ref = name.name, name.refers_to
                try:
                    self._names[key.upper()] = parse_address(str(ref or "").lstrip("="))
                except ValueError:  # =#REF!, constants, sheet-scoped print areas
                    continue
        return self._names

    def _where(self, target: str) -> tuple[str, int, int, int, int]:
        found = self.names.get(target.upper())
        return found if found is not None else parse_address(target)

    def _range(self, sheet: str, r1: int, c1: int, r2: int | None = None, c2: int | None = None):
        if sheet not in self._sheets:
            self._sheets[sheet] = self.book.sheets[sheet]
        ref = f"${col_letter(c1)}${r1 + 1}"
        if r2 is not None and (r2, c2) != (r1, c1):
            ref += f":${col_letter(c2)}${r2 + 1}"
        return self._sheets[sheet].range(ref)

    @property
    def layout(self) -> Layout:
        """The form's layout, once the book is checked to still have it (else `LayoutChanged`)."""
        if self._layout is None:
            layout = layout_of(self)
            check_layout(layout, self.names)
            self._layout, self._inputs = layout, layout.input_addresses()
        return self._layout

    def _cell(self, target: str, output: bool = False) -> tuple[str, int, int]:
        """The cell a change goes to, once the layout is checked; `output`: refuse an input cell."""
        sheet, r, c, _, _ = self._where(target)
        self.layout  # noqa: B018 - checked before the first change to the book
        if output and address(sheet, r, c) in self._inputs:
            raise InputCellWritten(f"the filler tried to write input cell {address(sheet, r, c)}")
        return sheet, r, c

    # --- WorkbookAdapter ----------------------------------------------------------------------
    def read(self, name: str) -> Any:
        found = self.names.get(name.upper())
        if found is None:
            return None
        return self._range(found[0], found[1], found[2]).options(err_to_str=True).value

    def read_column(self, name: str) -> list[Any]:
        sheet, r1, c, r2, _ = self.names[name.upper()]
        values = self._range(sheet, r1, c, r2, c).options(err_to_str=True).value
        return values if isinstance(values, list) else [values]

    def write(self, target: str, value: Any, formula: str | None = None) -> None:
        # The cached `value` of a formula is Excel's to compute.
        self._pending[self._cell(target, output=True)] = ("formula", formula) if formula else ("value", _excel(value))

    def note(self, target: str, text: str | None) -> None:
        rng = self._range(*self._cell(target))
        existing = rng.note
        if text:
            if existing is None:
                rng.add_note(text)
            else:
                existing.text = text
        elif existing is not None:
            existing.delete()

    def highlight(self, target: str, severity: str | None) -> None:
        sheet, r, c = self._cell(target)
        if severity is None:  # back to the template's look
            template = self.layout.book.peek(sheet, r, c)
            role, unit = (template.role, template.unit) if template else \
                (self.layout.book.sheets[sheet].block_at(r, c) or ("label", ""))
            props = format_props(role, unit)
            fill, font = props.get("bg_color"), props.get("font_color", AUTOMATIC_FONT)
        else:
            fill, font = HIGHLIGHT[severity]
        rng = self._range(sheet, r, c)
        rng.color = fill
        rng.font.color = font

    # --- buffered writes ----------------------------------------------------------------------
    def flush(self) -> int:
        """Write the buffered values and formulas, one call per contiguous run of a column.
        Returns the number of calls."""
        columns: dict[tuple[str, int], dict[int, tuple[str, Any]]] = {}
        for (sheet, r, c), op in self._pending.items():
            columns.setdefault((sheet, c), {})[r] = op
        calls = 0
        for (sheet, c), cells in sorted(columns.items()):
            rows = sorted(cells)
            start = 0
            for i in range(1, len(rows) + 1):
                if i == len(rows) or rows[i] != rows[i - 1] + 1 or cells[rows[i]][0] != cells[rows[start]][0]:
                    run = rows[start:i]
                    kind = cells[run[0]][0]
                    payload = [cells[r][1] for r in run]
                    rng = self._range(sheet, run[0], c, run[-1], c)
                    setattr(rng, kind, payload[0] if len(run) == 1 else [[x] for x in payload])
                    calls += 1
                    start = i
        self._pending.clear()
        return calls


def _excel(value: Any) -> Any:
    """A value as Excel should hold it: numbers as floats; text always as text (the leading
    apostrophe stops Excel from reading "2025", "0.1.0" or "=..." as a number, date or formula);
    empty text clears the cell, as XlsxWriter does."""
    if value is None or value == "":
        return None
    if isinstance(value, (bool, datetime)):
        return value
    if isinstance(value, date):
        return datetime(value.year, value.month, value.day)
    if isinstance(value, (int, float, Decimal)):
        return float(value)
    return "'" + str(value)


def fill(book) -> tuple[Result, Layout]:
    """Fill the open book exactly as `xlcredits fill` fills a file: same plan, this adapter."""
    adapter = XlwingsAdapter(book)
    adapter.layout  # noqa: B018 - NotAWorkbook / LayoutChanged before anything is computed
    result, plan = plan_fill(adapter)
    plan.apply(adapter)
    adapter.flush()
    return result, plan.layout
