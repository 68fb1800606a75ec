"""The live-Excel adapter: the shared filler (`workbook.filler`) working on the book open in Excel.

`XlwingsAdapter(book)` implements `WorkbookAdapter` over an `xlwings.Book`; `fill(book)` is the
whole ribbon fill: read, check the layout, plan (validate, compute), apply, flush.

Every COM property or method is a cross-process round trip (milliseconds each), so this adapter
works in blocks, not cells (`tests/xlfake` counts the calls; a test holds the budget):

- reading: each sheet the filler reads is fetched once, values and formulas, as one 2-D block
  (`Range.Value`/`Range.Formula` of the template's used area through `.api`, three round trips,
  cleaned by xlwings' own `clean_value_data` with errors as text, as err_to_str=True does);
  the defined names are resolved from the template's layout, not asked one by one (231 names
  would be 460 round trips). That the book still has the template's layout is checked on the same
  blocks: every label of the template must be where the template put it (an inserted or deleted row
  or column moves them), and every sheet must be there under its name;
- writing (`live_flush.py`): values and formulas buffered and written per rectangle, highlights
  per colour on multi-area ranges, notes only where a finding applies; the sheets written are
  unprotected and protected again as `xlcredits fill` protects them;
- printing (`live_print.py`): the print set-up `xlcredits fill` writes (header and footer, print
  areas, hidden rows and empty schedules), computed by the same `workbook.print_plan`;
- the fill state (`XLC_state`, on the very hidden `xlc_state` sheet) is stored compactly
  (`state.py`) so 2,000 marked rows fit a cell.

xlwings calls used: `book.sheets[name]`, `book.app.engine`, `Range.value` (set, for blocks holding
dates), and the documented `.api` escape to the COM objects for what xlwings has no block form
of: `Range(a1).Value/Formula` (get and set), `Names(name).RefersToRange`,
`Range(multi-area).Interior/Font/ClearComments`, `Range.AddComment`, `Worksheet.Unprotect/Protect`,
`Worksheet.PageSetup` (and `.FirstPage`), `Worksheet.Visible`, `Range(rows).Hidden`,
`Application.PrintCommunication`.
"""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any

from ..cellerrors import error_text
from ..lines import Result
from ..workbook.files import _header_year as header_year
from ..workbook.filler import InputCellWritten, LayoutChanged, NotAWorkbook, layout_of, plan_fill
from ..workbook.layout import Layout, address, parse_address
from . import live_print
from . import state as fill_state
from .live_flush import Flushing, ProtectedSheet
from .ranges import a1 as _a1
from .ranges import column_runs, excel_value as _excel, grid as _grid, rectangles  # noqa: F401 - API before the split

STATE_NAME = "XLC_state"
ADDIN_FUNCTIONS = ("CREDIT_45X", "RATE_45X", "UNIT_45X", "LINE_45X", "PHASEOUT_45X", "MACR_THRESHOLD_45X",
                   "NJ_RD_CREDIT", "NJ_MINIMUM_TAX", "NJ_FIXED_BASE_STARTUP", "NJ_FIXED_BASE_EXISTING",
                   "NJ_ALLOWABLE_CREDIT")

__all__ = ["XlwingsAdapter", "LayoutChanged", "fill", "check", "AddinFormulaInInput", "ProtectedSheet"]


class AddinFormulaInInput(NotAWorkbook):
    """Input cells call xlcredits' own functions: the reviewer's copy (no add-in) would show #NAME?."""

    def __init__(self, cells: list[tuple[str, str]]):
        self.cells = cells
        shown = "; ".join(f"{where} holds {formula[:60]}" for where, formula in cells[:5])
        more = f" (and {len(cells) - 5} more)" if len(cells) > 5 else ""
        super().__init__(f"{shown}{more}. Type the value itself into an input cell: the copy that goes to the "
                         f"reviewer has no xlcredits add-in, so it would show #NAME? instead of your number")


