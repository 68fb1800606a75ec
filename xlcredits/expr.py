"""A tiny expression tree: the printed arithmetic of a form, written once.

Each node can
- `evaluate(env)` to an exact Decimal (Python's answer),
- `render(sheet)` to a native Excel formula body (the workbook's answer), and
- `describe(names)` / `substitute(env)` to explain itself in words and numbers (the audit trail).

A test recalculates the rendered formulas in LibreOffice and compares them with `evaluate`, so the
two answers are proven to agree.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Callable, Iterable, Iterator, Protocol, Sequence

from .numbers import ONE, ZERO, D, grouped, round_places


class Env(Protocol):
    """What an expression needs to evaluate: named values and schedule rows."""

    def get(self, key: str) -> Decimal | str | None: ...

    def rows(self, schedule: str) -> Sequence[dict]: ...


class Sheet(Protocol):
    """What an expression needs to render: where each name and schedule column lives."""

    def cell(self, key: str) -> str: ...

    def column_range(self, schedule: str, column: str) -> str: ...


Names = Callable[[str], str]


def _num(value) -> Decimal:
    """Blank counts as zero in arithmetic, as in a spreadsheet."""
    if value.__class__ is Decimal:  # first: comparing a Decimal with "" is slow
        return value
    if value is None or value == "":
        return ZERO
    if isinstance(value, str):
        raise TypeError(f"text {value!r} used in arithmetic")
    return value


blank_is_zero = _num  # the same rule, for the environments that sum rows (lines.FormEnv)


def _fmt(value) -> str:
    if isinstance(value, str):
        return f'"{value}"'
    return grouped(value if value is not None else ZERO)


class Expr:
    precedence = 9  # atoms bind tightest

    def evaluate(self, env: Env):
        raise NotImplementedError

    def render(self, sheet: Sheet) -> str:
        raise NotImplementedError

    def describe(self, names: Names) -> str:
        raise NotImplementedError

    def substitute(self, env: Env) -> str:
        raise NotImplementedError

    def refs(self) -> set[str]:
        return set()

    def _wrap(self, child: "Expr", text: str, strict: bool = False) -> str:
        if child.precedence < self.precedence or (strict and child.precedence == self.precedence):
            return f"({text})"
        return text


@dataclass(frozen=True)
class Ref(Expr):
    """A named value: a form line ("1a.e", "28"), an input ("tax_liability") or a row column.

    In an explanation (`substitute`), a factor equal to `hide_if` is left out (a 100% phase-out
    says nothing), and `shown_as` formats the value (0.75 as "75%")."""

    key: str
    hide_if: Decimal | None = None
    shown_as: Callable[[Decimal], str] | None = None

    def evaluate(self, env):
        return env.get(self.key)

    def render(self, sheet):
        return sheet.cell(self.key)

    def describe(self, names):
        return names(self.key)

    def substitute(self, env):
        value = env.get(self.key)
        if self.hide_if is not None and value == self.hide_if:
            return ""
        if self.shown_as is not None and value is not None and not isinstance(value, str):
            return self.shown_as(value)
        return _fmt(value)

    def refs(self):
        return {self.key}


@dataclass(frozen=True)
class Const(Expr):
    value: Decimal | str

    def evaluate(self, env):
        return self.value

    def render(self, sheet):
        return f'"{self.value}"' if isinstance(self.value, str) else format(self.value, "f")

    def describe(self, names):
        return _fmt(self.value)

    def substitute(self, env):
        return _fmt(self.value)


def const(value) -> Const:
    return Const(value if isinstance(value, str) else D(value))


@dataclass(frozen=True)
class _Chain(Expr):
    """A left-to-right chain of one operator: a + b + c, a × b × c."""

    args: tuple[Expr, ...]
    symbol = "+"
    excel = "+"

    def __init__(self, *args: Expr):
        object.__setattr__(self, "args", tuple(args))

    def _join(self, parts: list[str], sep: str) -> str:
        return sep.join(
            self._wrap(a, p, strict=(i > 0 and self.strict_right)) for i, (a, p) in enumerate(zip(self.args, parts))
        )

    strict_right = False

    def render(self, sheet):
        return self._join([a.render(sheet) for a in self.args], self.excel)

    def describe(self, names):
        return self._join([a.describe(names) for a in self.args], f" {self.symbol} ")

    def substitute(self, env):
        # a hidden factor (Ref.hide_if) leaves the chain, so "50,000 × 0.04" reads as computed
        shown = [(a, a.substitute(env)) for a in self.args]
        shown = [(a, text) for a, text in shown if text != ""] or shown[:1]
        return f" {self.symbol} ".join(
            self._wrap(a, text, strict=(i > 0 and self.strict_right)) for i, (a, text) in enumerate(shown))

    def refs(self):
        return set().union(*(a.refs() for a in self.args))


class Add(_Chain):
    """a + b + c. With `summary` ("lines 1 through 73") a long sum describes itself in a phrase
    and lists only its non-zero terms."""

    precedence = 1
    symbol, excel = "+", "+"

    def __init__(self, *args: Expr, summary: str = ""):
        super().__init__(*args)
        object.__setattr__(self, "summary", summary)

    def describe(self, names):
        return self.summary or super().describe(names)

    def substitute(self, env):
        if not self.summary:
            return super().substitute(env)
        terms = [a.substitute(env) for a in self.args if _num(a.evaluate(env))]
        return " + ".join(terms) if terms else "0"

    def evaluate(self, env):
        total = ZERO
        for a in self.args:
            total += _num(a.evaluate(env))
        return total


class Sub(_Chain):
    precedence = 1
    symbol, excel = "−", "-"
    strict_right = True

    def evaluate(self, env):
        first, *rest = [_num(a.evaluate(env)) for a in self.args]
        for r in rest:
            first -= r
        return first


class Mul(_Chain):
    precedence = 2
    symbol, excel = "×", "*"

    def evaluate(self, env):
        product = D(1)
        for a in self.args:
            product *= _num(a.evaluate(env))
        return product


class Div(_Chain):
    precedence = 2
    symbol, excel = "÷", "/"
    strict_right = True

    def evaluate(self, env):
        first, *rest = [_num(a.evaluate(env)) for a in self.args]
        for r in rest:
            first /= r
        return first


@dataclass(frozen=True)
class _Function(Expr):
    """A spreadsheet function of several arguments: MIN, MAX, ROUND."""

    args: tuple[Expr, ...]
    excel = ""
    word = ""

    def __init__(self, *args: Expr):
        object.__setattr__(self, "args", tuple(args))

    def render(self, sheet):
        return f"{self.excel}({','.join(a.render(sheet) for a in self.args)})"

    def describe(self, names):
        return f"{self.word} ({', '.join(a.describe(names) for a in self.args)})"

    def substitute(self, env):
        return f"{self.word} ({', '.join(a.substitute(env) for a in self.args)})"

    def refs(self):
        return set().union(*(a.refs() for a in self.args))


class Min(_Function):
    excel, word = "MIN", "lesser of"

    def evaluate(self, env):
        return min(_num(a.evaluate(env)) for a in self.args)


class Max(_Function):
    excel, word = "MAX", "greater of"

    def evaluate(self, env):
        return max(_num(a.evaluate(env)) for a in self.args)


class Round(_Function):
    """Round half up to `places` decimals (Excel's ROUND rounds half away from zero: the same
    for the non-negative amounts on these forms)."""

    excel, word = "ROUND", "round"

    def __init__(self, arg: Expr, places: int = 2):
        super().__init__(arg, Const(D(places)))

    @property
    def places(self) -> int:
        return int(self.args[1].value)

    def evaluate(self, env):
        return round_places(_num(self.args[0].evaluate(env)), self.places)

    def describe(self, names):
        return self.args[0].describe(names) + (" (to cents)" if self.places == 2 else f" (to {self.places} decimals)")

    def substitute(self, env):
        return self.args[0].substitute(env)


def max0(arg: Expr) -> Max:
    """The forms' 'not less than zero'."""
    return Max(Const(ZERO), arg)


