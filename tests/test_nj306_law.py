"""NJ Form 306 by the letter of the law: which periods, which revision, short credit years, carryover
counted in accounting periods, the order of other credits, the minimum tax of short periods and of
investment entities. Each case names its source; every expected number is worked out by hand.
Decisions are in xlcredits/rules/decisions_nj306.toml."""

from decimal import Decimal

import pytest

from test_nj306_support import asc, blocked, combined, regular, run, where
from xlcredits.forms.nj306 import catalog
from xlcredits.forms.nj306.compute import compute
from xlcredits.jsonio import dumps, loads

D = Decimal


def _messages(result, at: str) -> str:
    return " | ".join(f.message for f in result.findings if f.where == at)


# --- NJ306-D1, NJ306-D2: which periods, which revision -----------------------------------------

def test_periods_beginning_before_2020_are_refused():
    # source: Form 306 (10-21) instructions: earlier periods use the form of their year (NJ306-D1)
    errors = blocked(regular(tax_year=2019))
    assert [f.where for f in errors] == ["tax_year"]
    assert "1 January 2020" in errors[0].message and "NJ306-D1" in errors[0].message
    fiscal_2019 = {"begins": "2019-07-01", "ends": "2020-06-30"}  # begins in 2019: still refused
    assert [f.where for f in blocked(regular(tax_year=fiscal_2019))] == ["tax_year"]
    assert run(regular(tax_year=2020)).revision == "10-21"


def test_revision_by_the_year_the_period_begins():
    # source: Form 306 (10-21); Form 306 (2023) adds question 3 for cannabis licensees (NJ306-D2)
    assert run(regular(tax_year=2022)).revision == "10-21"
    assert run(regular(tax_year={"begins": "2022-07-01", "ends": "2023-06-30"})).revision == "10-21"
    assert run(regular(tax_year=2023)).revision == "2023"
    old = run(regular(tax_year=2022, cannabis_licensee=True))
    assert "question 3" in _messages(old, "cannabis_licensee")
    assert "cannabis_licensee" not in where(run(regular(tax_year=2023, cannabis_licensee=True)))


# --- NJ306-D3: short credit year, regular method --------------------------------------------------

def _short_regular(begins: str, ends: str):
    # QREs 700,000; FBP 12%; average gross receipts 5,000,000 → full-year base amount 600,000
    return run(regular(tax_year={"begins": begins, "ends": ends}, qre={"wages": 700000},
                       fixed_base_percentage="0.12", average_gross_receipts=5000000))


@pytest.mark.parametrize("begins, ends, line_12, line_15, line_28", [
    # 12 months: no proration. 600,000; L13 100,000 < L14 350,000 → 10,000
    ("2025-01-01", "2025-12-31", "600000", "100000", "10000"),
    # 11 months: 600,000 × 11 ÷ 12 = 550,000; L13 150,000 → 15,000 [Treas. Reg. 1.41-3(b)(1)]
    ("2025-01-01", "2025-11-30", "550000", "150000", "15000"),
    # 6 months: 300,000; L13 400,000 but L14 (50% of QREs, not prorated) 350,000 → 35,000
    ("2025-01-01", "2025-06-30", "300000", "350000", "35000"),
    # 15 Jan – 10 Jun touches 6 calendar months: a part of a month is a month [N.J.A.C. 18:7-12.2(a)2]
    ("2025-01-15", "2025-06-10", "300000", "350000", "35000"),
    # 52-53-week years: 364 and 371 days are full years [Treas. Reg. 1.443-1(a)(1); 26 U.S.C. 441(f)]
    ("2024-12-29", "2025-12-27", "600000", "100000", "10000"),
    ("2025-01-01", "2026-01-06", "600000", "100000", "10000"),
], ids=["12-months", "11-months", "6-months", "partial-months", "52-weeks", "53-weeks"])
def test_short_regular_year_prorates_the_base_amount_by_months(begins, ends, line_12, line_15, line_28):
    result = _short_regular(begins, ends)
    assert result.lines["12"] == D(line_12)
    assert result.lines["14"] == D(350000)  # the 50% minimum is not prorated
    assert result.lines["15"] == D(line_15) and result.lines["28"] == D(line_28)


