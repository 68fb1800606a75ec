"""The carryforward ledger: line 29 from unexpired vintages, expiry at 7 and 15 years, oldest
first, and next year's ledger (the rules §4)."""

from decimal import Decimal

import pytest

from test_nj306_support import blocked, combined, regular, run, where

D = Decimal


def vintage(year, amount, period=7):
    return {"year_earned": year, "amount": amount, "period_years": period}


# source: the rules §4; N.J.S.A. 54:10A-5.24(b) (7 years) and 54:10A-5.24b (15 years):
# a credit earned in year Y may be used in each of the following 7 (or 15) tax years.
@pytest.mark.parametrize("earned, period, usable", [
    (2018, 7, True),  # 2025 is the 7th following year
    (2017, 7, False),
    (2010, 15, True),  # 2025 is the 15th following year
    (2009, 15, False),
    (2017, 15, True),
    (2024, 7, True),
])
def test_vintage_expiry(earned, period, usable):
    result = run(regular(carryforward=[vintage(earned, 800, period)]))
    assert result.lines["29"] == (D(800) if usable else 0)
    assert ("carryforward[0]" in where(result, "warning")) == (not usable)


def test_expired_vintage_is_reported_not_used():
    result = run(regular(carryforward=[vintage(2017, 800), vintage(2020, 300)]))
    assert result.lines["29"] == D(300)
    warning = [f for f in result.findings if f.where == "carryforward[0]"][0]
    assert "$800.00" in warning.message and "2017" in warning.message and "expired" in warning.message
    assert result.rows["carryforward"][0]["usable"] == 0


def test_fiscal_year_is_named_by_the_year_it_begins():
    fiscal = {"begins": "2025-07-01", "ends": "2026-06-30"}
    assert run(regular(tax_year=fiscal, carryforward=[vintage(2018, 100)])).lines["29"] == D(100)


def test_vintage_from_this_year_or_later_is_an_error():
    errors = blocked(regular(carryforward=[vintage(2025, 100)]))
    assert [f.where for f in errors] == ["carryforward[0].year_earned"]


def test_period_must_be_7_or_15():
    assert [f.where for f in blocked(regular(carryforward=[vintage(2020, 1, 10)]))] == ["carryforward[0].period_years"]


def _limited(**changes):
    """Credit 5,000 this year (line 28); line 35 limits the allowed credit to 1,000."""
    return regular(**{"qre": {"wages": 100000}, "tax_liability": 3000, "nj_gross_receipts": 5000000, **changes})


def test_oldest_vintage_is_used_first_and_next_ledger_is_an_output():
    # source: NJ306-D6 (oldest first; the ledger for the next year is an output), NJ306-D5 (periods_remaining - 1)
    result = run(_limited(carryforward=[vintage(2022, 700), vintage(2015, 600, 15)], carryover_period_years=15))
    assert result.lines["28"] == D(5000) and result.lines["29"] == D(1300) and result.lines["30"] == D(6300)
    assert result.lines["36"] == D(1000) and result.lines["37"] == D(5300)
    assert result.extras["carryforward_next"] == [
        # 2015's 600 went first; 2022 is in its 3rd of 7 periods: 5 left counting 2025, so 4 next year
        {"year_earned": 2022, "amount": D(300), "period_years": 7, "periods_remaining": 4},
        {"year_earned": 2025, "period_ends": "2025-12-31", "amount": D(5000), "period_years": 15,
         "periods_remaining": 15},
    ]
    rows = {r["year_earned"]: r for r in result.rows["carryforward"]}
    assert rows[2015]["applied"] == D(600) and rows[2022]["applied"] == D(400)


def test_allowed_credit_beyond_the_vintages_uses_this_years_credit():
    result = run(regular(carryforward=[vintage(2020, 100)]))
    assert result.lines["36"] == result.lines["30"] and result.lines["37"] == 0
    assert result.extras["carryforward_next"] == []


def test_vintage_in_its_last_year_left_unused_expires():
    result = run(_limited(tax_liability=2000, carryforward=[vintage(2018, 400)]))  # no credit allowed
    assert result.lines["36"] == 0 and result.lines["37"] == D(5400)
    assert result.extras["carryforward_next"] == [{"year_earned": 2025, "period_ends": "2025-12-31", "amount": D(5000),
                                                   "period_years": 7, "periods_remaining": 7}]
    assert any("expires after this tax year" in f.message for f in result.findings if f.where == "carryforward[0]")


def test_next_ledger_sums_to_the_carryover_line_when_nothing_expires():
    result = run(_limited(carryforward=[vintage(2021, 250), vintage(2023, 125.5)]))
    total = sum(v["amount"] for v in result.extras["carryforward_next"])
    assert total == result.lines["37"] == result.lines["30"] - result.lines["36"]


def test_combined_ledgers_use_line_43_or_line_50():
    sharing = run(combined(True, carryforward=[vintage(2020, 100)]))
    assert sharing.lines["44"] == sharing.lines["30"] - sharing.lines["43"]
    member = run(combined(False, combined={"member_allocation_factor": "0.01"}))  # 45c 500 < 2,000: nothing allowed
    assert member.lines["50"] == 0 and member.lines["51"] == member.lines["30"]
    assert member.extras["carryforward_next"] == [{"year_earned": 2025, "period_ends": "2025-12-31",
                                                   "amount": member.lines["30"], "period_years": 7,
                                                   "periods_remaining": 7}]
