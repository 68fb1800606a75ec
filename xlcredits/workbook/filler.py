"""THE filler: read a workbook's inputs, compute the form, write every output cell.

One filler serves both paths:

- the file path (`xlcredits fill`): a `BookAdapter` over the in-memory template that
  `writer.save` then writes with cached values;
- the live-Excel path (the ribbon button): an xlwings adapter over the open book.

Only the adapter differs. An adapter implements `WorkbookAdapter`:

    read(name: str) -> Any
        The value of the single cell a workbook-level defined name refers to (None when blank
        or when the name does not exist). Numbers may come back as int or float, dates as
        datetime, text as str.
    read_column(name: str) -> list[Any]
        The values of a one-column named range, top to bottom (blank cells as None).
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
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any, Protocol

from .. import __version__
from ..lines import Finding, Result
from ..numbers import grouped
from .inputs import fingerprint, locate, read_inputs
from .a1 import parses_as_address
from .layout import Book, Layout, address, parse_address
from .plainwords import plain, where_text
from .review_fill import plan_review

SEVERITY_ORDER = {"error": 3, "warning": 2, "note": 1}


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


# --- the plan ---------------------------------------------------------------------------------------

@dataclass
class Op:
    kind: str  # write | note | highlight
    target: str
    value: Any = None
    formula: str | None = None


@dataclass
class Plan:
    layout: Layout
    ops: list[Op] = field(default_factory=list)

    def write(self, target: str, value: Any, formula: str | None = None) -> None:
        self.ops.append(Op("write", target, value, formula))

    def note(self, target: str, text: str | None) -> None:
        self.ops.append(Op("note", target, text))

    def highlight(self, target: str, severity: str | None) -> None:
        self.ops.append(Op("highlight", target, severity))

    def apply(self, adapter: WorkbookAdapter) -> None:
        for op in self.ops:
            if op.kind == "write":
                adapter.write(op.target, op.value, op.formula)
            elif op.kind == "note":
                adapter.note(op.target, op.value)
            else:
                adapter.highlight(op.target, op.value)

    def cells_written(self) -> set[str]:
        """Canonical addresses of every cell whose value or formula the plan sets."""
        return {self.layout.resolve(op.target) for op in self.ops if op.kind == "write"}

    def cells_marked(self) -> set[str]:
        return {self.layout.resolve(op.target) for op in self.ops if op.kind != "write"}


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


def fill_workbook(adapter: WorkbookAdapter, inputs: dict | None = None, result: Result | None = None) -> Result:
    """Compute the form from the workbook's inputs and write every output through `adapter`."""
    result, plan = plan_fill(adapter, inputs, result)
    plan.apply(adapter)
    return result


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


# --- making the plan ------------------------------------------------------------------------------------

def make_plan(layout: Layout, result: Result, data: dict, positions: dict[str, list[int]],
              previous: dict | None = None, open_notes: int = 0) -> Plan:
    """Every write of a fill. Notes are written only where a finding applies (rule explanations live
    on the Audit sheet, column explanations in the headers' notes): each note costs a live fill
    several round trips to Excel."""
    plan = Plan(layout)
    previous = previous or {}
    for target in previous.get("marks", []):  # clear what the last fill marked
        if parses_as_address(target):
            plan.highlight(target, None)
            plan.note(target, _template_note(layout, target))  # a field's help comes back
    values = line_values(result)
    _plan_lines(plan, layout, values if result.computed else {})
    for key, sp in layout.schedules.items():
        _plan_rows(plan, sp, result.rows.get(key, []) if result.computed else [], positions.get(key, []),
                   max(previous.get("rows", {}).get(key, 0), 0))
    marks = _plan_findings(plan, layout, result, data, positions)
    _audit(plan, layout, result, data, positions, previous, result.computed, values)
    rows_extent = {key: (max(positions.get(key, []), default=-1) + 1) if result.computed else 0
                   for key in layout.schedules}
    state = {"marks": sorted(marks), "rows": rows_extent, "findings": len(result.findings)}
    if layout.review is not None:
        state.update(plan_review(plan, layout, result, data, positions, previous, values, open_notes))
    plan.write("XLC_state", json.dumps(state, separators=(",", ":")))
    return plan


