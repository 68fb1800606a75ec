"""Whether, and how much of, one Form 7207 row earns credit: one small function per rule.

Every rule has the same shape: it looks at a row's facts and the tax period and returns an
`Outcome` (factor, reason, citations) or None when it has nothing to say about the row. The
engine (`compute.py`) and the worksheet functions (`unit_credit`, via `udfs/f7207.py`) call the
same functions, so a row earns the same credit in a workbook, in JSON and in a cell formula.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import date
from decimal import Decimal
from functools import cached_property
from itertools import product
from typing import Callable, Literal, NamedTuple

from ... import rules
from ...rules.text import day, percent
from ...numbers import ONE, ZERO, grouped
from . import catalog
from .catalog import PartIILine

# "phase_out": a percentage below 100% (a statement, not a problem); "excluded": the law gives the
# row nothing; "input": the preparer must change the input before the row can be computed.
Kind = Literal["phase_out", "excluded", "input", "notice"]  # notice: a warning that changes nothing


class Outcome(NamedTuple):
    factor: Decimal
    reason: str  # one sentence in the preparer's words
    cites: tuple[str, ...]
    kind: Kind = "excluded"
    severity: Literal["error", "warning", ""] = "error"
    field: str = ""  # the row's input field at fault, if one is ("macr", "capacity_per_unit")


pct = percent  # a fraction as a percentage, worded in one place (rules/text.py)


@dataclass(frozen=True)
class TaxPeriod:
    begins: date
    ends: date
    filer_barred: bool = False  # the filer attests it is a prohibited foreign entity

    @property
    def years(self) -> list[int]:
        return list(range(self.begins.year, self.ends.year + 1))

    def text(self) -> str:
        if self.begins.year == self.ends.year and (self.begins.month, self.begins.day) == (1, 1) \
                and (self.ends.month, self.ends.day) == (12, 31):
            return f"tax year {self.begins.year}"
        return f"tax year {self.begins.isoformat()} – {self.ends.isoformat()}"


@dataclass(frozen=True)
class RowFacts:
    line: PartIILine
    sold: int
    produced: int
    macr: Decimal | None = None
    size: Decimal | None = None  # per unit, in the line's unit (W AC/DC or kWh)
    fuel_cell_vehicle: bool = False
    figures: dict = field(default_factory=dict)  # optional figures: wafer_area_cm2, purity, ...
    integrated: bool = False
    integration_test_met: bool | None = None


Rule = Callable[[RowFacts, TaxPeriod], "Outcome | None"]


# --- the rules ------------------------------------------------------------------------------

def credit_period(f: RowFacts, p: TaxPeriod) -> Outcome | None:
    step = catalog.CREDIT_PERIOD.at(min(f.sold, f.produced))
    if step is None:
        first = catalog.FIRST_CREDIT_YEAR
        return Outcome(ZERO, f"produced in {f.produced} and sold in {f.sold}: only components produced and sold "
                             f"after 31 Dec {first - 1} earn the §45X credit.", catalog.CREDIT_PERIOD.steps[0].cites,
                       field="sold_year" if f.sold < first else "produced_year")
    return None


def sold_during_tax_year(f: RowFacts, p: TaxPeriod) -> Outcome | None:
    if f.sold in p.years:
        return None
    return Outcome(ZERO, f"sold in {f.sold}, outside the {p.text()}: a component earns credit in the tax year it "
                         f"is sold, so it belongs on that year's return.", catalog.cites("sold_during_tax_year"),
                   field="sold_year")


def size_class(f: RowFacts, p: TaxPeriod) -> Outcome | None:
    entry = f.line
    if not entry.size or f.size is None:
        return None
    broken = [b for b in entry.size if not b.holds(f.size, f.fuel_cell_vehicle)]
    if not broken:
        return None
    unit = "kWh" if entry.is_battery_capacity else "W"
    fits = [x for x in catalog.lines_fitting(f.size, entry.category, f.fuel_cell_vehicle) if x != entry.line]
    where = (f"; its size fits line {' or '.join(fits)}" if fits else "; it fits no line of this kind")
    return Outcome(ZERO, f"{broken[0].why}; this row says {grouped(f.size)} {unit} per unit, so it is not a "
                         f"{entry.label.lower()} under the statute{where}.",
                   tuple(c for b in broken for c in b.cites), field="capacity_per_unit")


def minimum_figures(f: RowFacts, p: TaxPeriod) -> Outcome | None:
    for m in f.line.minimums:
        given = f.figures.get(m.field)
        if given is not None and given < m.at_least:
            return Outcome(ZERO, f"{m.why}; this row says {grouped(given)}.", m.cites, field=m.field)
    return None


def general_phase_out(f: RowFacts, p: TaxPeriod) -> Outcome | None:
    step = catalog.GENERAL_PHASE_OUT.at(f.sold)
    if step is None or step.value == ONE:
        return None
    if step.value == ZERO:
        return Outcome(ZERO, f"sold in {f.sold}: the phase-out percentage for components sold in {f.sold} is 0%.",
                       step.cites, "phase_out", "warning", "sold_year")
    return Outcome(step.value, f"sold in {f.sold}: phase-out {pct(step.value)}", step.cites, "phase_out", "")


def mineral_phase_out(f: RowFacts, p: TaxPeriod) -> Outcome | None:
    if not rules.in_force(catalog.RULES["phase_out"]["critical_minerals"], p.begins):
        return None
    step = catalog.MINERAL_PHASE_OUT.at(f.produced)
    if step is None or step.value == ONE:
        return None
    if step.value == ZERO:
        return Outcome(ZERO, f"produced in {f.produced}: the phase-out percentage for critical minerals produced "
                             f"in {f.produced} is 0%.", step.cites, "phase_out", "warning", "produced_year")
    return Outcome(step.value, f"produced in {f.produced}: phase-out {pct(step.value)}", step.cites, "phase_out", "")


def wind_termination(f: RowFacts, p: TaxPeriod) -> Outcome | None:
    step = catalog.WIND_TERMINATION.at(min(f.sold, f.produced))
    end = catalog.WIND_TERMINATION.steps[-1]
    if step is not None and step.value != ZERO and f.sold >= end.from_year:
        return Outcome(ONE, f"sold in {f.sold} but produced in {f.produced}: wind energy components are cut off only "
                            f"when both produced and sold after {end.from_year - 1}, so the row is credited. Review "
                            f"before filing.", end.cites, "notice", "warning")
    if step is None or step.value != ZERO:
        return None
    last = step.from_year - 1
    return Outcome(ZERO, f"produced in {f.produced} and sold in {f.sold}: wind energy components produced and "
                         f"sold after {last} earn no credit.", step.cites, severity="warning", field="sold_year")


def coal_termination(f: RowFacts, p: TaxPeriod) -> Outcome | None:
    rule = catalog.RULES["metallurgical_coal"]
    if not rules.in_force(rule, p.begins):
        after = rule["in_force"]["tax_years_beginning_after"]
        return Outcome(ZERO, f"metallurgical coal earns credit only in tax years beginning after "
                             f"{day(after)}; this tax year begins {p.begins.isoformat()}.",
                       catalog.COAL_TERMINATION.steps[0].cites)
    step = catalog.COAL_TERMINATION.at(f.produced)
    if step is not None and step.value == ZERO:
        return Outcome(ZERO, f"produced in {f.produced}: no credit for metallurgical coal produced after "
                             f"31 Dec {step.from_year - 1}.", step.cites, severity="warning", field="produced_year")
    return None


def macr_test(f: RowFacts, p: TaxPeriod) -> Outcome | None:
    if not catalog.in_force("macr", p.begins):
        return None
    category = f.line.category
    step = catalog.MACR[category].at(f.sold)
    if step is None or not step.value:
        return None
    name = catalog.CATEGORY_NAMES[category]
    cites = catalog.cites("macr") + step.cites
    if f.macr is None:
        return Outcome(ZERO, f"no material assistance cost ratio (MACR) given: {name} sold in {f.sold} must have a "
                             f"MACR of at least {pct(step.value)}; enter the row's MACR.", cites, field="macr")
    if f.macr < step.value:
        return Outcome(ZERO, f"MACR {pct(f.macr)} is below the {pct(step.value)} required for {name} sold in "
                             f"{f.sold}.", cites, field="macr")
    return None


def integration_test(f: RowFacts, p: TaxPeriod) -> Outcome | None:
    if not (f.integrated and catalog.in_force("integrated_components", p.begins)) or f.integration_test_met is True:
        return None
    step = catalog.INTEGRATED_SHARE.at(f.sold) or catalog.INTEGRATED_SHARE.steps[-1]
    return Outcome(ZERO, f"sold through integration, but the integrated-component test (made in the same facility, "
                         f"at least {pct(step.value)} of the secondary component's direct material costs from US-made "
                         f"primary components) is not confirmed.", step.cites, field="integration_test_met")


def filer_barred(f: RowFacts, p: TaxPeriod) -> Outcome | None:
    if not p.filer_barred:
        return None
    return Outcome(ZERO, "the filer attests it is a specified foreign entity or foreign-influenced entity.",
                   catalog.cites("foreign_entity"), severity="")  # one finding for the return, not one per row


_COMMON = (credit_period, sold_during_tax_year)
RULES_BY_KIND: dict[str, tuple[Rule, ...]] = {
    "product": _COMMON + (size_class, minimum_figures, general_phase_out, macr_test, integration_test, filer_barred),
    "wind": _COMMON + (size_class, general_phase_out, wind_termination, macr_test, integration_test, filer_barred),
    "mineral": _COMMON + (mineral_phase_out, macr_test, filer_barred),
    "coal": _COMMON + (coal_termination, macr_test, filer_barred),
}


def kind_of(entry: PartIILine) -> str:
    if entry.fed_by == "critical_minerals":
        return "mineral"
    if entry.fed_by == "metallurgical_coal":
        return "coal"
    return "wind" if entry.is_wind else "product"


# --- a row's judgement -------------------------------------------------------------------------

@dataclass(frozen=True)
class Judgement:
    phase_out: Decimal  # the phase-out percentage (1 when none applies; 0 when it has run out)
    eligible: Decimal  # 1, or 0 when a rule excludes the row
    outcomes: tuple[Outcome, ...]

    @cached_property  # rows with the same facts share one Judgement, read once per row by the statements
    def factor(self) -> Decimal:
        return self.phase_out * self.eligible

    @property
    def exclusions(self) -> tuple[Outcome, ...]:
        """Why the row earns nothing: the rules that exclude it, or a phase-out at 0%."""
        return tuple(o for o in self.outcomes if o.kind == "excluded" or (o.kind == "phase_out" and o.factor == 0))


def judge(f: RowFacts, p: TaxPeriod, skip: tuple[Rule, ...] = ()) -> Judgement:
    """Every rule of the row's kind, in order (`skip`: rules a caller does not apply, e.g. a
    worksheet function that has no tax year to place the sale in)."""
    outcomes = tuple(o for rule in RULES_BY_KIND[kind_of(f.line)] if rule not in skip
                     and (o := rule(f, p)) is not None)
    phase = ONE
    for o in outcomes:
        if o.kind == "phase_out":
            phase *= o.factor
    eligible = ZERO if any(o.kind == "excluded" for o in outcomes) else ONE
    return Judgement(phase, eligible, outcomes)


# --- blank years --------------------------------------------------------------------------------

class Years(NamedTuple):
    sold: int
    produced: int
    defaulted: tuple[str, ...]  # "sold", "produced": the fields left blank and defaulted
    problem: Outcome | None  # an "input" outcome when a blank year could change the credit


def resolve_years(f: RowFacts, sold: int | None, produced: int | None, p: TaxPeriod,
                  skip: tuple[Rule, ...] = ()) -> Years:
    """The row's years: as given, or a blank one defaulted to the year the tax year ends — but only
    when every calendar year of the tax period gives the row the same credit (F7207-D2)."""
    default = p.ends.year
    defaulted = tuple(name for name, value in (("sold", sold), ("produced", produced)) if value is None)
    if not defaulted:
        return Years(sold, produced, (), None)
    chosen_sold = sold if sold is not None else default
    chosen_produced = produced if produced is not None else min(default, chosen_sold)
    if len(p.years) == 1:
        return Years(chosen_sold, chosen_produced, defaulted, None)
    pairs = [(s, q) for s, q in product([sold] if sold is not None else p.years,
                                        [produced] if produced is not None else p.years) if produced is not None or q <= s]
    factors = {pair: judge(replace(f, sold=pair[0], produced=pair[1]), p, skip) for pair in pairs}
    if len({j.factor for j in factors.values()}) <= 1:
        return Years(chosen_sold, chosen_produced, defaulted, None)
    return Years(chosen_sold, chosen_produced, defaulted, _ambiguity(f, factors, sold, produced, p))


def _ambiguity(f: RowFacts, factors: dict, sold: int | None, produced: int | None, p: TaxPeriod) -> Outcome:
    blank = [n for n, v in (("sold", sold), ("produced", produced)) if v is None]
    matters = [n for n, i in (("sold", 0), ("produced", 1)) if n in blank and _varies_with(factors, i)] or blank
    field = f"{matters[0]}_year"
    parts = []
    for (s_year, q_year), j in factors.items():
        said = " and ".join(f"{n} in {s_year if n == 'sold' else q_year}" for n in blank)
        why = j.exclusions[0].reason.rstrip(".") if j.factor == 0 and j.exclusions else ""
        parts.append(f"{said}: {pct(j.factor)}" + (f" ({why})" if why else ""))
    common = set.intersection(*(set(c for o in j.outcomes for c in o.cites) for j in factors.values()))
    cites = [c for c in dict.fromkeys(c for j in factors.values() for o in j.outcomes for c in o.cites)
             if c not in common]
    names = " and ".join(f"year {n}" for n in blank)
    enter = " and ".join(f"year {n}" for n in matters)
    return Outcome(ZERO, f"the {names} {'is' if len(blank) == 1 else 'are'} blank, and the calendar years of the "
                         f"{p.text()} give this row different credit — {'; '.join(parts)}. Enter the {enter}.",
                   tuple(cites), "input", "error", field)


def _varies_with(factors: dict, index: int) -> bool:
    """True when changing the pair's `index` year (0 sold, 1 produced) alone changes the credit."""
    groups: dict = {}
    for pair, j in factors.items():
        groups.setdefault(pair[1 - index], set()).add(j.factor)
    return any(len(values) > 1 for values in groups.values())
