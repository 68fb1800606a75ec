"""Form lines, findings and results: the vocabulary shared by every form and every adapter.

A `Line` is defined once; the engine evaluates it, the workbook renders it as a formula, the
audit trail explains it, the JSON output names it, and the workbook's defined name comes from it.
"""

from __future__ import annotations

from collections.abc import MutableMapping
from dataclasses import dataclass, field
from decimal import Decimal, localcontext
from typing import Iterable, Literal, Mapping, Sequence

from .expr import Expr, blank_is_zero, matches, sum_nodes
from .numbers import ENGINE_CONTEXT, ONE, ZERO, grouped

Kind = Literal["input", "rule", "computed"]
Unit = Literal["money", "watts", "kwh", "kg", "m2", "fraction", "percent", "quantity", "count"]
Severity = Literal["error", "warning", "note"]


@dataclass(frozen=True)
class Line:
    key: str
    label: str
    kind: Kind
    unit: Unit = "money"
    expr: Expr | None = None
    part: str = ""
    note: str = ""  # why the line is what it is: a decision, a citation
    report: bool = True  # False for helper values (a rate, an input) not listed among the JSON lines
    cites: tuple[str, ...] = ()  # the law the line rests on; renderers add the brackets
    decision: str = ""  # a project decision ID ("NJ306-A1") where the sources leave a gap

    def places(self) -> int | None:
        return 2 if self.unit == "money" else None

    def annotation(self) -> str:
        """The note with its decision and citations, as printed beside the line."""
        text = self.note + (f" ({self.decision})" if self.decision else "")
        if self.cites:
            text += (" " if text else "") + "[" + "; ".join(dict.fromkeys(self.cites)) + "]"
        return text


@dataclass(frozen=True)
class InputField:
    """A scalar input the preparer types (Part I facts, amounts): its JSON path is its identity."""

    path: str  # "facility.registration_number", "tax_liability"
    label: str
    type: Literal["text", "date", "bool", "money", "number", "fraction", "year", "choice", "tax_year"] = "text"
    line: str = ""  # the printed line number, if the form has one
    choices: tuple[str, ...] = ()
    help: str = ""


@dataclass(frozen=True)
class Finding:
    severity: Severity
    where: str
    message: str
    # True when the input cannot be computed as given (a schema or row-shape error): the
    # command exits 1 and no line is reported rather than a number built on a guess.
    blocking: bool = False

    def as_json(self) -> dict:
        return {"severity": self.severity, "where": self.where, "message": self.message}


class Findings(list):
    """A list of findings with one-word helpers."""

    def error(self, where: str, message: str, blocking: bool = False) -> None:
        self.append(Finding("error", where, message, blocking))

    def warning(self, where: str, message: str) -> None:
        self.append(Finding("warning", where, message))

    def note(self, where: str, message: str) -> None:
        self.append(Finding("note", where, message))

    @property
    def blocking(self) -> bool:
        return any(f.blocking for f in self)

    def count(self, severity: str) -> int:  # type: ignore[override]
        return sum(1 for f in self if f.severity == severity)


