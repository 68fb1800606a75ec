"""NJ Form 306 line 29 and the carryover: the vintage ledger, counted in accounting periods
(NJ306-D5), used oldest first (NJ306-D6), and next year's ledger (`carryforward_next`)."""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

from ...lines import Findings
from ...numbers import ZERO, cents, grouped
from . import catalog
from .model import NJ306Input


def money(value: Decimal | None) -> str:
    return "$" + grouped(value or ZERO, 2)


def check_vintage(m: NJ306Input, i: int, v, findings: Findings) -> None:
    """A carryforward row: earned before this tax year (period ends compared, not calendar years) and
    periods_remaining within its carryover (NJ306-D5)."""
    begins, at = m.tax_year.begins, f"carryforward[{i}]"
    if v.period_ends is not None and v.period_ends >= begins:
        findings.error(f"{at}.period_ends", f"{at}.period_ends is {v.period_ends}: a credit carried forward must "
                                            f"be earned in a period ending before this tax year begins ({begins}).",
                       blocking=True)
    elif v.period_ends is None and (v.year_earned > begins.year or
                                    (v.year_earned == begins.year and (begins.month, begins.day) == (1, 1))):
        findings.error(f"{at}.year_earned", f"{at}.year_earned is {v.year_earned}: a credit carried forward must "
                                            f"be earned before this tax year ({begins}).", blocking=True)
    if v.periods_remaining is not None and v.periods_remaining > v.period_years:
        findings.error(f"{at}.periods_remaining", f"{at}.periods_remaining is {v.periods_remaining}, more than its "
                                                  f"{v.period_years}-period carryover: check the row (NJ306-D5).",
                       blocking=True)


@dataclass
class LedgerRow:
    where: str
    year_earned: int | None
    period_ends: date | None
    amount: Decimal
    period: int
    periods_left: int  # periods it may be used in, counting this one (NJ306-D5)
    usable: Decimal
    applied: Decimal = ZERO

    @property
    def remaining(self) -> Decimal:
        return self.usable - self.applied

    @property
    def earned(self) -> str:
        return f"the period ended {self.period_ends}" if self.period_ends else f"{self.year_earned}"

    @property
    def order(self) -> tuple:
        return (self.period_ends or date(self.year_earned, 12, 31), self.period)


def _periods_left(m: NJ306Input, v, where: str, notes: list) -> int:
    """Periods a vintage may still be used in, counting this one: as given, or derived from the
    dates assuming 12-month periods (NJ306-D5)."""
    if v.periods_remaining is not None:
        return v.periods_remaining
    begins = m.tax_year.begins
    if v.period_ends is not None:
        start = v.period_ends + timedelta(days=1)
        months = (begins.year - start.year) * 12 + begins.month - start.month
        elapsed = math.ceil(months / 12) if months > 0 else 0
    else:
        elapsed = max(begins.year - v.year_earned - 1, 0)
    left = v.period_years - elapsed
    notes.append(f"{where}: periods_remaining not given; derived as {max(left, 0)} (counting this one) from "
                         f"{'period_ends' if v.period_ends else 'year_earned'}, assuming 12-month periods since the "
                         f"credit was earned. After a short period or a change of accounting period, enter "
                         f"periods_remaining (carryforward_next writes it) (NJ306-D5).")
    if v.period_ends is None and v.year_earned == begins.year:
        notes.append(f"{where}: earned in an earlier period of {v.year_earned}; give period_ends to "
                             f"confirm it ended before this tax year began.")
    return left


def build_ledger(m: NJ306Input, findings: Findings) -> list[LedgerRow]:
    ledger = []
    for i, v in enumerate(m.carryforward):
        where = f"carryforward[{i}]"
        notes: list[str] = []
        left = _periods_left(m, v, where, notes)
        expired = left <= 0
        row = LedgerRow(where, v.year_earned, v.period_ends, v.amount, v.period_years, max(left, 0),
                        ZERO if expired else v.amount)
        if expired and v.amount:
            findings.warning(where, f"{money(v.amount)} of credit earned in {row.earned} expired: its "
                                    f"{v.period_years}-period carryover is used up, so it is not on line 29.")
        for note in notes:
            findings.note(where, note)
        ledger.append(row)
    return ledger


def apply_ledger(m: NJ306Input, ledger: list[LedgerRow], current: Decimal, allowed: Decimal,
                  findings: Findings) -> list[dict]:
    """Use the allowed credit on the vintages in the rules' order (oldest first, NJ306-D6), then on
    this year's credit; return next year's ledger with one period fewer left on each vintage (NJ306-D5)."""
    left = allowed
    for v in sorted(ledger, key=lambda v: v.order, reverse=catalog.NEWEST_FIRST):
        v.applied = min(left, v.usable)
        left -= v.applied
    current_left = current - min(left, current)
    following = []
    for v in sorted(ledger, key=lambda v: v.order):
        if not v.remaining:
            continue
        if v.periods_left <= 1:
            findings.warning(v.where, f"{money(v.remaining)} of credit earned in {v.earned} was not used and "
                                      f"expires after this tax year ({v.period}-period carryover); it is left out of "
                                      f"carryforward_next although the printed carryover line includes it.")
            continue
        row = {"year_earned": v.year_earned, "period_ends": v.period_ends and v.period_ends.isoformat(),
               "amount": cents(v.remaining), "period_years": v.period, "periods_remaining": v.periods_left - 1}
        following.append({k: value for k, value in row.items() if value is not None})
    if current_left:
        following.append({"year_earned": m.tax_year.begins.year, "period_ends": m.tax_year.ends.isoformat(),
                          "amount": cents(current_left), "period_years": m.carryover_period_years,
                          "periods_remaining": m.carryover_period_years})
    return following