_COMPARE = {
    "=": (lambda a, b: a == b, "="),
    "<>": (lambda a, b: a != b, "≠"),
    "<": (lambda a, b: a < b, "<"),
    "<=": (lambda a, b: a <= b, "≤"),
    ">": (lambda a, b: a > b, ">"),
    ">=": (lambda a, b: a >= b, "≥"),
}


@dataclass(frozen=True)
class Compare(Expr):
    op: str
    left: Expr
    right: Expr
    precedence = 0

    def evaluate(self, env):
        a, b = self.left.evaluate(env), self.right.evaluate(env)
        if not isinstance(a, str) and not isinstance(b, str):
            a, b = _num(a), _num(b)
        else:
            a, b = ("" if a is None else str(a)).lower(), ("" if b is None else str(b)).lower()
        return _COMPARE[self.op][0](a, b)

    def render(self, sheet):
        return f"{self.left.render(sheet)}{self.op}{self.right.render(sheet)}"

    def describe(self, names):
        return f"{self.left.describe(names)} {_COMPARE[self.op][1]} {self.right.describe(names)}"

    def substitute(self, env):
        return f"{self.left.substitute(env)} {_COMPARE[self.op][1]} {self.right.substitute(env)}"

    def refs(self):
        return self.left.refs() | self.right.refs()


