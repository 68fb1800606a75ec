"""The generic workbook layout: where every line, input field and schedule of a form lives.

A per-form module (`layout_f7207.py`, `layout_nj306.py`) describes its sheets with a `Builder`:
sections, printed line texts, which row and column each line and field occupies, and where each
schedule table sits. Everything else comes from the form's definition module (one source of
truth): the line labels, kinds, units and expressions; the input fields; the schedules' columns.

The result is a `Layout`: a template `Book` (cells with roles and values, merges, validations,
print setup) plus the address maps the writer, reader, filler and verifier need:

- every line cell has a workbook-level defined name: `F7207_1a_e`, `NJ306_28`;
- every input field has one: `F7207_in_filer_name`;
- every schedule column has one over its `max_rows` data rows: `F7207_products_units`;
- meta cells on the Audit sheet: `XLC_form`, `XLC_revision`, `XLC_state`, ...

The layout is also the `expr.Sheet` that formulas render against: a line renders as its defined
name, a schedule column as its named range, so formulas read `=ROUND(SUMIFS(F7207_products_credit,
F7207_products_line,"1a"),2)` and a reviewer can follow them.
"""

from __future__ import annotations

import copy
import re
from dataclasses import dataclass, field, replace
from typing import Any, Iterable

from ..lines import InputField, Line
from ..schedules import Column, Schedule

# --- addresses -----------------------------------------------------------------------------


def col_letter(col: int) -> str:
    """0 -> 'A', 27 -> 'AB'."""
    text = ""
    col += 1
    while col:
        col, rem = divmod(col - 1, 26)
        text = chr(65 + rem) + text
    return text


def col_index(letters: str) -> int:
    n = 0
    for ch in letters.upper():
        n = n * 26 + ord(ch) - 64
    return n - 1


def quote_sheet(sheet: str) -> str:
    return "'" + sheet.replace("'", "''") + "'"


def address(sheet: str, row: int, col: int) -> str:
    """Canonical absolute address of a cell: "'Products'!$C$5" (row and col 0-based)."""
    return f"{quote_sheet(sheet)}!${col_letter(col)}${row + 1}"


def range_address(sheet: str, row1: int, col1: int, row2: int, col2: int) -> str:
    return (f"{quote_sheet(sheet)}!${col_letter(col1)}${row1 + 1}:"
            f"${col_letter(col2)}${row2 + 1}")


_ADDRESS = re.compile(r"^(?:'((?:[^']|'')+)'|([^'!]+))!\$?([A-Za-z]{1,3})\$?(\d+)"
                      r"(?::\$?([A-Za-z]{1,3})\$?(\d+))?$")


def parse_address(text: str) -> tuple[str, int, int, int, int]:
    """"'Sheet'!$B$5" or "'Sheet'!$B$5:$B$9" -> (sheet, row1, col1, row2, col2), 0-based."""
    m = _ADDRESS.match(text.strip())
    if not m:
        raise ValueError(f"not a cell address: {text!r}")
    sheet = (m.group(1) or "").replace("''", "'") or m.group(2)
    c1, r1 = col_index(m.group(3)), int(m.group(4)) - 1
    if m.group(5):
        c2, r2 = col_index(m.group(5)), int(m.group(6)) - 1
    else:
        c2, r2 = c1, r1
    return sheet, r1, c1, r2, c2


def is_address(text: str) -> bool:
    return "!" in text


# --- the template book ----------------------------------------------------------------------

Roles = ("title", "subtitle", "section", "label", "label_bold", "line_no", "colhead", "help", "input",
         "computed", "rule", "meta", "meta_value", "audit_text")


@dataclass
class Cell:
    value: Any = None
    formula: str | None = None  # with the leading "="
    role: str = "label"
    unit: str = ""  # money, watts, kwh, kg, m2, fraction, percent, rate, quantity, count, year, date, text, bool
    note: str | None = None
    highlight: str | None = None  # error | warning | note
    wrap: bool = False
    align: str = ""  # "", "center", "right"


