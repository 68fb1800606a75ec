"""Form lines, findings and results: the vocabulary shared by every form and every adapter.

A `Line` is defined once; the engine evaluates it, the workbook renders it as a formula, the
audit trail explains it, the JSON output names it, and the workbook's defined name comes from it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal
from typing import Iterable, Literal, Mapping, Sequence

from .expr import Expr
from .numbers import grouped

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


def evaluate_lines(lines: Iterable[Line], env: FormEnv, names) -> dict[str, str]:
    """Evaluate computed lines in order into `env.values`; return each line's explanation.

    Lines are defined in an order where every reference comes first (as on the printed form).
    Input and rule lines must already be in `env.values`.
    """
    explanations: dict[str, str] = {}
    for line in lines:
        if line.kind == "computed":
            assert line.expr is not None, line.key
            env.values[line.key] = line.expr.evaluate(env)
            value = env.values[line.key]
            symbolic = line.expr.describe(names)
            numeric = line.expr.substitute(env)
            text = f"{symbolic} = {numeric}" if numeric != symbolic else symbolic
            explanations[line.key] = f"{text} = {grouped(value, line.places())}"
        elif line.key not in explanations:
            explanations[line.key] = line.annotation() or ("entered by the preparer" if line.kind == "input" else "")
    return explanations


@dataclass
class Result:
    form: str
    revision: str
    tax_year: object
    lines: dict[str, Decimal | None] = field(default_factory=dict)
    findings: Findings = field(default_factory=Findings)
    explanations: dict[str, str] = field(default_factory=dict)
    rows: dict[str, list[dict]] = field(default_factory=dict)
    extras: dict[str, object] = field(default_factory=dict)
    # Statements a form attaches (Form 7207): rows or parts of rows that earn nothing, and the
    # phase-out applied per line and year. None for forms without them.
    excluded: list[dict] | None = None
    phase_out: list[dict] | None = None

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
