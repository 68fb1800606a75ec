"""What the rules say about a Form 7207 row, worked out once for every row with the same facts.

A return of 100,000 rows has a few dozen distinct (line, years, MACR, size, ...) combinations:
each gets one `Verdict` (its years, its judgement, its findings' words and its rule notes), and
every row with those facts shares it (compute.py)."""

from __future__ import annotations

from dataclasses import replace
from typing import NamedTuple

from ... import rules
from ...lines import Findings
from .eligibility import Judgement, Outcome, RowFacts, TaxPeriod, Years, judge, resolve_years


class Verdict(NamedTuple):
    """What the rules say about every row with the same line, years and facts: a return of 100,000
    rows has a few dozen distinct ones, so each is worked out once (`Verdicts`)."""

    years: Years
    judgement: Judgement | None  # None when a blank year makes the row uncomputable
    reports: tuple[tuple[str, str, str], ...]  # (severity, field, text after "<row>: ") per outcome
    notes: dict  # the phase-out and eligibility notes of the row's rule cells (shared: read only)
    years_backwards: bool  # sold before it was produced


class Verdicts(dict):
    """Verdicts by facts, for one return (one tax period)."""

    def __init__(self, period: TaxPeriod):
        super().__init__()
        self.period = period

    def add(self, key: tuple, facts: RowFacts, sold: int | None, produced: int | None) -> Verdict:
        verdict = self[key] = verdict_on(facts, sold, produced, self.period)
        return verdict


def _tail(outcome: Outcome) -> str:
    cited = rules.cite_text(outcome.cites)
    return outcome.reason + (f" [{cited}]" if cited else "")


def verdict_on(facts: RowFacts, sold: int | None, produced: int | None, period: TaxPeriod) -> Verdict:
    """Settle the row's years and apply every rule."""
    years = resolve_years(facts, sold, produced, period)
    if years.problem is not None:
        reports = ((years.problem.severity, years.problem.field, _tail(years.problem)),)
        return Verdict(years, None, reports, {}, False)
    facts = replace(facts, sold=years.sold, produced=years.produced)
    judgement = judge(facts, period)
    reports = tuple((o.severity, o.field, _tail(o)) for o in judgement.outcomes if o.severity)
    defaulted = f" ({' and '.join(years.defaulted)} year blank: every year of the tax period gives the same " \
                f"credit)" if years.defaulted else ""
    phases = [o for o in judgement.outcomes if o.kind == "phase_out"]
    notes = {
        "phase_out": ("; ".join(f"{o.reason} [{rules.cite_text(o.cites)}]" for o in phases) if phases
                      else "100%: no phase-out for this year") + defaulted,
        "eligible": ("Not eligible: " + "; ".join(o.reason for o in judgement.exclusions))
        if judgement.exclusions else "Eligible",
    }
    return Verdict(years, judgement, reports, notes, facts.sold < facts.produced)


def report(findings: Findings, where: str, what: str, reports, blocking: bool = False) -> None:
    """A row's outcomes as findings at the fields they concern, their citations rendered from the rule."""
    for severity, field, tail in reports:
        at = f"{where}.{field}" if field else where
        if severity == "error":
            findings.error(at, f"{what}: {tail}", blocking=blocking)
        else:
            findings.warning(at, f"{what}: {tail}")
