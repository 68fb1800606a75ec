"""THE filler: read a workbook's inputs, compute the form, write every output cell.

One filler serves both paths:

- the file path (`xlcredits fill`): a `BookAdapter` over the in-memory template that
  `writer.save` then writes with cached values;
- the live-Excel path (the ribbon button): an xlwings adapter over the open book.

Only the adapter differs. An adapter implements `WorkbookAdapter` (the file path's is
`book_adapter.BookAdapter`; the plan itself is made in `fill_plan`):

    read(name: str) -> Any
        The value of the single cell a workbook-level defined name refers to (None when blank
        or when the name does not exist). Numbers may come back as int or float, dates as
        datetime, text as str.
    read_column(name: str) -> list[Any]
        The values of a one-column named range, top to bottom (blank cells as None). The list may
        stop early: cells past its end are blank.
    write(target: str, value: Any, formula: str | None = None) -> None
        Set an output cell. `target` is a defined name ("F7207_8a") or an absolute address
        ("'Products'!$O$5"). With `formula` (a full formula text, "=ROUND(...)") the cell gets
        the formula and `value` is its cached result; without, the plain value (None clears it).
        The filler never passes an input cell (`Layout.input_addresses()`).
    note(target: str, text: str | None) -> None
        Set the cell's note (comment) to `text`; None or "" removes it.
    highlight(target: str, severity: str | None) -> None
        Mark the cell as holding a finding: "error", "warning" or "note"; None removes the mark
        (the cell returns to its template look).

`fill_workbook(adapter)` reads `XLC_form` and `XLC_revision` to find the layout, reads the
inputs, computes, and applies the plan; `plan_fill(adapter)` returns the plan without applying
it, and `Plan.cells_written()` lists every cell it writes (a test asserts no input is among them).

Marks from a previous fill (highlights and notes on input cells, rows and findings that are gone)
are found in the `XLC_state` cell on the Audit sheet and cleared first, so filling twice leaves
no stale marks in a live workbook.
"""

from __future__ import annotations

import json
from decimal import Decimal
from typing import Any, Protocol

from ..lines import Finding, Result
from ..numbers import grouped
from .a1 import address, parse_address
from .book_adapter import BookAdapter, InputCellWritten
from .fill_plan import SEVERITY_ORDER, Op, Plan, _tax_year_text, line_values, make_plan
from ..gcpause import gc_paused
from .inputs import read_inputs
from .places import Layout
from .plainwords import display_address


class WorkbookAdapter(Protocol):
    def read(self, name: str) -> Any: ...

    def read_column(self, name: str) -> list[Any]: ...

    def write(self, target: str, value: Any, formula: str | None = None) -> None: ...

    def note(self, target: str, text: str | None) -> None: ...

    def highlight(self, target: str, severity: str | None) -> None: ...


class NotAWorkbook(ValueError):
    """The workbook is not an xlcredits form workbook (a sentence for the user)."""


class LayoutChanged(NotAWorkbook):
    """The book's defined names no longer point where the template put them."""


# --- entry points -----------------------------------------------------------------------------------

def layout_of(adapter: WorkbookAdapter) -> Layout:
    from .registry import layout_for

    form = adapter.read("XLC_form")
    if form is None:
        raise NotAWorkbook("this is not an xlcredits form workbook (it has no XLC_form name); start from "
                           "`xlcredits new 7207` or `xlcredits new nj306`")
    revision = adapter.read("XLC_revision")
    layout = layout_for(str(form).strip(), str(revision).strip() if revision else None)
    if layout is None:
        raise NotAWorkbook(f"this workbook is for form {form!r}, which this version of xlcredits does not prepare")
    return layout


def check_layout(layout: Layout, names: dict[str, tuple]) -> None:
    """Raise `LayoutChanged` unless every defined name of the template is in `names` (NAME -> the
    `parse_address` tuple it refers to) and refers to the template's cell: a deleted name would read
    as a blank input, a moved one would read (or, live, overwrite) the wrong cell."""
    moved = []
    for name, ref in layout.book.names.items():
        found = names.get(name.upper())
        if found != parse_address(ref):
            moved.append(f"{name} is missing (the template has it at {ref})" if found is None else
                         f"{name} refers to {address(*found[:3])} instead of {ref}")
    if moved:
        raise LayoutChanged(
            f"this workbook's layout was changed (rows, columns or sheets inserted, deleted or renamed?): "
            f"{moved[0]}{f' (and {len(moved) - 1} more)' if len(moved) > 1 else ''}. xlcredits fills only "
            f"its own layout: copy the inputs into a fresh template")


@gc_paused
def fill_workbook(adapter: WorkbookAdapter, inputs: dict | None = None, result: Result | None = None) -> Result:
    """Compute the form from the workbook's inputs and write every output through `adapter`."""
    result, plan = plan_fill(adapter, inputs, result)
    plan.apply(adapter)
    return result


