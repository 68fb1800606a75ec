"""`xlcredits rollover` and the ribbon's Start next year: NJ-306 carryforward, prior QREs and
start-up history; Form 7207 Part I. Expected amounts are worked out by hand beside each case."""

from __future__ import annotations

import json
from decimal import Decimal
from pathlib import Path

import openpyxl
import pytest

from xlcredits.cli import main
from xlcredits.forms import compute
from xlcredits.workbook.files import fill_data

from conftest import EXAMPLES, load_json

HUDSON_2025 = {
    "form": "NJ-306", "tax_year": 2025, "taxpayer": {"name": "Hudson Bio Labs LLC", "fein": "22-7654321"},
    "return_type": "CBT-100", "federal_method": "asc",
    "qre": {"wages": 40000, "supplies": 8704, "computer_rental": 0, "contract_research": 5000},
    "prior_year_qres": [45000, 47382, 48000],
    "carryforward": [{"year_earned": 2018, "amount": 500, "period_years": 7},
                     {"year_earned": 2022, "amount": 3000, "period_years": 15}],
    "tax_liability": 6000, "nj_gross_receipts": 2500000,
}


def run(capsys, *argv) -> tuple[int, str, str]:
    code = main(list(map(str, argv)))
    out = capsys.readouterr()
    return code, out.out, out.err


def write(path: Path, data) -> Path:
    path.write_text(json.dumps(data), encoding="utf-8")
    return path


def test_nj306_json_to_json(tmp_path, capsys):
    code, out, err = run(capsys, "rollover", write(tmp_path / "y1.json", HUDSON_2025), "--tax-year", 2026,
                         "-o", tmp_path / "y2.json")
    assert (code, err) == (0, "")
    nxt = json.loads((tmp_path / "y2.json").read_text(), parse_float=Decimal)
    # 2025 by hand: line 20 = 40,000 + 8,704 + 0 + 5,000 = 53,704; line 22 = (45,000 + 47,382 + 48,000) / 6
    # = 23,397; line 24 = 30,307; line 28 = 10% = 3,030.70. Line 29 = 500 + 3,000 = 3,500.
    # Line 35 = 6,000 − 2,000 minimum tax (NJ gross receipts ≥ 1,000,000, N.J.S.A. 54:10A-5(e)) = 4,000
    # = line 36. Used oldest first: 2018 500, 2022 3,000, 2025 500 → 2025 left 2,530.70, earned in the
    # period ended 2025-12-31, usable in the 7 periods 2026–2032: 7 left counting 2026 (NJ306-D5).
    assert nxt["carryforward"] == [{"year_earned": 2025, "period_ends": "2025-12-31", "amount": Decimal("2530.70"),
                                    "period_years": 7, "periods_remaining": 7}]
    # ASC prior years shift by one (oldest first): 47,382, 48,000 and this year's 53,704.
    assert nxt["prior_year_qres"] == [47382, 48000, Decimal("53704.00")]
    assert nxt["tax_year"] == 2026 and nxt["taxpayer"] == HUDSON_2025["taxpayer"]
    assert (nxt["return_type"], nxt["federal_method"]) == ("CBT-100", "asc")
    assert "tax_liability" not in nxt and "qre" not in nxt  # this year's amounts are typed anew
    sources = {c["field"]: c["from"] for c in nxt["_carried_from"] if "field" in c}
    assert sources["prior_year_qres[2]"] == "2025 return (y1.json), total QREs (line 20)"
    assert sources["taxpayer.name"] == "2025 return (y1.json), taxpayer.name"
    # The next year computes once its amounts are typed; the annotation is ignored.
    nxt.update(qre={"wages": 60000}, tax_liability=3000, nj_gross_receipts=2500000)
    result = compute(nxt)
    assert result.computed
    assert result.lines["29"] == Decimal("2530.70")
    # 2026: line 22 = (47,382 + 48,000 + 53,704) / 6 = 24,847.666…; line 23 = 60,000 − 24,847.67 = 35,152.33
    assert result.lines["28"] == Decimal("3515.23")


def test_expired_vintage_is_dropped_with_a_note(tmp_path, capsys):
    data = dict(HUDSON_2025, tax_liability=2300,
                carryforward=[{"year_earned": 2018, "amount": 500, "period_years": 7},
                              {"year_earned": 2019, "amount": 400, "period_years": 7}])
    code, out, _ = run(capsys, "rollover", write(tmp_path / "y1.json", data), "--tax-year", 2026,
                       "-o", tmp_path / "y2.json")
    assert code == 0
    # Allowed 2,300 − 2,000 = 300: all on 2018 (usable through 2025), whose other 200 expires unused
    # [7-period carryover, N.J.S.A. 54:10A-5.24(b); NJ306-D5]; 2019 (usable 2020–2026: 2 periods left in 2025,
    # 1 in 2026) and 2025's 3,030.70 (7 periods, 2026–2032) carry on.
    assert "  NOTE     Credit earned 2018 (200.00 unused) expired after 2025 (7-period carryover) and is not carried." \
        in out
    nxt = json.loads((tmp_path / "y2.json").read_text(), parse_float=Decimal)
    assert nxt["carryforward"] == [
        {"year_earned": 2019, "amount": Decimal("400.00"), "period_years": 7, "periods_remaining": 1},
        {"year_earned": 2025, "period_ends": "2025-12-31", "amount": Decimal("3030.70"), "period_years": 7,
         "periods_remaining": 7}]