class FormEnv:
    """Values by name plus schedule rows: what expressions evaluate against."""

    def __init__(self, values: Mapping[str, object] | None = None,
                 schedules: Mapping[str, Sequence[dict]] | None = None):
        # Not a copy: a schedule row is its own environment, and its computed columns land in it.
        self.values: dict[str, object] = values if isinstance(values, dict) else dict(values or {})
        self.schedules: dict[str, Sequence[dict]] = dict(schedules or {})

    def get(self, key):
        return self.values.get(key)

    def rows(self, schedule):
        return self.schedules.get(schedule, ())

    def select(self, schedule, match, value, positive) -> list[dict]:
        """The rows SumRows counts (see `expr.matches`). The rows are grouped by the matched column
        once per schedule, so each line reads only its own rows, and a selection is kept for the
        line's other column ((d) and (e) select the same rows)."""
        cache = self.__dict__.setdefault("_selections", {})
        key = (schedule, match, value, positive)
        if key not in cache:
            if match is None:
                cache[key] = _counted(self.rows(schedule), positive)
            else:
                groups = cache.get((schedule, match, positive))
                if groups is None:
                    groups = cache[(schedule, match, positive)] = self._group(schedule, match, positive)
                cache[key] = groups.get(str(value).lower(), [])
        return cache[key]

    def _group(self, schedule, match, positive) -> dict[str, list[dict]]:
        """One pass: each row that counts filed under its matched value; the columns the lines will
        sum over these groups (`plan`) are added up in the same pass, while the row is at hand."""
        columns = tuple(sorted(self.__dict__.get("_planned", {}).get((schedule, match, positive), ())))
        groups: dict[str, list[dict]] = {}
        sums: dict[str, list] = {}
        pair = columns if len(columns) == 2 else None  # the usual (d) and (e), added up written out
        first, second = positive if len(positive) == 2 else (None, None)
        rows = self.rows(schedule) if first is not None else _counted(self.rows(schedule), positive)
        for row in rows:
            if first is not None:  # `_counted` for the usual two columns, in this same pass
                a, b = row.get(first), row.get(second)
                if a is not ONE:
                    if a.__class__ is not Decimal:
                        a = blank_is_zero(a)
                    if not a > ZERO:
                        continue
                if b is not ONE:
                    if b.__class__ is not Decimal:
                        b = blank_is_zero(b)
                    if not b > ZERO:
                        continue
            matched = row.get(match, "")
            name = matched.lower() if matched.__class__ is str else str(matched).lower()
            group = groups.get(name)
            if group is None:
                groups[name], totals = [row], [ZERO] * len(columns)
                sums[name] = totals
            else:
                group.append(row)
                totals = sums[name]
            if pair is not None:
                amount, other = row.get(pair[0]), row.get(pair[1])
                totals[0] += amount if amount.__class__ is Decimal else blank_is_zero(amount)
                totals[1] += other if other.__class__ is Decimal else blank_is_zero(other)
                continue
            for i, column in enumerate(columns):
                amount = row.get(column)
                totals[i] += amount if amount.__class__ is Decimal else blank_is_zero(amount)
        self.__dict__.setdefault("_totals", {})[(schedule, match, positive)] = (
            columns, {name: dict(zip(columns, totals)) for name, totals in sums.items()})
        return groups

    def grouped_already(self, schedule: str, match: str, positive: tuple[str, ...], groups: dict[str, list[dict]],
                        columns: tuple[str, ...], totals: dict[str, list[Decimal]]) -> None:
        """Rows a caller grouped while it had each at hand, as `_group` would group them: each row that
        counts under its matched value in lower case, in order, and the `columns` (sorted) added up
        per group from ZERO in row order. The lines then read these instead of another pass."""
        self.__dict__.setdefault("_selections", {})[(schedule, match, positive)] = groups
        self.__dict__.setdefault("_totals", {})[(schedule, match, positive)] = (
            columns, {name: dict(zip(columns, sums)) for name, sums in totals.items()})

    def plan(self, exprs: Iterable[Expr]) -> None:
        """Note the columns these expressions sum over groups of rows (SumRows with a match), so
        the pass that groups the rows adds them up: one pass over the rows instead of three."""
        planned = self.__dict__.setdefault("_planned", {})
        for node in sum_nodes(exprs):
            if node.match is not None:
                planned.setdefault((node.schedule, node.match, node.positive), set()).add(node.column)

    def total(self, schedule, match, value, positive, column) -> Decimal | None:
        """The sum SumRows adds up, when the grouping pass added it up (`plan`); else None."""
        if match is None:
            return None
        self.select(schedule, match, value, positive)
        columns, sums = self.__dict__["_totals"][(schedule, match, positive)]
        if column not in columns:
            return None
        group = sums.get(str(value).lower())
        return ZERO if group is None else group[column]


def _counted(rows, positive: tuple[str, ...]):
    """The rows whose `positive` columns are all above zero (`expr.matches` without a match),
    written out for the usual two columns (phase-out and eligibility): it runs for every row."""
    if len(positive) != 2:
        return [row for row in rows if matches(row, None, None, positive)]
    first, second = positive
    out = []
    for row in rows:
        a, b = row.get(first), row.get(second)
        if a is not ONE:  # the usual value, 1, told by identity: cheaper than comparing a Decimal
            if a.__class__ is not Decimal:
                a = blank_is_zero(a)
            if not a > ZERO:
                continue
        if b is not ONE:
            if b.__class__ is not Decimal:
                b = blank_is_zero(b)
            if not b > ZERO:
                continue
        out.append(row)
    return out