def test_short_regular_year_shows_its_proration():
    result = _short_regular("2025-01-01", "2025-06-30")
    assert "× 6 ÷ 12" in result.explanations["12"] and "Treas. Reg. 1.41-3(b)(1)" in result.explanations["12"]
    assert "× 6 ÷ 12" in _messages(result, "tax_year")
    assert "÷ 12" not in _short_regular("2025-01-01", "2025-12-31").explanations["12"]


def test_short_year_touching_twelve_calendar_months_is_not_reduced():
    # 1 January – 24 December: 358 days, short, but it touches all 12 months (NJ306-D3)
    result = _short_regular("2025-01-01", "2025-12-24")
    assert result.lines["12"] == D(600000)
    assert "touches 12 calendar months" in _messages(result, "tax_year")


# --- NJ306-D4: short credit year, ASC ---------------------------------------------------------------

@pytest.mark.parametrize("tax_year, line_22, line_23, line_28", [
    # full years, 365 and 366 days: 140,382 ÷ 6 = 23,397; 53,704 − 23,397 = 30,307 → 3,030.70
    (2025, "23397", "30307", "3030.70"),
    (2024, "23397", "30307", "3030.70"),
    # 120 days (Jan–Apr 2025): 23,397 × 120 ÷ 365 = 7,692.16; 46,011.84 → 4,601.18 [T.D. 9528]
    ({"begins": "2025-01-01", "ends": "2025-04-30"}, "7692.16", "46011.84", "4601.18"),
    # 121 days (Jan–Apr 2024, a leap year): the divisor stays 365: 23,397 × 121 ÷ 365 = 7,756.27
    ({"begins": "2024-01-01", "ends": "2024-04-30"}, "7756.27", "45947.73", "4594.77"),
], ids=["365-days", "366-days", "120-days", "leap-121-days"])
def test_short_asc_year_prorates_line_22_by_days(tax_year, line_22, line_23, line_28):
    result = run(asc(tax_year=tax_year))
    assert result.lines["21"] == D(140382)
    assert result.lines["22"] == D(line_22) and result.lines["23"] == D(line_23) and result.lines["28"] == D(line_28)


def test_short_asc_year_shows_its_proration():
    result = run(asc(tax_year={"begins": "2025-01-01", "ends": "2025-04-30"}))
    assert "× 120 ÷ 365" in result.explanations["22"] and "T.D. 9528" in result.explanations["22"]


# --- NJ306-D5: carryover counted in accounting periods ---------------------------------------------

def _no_room(**changes):
    """Credit 5,000 this year; liability 2,000 = the minimum tax, so nothing is allowed."""
    return regular(**{"qre": {"wages": 100000}, "tax_liability": 2000, "nj_gross_receipts": 5000000, **changes})


def test_vintage_from_a_short_period_of_the_same_calendar_year_is_valid():
    # A fiscal year from April 2025 after a short period January–March 2025 (NJ306-D5)
    fiscal = {"begins": "2025-04-01", "ends": "2026-03-31"}
    result = run(regular(tax_year=fiscal, carryforward=[{"period_ends": "2025-03-31", "amount": 500}]))
    assert result.lines["29"] == D(500)
    assert result.rows["carryforward"][0]["periods_left"] == 7  # no period has passed since it was earned
    by_year = run(regular(tax_year=fiscal, carryforward=[{"year_earned": 2025, "amount": 500}]))
    assert by_year.lines["29"] == D(500) and "give period_ends" in _messages(by_year, "carryforward[0]")


def test_vintage_must_end_before_this_tax_year_begins():
    fiscal = {"begins": "2025-04-01", "ends": "2026-03-31"}
    errors = blocked(regular(tax_year=fiscal, carryforward=[{"period_ends": "2025-04-01", "amount": 500}]))
    assert [f.where for f in errors] == ["carryforward[0].period_ends"]
    assert [f.where for f in blocked(regular(carryforward=[{"year_earned": 2025, "amount": 1}]))] == \
        ["carryforward[0].year_earned"]
    assert [f.where for f in blocked(regular(carryforward=[{"amount": 1}]))] == ["carryforward[0]"]