def test_a_vintage_already_out_of_periods_is_said_and_not_carried(tmp_path, capsys):
    # periods_remaining 0: the carryover is used up before 2025 begins (NJ306-D5), so none of its 100 is usable.
    data = dict(HUDSON_2025, carryforward=[{"year_earned": 2017, "amount": 100, "period_years": 7,
                                            "periods_remaining": 0}])
    code, out, _ = run(capsys, "rollover", write(tmp_path / "y1.json", data), "--tax-year", 2026,
                       "-o", tmp_path / "y2.json")
    assert code == 0
    assert "Credit earned 2017 (100.00) had already expired before 2025 (7-period carryover) and is not carried." in out
    nxt = json.loads((tmp_path / "y2.json").read_text(), parse_float=Decimal)
    # Allowed 4,000, all on 2025's 3,030.70: nothing of it carries.
    assert "carryforward" not in nxt


def test_startup_year_and_history(tmp_path, capsys):
    data = {"form": "NJ-306", "tax_year": 2025, "taxpayer": {"name": "Newco"}, "return_type": "CBT-100",
            "federal_method": "regular", "qre": {"wages": 50000}, "average_gross_receipts": 400000,
            "startup": {"credit_year": 3, "history": [{"year": 1, "qre": 20000, "gross_receipts": 300000},
                                                      {"year": 2, "qre": 30000, "gross_receipts": 350000}]},
            "tax_liability": 5000, "nj_gross_receipts": 400000}
    code, out, _ = run(capsys, "rollover", write(tmp_path / "y1.json", data), "--tax-year", 2026,
                       "-o", tmp_path / "y2.json", "--gross-receipts", "450,000")
    assert code == 0
    nxt = json.loads((tmp_path / "y2.json").read_text(), parse_float=Decimal)
    # Start-up year 3 becomes 4; year 3 joins the history with its QREs (line 9 = 50,000).
    assert nxt["startup"] == {"credit_year": 4, "history": [
        {"year": 1, "qre": 20000, "gross_receipts": 300000}, {"year": 2, "qre": 30000, "gross_receipts": 350000},
        {"year": 3, "qre": Decimal("50000.00"), "gross_receipts": 450000}]}
    assert "prior_year_qres" not in nxt  # the regular method gave no prior years to shift
    code, out, _ = run(capsys, "rollover", tmp_path / "y1.json", "--tax-year", 2026, "-o", tmp_path / "y2b.json")
    assert "Start-up year 3: type its gross receipts" in out


def test_fiscal_year_shifts_by_a_year(tmp_path, capsys):
    data = dict(HUDSON_2025, tax_year={"begins": "2024-03-01", "ends": "2025-02-28"})
    code, _, err = run(capsys, "rollover", write(tmp_path / "y1.json", data), "--tax-year", 2025,
                       "-o", tmp_path / "y2.json")
    assert (code, err) == (0, "")
    nxt = json.loads((tmp_path / "y2.json").read_text())
    assert nxt["tax_year"] == {"begins": "2025-03-01", "ends": "2026-02-28"}


def test_form_7207_carries_part_one_into_a_new_workbook(tmp_path, capsys):
    fill_data(load_json(EXAMPLES / "form7207_acme_2025.json"), tmp_path / "acme.xlsx")
    code, out, err = run(capsys, "rollover", tmp_path / "acme.xlsx", "--tax-year", 2026, "-o", tmp_path / "a26.xlsx")
    assert (code, err) == (0, "")
    from xlcredits.workbook.files import load_source

    nxt = load_source(tmp_path / "a26.xlsx")
    assert nxt["tax_year"] == 2026
    assert nxt["filer"] == {"name": "Acme Solar Manufacturing LLC", "tin": "12-3456789"}
    assert nxt["facility"]["registration_number"] == "AMP-2025-000123"
    assert nxt["facility"]["placed_in_service"] == "2023-03-15"
    assert "components" not in nxt and "critical_minerals" not in nxt and "passthrough_credit" not in nxt
    wb = openpyxl.load_workbook(tmp_path / "a26.xlsx", read_only=True, data_only=True)
    rows = {r[0]: r for r in wb["Carried forward"].iter_rows(values_only=True) if r and r[0]}
    assert rows["facility.registration_number"][1:] == ("Registration number", "AMP-2025-000123",
                                                        "2025 return (acme.xlsx), 'Form 7207'!C11")
    assert wb.defined_names["XLC_revision"] is not None
    notes = {r[0]: r[1] for r in wb["Review notes"].iter_rows(values_only=True) if r[3] == "xlcredits rollover"}
    assert notes["'Form 7207'!C11"] == "Carried from the 2025 return (acme.xlsx), 'Form 7207'!C11: AMP-2025-000123"
    assert notes["To do"].startswith("Schedules (products, vessels, minerals, coal) start empty")
    wb.close()
    assert "NOTE     Schedules (products, vessels, minerals, coal) start empty" in out