def explain(line: Line, env: FormEnv, names) -> str:
    """A line's explanation: what it adds up, the same with the numbers, and its value."""
    if line.kind != "computed":
        return line.annotation() or ("entered by the preparer" if line.kind == "input" else "")
    value = env.values[line.key]
    symbolic = line.expr.describe(names)
    numeric = line.expr.substitute(env)
    text = f"{symbolic} = {numeric}" if numeric != symbolic else symbolic
    return f"{text} = {grouped(value, line.places())}"


class Explanations(MutableMapping):
    """Each line's explanation, written when it is first read: a 100,000-row return lists every
    row's arithmetic under its line, and most outputs (the JSON, a cell) never read it. The text is
    the one `explain` would have written at once: the values it reads are final when the lines
    are evaluated, and it is written under the engine's decimal context."""

    def __init__(self, lines: Iterable[Line], env: FormEnv, names):
        self._pending = {line.key: line for line in lines}  # a form defines each key once
        self._env, self._names = env, names
        self._done: dict[str, str] = {}

    def __getitem__(self, key):
        if key not in self._done:
            line = self._pending[key]  # KeyError for a key with no line, as a dict
            with localcontext(ENGINE_CONTEXT):
                self._done[key] = explain(line, self._env, self._names)
        return self._done[key]

    def __setitem__(self, key, text):
        self._done[key] = text
        self._pending.setdefault(key, None)

    def __delitem__(self, key):
        del self._pending[key]
        self._done.pop(key, None)

    def __iter__(self):
        return iter(self._pending)

    def __len__(self):
        return len(self._pending)


def evaluate_lines(lines: Iterable[Line], env: FormEnv, names, lazy: bool = False) -> MutableMapping[str, str]:
    """Evaluate computed lines in order into `env.values`; return each line's explanation (with
    `lazy`, an `Explanations` that writes each when it is read).

    Lines are defined in an order where every reference comes first (as on the printed form).
    Input and rule lines must already be in `env.values`.
    """
    lines = tuple(lines)
    plan = getattr(env, "plan", None)
    if plan is not None:
        plan(line.expr for line in lines if line.kind == "computed" and line.expr is not None)
    explanations: dict[str, str] = {}
    for line in lines:
        if line.kind == "computed":
            assert line.expr is not None, line.key
            env.values[line.key] = line.expr.evaluate(env)
            if not lazy:
                explanations[line.key] = explain(line, env, names)
        elif not lazy and line.key not in explanations:
            explanations[line.key] = explain(line, env, names)
    return Explanations(lines, env, names) if lazy else explanations


@dataclass
class Result:
    form: str
    revision: str
    tax_year: object
    lines: dict[str, Decimal | None] = field(default_factory=dict)
    findings: Findings = field(default_factory=Findings)
    explanations: MutableMapping[str, str] = field(default_factory=dict)
    rows: dict[str, list[dict]] = field(default_factory=dict)
    extras: dict[str, object] = field(default_factory=dict)
    # Statements a form attaches (Form 7207): rows or parts of rows that earn nothing, and the
    # phase-out applied per line and year. None for forms without them.
    excluded: list[dict] | None = None
    phase_out: list[dict] | None = None
    # The input's top-level fields whose texts the form has read and found to hold no Excel error
    # value (limits.check_result need not walk them again): not part of the result.
    texts_checked: tuple[str, ...] = field(default=(), repr=False, compare=False)

    @property
    def computed(self) -> bool:
        return not self.findings.blocking

    def to_json(self) -> dict:
        return {
            "form": self.form,
            "revision": self.revision,
            "tax_year": self.tax_year,
            "lines": dict(self.lines),
            **self.extras,
            **({"excluded": self.excluded} if self.excluded is not None else {}),
            **({"phase_out": self.phase_out} if self.phase_out is not None else {}),
            "findings": [f.as_json() for f in self.findings],
        }
