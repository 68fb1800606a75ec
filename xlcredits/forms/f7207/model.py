"""The Form 7207 input: the project's public JSON format (see examples/form7207_acme_2025.json).

`xlcredits schema 7207` prints this model as JSON Schema; field descriptions are the user docs.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Literal

from pydantic import Field

from ..common import Amount, Fraction, Money, Strict, TaxYear, Text, Year


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
    sold_year: Year | None = Field(None, description="Calendar year sold (default: the year the tax year ends)")
    produced_year: Year | None = Field(None, description="Calendar year produced (default: the year the tax year ends)")
    macr: Fraction | None = Field(None, description="Material assistance cost ratio, 0 to 1 (tax years beginning after 4 July 2025)")
    max_discharge_kw_per_unit: Amount | None = Field(
        None, gt=0, description="Battery cells/modules: maximum discharge power per unit (kW), for the 100:1 rule")
    fuel_cell_vehicle: bool = Field(False, description="Battery module for a hydrogen fuel cell vehicle (1 kWh minimum instead of 7)")
    integrated: bool = Field(False, description="Sold to an unrelated person through integration into a secondary component")
    integration_test_met: bool | None = Field(
        None, description="Integrated rows: secondary component made in the same facility with ≥ 65% of its direct "
                          "material costs from US-made primary components (tax years beginning after 2026)")


class Vessel(Strict):
    """Part III: one related offshore wind vessel."""

    name: Text = ""
    purpose: Text = ""
    official_number: Text = ""
    status: Literal["new", "retrofitted"] | None = Field(None, description="New or retrofitted")
    sales_price: Money = Field(..., description="Sales price of the vessel")
    sold_year: Year | None = None
    produced_year: Year | None = None
    macr: Fraction | None = None


class CriticalMineral(Strict):
    """Part IV: costs incurred producing one applicable critical mineral."""

    line: int = Field(..., ge=1, le=73, description="Part IV line 1–73 (see the mineral list in the schema docs)")
    description: Text = ""
    costs: Money
    produced_year: Year | None = None
    sold_year: Year | None = None
    macr: Fraction | None = None


class MetallurgicalCoal(Strict):
    """Line 6b (Rev. 12-2025): costs incurred producing metallurgical coal."""

    description: Text = ""
    costs: Money
    produced_year: Year | None = None
    sold_year: Year | None = None
    macr: Fraction | None = None


class Attestations(Strict):
    prohibited_foreign_entity: bool | None = Field(
        None, description="The filer is a specified foreign entity or foreign-influenced entity (tax years beginning "
                          "after 4 July 2025): if true, no credit")


class Form7207Input(Strict):
    form: Literal["7207"]
    tax_year: TaxYear
    filer: Filer = Filer()
    facility: Facility = Facility()
    entity_type: Literal["corporation", "partnership", "s_corporation", "estate_or_trust", "individual", "other"] | None = Field(
        None, description="Kind of filer (estates and trusts complete lines 8b and 8c)")
    components: list[Component] = Field(default_factory=list, max_length=100_000)
    vessels: list[Vessel] = Field(default_factory=list, max_length=49, description="Part III rows 1–49")
    critical_minerals: list[CriticalMineral] = Field(default_factory=list, max_length=10_000)
    metallurgical_coal: list[MetallurgicalCoal] = Field(default_factory=list, max_length=10_000)
    passthrough_credit: Money = Field(Decimal(0), description="Line 7: credit from partnerships, S corporations, estates and trusts")
    allocated_to_beneficiaries: Money = Field(Decimal(0), description="Line 8b: estates and trusts, amount allocated to beneficiaries")
    attestations: Attestations = Attestations()
