"""The expression tree's nodes: names and constants, and the four arithmetic chains (see the
package docstring for what every node can do)."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Callable, Protocol, Sequence

from ..numbers import ZERO, D, grouped


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
