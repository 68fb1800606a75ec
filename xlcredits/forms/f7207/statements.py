"""The statements a Form 7207 carries beside its lines (F7207-D5): the amounts that earn nothing,
with the reason and the law for each, and the phase-out applied per line and year. The form has no
column for either, so column (d) counts only what earns credit and these explain the rest."""

from __future__ import annotations

from decimal import Decimal

from ... import rules
from ...numbers import ONE, ZERO, cents
from . import catalog

SCHEDULE_LINE = {"vessels": "2a", "minerals": "6a", "coal": "6b"}


def _line(schedule: str, row: dict) -> str:
    return SCHEDULE_LINE.get(schedule) or row["line"]


def _uncapped(row: dict) -> Decimal:
    return row["units"] * row["capacity_per_unit"]


def worth_stating(schedules: dict[str, list[dict]]) -> dict[str, list[dict]]:
    """The rows either statement may name, in order: one pass that leaves out every row earning
    credit on its whole amount with no phase-out (neither statement says anything about it)."""
    return {schedule: [row for row in rows if worth_stating_row(row)] for schedule, rows in schedules.items()}


def worth_stating_row(row: dict) -> bool:
    """Whether either statement may name the row (see `worth_stating`)."""
    judgement = row["#judgement"]
    return bool(judgement.phase_out is not ONE or judgement.eligible is not ONE or row.get("#capped"))


def excluded(schedules: dict[str, list[dict]]) -> list[dict]:
    """One entry per row, or part of a row, that earns nothing."""
    out = []
    for schedule, rows in schedules.items():
        for row in rows:
            judgement = row["#judgement"]
            if judgement.factor != 0 and not row.get("#capped"):
                continue  # earns credit on all of its amount: nothing to state
            line = _line(schedule, row)
            if judgement.factor == 0:
                reasons = judgement.exclusions
                out.append({"row": row["#where"], "line": line, "description": row.get("description") or
                            row.get("name") or "", "amount": row["measure"],
                            "reason": _sentence(reasons[0].reason) if reasons else "",
                            "citation": rules.cite_text([c for o in reasons[:1] for c in o.cites])})
            elif row.get("#capped"):
                left_out = _uncapped(row) - row["measure"]
                if left_out > 0:
                    ratio = catalog.BATTERY_MAX_RATIO
                    out.append({"row": row["#where"], "line": line, "description": row.get("description") or "",
                                "amount": left_out,
                                "reason": f"Capacity above {ratio:,.0f} times the maximum discharge power is not "
                                          f"counted.",
                                "citation": rules.cite_text(catalog.BATTERY_RATIO.steps[-1].cites)})
    return out


def _sentence(text: str) -> str:
    text = text.strip()
    return (text[:1].upper() + text[1:]) if text else text


def phase_out(schedules: dict[str, list[dict]]) -> list[dict]:
    """One entry per (line, year) where a percentage below 100% applies to rows that earn credit."""
    groups: dict[tuple, dict] = {}
    for schedule, rows in schedules.items():
        for row in rows:
            judgement = row["#judgement"]
            if judgement.phase_out is ONE or judgement.factor == 0 or judgement.phase_out == 1:
                continue
            line = _line(schedule, row)
            basis = "produced" if schedule == "minerals" else "sold"
            year = row["#produced"] if basis == "produced" else row["#sold"]
            key = (line, year, basis, judgement.phase_out)
            entry = groups.setdefault(key, {"line": line, "year": year, "year_basis": basis,
                                            "percentage": judgement.phase_out, "measure": ZERO,
                                            "rate": row["rate"]})
            entry["measure"] += row["measure"]
    out = []
    order = list(catalog.PART_II)
    for key in sorted(groups, key=lambda k: (order.index(k[0]), k[1])):
        entry = groups[key]
        entry["amount"] = cents(entry["rate"] * entry["measure"] * entry["percentage"])
        out.append(entry)
    return out