@pytest.mark.parametrize("remaining, line_29, carried", [
    (2, "400", [{"year_earned": 2019, "amount": D(400), "period_years": 7, "periods_remaining": 1}]),
    (1, "400", []),  # its last period: on line 29, then expires
    (0, "0", []),  # expired: not on line 29
])
def test_periods_remaining_one_and_zero(remaining, line_29, carried):
    result = run(_no_room(carryforward=[{"year_earned": 2019, "amount": 400, "periods_remaining": remaining}]))
    assert result.lines["29"] == D(line_29)
    this_year = {"year_earned": 2025, "period_ends": "2025-12-31", "amount": D(5000), "period_years": 7,
                 "periods_remaining": 7}
    assert result.extras["carryforward_next"] == carried + [this_year]
    if remaining < 2:
        assert "expire" in _messages(result, "carryforward[0]")


def test_derived_periods_say_so():
    # 2020 vintage in 2025, 7 periods, 12-month periods assumed: 2021-2024 passed, 3 left counting 2025
    result = run(regular(carryforward=[{"year_earned": 2020, "amount": 100}]))
    assert result.rows["carryforward"][0]["periods_left"] == 3
    assert "assuming 12-month periods" in _messages(result, "carryforward[0]")


def test_a_change_to_a_june_fiscal_year_counts_the_short_period():
    # 2019 vintage; 2020-2024 calendar, January–June 2025 short, then fiscal years from July: the
    # period from July 2026 is its 8th, so nothing is left. Derived from period_ends: 31 Dec 2019 →
    # 1 July 2026 is 78 months, 7 periods of at most 12 months have passed.
    result = run(regular(tax_year={"begins": "2026-07-01", "ends": "2027-06-30"},
                         carryforward=[{"period_ends": "2019-12-31", "amount": 800}]))
    assert result.lines["29"] == 0 and "expired" in _messages(result, "carryforward[0]")


def test_three_year_round_trip_across_a_fiscal_year_change():
    # source: NJ306-D5, NJ306-D6; each year's carryforward_next is the next year's input, unchanged
    def year(tax_year, carryforward):
        data = regular(tax_year=tax_year, qre={"wages": 100000}, tax_liability=3000, carryforward=carryforward)
        result = run(data)
        assert not [f for f in result.findings if "periods_remaining not given" in f.message]
        return result, loads(dumps(result.to_json()))["carryforward_next"]

    # 2024: L28 5,000 (L12 6,000; L15 50,000); L29 600; L36 1,000 (3,000 − 2,000) → the 2018 vintage
    # first (600), then 400 of this year's credit: 4,600 carries, 7 periods left
    first, carry = year(2024, [{"year_earned": 2018, "amount": 600, "period_years": 7, "periods_remaining": 2}])
    assert (first.lines["29"], first.lines["36"], first.lines["37"]) == (D(600), D(1000), D(4600))
    assert carry == [{"year_earned": 2024, "period_ends": "2024-12-31", "amount": D("4600.00"), "period_years": 7,
                      "periods_remaining": 7}]

    # January–June 2025 (short): L12 6,000 × 6 ÷ 12 = 3,000, L15 50,000, L28 5,000; the minimum tax
    # 2,000 is not prorated; 1,000 allowed from the 2024 vintage → 3,600 left with 6 periods
    second, carry = year({"begins": "2025-01-01", "ends": "2025-06-30"}, carry)
    assert (second.lines["12"], second.lines["28"], second.lines["29"], second.lines["32"]) == \
        (D(3000), D(5000), D(4600), D(2000))
    assert carry == [
        {"year_earned": 2024, "period_ends": "2024-12-31", "amount": D("3600.00"), "period_years": 7,
         "periods_remaining": 6},
        {"year_earned": 2025, "period_ends": "2025-06-30", "amount": D("5000.00"), "period_years": 7,
         "periods_remaining": 7}]

    # July 2025 – June 2026: the short period's credit (same calendar year) is valid; L29 8,600;
    # 1,000 allowed from the 2024 vintage (oldest) → 2,600
    third, carry = year({"begins": "2025-07-01", "ends": "2026-06-30"}, carry)
    assert (third.lines["29"], third.lines["30"], third.lines["36"], third.lines["37"]) == \
        (D(8600), D(13600), D(1000), D(12600))
    assert carry == [
        {"year_earned": 2024, "period_ends": "2024-12-31", "amount": D("2600.00"), "period_years": 7,
         "periods_remaining": 5},
        {"year_earned": 2025, "period_ends": "2025-06-30", "amount": D("5000.00"), "period_years": 7,
         "periods_remaining": 6},
        {"year_earned": 2025, "period_ends": "2026-06-30", "amount": D("5000.00"), "period_years": 7,
         "periods_remaining": 7}]


