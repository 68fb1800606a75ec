"""The template book before it is written: sheets, cells with roles and values, merges, names."""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from typing import Any

Roles = ("title", "subtitle", "section", "label", "label_bold", "line_no", "colhead", "help", "input",
         "computed", "rule", "meta", "meta_value", "audit_text",
         "review_cell", "review_text", "mark")


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

    def copy(self) -> "Cell":
        """A shallow copy (its fields are immutable values), several times cheaper than copy.copy,
        which a fill pays for every cell of the template."""
        twin = object.__new__(Cell)
        twin.__dict__.update(self.__dict__)
        return twin


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
    mark_col: int | None = None  # the printed margin column for finding marks ("!3")
    page_breaks: list[int] = field(default_factory=list)  # rows that start a printed page (the form's pages)
    # Rows printed only when used, in a completed workbook: (first row, last row, first col, last col,
    # zero counts as blank). A row with no value in those columns is hidden (unused Part IV lines,
    # empty vessel rows, the Audit sheet's unused lines); `keep_rows` always print (the totals).
    hide_unused: list[tuple[int, int, int, int, bool]] = field(default_factory=list)
    keep_rows: tuple[int, ...] = ()
    very_hidden: bool = False  # internal state: not shown, not printed

    def last_row(self) -> int:
        return max((r for r, _ in self.cells), default=0)

    def hidden_rows(self, value=None) -> list[int]:
        """`value(row, col)`: the cell's value (default: this spec's cells; the live fill passes the
        values the open book holds)."""
        value = value or self._value
        out = []
        for first, last, c1, c2, zero_blank in self.hide_unused:
            for r in range(first, last + 1):
                if r not in self.keep_rows and not any(_used(value(r, c), zero_blank) for c in range(c1, c2 + 1)):
                    out.append(r)
        return out

    def _value(self, row: int, col: int):
        cell = self.cells.get((row, col))
        return None if cell is None else cell.value

    def block_at(self, row: int, col: int) -> tuple[str, str] | None:
        for r1, r2, role, unit in self._blocks_of(col):
            if r1 <= row <= r2:
                return role, unit
        return None

    def _blocks_of(self, col: int) -> list[tuple[int, int, str, str]]:
        """The styled blocks of one column, indexed once per list of blocks (a fill asks for every
        new cell of a 2,000-row table)."""
        index = self.__dict__.get("_block_index")
        if index is None or index[0] is not self.blocks or index[1] != len(self.blocks):
            by_col: dict[int, list[tuple[int, int, str, str]]] = {}
            for r1, r2, c, role, unit in self.blocks:
                by_col.setdefault(c, []).append((r1, r2, role, unit))
            index = self.__dict__["_block_index"] = (self.blocks, len(self.blocks), by_col)
        return index[2].get(col, [])



def _used(value, zero_blank: bool) -> bool:
    if value in (None, ""):
        return False
    return not (zero_blank and value == 0 and not isinstance(value, bool))


@dataclass
class Book:
    """Everything a workbook file holds, before it is written: sheets, cells, names."""

    sheets: dict[str, SheetSpec]
    names: dict[str, str]  # defined name -> absolute address or range
    title: str = ""
    header_left: str = ""  # "Form 7207 (Rev. 12-2025)"; the writer adds tax year and taxpayer
    # Printed in every page header after the name: (label, defined name), e.g. ("EIN", "F7207_in_filer_tin")
    header_names: tuple[tuple[str, str], ...] = ()
    # A copy shares its source's cells until either changes one (`copy`): sheet -> positions shared.
    borrowed: dict[str, set] = field(default_factory=dict, repr=False, compare=False)

    def cell_at(self, sheet: str, row: int, col: int) -> Cell:
        """The cell to change (made if missing: it takes its styled block's look)."""
        spec = self.sheets[sheet]
        cell = spec.cells.get((row, col))
        if cell is None:
            role, unit = spec.block_at(row, col) or ("label", "")
            cell = spec.cells[(row, col)] = Cell(role=role, unit=unit)
        elif sheet in self.borrowed and (row, col) in self.borrowed[sheet]:
            self.borrowed[sheet].discard((row, col))
            cell = spec.cells[(row, col)] = cell.copy()
        return cell

    def peek(self, sheet: str, row: int, col: int) -> Cell | None:
        return self.sheets[sheet].cells.get((row, col))

    def copy(self) -> "Book":
        """An independent copy, made field by field. The cells are shared until `cell_at` hands one
        out to be changed, which copies it first: a fill changes a few hundred of a template's
        thousands of cells. (Change a copy's cells only through `cell_at`; replacing one in
        `cells` is fine.)"""
        sheets = {
            name: replace(spec, widths=dict(spec.widths), heights=dict(spec.heights), cells=dict(spec.cells),
                          merges=list(spec.merges), blocks=list(spec.blocks),
                          page_breaks=list(spec.page_breaks), hide_unused=list(spec.hide_unused),
                          validations=[(*v[:4], dict(v[4])) for v in spec.validations])
            for name, spec in self.sheets.items()
        }
        # both books now share every cell: either copies one before changing it
        self.borrowed = {name: set(spec.cells) for name, spec in self.sheets.items()}
        borrowed = {name: set(keys) for name, keys in self.borrowed.items()}
        return Book(sheets, dict(self.names), self.title, self.header_left, self.header_names, borrowed)
