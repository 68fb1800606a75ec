"""A tiny expression tree: the printed arithmetic of a form, written once.

Each node can
- `evaluate(env)` to an exact Decimal (Python's answer),
- `render(sheet)` to a native Excel formula body (the workbook's answer), and
- `describe(names)` / `substitute(env)` to explain itself in words and numbers (the audit trail).

A test recalculates the rendered formulas in LibreOffice and compares them with `evaluate`, so the
two answers are proven to agree.
"""

from .compiled import as_first_factor, compiled, known_factors
from .functions import Compare, If, Max, Min, Round, max0
from .nodes import Add, Const, Div, Env, Expr, Mul, Names, Ref, Sheet, Sub, blank_is_zero, const
from .rows import SumRows, matches, sum_nodes

__all__ = ["Add", "Compare", "Const", "Div", "Env", "Expr", "If", "Max", "Min", "Mul", "Names", "Ref", "Round",
           "Sheet", "Sub", "SumRows", "as_first_factor", "blank_is_zero", "compiled", "const", "known_factors",
           "matches", "max0", "sum_nodes"]