@dataclass(frozen=True)
class If(Expr):
    test: Compare
    then: Expr
    otherwise: Expr

    def evaluate(self, env):
        return self.then.evaluate(env) if self.test.evaluate(env) else self.otherwise.evaluate(env)

    def render(self, sheet):
        return f"IF({self.test.render(sheet)},{self.then.render(sheet)},{self.otherwise.render(sheet)})"

    def describe(self, names):
        return f"if {self.test.describe(names)} then {self.then.describe(names)} else {self.otherwise.describe(names)}"

    def substitute(self, env):
        branch = self.then if self.test.evaluate(env) else self.otherwise
        return branch.substitute(env)

    def refs(self):
        return self.test.refs() | self.then.refs() | self.otherwise.refs()


@dataclass(frozen=True)
class SumRows(Expr):
    """Sum of one column of a schedule, optionally only rows whose `match` column equals `value`
    (Excel: SUMIFS over the schedule's table, or SUM without a match)."""

    schedule: str
    column: str
    match: str | None = None
    value: str | None = None
    label: str = ""
    positive: tuple[str, ...] = ()  # only rows where each of these columns is above zero

    def _selected(self, env):
        # An environment that indexes its rows (FormEnv.select) answers without scanning every
        # row for every line: the scan made a form's time grow with lines × rows.
        select = getattr(env, "select", None)
        if select is not None:
            return select(self.schedule, self.match, self.value, self.positive)
        return [row for row in env.rows(self.schedule) if matches(row, self.match, self.value, self.positive)]

    def evaluate(self, env):
        total_of = getattr(env, "total", None)  # added up already, while the rows were grouped
        if total_of is not None:
            total = total_of(self.schedule, self.match, self.value, self.positive, self.column)
            if total is not None:
                return total
        total, column = ZERO, self.column
        for row in self._selected(env):
            value = row.get(column)
            total += value if value.__class__ is Decimal else _num(value)
        return total

    def render(self, sheet):
        target = sheet.column_range(self.schedule, self.column)
        criteria = [f'{sheet.column_range(self.schedule, c)},">0"' for c in self.positive]
        if self.match is not None:
            criteria.insert(0, f'{sheet.column_range(self.schedule, self.match)},"{self.value}"')
        if not criteria:
            return f"SUM({target})"
        return f"SUMIFS({target},{','.join(criteria)})"

    def describe(self, names):
        if self.label:
            return self.label
        where = f" where {self.match} is {self.value}" if self.match else ""
        return f"sum of {self.schedule}.{self.column}{where}"

    def substitute(self, env):
        parts = [_row_text(r, self.column) for r in self._selected(env)]
        return " + ".join(parts) if parts else "0 (no rows)"