def _plan_lines(plan: Plan, layout: Layout, values: dict) -> None:
    """Line cells: the formula of a computed line with its cached value; a plain value otherwise."""
    for line in layout.lines:
        if line.key not in layout.line_places or line.kind == "input":
            continue
        name = layout.line_name(line.key)
        value = values.get(line.key)
        if value is None:
            plan.write(name, None)
        elif line.kind == "computed" and line.expr is not None:
            plan.write(name, value, "=" + line.expr.render(layout))
        else:
            plan.write(name, value)


def _plan_rows(plan: Plan, sp, rows: list[dict], where: list[int], extent: int) -> None:
    """A schedule's computed and rule cells, row by row; rows the last fill wrote and this one does
    not are cleared."""
    from .layout import RowSheet

    done = set()
    for row in rows:
        index = row.get("#index")
        if index is None or index >= len(where):
            continue
        offset = where[index]
        done.add(offset)
        exprs = row.get("#exprs", {})
        for column in sp.outputs():
            target = sp.address(offset, column.key)
            value = row.get(column.key)
            if column.kind == "computed" and column.key in exprs and value is not None:
                plan.write(target, value, "=" + exprs[column.key].render(RowSheet(sp, offset, exprs)))
            else:
                plan.write(target, value)
    for offset in range(min(extent, sp.max_rows)):
        if offset not in done:
            for column in sp.outputs():
                plan.write(sp.address(offset, column.key), None)


def _plan_findings(plan: Plan, layout: Layout, result: Result, data: dict, positions: dict) -> dict[str, str]:
    """Each finding's cell highlighted (the worst severity wins) with a note "!N SEVERITY: text"."""
    notes: dict[str, list[str]] = {}
    marks: dict[str, str] = {}
    for n, f in enumerate(result.findings, 1):
        target = locate(layout, f.where, positions)
        if target is None:
            continue
        if SEVERITY_ORDER[f.severity] > SEVERITY_ORDER.get(marks.get(target, ""), 0):
            marks[target] = f.severity
        notes.setdefault(target, []).append(f"!{n} {f.severity.upper()}: {plain(layout, f.message, data)}")
    for target, severity in marks.items():
        plan.highlight(target, severity)
    for target, texts in notes.items():
        template = _template_note(layout, target)
        plan.note(target, "\n\n".join(dict.fromkeys(texts + ([template] if template else []))))
    return marks


def line_values(result: Result) -> dict:
    """Every line's value: reported lines as reported (None = not applicable, left blank), helper
    lines (rates, inputs, tests) from the engine's full set of values."""
    values = dict(result.extras.get("values") or {}) if isinstance(result.extras.get("values"), dict) else {}
    values.update(result.lines)
    return values


def _template_note(layout: Layout, target: str) -> str | None:
    sheet, r, c, _, _ = parse_address(target)
    cell = layout.book.peek(sheet, r, c) if sheet in layout.book.sheets else None
    return cell.note if cell is not None else None


def _audit(plan: Plan, layout: Layout, result: Result, data: dict, positions, previous: dict, ok: bool,
           values: dict) -> None:
    audit = layout.audit
    errors, warnings = result.findings.count("error"), result.findings.count("warning")
    if not ok:
        status = (f"Not computed: the inputs have {errors} error(s), highlighted in red and listed under Findings. "
                  f"Line cells are left blank until they are corrected.")
    else:
        status = f"Computed by xlcredits: {errors} error(s), {warnings} warning(s), {result.findings.count('note')} note(s)."
    tax_year = result.tax_year if result.tax_year is not None else data.get("tax_year")
    plan.write("XLC_tax_year", _tax_year_text(tax_year))
    plan.write("XLC_engine", __version__)
    plan.write("XLC_fingerprint", fingerprint(data))
    plan.write("XLC_status", status)
    cols = audit.cols
    used = _used_groups(layout, values, result) if ok else set()
    for key, row in audit.line_rows.items():
        line_value = values.get(key) if ok and key.split(".")[0] in used else None
        plan.write(address(audit.sheet, row, cols["value"]), line_value)
        plan.write(address(audit.sheet, row, cols["explanation"]),
                   result.explanations.get(key) if line_value is not None else None)
    for i, f in enumerate(result.findings):
        r = audit.findings_row + i
        target = locate(layout, f.where, positions)
        plan.write(address(audit.sheet, r, cols["severity"]), f.severity)
        plan.write(address(audit.sheet, r, cols["where"]), where_text(layout, f.where, data) or None)
        plan.write(address(audit.sheet, r, cols["fcell"]), display_address(target) if target else "")
        plan.write(address(audit.sheet, r, cols["message"]), f"!{i + 1} " + plain(layout, f.message, data))
    for i in range(len(result.findings), int(previous.get("findings", 0) or 0)):
        r = audit.findings_row + i
        for c in ("severity", "where", "fcell", "message"):
            plan.write(address(audit.sheet, r, cols[c]), None)
    if not result.findings:
        plan.write(address(audit.sheet, audit.findings_row, cols["severity"]), "none")