class XlwingsAdapter(Flushing):
    """A `WorkbookAdapter` over an open `xlwings.Book`; changes are buffered until `flush()`."""

    def __init__(self, book, app=None):
        self.book = book
        self._sheets: dict[str, Any] = {}
        self._apis: dict[str, Any] = {}
        self._worksheets = None  # the book's Worksheets collection (COM)
        self._values: dict[str, list] = {}  # sheet -> its used area's values (rows of cells)
        self._formulas: dict[str, list] = {}  # sheet -> the same area's formulas, read when asked for
        self._ranges: dict[str, Any] = {}  # sheet -> the COM Range of that area
        self._layout: Layout | None = None
        self._inputs: set[str] = set()
        self._writes: dict[tuple[str, int, int], Any] = {}
        self.written: dict[tuple[str, int, int], Any] = {}  # this fill's values (formulas' values), as given
        self._state_text: str | None = None  # the fill state written, before compaction
        self._notes: dict[tuple[str, int, int], str | None] = {}
        self._looks: dict[tuple[str, int, int], str | None] = {}  # cell -> severity or None (template look)
        self._engine = None  # xlwings' engine (its value cleaning)
        self._app = app  # xlwings' App of the book (asked once)

    # --- reading ------------------------------------------------------------------------------
    def _sheet(self, name: str):
        """The xlwings Sheet (for blocks holding dates, which xlwings converts for COM)."""
        if name not in self._sheets:
            self.sheet_api(name)  # LayoutChanged if it is missing
            self._sheets[name] = self.book.sheets[name]
        return self._sheets[name]

    def sheet_api(self, name: str):
        """The sheet's COM object: one round trip a sheet, the Worksheets collection asked once
        (xlwings' `book.sheets[name]` asks for the collection each time)."""
        if name not in self._apis:
            if self._worksheets is None:
                self._worksheets = self.book.api.Worksheets
            try:
                self._apis[name] = self._worksheets(name)
            except Exception:  # noqa: BLE001 - a COM error: no such sheet
                raise LayoutChanged(f"this workbook has no sheet named {name!r} (renamed or deleted?); "
                                    f"xlcredits fills only its own layout: copy the inputs into a fresh "
                                    f"template") from None
        return self._apis[name]

    def _block(self, name: str) -> tuple[list, list]:
        """The sheet's used area (as the template laid it out), values and formulas, read once:
        three round trips (the formulas only when asked for). Through xlwings'
        `Range.options(...).value` the same read costs thirteen (it asks the range's position,
        size, sheet, book and window first); its own cleaning of the raw block is used instead
        (`engine.clean_value_data`: errors as text, as `err_to_str=True`; dates as `datetime`;
        empty cells as None)."""
        values = self.values(name)
        if name not in self._formulas:
            self._formulas[name] = _grid(self._ranges[name].Formula)
        return values, self._formulas[name]

    def values(self, name: str) -> list:
        """The sheet's used area's values (`_block`), without its formulas."""
        if name not in self._values:
            spec = self.layout.book.sheets[name]
            rows = max([r for r, _ in spec.cells] + [r2 for _, r2, _, _, _ in spec.blocks] + [0]) + 1
            cols = max([c for _, c in spec.cells] + [c for _, _, c, _, _ in spec.blocks] + [0]) + 1
            self._ranges[name] = self.sheet_api(name).Range(_a1(0, 0, rows - 1, cols - 1))
            self._values[name] = self._clean(_grid(self._ranges[name].Value))
        return self._values[name]

    def app_api(self):
        """Excel's Application object (asked once: xlwings asks the book for it on each `book.app`)."""
        if self._app is None:
            self._app = self.book.app
        return self._app.api

    def _clean(self, grid: list) -> list:
        if self._engine is None:
            if self._app is None:
                self._app = self.book.app
            self._engine = self._app.engine.impl
        return self._engine.clean_value_data(grid, datetime, None, None, True)

    def _value_at(self, sheet: str, r: int, c: int) -> Any:
        values = self.values(sheet)
        try:
            return values[r][c]
        except IndexError:
            return None

    def _named(self, name: str) -> tuple[str, int, int, int, int] | None:
        ref = self.layout.book.names.get(name)
        return parse_address(ref) if ref else None

    def _name_cell_value(self, name: str) -> Any:
        """Before the layout is known (XLC_form, XLC_revision): ask Excel for the name itself."""
        try:
            value = self.book.api.Names(name).RefersToRange.Value
        except Exception:  # noqa: BLE001 - no such name, or it refers to no range
            return None
        if isinstance(value, tuple):
            value = value[0][0] if value and isinstance(value[0], tuple) else value[0]
        return error_text(value) or value

    def read(self, name: str) -> Any:
        if self._layout is None and name in ("XLC_form", "XLC_revision"):
            return self._name_cell_value(name)
        found = self._named(name)
        if found is None:
            return None
        value = self._value_at(found[0], found[1], found[2])
        if name == STATE_NAME and isinstance(value, str):
            return fill_state.expand(value)
        return value

    def value_at(self, target: str) -> Any:
        """The value of a cell given by address (verify compares schedule rows through it)."""
        sheet, r, c, _, _ = parse_address(target)
        return self._value_at(sheet, r, c)

    def value_in(self, sheet: str, r: int, c: int) -> Any:
        """The value at a 0-based position (verify compares the cells a fill writes through it)."""
        return self._value_at(sheet, r, c)

    def read_column(self, name: str) -> list[Any]:
        sheet, r1, c, r2, _ = self._named(name)
        return [self._value_at(sheet, r, c) for r in range(r1, r2 + 1)]

    @property
    def layout(self) -> Layout:
        """The form's layout, once the open book is checked to still have it."""
        if self._layout is None:
            layout = layout_of(self)
            self._layout = layout
            try:
                self._check_labels(layout)
            except Exception:
                self._layout = None
                raise
            self._inputs = layout.input_addresses()
        return self._layout

    def _check_labels(self, layout: Layout) -> None:
        moved = []
        for sheet, spec in layout.book.sheets.items():
            for (r, c), cell in spec.cells.items():
                if cell.role in ("input", "computed", "rule", "meta_value") or cell.formula or cell.value is None:
                    continue
                if not isinstance(cell.value, str) or not cell.value.strip():
                    continue
                got = self._value_at(sheet, r, c)
                if str(got if got is not None else "").strip() != cell.value.strip():
                    moved.append(f"{address(sheet, r, c)} should read {cell.value.strip()[:40]!r} but reads "
                                 f"{str(got if got is not None else '')[:40]!r}")
        if moved:
            raise LayoutChanged(
                f"this workbook's layout was changed (rows, columns or sheets inserted, deleted or renamed?): "
                f"{moved[0]}{f' (and {len(moved) - 1} more)' if len(moved) > 1 else ''}. xlcredits fills only "
                f"its own layout: copy the inputs into a fresh template")

    def formula_at(self, sheet: str, r: int, c: int) -> str | None:
        """The cell's formula, or None for a constant. `Range.Formula` gives a constant's text too,
        and text typed as '=x (or written with the apostrophe) reads "=x": a formula's value is
        never its own text, a text constant's always is."""
        values, formulas = self._block(sheet)
        try:
            formula, value = formulas[r][c], values[r][c]
        except IndexError:
            return None
        if isinstance(formula, str) and formula.startswith("=") and formula != value:
            return formula
        return None

    def formulas(self) -> dict[str, dict[tuple[int, int], str]]:
        """Every formula of the form's sheets: {sheet: {(row, col): "=..."}} (0-based)."""
        out = {}
        for sheet in self.layout.book.sheets:
            _, formulas = self._block(sheet)
            out[sheet] = {(r, c): f for r, row in enumerate(formulas) for c, f in enumerate(row)
                          if isinstance(f, str) and f.startswith("=") and self.formula_at(sheet, r, c)}
        return out

    def addin_formulas_in_inputs(self) -> list[tuple[str, str]]:
        """Input cells whose formula calls an xlcredits worksheet function: (cell, formula)."""
        found = []
        for target in sorted(self._inputs):
            sheet, r, c, _, _ = parse_address(target)
            formula = self.formula_at(sheet, r, c)
            if formula and any(f"{name}(" in formula.upper() for name in ADDIN_FUNCTIONS):
                found.append((target, formula))
        return found

    # --- WorkbookAdapter: buffered changes ---------------------------------------------------------
    def _cell(self, target: str, output: bool = False) -> tuple[str, int, int]:
        found = self._named(target)
        sheet, r, c, _, _ = found if found is not None else parse_address(target)
        if output and address(sheet, r, c) in self._inputs:
            raise InputCellWritten(f"the filler tried to write input cell {address(sheet, r, c)}")
        return sheet, r, c

    def write(self, target: str, value: Any, formula: str | None = None) -> None:
        if target == STATE_NAME and isinstance(value, str):
            self._state_text = value
            value = fill_state.compact(value)
        cell = self._cell(target, output=True)
        self._writes[cell] = formula if formula else _excel(value)
        self.written[cell] = formula if value is None and formula else value

    def add_to_state(self, key: str, value: Any) -> None:
        """Keep `value` under `key` in the fill state this flush writes (the print set-up applied)."""
        state = _state(self._state_text if self._state_text is not None else self.read(STATE_NAME))
        state[key] = value
        self.write(STATE_NAME, json.dumps(state, separators=(",", ":")))

    # --- what the print set-up reads (live_print) -------------------------------------------------
    def value_after_fill(self, name: str) -> Any:
        """A defined name's value once this fill is flushed (the fingerprint, the identifiers)."""
        found = self._named(name)
        return None if found is None else live_print.LiveCells(self, found[0]).value(found[1], found[2])

    def note(self, target: str, text: str | None) -> None:
        self._notes[self._cell(target)] = text or None

    def highlight(self, target: str, severity: str | None) -> None:
        self._looks[self._cell(target)] = severity


