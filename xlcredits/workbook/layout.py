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

The parts live in modules by concern: `a1` (addresses), `book` (the template book), `places`
(placements and the `Layout`), `builders` (SheetBuilder, Builder), `audit_sheet`, `validation`
and `revisions`. This module re-exports them, so `from .layout import X` keeps working.
"""

from __future__ import annotations

from .a1 import address, col_index, col_letter, is_address, parse_address, quote_sheet, range_address
from .book import Book, Cell, Roles, SheetSpec
from .builders import Builder, SheetBuilder, _column_unit, _line_unit
from .places import (FIELD_UNITS, AuditPlace, FieldPlace, Layout, Place, RowSheet, SchedulePlace,
                     field_name, line_name)
from .revisions import revision_for_year, revisions_of
from .validation import _validate, _validation_message

__all__ = ["address", "col_index", "col_letter", "is_address", "parse_address", "quote_sheet", "range_address",
           "Book", "Cell", "Roles", "SheetSpec", "Builder", "SheetBuilder", "FIELD_UNITS", "AuditPlace",
           "FieldPlace", "Layout", "Place", "RowSheet", "SchedulePlace", "field_name", "line_name",
           "revision_for_year", "revisions_of"]
