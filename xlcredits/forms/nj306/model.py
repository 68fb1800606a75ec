"""The JSON input of NJ Form 306: a pydantic model whose field descriptions are the user docs.

Shape checks live here (types, ranges, unknown fields); rules that need several fields at once
(which method, which return, which inputs belong together) are findings in compute.py, so each
can name its field and say what to do.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Annotated, Any, Literal

from pydantic import Field, field_validator, model_validator

from ...rules.text import dollars, percent
from ..common import LIMIT, Fraction, Money, Strict, TaxYear, Text, Year
from . import catalog

# Descriptions that restate a rule are built from the rules data (nj306.toml), so they follow the law.
_CONTRACT = {kind: percent(rate) for kind, rate in catalog.CONTRACT_RESEARCH.items()}
_INVESTMENT = catalog.INVESTMENT_ENTITIES

Month = Annotated[int, Field(ge=1, le=12)]
# The group allocation factor may arrive as 0 or below; compute.py turns that into a finding
# naming the field (NJ306-A6) rather than a bare range error.
Factor = Annotated[Decimal, Field(ge=-LIMIT, le=1, allow_inf_nan=False)]

# Line 10 is rounded to four decimals as printed; a percentage typed with up to ten is accepted (NJ306-D11).
FixedBase = Annotated[Decimal, Field(ge=0, le=1, allow_inf_nan=False,
                                     decimal_places=catalog.RULES["fixed_base"]["input_places"])]
CreditKey = Literal[catalog.CREDIT_KEYS]  # type: ignore[valid-type]
ReturnKind = Literal[catalog.RETURN_KINDS]  # type: ignore[valid-type]

_EXCLUDES = ("Exclude the surtax and the Corporate Transit Fee: no credit offsets them (NJ306-A8).")


class Taxpayer(Strict):
    name: Text = Field("", description="Name of the corporation as shown on the return")
    fein: Text = Field("", description="Federal employer identification number")
    unitary_id: Text = Field("", description="Unitary ID number, if applicable (combined groups)")


class QualifiedResearchExpenses(Strict):
    """This year's New Jersey QREs: lines 5–8 (regular method) or 16–19 (ASC)."""

    wages: Money = Field(Decimal(0), description="Lines 5/16: wages for qualified services performed in NJ "
                                                 "(excluding wages used for the federal work opportunity credit)")
    supplies: Money = Field(Decimal(0), description="Lines 6/17: cost of supplies used in NJ research")
    computer_rental: Money = Field(Decimal(0), description="Lines 7/18: rental or lease costs of computers")
    contract_research: Money = Field(Decimal(0), description="Lines 8/19: the applicable percentage ("
                                                             f"{_CONTRACT['general']}, {_CONTRACT['qualified_consortium']} or "
                                                             f"{_CONTRACT['energy_research']}) of contract research paid; or give "
                                                             "contract_research_paid and let xlcredits apply it")


class ContractResearchPaid(Strict):
    """Contract research paid, by kind; the applicable percentages give line 8/19 [26 U.S.C. 41(b)(3)]."""

    general: Money = Field(Decimal(0), description=f"Paid to any other person ({_CONTRACT['general']})")
    qualified_consortium: Money = Field(Decimal(0), description="Paid to a qualified research consortium "
                                                                  f"({_CONTRACT['qualified_consortium']})")
    energy_research: Money = Field(Decimal(0), description="Energy research paid to an eligible small business, "
                                                           f"university or federal laboratory ({_CONTRACT['energy_research']})")


class StartupYear(Strict):
    year: int = Field(..., ge=1, le=100, description="Start-up year number (1 = first tax year after "
                                                           f"{catalog.STARTUP_AFTER} with QREs)")
    qre: Money = Field(..., description="QREs of that year")
    gross_receipts: Money = Field(..., description="Gross receipts of that year")


class Startup(Strict):
    """Start-up company fixed-base percentage [26 U.S.C. 41(c)(3)(B)]."""

    credit_year: int = Field(..., ge=1, le=100, description="Which start-up year this tax year is (1, 2, ...)")
    history: list[StartupYear] = Field(default_factory=list, max_length=100,
                                       description="QREs and gross receipts of earlier start-up years")
    selected_years: list[int] | None = Field(None, max_length=6, description=f"Year {catalog.LATER['from_year']} and later: "
                                             f"the five of years {catalog.LATER_AMONG} chosen by the taxpayer (default: "
                                             "the lowest percentage)")


