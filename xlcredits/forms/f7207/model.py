"""The Form 7207 input: the project's public JSON format (see examples/form7207_acme_2025.json).

`xlcredits schema 7207` prints this model as JSON Schema; field descriptions are the user docs.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Literal

from typing import Annotated

from pydantic import Field

from ...rules.text import day
from ..common import Amount, Fraction, Money, Strict, TaxYear, Text, Year
from . import catalog

# Purity is quoted to eight decimals or more (99.999999% = 0.99999999).
Purity = Annotated[Decimal, Field(ge=0, le=1, allow_inf_nan=False, decimal_places=12)]

# Dates in the descriptions come from the rule book, never typed here.
_OBBBA = day(catalog.in_force_after("macr"))
_INTEGRATED = day(catalog.in_force_after("integrated_components"))
_SOLD = ("Calendar year sold. The credit belongs to the tax year the component is sold. May be left blank only "
         "when every calendar year of the tax period gives the row the same credit (then the year the tax year "
         "ends is used); otherwise the input is refused naming the years that differ.")
_PRODUCED = ("Calendar year produced. May be left blank only when every calendar year of the tax period gives the "
             "row the same credit.")
_MACR = (f"Material assistance cost ratio, 0 to 1. Required, in tax years beginning after {_OBBBA}, for a "
         f"component whose category has a threshold above 0% for its year sold (see MACR_THRESHOLD_45X).")


class Filer(Strict):
    name: Text = Field("", description="Name shown on the return")
    tin: Text = Field("", description="Identifying number (EIN or SSN)")


class Facility(Strict):
    """Part I: one Form 7207 per facility."""

    registration_number: Text = Field("", description="Line 1: IRS registration number (elective payment or transfer election)")
    placed_in_service: date | None = Field(None, description="Line 2: date the facility was placed in service")
    address: Text = Field("", description="Line 3a: address of the facility")
    description: Text = Field("", description="Line 3a: description of the facility")
    owner_name: Text = Field("", description="Line 3b: owner's name, if different from the filer (Rev. 01-2025 and later)")
    owner_tin: Text = Field("", description="Line 3b: owner's TIN, if different from the filer")
    latitude: Decimal | None = Field(None, ge=-90, le=90, allow_inf_nan=False, description="Line 4: latitude (decimal degrees)")
    longitude: Decimal | None = Field(None, ge=-180, le=180, allow_inf_nan=False, description="Line 4: longitude (decimal degrees)")
    related_person_election: bool | None = Field(None, description="Line 5: election under §45X(a)(3)(B)")
    section_48c_property: bool | None = Field(None, description="Line 6: includes property of a facility claiming §48C")


class Component(Strict):
    """One product row of Part II: say which line it belongs to and how much was sold."""

    line: Text | None = Field(None, description='Part II line, e.g. "1e"')
    component: Text | None = Field(None, description='Or the component name, e.g. "solar_module" (see `xlcredits schema 7207`)')
    description: Text = ""
    units: Amount | None = Field(None, description="Capacity lines: number of units sold")
    capacity_per_unit: Amount | None = Field(
        None, description="Capacity lines: W per unit (DC for cells/modules, AC for inverters, the turbine's rated W "
                          "for wind components) or kWh per unit for battery cells and modules")
    quantity: Amount | None = Field(None, description="Measured lines: kilograms (1c, 1f, 1g) or square meters (1b, 1d)")
    costs: Money | None = Field(None, description="Line 4a: costs incurred producing electrode active materials")
    sold_year: Year | None = Field(None, description=_SOLD)
    produced_year: Year | None = Field(None, description=_PRODUCED)
    macr: Fraction | None = Field(None, description=_MACR)
    max_discharge_kw_per_unit: Amount | None = Field(
        None, gt=0, description="Battery cells/modules: maximum discharge power per unit (kW), for the capacity-to-power rule")
    fuel_cell_vehicle: bool = Field(False, description="Battery module for a hydrogen fuel cell vehicle (lower minimum capacity)")
    wafer_area_cm2: Amount | None = Field(None, description="Line 1b, optional: area of one wafer in cm²; below the "
                                                            "statutory minimum the row earns $0")
    purity: Purity | None = Field(None, description="Line 1c, optional: silicon purity by mass, 0 to 1 "
                                                      "(e.g. 0.99999999); below the statutory minimum the row earns $0")
    energy_density_wh_per_l: Amount | None = Field(
        None, description="Line 5a, optional: volumetric energy density of the cell in Wh/L; below the statutory "
                          "minimum the row earns $0")
    integrated: bool = Field(False, description="Sold to an unrelated person through integration into a secondary component")
    integration_test_met: bool | None = Field(
        None, description=f"Integrated rows: secondary component made in the same facility with the required share of "
                          f"its direct material costs from US-made primary components (tax years beginning after "
                          f"{_INTEGRATED})")


class Vessel(Strict):
    """Part III: one related offshore wind vessel."""

    name: Text = ""
    purpose: Text = ""
    official_number: Text = ""
    status: Literal["new", "retrofitted"] | None = Field(None, description="New or retrofitted")
    sales_price: Money = Field(..., description="Sales price of the vessel")
    sold_year: Year | None = Field(None, description=_SOLD)
    produced_year: Year | None = Field(None, description=_PRODUCED)
    macr: Fraction | None = Field(None, description=_MACR)


class CriticalMineral(Strict):
    """Part IV: costs incurred producing one applicable critical mineral."""

    line: int = Field(..., ge=1, le=73, description="Part IV line 1–73 (see the mineral list in the schema docs)")
    description: Text = ""
    costs: Money
    produced_year: Year | None = Field(None, description=_PRODUCED)
    sold_year: Year | None = Field(None, description=_SOLD)
    macr: Fraction | None = Field(None, description=_MACR)


class MetallurgicalCoal(Strict):
    """Line 6b (Rev. 12-2025): costs incurred producing metallurgical coal."""

    description: Text = ""
    costs: Money
    produced_year: Year | None = Field(None, description=_PRODUCED)
    sold_year: Year | None = Field(None, description=_SOLD)
    macr: Fraction | None = Field(None, description=_MACR)


class Attestations(Strict):
    prohibited_foreign_entity: bool | None = Field(
        None, description=f"The filer is a specified foreign entity or foreign-influenced entity. Required (true or "
                          f"false) for tax years beginning after {_OBBBA}; if true, no credit")


class Form7207Input(Strict):
    """Form 7207 input. The output of `xlcredits compute` adds, beside `lines` and `findings`:
    `excluded` — one entry per row (or part of a row) that earns nothing: row (JSON path), line,
    description, amount (the column (d) measure left out), reason, citation; and `phase_out` — one
    entry per line and year where a percentage below 100% applies: line, year, year_basis
    ("sold" or "produced"), percentage, measure, rate, amount. Column (d), Part III's total and
    Part IV's lines count only rows that earn credit."""

    form: Literal["7207"]
    tax_year: TaxYear
    filer: Filer = Filer()
    facility: Facility = Facility()
    entity_type: Literal["corporation", "partnership", "s_corporation", "estate_or_trust", "individual", "other"] | None = Field(
        None, description="Kind of filer. Lines 8b and 8c are for estates and trusts: null in the output for "
                          "other filers")
    components: list[Component] = Field(default_factory=list, max_length=100_000)
    vessels: list[Vessel] = Field(default_factory=list, max_length=49, description="Part III rows 1–49")
    critical_minerals: list[CriticalMineral] = Field(default_factory=list, max_length=10_000)
    metallurgical_coal: list[MetallurgicalCoal] = Field(default_factory=list, max_length=10_000)
    passthrough_credit: Money = Field(Decimal(0), description="Line 7: credit from partnerships, S corporations, estates and trusts")
    allocated_to_beneficiaries: Money = Field(Decimal(0), description="Line 8b: estates and trusts, amount allocated to beneficiaries")
    attestations: Attestations = Attestations()
