"""The plan of a fill: every write, note and highlight, made from the computed result before any of
them is applied (`filler.plan_fill` reads the inputs and computes; an adapter applies the plan).

The Form and schedule cells, the findings' marks and notes, the Audit sheet and the state the next
fill needs; the Review sheet's part is `review_fill`."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from .. import __version__
from ..lines import Result
from .a1 import address, parse_address, parses_as_address
from .inputs import fingerprint, locate
from .places import ROW_MARK, Layout, RowSheet
from .plainwords import display_address, plain, where_text
from .review_fill import plan_review

if TYPE_CHECKING:
    from .filler import WorkbookAdapter

SEVERITY_ORDER = {"error": 3, "warning": 2, "note": 1}


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

    def apply(self, adapter: "WorkbookAdapter") -> None:
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


def make_plan(layout: Layout, result: Result, data: dict, positions: dict[str, list[int]],
              previous: dict | None = None, open_notes: int = 0) -> Plan:
    """Every write of a fill. Notes are written only where a finding applies (rule explanations live
    on the Audit sheet, column explanations in the headers' notes): each note costs a live fill
    several round trips to Excel."""
    plan = Plan(layout)
    previous = previous or {}
    inputs_print = fingerprint(data)  # once: the Audit and the Review sheets both show it
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
    _audit(plan, layout, result, data, positions, previous, values, inputs_print)
    rows_extent = {key: (max(positions.get(key, []), default=-1) + 1) if result.computed else 0
                   for key in layout.schedules}
    state = {"marks": sorted(marks), "rows": rows_extent, "findings": len(result.findings)}
    if layout.review is not None:
        state.update(plan_review(plan, layout, result, data, positions, previous, values, open_notes,
                                 inputs_print))
    plan.write("XLC_state", json.dumps(state, separators=(",", ":")))
    return plan


def _plan_lines(plan: Plan, layout: Layout, values: dict) -> None:
    """Line cells: the formula of a computed line with its cached value; a plain value otherwise."""
    for key, name, formula in layout.memo("line_cells", lambda: _line_cells(layout)):
        value = values.get(key)
        if value is None:
            plan.write(name, None)
        elif formula is not None:
            plan.write(name, value, formula)
        else:
            plan.write(name, value)


def _line_cells(layout: Layout) -> list[tuple[str, str, str | None]]:
    """(line key, defined name, formula of a computed line or None) of each line cell a fill writes."""
    return [(line.key, layout.line_name(line.key),
             layout.line_formula(line) if line.kind == "computed" and line.expr is not None else None)
            for line in layout.lines if line.key in layout.line_places and line.kind != "input"]


def _plan_rows(plan: Plan, sp, rows: list[dict], where: list[int], extent: int) -> None:
    """A schedule's computed and rule cells, row by row; rows the last fill wrote and this one does
    not are cleared. Rows share their expressions (all rows of a line have the same formula but for
    the row number): each distinct set is rendered once, with a mark where the row number goes."""
    done = set()
    outputs = sp.outputs()
    templates: dict[tuple, str] = {}
    for row in rows:
        index = row.get("#index")
        if index is None or index >= len(where):
            continue
        offset = where[index]
        done.add(offset)
        exprs = row.get("#exprs", {})
        number = str(sp.first_row + offset + 1)
        for column in outputs:
            target = sp.address(offset, column.key)
            value = row.get(column.key)
            if column.kind == "computed" and column.key in exprs and value is not None:
                shape = (column.key, *((k, id(e)) for k, e in exprs.items()))
                template = templates.get(shape)
                if template is None:
                    template = templates[shape] = "=" + exprs[column.key].render(RowSheet(sp, ROW_MARK, exprs))
                plan.write(target, value, template.replace(ROW_MARK, number))
            else:
                plan.write(target, value)
    for offset in range(min(extent, sp.max_rows)):
        if offset not in done:
            for column in outputs:
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


def _audit(plan: Plan, layout: Layout, result: Result, data: dict, positions, previous: dict, values: dict,
           inputs_print: str) -> None:
    audit, ok = layout.audit, result.computed
    errors, warnings = result.findings.count("error"), result.findings.count("warning")
    if not ok:
        status = (f"Not computed: the inputs have {errors} error(s), highlighted in red and listed under Findings. "
                  f"Line cells are left blank until they are corrected.")
    else:
        status = f"Computed by xlcredits: {errors} error(s), {warnings} warning(s), {result.findings.count('note')} note(s)."
    tax_year = result.tax_year if result.tax_year is not None else data.get("tax_year")
    plan.write("XLC_tax_year", _tax_year_text(tax_year))
    plan.write("XLC_engine", __version__)
    plan.write("XLC_fingerprint", inputs_print)
    plan.write("XLC_status", status)
    cols = audit.cols
    used = _used_groups(layout, values, result) if ok else set()
    line_cells = layout.memo("audit_line_cells", lambda: [
        (key, key.split(".")[0], address(audit.sheet, row, cols["value"]), address(audit.sheet, row, cols["explanation"]))
        for key, row in audit.line_rows.items()])
    for key, group, value_at, explanation_at in line_cells:
        line_value = values.get(key) if ok and group in used else None
        plan.write(value_at, line_value)
        plan.write(explanation_at, result.explanations.get(key) if line_value is not None else None)
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


def _tax_year_text(tax_year) -> str:
    if isinstance(tax_year, dict):
        return f"{tax_year.get('begins', '?')} to {tax_year.get('ends', '?')}"
    return "" if tax_year is None else str(tax_year)
