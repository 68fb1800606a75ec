"""Where a form's parts live: line cells, input fields, schedule tables, the Audit sheet; and the
`Layout` that collects them (it is also the `expr.Sheet` formulas render against)."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from ..lines import InputField, Line
from ..schedules import Column, Schedule
from .a1 import address, col_letter, parse_address, range_address
from .book import Book


@dataclass(frozen=True)
class Place:
    sheet: str
    row: int
    col: int

    @property
    def address(self) -> str:
        return address(self.sheet, self.row, self.col)


@dataclass
class FieldPlace:
    field: InputField
    place: Place
    name: str
    unit: str
    labels: bool = True  # a drop-down of words; False when formulas compare the cell with a code


@dataclass
class SchedulePlace:
    """A schedule table: data rows `first_row .. first_row + max_rows - 1` on `sheet`."""

    schedule: Schedule
    sheet: str
    first_row: int
    cols: dict[str, int]  # column key -> sheet column (schedule columns and extras)
    columns: dict[str, Column]  # column key -> Column (schedule columns and extras)
    names: dict[str, str]  # column key -> defined name of its data range

    @property
    def max_rows(self) -> int:
        return self.schedule.max_rows

    def inputs(self) -> list[Column]:
        return [c for k, c in self.columns.items() if c.kind == "input"]

    def outputs(self) -> list[Column]:
        return [c for k, c in self.columns.items() if c.kind != "input"]

    def address(self, index: int, column: str) -> str:
        return address(self.sheet, self.first_row + index, self.cols[column])

    def column_range(self, column: str) -> str:
        c = self.cols[column]
        return range_address(self.sheet, self.first_row, c, self.first_row + self.max_rows - 1, c)


ROW_MARK = "\x00"  # never in a formula (nor in any workbook's XML)


class RowSheet:
    """Renders a per-row expression on one row of a schedule: `=$C5*$D5*$M5`.

    A key without a column of its own (a vessel's `measure` is its sales price) renders as its
    own expression, inlined."""

    def __init__(self, place: SchedulePlace, index: int | str, exprs: dict):
        """`index`: the row's offset in the table, or ROW_MARK for a formula to be used on many
        rows (the mark stands where the row number goes)."""
        self.place, self.exprs = place, exprs
        self.row = None if index == ROW_MARK else place.first_row + index
        self.number = ROW_MARK if index == ROW_MARK else str(self.row + 1)

    def cell(self, key: str) -> str:
        if key in self.place.cols:
            return f"${col_letter(self.place.cols[key])}{self.number}"
        if key in self.exprs:
            return "(" + self.exprs[key].render(self) + ")"
        raise KeyError(f"schedule {self.place.schedule.key} has no column {key}")

    def column_range(self, schedule: str, column: str) -> str:  # pragma: no cover - rows sum no tables
        raise KeyError("a row formula cannot sum a schedule")


@dataclass
class AuditPlace:
    sheet: str
    line_rows: dict[str, int]  # line key -> row
    findings_row: int  # first row of the findings list
    cols: dict[str, int]  # value, explanation, source, cell (line rows); severity, where, cell, message


FIELD_UNITS = {"text": "text", "date": "date", "bool": "bool", "money": "money", "number": "number",
               "fraction": "fraction", "year": "year", "choice": "text", "tax_year": "year"}


@dataclass
class Layout:
    form: str  # the JSON "form" value: "7207", "NJ-306"
    slug: str  # "7207", "nj306"
    revision: str
    prefix: str  # "F7207", "NJ306"
    title: str
    lines: tuple[Line, ...]
    book: Book
    line_places: dict[str, Place]
    fields: dict[str, FieldPlace]
    schedules: dict[str, SchedulePlace]
    audit: AuditPlace
    form_sheet: str
    hooks: Any = None  # the per-form layout module (normalise rows, extra conversions)
    # Fiscal-year cells of a "tax_year" field: path -> (begins place, ends place)
    tax_year_parts: dict[str, tuple[Place, Place]] = field(default_factory=dict)
    review: Any = None  # review_sheet.ReviewPlace: the Review sheet and the reviewer's notes

    # expr.Sheet -------------------------------------------------------------------------
    def cell(self, key: str) -> str:
        if key in self.line_places:
            return self.line_name(key)
        if key in self.fields:
            return self.fields[key].name
        raise KeyError(f"{self.form} layout has no cell for {key!r}")

    def column_range(self, schedule: str, column: str) -> str:
        return self.schedules[schedule].names[column]

    def memo(self, key: str, make):
        """`make()` once per layout (a layout is built once per form revision and filled hundreds of
        times in a batch): for the addresses and names a fill writes every time."""
        memos = self.__dict__.setdefault("_memos", {})
        if key not in memos:
            memos[key] = make()
        return memos[key]

    def line_formula(self, line: Line) -> str:
        """"=" + the computed line's formula, rendered once per layout (a layout is built once per
        form revision; a batch fills it hundreds of times)."""
        formulas = self.__dict__.setdefault("_line_formulas", {})
        formula = formulas.get(line.key)
        if formula is None:
            formula = formulas[line.key] = "=" + line.expr.render(self)
        return formula

    # names --------------------------------------------------------------------------------
    def line_name(self, key: str) -> str:
        return line_name(self.prefix, key)

    def line_address(self, key: str) -> str:
        return self.line_places[key].address

    def lines_by_key(self) -> dict[str, Line]:
        return {line.key: line for line in self.lines}

    def input_addresses(self) -> set[str]:
        """Every cell the preparer types into (the filler must never write one)."""
        out = {fp.place.address for fp in self.fields.values()}
        for begins, ends in self.tax_year_parts.values():
            out |= {begins.address, ends.address}
        for sp in self.schedules.values():
            for col in sp.inputs():
                for i in range(sp.max_rows):
                    out.add(sp.address(i, col.key))
        if self.review is not None:  # the reviewer's notes are never the filler's to write
            out |= self.review.notes_addresses()
        return out

    def resolve(self, target: str) -> str:
        """A defined name or an address -> the canonical address (first cell of a range)."""
        text = self.book.names.get(target, target)
        sheet, r, c, _, _ = parse_address(text)
        return address(sheet, r, c)


def _name_part(key: str) -> str:
    """'1a.e' -> '1a_e'; 'prior_year_qres[0]' -> 'prior_year_qres_0' (a valid Excel name)."""
    return re.sub(r"[^A-Za-z0-9_]", "_", key.replace("]", ""))


def line_name(prefix: str, key: str) -> str:
    return f"{prefix}_{_name_part(key)}"


def field_name(prefix: str, path: str) -> str:
    return f"{prefix}_in_{_name_part(path)}"
