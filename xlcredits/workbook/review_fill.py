"""What the filler writes on the Review sheet: status and identity, the totals, every finding
numbered with its severity, line, cell and plain-words text, the marks ("!3") in the form's margin
column, and the statements of amounts left out of column (d) and of phase-out.

Returns the state the next fill needs to clear what this one wrote (rows written, mark cells)."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from .. import __version__
from ..lines import Result
from ..numbers import grouped
from .a1 import address, parse_address, parses_as_address
from .inputs import fingerprint, get_path, locate
from .places import Layout
from .plainwords import display_address, line_of, plain, where_text
from .review_sheet import CELL, LINE, NO, SEVERITY, TEXT

SEVERITY_WORD = {"error": "Error", "warning": "Warning", "note": "Note"}


def plan_review(plan, layout: Layout, result: Result, data: dict, positions: dict, previous: dict,
                values: dict, open_notes: int, inputs_print: str | None = None) -> dict:
    """`inputs_print`: the inputs' fingerprint when the caller has it (computed once per fill)."""
    rv = layout.review
    ok = result.computed
    _meta(plan, layout, result, data, open_notes, fingerprint(data) if inputs_print is None else inputs_print)
    for key, (value_at, remark_at) in rv.totals.items():
        plan.write(value_at, values.get(key) if ok else None)
        remark = getattr(layout.hooks, "review_remark", None)
        plan.write(remark_at, remark(key, data, result) if (remark and ok) else None)
    rows, marks = finding_rows(layout, result, data, positions)
    rows += statement_rows(layout, result, data) if ok else []
    for i, row in enumerate(rows):
        for col, value in zip((NO, SEVERITY, LINE, CELL, TEXT), row):
            plan.write(address(rv.sheet, rv.findings_row + i, col), value if value != "" else None)
    for i in range(len(rows), int(previous.get("review_rows", 0) or 0)):
        for col in (NO, SEVERITY, LINE, CELL, TEXT):
            plan.write(address(rv.sheet, rv.findings_row + i, col), None)
    for target, numbers in marks.items():
        plan.write(target, " ".join(f"!{n}" for n in numbers))
    for target in previous.get("flags", []):
        if target not in marks and parses_as_address(target):
            plan.write(target, None)
    return {"review_rows": len(rows), "flags": sorted(marks)}


def _meta(plan, layout: Layout, result: Result, data: dict, open_notes: int, inputs_print: str) -> None:
    meta = layout.review.meta
    errors, warnings, notes = (result.findings.count(s) for s in ("error", "warning", "note"))
    counts = f"{errors} error(s), {warnings} warning(s), {notes} note(s)"
    status = (f"Computed. {counts}." if result.computed else
              f"NOT COMPUTED: the inputs have {counts}; the line cells are blank until the errors are corrected.")
    plan.write(meta["status"], status)
    header = getattr(layout.hooks, "HEADER_FIELDS", ())
    plan.write(meta["name"], _text(get_path(data, getattr(layout.hooks, "TAXPAYER", "") or "")))
    plan.write(meta["tin"], _text(get_path(data, header[0][1])) if header else None)
    tax_year = result.tax_year if result.tax_year is not None else data.get("tax_year")
    if isinstance(tax_year, dict):
        tax_year = f"{tax_year.get('begins', '?')} to {tax_year.get('ends', '?')}"
    plan.write(meta["tax_year"], _text(tax_year))
    plan.write(meta["open_notes"], open_notes, '=COUNTIF(Review_notes_status,"open")')
    plan.write(meta["fingerprint"], inputs_print)
    plan.write(meta["engine"], f"xlcredits {__version__}")


def _text(value: Any) -> str | None:
    return None if value is None or isinstance(value, (dict, list)) else str(value)


def finding_rows(layout: Layout, result: Result, data: dict, positions: dict):
    """One row per finding, numbered from 1, and the mark cells: {mark address: [numbers]}."""
    rows, marks = [], {}
    for n, f in enumerate(result.findings, 1):
        target = locate(layout, f.where, positions)
        text = plain(layout, f.message, data)
        where = where_text(layout, f.where, data)
        if where and where.split(" — ")[-1].split(", column")[0] not in text:
            text = f"{where}: {text}"
        rows.append((str(n), SEVERITY_WORD[f.severity], line_of(layout, target, f.where, result, data),
                     display_address(target) if target else "", text))
        mark = mark_address(layout, target)
        if mark:
            marks.setdefault(mark, []).append(n)
    if not rows:
        rows.append(("", "", "", "", "No findings."))
    return rows, marks


def mark_address(layout: Layout, target: str | None) -> str | None:
    """The margin cell beside `target` where its finding's mark prints."""
    if not target:
        return None
    sheet, r, _, _, _ = parse_address(target)
    spec = layout.book.sheets.get(sheet)
    if spec is None or spec.mark_col is None:
        return None
    return address(sheet, r, spec.mark_col)


def statement_rows(layout: Layout, result: Result, data: dict) -> list[tuple]:
    """Statements of amounts left out of column (d) and of phase-out (Form 7207), when the engine
    reports them; other forms have none."""
    excluded = getattr(result, "excluded", None)
    phase_out = getattr(result, "phase_out", None)
    if excluded is None and phase_out is None:
        return []
    rows: list[tuple] = [("", "", "", "", "")]
    rows.append(("", "Statement 1", "", "", "Amounts left out of column (d): rows that earn no credit"))
    rows.append(("", "Line", "", "Amount", "Row and reason"))
    for item in excluded or []:
        row = where_text(layout, str(item.get("row", "")), data) or str(item.get("description", ""))
        reason = plain(layout, str(item.get("reason", "")), data)
        cite = f" [{item['citation']}]" if item.get("citation") else ""
        rows.append(("", str(item.get("line", "")), "", _amount(item.get("amount")), f"{row}: {reason}{cite}"))
    if not excluded:
        rows.append(("", "", "", "", "None: every row is counted in column (d)."))
    rows.append(("", "", "", "", ""))
    rows.append(("", "Statement 2", "", "", "Phase-out: (c) × (d) × percentage for each year"))
    rows.append(("", "Line", "Year", "Amount", "Computation"))
    for item in phase_out or []:
        basis = "sold" if item.get("year_basis", "sold") == "sold" else "produced"
        rows.append(("", str(item.get("line", "")), str(item.get("year", "")), _amount(item.get("amount")),
                     f"{basis} in {item.get('year')}: rate {_number(item.get('rate'))} × "
                     f"{_number(item.get('measure'))} × {_percent(item.get('percentage'))} = "
                     f"{_amount(item.get('amount'))}"))
    if not phase_out:
        rows.append(("", "", "", "", "None: no line is reduced by a phase-out."))
    return rows


def _amount(value) -> str:
    return "" if value is None else grouped(Decimal(str(value)), 2)


def _number(value) -> str:
    return "" if value is None else grouped(Decimal(str(value)))


def _percent(value) -> str:
    if value is None:
        return ""
    return f"{(Decimal(str(value)) * 100).normalize():f}%"


