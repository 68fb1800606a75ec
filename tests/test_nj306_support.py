"""Builders shared by the NJ-306 tests (no tests here): small valid inputs to vary one field at a time."""

from __future__ import annotations

import copy
import decimal
import re
from decimal import ROUND_HALF_UP, Decimal

from xlcredits.forms.nj306.compute import compute


def regular(**changes) -> dict:
    """A CBT-100 regular-method return with nothing but QREs and what Part VI needs."""
    data = {
        "form": "NJ-306", "tax_year": 2025, "return_type": "CBT-100", "federal_method": "regular",
        "qre": {"wages": 100000},
        "fixed_base_percentage": "0.03", "average_gross_receipts": 200000,
        "tax_liability": 1000000, "nj_gross_receipts": 5000000,
    }
    return _merge(data, changes)


def asc(**changes) -> dict:
    data = {
        "form": "NJ-306", "tax_year": 2025, "return_type": "CBT-100", "federal_method": "asc",
        "qre": {"wages": 53704}, "prior_year_qres": [45000, 47382, 48000],
        "tax_liability": 1000000, "nj_gross_receipts": 5000000,
    }
    return _merge(data, changes)


def combined(sharing: bool, **changes) -> dict:
    data = asc(return_type="CBT-100U", tax_liability=None, nj_gross_receipts=None, combined={
        "sharing": sharing, "group_tax_liability": 50000, "taxable_members": 3,
        "group_allocation_factor": "1.0", "member_allocation_factor": "0.2"})
    if sharing:
        del data["combined"]["group_allocation_factor"], data["combined"]["member_allocation_factor"]
    return _merge(data, changes)


def _merge(data: dict, changes: dict) -> dict:
    data = copy.deepcopy(data)
    for key, value in changes.items():
        if value is None:
            data.pop(key, None)
        elif isinstance(value, dict) and isinstance(data.get(key), dict):
            data[key] = {**data[key], **value}
        else:
            data[key] = value
    return data


def run(data: dict):
    """Compute and insist the input was accepted."""
    result = compute(data)
    assert result.computed, [f.message for f in result.findings if f.blocking]
    return result


def blocked(data: dict) -> list:
    result = compute(data)
    assert not result.computed, "expected a blocking finding"
    assert result.lines == {}
    return [f for f in result.findings if f.blocking]


def where(result, severity: str | None = None) -> set[str]:
    return {f.where for f in result.findings if severity is None or f.severity == severity}


def line(result, key: str) -> Decimal | None:
    return result.lines[key]


# --- A stand-in spreadsheet: evaluate the rendered Excel formulas in Python ------------------------
# The workbook test recalculates in LibreOffice; this one needs nothing installed and shows that
# `render` and `evaluate` say the same thing for every line.

_NO_TRAPS = decimal.Context(prec=60, rounding=ROUND_HALF_UP, traps=[])
_STRINGS = re.compile(r"('[^']*'|\"[^\"]*\")")


class FakeSheet:
    def cell(self, key: str) -> str:
        return f"V({key!r})"

    def column_range(self, schedule: str, column: str) -> str:
        return f"S({schedule!r},{column!r})"


def _outside_strings(text: str, change) -> str:
    return "".join(part if _STRINGS.fullmatch(part) else change(part) for part in _STRINGS.split(text))


def _operators(part: str) -> str:
    part = part.replace("<>", "!=").replace(">=", "≥").replace("<=", "≤")
    part = re.sub(r"(?<![=!<>])=(?!=)", "==", part).replace("≥", ">=").replace("≤", "<=")
    return re.sub(r"(?<![\w.])(\d+(?:\.\d+)?)(?![\w.])", r"Decimal('\1')", part)


def _lazy_if(text: str) -> str:
    """IF(a,b,c) -> IF(lambda:(a),lambda:(b),lambda:(c)): a spreadsheet's IF evaluates one branch."""
    out, i = [], 0
    while i < len(text):
        if not text.startswith("IF(", i):
            out.append(text[i])
            i += 1
            continue
        depth, j, start, args = 1, i + 3, i + 3, []
        while depth:
            c = text[j]
            if c in "'\"":
                j = text.index(c, j + 1)
            elif c == "(":
                depth += 1
            elif c == ")":
                depth -= 1
            elif c == "," and depth == 1:
                args.append(text[start:j])
                start = j + 1
            j += 1
        args.append(text[start:j - 1])
        out.append("IF(" + ",".join(f"lambda:({_lazy_if(a)})" for a in args) + ")")
        i = j
    return "".join(out)


def spreadsheet_value(expr, values: dict, schedules: dict):
    """The value a spreadsheet shows for `expr` rendered as a formula over these cell values."""
    def V(key):
        value = values.get(key)
        return Decimal(0) if value is None else value

    def S(schedule, column):
        return [Decimal(0) if r.get(column) is None else r[column] for r in schedules.get(schedule, ())]

    def ROUND(x, places):
        return x.quantize(Decimal(1).scaleb(-int(places)), rounding=ROUND_HALF_UP) if x.is_finite() else x

    def IF(test, then, otherwise):
        return then() if test() else otherwise()

    formula = expr.render(FakeSheet())
    text = _lazy_if(_outside_strings(formula, _operators))
    env = {"V": V, "S": S, "ROUND": ROUND, "IF": IF, "MIN": min, "MAX": max, "Decimal": Decimal,
           "SUM": lambda xs: sum(xs, Decimal(0))}
    with decimal.localcontext(_NO_TRAPS):
        return eval(text, env)  # noqa: S307 - test only: formulas this project rendered itself
