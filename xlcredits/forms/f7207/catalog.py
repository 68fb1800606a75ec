"""The Form 7207 rule book, read from `rules/f7207.toml`: Part II lines with their size classes,
phase-outs, thresholds, revisions, and the Part IV mineral list. Lookups only; no arithmetic on
returns here."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from functools import cache

from ... import rules
from ...numbers import D
from ...rules import Steps

RULES = rules.load("f7207")


@dataclass(frozen=True)
class SizeBound:
    """One bound of a component's definition by its size per unit (W AC or kWh)."""

    kind: str  # "above", "at_least", "at_most"
    value: Decimal
    why: str
    cites: tuple[str, ...]
    fuel_cell_vehicle_value: Decimal | None = None  # battery modules: the lower bound for FCEV modules

    def holds(self, size: Decimal, fuel_cell_vehicle: bool = False) -> bool:
        bound = self.fuel_cell_vehicle_value if (fuel_cell_vehicle and self.fuel_cell_vehicle_value is not None) \
            else self.value
        if self.kind == "above":
            return size > bound
        if self.kind == "at_least":
            return size >= bound
        return size <= bound


@dataclass(frozen=True)
class Minimum:
    """An optional figure the preparer may give, with the definition's minimum (wafer area...)."""

    field: str
    at_least: Decimal
    why: str
    cites: tuple[str, ...]


@dataclass(frozen=True)
class Plausible:
    """Per-unit bounds outside which a size was probably typed in the wrong unit (warning only)."""

    low: Decimal | None
    high: Decimal | None
    why: str


@dataclass(frozen=True)
class PartIILine:
    line: str
    component: str
    label: str
    measure: str  # capacity | quantity | costs | sales_price
    unit: str
    unit_text: str
    rates: Steps
    category: str
    cites: tuple[str, ...]
    fed_by: str = ""  # the schedule whose total is column (d): vessels, critical_minerals, metallurgical_coal
    size: tuple[SizeBound, ...] = ()
    minimums: tuple[Minimum, ...] = ()
    plausible: Plausible | None = None

    @property
    def rate(self) -> Decimal:
        """The statutory rate (it has not changed since the credit began)."""
        return self.rates.steps[-1].value

    @property
    def reference(self) -> str:
        return rules.cite_text(self.cites)

    @property
    def is_wind(self) -> bool:
        return self.category == "wind"

    @property
    def is_battery_capacity(self) -> bool:
        return self.unit == "kwh"

    def fits(self, size: Decimal, fuel_cell_vehicle: bool = False) -> bool:
        return all(b.holds(size, fuel_cell_vehicle) for b in self.size)


def _line(key: str, data: dict) -> PartIILine:
    size = tuple(SizeBound(kind, D(b[kind]), b["why"], tuple(b["cites"]),
                           D(b["fuel_cell_vehicle_at_least"]) if "fuel_cell_vehicle_at_least" in b else None)
                 for b in data.get("size", ()) for kind in ("above", "at_least", "at_most") if kind in b)
    minimums = tuple(Minimum(m["field"], D(m["at_least"]), m["why"], tuple(m["cites"])) for m in data.get("minimum", ()))
    p = data.get("plausible")
    plausible = Plausible(D(p["low"]) if "low" in p else None, D(p["high"]) if "high" in p else None, p["why"]) \
        if p else None
    return PartIILine(line=key, component=data["component"], label=data["label"], measure=data["measure"],
                      unit=data["unit"], unit_text=data["unit_text"], rates=rules.steps(data["rate"]),
                      category=data["category"], cites=tuple(data["cites"]), fed_by=data.get("fed_by", ""),
                      size=size, minimums=minimums, plausible=plausible)


PART_II: dict[str, PartIILine] = {key: _line(key, data) for key, data in RULES["lines"].items()}
BY_COMPONENT: dict[str, PartIILine] = {entry.component: entry for entry in PART_II.values()}

# Lines whose amounts come from their own schedules rather than product rows (`fed_by` in the rules).
SCHEDULE_LINES = {key: entry.fed_by for key, entry in PART_II.items() if entry.fed_by}
PRODUCT_LINES = [key for key in PART_II if key not in SCHEDULE_LINES]


def normalise_name(text: str) -> str:
    return re.sub(r"[\s\-]+", "_", str(text).strip().lower())


def find_line(text: str) -> PartIILine | None:
    """A Part II line by its number ("1e", " 1E ") or component name ("solar_module", "Solar module")."""
    key = normalise_name(text)
    return PART_II.get(key) or BY_COMPONENT.get(key)


def lines_fitting(size: Decimal, category: str, fuel_cell_vehicle: bool = False) -> list[str]:
    """The lines of a category whose size definition a per-unit size fits (for messages)."""
    return [e.line for e in PART_II.values() if e.category == category and e.size and e.unit
            and e.fits(size, fuel_cell_vehicle)]


