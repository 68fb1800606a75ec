"""Spreadsheet functions (MIN, MAX, ROUND), comparisons and IF, as expression nodes."""

from __future__ import annotations

from dataclasses import dataclass

from ..numbers import ZERO, D, round_places
from .nodes import Const, Expr, _num


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
