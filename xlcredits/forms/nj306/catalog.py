"""The NJ Form 306 rule book, read from `rules/nj306.toml`, and the pure helpers the Excel
functions call: minimum tax, fixed-base percentages, the allowable credit, the credit rate.

Decimal in, Decimal out; bad input raises ValueError with a sentence a preparer can read. The
engine (compute.py) uses these same functions, so a worksheet formula and the form agree.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass
from datetime import date
from decimal import Decimal, InvalidOperation, localcontext
from fractions import Fraction
from typing import Iterable, Mapping

from ... import rules
from ...numbers import ENGINE_CONTEXT, ZERO, D, grouped, round_places
from ...rules.text import years

RULES = rules.load("nj306")

# --- Plain parameters --------------------------------------------------------------------------

CREDIT_RATE = D(RULES["credit"]["rate"])
MINIMUM_BASE_FRACTION = D(RULES["regular"]["minimum_base_fraction"])
FBP_PLACES: int = RULES["fixed_base"]["places"]
FBP_CAP = D(RULES["fixed_base"]["cap"])
ASC_DIVISOR = D(RULES["asc"]["divisor"])
CONTRACT_RESEARCH = {kind: D(RULES["contract_research"][kind])
                     for kind in ("general", "qualified_consortium", "energy_research")}
CARRYOVER_YEARS = (RULES["carryover"]["standard_years"], RULES["carryover"]["extended_years"])
COMBINED_MEMBER_MINIMUM = D(RULES["minimum_tax"]["combined"]["per_taxable_member"])
GROUP_PAYROLL = RULES["minimum_tax"]["group_payroll"]
MINIMUM_TAX_FROM: date = RULES["minimum_tax"]["applies_to_privilege_periods_beginning_after"]
SEPARATE_RETURNS = tuple(RULES["minimum_tax"]["columns"])  # CBT-100, BFC-1, CBT-100S
RETURN_TYPES = ("CBT-100", "CBT-100S", "BFC-1", "CBT-100U")


def credit_rate() -> Decimal:
    """The credit rate of line 28, applied to line 27: nj306.toml [credit] rate [N.J.S.A. 54:10A-5.24(a)]."""
    return CREDIT_RATE


def revision_for(tax_year_begins: date) -> str:
    """The Form 306 revision for a period beginning on `tax_year_begins` (NJ306-D2); periods before
    the first modelled revision get the oldest one (compute refuses them, NJ306-D1)."""
    table = {int(year): rev for year, rev in RULES["revisions"].items()}
    eligible = [year for year in table if year <= tax_year_begins.year]
    return table[max(eligible)] if eligible else table[min(table)]


# --- Reading numbers handed over by Excel or JSON ----------------------------------------------

def _amount(value, name: str) -> Decimal:
    """A non-negative amount; Excel floats and text such as '1,000' are accepted."""
    if value is None or value == "":
        raise ValueError(f"{name} is required")
    try:
        number = D(value)
    except (TypeError, ValueError, InvalidOperation):
        raise ValueError(f"{name} must be a number, not {value!r}") from None
    if not number.is_finite():
        raise ValueError(f"{name} must be a number, not {value!r}")
    if number < 0:
        raise ValueError(f"{name} cannot be negative (got {grouped(number)})")
    return number


def _whole(value, name: str, low: int, high: int) -> int:
    """A whole number from an int, or an integral float/Decimal (Excel hands UDFs floats)."""
    try:
        number = D(value)
    except (TypeError, ValueError, InvalidOperation):
        raise ValueError(f"{name} must be a whole number, not {value!r}") from None
    if not number.is_finite() or number != number.to_integral_value():
        raise ValueError(f"{name} must be a whole number, not {value!r}")
    if not low <= number <= high:
        raise ValueError(f"{name} must be from {low} to {high} (got {number})")
    return int(number)


# --- Minimum tax (line 32) ---------------------------------------------------------------------

@dataclass(frozen=True)
class MinimumTax:
    amount: Decimal
    reason: str  # the explanation of line 32
    printed: Decimal | None = None  # what the 10-21 form's table prints, when it differs


def return_type_of(value) -> str:
    text = str(value or "").strip().upper().replace(" ", "")
    if text not in RETURN_TYPES:
        raise ValueError(f"return type must be one of {', '.join(RETURN_TYPES)} (got {value!r})")
    return text


def _payroll_threshold(months: int) -> tuple[Decimal, str]:
    """(threshold, rule text). A full year compares at or above [minimum_tax.group_payroll] threshold;
    a shorter period compares strictly above its monthly_threshold per month, as the form's
    instructions word it."""
    if months >= 12:
        return D(GROUP_PAYROLL["threshold"]), f"${grouped(D(GROUP_PAYROLL['threshold']))} or more"
    monthly = D(GROUP_PAYROLL["monthly_threshold"])
    return monthly * months, f"more than ${grouped(monthly)} × {months} months = ${grouped(monthly * months)}"


def _is_group_member(payroll: Decimal, months: int) -> bool:
    threshold, _ = _payroll_threshold(months)
    return payroll >= threshold if months >= 12 else payroll > threshold


def _group_payroll_met(group_payroll, months: int) -> tuple[Decimal, str] | None:
    """(payroll, the test it meets) when a group payroll is given and meets the group payroll test
    (both the corporate and the investment-entity minimum tax turn on it), else None."""
    if group_payroll is None or group_payroll == "":
        return None
    payroll = _amount(group_payroll, "group payroll")
    if not _is_group_member(payroll, months):
        return None
    return payroll, _payroll_threshold(months)[1]


def minimum_tax_detail(return_type: str, nj_gross_receipts, group_payroll=None, period_months=12) -> MinimumTax:
    """Line 32 with the reason, for a CBT-100, CBT-100S or BFC-1 filer."""
    kind = return_type_of(return_type)
    if kind not in SEPARATE_RETURNS:
        raise ValueError(f"{kind} filers do not use line 32: a combined group's minimum tax is ${grouped(COMBINED_MEMBER_MINIMUM)} "
                         f"per taxable member (line 39)")
    receipts = _amount(nj_gross_receipts, "New Jersey gross receipts")
    months = 12 if period_months is None else _whole(period_months, "period months", 1, 12)
    column = RULES["minimum_tax"]["columns"][kind]
    met = _group_payroll_met(group_payroll, months)
    if met is not None:
        payroll, rule = met
        amount = D(GROUP_PAYROLL["minimum_tax"])
        return MinimumTax(amount, f"${grouped(amount, 2)}: member of an affiliated or controlled group whose payroll "
                                  f"${grouped(payroll)} is {rule} {cite_text(GROUP_PAYROLL['cites'])}")
    bracket = [b for b in RULES["minimum_tax"]["brackets"] if receipts >= D(b["from"])][-1]
    amount = D(bracket[column])
    upper = [D(b["from"]) for b in RULES["minimum_tax"]["brackets"] if D(b["from"]) > receipts]
    span = f"${grouped(D(bracket['from']))} or more" + (f" but less than ${grouped(upper[0])}" if upper else "")
    who = "New Jersey S corporation" if column == "s_corporation" else "corporation"
    printed = D(bracket["form_10_21_s_corporation"]) if column == "s_corporation" else amount
    reason = (f"${grouped(amount, 2)}: {who} with New Jersey gross receipts of ${grouped(receipts)} ({span}) "
              f"{cite_text(RULES['minimum_tax']['cites'])}")
    return MinimumTax(amount, reason, printed if printed != amount else None)


def minimum_tax(return_type: str, nj_gross_receipts, group_payroll=None, period_months=12) -> Decimal:
    """Required minimum tax of a separate-return filer (line 32).

    return_type: "CBT-100", "CBT-100S" or "BFC-1"; group_payroll: total payroll of the affiliated or
    controlled group the filer belongs to (None if it belongs to none); period_months: 1-12.
    """
    return minimum_tax_detail(return_type, nj_gross_receipts, group_payroll, period_months).amount


# --- Fixed-base percentage (line 10) ------------------------------------------------------------

def round_and_cap(ratio: Decimal) -> Decimal:
    """Round to [fixed_base] places, then cap at [fixed_base] cap (NJ306-A3). Line 10's expression does the same.
    Capping first gives the same value and keeps a huge ratio (receipts of a fraction of a cent)
    within Decimal precision."""
    return min(round_places(min(ratio, FBP_CAP), FBP_PLACES), FBP_CAP)


def _percentage(qre: Decimal, receipts: Decimal, fraction: Fraction = Fraction(1)) -> Decimal:
    """qre ÷ receipts × fraction, exactly (one division). With no gross receipts but some QREs the
    percentage is unbounded, so the cap applies (project decision); with neither it is zero."""
    if receipts == 0:
        return FBP_CAP if qre > 0 else ZERO
    with localcontext(ENGINE_CONTEXT):
        return (qre * fraction.numerator) / (receipts * fraction.denominator)


def existing_ratio(qre_total, gross_receipts_total) -> Decimal:
    """Unrounded base-period percentage of an existing company [26 U.S.C. 41(c)(3)(A)]."""
    qre = _amount(qre_total, f"{BASE_YEARS} QREs")
    receipts = _amount(gross_receipts_total, f"{BASE_YEARS} gross receipts")
    if receipts == 0:
        raise ValueError(f"an existing company had gross receipts in tax years beginning {BASE_YEARS}; with none it is "
                         f"a start-up company: use the start-up schedule {cite_text(STARTUP['cites'])}")
    return _percentage(qre, receipts)


def fixed_base_percentage_existing(qre_total, gross_receipts_total) -> Decimal:
    """Line 10 for an existing company: base-period QREs ÷ gross receipts, rounded and capped."""
    return round_and_cap(existing_ratio(qre_total, gross_receipts_total))


STARTUP = RULES["fixed_base"]["startup"]
EXISTING = RULES["fixed_base"]["existing"]
BASE_YEARS = years(EXISTING["first_year"], EXISTING["last_year"])  # the base period [26 U.S.C. 41(c)(3)(A)]
STARTUP_AFTER = STARTUP["from"].year - 1  # start-up years count tax years beginning after this year
STARTUP_YEARS = {row["year"]: row for row in STARTUP["years"]}
LATER = STARTUP["later"]
LATER_AMONG = years(LATER["among"][0], LATER["among"][-1])  # "5–10": the years a later start-up year chooses from


@dataclass(frozen=True)
class StartupPercentage:
    ratio: Decimal  # before rounding and the cap
    explanation: str
    years_used: tuple[int, ...] = ()


def _history(history) -> dict[int, tuple[Decimal, Decimal]]:
    rows: dict[int, tuple[Decimal, Decimal]] = {}
    for i, row in enumerate(history or ()):
        get = row.get if isinstance(row, Mapping) else (lambda k, r=row: getattr(r, k, None))
        year = _whole(get("year"), f"history row {i + 1} year", 1, 100)
        if year in rows:
            raise ValueError(f"start-up year {year} appears twice in the history")
        rows[year] = (_amount(get("qre"), f"start-up year {year} QREs"),
                      _amount(get("gross_receipts"), f"start-up year {year} gross receipts"))
    return rows


def _need(rows: dict, years: Iterable[int], credit_year: int) -> tuple[Decimal, Decimal]:
    missing = [y for y in years if y not in rows]
    if missing:
        raise ValueError(f"start-up year {credit_year} needs the QREs and gross receipts of years "
                         f"{', '.join(map(str, years))}; missing: {', '.join(map(str, missing))}")
    return sum((rows[y][0] for y in years), ZERO), sum((rows[y][1] for y in years), ZERO)


def _fraction(text: str) -> Fraction:
    return Fraction(text)


def _later(rows: dict, credit_year: int, selected) -> StartupPercentage:
    among, choose = list(LATER["among"]), LATER["choose"]
    if selected:
        years = sorted({_whole(y, "selected year", 1, 100) for y in selected})
        if len(years) != choose or any(y not in among for y in years) or len(years) != len(list(selected)):
            raise ValueError(f"start-up year {credit_year}: choose exactly {choose} different years from "
                             f"{among[0]}–{among[-1]} (got {', '.join(map(str, selected))})")
        qre, receipts = _need(rows, years, credit_year)
        how = "selected by the taxpayer"
    else:
        # No election given: the five years with the lowest percentage, which the preparer confirms.
        available = [y for y in among if y in rows]
        if len(available) < choose:
            _need(rows, among, credit_year)
        candidates = []
        for combo in itertools.combinations(available, choose):
            q, g = _need(rows, combo, credit_year)
            candidates.append((_percentage(q, g), combo, q, g))
        best = min(candidates, key=lambda c: c[0])
        _, years, qre, receipts = best
        years = list(years)
        how = "not selected, so the five giving the lowest percentage were used"
    ratio = _percentage(qre, receipts)
    text = (f"start-up year {credit_year}: QREs ÷ gross receipts of years {', '.join(map(str, years))} ({how}) = "
            f"{grouped(qre)} ÷ {grouped(receipts)} {cite_text(LATER['cites'])}")
    return StartupPercentage(ratio, text, tuple(years))


def startup_ratio(credit_year, history, selected_years=None) -> StartupPercentage:
    """Unrounded start-up fixed-base percentage with its explanation [26 U.S.C. 41(c)(3)(B)]."""
    year = _whole(credit_year, "start-up credit year", 1, 100)
    rows = _history(history)
    late = [y for y in rows if y >= year]
    if late:
        raise ValueError(f"the start-up history holds year {late[0]}, which is not before the credit year {year}")
    if selected_years and year < LATER["from_year"]:
        raise ValueError(f"selected_years applies from start-up year {LATER['from_year']} on; this is year {year}")
    if year <= STARTUP["first_years"]:
        pct = D(STARTUP["first_years_percentage"])
        return StartupPercentage(pct, f"start-up year {year}: {grouped(pct * 100)}% for each of the first "
                                      f"{STARTUP['first_years']} years {cite_text(STARTUP['first_years_cites'])}")
    if year in STARTUP_YEARS:
        rule = STARTUP_YEARS[year]
        fraction = _fraction(rule["fraction"])
        qre, receipts = _need(rows, rule["uses"], year)
        text = (f"start-up year {year}: (QREs ÷ gross receipts of years {', '.join(map(str, rule['uses']))}) × "
                f"{rule['fraction']} = ({grouped(qre)} ÷ {grouped(receipts)}) × {rule['fraction']} {cite_text(rule['cites'])}")
        return StartupPercentage(_percentage(qre, receipts, fraction), text, tuple(rule["uses"]))
    return _later(rows, year, selected_years)


def startup_fixed_base_percentage(credit_year: int, history: list, selected_years=None) -> Decimal:
    """Line 10 for a start-up company, rounded and capped.

    credit_year: which start-up year this is (1, 2, ...), counting tax years beginning on or after
    [fixed_base.startup] from with QREs; history: [{"year": k, "qre": ..., "gross_receipts": ...}] for earlier years;
    selected_years: year 11 and later, the five of years 5–10 the taxpayer chose.
    """
    return round_and_cap(startup_ratio(credit_year, history, selected_years).ratio)


# --- Allowable credit (line 36) -----------------------------------------------------------------

def allowable_credit(credit_available, liability, minimum_tax, other_credits) -> Decimal:
    """Line 36: the lesser of line 30 and the liability above the minimum tax after other credits.

    Evaluates lines 33–36 of the form's own definition, so the helper and the form cannot drift.
    other_credits: one amount, or a list of amounts (lines 34(a)–(d)), or None.
    """
    from ...lines import FormEnv
    from .definition import lines

    if other_credits is None or other_credits == "":
        others = []
    elif isinstance(other_credits, (list, tuple)):
        others = [_amount(x, f"other credit {i + 1}") for i, x in enumerate(other_credits) if x not in (None, "")]
    else:
        others = [_amount(other_credits, "other credits")]
    env = FormEnv({"30": _amount(credit_available, "credit available"), "31": _amount(liability, "tax liability"),
                   "32": _amount(minimum_tax, "minimum tax")},
                  {"other_credits": [{"amount": x, "counted": x} for x in others]})
    with localcontext(ENGINE_CONTEXT):
        for line in lines():
            if line.key in ("33", "34", "35", "36"):
                env.values[line.key] = line.expr.evaluate(env)
    return env.values["36"]


# --- Rules in force, citations and decisions (issue 18: one place per rule) ---------------------

DECISIONS = rules.load("decisions_nj306")
CREDITS_CATALOGUE = rules.load("nj_cbt_credits")
PERIODS_FROM: date = RULES["periods"]["from"]
SHORT_YEAR = RULES["short_year"]
INVESTMENT_ENTITIES = RULES["minimum_tax"]["investment_entities"]
RETURN_KINDS = ("standard", *INVESTMENT_ENTITIES["kinds"])


def cites(*path: str, key: str = "cites") -> tuple[str, ...]:
    """The citations of a rules table: cites("minimum_tax", "group_payroll")."""
    table = RULES
    for part in path:
        table = table[part]
    return tuple(table[key])


def cite_text(citations) -> str:
    """How a finding or an explanation prints citations: '[A; B]'."""
    return "[" + "; ".join(citations) + "]" if citations else ""


def decision(key: str) -> dict:
    """A decision of decisions_nj306.toml by its ID ('NJ306-D3')."""
    return DECISIONS[key]


def revision_questions(revision: str) -> tuple[str, ...]:
    """Questions a revision adds to the top of the form (the 2023 revision: cannabis licensees)."""
    return tuple(RULES["revision_notes"][revision]["adds_questions"])


# --- Carryover vintages (NJ306-D6) and short periods (NJ306-D9) -----------------------------------

CARRYOVER = RULES["carryover"]
VINTAGE_ORDER: str = CARRYOVER["vintage_order"]  # the order allowed credit uses the vintages in
NEWEST_FIRST = {"oldest first": False, "newest first": True}[VINTAGE_ORDER]
VINTAGE_ORDER_CITES = tuple(CARRYOVER["vintage_order_cites"])
SHORT_PERIOD_CITES = tuple(RULES["minimum_tax"]["short_period_cites"])  # the minimum tax is not prorated


# --- Short credit years (NJ306-D3, NJ306-D4) -----------------------------------------------------

@dataclass(frozen=True)
class CreditYearLength:
    months: int  # calendar months or parts of them, at most 12
    days: int
    short: bool  # shorter than 12 months (a 52-53-week year of 359 days or more is not)


def months_in(begins: date, ends: date) -> int:
    """Calendar months or parts of them in the period, at most 12: a part of a month is a month
    [N.J.A.C. 18:7-12.2(a)2]. Full years (359 days or more) are 12."""
    if (ends - begins).days + 1 >= SHORT_YEAR["full_year_min_days"]:
        return SHORT_YEAR["months_in_year"]
    touched = (ends.year - begins.year) * 12 + ends.month - begins.month + 1
    return min(touched, SHORT_YEAR["months_in_year"])


def credit_year_length(begins: date, ends: date) -> CreditYearLength:
    days = (ends - begins).days + 1
    return CreditYearLength(months_in(begins, ends), days, days < SHORT_YEAR["full_year_min_days"])


# --- Other CBT credits: which side of the R&D credit (NJ306-D7) ----------------------------------

CREDITS: dict[str, dict] = CREDITS_CATALOGUE["credits"]
CREDIT_KEYS = tuple(CREDITS)


def credit_applies_before(key: str) -> bool:
    """True when the catalogue credit reduces the tax before the R&D credit (lines 34/41/48)."""
    return CREDITS[key]["side"] == "before"


# --- Minimum tax of investment companies, RICs and REITs (NJ306-D10) -----------------------------

def investment_entity_minimum(kind: str, group_payroll=None, period_months=12) -> MinimumTax:
    """[minimum_tax.investment_entities] minimum_tax, or group_minimum_tax for a member of a group whose
    payroll meets the test [N.J.A.C. 18:7-3.4(a)]."""
    who = INVESTMENT_ENTITIES["kinds"][kind]
    months = 12 if period_months is None else _whole(period_months, "period months", 1, 12)
    source = cite_text(INVESTMENT_ENTITIES["cites"])
    met = _group_payroll_met(group_payroll, months)
    if met is not None:
        payroll, rule = met
        amount = D(INVESTMENT_ENTITIES["group_minimum_tax"])
        return MinimumTax(amount, f"${grouped(amount, 2)}: {who} in an affiliated or controlled group whose "
                                  f"payroll ${grouped(payroll)} is {rule} {source}")
    amount = D(INVESTMENT_ENTITIES["minimum_tax"])
    return MinimumTax(amount, f"${grouped(amount, 2)}: minimum tax of a {who} {source}")