def _used_groups(layout: Layout, values: dict, result: Result | None = None) -> set[str]:
    """Lines in use: a line's group ("1a" for 1a.c, 1a.d, 1a.e) is used when one of its computed
    values is not zero, or when rows on it earn nothing (the statement of excluded amounts lists
    them, and the Audit sheet shows the line at 0.00 with its explanation); a rate of an unused line
    is not printed on the Audit sheet."""
    used = {str(item.get("line")) for item in (getattr(result, "excluded", None) or []) if item.get("line")}
    for line in layout.lines:
        value = values.get(line.key)
        if line.kind != "rule" and value not in (None, 0) and not isinstance(value, bool):
            used.add(line.key.split(".")[0])
        elif line.kind == "rule" and "." not in line.key:
            used.add(line.key)
    return used


def display_address(target: str) -> str:
    """"'Products'!$D$4" -> "Products!D4"; "'Form 7207'!$F$20" keeps its quotes."""
    sheet, r, c, _, _ = parse_address(target)
    from .layout import col_letter

    shown = sheet if sheet.replace("_", "").isalnum() else "'" + sheet.replace("'", "''") + "'"
    return f"{shown}!{col_letter(c)}{r + 1}"


def _tax_year_text(tax_year) -> str:
    if isinstance(tax_year, dict):
        return f"{tax_year.get('begins', '?')} to {tax_year.get('ends', '?')}"
    return "" if tax_year is None else str(tax_year)


# --- the in-memory adapter (file path) ---------------------------------------------------------------

class InputCellWritten(AssertionError):
    pass


class BookAdapter:
    """A `WorkbookAdapter` over an in-memory `Book` (then saved by `writer.save`)."""

    def __init__(self, book: Book):
        self.book = book

    def _where(self, target: str) -> tuple[str, int, int, int, int]:
        return parse_address(self.book.names.get(target, target))

    def read(self, name: str) -> Any:
        ref = self.book.names.get(name)
        if ref is None:
            return None
        sheet, r, c, _, _ = parse_address(ref)
        cell = self.book.peek(sheet, r, c)
        return None if cell is None else cell.value

    def read_column(self, name: str) -> list[Any]:
        sheet, r1, c, r2, _ = parse_address(self.book.names[name])
        cells = self.book.sheets[sheet].cells
        return [(cells[(r, c)].value if (r, c) in cells else None) for r in range(r1, r2 + 1)]

    def write(self, target: str, value: Any, formula: str | None = None) -> None:
        sheet, r, c, _, _ = self._where(target)
        cell = self.book.cell_at(sheet, r, c)
        if cell.role == "input":
            raise InputCellWritten(f"the filler tried to write input cell {address(sheet, r, c)}")
        cell.value, cell.formula = value, formula

    def note(self, target: str, text: str | None) -> None:
        sheet, r, c, _, _ = self._where(target)
        self.book.cell_at(sheet, r, c).note = text or None

    def highlight(self, target: str, severity: str | None) -> None:
        sheet, r, c, _, _ = self._where(target)
        self.book.cell_at(sheet, r, c).highlight = severity


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


__all__ = ["WorkbookAdapter", "BookAdapter", "Plan", "Op", "fill_workbook", "plan_fill", "make_plan",
           "layout_of", "check_layout", "NotAWorkbook", "LayoutChanged", "Finding", "Decimal"]