@gc_paused
def plan_fill(adapter: WorkbookAdapter, inputs: dict | None = None,
              result: Result | None = None) -> tuple[Result, Plan]:
    """The result and the plan of writes, without applying them.

    `inputs`: compute from this JSON input instead of the cells read (the file path passes the
    original JSON, so a field the workbook cannot hold is still reported, never silently dropped);
    its rows must sit in the workbook contiguously from the first data row (`put_inputs`).
    `result`: `compute(inputs)` already done by the caller (the file path computes once per fill)."""
    from ..forms import compute

    layout = layout_of(adapter)
    data, positions = read_inputs(adapter, layout)
    if inputs is not None:
        positions = {key: list(range(_count(inputs, sp.schedule.json_field))) for key, sp in layout.schedules.items()}
    if result is None or inputs is None:
        result = compute(inputs if inputs is not None else data)
    _check_revision(layout, result)
    if result.computed:
        _check_line_columns(layout, data, positions, result)
    return result, make_plan(layout, result, data, positions, _state(adapter), open_notes=_open_notes(adapter))


def _open_notes(adapter: WorkbookAdapter) -> int:
    """Review notes still open (the Review sheet counts them; its formula recounts live)."""
    try:
        statuses = adapter.read_column("Review_notes_status")
    except (KeyError, ValueError):
        return 0
    return sum(1 for s in statuses or [] if str(s or "").strip().lower() == "open")


def _count(data: dict, path: str) -> int:
    from .inputs import get_path

    rows = get_path(data, path)
    return len(rows) if isinstance(rows, list) else 0


def _state(adapter: WorkbookAdapter) -> dict:
    text = adapter.read("XLC_state")
    if not text:
        return {}
    try:
        state = json.loads(str(text)[:2_000_000])
    except (ValueError, RecursionError):
        return {}
    return sane_state(state)


MAX_STATE_ITEMS = 20_000  # far above any fill's marks or findings (2,000 rows x a few findings each)


def sane_state(state) -> dict:
    """The XLC_state cell is workbook content a user (or an attacker) can edit: keep only the shape a
    fill writes, with counts bounded, so {"findings": 2000000} cannot plan millions of writes and
    {"findings": "x"} cannot raise."""
    if not isinstance(state, dict):
        return {}
    marks = state.get("marks")
    rows = state.get("rows")
    findings = state.get("findings")
    flags, review_rows = state.get("flags"), state.get("review_rows")  # the Review sheet's (review_fill)
    return {"marks": [m for m in marks[:MAX_STATE_ITEMS] if isinstance(m, str) and len(m) < 300]
            if isinstance(marks, list) else [],
            "flags": [m for m in flags[:MAX_STATE_ITEMS] if isinstance(m, str) and len(m) < 300]
            if isinstance(flags, list) else [],
            "review_rows": min(max(review_rows, 0), MAX_STATE_ITEMS)
            if isinstance(review_rows, int) and not isinstance(review_rows, bool) else 0,
            "rows": {k: min(max(v, 0), MAX_STATE_ITEMS) for k, v in rows.items()
                     if isinstance(k, str) and isinstance(v, int) and not isinstance(v, bool)}
            if isinstance(rows, dict) else {},
            "findings": min(max(findings, 0), MAX_STATE_ITEMS)
            if isinstance(findings, int) and not isinstance(findings, bool) else 0}


def _check_revision(layout: Layout, result: Result) -> None:
    if result.revision and result.revision != layout.revision:
        result.findings.warning(
            "tax_year", f"This workbook is laid out as Form {layout.form} Rev. {layout.revision}, but the tax year is "
                        f"filed on Rev. {result.revision}: run `xlcredits fill` on it to get a Rev. {result.revision} "
                        f"workbook.")


def _check_line_columns(layout: Layout, data: dict, positions: dict, result: Result) -> None:
    """The form's SUMIFS match a schedule's line column as typed: it must hold the line itself."""
    for key, sp in layout.schedules.items():
        column = sp.schedule.line_column
        if not column:
            continue
        typed = data.get(sp.schedule.json_field) or []
        for row in result.rows.get(key, []):
            i = row.get("#index")
            if i is None or i >= len(typed):
                continue
            got, want = typed[i].get(column), row.get(column)
            if want is not None and str(got).strip().lower() != str(want).lower():
                result.findings.warning(f"{row['#where']}.{column}",
                                        f"{row['#where']}: write {want!s} in the {column} column (not {got!r}); the "
                                        f"form's formulas add up rows by it.")


def summary(result: Result, layout: Layout) -> str:
    """One line for the terminal: the form, its bottom line, the findings count."""
    lines = [line for line in layout.lines if line.report and line.kind == "computed"]
    bottom = ""
    if result.computed and lines:
        key = getattr(layout.hooks, "BOTTOM_LINE", lines[-1].key)
        value = result.lines.get(key)
        if value is not None:
            bottom = f"; line {key} = {grouped(value, 2)}"
    counts = ", ".join(f"{result.findings.count(s)} {s}(s)" for s in ("error", "warning", "note"))
    year = _tax_year_text(result.tax_year)
    return f"Form {layout.form} Rev. {layout.revision}{f', tax year {year}' if year else ''}{bottom}; {counts}"


__all__ = ["WorkbookAdapter", "BookAdapter", "InputCellWritten", "Plan", "Op", "fill_workbook", "plan_fill",
           "make_plan", "line_values", "display_address", "layout_of", "check_layout", "NotAWorkbook",
           "LayoutChanged", "SEVERITY_ORDER", "Finding", "Decimal"]
