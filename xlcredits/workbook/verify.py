"""Verify a completed workbook: trust nothing that was not checked.

The inputs are read from the workbook and computed again; the filler's plan for them (every cell
a fill would write, with its value and, for line cells and schedule rows, its formula) is then
compared with the file: each formula must be the one its definition renders (a constant or another
formula is reported even when the value agrees), each stored value must be the engine's, and the
Audit and Review sheets must explain these numbers, not older ones. Besides: only allowed functions,
no external references or DDE, line cells formatted, readable and visible as written, the printed
labels unedited, and no macros, external links or embedded objects in the file."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from ..gcpause import collector_paused
from ..lines import Result
from ..numbers import D, grouped
from .a1 import address, parse_address
from .filler import line_values, plan_fill
from .layout import Layout
from .plainwords import display_address
from .reader import OpenpyxlAdapter, checked
from .verify_checks import (Problem, check_appearance, check_file, check_functions, check_labels,
                            normal_formula, read_formulas)

GROUPS = ("File", "Functions", "Formulas", "Values", "Appearance", "Labels")


@dataclass
class Report:
    path: str
    layout: Layout
    result: Result | None
    problems: list[Problem] = field(default_factory=list)
    blank: bool = False  # a template nobody filled: nothing to verify

    def lines(self) -> list[str]:
        out = []
        for group in GROUPS:
            items = [p for p in self.problems if p.group == group]
            if items:
                out.append(f"{group} ({len(items)}):")
                out += [f"  {p}" for p in items]
        return out

    def verdict(self) -> str:
        form = f"Form {self.layout.form} Rev. {self.layout.revision}"
        if self.blank:
            return (f"NOT VERIFIED: {self.path} is a blank {form} template (no inputs filled in); "
                    f"run `xlcredits fill` on it first.")
        if self.result is not None and not self.result.computed:
            return f"NOT VERIFIED: the inputs of {self.path} have errors, so its lines cannot be checked."
        if self.problems:
            cells = len({p.cell for p in self.problems if p.cell})
            return (f"NOT VERIFIED: {len(self.problems)} problem(s) in {cells} cell(s) of {self.path} ({form}); "
                    f"run `xlcredits fill` to recompute, and find out who changed what.")
        count = sum(1 for ln in self.layout.lines if ln.key in self.layout.line_places and ln.kind != "input")
        return (f"VERIFIED: {self.path} ({form}, tax year {self.result.tax_year}): all {count} line cells hold the "
                f"formulas and values the inputs give; Review and Audit sheets explain these numbers.")

    @property
    def ok(self) -> bool:
        return not self.blank and self.result is not None and self.result.computed and not self.problems


def verify_workbook(path) -> Report:
    with collector_paused():
        return _verify(path)




def _verify(path) -> Report:
    adapter, layout = checked(path, light=True)  # values and the checked cells' styles, one pass
    report = Report(str(path), layout, None, check_file(path))
    if adapter.read("XLC_fingerprint") in (None, ""):
        report.blank = True
        return report
    result, plan = plan_fill(adapter)
    report.result = result
    if not result.computed:
        return report
    formulas = adapter.wb.formulas() or read_formulas(path)  # read with the values, unless shared
    defined = {name: str(dn.value) for name, dn in adapter.wb.defined_names.items()}
    report.problems += check_functions(formulas, defined)
    report.problems += compare_plan(adapter, layout, plan, formulas)
    report.problems += check_appearance(adapter.wb, layout, line_values(result))
    report.problems += check_labels(adapter.wb, layout)
    return report


def compare_plan(adapter: OpenpyxlAdapter, layout: Layout, plan, formulas: dict) -> list[Problem]:
    """Every cell the fill would write, against the file: formula first, then value. Cells are keyed
    by position (sheet, row, column); an address is spelled out only for a problem. `adapter` reads
    a cell with `value_in(sheet, row, col)` (the live workbook in Excel does), or a whole sheet's
    stored values with `values_of(sheet)` (a file)."""
    names = layout.book.names
    values_of = getattr(adapter, "values_of", None)
    last = {}
    for op in plan.ops:
        if op.kind == "write" and op.target != "XLC_state":
            last[parse_address(names.get(op.target, op.target))[:3]] = op
    lines_at = {(place.sheet, place.row, place.col): key for key, place in layout.line_places.items()}
    units = {ln.key: ln.unit for ln in layout.lines}
    problems = []
    for (sheet, r, c), op in last.items():
        key = lines_at.get((sheet, r, c), "")
        got_formula = formulas.get(sheet, _NONE).get((r, c))
        if got_formula != op.formula:  # the same text is the same formula
            wrong = _formula_wrong(got_formula, op.formula)
            if wrong:
                problems.append(Problem("Formulas", _where(layout, address(sheet, r, c), key), key, wrong))
        got = values_of(sheet).get((r, c)) if values_of else adapter.value_in(sheet, r, c)
        want = None if op.value == "" else op.value
        if got is not None and got.__class__ is want.__class__ and got == want:
            continue  # the same number or text: nothing to weigh
        unit = units.get(key, "money" if isinstance(want, Decimal) else "number")
        if not same(got, want, unit):
            problems.append(Problem("Values", _where(layout, address(sheet, r, c), key), key,
                                    f"workbook {_show(got, unit)}, engine {_show(want, unit)}"))
    return problems


_NONE: dict = {}


def _formula_wrong(got: str | None, want: str | None) -> str | None:
    """What is wrong with a cell's formula (`got`, None for a constant) where the plan has `want`."""
    if want and got is None:
        return f"holds a constant where the form has the formula {want}"
    if want and got != want and normal_formula(got) != normal_formula(want):
        return f"formula {got} is not the line's definition {want}"
    if not want and got is not None:
        return f"holds the formula {got} where xlcredits writes a value"
    return None