def _refuse_addin_formulas(adapter: XlwingsAdapter) -> None:
    found = adapter.addin_formulas_in_inputs()
    if found:
        for target, _ in found:
            adapter.highlight(target, "error")
            adapter.note(target, "ERROR: an xlcredits function in an input cell. Type the value itself: the "
                                 "reviewer's copy has no add-in and would show #NAME?.")
        adapter.flush()
        raise AddinFormulaInInput([(_shown(t), f) for t, f in found])


def _shown(target: str) -> str:
    from ..workbook.filler import display_address

    return display_address(target)


def fill(book, adapter: XlwingsAdapter | None = None) -> tuple[Result, Layout]:
    """Fill the open book exactly as `xlcredits fill` fills a file: same plan, this adapter."""
    adapter = adapter or XlwingsAdapter(book)
    adapter.layout  # noqa: B018 - NotAWorkbook / LayoutChanged before anything is computed
    _refuse_addin_formulas(adapter)
    result, plan = plan_fill(adapter)
    before = live_print.applied_before(_state(adapter.read(STATE_NAME)).get("print"), plan.layout)
    plan.apply(adapter)
    plans = live_print.plans_after_fill(adapter, header_year(result), _taxpayer(adapter))
    adapter.add_to_state("print", {name: live_print.record(p, before.get(name)) for name, p in plans.items()})
    adapter.flush()
    live_print.apply(adapter, plans, before)
    return result, plan.layout


