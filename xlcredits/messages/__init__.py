"""Every input problem in the preparer's words: where, what is wrong, what is expected, and a
suggestion when one is likely.

The validation layer (forms/common.py) hands each problem found by the input models here; the
CLI, the workbook filler and the Excel adapter print the result through `render`, which names the
place the way the user knows it: the JSON path with a 1-based row number and the row's
description for JSON users, the cell in A1 terms ("Products!D4 (Products row 4 — Module 400 W)")
for workbook users. No message carries the vocabulary of the libraries underneath.

Inputs are also read the way preparers write them (`normalise`): "7%" for a fraction, "1,000"
with thousands separators, 03/15/2023 for a date, and any capitalisation of a choice.
"""


from .kinds import Kind, field_kinds
from .named import NOTHING, fill_problem_lines, nothing_to_compute, refuse_output, unknown_product_line
from .places import place, render, row_description, without_place, workbook_places
from .problems import closest, expected, problem, shown
from .reading import NUMBER_KINDS, normalise, read_choice, read_date, read_number, read_percent
from .words import DATE_FORMATS, DENY_LIST, TAX_YEAR_FORMAT

__all__ = ["DATE_FORMATS", "DENY_LIST", "Kind", "NOTHING", "NUMBER_KINDS", "TAX_YEAR_FORMAT", "closest",
           "expected", "field_kinds", "fill_problem_lines", "normalise", "nothing_to_compute", "place",
           "problem", "read_choice", "read_date", "read_number", "read_percent", "refuse_output", "render",
           "row_description", "shown", "unknown_product_line", "without_place", "workbook_places"]