@pytest.mark.parametrize("year, sentence", [
    (2027, "y1.json is the 2025 return; --tax-year must be the year after it, 2026 (the carried amounts are those "
           "at the start of 2026)"),
    (2025, "y1.json is the 2025 return; --tax-year must be the year after it, 2026 (the carried amounts are those "
           "at the start of 2026)"),
])
def test_wrong_year_refused(tmp_path, capsys, year, sentence):
    code, out, err = run(capsys, "rollover", write(tmp_path / "y1.json", HUDSON_2025), "--tax-year", year,
                         "-o", tmp_path / "y2.json")
    assert (code, out, err) == (1, "", f"xlcredits: {sentence}\n")
    assert not (tmp_path / "y2.json").exists()


def test_other_refusals(tmp_path, capsys):
    src = write(tmp_path / "y1.json", HUDSON_2025)
    (tmp_path / "y2.json").write_text("keep me")
    code, _, err = run(capsys, "rollover", src, "--tax-year", 2026, "-o", tmp_path / "y2.json")
    assert (code, err) == (1, f"xlcredits: {tmp_path / 'y2.json'} already exists; use --force to replace it\n")
    assert (tmp_path / "y2.json").read_text() == "keep me"
    broken = write(tmp_path / "broken.json", dict(HUDSON_2025, qre={"wages": "lots"}))
    code, _, err = run(capsys, "rollover", broken, "--tax-year", 2026, "-o", tmp_path / "y3.json")
    assert (code, err) == (1, "xlcredits: broken.json has input errors, so its carryforward is unknown: fix them "
                              "first (`xlcredits verify broken.json` lists them)\n")
    code, _, err = run(capsys, "rollover", src, "--tax-year", 2026, "-o", tmp_path / "y3.csv")
    assert code == 1 and "a workbook (.xlsx) or a JSON input (.json)" in err


def test_start_next_year_button(tmp_path):
    from xlcredits.review import excel

    from test_send_excel import FakeBook

    fill_data(HUDSON_2025, tmp_path / "hudson.xlsx")
    book = FakeBook(tmp_path / "hudson.xlsx")
    prompt = excel.start_next_year(book)
    target = tmp_path / "Hudson-Bio-Labs-LLC-NJ-306-2026.xlsx"
    # name, FEIN, return, federal method, one vintage, three prior years' QREs
    assert prompt.startswith(f"Tax year 2026 started: {target.name}, 8 value(s) carried")
    assert book.app.opened == [str(target)]
    from xlcredits.workbook.files import load_source

    assert load_source(target)["carryforward"] == [{"year_earned": 2025, "period_ends": "2025-12-31",
                                                    "amount": Decimal("2530.7"), "period_years": 7,
                                                    "periods_remaining": 7}]
    # Where each carried value came from: open Review notes rows, counted on the Review sheet.
    wb = openpyxl.load_workbook(target, data_only=True)
    assert wb.sheetnames[0] == "Review"
    notes = [r for r in wb["Review notes"].iter_rows(values_only=True) if r[3] == "xlcredits rollover"]
    assert len(notes) == 8 and all(r[2] == "open" for r in notes)
    assert ("'NJ-306'!C3", "Carried from the 2025 return (hudson.xlsx), 'NJ-306'!C3: Hudson Bio Labs LLC", "open",
            "xlcredits rollover") in notes
    (vintage,) = [n for n in notes if n[1] == (
        "Carried from the 2025 return (hudson.xlsx), line 37/44/51 carryover (credit left after this year's use, "
        "oldest first): year_earned 2025, period_ends 2025-12-31, amount 2,530.70, period_years 7, "
        "periods_remaining 7")]
    assert vintage[2:] == ("open", "xlcredits rollover")
    sheet, cell = vintage[0].rsplit("!", 1)
    assert wb[sheet.strip("'")][cell].value == 2025  # the note points at the carried vintage's row
    review = {r[0]: r[3] for r in wb["Review"].iter_rows(values_only=True) if r[0]}
    assert review["Open review notes"] == 8
    wb.close()
    again = excel.start_next_year(book)
    assert again == (f"The next year was not started: {target.name} already exists beside this workbook; open it, "
                     f"or move it away first.")