class BasePeriodTotals(Strict):
    """Existing company: aggregate amounts of the base period's tax years [26 U.S.C. 41(c)(3)(A)]."""

    qre: Money = Field(..., description=f"Total QREs of tax years beginning {catalog.BASE_YEARS}")
    gross_receipts: Money = Field(..., description="Total gross receipts of tax years beginning "
                                                       f"{catalog.BASE_YEARS}")


class Vintage(Strict):
    """Unused credit of an earlier accounting period, still to carry forward (NJ306-D5)."""

    year_earned: Year | None = Field(None, description="Calendar year in which the period that earned the credit "
                                                       "began; or give period_ends")
    period_ends: date | None = Field(None, description="Last day of the accounting period that earned the credit "
                                                       "(instead of, or with, year_earned); a short period counts "
                                                       "as one period")
    amount: Money = Field(..., description="Amount still unused at the start of this tax year")
    period_years: Literal[7, 15] = Field(7, description="Carryover period in accounting periods: 7, or 15 for NJ "
                                                        "research in advanced computing, advanced materials, "
                                                        "biotechnology, electronic device, environmental or medical "
                                                        "device technology")
    periods_remaining: int | None = Field(None, ge=0, le=15, description="Accounting periods in which the credit "
                                          "may still be used, counting this one (1 = last use; 0 = expired). "
                                          "Omitted: derived from the dates assuming 12-month periods, with a note. "
                                          "carryforward_next writes it")

    @model_validator(mode="after")
    def _earned_when(self) -> "Vintage":
        if self.year_earned is None and self.period_ends is None:
            raise ValueError("give year_earned or period_ends: when the credit was earned")
        return self


class OtherCredit(Strict):
    credit: CreditKey | None = Field(None, description="Which credit, by its key in the CBT credits catalogue "
                                     "(rules/nj_cbt_credits.toml): only credits applied before the R&D credit "
                                     "count on lines 34, 41 and 48 (NJ306-D7)")
    name: Text = Field("", description="Name of the credit (a row with only a name counts, with a warning)")
    amount: Money = Field(..., description="Amount of the credit used")


class Combined(Strict):
    """Part VII: CBT-100U (combined return) filers."""

    sharing: bool = Field(..., description="True if this member shares its credit with the group; false if the "
                                           "oval for members not sharing is filled (Section B)")
    group_tax_liability: Money = Field(..., description="Line 38: CBT-100U Schedule A, Part III, line 5, column (a). "
                                                        + _EXCLUDES)
    taxable_members: int = Field(..., ge=1, le=100_000, description="Line 39: number of taxable members with NJ nexus")
    group_other_credits: list[OtherCredit] = Field(default_factory=list, max_length=50,
                                                   description="Line 41: other credits already applied to the group liability")
    group_allocation_factor: Factor | None = Field(None, description="Line 45b: group allocation factor "
                                                                     "(Schedule J, line 9); members not sharing")
    member_allocation_factor: Fraction | None = Field(None, description="Line 45c: this member's allocation factor; "
                                                                        "members not sharing")
    member_other_credits: list[OtherCredit] = Field(default_factory=list, max_length=50,
                                                    description="Line 48: other credits used by this member")


