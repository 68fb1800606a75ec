"""One unit of one row, for the worksheet functions: `CREDIT_45X` asks here for the credit per
unit of column (d) and gets the same rules, in the same words, as a full return (F7207-D13)."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal
from typing import NamedTuple

from ...numbers import ZERO
from . import catalog
from .catalog import PartIILine
from .eligibility import (Outcome, RowFacts, TaxPeriod, judge, macr_test, resolve_years, size_class,
                          sold_during_tax_year)


class UnitCredit(NamedTuple):
    credit: Decimal  # rate × phase-out × eligibility for one unit of column (d)
    problem: Outcome | None  # the first reason the row earns nothing: kind "excluded" (the law's) or "input"


def tax_period(begins: date | None, sold: int | None, produced: int | None) -> TaxPeriod:
    """Twelve months from `begins`; without it, the calendar year of the sale (or production)."""
    if begins is not None:
        try:
            ends = begins.replace(year=begins.year + 1) - timedelta(days=1)
        except ValueError:  # 29 February
            ends = begins.replace(year=begins.year + 1, day=28)
        return TaxPeriod(begins, ends)
    year = sold or produced or catalog.FIRST_CREDIT_YEAR
    return TaxPeriod(date(year, 1, 1), date(year, 12, 31))


def unit_credit(entry: PartIILine, sold: int | None, produced: int | None, begins: date | None = None,
                macr: Decimal | None = None) -> UnitCredit:
    """The credit per unit of column (d) on `entry`'s line for these years.

    A cell formula has no return to place the sale in, so the sold-in-the-tax-year test is not
    applied; MACR is tested only when given."""
    if entry.fed_by == "metallurgical_coal" and sold is None and produced is None and begins is None:
        return UnitCredit(ZERO, Outcome(ZERO, "tax_year_begins (or year_sold) is required for line 6b "
                                              "(metallurgical coal)", (), "input"))
    if begins is None:  # each blank year is the other one
        sold, produced = sold or produced, produced or sold
    period = tax_period(begins, sold, produced)
    skip = (sold_during_tax_year, size_class) + ((macr_test,) if macr is None else ())
    facts = RowFacts(entry, 0, 0, macr=macr)
    years = resolve_years(facts, sold, produced, period, skip)
    if years.problem is not None:
        return UnitCredit(ZERO, years.problem)
    judgement = judge(RowFacts(entry, years.sold, years.produced, macr=macr), period, skip)
    excluded = [o for o in judgement.outcomes if o.kind == "excluded"]
    return UnitCredit(entry.rate * judgement.factor, excluded[0] if excluded else None)


def size_problem(entry: PartIILine, size: Decimal, fuel_cell_vehicle: bool = False) -> Outcome | None:
    """Why a size per unit is not the component of `entry`'s line, or None (45X(c)(2), (c)(5))."""
    return size_class(RowFacts(entry, 0, 0, size=size, fuel_cell_vehicle=fuel_cell_vehicle),
                      TaxPeriod(date(catalog.FIRST_CREDIT_YEAR, 1, 1), date(catalog.FIRST_CREDIT_YEAR, 12, 31)))