# --- years --------------------------------------------------------------------------------

CREDIT_PERIOD = rules.steps(RULES["credit_period"])
GENERAL_PHASE_OUT = rules.steps(RULES["phase_out"]["general"])
MINERAL_PHASE_OUT = rules.steps(RULES["phase_out"]["critical_minerals"])
WIND_TERMINATION = rules.steps(RULES["wind_termination"])
COAL_TERMINATION = rules.steps(RULES["metallurgical_coal"])
BATTERY_RATIO = rules.steps(RULES["battery_capacity_to_power"])
INTEGRATED_SHARE = rules.steps(RULES["integrated_components"])
FIRST_CREDIT_YEAR: int = CREDIT_PERIOD.steps[0].from_year
BATTERY_MAX_RATIO: Decimal = BATTERY_RATIO.steps[-1].value
INTEGRATED_MIN_SHARE: Decimal = INTEGRATED_SHARE.steps[-1].value

MACR_CATEGORIES = tuple(RULES["macr"]["thresholds"])
CATEGORY_NAMES: dict[str, str] = dict(RULES["macr"]["names"])
MACR: dict[str, Steps] = {cat: rules.steps(RULES["macr"]["thresholds"][cat], "sold") for cat in MACR_CATEGORIES}


def general_phase_out(sold_year: int) -> Decimal:
    return GENERAL_PHASE_OUT.value_at(sold_year) or D(0)


def mineral_phase_out(produced_year: int, tax_year_begins: date) -> Decimal:
    if not rules.in_force(RULES["phase_out"]["critical_minerals"], tax_year_begins):
        return D(1)
    return MINERAL_PHASE_OUT.value_at(produced_year) or D(0)


def macr_threshold(category: str, sold_year: int) -> Decimal | None:
    """The minimum MACR for a category and sale year, or None when the statute sets none."""
    return MACR[category].value_at(sold_year)


def in_force(rule_name: str, tax_year_begins: date) -> bool:
    """Whether a rule of the rule book (`foreign_entity`, `macr`, ...) applies to a tax year."""
    return rules.in_force(RULES[rule_name], tax_year_begins)


def in_force_after(rule_name: str) -> date:
    """The day a rule's tax years must begin after (its `in_force` window)."""
    return RULES[rule_name]["in_force"]["tax_years_beginning_after"]


def revision_adding(line: str) -> str:
    """The first form revision that prints a line (its `adds_lines`)."""
    return next(rev for rev in RULES["revisions"].values() if line in revision_adds(rev))


def cites(rule_name: str) -> tuple[str, ...]:
    return rules.cites(RULES[rule_name])


def cite(rule_name: str) -> str:
    """A rule table's citations as text, for notes and messages."""
    return rules.cite_text(cites(rule_name))


def revision_for(tax_year_begins: date) -> str:
    """Form revision by the calendar year the tax year begins (the `revisions` table)."""
    table = {int(year): rev for year, rev in RULES["revisions"].items()}
    eligible = [year for year in table if year <= tax_year_begins.year]
    return table[max(eligible)] if eligible else table[min(table)]


def revision_adds(revision: str) -> tuple[str, ...]:
    return tuple(RULES["revision_lines"].get(revision, {}).get("adds_lines", ()))


def lines_of_revision(revision: str) -> list[PartIILine]:
    """The Part II lines a revision prints: lines added by some revision appear only from it on."""
    added_somewhere = {line for spec in RULES["revision_lines"].values() for line in spec.get("adds_lines", ())}
    order = list(RULES["revisions"].values())
    mine = set()
    for rev in order[: order.index(revision) + 1] if revision in order else order:
        mine |= set(revision_adds(rev))
    return [e for e in PART_II.values() if e.line not in added_somewhere or e.line in mine]


def revision_has_6b(revision: str) -> bool:
    return any(e.line == "6b" for e in lines_of_revision(revision))


def part_i_lines(revision: str) -> tuple[str, ...]:
    return tuple(RULES["revision_lines"].get(revision, {}).get("part_i", ()))


# --- Part IV -------------------------------------------------------------------------------

@dataclass(frozen=True)
class MineralLine:
    line: int
    mineral: str
    form: str
    description: str
    mef_element: str


@cache
def minerals() -> dict[int, MineralLine]:
    rows = rules.load_csv("form7207_part4_minerals.csv")
    return {int(r["line"]): MineralLine(int(r["line"]), r["mineral"], r["form"], r["description"], r["mef_element"])
            for r in rows}


TIN_LINES = (64, 65)  # tin's two criteria sit on separate lines; the same costs must not be entered twice