class NJ306Input(Strict):
    form: Literal["NJ-306"]
    tax_year: TaxYear
    taxpayer: Taxpayer = Taxpayer()
    return_type: Literal["CBT-100", "CBT-100S", "BFC-1", "CBT-100U"] = Field(
        ..., description="The return the credit is claimed on")
    return_kind: ReturnKind = Field(  # type: ignore[valid-type]
        "standard", description="CBT-100 filers: standard, investment_company, regulated_investment_company or "
                                f"real_estate_investment_trust (line 32: {dollars(_INVESTMENT['minimum_tax'])}, or "
                                f"{dollars(_INVESTMENT['group_minimum_tax'])} when the group payroll "
                                "test is met; NJ306-D10)")
    cannabis_licensee: bool | None = Field(None, description="2023 revision, question 3: the taxpayer is a "
                                                             "cannabis licensee (see the instructions)")
    federal_method: Literal["regular", "asc", "none"] | None = Field(
        None, description="Method used on the federal Form 6765: regular (Part III) or asc (Part IV). A taxpayer "
                          "that used neither cannot complete Form 306")
    energy_consortia: Money = Field(Decimal(0), description="Line 1: paid to energy research consortia for NJ research")
    basic_research_payments: Money = Field(Decimal(0), description="Line 2: basic research payments to qualified organizations")
    base_period_amount: Money = Field(Decimal(0), description="Line 3: qualified organization base period amount "
                                                              "[26 U.S.C. 41(e)]; limited to line 2")
    qre: QualifiedResearchExpenses = QualifiedResearchExpenses()
    contract_research_paid: ContractResearchPaid | None = Field(
        None, description="Optional: contract research paid by kind, instead of qre.contract_research")
    carryover_period_years: Literal[7, 15] = Field(
        7, description="Carryover period of this year's credit: 15 for NJ research in advanced computing, advanced "
                       "materials, biotechnology, electronic device, environmental or medical device technology")

    # Part III (regular method): one of the three fixed-base percentage sources.
    fixed_base_percentage: FixedBase | None = Field(None, description="Line 10 as a fraction (0.0793), before "
                                                                      "rounding and the cap; up to ten decimals")
    startup: Startup | None = Field(None, description="Or: start-up company history, to compute line 10")
    base_period_1984_1988: BasePeriodTotals | None = Field(None, description=f"Or: existing company {catalog.BASE_YEARS} "
                                                                             "totals, to compute line 10")
    average_gross_receipts: Money | None = Field(None, description="Line 11: average annual gross receipts of the "
                                                                   "4 preceding tax years (net of returns and "
                                                                   "allowances); a short preceding year's receipts "
                                                                   "are annualised (× 12 ÷ its months) " +
                                                                   catalog.cite_text(catalog.SHORT_YEAR[
                                                                       "preceding_year_cites"]))

    # Part IV (ASC)
    prior_year_qres: list[Money] | None = Field(None, min_length=3, max_length=3,
                                                description="Line 21: QREs of each of the 3 prior tax years (0 for a "
                                                            "year without QREs); a short prior year's QREs are "
                                                            "annualised (× 365 ÷ its days) " +
                                                            catalog.cite_text(catalog.SHORT_YEAR["asc_prior_year_cites"]))

    carryforward: list[Vintage] = Field(default_factory=list, max_length=100,
                                        description="Line 29: unused credit of earlier accounting periods, "
                                                    "one row per period earned")

    # Part VI (CBT-100, CBT-100S, BFC-1)
    tax_liability: Money | None = Field(None, description="Line 31: tax liability (page 1, line 2 of the return). "
                                                          + _EXCLUDES)
    nj_gross_receipts: Money | None = Field(None, description="Line 32: New Jersey gross receipts, for the minimum tax")
    group_payroll: Money | None = Field(None, description="Line 32: total payroll of the affiliated or controlled "
                                                          "group the filer belongs to (omit if none)")
    period_months: Month | None = Field(None, description="Line 32 payroll test: months in the period, a part "
                                                                   "of a month counting as a month (default: from "
                                                                   "tax_year) " +
                                                                   catalog.cite_text(catalog.SHORT_YEAR["month_cites"]))
    minimum_tax: Money | None = Field(None, description="Line 32 override: the preparer's minimum tax")
    other_credits: list[OtherCredit] = Field(default_factory=list, max_length=50,
                                             description="Line 34: other tax credits used on this year's return")

    combined: Combined | None = Field(None, description="Part VII: CBT-100U filers only")

    @field_validator("form", "return_type", mode="before")
    @classmethod
    def _upper(cls, value: Any) -> Any:
        return value.strip().upper() if isinstance(value, str) else value

    @field_validator("federal_method", mode="before")
    @classmethod
    def _lower(cls, value: Any) -> Any:
        return value.strip().lower() if isinstance(value, str) else value