def _where(layout: Layout, target: str, key: str) -> str:
    shown = display_address(target)
    return f"{layout.line_name(key)} ({shown})" if key else shown


def _show(value: Any, unit: str) -> str:
    if value is None:
        return "blank"
    if isinstance(value, (int, float, Decimal)) and not isinstance(value, bool):
        return grouped(D(value), 2) if unit == "money" else grouped(D(value).normalize())
    text = str(value)
    return repr(text if len(text) <= 80 else text[:77] + "...")


def same(workbook: Any, engine: Any, unit: str) -> bool:
    """Equal to the cent for money; to a relative 1e-9 for other numbers; text exactly."""
    if workbook is None or workbook == "":
        return engine is None
    if engine is None:
        return False
    if workbook.__class__ is float and engine.__class__ is Decimal and float(engine) == workbook \
            and abs(workbook) < 1e12:
        # Both within half a unit in the last place of the same float, a unit being under 0.0002
        # below 10^12: equal to the cent, and to 1e-9 relative, without reading either exactly.
        return True
    if isinstance(workbook, int) and not isinstance(workbook, bool) and isinstance(engine, Decimal):
        return workbook == engine or _close(D(workbook), engine, unit)  # int == Decimal compares exactly
    if isinstance(workbook, str) and isinstance(engine, str) and workbook.strip() == engine.strip():
        return True  # the long explanations of the Audit sheet: no need to read their numbers
    if isinstance(workbook, bool) or isinstance(engine, str) or isinstance(workbook, str):
        return _numbers_normalised(str(workbook)) == _numbers_normalised(str(engine))
    try:
        a, b = D(workbook), D(engine)
    except Exception:
        return False
    return _close(a, b, unit)


_HALF_CENT, _RELATIVE = Decimal("0.005"), Decimal("1e-9")


def _close(a: Decimal, b: Decimal, unit: str) -> bool:
    if unit == "money":
        return abs(a - b) < _HALF_CENT
    return abs(a - b) <= _RELATIVE * max(Decimal(1), abs(b))


_NUMBER = re.compile(r"\d[\d,]*(?:\.\d+)?")


def _numbers_normalised(text: str) -> str:
    """Explanations quote inputs as given: 250,000.00 typed in JSON is 250,000 read back from a cell.
    Numbers in text compare by value."""
    def one(m: re.Match) -> str:
        return format(Decimal(m.group(0).replace(",", "")).normalize(), "f")

    return _NUMBER.sub(one, text.strip())


def verify(path) -> tuple[Layout, Result | None, list[Problem]]:
    """The older interface: layout, result and the problems found."""
    report = verify_workbook(path)
    return report.layout, report.result, report.problems