@dataclass
class SheetSpec:
    name: str
    widths: dict[int, float] = field(default_factory=dict)
    heights: dict[int, float] = field(default_factory=dict)
    cells: dict[tuple[int, int], Cell] = field(default_factory=dict)
    merges: list[tuple[int, int, int]] = field(default_factory=list)  # (row, first col, last col)
    validations: list[tuple[int, int, int, int, dict]] = field(default_factory=list)
    freeze: tuple[int, int] | None = None
    print_cols: tuple[int, int] = (0, 5)
    print_rows: tuple[int, int] | None = None  # None: the used rows
    landscape: bool = False
    repeat_rows: tuple[int, int] | None = None
    gridlines: bool = True
    # A schedule sheet prints only its used rows: (first data row, minimum rows to print).
    schedule_rows: tuple[int, int] | None = None
    tab_color: str | None = None
    # Styled blank ranges (schedule columns): (first row, last row, col, role, unit). Cells in
    # them exist only once written, so a 2,000-row table costs nothing until it is used.
    blocks: list[tuple[int, int, int, str, str]] = field(default_factory=list)

    def last_row(self) -> int:
        return max((r for r, _ in self.cells), default=0)

    def block_at(self, row: int, col: int) -> tuple[str, str] | None:
        for r1, r2, c, role, unit in self.blocks:
            if c == col and r1 <= row <= r2:
                return role, unit
        return None


@dataclass
class Book:
    """Everything a workbook file holds, before it is written: sheets, cells, names."""

    sheets: dict[str, SheetSpec]
    names: dict[str, str]  # defined name -> absolute address or range
    title: str = ""
    header_left: str = ""  # "Form 7207 (Rev. 12-2025)"; the writer adds tax year and taxpayer

    def cell_at(self, sheet: str, row: int, col: int) -> Cell:
        spec = self.sheets[sheet]
        cell = spec.cells.get((row, col))
        if cell is None:
            role, unit = spec.block_at(row, col) or ("label", "")
            cell = spec.cells[(row, col)] = Cell(role=role, unit=unit)
        return cell

    def peek(self, sheet: str, row: int, col: int) -> Cell | None:
        return self.sheets[sheet].cells.get((row, col))

    def copy(self) -> "Book":
        """An independent copy, made field by field: cells hold only immutable values, so a shallow
        copy of each is enough (and ten times faster than deepcopy, which every fill pays)."""
        sheets = {
            name: replace(spec, widths=dict(spec.widths), heights=dict(spec.heights),
                          cells={at: copy.copy(cell) for at, cell in spec.cells.items()},
                          merges=list(spec.merges), blocks=list(spec.blocks),
                          validations=[(*v[:4], dict(v[4])) for v in spec.validations])
            for name, spec in self.sheets.items()
        }
        return Book(sheets, dict(self.names), self.title, self.header_left)


# --- placements -------------------------------------------------------------------------------


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


class RowSheet:
    """Renders a per-row expression on one row of a schedule: `=$C5*$D5*$M5`.

    A key without a column of its own (a vessel's `measure` is its sales price) renders as its
    own expression, inlined."""

    def __init__(self, place: SchedulePlace, index: int, exprs: dict):
        self.place, self.row, self.exprs = place, place.first_row + index, exprs

    def cell(self, key: str) -> str:
        if key in self.place.cols:
            return f"${col_letter(self.place.cols[key])}{self.row + 1}"
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

    # expr.Sheet -------------------------------------------------------------------------
    def cell(self, key: str) -> str:
        if key in self.line_places:
            return self.line_name(key)
        if key in self.fields:
            return self.fields[key].name
        raise KeyError(f"{self.form} layout has no cell for {key!r}")

    def column_range(self, schedule: str, column: str) -> str:
        return self.schedules[schedule].names[column]

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


# --- the builder ------------------------------------------------------------------------------