# --- NJ306-D7, NJ306-D8: other credits before and after the R&D credit -----------------------------

# Typed by hand from N.J.S.A. 54:10A-5.24(b) (UEZ, redevelopment authority, recycling, new jobs,
# MEEITC: before; the statute controls where N.J.A.C. 18:7-3.17(a) lists new jobs and MEEITC after)
# and N.J.A.C. 18:7-3.17(a) items 1 (before) and 8-20 (after).
BEFORE = ["business_employment_incentive", "urban_enterprise_zone_employee", "urban_enterprise_zone_investment",
          "redevelopment_authority", "recycling_equipment", "new_jobs_investment",
          "manufacturing_equipment_employment"]
AFTER = ["business_retention_relocation", "small_high_technology_investment", "hmo_assistance", "effluent_equipment",
         "neighborhood_revitalization", "ama", "economic_recovery", "sheltered_workshop", "urban_transit_hub",
         "offshore_wind", "grow_new_jersey", "angel_investor", "residential_economic_recovery_growth"]


def test_the_catalogue_holds_exactly_these_credits():
    assert sorted(catalog.CREDIT_KEYS) == sorted(BEFORE + AFTER)


@pytest.mark.parametrize("key", BEFORE + AFTER)
def test_each_catalogue_credit_on_its_side_of_the_research_credit(key):
    # liability 1,000,000 − minimum 2,000 = 998,000 (line 33)
    result = run(regular(other_credits=[{"credit": key, "amount": 1000}]))
    if key in BEFORE:
        assert result.lines["34"] == D(1000) and result.lines["35"] == D(997000)
        assert "other_credits[0]" not in where(result)
    else:
        assert result.lines["34"] == 0 and result.lines["35"] == D(998000)
        assert "left off line 34" in _messages(result, "other_credits[0]")


def test_credits_after_this_one_stay_off_the_combined_group_lines():
    sharing = run(combined(True, combined={"group_other_credits": [
        {"credit": "angel_investor", "amount": 5000}, {"credit": "new_jobs_investment", "amount": 7000}]}))
    assert sharing.lines["41"] == D(7000)  # 50,000 − 6,000 = 44,000 on line 40; only new jobs counts
    assert "left off line 41" in _messages(sharing, "combined.group_other_credits[0]")
    member = run(combined(False, combined={"member_other_credits": [{"credit": "grow_new_jersey", "amount": 100}]}))
    assert member.lines["48"] == 0 and "left off line 48" in _messages(member, "combined.member_other_credits[0]")


def test_free_text_credit_counts_with_a_warning():
    result = run(regular(other_credits=[{"name": "A credit with no key", "amount": 1000}]))
    assert result.lines["34"] == D(1000)
    assert "no credit key" in _messages(result, "other_credits[0]")


def test_unknown_credit_key_is_an_input_error():
    assert [f.where for f in blocked(regular(other_credits=[{"credit": "angel", "amount": 1}]))] == \
        ["other_credits[0].credit"]


# --- NJ306-D9, NJ306-D10: minimum tax ----------------------------------------------------------------

@pytest.mark.parametrize("tax_year, payroll, line_32", [
    # 6 months: more than 416,667 × 6 = 2,500,002 pays 2,000 [Form 306 instructions, line 32]
    ({"begins": "2025-01-01", "ends": "2025-06-30"}, "2500002", "500"),
    ({"begins": "2025-01-01", "ends": "2025-06-30"}, "2500003", "2000"),
    # 15 January – 30 June is 6 months too: a part of a month is a month [N.J.A.C. 18:7-12.2(a)2]
    ({"begins": "2025-01-15", "ends": "2025-06-30"}, "2500003", "2000"),
    # no group: NJ gross receipts 50,000 → 500, never prorated [N.J.A.C. 18:7-12.2(a)1]
    ({"begins": "2025-01-01", "ends": "2025-03-31"}, None, "500"),
])
def test_short_period_minimum_tax_is_not_prorated_only_the_payroll_test(tax_year, payroll, line_32):
    data = regular(tax_year=tax_year, nj_gross_receipts=50000)
    if payroll:
        data["group_payroll"] = payroll
    assert run(data).lines["32"] == D(line_32)


@pytest.mark.parametrize("kind", ["investment_company", "regulated_investment_company",
                                  "real_estate_investment_trust"])
