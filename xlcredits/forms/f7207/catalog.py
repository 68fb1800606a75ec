"""The Form 7207 rule book, read from `rules/f7207.toml`: Part II lines, phase-outs, thresholds,
revisions, and the Part IV mineral list. Lookups only; no arithmetic on returns here."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from functools import cache

from ... import rules
from ...numbers import D
from ...rules import YearTable

RULES = rules.load("f7207")


@dataclass(frozen=True)
class PartIILine:
    line: str
    component: str
    label: str
    measure: str  # capacity | quantity | costs | sales_price
    unit: str
    unit_text: str
    rate: Decimal
    category: str
    reference: str
    min_watts: Decimal | None = None
    min_watts_exclusive: Decimal | None = None
    max_watts: Decimal | None = None
    min_kwh: Decimal | None = None

    @property
    def is_wind(self) -> bool:
        return self.category == "wind"

    @property
    def is_battery_capacity(self) -> bool:
        return self.unit == "kwh"


def _line(key: str, data: dict) -> PartIILine:
    optional = {k: D(data[k]) for k in ("min_watts", "min_watts_exclusive", "max_watts", "min_kwh") if k in data}
    return PartIILine(line=key, component=data["component"], label=data["label"], measure=data["measure"],
                      unit=data["unit"], unit_text=data["unit_text"], rate=D(data["rate"]),
                      category=data["category"], reference=data["reference"], **optional)


PART_II: dict[str, PartIILine] = {key: _line(key, data) for key, data in RULES["lines"].items()}
BY_COMPONENT: dict[str, PartIILine] = {entry.component: entry for entry in PART_II.values()}

# Lines whose amounts come from their own schedules rather than product rows.
SCHEDULE_LINES = {"2a": "vessels", "6a": "critical_minerals", "6b": "metallurgical_coal"}
PRODUCT_LINES = [key for key in PART_II if key not in SCHEDULE_LINES]


def normalise_name(text: str) -> str:
    return re.sub(r"[\s\-]+", "_", str(text).strip().lower())


def find_line(text: str) -> PartIILine | None:
    """A Part II line by its number ("1e", " 1E ") or component name ("solar_module", "Solar module")."""
    key = normalise_name(text)
    return PART_II.get(key) or BY_COMPONENT.get(key)


# --- years --------------------------------------------------------------------------------

GENERAL_PHASE_OUT = YearTable.from_data(RULES["phase_out"]["general"]["values"],
                                        RULES["phase_out"]["general"]["reference"])
MINERAL_PHASE_OUT = YearTable.from_data(RULES["phase_out"]["critical_minerals"]["values"],
                                        RULES["phase_out"]["critical_minerals"]["reference"])
FIRST_CREDIT_YEAR: int = RULES["first_credit_year"]
WIND_LAST_YEAR: int = RULES["wind_termination"]["last_year"]
COAL_LAST_PRODUCTION_YEAR: int = RULES["metallurgical_coal"]["last_production_year"]
BATTERY_MAX_RATIO = D(RULES["battery_capacity_to_power"]["max_ratio"])
INTEGRATED_MIN_SHARE = D(RULES["integrated_components"]["minimum_us_primary_share"])

MACR_CATEGORIES = ("solar", "wind", "inverter", "battery", "critical_minerals")
# as the statute's table names them, for messages
CATEGORY_NAMES = {"solar": "solar components", "wind": "wind energy components", "inverter": "inverters",
                  "battery": "qualifying battery components", "critical_minerals": "applicable critical minerals"}
MACR = {cat: YearTable.from_data(RULES["macr_thresholds"][cat], RULES["macr_thresholds"]["reference"])
        for cat in MACR_CATEGORIES}


def general_phase_out(sold_year: int) -> Decimal:
    return GENERAL_PHASE_OUT.at(sold_year) or D(0)


def mineral_phase_out(produced_year: int, tax_year_begins: date) -> Decimal:
    if not rules.applies(RULES["phase_out"]["critical_minerals"], tax_year_begins):
        return D(1)
    return MINERAL_PHASE_OUT.at(produced_year) or D(0)


def macr_threshold(category: str, sold_year: int) -> Decimal | None:
    """The minimum MACR for a category and sale year, or None when the statute sets none."""
    if category == "wind" and sold_year > RULES["macr_thresholds"]["wind_stops_after"]:
        return None
    return MACR[category].at(sold_year)


def obbba_applies(rule_name: str, tax_year_begins: date) -> bool:
    return rules.applies(RULES[rule_name], tax_year_begins)


def revision_for(tax_year_begins: date) -> str:
    """Form revision by the calendar year the tax year begins [form7207.md §7]."""
    table = {int(year): rev for year, rev in RULES["revisions"].items()}
    eligible = [year for year in table if year <= tax_year_begins.year]
    return table[max(eligible)] if eligible else table[min(table)]


def revision_has_6b(revision: str) -> bool:
    return revision == "12-2025"


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