class SheetBuilder:
    """Writes one sheet top to bottom; `row` is the next free row."""

    def __init__(self, builder: "Builder", spec: SheetSpec):
        self.b, self.spec, self.row = builder, spec, 0

    # plain cells
    def put(self, row: int, col: int, value=None, role: str = "label", unit: str = "", **kw) -> Cell:
        cell = Cell(value=value, role=role, unit=unit, **kw)
        self.spec.cells[(row, col)] = cell
        return cell

    def merge(self, row: int, first: int, last: int) -> None:
        if last > first:
            self.spec.merges.append((row, first, last))

    def text_row(self, cols: dict[int, Any], role: str = "label", height: float | None = None, **kw) -> int:
        r = self.row
        for c, v in cols.items():
            self.put(r, c, v, role, **kw)
        if height:
            self.spec.heights[r] = height
        self.row += 1
        return r

    def title(self, number: str, text: str, sub: str = "") -> None:
        first = self.spec.print_cols[0]
        if number:
            self.put(self.row, first, number, "title")
            first += 1
        self.put(self.row, first, text, "title")
        self.merge(self.row, first, self.spec.print_cols[1])
        self.spec.heights[self.row] = 24
        self.row += 1
        if sub:
            self.put(self.row, 0, sub, "subtitle")
            self.merge(self.row, 0, self.spec.print_cols[1])
            self.row += 1

    def section(self, text: str, last_col: int | None = None) -> int:
        last = self.spec.print_cols[1] if last_col is None else last_col
        for c in range(self.spec.print_cols[0], last + 1):
            self.put(self.row, c, text if c == self.spec.print_cols[0] else None, "section")
        self.merge(self.row, self.spec.print_cols[0], last)
        self.spec.heights[self.row] = 18
        self.row += 1
        return self.row - 1

    def help(self, text: str, first: int = 0, last: int | None = None, height: float | None = None) -> None:
        last = self.spec.print_cols[1] if last is None else last
        self.put(self.row, first, text, "help", wrap=True)
        self.merge(self.row, first, last)
        if height:
            self.spec.heights[self.row] = height
        self.row += 1

    def headings(self, cols: dict[int, str], height: float = 30, notes: dict[int, str] | None = None) -> int:
        r = self.row
        for c, text in cols.items():
            self.put(r, c, text, "colhead", wrap=True, note=(notes or {}).get(c) or None)
        self.spec.heights[r] = height
        self.row += 1
        return r

    # form lines and fields
    def field(self, path: str, col: int, last_col: int | None = None, row: int | None = None) -> Place:
        return self.b.place_field(self, path, self.row if row is None else row, col, last_col)

    def line(self, key: str, col: int, row: int | None = None, field: str | None = None) -> Place | None:
        return self.b.place_line(self, key, self.row if row is None else row, col, field)

    def line_row(self, number: str, text: str, cells: dict[int, str], field: str | None = None,
                 text_cols: tuple[int, int] = (1, 1), height: float | None = None) -> int:
        """One printed line: its number in column A, its text, and line cells {col: key}."""
        r = self.row
        self.put(r, 0, number, "line_no")
        self.put(r, text_cols[0], text, "label", wrap=True)
        self.merge(r, *text_cols)
        for col, key in cells.items():
            self.line(key, col, r, field=field)
        self._fit(r, text, text_cols, height)
        self.row += 1
        return r

    def _fit(self, row: int, text: str, text_cols: tuple[int, int], height: float | None) -> None:
        """Row height for wrapped text (merged cells never auto-fit in Excel or LibreOffice)."""
        if height:
            self.spec.heights[row] = height
            return
        width = sum(self.spec.widths.get(c, 8.43) for c in range(text_cols[0], text_cols[1] + 1))
        lines = -(-len(text or "") // max(1, int(width * 1.2)))
        if lines > 1:
            self.spec.heights[row] = max(self.spec.heights.get(row, 0), 12 * lines + 1)

    def field_row(self, number: str, path: str, text: str | None = None, col: int = 2, last_col: int | None = None,
                  text_cols: tuple[int, int] = (1, 1)) -> int:
        r = self.row
        f = self.b.field_defs[path]
        self.put(r, 0, number, "line_no")
        self.put(r, text_cols[0], text or f.label, "label", wrap=True)
        self.merge(r, *text_cols)
        self.field(path, col, last_col, r)
        self._fit(r, text or f.label, text_cols, None)
        self.row += 1
        return r

    def schedule(self, key: str, cols: dict[str, int], extras: Iterable[Column] = (),
                 first_row: int | None = None) -> SchedulePlace:
        return self.b.place_schedule(self, key, cols, tuple(extras), self.row if first_row is None else first_row)


class Builder:
    """Collects a form's sheets and placements; `finish()` adds the generic parts (unplaced
    inputs, the Audit sheet, meta names) and returns the `Layout`."""

    def __init__(self, *, form: str, slug: str, revision: str, prefix: str, title: str,
                 lines: tuple[Line, ...], fields: tuple[InputField, ...], schedules: tuple[Schedule, ...],
                 hooks: Any = None):
        self.form, self.slug, self.revision, self.prefix, self.title = form, slug, revision, prefix, title
        self.lines = lines
        self.line_defs = {line.key: line for line in lines}
        self.field_defs = {f.path: f for f in fields}
        self.field_order = [f.path for f in fields]
        self.schedule_defs = {s.key: s for s in schedules}
        self.hooks = hooks
        self.book = Book(sheets={}, names={}, title=title)
        self.line_places: dict[str, Place] = {}
        self.line_order: list[str] = []
        self.fields: dict[str, FieldPlace] = {}
        self.schedules: dict[str, SchedulePlace] = {}
        self.tax_year_parts: dict[str, tuple[Place, Place]] = {}
        self.form_sheet = ""

    def sheet(self, name: str, widths: dict[int, float], print_cols: tuple[int, int], **kw) -> SheetBuilder:
        spec = SheetSpec(name=name, widths=dict(widths), print_cols=print_cols, **kw)
        self.book.sheets[name] = spec
        if not self.form_sheet:
            self.form_sheet = name
        return SheetBuilder(self, spec)

    def name(self, name: str, target: str) -> None:
        if name.upper() in {n.upper() for n in self.book.names}:
            raise ValueError(f"defined name {name} is used twice")
        self.book.names[name] = target

    # placements
    def place_line(self, sb: SheetBuilder, key: str, row: int, col: int, field_path: str | None) -> Place | None:
        line = self.line_defs.get(key)
        if line is None:
            return None  # not on this revision
        place = Place(sb.spec.name, row, col)
        if line.kind == "input":
            path = field_path or (key if key in self.field_defs else None)
            if path is None:
                path = next((f.path for f in self.field_defs.values() if f.line == key), None)
            if path is None:
                raise ValueError(f"input line {key} has no input field")
            if path not in self.fields:
                self.place_field(sb, path, row, col, None)
            place = self.fields[path].place
        else:
            cell = sb.put(row, col, None, "rule" if line.kind == "rule" else "computed", _line_unit(line))
            if line.kind == "rule":
                cell.note = line.note or None
        self.line_places[key] = place
        self.line_order.append(key)
        self.name(line_name(self.prefix, key), place.address)
        return place

    def place_field(self, sb: SheetBuilder, path: str, row: int, col: int, last_col: int | None) -> Place:
        f = self.field_defs[path]
        unit = FIELD_UNITS[f.type]
        place = Place(sb.spec.name, row, col)
        sb.put(row, col, None, "input", unit, note=f.help or None)
        if last_col is not None:
            sb.merge(row, col, last_col)
        self.fields[path] = FieldPlace(f, place, field_name(self.prefix, path), unit)
        self.name(field_name(self.prefix, path), place.address)
        _validate(sb.spec, row, col, row, col, unit, f.choices)
        return place

    def tax_year_rows(self, sb: SheetBuilder, path: str = "tax_year") -> None:
        """The header's tax year: a calendar year in column C, or a fiscal year's first and last
        days in columns C and E (the same on every form)."""
        label_col, year_col, ending_col, ends_col = 1, 2, 3, 4
        sb.field_row("", path, "Tax year (calendar year); or a fiscal year's beginning and ending dates below",
                     col=year_col)
        r = sb.row
        sb.put(r, label_col, "Fiscal tax year beginning / ending", "label")
        sb.put(r, ending_col, "ending", "label", align="right")
        self.place_tax_year_parts(sb, path, (r, year_col), (r, ends_col))
        sb.row += 1

    def place_tax_year_parts(self, sb: SheetBuilder, path: str, begins: tuple[int, int], ends: tuple[int, int]) -> None:
        parts = []
        for suffix, (row, col) in (("begins", begins), ("ends", ends)):
            sb.put(row, col, None, "input", "date")
            _validate(sb.spec, row, col, row, col, "date", ())
            place = Place(sb.spec.name, row, col)
            self.name(field_name(self.prefix, f"{path}.{suffix}"), place.address)
            parts.append(place)
        self.tax_year_parts[path] = (parts[0], parts[1])

    def place_schedule(self, sb: SheetBuilder, key: str, cols: dict[str, int], extras: tuple[Column, ...],
                       first_row: int) -> SchedulePlace:
        sched = self.schedule_defs[key]
        columns = {c.key: c for c in sched.columns if c.key in cols}
        columns.update({c.key: c for c in extras})
        missing = [c.key for c in sched.columns if c.kind == "input" and c.key not in cols]
        if missing:
            raise ValueError(f"schedule {key}: input columns {missing} have no place")
        names = {}
        for ckey, c in cols.items():
            column = columns[ckey]
            n = f"{self.prefix}_{key}_{ckey}"
            rng = range_address(sb.spec.name, first_row, c, first_row + sched.max_rows - 1, c)
            self.name(n, rng)
            names[ckey] = n
            role = "input" if column.kind == "input" else ("rule" if column.kind == "rule" else "computed")
            unit = _column_unit(column)
            sb.spec.blocks.append((first_row, first_row + sched.max_rows - 1, c, role, unit))
            if column.kind == "input":
                _validate(sb.spec, first_row, c, first_row + sched.max_rows - 1, c, unit, column.choices)
        place = SchedulePlace(sched, sb.spec.name, first_row, dict(cols), columns, names)
        self.schedules[key] = place
        return place

    # the generic rest
    def finish(self) -> Layout:
        form_sheet = self.book.sheets[self.form_sheet]
        # An input line whose field has its cell already is that cell (one more name for it).
        for line in self.lines:
            if line.kind == "input" and line.key not in self.line_places:
                path = line.key if line.key in self.field_defs else next(
                    (f.path for f in self.field_defs.values() if f.line == line.key), None)
                if path in self.fields:
                    self.line_places[line.key] = self.fields[path].place
                    self.line_order.append(line.key)
                    self.name(line_name(self.prefix, line.key), self.fields[path].place.address)
        unplaced_fields = [p for p in self.field_order if p not in self.fields]
        unplaced_lines = [line for line in self.lines if line.key not in self.line_places]
        if unplaced_fields or unplaced_lines:
            sb = SheetBuilder(self, form_sheet)
            sb.row = form_sheet.last_row() + 2
            sb.section("Other inputs and helper values (not printed on the form)")
            for path in unplaced_fields:
                sb.field_row("", path, col=2, last_col=form_sheet.print_cols[1] if self.field_defs[path].type == "text" else None)
            for line in unplaced_lines:
                sb.line_row("", line.label, {form_sheet.print_cols[1]: line.key})
        audit = self._audit_sheet()
        self.book.header_left = f"{self.title.split(' — ')[0]} (Rev. {self.revision})"
        layout = Layout(form=self.form, slug=self.slug, revision=self.revision, prefix=self.prefix,
                        title=self.title, lines=self.lines, book=self.book, line_places=self.line_places,
                        fields=self.fields, schedules=self.schedules, audit=audit, form_sheet=self.form_sheet,
                        hooks=self.hooks, tax_year_parts=self.tax_year_parts)
        # The form's arithmetic is in the template too (a blank template shows zeros).
        for line in self.lines:
            place = self.line_places.get(line.key)
            if place is not None and line.kind == "computed" and line.expr is not None:
                cell = self.book.cell_at(place.sheet, place.row, place.col)
                cell.formula, cell.value = "=" + line.expr.render(layout), 0
        return layout

    def _audit_sheet(self) -> AuditPlace:
        sb = self.sheet("Audit", {0: 10, 1: 44, 2: 18, 3: 70, 4: 40, 5: 18}, (0, 5), landscape=True)
        sb.title("Audit", f"{self.title}: every line, its value, its explanation, its source")
        meta = [
            ("XLC_form", "Form", self.form),
            ("XLC_revision", "Form revision", self.revision),
            ("XLC_tax_year", "Tax year", None),
            ("XLC_engine", "Engine version (xlcredits)", None),
            ("XLC_fingerprint", "Input fingerprint (SHA-256 of the canonical input JSON)", None),
            ("XLC_status", "Status", "Template: not filled yet"),
            ("XLC_state", "Filler state (cells marked by the last fill)", None),
        ]
        for name, label, value in meta:
            sb.put(sb.row, 0, label, "label_bold")
            sb.merge(sb.row, 0, 1)
            sb.put(sb.row, 2, value, "meta_value")
            sb.merge(sb.row, 2, 4)
            self.name(name, address("Audit", sb.row, 2))
            sb.row += 1
        sb.row += 1
        sb.section("Lines")
        head = sb.headings({0: "Line", 1: "Description", 2: "Value", 3: "Explanation", 4: "Source / note",
                            5: "Cell"})
        line_rows = {}
        order = self.line_order + [line.key for line in self.lines if line.key not in self.line_places]
        for key in order:
            line = self.line_defs[key]
            r = sb.row
            sb.put(r, 0, key, "line_no")
            sb.put(r, 1, line.label, "audit_text", wrap=True)
            sb.put(r, 2, None, "meta_value", _line_unit(line))
            sb.put(r, 3, None, "audit_text", wrap=True)
            sb.put(r, 4, line.note or None, "audit_text", wrap=True)
            sb.put(r, 5, line_name(self.prefix, key), "audit_text")
            line_rows[key] = r
            sb.row += 1
        sb.row += 1
        sb.section("Findings")
        sb.headings({0: "Severity", 1: "Where (input path)", 2: "Cell", 3: "Message"}, height=18)
        spec = self.book.sheets["Audit"]
        spec.freeze = (head + 1, 0)
        spec.repeat_rows = (head, head)
        return AuditPlace("Audit", line_rows, sb.row,
                          {"value": 2, "explanation": 3, "source": 4, "cell": 5,
                           "severity": 0, "where": 1, "fcell": 2, "message": 3})


def _line_unit(line: Line) -> str:
    return {"rate": "rate"}.get(line.unit, line.unit)


def _column_unit(column: Column) -> str:
    if column.kind == "input" and column.unit in ("text", "count") and column.choices:
        return "text" if column.unit == "text" else "count"
    return str(column.unit)


def _validate(spec: SheetSpec, r1: int, c1: int, r2: int, c2: int, unit: str, choices: tuple[str, ...]) -> None:
    """Data validation for an input range: drop-downs for choices, bounds for numbers."""
    options: dict | None = None
    if choices and len(",".join(choices)) <= 250 and unit == "text":
        options = {"validate": "list", "source": list(choices)}
    elif unit == "count" and choices and all(c.isdigit() for c in choices):
        options = {"validate": "integer", "criteria": "between", "minimum": int(min(choices, key=int)),
                   "maximum": int(max(choices, key=int))}
    elif unit == "bool":
        options = {"validate": "list", "source": ["Yes", "No"]}
    elif unit == "year":
        options = {"validate": "integer", "criteria": "between", "minimum": 1980, "maximum": 2100}
    elif unit == "fraction":
        options = {"validate": "decimal", "criteria": "between", "minimum": 0, "maximum": 1}
    elif unit in ("money", "quantity", "watts", "kwh", "kg", "m2"):
        options = {"validate": "decimal", "criteria": ">=", "value": 0}
    elif unit == "date":
        from datetime import date
        options = {"validate": "date", "criteria": "between", "minimum": date(1980, 1, 1),
                   "maximum": date(2100, 12, 31)}
    if options is None:
        return
    options.setdefault("error_type", "warning")  # a warning the preparer may override, not a wall
    options.setdefault("error_title", "Check this entry")
    options.setdefault("error_message", _validation_message(unit, choices))
    spec.validations.append((r1, c1, r2, c2, options))


def _validation_message(unit: str, choices: tuple[str, ...]) -> str:
    if unit == "bool":
        return "Choose Yes or No."
    if choices:
        shown = ", ".join(choices[:12]) + (", ..." if len(choices) > 12 else "")
        return f"Choose one of: {shown}"[:250]
    return {"year": "Enter a calendar year such as 2025.",
            "fraction": "Enter a fraction between 0 and 1 (e.g. 0.65 or 65%).",
            "date": "Enter a date."}.get(unit, "Enter an amount of zero or more.")


# --- form revisions ------------------------------------------------------------------------------

def revisions_of(catalog) -> tuple[str, ...]:
    """A form's revisions, oldest first, from its rule book's `revisions` table."""
    return tuple(dict.fromkeys(catalog.RULES["revisions"].values()))


def revision_for_year(catalog, year: int | None) -> str:
    """The revision for a tax year beginning in `year` (the latest revision when unknown)."""
    from datetime import date

    if year is None:
        return revisions_of(catalog)[-1]
    return catalog.revision_for(date(int(year), 1, 1))
