"""Product rows as the JSON parser gives them, read, judged and computed in one pass (issue 17).

A row the fast reader accepts (forms/quick.py: every value already what the model accepts) is
read here without pydantic. The first row with given facts — its fields, line, size, years and
MACR, each as typed — is checked field by field and judged on its own (rows.py); when judging it
said nothing, what it shares with every later row of the same facts is kept as a plan, and those
rows then check only the fields that differ between them (description, units, quantity, costs).
A row the fast reader does not accept raises `NeedsFullReading`: the caller then reads the whole
input with pydantic, dropping what this pass found, so a preparer sees pydantic's messages only.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Callable, NamedTuple

from ...expr import Ref, blank_is_zero, known_factors
from ...lines import Findings
from ...numbers import ONE, ZERO
from ..quick import BAD, field_checks
from . import statements
from .definition import EARNING
from .model import Component
from .rows import ROW, product_row, quiet_plan
from .verdicts import Verdicts


class NeedsFullReading(Exception):
    """A row the fast reader leaves to pydantic (see the module's docstring)."""


# The fields a plan is keyed by (what the rules read), and those read and checked row by row. A plan's
# key holds the row's fields and the keyed values as typed: a Decimal by its text, since 400.0 and 400
# are equal but print differently, and each value with its type, since True equals 1 and a whole
# number equals its Decimal, and neither is a year as typed.
_KEYED = ("line", "capacity_per_unit", "sold_year", "produced_year", "macr")
_PER_ROW = ("description", "units", "quantity", "costs")
_PLANNABLE = frozenset(_KEYED + _PER_ROW)


class _Plan(NamedTuple):
    template: dict  # the row's columns as the first row of these facts has them, in `ROW` order
    per_row: tuple[tuple[str, Callable], ...]  # (field, check) of the fields that differ between rows
    # Column (d) is the amount in `first` times `sizes`, and the credit (d) times `factors`, each as
    # the compiled expressions multiply them (expr.known_factors): the others are fixed by the facts.
    first: str
    sizes: tuple[Decimal, ...]
    factors: tuple[Decimal, ...]
    earning: list[dict] | None  # the group of rows earning credit the row joins (`earning_group`), if any
    sums: list[Decimal] | None  # that group's credit and measure added up so far
    stated: bool  # whether a statement may name the row (statements.worth_stating)


class FastRows(NamedTuple):
    """The product rows, and what the lines and statements would otherwise find in more passes."""

    rows: list[dict]
    earning: dict[str, list[dict]]  # the rows earning credit by line, as lines.FormEnv groups them
    totals: dict[str, list[Decimal]]  # their credit and measure added up, in row order
    stated: list[dict]  # the rows a statement may name (statements.worth_stating)


def fast_product_rows(raw_rows: list, verdicts: Verdicts, findings: Findings) -> FastRows:
    """Each raw product row as a judged `ROW` dict, in order (see the module's docstring). Written out
    in one loop: it runs for every row of the return."""
    checks = field_checks(Component)
    plans: dict[tuple, _Plan | None] = {}
    judging = ({}, {}, verdicts, findings, checks, plans)
    out = FastRows([], {}, {}, [])
    append, stated = out.rows.append, out.stated.append
    for i, raw in enumerate(raw_rows):
        try:  # the facts a plan is keyed by (`_KEYED`, each as typed)
            size, sold, produced, macr = (raw.get("capacity_per_unit"), raw.get("sold_year"),
                                          raw.get("produced_year"), raw.get("macr"))
            key = (tuple(raw), raw.get("line"), size.__class__, str(size) if size.__class__ is Decimal else size,
                   sold.__class__, sold, produced.__class__, produced,
                   macr.__class__, str(macr) if macr.__class__ is Decimal else macr)
            plan = plans.get(key)
        except (AttributeError, TypeError):  # not an object (no .get), or a list or an object as a value
            raise NeedsFullReading from None
        planned = value = False
        if plan is not None:
            template, per_row, first, sizes, factors, group, sums, worth_stating = plan
            row = template.copy()
            for name, check in per_row:
                value = row[name] = check(raw[name])
                if value is None or value is BAD:  # a blank amount: judged on its own below
                    break
            else:
                row["#index"], row["#where"] = i, f"components[{i}]"
                measure = row[first]
                for per_unit in sizes:
                    measure *= per_unit
                row["measure"] = credit = measure
                for factor in factors:
                    credit *= factor
                row["credit"] = credit
                planned = True
        if not planned:
            if value is BAD:
                raise NeedsFullReading
            row, group, sums, worth_stating = _judged_alone(i, raw, key, out, *judging)
            if row is None:
                continue
        append(row)
        if group is not None:  # as lines.FormEnv._group adds up a group: from ZERO, in row order
            group.append(row)
            sums[0] += row["credit"]
            sums[1] += row["measure"]
        if worth_stating:
            stated(row)
    return out


def _judged_alone(i: int, raw: dict, key: tuple, out: FastRows, well_shaped: dict, measures: dict,
                  verdicts: Verdicts, findings: Findings, checks: dict,
                  plans: dict) -> tuple[dict | None, list | None, list | None, bool]:
    """A row with no plan for its facts, checked and judged on its own (rows.product_row), and a plan
    for later rows made from it when judging it said nothing; with the group of earning rows it joins
    and their sums (None when it earns nothing), and whether a statement may name it."""
    row = product_row(i, _checked(raw, checks), well_shaped, measures, verdicts, findings)
    if row is None:
        return None, None, None, False
    said, _ = row.pop("#quiet")
    name = earning_group(row)
    group = sums = None
    if name is not None:
        group, sums = out.earning.setdefault(name, []), out.totals.setdefault(name, [ZERO, ZERO])
    if not said and key not in plans:
        plans[key] = _plan_from(row, raw, checks, group, sums)
    return row, group, sums, statements.worth_stating_row(row)


def earning_group(row: dict) -> str | None:
    """The line a product row's amounts are added to (as SUMIFS matches it, in any case), or None
    when its phase-out or eligibility is not above zero (lines.FormEnv._group)."""
    for column in EARNING:
        value = row[column]
        if value is not ONE and not blank_is_zero(value) > ZERO:
            return None
    line = row["line"]
    return line.lower() if line.__class__ is str else str(line).lower()


def _checked(raw: dict, checks: dict) -> dict:
    """The raw row as a `ROW` dict, each value as the model reads it (forms/quick.py)."""
    values = ROW.copy()
    for name, value in raw.items():
        check = checks.get(name)
        if check is None:
            raise NeedsFullReading
        value = check(value)
        if value is BAD:
            raise NeedsFullReading
        values[name] = value
    return values


def _plan_from(judged: dict, raw: dict, checks: dict, group: list | None, sums: list | None) -> _Plan | None:
    """What later rows with the facts of this quiet judged row share with it, or None when they
    must be judged on their own: the row has a field a plan does not read per row, or leaves an
    amount blank (then its shape is judged again), or its measure or credit is not a product of an
    amount read per row and factors its facts fix."""
    if not _PLANNABLE.issuperset(raw) or any(raw.get(name) is None for name in _PER_ROW[1:] if name in raw):
        return None
    known = quiet_plan(judged)
    measure = judged["#exprs"]["measure"]
    fixed = {name: value for name, value in judged.items() if name not in _PER_ROW}
    sizes = (measure.key, ()) if isinstance(measure, Ref) else known_factors(measure, fixed)
    if known is None or sizes is None or sizes[0] not in raw or sizes[0] not in _PER_ROW[1:]:
        return None
    template = judged.copy()  # its shared columns are `known[0]`; the rest are set per row
    per_row = tuple((name, checks[name]) for name in raw if name in _PER_ROW)
    return _Plan(template, per_row, sizes[0], sizes[1], known[1], group, sums, statements.worth_stating_row(judged))