def _taxpayer(adapter: XlwingsAdapter) -> str:
    """The name printed in the page header, as `xlcredits fill` prints it (the layout's TAXPAYER field)."""
    place = adapter.layout.fields.get(getattr(adapter.layout.hooks, "TAXPAYER", "") or "")
    value = None if place is None else adapter.value_in(place.place.sheet, place.place.row, place.place.col)
    return "" if value is None else live_print.shown(value)


def check(book, adapter: XlwingsAdapter | None = None) -> tuple[Result, Layout]:
    """"Check inputs": validate and mark the findings; no line, no Audit value is written."""
    adapter = adapter or XlwingsAdapter(book)
    adapter.layout  # noqa: B018
    _refuse_addin_formulas(adapter)
    previous = _state(adapter.read(STATE_NAME))
    result, plan = plan_fill(adapter)
    for op in plan.ops:
        if op.kind != "write":
            getattr(adapter, op.kind)(op.target, op.value)
    new = next((_state(op.value) for op in plan.ops if op.kind == "write" and op.target == STATE_NAME), {})
    # The next fill clears what this check marked and what the last fill wrote (rows, findings, the
    # margin marks and Review rows): the last fill's state, with this check's marks added.
    merged = dict(previous)
    merged["marks"] = sorted(set(previous.get("marks", [])) | set(new.get("marks", [])))
    merged["rows"] = {k: max(previous.get("rows", {}).get(k, 0), v) for k, v in new.get("rows", {}).items()}
    adapter.write(STATE_NAME, json.dumps(merged, separators=(",", ":")))
    adapter.flush()
    return result, plan.layout


def verify(book, adapter: XlwingsAdapter | None = None):
    """"Verify workbook": recompute from the open book's inputs and compare every cell a fill
    writes (formula first, then value) and the functions the formulas use, as `xlcredits verify`
    compares a file (`workbook.verify.compare_plan`). Number formats, fonts, hidden rows and what
    the file carries (macros, links) are checked by `xlcredits verify` on the saved file.
    Returns (result, layout, problems); problems is empty when the inputs have errors."""
    from ..workbook.verify import compare_plan
    from ..workbook.verify_checks import check_functions

    adapter = adapter or XlwingsAdapter(book)
    layout = adapter.layout
    result, plan = plan_fill(adapter)
    if not result.computed:
        return result, layout, []
    formulas = adapter.formulas()
    problems = check_functions(formulas, {}) + compare_plan(adapter, layout, plan, formulas)
    return result, layout, problems


def _state(text) -> dict:
    try:
        state = json.loads(str(text)) if text else {}
    except ValueError:
        return {}
    return state if isinstance(state, dict) else {}