def sum_nodes(exprs: Iterable[Expr]) -> Iterator[SumRows]:
    """Every SumRows inside these expressions."""
    stack = list(exprs)
    while stack:
        node = stack.pop()
        if isinstance(node, SumRows):
            yield node
            continue
        for value in vars(node).values():
            if isinstance(value, Expr):
                stack.append(value)
            elif isinstance(value, tuple):
                stack.extend(v for v in value if isinstance(v, Expr))


def matches(row: dict, match: str | None, value: str | None, positive: tuple[str, ...]) -> bool:
    """Whether SumRows counts `row`: its `match` column equals `value` (any case, as SUMIFS
    compares) and each `positive` column is above zero."""
    if match is not None and str(row.get(match, "")).lower() != str(value).lower():
        return False
    for column in positive:
        if not _num(row.get(column)) > 0:
            return False
    return True


def _row_text(row: dict, column: str) -> str:
    """A row's amount in an explanation: the arithmetic of the expression that computed it (a row
    keeps its expressions under "#exprs"), or the amount as typed."""
    expr = row.get("#exprs", {}).get(column)
    if expr is None:
        return _fmt(row.get(column))
    return expr.substitute(_RowEnv(row))


class _RowEnv:
    """One schedule row as an environment: its columns are the names."""

    __slots__ = ("get",)

    def __init__(self, row: dict):
        self.get = row.get

    def rows(self, schedule):
        return ()


# --- compiled evaluation -------------------------------------------------------------------------
# A schedule's row expressions run once per row (100,000 times on a large return). `compiled`
# turns the same tree into nested closures over the row dict: the same operations in the same
# order as `evaluate`, without building an environment and dispatching per node.

_ONE = D(1)


def compiled(expr: Expr) -> Callable[[dict], object]:
    if isinstance(expr, Ref):
        key = expr.key
        return lambda row: row.get(key)
    if isinstance(expr, Const):
        value = expr.value
        return lambda row: value
    if isinstance(expr, Mul) and all(isinstance(a, Ref) for a in expr.args):
        keys = [a.key for a in expr.args]  # the common case, a product of columns: one loop, no calls
        first, rest = keys[0], keys[1:]

        def product_of_columns(row):
            total = row.get(first)
            if total.__class__ is not Decimal:  # blank, or a plain int: 1 × it, as `evaluate` gives
                total = _ONE * _num(total)
            for key in rest:
                value = row.get(key)
                if value is ONE:  # exactly 1 (exponent 0): the product is unchanged to the last digit
                    continue
                total *= value if value.__class__ is Decimal else _num(value)
            return total
        return product_of_columns
    if isinstance(expr, Mul):
        parts = [_numeric(compiled(a)) for a in expr.args]

        def product(row):
            total = _ONE
            for part in parts:
                total *= part(row)
            return total
        return product
    if isinstance(expr, Min) and len(expr.args) == 2:
        first, second = (_numeric(compiled(a)) for a in expr.args)
        return lambda row: min(first(row), second(row))
    return lambda row: expr.evaluate(_RowEnv(row))


def _numeric(fn: Callable[[dict], object]) -> Callable[[dict], Decimal]:
    return lambda row: _num(fn(row))


def known_factors(expr: Expr, known: dict) -> tuple[str, tuple[Decimal, ...]] | None:
    """For a product of columns all of whose columns but the first hold the values in `known` (the
    same for many rows): the first column, and the other factors that `compiled(expr)` multiplies
    by, in order (a factor of exactly 1 is skipped there too). Then `compiled(expr)(row)` is the
    first column's value as a Decimal times each factor in turn. None for any other expression."""
    if not (isinstance(expr, Mul) and all(isinstance(a, Ref) for a in expr.args)):
        return None
    first, *rest = (a.key for a in expr.args)
    if first in known or any(key not in known for key in rest):
        return None
    factors = []
    for key in rest:
        value = known[key]
        if value is not ONE:
            factors.append(value if value.__class__ is Decimal else _num(value))
    return first, tuple(factors)


def as_first_factor(value) -> Decimal:
    """The first column's value as `compiled` starts a product of columns with it."""
    return value if value.__class__ is Decimal else _ONE * _num(value)