def test_investment_entities_minimum_tax(kind):
    # N.J.A.C. 18:7-3.4(a): $500; $2,000 when the group's payroll is $5,000,000 or more
    base = regular(return_kind=kind, nj_gross_receipts=None)
    assert run(base).lines["32"] == D(500)
    assert run({**base, "group_payroll": "4999999.99"}).lines["32"] == D(500)
    assert run({**base, "group_payroll": "5000000"}).lines["32"] == D(2000)
    assert [f.where for f in blocked({**base, "return_type": "CBT-100S"})] == ["return_kind"]
    with_receipts = run({**base, "nj_gross_receipts": 5000000})  # would be 2,000 for a standard filer
    assert with_receipts.lines["32"] == D(500) and "not used" in _messages(with_receipts, "nj_gross_receipts")


# --- NJ306-D11: fixed-base percentage with up to ten decimals ---------------------------------------

def test_fixed_base_percentage_with_ten_decimals():
    assert run(regular(fixed_base_percentage="0.0793456789")).lines["10"] == D("0.0793")
    assert [f.where for f in blocked(regular(fixed_base_percentage="0.07934567891"))] == ["fixed_base_percentage"]


def test_old_inputs_still_compute():
    # a 2025 input written before these rules: year_earned only, a credit by name only
    result = compute(regular(carryforward=[{"year_earned": 2021, "amount": 100, "period_years": 7}],
                             other_credits=[{"name": "Old style", "amount": 10}]))
    assert result.computed and result.lines["29"] == D(100) and result.lines["34"] == D(10)


# --- NJ306-D12 and the rules files (issue 18) ---------------------------------------------------------

def test_labels_as_printed_and_clarifications_in_notes():
    # source: Form 306 (2023) lines 1-4 as printed; clarifications live in notes (NJ306-D12)
    from xlcredits.forms.nj306.definition import line
    assert line("1").label == "Enter certain amounts paid or incurred to energy consortia"
    assert line("3").label == "Enter the base period amount" and line("3").decision == "NJ306-A2"
    assert line("4").label == "Subtract line 3 from line 2. If zero or less, enter zero"
    assert line("13").label == "Subtract line 12 from line 9" and line("13").decision == "NJ306-A1"
    assert "$2,000" not in line("39").label and "2,000" in line("39").note


def test_every_decision_names_its_sources_and_an_existing_test():
    import ast
    from pathlib import Path
    root = Path(__file__).resolve().parent.parent
    for key, decision in catalog.DECISIONS.items():
        assert decision["rule"] and decision["sources"], key
        path, _, name = decision["tested_by"].partition("::")
        tree = ast.parse((root / path).read_text(encoding="utf-8"))
        assert name in {n.name for n in ast.walk(tree) if isinstance(n, ast.FunctionDef)}, (key, name)


def _tables(data, path=()):
    """Every rules table that holds a value (not only sub-tables), with its path."""
    values = {k: v for k, v in data.items() if not isinstance(v, (dict, list)) or k in ("cites", "adds_questions")}
    if values:
        yield path, data
    for key, value in data.items():
        if isinstance(value, dict):
            yield from _tables(value, (*path, key))


def test_every_nj_rule_table_is_dated_cited_and_checked():
    from datetime import date
    from xlcredits import rules
    nj = rules.load("nj306")
    exempt = {("revisions",), ("minimum_tax", "columns"), ("minimum_tax", "investment_entities", "kinds"),
              ("fixed_base", "startup", "later")}  # a lookup table, or dated and cited by its parent table
    for path, table in _tables(nj):
        if path in exempt or not path:
            continue
        dated = table if "from" in table else nj[path[0]]
        assert isinstance(dated.get("from"), date), path
        assert dated.get("cites") and dated.get("checked") == date(2026, 11, 30), path
    meta = rules.load("nj_cbt_credits")["meta"]
    assert meta["cites"] and meta["checked"] == date(2026, 11, 30) and isinstance(meta["from"], date)
    assert all(entry["cites"] for entry in catalog.CREDITS.values())


def test_periods_remaining_beyond_the_carryover_is_an_input_error():
    errors = blocked(regular(carryforward=[{"year_earned": 2024, "amount": 1, "period_years": 7,
                                            "periods_remaining": 8}]))
    assert [f.where for f in errors] == ["carryforward[0].periods_remaining"]
