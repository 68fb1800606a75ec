"""Builders: a per-form layout module writes its sheets with a `SheetBuilder` and collects the
placements with a `Builder`, whose `finish()` returns the `Layout`."""

from __future__ import annotations

from typing import Any, Iterable

from ..lines import InputField, Line
from ..schedules import Column, Schedule
from .a1 import address, range_address
from .book import Book, Cell, SheetSpec
from .places import (FIELD_UNITS, FieldPlace, Layout, Place, SchedulePlace, field_name,
                     line_name)
from .choices import shown
from .validation import _validate


def build_audit_sheet(builder):  # the Audit sheet lives in its own module
    from .audit_sheet import build_audit_sheet as build
    return build(builder)


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
        self.spec.heights[self.row] = 20
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
        self.spec.heights[self.row] = 15
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
        lines = -(-len(text or "") // max(1, int(width * 1.55)))  # 9-point labels: ~62 characters in 40 units
        if lines > 1:
            self.spec.heights[row] = max(self.spec.heights.get(row, 0), 11 * lines + 2)

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
                cell.note = line.annotation() or None
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
        # A field the form's formulas read (an input line, e.g. NJ-306's federal method) keeps its codes
        read_by_formulas = any(ln.kind == "input" and ln.key in (path, f.line) for ln in self.lines)
        self.fields[path] = FieldPlace(f, place, field_name(self.prefix, path), unit, not read_by_formulas)
        self.name(field_name(self.prefix, path), place.address)
        _validate(sb.spec, row, col, row, col, unit, f.choices if read_by_formulas else shown(f.choices))
        return place

    def tax_year_rows(self, sb: SheetBuilder, path: str = "tax_year") -> None:
        """The header's tax year: a calendar year in column C, or a fiscal year's first and last
        days in columns C and E (the same on every form)."""
        label_col, year_col, ending_col, ends_col = 1, 2, 3, 4
        sb.field_row("", path, "Tax year (a fiscal year: its dates below)",
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
                _validate(sb.spec, first_row, c, first_row + sched.max_rows - 1, c, unit, shown(column.choices))
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
        from .review_sheet import build_review_sheets

        review = build_review_sheets(self)
        audit = build_audit_sheet(self)
        _margin_columns(self.book, review)
        self.book.header_left = f"{self.title.split(' — ')[0]} (Rev. {self.revision})"
        self.book.header_names = tuple((label, field_name(self.prefix, path))
                                       for label, path in getattr(self.hooks, "HEADER_FIELDS", ()) if path in self.fields)
        layout = Layout(form=self.form, slug=self.slug, revision=self.revision, prefix=self.prefix,
                        title=self.title, lines=self.lines, book=self.book, line_places=self.line_places,
                        fields=self.fields, schedules=self.schedules, audit=audit, form_sheet=self.form_sheet,
                        hooks=self.hooks, tax_year_parts=self.tax_year_parts, review=review)
        # The form's arithmetic is in the template too (a blank template shows zeros).
        for line in self.lines:
            place = self.line_places.get(line.key)
            if place is not None and line.kind == "computed" and line.expr is not None:
                cell = self.book.cell_at(place.sheet, place.row, place.col)
                cell.formula, cell.value = "=" + line.expr.render(layout), 0
        return layout

def _margin_columns(book: Book, review) -> None:
    """A printed margin column right of each form and schedule sheet, where the filler puts the
    marks of findings ("!3" refers to finding 3 on the Review sheet): text survives black and white."""
    for spec in book.sheets.values():
        if spec.name in (review.sheet, review.notes_sheet, "Audit") or spec.very_hidden:
            continue
        col = spec.print_cols[1] + 1
        spec.mark_col = col
        spec.widths[col] = max(spec.widths.get(col, 0), 4)
        last = max([spec.last_row()] + [r2 for _, r2, *_ in spec.blocks])
        spec.blocks.append((0, last, col, "mark", ""))


def _line_unit(line: Line) -> str:
    return {"rate": "rate"}.get(line.unit, line.unit)


def _column_unit(column: Column) -> str:
    if column.kind == "input" and column.unit in ("text", "count") and column.choices:
        return "text" if column.unit == "text" else "count"
    return str(column.unit)
